/** llvm-mca predictions as results-file records (suite "mca"), and the floor check over them. */
import { notChecked, okRecord } from "../results/record.js";
import type { OkRecord } from "../results/schema.js";
import { MCA_MIN_PCT, coreGated, type McaPrediction } from "./peak.js";

export const MCA_UNIT = "% of pipe peak";

export interface McaRow {
  kernel: string;
  cpu: string;
  /** The source file and the -march it was compiled with, for the record. */
  source: string;
  march: string;
  prediction: McaPrediction;
}

/**
 * `floor`: what the floor check made of this kernel and core, as the table prints it
 * ("ok", "LOW", "rem", "info", "info ok"), so a report can show the checked rows.
 */
export function mcaRecord(row: McaRow, llvmMca: string, floor: string): OkRecord {
  const p = row.prediction;
  return okRecord(
    {
      suite: "mca",
      name: "mca.kernel",
      impl: llvmMca,
      params: { kernel: row.kernel, cpu: row.cpu },
      unit: MCA_UNIT,
      derived: {
        instrPerIter: p.instrPerIter,
        fmaPerIter: p.fmaPerIter,
        cyclesPerIter: p.cyclesPerIter,
        peakCyclesPerIter: p.peakCyclesPerIter,
        peakFmaPerCycle: p.peakFmaPerCycle,
        peakSource: "llvm-mca Instruction Info: each FMA-class instruction's reciprocal throughput",
        loadCyclesPerIter: p.loadCyclesPerIter,
        pctOfBound: p.pctOfBound,
        floorBasis: floorBasis(row.kernel),
        floor,
        bottleneck: p.bottleneck,
        busiestUnitCyclesPerIter: p.busiest,
        source: row.source,
        march: row.march,
      },
    },
    [p.pctOfPeak],
    notChecked("a static prediction: no answer is computed", "llvm-mca simulation"),
  );
}

/** The register-tile width a kernel's name ends in ("nchwc.row_f32.t12" -> 12), or null. */
export function tileWidth(kernel: string): number | null {
  const m = /\.t(\d+)$/.exec(kernel);
  return m ? Number(m[1]) : null;
}

function family(kernel: string): string {
  return kernel.replace(/\.t\d+$/, "");
}

/**
 * Kernels kept for shapes no layer of a built-in net has (suites/conv.json, the models of
 * src/engine/models), by family, with the reason printed beside them; test/mca.test.ts
 * checks that no layer of the conv suite takes one. Their strides are known only at run
 * time, so no input vector is shared between taps and every multiply-add has a load of
 * its own: on a core that loads fewer vectors a cycle than its FMA pipes take (V1 and
 * V2: 3 and 4), no such loop reaches the pipe peak, so the floor holds a fallback to the
 * larger of its FMA peak and its loads' cycles (pctOfBound) instead.
 */
export const MCA_FALLBACKS: readonly { family: string; why: string }[] = [
  {
    family: "nchwc.depthwise_f32_any",
    why: "NCHWc depthwise with taps other than 3x3 or 5x5 at dilation 1 and stride 1 or 2 (dilated or other tap widths); strides known only at run time, one load per multiply-add",
  },
];

/** Why a kernel is a fallback, or null when it is not one. */
export function fallbackOf(kernel: string): string | null {
  return MCA_FALLBACKS.find((f) => family(kernel) === f.family)?.why ?? null;
}

/**
 * Whether the floor applies to a kernel: to every kernel that is not one of a family of
 * tile widths ("name.tN"); of a family, to its widest tile and to every tile a full row
 * of a built-in net's layer runs (`main`, from tiles.ts's netTiles). The rest only
 * pixels or rows left over run: a tile of T pixels has T independent accumulator chains
 * and no more (each pixel's sum has a fixed order, which the multi-block kernels' bit
 * equality with the row kernel relies on), so below about latency x pipes pixels no code
 * reaches the pipe peak; those are printed, not checked.
 */
export function floorApplies(kernel: string, all: readonly string[], main: ReadonlySet<string> = new Set()): boolean {
  const t = tileWidth(kernel);
  if (t === null || main.has(kernel)) return true;
  const widest = Math.max(...all.filter((k) => family(k) === family(kernel)).map((k) => tileWidth(k) ?? 0));
  return t === widest;
}

/** What the floor measures a kernel against: the FMA-pipe peak, or for a fallback the bound its loads set. */
export function floorBasis(kernel: string): "pipe peak" | "load bound" {
  return fallbackOf(kernel) !== null ? "load bound" : "pipe peak";
}

/** The percentage the floor compares: of the pipe peak, or for a fallback of its bound (MCA_FALLBACKS). */
export function floorPct(kernel: string, p: McaPrediction): number {
  return floorBasis(kernel) === "load bound" ? p.pctOfBound : p.pctOfPeak;
}

/** The table's word for a kernel and core: "rem" (not checked), "info"/"info ok" (a core not gated), "ok" or "LOW". */
export function floorStatus(row: McaRow, all: readonly string[], main: ReadonlySet<string> = new Set()): string {
  const pct = floorPct(row.kernel, row.prediction);
  if (!floorApplies(row.kernel, all, main)) return "rem";
  if (!coreGated(row.cpu)) return pct >= MCA_MIN_PCT ? "info ok" : "info";
  return pct >= MCA_MIN_PCT ? "ok" : "LOW";
}

/**
 * One line per checked kernel and core below the floor, empty when every one reaches it.
 * Only the gated cores (coreGated: N1, N2, V1, V2) are checked; the others are printed.
 */
export function belowFloor(rows: readonly McaRow[], floor = MCA_MIN_PCT, main: ReadonlySet<string> = new Set()): string[] {
  const kernels = [...new Set(rows.map((r) => r.kernel))];
  return rows
    .filter((r) => coreGated(r.cpu) && floorApplies(r.kernel, kernels, main))
    .filter((r) => !(floorPct(r.kernel, r.prediction) >= floor))
    .map((r) => `${r.kernel} on ${r.cpu}: ${floorPct(r.kernel, r.prediction).toFixed(1)}% of ${floorBasis(r.kernel)}, below ${floor}% (${r.prediction.bottleneck})`);
}
