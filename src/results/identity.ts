/**
 * What makes two records "the same benchmark" across files and machines: suite, name,
 * impl, unit and the params that describe the case, not the ones a run measured or the
 * kernel a particular CPU happened to pick.
 */
import type { ResultRecord } from "./schema.js";

/** Params that are outcomes of a run, never part of what was asked for. */
const MEASURED_PARAMS = ["pctPeak", "maxAbsErr", "maxRelErr", "hugeObtained", "cosine", "maxAbsDiff", "share"];

/** Per record name: params that differ between CPUs for the same case (the kernel picked, the level's measured edge). */
const MACHINE_PARAMS: Record<string, string[]> = {
  gemm: ["kernel"],
  "conv.winner": ["algo"],
  "micro.bandwidth": ["isa"],
  "micro.mem.level": ["bytes", "sysfsBytes", "cacheBytes", "cacheSource"],
  "micro.clock": ["probe", "cpu", "cpufreqGHz"],
  "model.op": ["detail"],
};

/** The params that identify the case, in a stable order. */
export function caseParams(r: Pick<ResultRecord, "name" | "params">): [string, unknown][] {
  const skip = new Set([...MEASURED_PARAMS, ...(Object.hasOwn(MACHINE_PARAMS, r.name) ? MACHINE_PARAMS[r.name]! : [])]);
  return Object.entries(r.params)
    .filter(([k]) => !skip.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function recordKey(r: Pick<ResultRecord, "suite" | "name" | "impl" | "unit" | "params">): string {
  return JSON.stringify([r.suite, r.name, r.impl, r.unit, caseParams(r)]);
}

/** `gemm armbench m=1024 n=1024 ...`: a record's identity for people. */
export function recordLabel(r: Pick<ResultRecord, "name" | "impl" | "params">): string {
  const params = caseParams(r).map(([k, v]) => `${k}=${String(v)}`);
  return [r.name, r.impl === "armbench" ? null : r.impl, ...params].filter(Boolean).join(" ");
}
