/** `armbench compare A.json B.json`: matching records side by side, with significance. */
import { compareResults, type Comparison } from "../compare/compare.js";
import { REGRESSION_THRESHOLD, SIGNIFICANCE_ALPHA } from "../constants.js";
import { EXIT_REGRESSION, UserError } from "../errors.js";
import { loadResults } from "../results/load.js";
import { geometricMean } from "../stats.js";
import { num, renderTable } from "../table.js";

export interface CompareOptions {
  a: string | undefined;
  b: string | undefined;
  /** "5%", "5" (percent) or "0.05". */
  threshold: string | undefined;
  failOnRegression: boolean;
}

/** "5%" and "5" mean five percent; a bare number below 1 is already a fraction. */
export function parseThreshold(text: string | undefined): number {
  if (text === undefined) return REGRESSION_THRESHOLD;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  const fraction = m && (m[2] === "%" || value >= 1) ? value / 100 : value;
  if (!(fraction >= 0 && fraction < 1)) throw new UserError(`--threshold must be a slowdown such as 5% (0% to 99%), got "${text}".`);
  return fraction;
}

/** Whether both answers were checked: a speed of an unchecked answer is a speed, not a verified result. */
function answerText(notChecked: readonly ("A" | "B")[]): string {
  if (notChecked.length === 0) return "checked";
  return notChecked.length === 2 ? "not checked" : `not checked in ${notChecked[0]}`;
}

function speedText(s: number | null): string {
  if (s === null) return "-";
  return `${s.toFixed(3)}x`;
}

export function renderComparison(c: Comparison, nameA: string, nameB: string, threshold: number): string {
  const rows = c.rows.map((r) => [
    r.label,
    r.unit,
    num(r.a.median, 3),
    num(r.b.median, 3),
    speedText(r.speedup),
    r.p.toFixed(4),
    r.regression ? "REGRESSION" : r.verdict,
    answerText(r.notChecked),
  ]);
  const head = ["benchmark", "unit", "A median", "B median", "B speedup", "p (U test)", "verdict", "answer"];
  const lines = [`A: ${nameA}`, `B: ${nameB}`, renderTable(head, rows, { right: [2, 3, 4, 5] })];
  const speeds = c.rows.map((r) => r.speedup).filter((s): s is number => s !== null);
  const count = (v: string) => c.rows.filter((r) => r.verdict === v).length;
  lines.push(
    `${c.rows.length} matching records: ${count("faster")} significantly faster, ${count("slower")} significantly slower, ` +
      `${count("same")} within noise (p >= ${SIGNIFICANCE_ALPHA}), ${count("too few samples")} with too few samples to tell` +
      (speeds.length ? `; geometric-mean speedup of B ${geometricMean(speeds).toFixed(3)}x` : "") +
      ".",
  );
  const unchecked = c.rows.filter((r) => r.notChecked.length > 0).length;
  if (unchecked) lines.push(`${unchecked} of them ${unchecked > 1 ? "were" : "was"} not checked in A or B (no reference answer): compared on speed only.`);
  if (c.onlyA || c.onlyB) lines.push(`${c.onlyA} records only in A and ${c.onlyB} only in B were not compared.`);
  const regressions = c.rows.filter((r) => r.regression);
  for (const r of regressions) {
    lines.push(`  REGRESSION ${r.label}: ${speedText(r.speedup)} (p = ${r.p.toFixed(4)})${r.notChecked.length ? `, answer ${answerText(r.notChecked)}` : ""}`);
  }
  lines.push(
    regressions.length
      ? `${regressions.length} significant regression${regressions.length > 1 ? "s" : ""} of more than ${(threshold * 100).toFixed(1)}% in B.`
      : `no significant regression of more than ${(threshold * 100).toFixed(1)}% in B.`,
  );
  return `${lines.join("\n")}\n`;
}

export async function runCompare(opts: CompareOptions): Promise<number> {
  if (!opts.a || !opts.b) throw new UserError("compare needs two results files: `armbench compare A.json B.json`.");
  const threshold = parseThreshold(opts.threshold);
  const a = loadResults(opts.a);
  const b = loadResults(opts.b);
  const c = compareResults(a, b, threshold);
  if (c.rows.length === 0) throw new UserError(`${opts.a} and ${opts.b} have no benchmark in common (same suite, name, implementation and case); nothing to compare.`);
  process.stdout.write(renderComparison(c, `${opts.a} (${a.env.machine.hostname})`, `${opts.b} (${b.env.machine.hostname})`, threshold));
  return opts.failOnRegression && c.rows.some((r) => r.regression) ? EXIT_REGRESSION : 0;
}
