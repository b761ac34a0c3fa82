/**
 * The one policy every cache armbench keeps (the fast-run conv winners today, tuned
 * kernel parameters tomorrow) follows:
 *
 * - it lives in armbenchCacheDir() ($ARMBENCH_CACHE_DIR, else $XDG_CACHE_HOME/armbench,
 *   else ~/.cache/armbench);
 * - every entry carries its whole key: CPU model, ISA features, armbench version and
 *   build (compiler, build type, flags, git commit), thread count, dtype and the item it
 *   is about (a layer shape, a GEMM size...). What a measurement on one machine and one
 *   build found says nothing about another, so an entry whose CPU, ISA, version or build
 *   differs from this run's is never used;
 * - the file is untrusted: a malformed file (not JSON, wrong schema, too large) is
 *   treated as empty, an invalid entry is dropped, each with one warning naming the file
 *   and the field, and what they held is measured again; the next save replaces them.
 *   Nothing in a cache file can stop a run;
 * - writes are atomic (a temporary file renamed over the old one), so a run killed
 *   mid-save leaves the previous cache, never half of one.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { writeFileAtomically } from "../atomic-write.js";
import { armbenchCacheDir } from "../cache-dir.js";
import type { Env } from "../results/schema.js";

export { armbenchCacheDir };

const FILE_SCHEMA = "armbench-cache/1";
/** Far above what any cache writes (a conv entry is ~400 bytes); a larger file is not ours. */
export const MAX_CACHE_FILE_BYTES = 8 << 20;

/** What must match for an entry to be used: the machine and the build that measured it. */
export interface CacheScope {
  cpu: string;
  isa: string;
  version: string;
  build: string;
}

/** The scope fields, in the order a mismatch is reported. */
const SCOPE_FIELDS = ["version", "build", "cpu", "isa"] as const;

/** The first scope field in which `there` differs from `here` (in the order a mismatch is reported), or null. */
export function scopeMismatch(there: CacheScope, here: CacheScope): (typeof SCOPE_FIELDS)[number] | null {
  return SCOPE_FIELDS.find((f) => there[f] !== here[f]) ?? null;
}

export function cacheScope(env: Env): CacheScope {
  const isa = Object.entries(env.isa.features).filter(([, on]) => on).map(([f]) => f).sort().join(",");
  const git = env.armbench.git ? `${env.armbench.git.commit}${env.armbench.git.dirty ? "+dirty" : ""}` : "no git commit";
  const b = env.build;
  return {
    cpu: env.cpu.model,
    isa: `${env.isa.arch}:${isa}`,
    version: env.armbench.version,
    build: `${b.compiler} ${b.buildType} [${b.flags}] [${b.isaFlags}] ${git}`,
  };
}

const Entry = z.object({
  cpu: z.string(),
  isa: z.string(),
  version: z.string(),
  build: z.string(),
  threads: z.number().int().positive(),
  dtype: z.string().min(1),
  item: z.string().min(1),
  value: z.unknown(),
});
type Entry = z.infer<typeof Entry>;

const CacheFile = z.object({ schema: z.literal(FILE_SCHEMA), kind: z.string(), entries: z.array(z.unknown()) });

/** A problem a cache's own check finds in an entry: the field (e.g. "value.algo", "item") and why. */
export interface ValueProblem {
  field: string;
  message: string;
}

export interface CacheSpec<V> {
  /** What the file holds (e.g. "conv-fast-run"); a file of another kind is not read. */
  kind: string;
  value: z.ZodType<V>;
  /** Checks a schema can not express (e.g. an algorithm name this build knows for this shape). */
  check?: (value: V, entry: { threads: number; dtype: string; item: string }) => ValueProblem | null;
}

export interface KeyedCache<V> {
  file: string;
  kind: string;
  scope: CacheScope;
  /** The usable entries, by lookupKey(threads, dtype, item). */
  entries: Map<string, V>;
  /** Whether anything was stored since the load (a save is needed). */
  changed: boolean;
}

function lookupKey(threads: number, dtype: string, item: string): string {
  return `t${threads}|${dtype}|${item}`;
}

/**
 * Two values as a warning quotes them: whole when short, else each from a little before
 * where they first differ (a build string runs to 2 kB of compiler flags, and differs
 * in its commit at the end).
 */
export function quoteDifference(a: string, b: string, width = 48): [string, string] {
  if (a.length <= width && b.length <= width) return [a, b];
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const from = Math.max(0, at - 8);
  const cut = (s: string) => `${from > 0 ? "..." : ""}${s.slice(from, from + width)}${from + width < s.length ? "..." : ""}`;
  return [cut(a), cut(b)];
}

