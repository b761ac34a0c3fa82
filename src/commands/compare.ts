/** `armbench compare A.json B.json`: matching records side by side, with significance. */
import { compareResults, type ComparedRecord, type Comparison, type SuiteSummary } from "../compare/compare.js";
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

function verdictText(r: ComparedRecord): string {
  if (r.regression) return "REGRESSION";
  if (r.control !== null && (r.verdict === "faster" || r.verdict === "slower" || r.verdict === "same")) return `${r.verdict} (control)`;
  // A non-headline difference informs; saying so keeps it from reading as a gate's verdict.
  if (!r.headline && (r.verdict === "faster" || r.verdict === "slower")) return `${r.verdict} (not gated)`;
  return r.verdict;
}

function pText(r: ComparedRecord): string {
  return r.pAdjusted === null ? r.p.toFixed(4) : `${r.p.toFixed(4)} (${r.pAdjusted.toFixed(4)}; ${r.pRegression!.toFixed(4)})`;
}

/** "3 too few samples, 1 kernel changed": only the reasons that occur. */
function notJudgedText(s: SuiteSummary): string {
  const n = s.notJudged;
  const parts = [
    [n.tooFewSamples, "too few samples to tell"],
    [n.kernelChanged, "kernel changed"],
    [n.notASpeed, "not a speed"],
    [n.onlyA, "ok only in A"],
    [n.onlyB, "ok only in B"],
    [n.failed, "failed in A or B and ok in neither"],
    [n.unavailable, "unavailable in both"],
  ] as const;
  const text = parts.filter(([c]) => c > 0).map(([c, why]) => `${c} ${why}`);
  return text.length ? text.join(", ") : "none";
}

export function renderComparison(c: Comparison, nameA: string, nameB: string, threshold: number): string {
  const rows = c.rows.map((r) => [
    r.label,
    r.unit,
    r.headline ? "yes" : "-",
    num(r.a.median, 3),
    num(r.b.median, 3),
    speedText(r.speedup),
    pText(r),
    verdictText(r),
    answerText(r.notChecked),
  ]);
  const head = ["benchmark", "unit", "headline", "A median", "B median", "B speedup", "p (BH-adjusted; slower by > threshold)", "verdict", "answer"];
  const lines = [`A: ${nameA}`, `B: ${nameB}`, renderTable(head, rows, { right: [3, 4, 5, 6] })];
  const speeds = c.rows.map((r) => r.speedup).filter((s): s is number => s !== null);
  const count = (v: string) => c.rows.filter((r) => r.verdict === v).length;
  lines.push(
    `${c.rows.length} matching records: ${count("faster")} significantly faster, ${count("slower")} significantly slower, ` +
      `${count("same")} within noise (p >= ${SIGNIFICANCE_ALPHA}), ${count("too few samples")} with too few samples to tell` +
      (count("kernel changed") ? `, ${count("kernel changed")} with a changed kernel or algorithm` : "") +
      (speeds.length ? `; geometric-mean speedup of B ${geometricMean(speeds).toFixed(3)}x` : "") +
      ".",
  );
  const headline = c.rows.filter((r) => r.headline);
  lines.push(
    c.anyHeadline
      ? `${headline.length} of them are headline figures, the only ones that gate: a regression is one whose one-sided p of being slower by more than the threshold is below ${SIGNIFICANCE_ALPHA} after a Benjamini-Hochberg correction over the ${headline.filter((r) => r.pAdjusted !== null).length} that could be judged` +
          (headline.some((r) => r.control !== null)
            ? `, leaving out ${headline.filter((r) => r.control !== null).length} controls: peers whose library and version are the same in both files of this one machine, so what moved them is the machine (they are shown, never gated).`
            : ".")
      : "neither file marks headline figures (written before armbench did): nothing gates.",
  );
  lines.push("per suite (matched records; judged; not judged, and why):");
  for (const s of c.suites) {
    const drift = s.controlDrift !== null ? `; ${s.controls} control${s.controls > 1 ? "s" : ""} (unchanged peers, not gated) moved ${s.controlDrift.toFixed(3)}x` : "";
    lines.push(`  ${s.suite}: ${s.matched} matched (${s.headline} headline); ${s.judged} judged; not judged: ${notJudgedText(s)}${s.notChecked ? `; ${s.notChecked} with an answer not checked in A or B, judged on speed only` : ""}${drift}.`);
  }
  const unchecked = c.rows.filter((r) => r.notChecked.length > 0).length;
  if (unchecked) lines.push(`${unchecked} of them ${unchecked > 1 ? "were" : "was"} not checked in A or B (no reference answer): compared on speed only.`);
  if (c.onlyA || c.onlyB) lines.push(`${c.onlyA} records only in A and ${c.onlyB} only in B were not compared.`);
  for (const r of c.rows.filter((x) => x.verdict === "kernel changed" && x.headline)) {
    lines.push(`  kernel changed ${r.label}: ${r.kernelChange}; ${speedText(r.speedup)}, not judged as a regression.`);
  }
  const regressions = c.rows.filter((r) => r.regression);
  for (const r of regressions) {
    lines.push(`  REGRESSION ${r.label}: ${speedText(r.speedup)} (p that it is slower by more than ${(threshold * 100).toFixed(1)}%: ${r.pRegression!.toFixed(4)} adjusted; p of any difference ${r.p.toFixed(4)})${r.notChecked.length ? `, answer ${answerText(r.notChecked)}` : ""}`);
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
