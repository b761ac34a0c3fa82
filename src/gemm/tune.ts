/**
 * Which of our GEMM kernels runs, with which blocking (mc, kc, nc), per dtype and thread
 * count: measured on this machine on first use and cached (src/cache/store.ts's policy),
 * unless the user forces a kernel or blocking or turns tuning off. The kernel's own
 * blocking comes from the cache sizes (gemm_driver.cc); the candidates are that and its
 * neighbours (half the mc, twice the kc, both, and the other kernels of the dtype), since
 * the best block in one L2 of one core is not the best in another's. Every candidate's
 * answer is checked before it is timed, so a tuned run gives answers of the same bound.
 */
import { z } from "zod";

import { cacheFile, cacheLookup, cacheScope, cacheStore, loadKeyedCache, saveKeyedCache, type KeyedCache } from "../cache/store.js";
import { UserError } from "../errors.js";
import type { Native, NativeGemmKernel, NativeHandle } from "../native.js";
import type { Env } from "../results/schema.js";
import { median } from "../stats.js";
import { flops, type GemmDtype } from "./cases.js";

export interface Blocking {
  mc: number;
  kc: number;
  nc: number;
}

/** Where a choice came from. */
export type TuneSource = "default" | "forced" | "cache" | "measured";

/** One dtype and thread count's choice, as the table above gemm's results shows it. */
export interface TunedChoice {
  dtype: GemmDtype;
  threads: number;
  kernel: string;
  blocking: Blocking;
  source: TuneSource;
}

export interface GemmChoice {
  kernel: NativeGemmKernel;
  blocking: Blocking;
  source: TuneSource;
}

/** What the user asked for: --kernel, --blocking, --no-tune (or ARMBENCH_TUNE=off). */
export interface TuneRequest {
  kernel: string | null;
  blocking: Blocking | null;
  off: boolean;
}

/** The size the candidates are timed on: the square every sgemm goal names is 1024; 768 keeps tuning to a second or two. */
export const TUNE_SIZE = 768;
const TUNE_ROUNDS = 2;
const TUNE_SAMPLES = 3;
const TUNE_MIN_SAMPLE_NS = 20e6;

const Entry = z.object({
  kernel: z.string().min(1),
  blocking: z.object({ mc: z.number().int().positive(), kc: z.number().int().positive(), nc: z.number().int().positive() }),
  gflops: z.number().positive(),
  candidates: z.number().int().positive(),
  measuredAt: z.string(),
});
export type TuneEntry = z.infer<typeof Entry>;
export type TuneCache = KeyedCache<TuneEntry>;

const ITEM = `square${TUNE_SIZE}`;

export function defaultTuneCacheFile(): string {
  return cacheFile("gemm-tune.json");
}

/** Reads the cache, keeping entries of this machine and build whose kernel this build has, for that dtype. */
export function loadTuneCache(file: string, env: Env, kernels: readonly NativeGemmKernel[], warn: (message: string) => void): TuneCache {
  return loadKeyedCache(
    file,
    {
      kind: "gemm-tune",
      value: Entry,
      check: (v, e) => {
        const k = kernels.find((x) => x.name === v.kernel);
        if (!k) return { field: "value.kernel", message: `unknown kernel "${v.kernel}"` };
        if (k.dtype !== e.dtype) return { field: "value.kernel", message: `"${v.kernel}" computes ${k.dtype}, not ${e.dtype}` };
        if (k.unsupported) return { field: "value.kernel", message: `"${v.kernel}" does not run here (${k.unsupported})` };
        return null;
      },
    },
    cacheScope(env),
    warn,
  );
}

/** "504,512,4096" -> { mc, kc, nc }; one sentence naming what was wrong otherwise. */
export function parseBlocking(text: string): Blocking {
  const parts = text.split(",").map((s) => s.trim());
  const v = parts.map(Number);
  if (parts.length !== 3 || !v.every((x) => Number.isInteger(x) && x > 0 && x <= 1 << 20)) {
    throw new UserError(`--blocking takes MC,KC,NC: three whole numbers from 1 to ${1 << 20}, got "${text}".`);
  }
  return { mc: v[0]!, kc: v[1]!, nc: v[2]! };
}

/** Whether tuning is off: --no-tune, or ARMBENCH_TUNE=off in the environment. */
export function tuneOff(noTune: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return noTune || env.ARMBENCH_TUNE === "off";
}

/** The kernels that may run `dtype` here: every supported one but the portable reference, which stands in only when nothing else runs. */
export function dtypeKernels(kernels: readonly NativeGemmKernel[], dtype: GemmDtype): NativeGemmKernel[] {
  const ok = kernels.filter((k) => k.dtype === dtype && !k.unsupported);
  const fast = ok.filter((k) => k.isa !== "ref");
  return fast.length > 0 ? fast : ok;
}

/** The A type of this machine's int8 cases: that of our default int8 kernel, for every kernel and peer. */
export function int8AType(kernels: readonly NativeGemmKernel[]): "u8" | "s8" {
  return kernels.find((k) => k.dtype === "int8" && k.isDefault)?.aType ?? "s8";
}

