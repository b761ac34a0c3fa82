/**
 * `armbench micro fma`: for every instruction form the CPU has, the k-chain curve in
 * both chain modes, latency, throughput, Little's-law parallelism, and peak FLOP/s on
 * one core and on all cores.
 */
import { CLOCK_STEPS_BESIDE } from "../constants.js";
import type { NativeFmaCurve, NativeFmaForm } from "../native.js";
import { failedRecord, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import { median, summarize, relativeSpread } from "../stats.js";
import { fmaFigures, type ChainPoint } from "./analysis.js";
import { probeClock, type ProbeClock } from "./clock.js";
import { exactSteps } from "./peak.js";
import type { FormPeak } from "./peak-book.js";
import { primaryCpu, type MicroContext } from "./context.js";

export interface FmaRow {
  form: string;
  chain: "acc" | "full";
  latency: number;
  throughput: number;
  parallelism: number;
  saturatesAt: number;
  agrees: boolean;
  /** Largest relative spread of the three figures. */
  spread: number;
}

/** One instruction form's peak (measured by the peak book). */
export type PeakRow = FormPeak;

export interface FmaSummary {
  rows: FmaRow[];
  peaks: PeakRow[];
  skipped: { form: string; reason: string }[];
}

const CHECK = { method: "every accumulator lane exact after every run", passed: true };

function formParams(f: NativeFmaForm, chain: string): RecordId["params"] {
  return { isa: f.isa, insn: f.insn, bits: f.bits, dtype: f.dtype, chain };
}

/**
 * The clock of every sample, row by row: the chains ran beside each sample on the same
 * thread, and perf (where it counts) gives each sample's own clock.
 */
function curveClock(ctx: MicroContext, probe: string, curve: NativeFmaCurve): ProbeClock {
  const beside = curve.curve.flatMap((row) => {
    if (row.clock === null) throw new Error("the FMA curve ran without its clock chains");
    return row.clock.map((c) => c.runs.map((r) => [r]));
  });
  const counted = curve.curve.every((r) => r.cyclesN !== null && r.cycles2N !== null);
  const perfGhz = counted
    ? curve.curve.flatMap((row) =>
        row.nsN.map((nsN, i) => {
          const cycles = row.cycles2N![i]! - row.cyclesN![i]!;
          const ns = row.ns2N[i]! - nsN;
          return cycles > 0 && ns > 0 ? cycles / ns : null;
        }),
      )
    : null;
  return probeClock(ctx, probe, beside, perfGhz, "sample");
}

/**
 * Cycles per chain step for every k and sample, from perf cycles or time x the clock
 * measured beside that sample; and ns per step. Samples whose 2N - N difference is not
 * positive were disturbed and are dropped.
 */
function chainPoints(curve: NativeFmaCurve, steps: number, clock: ProbeClock): { points: ChainPoint[]; nsPerStep: Map<number, number[]> } {
  const perf = clock.clock.source === "perf";
  const nsPerStep = new Map<number, number[]>();
  let sample = 0;
  const points = curve.curve.map((row) => {
    const cyclesPerStep: number[] = [];
    const ns: number[] = [];
    row.nsN.forEach((nsN, i) => {
      const hz = clock.hz[sample++]!;
      const c1 = row.cyclesN?.[i];
      const c2 = row.cycles2N?.[i];
      const dns = row.ns2N[i]! - nsN;
      const cycles = perf && c1 != null && c2 != null ? c2 - c1 : dns * (hz / 1e9);
      if (cycles > 0) cyclesPerStep.push(cycles / steps);
      if (dns > 0) ns.push(dns / steps);
    });
    nsPerStep.set(row.k, ns);
    return { k: row.k, cyclesPerStep };
  });
  return { points, nsPerStep };
}

async function measureMode(ctx: MicroContext, f: NativeFmaForm, mode: "acc" | "full", out: FmaSummary): Promise<void> {
  const steps = exactSteps(ctx.native, ctx.suite.fma.steps);
  const { samples } = ctx.suite.fma;
  const chains = Array.from({ length: f.maxChains }, (_, i) => i + 1);
  ctx.progress.update(`micro fma: ${f.name} (${mode} chain, k = 1..${f.maxChains})`);
  const base = { suite: "micro", impl: "armbench" };
  const params = formParams(f, mode);
  let curve: NativeFmaCurve;
  try {
    curve = await ctx.native.fmaCurve({ form: f.index, mode, chains, steps, samples, cpu: primaryCpu(ctx), clockSteps: ctx.suite.fma.clockSteps ?? CLOCK_STEPS_BESIDE });
  } catch (err) {
    ctx.record(failedRecord({ ...base, name: "micro.fma.latency", params, unit: "cycles" }, (err as Error).message));
    return;
  }
  if (curve.failedChains !== 0) {
    const reason = `accumulators were wrong after the run with k = ${curve.failedChains}`;
    ctx.record(failedRecord({ ...base, name: "micro.fma.latency", params, unit: "cycles" }, reason, { ...CHECK, passed: false }));
    return;
  }
  const clock = curveClock(ctx, `fma ${f.name} ${mode}`, curve);
  const { points, nsPerStep } = chainPoints(curve, steps, clock);
  const empty = points.find((p) => p.cyclesPerStep.length === 0);
  if (empty) {
    ctx.record(failedRecord({ ...base, name: "micro.fma.latency", params, unit: "cycles" }, `every sample at k = ${empty.k} was disturbed (2N run not slower than N)`));
    return;
  }
  for (const p of points) {
    const perInstr = p.cyclesPerStep.map((c) => c / p.k);
    const ns = nsPerStep.get(p.k)!;
    ctx.record(
      okRecord(
        { ...base, name: "micro.fma.chains", params: { ...params, k: p.k }, unit: "cycles/instr", clock: clock.clock, derived: { nsPerInstr: ns.length ? median(ns) / p.k : null } },
        perInstr,
        CHECK,
      ),
    );
  }
  const fig = fmaFigures(points);
  const lat = okRecord({ ...base, name: "micro.fma.latency", params, unit: "cycles", clock: clock.clock }, fig.latencySamples, CHECK);
  const thr = okRecord(
    { ...base, name: "micro.fma.throughput", params, unit: "instr/cycle", clock: clock.clock, derived: { fromK: fig.saturatesAt, bestK: fig.bestK } },
    fig.throughputSamples,
    CHECK,
  );
  const par = okRecord(
    {
      ...base,
      name: "micro.fma.parallelism",
      params,
      unit: "chains",
      clock: clock.clock,
      derived: { saturatesAt: fig.saturatesAt, littleLawAgrees: fig.agrees },
    },
    fig.parallelismSamples,
    CHECK,
  );
  for (const r of [lat, thr, par]) ctx.record(r);
  if (!fig.agrees) {
    ctx.warn(`fma ${f.name} ${mode}: Little's law gives ${par.median.toFixed(1)} chains but the curve saturates at k = ${fig.saturatesAt}.`);
  }
  out.rows.push({
    form: f.name,
    chain: mode,
    latency: lat.median,
    throughput: thr.median,
    parallelism: par.median,
    saturatesAt: fig.saturatesAt,
    agrees: fig.agrees,
    spread: Math.max(...[lat, thr, par].map((r) => relativeSpread({ ...r.spread, median: r.median }))),
  });
}

export async function runFma(ctx: MicroContext): Promise<FmaSummary> {
  const out: FmaSummary = { rows: [], peaks: [], skipped: [] };
  for (const f of ctx.native.fmaForms()) {
    if (f.unsupported !== null) {
      out.skipped.push({ form: f.name, reason: f.unsupported });
      ctx.record(unavailableRecord({ suite: "micro", name: "micro.fma.latency", impl: "armbench", params: formParams(f, "acc"), unit: "cycles" }, f.unsupported));
      continue;
    }
    for (const mode of ctx.suite.fma.modes) {
      if (mode === "full" && !f.hasFullChain) continue;
      await measureMode(ctx, f, mode, out);
    }
  }
  // The peaks every step compares against: each dtype on one core and on all, every form
  // of the dtype at its full chain count (the same book gemm, conv and model ask).
  const dtypes = [...new Set(ctx.native.fmaForms().filter((f) => f.unsupported === null).map((f) => f.dtype))];
  const primary = [primaryCpu(ctx)].filter((c) => c >= 0);
  for (const dtype of dtypes) {
    if (primary.length) await ctx.peaks.get(dtype, primary);
    if (ctx.cpus.length > 1) await ctx.peaks.get(dtype, ctx.cpus);
  }
  out.peaks.push(...ctx.peaks.forms);
  return out;
}
