/**
 * Two results files, record by record: both medians, the speedup of B over A, and a
 * Mann-Whitney U test on the raw samples, so a difference inside the noise is not
 * called a regression. Only headline figures (src/results/headline.ts) gate, after a
 * Benjamini-Hochberg correction over them: sweep points and per-op rows are shown with
 * their own p but cannot make a run fail, and a record whose kernel or algorithm changed
 * between the files measured different code, so it is "kernel changed", never a regression.
 *
 * What gates is the threshold itself: "B is slower than A by more than 5%" is tested as
 * such (A's samples moved by the threshold, against B's, one-sided), not "B differs from
 * A" with the medians then compared. Back-to-back runs of one build on a shared VM drift
 * by a few percent for minutes at a time; a test of equality calls a tight 3% drift
 * significant, and the medians then only need to cross 0.95 by a hair.
 *
 * On one machine (same host, CPU and ISA in both files), a peer's record whose library and
 * version are the same in A and B ran the same code on the same machine: whatever moved it
 * is the machine, not the change under test. Such a record is a control: judged and shown,
 * its drift summarised per suite, but it never gates (on a 2-vCPU VM, BLIS and OpenBLAS at 2
 * threads swung 0.02x-0.5x between back-to-back runs of one build while ours held).
 */
import { cacheScope } from "../cache/store.js";
import { SIGNIFICANCE_ALPHA } from "../constants.js";
import { higherIsBetter, speedup } from "../results/direction.js";
import { headlineOf } from "../results/headline.js";
import { recordKey, recordLabel } from "../results/identity.js";
import type { OkRecord, ResultRecord, ResultsFile } from "../results/schema.js";
import { benjaminiHochberg, geometricMean, mannWhitneyU } from "../stats.js";

export type Verdict = "faster" | "slower" | "same" | "not a speed" | "too few samples" | "kernel changed";

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
  /** For a judged headline record: p after the Benjamini-Hochberg correction over every judged headline record; else null. */
  pAdjusted: number | null;
  /**
   * For a judged headline record: the one-sided p that B is slower than A by more than the
   * threshold, Benjamini-Hochberg adjusted over the same records; a regression needs it below alpha. Else null.
   */
  pRegression: number | null;
  /** The smallest p these sample counts allow: above alpha, no difference can be significant. */
  minP: number;
  /** Whether B (or A, for files that say) marks this record as its benchmark's headline figure: only these gate. */
  headline: boolean;
  /** What ran in A and in B where the kernel or algorithm differs, e.g. "kernel f32_avx2_6x16 -> f32_avx512_14x32". */
  kernelChange: string | null;
  verdict: Verdict;
  /** A headline record significantly slower (after the correction) by more than the threshold. */
  regression: boolean;
  /** The files whose record says its answer was not checked (passed: null): it compares on speed only. */
  notChecked: ("A" | "B")[];
  /** "openblas 0.3.21": an unchanged peer on the same machine, which informs but never gates; else null. */
  control: string | null;
}

/** Why a record of one suite was not judged, and how many. */
export interface NotJudged {
  tooFewSamples: number;
  kernelChanged: number;
  notASpeed: number;
  /** Ok in one file only (the other lacks it, or has it failed or unavailable). */
  onlyA: number;
  onlyB: number;
  /** Failed in both, or failed in one and unavailable in the other. */
  failed: number;
  /** Unavailable in both (a peer, an algorithm or an instruction this machine lacks): nothing to judge, and nothing wrong. */
  unavailable: number;
}

export interface SuiteSummary {
  suite: string;
  matched: number;
  headline: number;
  /** Compared with a p-value (headline or not). */
  judged: number;
  /** Matched, with an unchecked answer in A or B: judged on speed only. */
  notChecked: number;
  notJudged: NotJudged;
  /** Headline records of unchanged peers on the same machine, and the geometric mean of their speedups (null: none). */
  controls: number;
  controlDrift: number | null;
}

