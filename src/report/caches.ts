/**
 * A machine's cache levels as the report names them: every size with the source it came
 * from and, where another source disagrees, its size too, worded as `armbench info`
 * words them, so a reader can tell a measured or default guess from what the machine said.
 */
import { formatBytes } from "../format.js";
import type { Env, EnvCacheLevel } from "../results/schema.js";
import { dataLevels, describeSize } from "../sysinfo/caches.js";

/** "L1d", "L1i", "L2": the name a level goes by in tables and legends. */
export function cacheName(c: Pick<EnvCacheLevel, "level" | "type">): string {
  return `L${c.level}${c.type === "Data" ? "d" : c.type === "Instruction" ? "i" : ""}`;
}

/** The level a probe means by "L2" (micro.mem.level, a bandwidth level): data or unified, never instructions. */
export function dataCache(env: Env, levelName: string): EnvCacheLevel | null {
  const m = /^L(\d+)$/.exec(levelName);
  return m ? (dataLevels(env.caches).find((c) => c.level === Number(m[1])) ?? null) : null;
}

/** "2 MiB (sysfs)", or "480 MiB (sysfs; cpuid: 105 MiB)" where a source disagrees. */
export function sizeWithSource(c: EnvCacheLevel): string {
  return describeSize(c, formatBytes);
}

/** One level for the systems table: size and source, sharing, then every note, its own and the disagreeing sources'. */
export function cacheCell(c: EnvCacheLevel): string {
  const shared = c.sharedByCpus > 1 ? `, shared by ${c.sharedByCpus} CPUs` : "";
  const notes = [c.note, ...(c.disagrees ?? []).map((d) => (d.note ? `${d.source}: ${d.note}` : null))].filter((n): n is string => Boolean(n));
  return `${sizeWithSource(c)}${shared}${notes.length ? `. Note: ${notes.join("; ")}` : ""}`;
}
