/**
 * `armbench conv`: every algorithm that can run each layer of a network, its answer
 * checked before it is timed, GFLOP/s, % of the measured peak, and the fastest.
 */
import type { Native, NativeConvShape, NativeHandle } from "../native.js";
import { peakDerived, type DtypePeak, type PeakBook } from "../micro/peak-book.js";
import { sampleShares } from "../passes.js";
import type { Progress } from "../progress.js";
import { failedRecord, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import type { Check, ParamValue, ResultRecord } from "../results/schema.js";
import { median, relativeSpread, summarize } from "../stats.js";
import type { Env } from "../results/schema.js";
import type { ConvLayer, ConvSuite } from "../suites.js";
import { cachedWinner, forgetWinner, saveCache, storeWinner, type AlgoSource, type FastRunCache } from "./cache.js";
import { defaultConvAlgo } from "./heuristic.js";

export type ConvDtype = "fp32" | "bf16";

export interface ConvContext {
  native: Native;
  suite: ConvSuite;
  env: Env;
  record(r: ResultRecord): void;
  progress: Progress;
  cpus: number[];
  warn(message: string): void;
  /** The one peak per dtype and thread count every % of peak is against. */
  peaks: PeakBook;
}

export interface ConvPlan {
  net: string;
  layers: ConvLayer[];
  batches: number[];
  dtypes: ConvDtype[];
  threads: number[];
  /** Algorithm names to run; null: every one that supports the layer. */
  algos: string[] | null;
  /** --fast-run: a cached winner is measured alone; new winners are written back. */
  cache: FastRunCache | null;
}

export interface ConvRow {
  layer: ConvLayer;
  n: number;
  dtype: ConvDtype;
  threads: number;
  algo: string;
  gflops: number | null;
  pctPeak: number | null;
  maxRelErr: number | null;
  spread: number | null;
  winner: boolean;
  /** The algorithm came from the fast-run cache, not from timing them all. */
  cached: boolean;
  note: string | null;
}

export interface ConvSummary {
  /** Layers whose algorithm came from the fast-run cache. */
  fromCache: number;
  rows: ConvRow[];
  peaks: { dtype: ConvDtype; threads: number; peak: DtypePeak | null }[];
}

/** The reference is the oracle: checked against, never timed as a contender. */
const ORACLE = "reference";
/** Layers are measured with the epilogue a folded Conv-BN-ReLU has. */
const EPILOGUE = { bias: 1 as const, act: 1 as const };

export function convShape(l: ConvLayer, n: number): NativeConvShape {
  return { n, c: l.c, h: l.h, w: l.w, k: l.k, r: l.r, s: l.s, stride: l.stride, pad: l.pad, groups: l.groups };
}

export function convFlops(native: Native, shape: NativeConvShape): number {
  const o = native.convOutput(shape);
  if ("error" in o) return 0;
  return 2 * shape.n * shape.k * (shape.c / shape.groups) * shape.r * shape.s * o.oh * o.ow;
}

function checkOf(c: { checked: number; maxAbsErr: number; maxRelErr: number; bound: number; passed: boolean }): Check {
  return {
    method: "sampled outputs vs direct double sums (bias and ReLU included); bound (K+4)*2^-24 of sum|xw| (x2 bf16)",
    passed: c.passed,
    checked: c.checked,
    maxRelErr: c.maxRelErr,
    maxAbsErr: c.maxAbsErr,
    bound: c.bound,
  };
}

async function measureLayer(
  ctx: ConvContext,
  plan: ConvPlan,
  l: ConvLayer,
  n: number,
  dtype: ConvDtype,
  threads: number,
  pool: NativeHandle,
  peak: DtypePeak | null,
  out: ConvSummary,
): Promise<Winner | null> {
  const shape = convShape(l, n);
  const flops = convFlops(ctx.native, shape);
  const params = { net: plan.net, layer: l.name, ...shape, dtype, threads };
  const rows: ConvRow[] = [];
  const records: { row: ConvRow; gflops: number[] }[] = [];
  const hit = plan.cache ? cachedWinner(plan.cache, threads, dtype, shape) : undefined;
  // A winner --algo leaves out is not the one to time; the cache keeps it for later runs.
  const cached = hit && (!plan.algos || plan.algos.includes(hit.algo)) ? hit : undefined;
  if (cached) out.fromCache++;
  // Why each timed algorithm ran: the cache's winner alone, the ones --algo named, or all.
  const timedBecause = cached ? "cache" : plan.algos ? "requested" : "all-algorithms";
  for (const a of ctx.native.convAlgos(shape)) {
    if (a.name === ORACLE || (plan.algos && !plan.algos.includes(a.name))) continue;
    if (cached && a.name !== cached.algo) continue;
    const id: RecordId = { suite: "conv", name: "conv", impl: "armbench", params: { ...params, algo: a.name }, unit: "GFLOP/s", derived: { algoSource: timedBecause } };
    const base = { layer: l, n, dtype, threads, algo: a.name, winner: false, cached: cached !== undefined };
    if (a.unsupported !== null) {
      ctx.record(unavailableRecord(id, a.unsupported));
      continue;
    }
    ctx.progress.update(`conv ${plan.net}: ${l.name}, batch ${n}, ${dtype}, ${a.name}, ${threads} thread${threads > 1 ? "s" : ""}`);
    try {
      const r = await ctx.native.convMeasure({ ...shape, dtype, algo: a.id, ...EPILOGUE, seed: ctx.suite.seed, samples: ctx.suite.samples, minSampleNs: ctx.suite.minSampleNs, pool });
      if (!r.check.passed) {
        const reason = `wrong answer: max relative error ${r.check.maxRelErr.toExponential(2)} exceeds the bound ${r.check.bound.toExponential(2)}`;
        ctx.record(failedRecord(id, reason, checkOf(r.check)));
        rows.push({ ...base, gflops: null, pctPeak: null, maxRelErr: r.check.maxRelErr, spread: null, note: reason });
        continue;
      }
      const gflops = r.samples.map((s) => (flops * s.calls) / s.ns);
      const g = median(gflops);
      const pctPeak = peak ? (100 * g) / peak.gflops : null;
      const row: ConvRow = { ...base, gflops: g, pctPeak, maxRelErr: r.check.maxRelErr, spread: relativeSpread(summarize(gflops)), note: null };
      rows.push(row);
      records.push({ row, gflops });
      ctx.record(
        okRecord(
          {
            ...id,
            params: { ...id.params, pctPeak: pctPeak === null ? null : Number(pctPeak.toFixed(1)), maxAbsErr: r.check.maxAbsErr, maxRelErr: r.check.maxRelErr },
            derived: { ...id.derived, ...peakDerived(peak) },
          },
          gflops,
          checkOf(r.check),
        ),
      );
    } catch (err) {
      const reason = (err as Error).message;
      ctx.record(failedRecord(id, reason));
      rows.push({ ...base, gflops: null, pctPeak: null, maxRelErr: null, spread: null, note: reason });
    }
  }
  const best = records.reduce<(typeof records)[number] | null>((a, b) => (!a || b.row.gflops! > a.row.gflops! ? b : a), null);
  let winner: Winner | null = null;
  if (best) {
    best.row.winner = true;
    const algoId = ctx.native.convAlgos(shape).find((a) => a.name === best.row.algo)!.id;
    winner = { params, shape, flops, algoId, row: best.row, selection: best.gflops, cached: cached !== undefined, peak, pool, failed: null, confirmed: [] };
    // The fastest of a subset --algo named is not the layer's winner.
    if (plan.cache && !cached && !plan.algos) storeWinner(plan.cache, threads, dtype, shape, { algo: best.row.algo, gflops: best.row.gflops!, measuredAt: new Date().toISOString() });
  }
  // A cached winner that no longer passes its check (or runs) is not kept: the next run times them all.
  if (cached && !best) forgetWinner(plan.cache!, threads, dtype, shape);
  for (const r of rows) out.rows.push(r);
  return winner;
}

/** A layer's fastest algorithm, chosen in the selection pass, and what its later passes measured. */
interface Winner {
  params: Record<string, ParamValue>;
  shape: NativeConvShape;
  flops: number;
  algoId: number;
  row: ConvRow;
  /** GFLOP/s of the selection pass's samples. */
  selection: number[];
  cached: boolean;
  peak: DtypePeak | null;
  pool: NativeHandle;
  /** Why a later pass could not time it (a wrong answer, an error); null while it could. */
  failed: { reason: string; check?: Check } | null;
  /** GFLOP/s of the later passes' samples. */
  confirmed: number[];
}

/**
 * Times each winner again, its samples spread over later passes over every layer (src/passes.ts):
 * its headline figure then holds no sample from the pass that chose it (the fastest of
 * several close algorithms reads high in the samples that made it fastest) and none
 * from a single stretch of the run.
 */
async function confirmWinners(ctx: ConvContext, plan: ConvPlan, winners: readonly Winner[], shares: readonly number[]): Promise<void> {
  for (const [pass, samples] of shares.entries()) {
    for (const w of winners) {
      if (w.failed) continue;
      const { layer, n, dtype, threads, algo } = w.row;
      ctx.progress.update(`conv ${plan.net}: ${layer.name}, batch ${n}, ${dtype}, ${algo}, ${threads} thread${threads > 1 ? "s" : ""} (winner, pass ${pass + 2}/${shares.length + 1})`);
      try {
        const r = await ctx.native.convMeasure({ ...w.shape, dtype, algo: w.algoId, ...EPILOGUE, seed: ctx.suite.seed, samples, minSampleNs: ctx.suite.minSampleNs, pool: w.pool });
        if (!r.check.passed) {
          w.failed = { reason: `wrong answer in a later pass: max relative error ${r.check.maxRelErr.toExponential(2)} exceeds the bound ${r.check.bound.toExponential(2)}`, check: checkOf(r.check) };
          continue;
        }
        for (const s of r.samples) w.confirmed.push((w.flops * s.calls) / s.ns);
      } catch (err) {
        w.failed = { reason: (err as Error).message };
      }
    }
  }
}

function recordWinner(ctx: ConvContext, w: Winner, laterPasses: number): void {
  const id: RecordId = {
    suite: "conv",
    name: "conv.winner",
    impl: "armbench",
    params: { ...w.params, algo: w.row.algo, pctPeak: w.row.pctPeak === null ? null : Number(w.row.pctPeak.toFixed(1)) },
    unit: "GFLOP/s",
    derived: {
      algoSource: (w.cached ? "cache" : "measured") satisfies AlgoSource,
      fromFastRunCache: w.cached,
      defaultAlgo: defaultConvAlgo(w.shape, w.row.dtype),
      passes: laterPasses + 1,
      ...peakDerived(w.peak),
    },
  };
  if (w.failed) {
    ctx.record(failedRecord(id, w.failed.reason, w.failed.check));
    return;
  }
  const samples = laterPasses > 0 ? w.confirmed : w.selection;
  const choice = w.cached ? "the fast-run cache's choice, checked and timed again" : "fastest checked algorithm for this layer";
  const pctPeak = w.peak ? (100 * median(samples)) / w.peak.gflops : null;
  ctx.record(
    okRecord(
      { ...id, params: { ...id.params, pctPeak: pctPeak === null ? null : Number(pctPeak.toFixed(1)) } },
      samples,
      { method: laterPasses > 0 ? `${choice}, its answer checked again and its samples taken in ${laterPasses} later pass${laterPasses > 1 ? "es" : ""}` : choice, passed: true },
    ),
  );
}

export async function runConvPlan(ctx: ConvContext, plan: ConvPlan): Promise<ConvSummary> {
  const out: ConvSummary = { fromCache: 0, rows: [], peaks: [] };
  for (const dtype of plan.dtypes) {
    for (const t of plan.threads) {
      ctx.progress.update(`conv: the ${dtype} peak on ${t} thread${t > 1 ? "s" : ""}`);
      const peak = await ctx.peaks.get(dtype, ctx.cpus.slice(0, t));
      out.peaks.push({ dtype, threads: t, peak });
      if (!peak) ctx.warn(`conv ${dtype}: no ${dtype} instruction form runs on this CPU, so % of peak is not given.`);
    }
  }
  // The dtypes of one layer are measured one after the other, so their ratio is taken
  // under the same machine conditions.
  const winners: Winner[] = [];
  for (const t of plan.threads) {
    const pool = ctx.native.gemmPool(ctx.cpus.slice(0, t));
    for (const n of plan.batches) {
      for (const l of plan.layers) {
        for (const dtype of plan.dtypes) {
          const peak = out.peaks.find((p) => p.dtype === dtype && p.threads === t)?.peak ?? null;
          const w = await measureLayer(ctx, plan, l, n, dtype, t, pool, peak, out);
          if (w) winners.push(w);
        }
      }
    }
  }
  const later = ctx.suite.passes > 1 ? sampleShares(ctx.suite.samples, ctx.suite.passes - 1) : [];
  await confirmWinners(ctx, plan, winners, later);
  for (const w of winners) recordWinner(ctx, w, later.length);
  if (plan.cache?.changed) saveCache(plan.cache);
  return out;
}