/** --kernel NAME checked against this build: a name it lacks or that does not run here is one sentence. */
export function forcedKernel(kernels: readonly NativeGemmKernel[], name: string): NativeGemmKernel {
  const k = kernels.find((x) => x.name === name);
  if (!k) throw new UserError(`--kernel ${name}: no such kernel in this build (${kernels.map((x) => x.name).join(", ")}).`);
  if (k.unsupported) throw new UserError(`--kernel ${name} does not run on this CPU: ${k.unsupported}.`);
  return k;
}

/** The default kernel's blocking and its neighbours, for each kernel of the dtype. */
export function candidates(kernels: readonly NativeGemmKernel[]): { kernel: NativeGemmKernel; blocking: Blocking }[] {
  const out: { kernel: NativeGemmKernel; blocking: Blocking }[] = [];
  for (const kernel of kernels) {
    const d = kernel.blocking;
    const half = Math.max(kernel.mr, Math.floor(d.mc / 2 / kernel.mr) * kernel.mr);
    for (const b of [d, { ...d, mc: half }, { ...d, kc: d.kc * 2 }, { ...d, mc: half, kc: d.kc * 2 }]) {
      if (!out.some((o) => o.kernel === kernel && o.blocking.mc === b.mc && o.blocking.kc === b.kc && o.blocking.nc === b.nc)) out.push({ kernel, blocking: b });
    }
  }
  return out;
}

export interface TuneContext {
  native: Native;
  kernels: readonly NativeGemmKernel[];
  request: TuneRequest;
  cache: TuneCache | null;
  progress(message: string): void;
}

/**
 * The kernel and blocking for `dtype` on `threads` threads: forced parts as given (the rest
 * from the kernel's default), the default with tuning off or a kernel forced for the other
 * dtype, else the cached winner, else
 * the fastest checked candidate, timed here in rounds (each candidate's samples spread
 * over the rounds) and stored. null when the build has no kernel for the dtype.
 */
export async function chooseGemm(ctx: TuneContext, dtype: GemmDtype, threads: number, pool: NativeHandle): Promise<GemmChoice | null> {
  const { request } = ctx;
  const own = dtypeKernels(ctx.kernels, dtype);
  const forced = request.kernel !== null ? forcedKernel(ctx.kernels, request.kernel) : null;
  if (forced && forced.dtype === dtype) return { kernel: forced, blocking: request.blocking ?? forced.blocking, source: "forced" };
  const def = own.find((k) => k.isDefault) ?? own[0];
  if (!def) return null;
  if (request.blocking) return { kernel: def, blocking: request.blocking, source: "forced" };
  // A kernel forced for the other dtype: this one runs its defaults, so a forced run times nothing.
  if (request.off || request.kernel !== null) return { kernel: def, blocking: def.blocking, source: "default" };
  const hit = ctx.cache ? cacheLookup(ctx.cache, threads, dtype, ITEM) : undefined;
  if (hit) return { kernel: own.find((k) => k.name === hit.kernel) ?? def, blocking: hit.blocking, source: "cache" };

  const cands = candidates(own);
  const rates: number[][] = cands.map(() => []);
  // A candidate whose answer fails its check in any round is never chosen.
  const failed = new Set<number>();
  const n = TUNE_SIZE;
  const work = flops({ m: n, n, k: n });
  const aType = dtype === "int8" ? { aType: int8AType(ctx.kernels) } : {};
  for (let round = 0; round < TUNE_ROUNDS; round++) {
    for (const [i, c] of cands.entries()) {
      if (failed.has(i)) continue;
      ctx.progress(`gemm: tuning ${dtype} on ${threads} thread${threads > 1 ? "s" : ""}: ${c.kernel.name} mc=${c.blocking.mc} kc=${c.blocking.kc} nc=${c.blocking.nc} (${i + 1}/${cands.length}, round ${round + 1}/${TUNE_ROUNDS})`);
      const r = await ctx.native.gemmMeasure({ dtype, kernel: c.kernel.index, ...aType, blocking: c.blocking, pool, m: n, n, k: n, transA: 0, transB: 0, warm: 0, seed: 1, samples: TUNE_SAMPLES, minSampleNs: TUNE_MIN_SAMPLE_NS });
      if (!r.check.passed) failed.add(i);
      else rates[i]!.push(...r.samples.map((s) => (work * s.calls) / s.ns));
    }
  }
  let best = -1;
  let bestRate = 0;
  rates.forEach((r, i) => {
    const m = r.length > 0 && !failed.has(i) ? median(r) : 0;
    if (m > bestRate) {
      bestRate = m;
      best = i;
    }
  });
  if (best < 0) return { kernel: def, blocking: def.blocking, source: "default" };
  const win = cands[best]!;
  if (ctx.cache) {
    cacheStore(ctx.cache, threads, dtype, ITEM, { kernel: win.kernel.name, blocking: win.blocking, gflops: bestRate, candidates: cands.length, measuredAt: new Date().toISOString() });
  }
  return { kernel: win.kernel, blocking: win.blocking, source: "measured" };
}

export function saveTuneCache(cache: TuneCache | null): void {
  if (cache && cache.changed) saveKeyedCache(cache);
}
