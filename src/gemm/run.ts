/**
 * `armbench gemm`: our sgemm/sbgemm/int8 GEMM and every peer library present, case by
 * case, each answer checked before it is timed, GFLOP/s (GOP/s for int8) and % of the
 * measured peak.
 */
import type { Native, NativeGemmCheck, NativeGemmKernel, NativeHandle } from "../native.js";
import type { Progress } from "../progress.js";
import { failedRecord, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import type { Check, Env, ResultRecord } from "../results/schema.js";
import { peakDerived, unitOf, type DtypePeak, type PeakBook } from "../micro/peak-book.js";
import { sampleShares } from "../passes.js";
import { median, relativeSpread, summarize } from "../stats.js";
import type { GemmSuite } from "../suites.js";
import { flops, type GemmCase, type GemmDtype } from "./cases.js";
import { allPeerEnv, formatEnv, narrowerOverride, peerChoiceWarnings, peerVariants, runPeer, type PeerRunKind, type PeerVariant } from "./peers.js";
import type { PeerJob } from "./peer-child.js";
import { chooseGemm, int8AType, type Blocking, type TuneCache, type TunedChoice, type TuneRequest } from "./tune.js";

export interface GemmContext {
  native: Native;
  suite: GemmSuite;
  env: Env;
  record(r: ResultRecord): void;
  progress: Progress;
  cpus: number[];
  warn(message: string): void;
  /** The one peak per dtype and thread count every % of peak is against. */
  peaks: PeakBook;
  /** The environment peers are configured from; process.env when absent. */
  processEnv?: NodeJS.ProcessEnv;
  /** --kernel, --blocking, --no-tune and the tuning cache (null: none read or written); tuning off when absent. */
  tune?: { request: TuneRequest; cache: TuneCache | null };
  /** Filled with each dtype and thread count's choice, for the table. */
  tuned?: TunedChoice[];
}

export interface GemmPlan {
  cases: GemmCase[];
  dtypes: GemmDtype[];
  threads: number[];
  peers: string[];
  peerPaths: Record<string, string>;
  warm: boolean;
}

export interface GemmRow {
  case: GemmCase;
  dtype: GemmDtype;
  threads: number;
  impl: string;
  /** Kernel or peer variant, e.g. "f32_avx512_12x32", "openblas:Haswell". */
  kernel: string;
  /** How a peer's process was configured; null for ours. */
  run: PeerRunKind | null;
  /** The variables that configured it ("OPENBLAS_CORETYPE=Haswell"), null when none. */
  peerEnv: string | null;
  /** GFLOP/s, or GOP/s for int8. */
  gflops: number | null;
  pctPeak: number | null;
  spread: number | null;
  /** Why there is no figure. */
  note: string | null;
}

export interface GemmSummary {
  rows: GemmRow[];
  peaks: { dtype: GemmDtype; threads: number; peak: DtypePeak | null }[];
  peerInfo: { name: string; library: string; variant: string; run: PeerRunKind; peerEnv: string | null; version: string }[];
}

const CHECK_METHOD = "sampled C entries vs a double-accumulated reference; bound (k+2)*2^-24 of sum|ab| (x2 for bf16), C not mostly zero";
const INT8_CHECK_METHOD = "sampled C entries vs an int64 reference, every one equal; operands over the whole 8-bit range; C not mostly zero";

function checkOf(c: NativeGemmCheck, dtype: GemmDtype): Check {
  return {
    method: dtype === "int8" ? INT8_CHECK_METHOD : CHECK_METHOD,
    passed: c.passed,
    checked: c.checked,
    maxRelErr: c.maxRelErr,
    maxAbsErr: c.maxAbsErr,
    bound: c.bound,
    zeroFraction: c.zeroFraction,
    bf16Drift: c.bf16Drift,
  };
}

function failure(c: NativeGemmCheck): string {
  if (c.zeroFraction >= 0.5) return `C is ${(c.zeroFraction * 100).toFixed(0)} % zeros: the result proves nothing`;
  if (c.bound === 0) return `wrong answer: C differs from the exact integer result by up to ${c.maxAbsErr}`;
  return `wrong answer: max relative error ${c.maxRelErr.toExponential(2)} exceeds the bound ${c.bound.toExponential(2)}`;
}

interface Measured {
  check: NativeGemmCheck;
  samples: { ns: number; calls: number }[];
}

/** Records one measured case and returns its table row. */
function recordCase(
  ctx: GemmContext,
  id: RecordId,
  row: Omit<GemmRow, "gflops" | "pctPeak" | "spread" | "note">,
  r: Measured,
  peak: DtypePeak | null,
): GemmRow {
  if (!r.check.passed) {
    const reason = failure(r.check);
    ctx.record(failedRecord(id, reason, checkOf(r.check, row.dtype)));
    return { ...row, gflops: null, pctPeak: null, spread: null, note: reason };
  }
  const work = flops(row.case);
  const gflops = r.samples.map((s) => (work * s.calls) / s.ns);
  const g = median(gflops);
  const pctPeak = peak ? (100 * g) / peak.gflops : null;
  const rec = okRecord(
    {
      ...id,
      params: { ...id.params, pctPeak: pctPeak === null ? null : Number(pctPeak.toFixed(1)) },
      derived: {
        ...id.derived,
        ...peakDerived(peak),
        // How the fp32 operands became bf16 inputs (armbench_f32_to_bf16_array).
        ...(row.dtype === "bf16" ? { bf16Rounding: "rne" } : {}),
      },
    },
    gflops,
    checkOf(r.check, row.dtype),
  );
  ctx.record(rec);
  return { ...row, gflops: rec.median, pctPeak, spread: relativeSpread(summarize(gflops)), note: null };
}

/** One sentence for a native failure, naming the case. */
function describeError(err: unknown, c: GemmCase, dtype: GemmDtype): string {
  const m = (err as Error).message;
  if (/not enough memory/.test(m)) return `${c.m}x${c.n}x${c.k} ${dtype} does not fit in the memory available`;
  return `${c.m}x${c.n}x${c.k} ${dtype}: ${m}`;
}

function baseParams(c: GemmCase, dtype: GemmDtype, threads: number, kernel: string, warm: boolean) {
  return { m: c.m, n: c.n, k: c.k, dtype, threads, kernel, set: c.set, shape: c.name, warm };
}

/**
 * What an int8 case's operands are: A of the type this machine's default int8 kernel
 * takes (uint8 for VPDPBUSD, int8 for SDOT and SMMLA), B int8, C int32, for every kernel
 * and peer of the run. Derived, not a parameter: the case is "int8 GEMM" on every
 * machine, each in its native signedness.
 */
const operandsOf = (aType: "u8" | "s8") => `${aType} x s8 -> s32`;

async function measurePeaks(ctx: GemmContext, plan: GemmPlan, out: GemmSummary): Promise<Map<string, DtypePeak | null>> {
  const peaks = new Map<string, DtypePeak | null>();
  for (const dtype of plan.dtypes) {
    for (const t of plan.threads) {
      ctx.progress.update(`gemm: the ${dtype} peak on ${t} thread${t > 1 ? "s" : ""}`);
      const peak = await ctx.peaks.get(dtype, ctx.cpus.slice(0, t));
      peaks.set(`${dtype}/${t}`, peak);
      out.peaks.push({ dtype, threads: t, peak });
    }
  }
  return peaks;
}

/** The worse of two checks of one case (each pass checks its answer again): a failure, else the larger error. */
function worseCheck(x: NativeGemmCheck, y: NativeGemmCheck): NativeGemmCheck {
  if (x.passed !== y.passed) return x.passed ? y : x;
  return y.maxRelErr > x.maxRelErr ? y : x;
}

/**
 * Our kernels on every case, the samples taken in the suite's passes over the case list
 * (src/passes.ts) and pooled per case; each pass checks its answer again, and a case whose
 * check fails or that throws is recorded then and not timed in later passes.
 */
async function runOurs(
  ctx: GemmContext,
  plan: GemmPlan,
  peaks: Map<string, DtypePeak | null>,
  kernels: readonly NativeGemmKernel[],
  aType: "u8" | "s8",
  out: GemmSummary,
): Promise<void> {
  const pools = new Map<number, NativeHandle>();
  const pool = (t: number) => {
    if (!pools.has(t)) pools.set(t, ctx.native.gemmPool(ctx.cpus.slice(0, t)));
    return pools.get(t)!;
  };
  const shares = sampleShares(ctx.suite.samples, ctx.suite.passes);
  type Slot = { id: RecordId; row: Omit<GemmRow, "gflops" | "pctPeak" | "spread" | "note">; kernel: number; aType: "u8" | "s8" | undefined; blocking: Blocking; measured: Measured | null; done: boolean };
  const slots: Slot[] = [];
  const request: TuneRequest = ctx.tune?.request ?? { kernel: null, blocking: null, off: true };
  const tuneCtx = { native: ctx.native, kernels, request, cache: ctx.tune?.cache ?? null, progress: (m: string) => ctx.progress.update(m) };
  for (const dtype of plan.dtypes) {
    for (const t of plan.threads) {
      const choice = await chooseGemm(tuneCtx, dtype, t, pool(t));
      if (!choice) {
        if (t === plan.threads[0]) ctx.warn(`gemm ${dtype}: this build has no ${dtype} kernel at all.`);
        continue;
      }
      const k: NativeGemmKernel = choice.kernel;
      if (k.isa === "ref" && t === plan.threads[0]) {
        ctx.warn(`gemm ${dtype}: this CPU has no ${dtype} ${dtype === "int8" ? "dot-product" : "matrix"} instructions, so armbench runs the portable reference kernel (${k.name}); expect a small fraction of peak.`);
      }
      const b = choice.blocking;
      ctx.tuned?.push({ dtype, threads: t, kernel: k.name, blocking: b, source: choice.source });
      for (const c of plan.cases) {
        // The registry kernel, or what stands in for it at this shape (GEMV, narrow n); the
        // int8 driver has no stand-ins.
        const ran = (dtype !== "int8" && ctx.native.gemmPath({ kernel: k.index, m: c.m, n: c.n, k: c.k, transA: 0, transB: 0 })) || k.name;
        const derived = { passes: shares.length, blocking: `${b.mc},${b.kc},${b.nc}`, tuning: choice.source, ...(dtype === "int8" ? { operands: operandsOf(aType) } : {}) };
        const id: RecordId = { suite: "gemm", name: "gemm", impl: "armbench", params: baseParams(c, dtype, t, ran, plan.warm), unit: unitOf(dtype), derived };
        slots.push({ id, row: { case: c, dtype, threads: t, impl: "armbench", kernel: ran, run: null, peerEnv: null }, kernel: k.index, aType: dtype === "int8" ? aType : undefined, blocking: b, measured: null, done: false });
      }
    }
  }
  for (const [pass, samples] of shares.entries()) {
    for (const slot of slots) {
      if (slot.done) continue;
      const { case: c, dtype, threads: t } = slot.row;
      const passText = shares.length > 1 ? ` (pass ${pass + 1}/${shares.length})` : "";
      ctx.progress.update(`gemm: armbench ${dtype} ${c.name} (${c.m}x${c.n}x${c.k}), ${t} thread${t > 1 ? "s" : ""}${passText}`);
      try {
        const r = await ctx.native.gemmMeasure({
          dtype, kernel: slot.kernel, ...(slot.aType ? { aType: slot.aType } : {}), blocking: slot.blocking, pool: pool(t), m: c.m, n: c.n, k: c.k, transA: 0, transB: 0,
          warm: plan.warm ? 1 : 0, seed: ctx.suite.seed, samples, minSampleNs: ctx.suite.minSampleNs,
        });
        const check = slot.measured ? worseCheck(slot.measured.check, r.check) : r.check;
        slot.measured = { check, samples: [...(slot.measured?.samples ?? []), ...(r.check.passed ? r.samples : [])] };
        // A wrong answer in any pass is the case's answer: recorded now, not timed again.
        if (!check.passed || pass === shares.length - 1) {
          out.rows.push(recordCase(ctx, slot.id, slot.row, slot.measured, peaks.get(`${dtype}/${t}`) ?? null));
          slot.done = true;
        }
      } catch (err) {
        const reason = describeError(err, c, dtype);
        ctx.record(failedRecord(slot.id, reason));
        out.rows.push({ ...slot.row, gflops: null, pctPeak: null, spread: null, note: reason });
        slot.done = true;
      }
    }
  }
}

/** What one run of a peer told about its kernel choice: the variant, why it did not run, or null when the library is not there. */
type PeerOutcome = { variant: string } | { failed: string } | null;

async function runOnePeer(
  ctx: GemmContext,
  plan: GemmPlan,
  peaks: Map<string, DtypePeak | null>,
  peer: string,
  pv: PeerVariant,
  /** What A holds in this run's int8 cases (int8AType). */
  aType: "u8" | "s8",
  out: GemmSummary,
): Promise<PeerOutcome> {
  const jobs: { c: GemmCase; dtype: GemmDtype; threads: number }[] = [];
  for (const dtype of plan.dtypes) for (const c of plan.cases) for (const threads of plan.threads) jobs.push({ c, dtype, threads });
  const job: PeerJob = {
    peer,
    ...(plan.peerPaths[peer] ? { path: plan.peerPaths[peer] } : {}),
    cases: jobs.map((j) => ({
      dtype: j.dtype,
      ...(j.dtype === "int8" ? { aType } : {}),
      threads: j.threads,
      cpus: ctx.cpus.slice(0, j.threads),
      m: j.c.m,
      n: j.c.n,
      k: j.c.k,
      transA: 0,
      transB: 0,
      warm: plan.warm ? 1 : 0,
      seed: ctx.suite.seed,
      samples: ctx.suite.samples,
      minSampleNs: ctx.suite.minSampleNs,
    })),
  };
  const parentEnv = ctx.processEnv ?? process.env;
  const shown = formatEnv(pv.env) || null;
  const runName = pv.run.replace("-", " ");
  let done = 0;
  const run = await runPeer(
    job,
    pv,
    (e) => {
      if (e.type !== "open") ctx.progress.update(`gemm: ${peer} ${runName}${shown ? ` (${shown})` : ""} case ${++done}/${jobs.length}`);
    },
    parentEnv,
  );
  // The configured variables are what was asked for, so they are part of the case; a
  // forced value is chosen from this CPU's features, like the kernel, so it is not.
  const runParams = { run: pv.run, ...(pv.run === "as-configured" ? { peerEnv: formatEnv(pv.env) } : {}) };
  const derived = {
    // What the child itself saw, so a record cannot claim an environment the library never read.
    peerEnv: formatEnv(run.open?.env ?? pv.env),
    clearedEnv: pv.run === "as-configured" ? "" : formatEnv(allPeerEnv(parentEnv)),
    // Which build of the library ran: compare treats an unchanged one on the same machine as a control.
    ...(run.open?.ok ? { library: run.open.library, version: run.open.version } : {}),
  };
  const idFor = (j: (typeof jobs)[number], variant: string): RecordId => ({
    suite: "gemm",
    name: "gemm",
    impl: peer,
    params: { ...baseParams(j.c, j.dtype, j.threads, `${peer}:${variant || "?"}`, plan.warm), ...runParams },
    unit: unitOf(j.dtype),
    derived: j.dtype === "int8" ? { ...derived, operands: operandsOf(aType) } : derived,
  });
  const rowBase = { impl: peer, run: pv.run, peerEnv: shown };
  const all: GemmCase = { set: "-", name: "(every case)", m: 0, n: 0, k: 0 };
  if (!run.open || !run.open.ok) {
    const reason = run.open && !run.open.ok ? run.open.reason : (run.died ?? `${peer} did not start`);
    ctx.record(unavailableRecord({ suite: "gemm", name: "gemm", impl: peer, params: runParams, unit: "GFLOP/s", derived }, reason));
    // One row stands for every case the peer could not run.
    out.rows.push({ ...rowBase, case: all, dtype: plan.dtypes.join("+") as GemmDtype, threads: 0, kernel: peer, gflops: null, pctPeak: null, spread: null, note: reason });
    // A library that is not there is missing in every environment; one that died may live in another.
    return run.open ? null : { failed: reason };
  }
  const variant = run.open.variant;
  out.peerInfo.push({ name: peer, library: run.open.library, variant, run: pv.run, peerEnv: shown, version: run.open.version });
  if (run.results.size === 0 && run.died) {
    ctx.record(unavailableRecord({ suite: "gemm", name: "gemm", impl: peer, params: { kernel: `${peer}:${variant}`, ...runParams }, unit: "GFLOP/s", derived }, run.died));
    out.rows.push({ ...rowBase, case: all, dtype: plan.dtypes.join("+") as GemmDtype, threads: 0, kernel: `${peer}:${variant}`, gflops: null, pctPeak: null, spread: null, note: run.died });
    return { variant };
  }
  jobs.forEach((j, index) => {
    const id = idFor(j, variant);
    const row = { ...rowBase, case: j.c, dtype: j.dtype, threads: j.threads, kernel: `${peer}:${variant}` };
    const e = run.results.get(index);
    if (!e || e.type === "error") {
      const reason = e?.message ?? run.died ?? "no result";
      if (e?.type === "error" && e.unsupported) ctx.record(unavailableRecord(id, reason));
      else ctx.record(failedRecord(id, reason));
      out.rows.push({ ...row, gflops: null, pctPeak: null, spread: null, note: reason });
      return;
    }
    out.rows.push(recordCase(ctx, id, row, e, peaks.get(`${j.dtype}/${j.threads}`) ?? null));
  });
  return { variant };
}

/**
 * Every run of one peer: as detected (its variables cleared), as configured when the
 * environment sets any it reads, and forced when its own detection chose kernels
 * narrower than the CPU offers.
 */
async function runPeerVariants(ctx: GemmContext, plan: GemmPlan, peaks: Map<string, DtypePeak | null>, peer: string, aType: "u8" | "s8", out: GemmSummary): Promise<void> {
  const [detectedRun, configuredRun] = peerVariants(peer, ctx.processEnv ?? process.env);
  const detected = await runOnePeer(ctx, plan, peaks, peer, detectedRun!, aType, out);
  if (detected === null) return;
  const configured = configuredRun ? await runOnePeer(ctx, plan, peaks, peer, configuredRun, aType, out) : null;
  const override = ctx.suite.overrides[peer];
  const features = ctx.env.isa.features;
  for (const w of peerChoiceWarnings({
    peer,
    cpu: ctx.env.cpu.microarch.name && ctx.env.cpu.microarch.name !== "unknown" ? ctx.env.cpu.microarch.name : "CPU",
    override,
    features,
    detected,
    configured: configuredRun && configured && "variant" in configured ? { variant: configured.variant, env: configuredRun.env } : null,
  })) {
    ctx.warn(w);
  }
  const forced = "variant" in detected ? narrowerOverride(override, detected.variant, features) : null;
  if (forced) await runOnePeer(ctx, plan, peaks, peer, { run: "forced", env: forced }, aType, out);
}

export async function runGemmPlan(ctx: GemmContext, plan: GemmPlan): Promise<GemmSummary> {
  const out: GemmSummary = { rows: [], peaks: [], peerInfo: [] };
  const peaks = await measurePeaks(ctx, plan, out);
  // One kernel list, and one A type for every int8 case of the run, ours and the peers'.
  const kernels = ctx.native.gemmKernels();
  const aType = int8AType(kernels);
  await runOurs(ctx, plan, peaks, kernels, aType, out);
  for (const peer of plan.peers) await runPeerVariants(ctx, plan, peaks, peer, aType, out);
  return out;
}
