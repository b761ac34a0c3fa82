/**
 * Two results files, record by record: both medians, the speedup of B over A, and a
 * Mann-Whitney U test on the raw samples, so a difference inside the noise is not
 * called a regression.
 */
import { SIGNIFICANCE_ALPHA } from "../constants.js";
import { speedup } from "../results/direction.js";
import { recordKey, recordLabel } from "../results/identity.js";
import type { OkRecord, ResultRecord, ResultsFile } from "../results/schema.js";
import { mannWhitneyU } from "../stats.js";

export type Verdict = "faster" | "slower" | "same" | "not a speed" | "too few samples";

export interface ComparedRecord {
  key: string;
  label: string;
  suite: string;
  unit: string;
  a: OkRecord;
  b: OkRecord;
  /** > 1: B is faster; null for units with no direction. */
  speedup: number | null;
  /** Two-sided Mann-Whitney p-value of the raw samples. */
  p: number;
  /** The smallest p these sample counts allow: above alpha, no difference can be significant. */
  minP: number;
  verdict: Verdict;
  /** B significantly slower by more than the threshold. */
  regression: boolean;
  /** The files whose record says its answer was not checked (passed: null): it compares on speed only. */
  notChecked: ("A" | "B")[];
}

export interface Comparison {
  rows: ComparedRecord[];
  onlyA: number;
  onlyB: number;
}

/** The first ok record per identity: a file holds each case once per run. */
export function okRecordsByKey(records: readonly ResultRecord[]): Map<string, OkRecord> {
  const out = new Map<string, OkRecord>();
  for (const r of records) {
    if (r.status !== "ok") continue;
    const key = recordKey(r);
    if (!out.has(key)) out.set(key, r);
  }
  return out;
}

/** `threshold`: the fraction (0.05 = 5 %) by which B must be slower to count as a regression. */
export function compareResults(a: ResultsFile, b: ResultsFile, threshold: number, alpha = SIGNIFICANCE_ALPHA): Comparison {
  const left = okRecordsByKey(a.records);
  const right = okRecordsByKey(b.records);
  const rows: ComparedRecord[] = [];
  for (const [key, ra] of left) {
    const rb = right.get(key);
    if (!rb) continue;
    const test = mannWhitneyU(ra.samples, rb.samples);
    const s = speedup(ra.unit, ra.median, rb.median);
    let verdict: Verdict;
    if (s === null) verdict = "not a speed";
    else if (test.minP > alpha) verdict = "too few samples";
    else if (test.p >= alpha) verdict = "same";
    else verdict = s >= 1 ? "faster" : "slower";
    const regression = verdict === "slower" && s !== null && s < 1 - threshold;
    const notChecked = (["A", "B"] as const).filter((side) => (side === "A" ? ra : rb).check.passed === null);
    rows.push({ key, label: recordLabel(ra), suite: ra.suite, unit: ra.unit, a: ra, b: rb, speedup: s, p: test.p, minP: test.minP, verdict, regression, notChecked });
  }
  const onlyA = [...left.keys()].filter((k) => !right.has(k)).length;
  const onlyB = [...right.keys()].filter((k) => !left.has(k)).length;
  return { rows, onlyA, onlyB };
}
