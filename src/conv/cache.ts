/**
 * The fast-run cache: the fastest algorithm measured for a layer shape on this
 * machine, keyed by CPU model, ISA features, threads, dtype and shape, reused by later
 * runs (and by the model runner) instead of timing every algorithm again.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { armbenchCacheDir } from "../cache-dir.js";
import type { NativeConvShape } from "../native.js";
import type { Env } from "../results/schema.js";

export interface CacheEntry {
  algo: string;
  gflops: number;
  measuredAt: string;
}

export interface FastRunCache {
  file: string;
  entries: Record<string, CacheEntry>;
}

export function defaultCacheFile(): string {
  return path.join(armbenchCacheDir(), "conv-fast-run.json");
}

export function cacheKey(env: Env, threads: number, dtype: string, s: NativeConvShape): string {
  const isa = Object.entries(env.isa.features).filter(([, on]) => on).map(([f]) => f).sort().join(",");
  const shape = [s.n, s.c, s.h, s.w, s.k, s.r, s.s, s.stride, s.pad, s.groups].join("x");
  return `${env.cpu.model}|${env.isa.arch}:${isa}|t${threads}|${dtype}|${shape}`;
}

/** A missing or unreadable cache is an empty one: it only ever saves time. */
export function loadCache(file: string): FastRunCache {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { entries?: Record<string, CacheEntry> };
    return { file, entries: data.entries ?? {} };
  } catch {
    return { file, entries: {} };
  }
}

export function saveCache(cache: FastRunCache): void {
  mkdirSync(path.dirname(cache.file), { recursive: true });
  const tmp = `${cache.file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ schema: "armbench-conv-fast-run/1", entries: cache.entries }, null, 1)}\n`);
  renameSync(tmp, cache.file);
}