export interface Comparison {
  rows: ComparedRecord[];
  onlyA: number;
  onlyB: number;
  suites: SuiteSummary[];
  /** Whether either file marks any headline figure (files written before the flag mark none). */
  anyHeadline: boolean;
  /** Both files from one machine (host, CPU, ISA): unchanged peers are controls. */
  sameMachine: boolean;
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

/**
 * Fields naming the code a record ran: gemm's kernel (peers': library and variant), conv's
 * algorithm, the model's per-conv algorithms. Where they came from (cache, rules) is left out:
 * the same algorithm from the cache is the same code.
 */
const KERNEL_FIELDS: readonly { where: "params" | "derived"; field: string }[] = [
  { where: "params", field: "kernel" },
  { where: "params", field: "algo" },
  { where: "params", field: "variant" },
  { where: "derived", field: "kernel" },
  { where: "derived", field: "algo" },
  { where: "derived", field: "variant" },
  { where: "derived", field: "convAlgos" },
];

function kernelText(r: OkRecord, where: "params" | "derived", field: string): string | undefined {
  const v = where === "params" ? r.params[field] : r.derived?.[field];
  if (v === undefined || v === null) return undefined;
  // "node=algo(source)": the source says where the choice came from, not what ran.
  return field === "convAlgos" ? String(v).replace(/\([^)]*\)/g, "") : String(v);
}

/** "kernel X -> Y" for each kernel field both records carry with different values; null when none differs. */
export function kernelChange(a: OkRecord, b: OkRecord): string | null {
  const changes: string[] = [];
  for (const { where, field } of KERNEL_FIELDS) {
    const x = kernelText(a, where, field);
    const y = kernelText(b, where, field);
    if (x !== undefined && y !== undefined && x !== y) changes.push(field === "convAlgos" ? `conv algorithms (${x} -> ${y})` : `${field} ${x} -> ${y}`);
  }
  return changes.length ? changes.join(", ") : null;
}

/**
 * One-sided Mann-Whitney p of "B is slower than A by more than `threshold`": A's samples
 * moved by the threshold (rates times 1 - threshold, times divided by it) against B's.
 */
export function slowerByMoreThan(a: OkRecord, b: OkRecord, threshold: number): number {
  const rate = higherIsBetter(a.unit) === true;
  const shifted = a.samples.map((x) => (rate ? x * (1 - threshold) : x / (1 - threshold)));
  const t = mannWhitneyU(shifted, b.samples);
  // u counts pairs with the shifted A above B: many of them, for a rate, is B slower.
  const centre = (shifted.length * b.samples.length) / 2;
  const bSlower = rate ? t.u > centre : t.u < centre;
  return bSlower ? t.p / 2 : 1 - t.p / 2;
}

/** The host, CPU model and ISA features: what must match for two files to be one machine. */
function machineOf(f: ResultsFile): string {
  const { cpu, isa } = cacheScope(f.env);
  return `${f.env.machine.hostname}|${cpu}|${isa}`;
}

/** "openblas 0.3.21" when both records ran the same build of an external library; else null. */
export function unchangedPeer(a: OkRecord, b: OkRecord): string | null {
  if (a.impl === "armbench") return null;
  const version = (r: OkRecord) => {
    const v = r.derived?.version;
    return typeof v === "string" && v !== "" ? `${String(r.derived?.library ?? r.impl)} ${v}` : null;
  };
  const va = version(a);
  return va !== null && va === version(b) ? `${a.impl} ${String(a.derived?.version)}` : null;
}

function emptyNotJudged(): NotJudged {
  return { tooFewSamples: 0, kernelChanged: 0, notASpeed: 0, onlyA: 0, onlyB: 0, failed: 0, unavailable: 0 };
}

