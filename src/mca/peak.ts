/**
 * From llvm-mca's reports of one loop to the figures `npm run mca` prints: cycles per
 * iteration in the steady state, FMA-class operations per iteration and the % of the
 * core's FMA-pipe peak.
 *
 * The pipe peak is llvm-mca's own: each FMA-class instruction's reciprocal throughput in
 * the core's scheduling model (the Instruction Info view), i.e. how many of that form
 * the model's FMA pipes issue per cycle. Their sum is the fewest cycles an iteration
 * could take if it did nothing but its multiply-adds; the % is that over the predicted
 * cycles. Taking the pipe counts from the same model that predicts the cycles keeps the
 * ratio about the code, not about two sources disagreeing on a core.
 */
import { isFmaClass } from "./asm.js";
import type { McaReport } from "./parse.js";

/** The checked floor: every Arm microkernel on every core that runs it. */
export const MCA_MIN_PCT = 90;

/** The cores llvm-mca 19 models that armbench's Arm kernels target, with the extensions each has. */
export interface McaCore {
  cpu: string;
  features: readonly string[];
  /**
   * Why the floor is not checked on this core (printed as "info"), or absent where it is:
   * the floor names Neoverse N1, N2, V1 and V2.
   */
  informational?: string;
}

export const MCA_CORES: readonly McaCore[] = [
  { cpu: "neoverse-n1", features: ["fp16", "dotprod"] },
  { cpu: "neoverse-n2", features: ["fp16", "dotprod", "fp16fml", "sve", "sve2", "bf16", "i8mm"] },
  { cpu: "neoverse-v1", features: ["fp16", "dotprod", "fp16fml", "sve", "bf16", "i8mm"] },
  { cpu: "neoverse-v2", features: ["fp16", "dotprod", "fp16fml", "sve", "sve2", "bf16", "i8mm"] },
  {
    cpu: "a64fx",
    features: ["fp16", "sve"],
    informational: "9-cycle FMLA on 2 pipes needs 18 independent chains, more than the NCHWc and depthwise tiles hold without spilling",
  },
];

/**
 * The extensions a file's -march asks for ("-march=armv8.6-a+bf16" -> ["bf16"]); the base
 * architecture version is left out, since the cores here have every base instruction
 * the kernels use. "+nofoo" removes nothing a kernel needs and is ignored.
 */
export function requiredFeatures(flags: readonly string[]): string[] {
  const march = [...flags].reverse().find((f) => f.startsWith("-march="));
  if (!march) return [];
  return march
    .slice("-march=".length)
    .split("+")
    .slice(1)
    .filter((f) => f !== "" && !f.startsWith("no"));
}

/** Whether --check holds this core to the floor. */
export function coreGated(cpu: string): boolean {
  const core = MCA_CORES.find((c) => c.cpu === cpu);
  return core !== undefined && core.informational === undefined;
}

export function coreRuns(core: McaCore, required: readonly string[]): boolean {
  return required.every((f) => core.features.includes(f));
}

export interface McaPrediction {
  instrPerIter: number;
  fmaPerIter: number;
  /** Steady-state cycles per iteration: the difference of two runs, so the ramp-up and drain cancel. */
  cyclesPerIter: number;
  /** The fewest cycles the iteration's FMA-class instructions need on the model's pipes. */
  peakCyclesPerIter: number;
  /** FMA-class instructions per cycle at the pipe peak, for this loop's mix of forms. */
  peakFmaPerCycle: number;
  pctOfPeak: number;
  /**
   * The fewest cycles the iteration's loads need (each load's reciprocal throughput, as
   * for the FMA peak): with no input shared between multiply-adds, this and not the FMA
   * pipes may be what bounds a loop.
   */
  loadCyclesPerIter: number;
  /** 100 x the larger of the FMA peak and the load cycles, over the predicted cycles. */
  pctOfBound: number;
  /** llvm-mca's Bottleneck Analysis in a few words. */
  bottleneck: string;
  /** The most loaded resource unit and its cycles per iteration. */
  busiest: string;
}

function bottleneckText(r: McaReport): string {
  const b = r.bottleneck;
  if (!b) return "-";
  if (b.backendPressurePct === 0) return "none";
  const data = b.registerPct + b.memoryPct;
  if (b.resourcePct >= data) {
    const names = b.resources.slice(0, 2).map((x) => x.name).join(", ");
    return `resources ${names} (${b.resourcePct.toFixed(0)}% of cycles)`;
  }
  return `${b.registerPct >= b.memoryPct ? "register" : "memory"} dependencies (${data.toFixed(0)}% of cycles)`;
}

/**
 * `short` and `long` are the same loop at two iteration counts; `long` carries the views
 * (resource pressure, bottleneck analysis) that are read.
 */
export function predict(short: McaReport, long: McaReport): McaPrediction {
  if (!(long.iterations > short.iterations)) throw new Error("the long llvm-mca run must have more iterations than the short one");
  if (short.instrs.length === 0) throw new Error("llvm-mca listed no instructions");
  const cyclesPerIter = (long.totalCycles - short.totalCycles) / (long.iterations - short.iterations);
  const fma = short.instrs.filter((i) => isFmaClass(i.text));
  const peakCyclesPerIter = fma.reduce((s, i) => s + i.rthroughput, 0);
  if (fma.length === 0 || !(peakCyclesPerIter > 0)) throw new Error("the loop has no FMA-class instruction with a throughput");
  if (!(cyclesPerIter > 0)) throw new Error(`llvm-mca predicted ${cyclesPerIter} cycles per iteration`);
  const loadCyclesPerIter = short.instrs.filter((i) => i.mayLoad).reduce((s, i) => s + i.rthroughput, 0);
  const top = long.pressure.reduce<{ name: string; cycles: number } | null>((a, p) => (!a || p.cycles > a.cycles ? p : a), null);
  return {
    instrPerIter: short.instructions / short.iterations,
    fmaPerIter: fma.length,
    cyclesPerIter,
    peakCyclesPerIter,
    peakFmaPerCycle: fma.length / peakCyclesPerIter,
    pctOfPeak: (100 * peakCyclesPerIter) / cyclesPerIter,
    loadCyclesPerIter,
    pctOfBound: (100 * Math.max(peakCyclesPerIter, loadCyclesPerIter)) / cyclesPerIter,
    bottleneck: bottleneckText(long),
    busiest: top ? `${top.name} ${top.cycles.toFixed(2)}` : "-",
  };
}