function fieldPath(p: readonly PropertyKey[]): string {
  return p.map(String).join(".") || "(root)";
}

/**
 * Reads a cache file: the entries for this scope that pass the value's schema and check.
 * Whatever is ignored is said in one warning naming the file and the first field at
 * fault per reason; a missing file is an empty cache and says nothing.
 */
export function loadKeyedCache<V>(file: string, spec: CacheSpec<V>, scope: CacheScope, warn: (message: string) => void): KeyedCache<V> {
  const cache: KeyedCache<V> = { file, kind: spec.kind, scope, entries: new Map(), changed: false };
  const ignoreFile = (why: string) => {
    warn(`ignored the ${spec.kind} cache ${file}: ${why}; its entries are measured again and the next save replaces it.`);
    return cache;
  };
  let text: string;
  try {
    if (statSync(file).size > MAX_CACHE_FILE_BYTES) return ignoreFile(`larger than ${MAX_CACHE_FILE_BYTES} bytes`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return cache;
    return ignoreFile(`unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return ignoreFile("not valid JSON");
  }
  const parsed = CacheFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return ignoreFile(`field ${fieldPath(issue.path)}: ${issue.message}`);
  }
  if (parsed.data.kind !== spec.kind) return ignoreFile(`field kind: "${parsed.data.kind}", expected "${spec.kind}"`);

  // Per reason (invalid field, or which scope field differs): how many, and the first.
  const ignored = new Map<string, { count: number; first: string }>();
  const ignore = (reason: string, detail: string) => {
    const seen = ignored.get(reason);
    if (seen) seen.count++;
    else ignored.set(reason, { count: 1, first: detail });
  };
  parsed.data.entries.forEach((raw, i) => {
    const e = Entry.safeParse(raw);
    if (!e.success) {
      const f = `entries.${i}.${fieldPath(e.error.issues[0]!.path)}`;
      ignore(`invalid ${f.replace(/^entries\.\d+\./, "")}`, `field ${f}: ${e.error.issues[0]!.message}`);
      return;
    }
    const entry: Entry = e.data;
    const other = scopeMismatch(entry, scope);
    if (other) {
      const [theirs, ours] = quoteDifference(String(entry[other]), String(scope[other]));
      ignore(`another ${other}`, `field entries.${i}.${other}: "${theirs}", this run's is "${ours}"`);
      return;
    }
    const v = spec.value.safeParse(entry.value);
    if (!v.success) {
      const issue = v.error.issues[0]!;
      const f = fieldPath(["value", ...issue.path]);
      ignore(`invalid ${f}`, `field entries.${i}.${f}: ${issue.message}`);
      return;
    }
    const problem = spec.check?.(v.data, entry);
    if (problem) {
      ignore(`invalid ${problem.field}`, `field entries.${i}.${problem.field}: ${problem.message}`);
      return;
    }
    cache.entries.set(lookupKey(entry.threads, entry.dtype, entry.item), v.data);
  });
  if (ignored.size > 0) {
    const parts = [...ignored.values()].map((r) => `${r.count} entr${r.count === 1 ? "y" : "ies"} (${r.first})`);
    warn(`ignored in the ${spec.kind} cache ${file}: ${parts.join("; ")}; they are measured again and the next save drops them.`);
    cache.changed = true;
  }
  return cache;
}

export function cacheLookup<V>(cache: KeyedCache<V>, threads: number, dtype: string, item: string): V | undefined {
  return cache.entries.get(lookupKey(threads, dtype, item));
}

export function cacheStore<V>(cache: KeyedCache<V>, threads: number, dtype: string, item: string, value: V): void {
  cache.entries.set(lookupKey(threads, dtype, item), value);
  cache.changed = true;
}

export function cacheForget<V>(cache: KeyedCache<V>, threads: number, dtype: string, item: string): void {
  if (cache.entries.delete(lookupKey(threads, dtype, item))) cache.changed = true;
}

/**
 * Writes this scope's entries, atomically. Entries of other machines or builds are not
 * kept: they could never be used by this build, and one folder per machine is what
 * $ARMBENCH_CACHE_DIR is for.
 */
export function saveKeyedCache<V>(cache: KeyedCache<V>): void {
  const entries = [...cache.entries].map(([key, value]) => {
    const [t, dtype, ...item] = key.split("|");
    return { ...cache.scope, threads: Number(t!.slice(1)), dtype: dtype!, item: item.join("|"), value };
  });
  writeFileAtomically(cache.file, `${JSON.stringify({ schema: FILE_SCHEMA, kind: cache.kind, entries }, null, 1)}\n`);
  cache.changed = false;
}

/** A cache file's default place in the cache folder. */
export function cacheFile(name: string): string {
  return path.join(armbenchCacheDir(), name);
}
