/**
 * The fast-run cache: the fastest algorithm measured for a layer shape on this machine
 * and build, per thread count and dtype, reused by later runs (and by the model runner)
 * instead of timing every algorithm again. It follows the policy of src/cache/store.ts.
 */
import { z } from "zod";

import { cacheFile, cacheForget, cacheLookup, cacheScope, cacheStore, loadKeyedCache, saveKeyedCache, type KeyedCache } from "../cache/store.js";
import type { Native, NativeConvShape } from "../native.js";
import type { Env } from "../results/schema.js";

const CacheEntry = z.object({
  algo: z.string().min(1),
  gflops: z.number().positive(),
  measuredAt: z.string(),
});
export type CacheEntry = z.infer<typeof CacheEntry>;

export type FastRunCache = KeyedCache<CacheEntry>;

/** Where a conv's algorithm came from: a cached measurement, this run's measurement, or the rules of heuristic.ts. */
export type AlgoSource = "cache" | "measured" | "default-rules";

/** The reference is the oracle, never an answer to "which algorithm". */
const ORACLE = "reference";

export function defaultCacheFile(): string {
  return cacheFile("conv-fast-run.json");
}

export function shapeKey(s: NativeConvShape): string {
  return [s.n, s.c, s.h, s.w, s.k, s.r, s.s, s.stride, s.pad, s.groups].join("x");
}

export function parseShapeKey(item: string): NativeConvShape | null {
  const v = item.split("x").map(Number);
  if (v.length !== 10 || !v.every((x) => Number.isInteger(x) && x >= 0 && x <= 1 << 20)) return null;
  const [n, c, h, w, k, r, s, stride, pad, groups] = v as [number, number, number, number, number, number, number, number, number, number];
  return { n, c, h, w, k, r, s, stride, pad, groups };
}

/**
 * Reads the cache, keeping only entries of this machine and build whose algorithm this
 * addon runs for that shape (a name from another build, or "reference", would reach
 * the addon as an internal error or time the oracle).
 */
export function loadCache(file: string, env: Env, native: Pick<Native, "convAlgos">, warn: (message: string) => void): FastRunCache {
  return loadKeyedCache(
    file,
    {
      kind: "conv-fast-run",
      value: CacheEntry,
      check: (v, e) => {
        const shape = parseShapeKey(e.item);
        if (!shape) return { field: "item", message: `"${e.item}" is not a layer shape` };
        let algos: ReturnType<Native["convAlgos"]>;
        try {
          algos = native.convAlgos(shape);
        } catch (err) {
          return { field: "item", message: (err as Error).message };
        }
        const known = algos.find((a) => a.name === v.algo && a.name !== ORACLE);
        if (!known) return { field: "value.algo", message: `unknown algorithm "${v.algo}"` };
        if (known.unsupported !== null) return { field: "value.algo", message: `"${v.algo}" does not run this shape (${known.unsupported})` };
        return null;
      },
    },
    cacheScope(env),
    warn,
  );
}

export function cachedWinner(cache: FastRunCache, threads: number, dtype: string, s: NativeConvShape): CacheEntry | undefined {
  return cacheLookup(cache, threads, dtype, shapeKey(s));
}

export function storeWinner(cache: FastRunCache, threads: number, dtype: string, s: NativeConvShape, entry: CacheEntry): void {
  cacheStore(cache, threads, dtype, shapeKey(s), entry);
}

export function forgetWinner(cache: FastRunCache, threads: number, dtype: string, s: NativeConvShape): void {
  cacheForget(cache, threads, dtype, shapeKey(s));
}

export function saveCache(cache: FastRunCache): void {
  saveKeyedCache(cache);
}