function summarizeSuites(a: ResultsFile, b: ResultsFile, rows: readonly ComparedRecord[], left: Map<string, OkRecord>, right: Map<string, OkRecord>): SuiteSummary[] {
  const suites = new Map<string, SuiteSummary>();
  const of = (suite: string) => {
    let s = suites.get(suite);
    if (!s) suites.set(suite, (s = { suite, matched: 0, headline: 0, judged: 0, notChecked: 0, notJudged: emptyNotJudged(), controls: 0, controlDrift: null }));
    return s;
  };
  for (const r of rows) {
    const s = of(r.suite);
    s.matched++;
    if (r.headline) s.headline++;
    if (r.notChecked.length) s.notChecked++;
    if (r.verdict === "too few samples") s.notJudged.tooFewSamples++;
    else if (r.verdict === "kernel changed") s.notJudged.kernelChanged++;
    else if (r.verdict === "not a speed") s.notJudged.notASpeed++;
    else s.judged++;
  }
  for (const [key, r] of left) if (!right.has(key)) of(r.suite).notJudged.onlyA++;
  for (const [key, r] of right) if (!left.has(key)) of(r.suite).notJudged.onlyB++;
  // A case neither file has ok: failed or unavailable on both sides, counted once per identity.
  const notOk = new Map<string, { suite: string; failed: boolean }>();
  for (const r of [...a.records, ...b.records]) {
    const key = recordKey(r);
    if (r.status === "ok" || left.has(key) || right.has(key)) continue;
    notOk.set(key, { suite: r.suite, failed: r.status === "failed" || notOk.get(key)?.failed === true });
  }
  for (const { suite, failed } of notOk.values()) of(suite).notJudged[failed ? "failed" : "unavailable"]++;
  for (const s of suites.values()) {
    const speeds = rows.filter((r) => r.suite === s.suite && r.control !== null && r.headline && r.speedup !== null).map((r) => r.speedup!);
    s.controls = speeds.length;
    s.controlDrift = speeds.length ? geometricMean(speeds) : null;
  }
  return [...suites.values()].sort((x, y) => (x.suite < y.suite ? -1 : x.suite > y.suite ? 1 : 0));
}

/** `threshold`: the fraction (0.05 = 5 %) by which B must be slower to count as a regression. */
export function compareResults(a: ResultsFile, b: ResultsFile, threshold: number, alpha = SIGNIFICANCE_ALPHA): Comparison {
  const left = okRecordsByKey(a.records);
  const right = okRecordsByKey(b.records);
  const sameMachine = machineOf(a) === machineOf(b);
  const rows: ComparedRecord[] = [];
  for (const [key, ra] of left) {
    const rb = right.get(key);
    if (!rb) continue;
    const test = mannWhitneyU(ra.samples, rb.samples);
    const s = speedup(ra.unit, ra.median, rb.median);
    const change = kernelChange(ra, rb);
    let verdict: Verdict;
    if (s === null) verdict = "not a speed";
    else if (change !== null) verdict = "kernel changed";
    else if (test.minP > alpha) verdict = "too few samples";
    else if (test.p >= alpha) verdict = "same";
    else verdict = s >= 1 ? "faster" : "slower";
    const notChecked = (["A", "B"] as const).filter((side) => (side === "A" ? ra : rb).check.passed === null);
    const headline = headlineOf(rb) || headlineOf(ra);
    const control = sameMachine && change === null ? unchangedPeer(ra, rb) : null;
    rows.push({ key, label: recordLabel(ra), suite: ra.suite, unit: ra.unit, a: ra, b: rb, speedup: s, p: test.p, pAdjusted: null, pRegression: null, minP: test.minP, headline, kernelChange: change, verdict, regression: false, notChecked, control });
  }
  // The family the gate corrects over: headline records, not controls, that could show a difference at all.
  const family = rows.filter((r) => r.headline && r.control === null && (r.verdict === "faster" || r.verdict === "slower" || r.verdict === "same"));
  const adjusted = benjaminiHochberg(family.map((r) => r.p));
  const slower = benjaminiHochberg(family.map((r) => slowerByMoreThan(r.a, r.b, threshold)));
  family.forEach((r, i) => {
    r.pAdjusted = adjusted[i]!;
    r.pRegression = slower[i]!;
    // Significant alone is not enough for a headline figure: it must survive the correction.
    if (r.pAdjusted >= alpha) r.verdict = "same";
    r.regression = r.pRegression < alpha && r.speedup !== null && r.speedup < 1 - threshold;
  });
  const onlyA = [...left.keys()].filter((k) => !right.has(k)).length;
  const onlyB = [...right.keys()].filter((k) => !left.has(k)).length;
  const anyHeadline = [...a.records, ...b.records].some((r) => headlineOf(r));
  return { rows, onlyA, onlyB, suites: summarizeSuites(a, b, rows, left, right), anyHeadline, sameMachine };
}
