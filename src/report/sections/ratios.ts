/**
 * Several machines: every benchmark they share as a speedup over the first machine,
 * geometric means per suite and overall, and performance per dollar when prices are known.
 * The means use headline records only (src/results/headline.ts): one figure per benchmark,
 * so a benchmark with a latency and a throughput, or a sweep of forty working sets, does not
 * weigh more than one with a single figure; the report lists the records that went in.
 */
import { okRecordsByKey } from "../../compare/compare.js";
import { speedup } from "../../results/direction.js";
import { headlineOf } from "../../results/headline.js";
import { recordLabel } from "../../results/identity.js";
import type { OkRecord } from "../../results/schema.js";
import { geometricMean, mannWhitneyU } from "../../stats.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { barChart } from "../charts.js";
import type { Machine } from "../machines.js";

export function ratiosSection(machines: readonly Machine[]): Section | null {
  if (machines.length < 2) return null;
  const [base, ...others] = machines as [Machine, ...Machine[]];
  const baseRecs = okRecordsByKey(base.records);
  const otherRecs = others.map((m) => okRecordsByKey(m.records));
  const rows: Cell[][] = [];
  /** Per machine, per suite: the speedups. */
  const bySuite = others.map(() => new Map<string, number[]>());
  /** The rows whose speedups went into the means. */
  const inMeans: Cell[][] = [];
  for (const [key, a] of baseRecs) {
    const matches = otherRecs.map((recs) => recs.get(key));
    const ratios = matches.map((b) => (b ? speedup(a.unit, a.median, b.median) : null));
    if (ratios.every((r) => r === null)) continue;
    const headline = headlineOf(a) || matches.some((b) => b !== undefined && headlineOf(b));
    if (headline) inMeans.push([a.suite, recordLabel(a), a.unit, ...ratios.map((r) => numCell(r, 3, "x"))]);
    ratios.forEach((r, i) => {
      if (r === null || !headline) return;
      const suites = bySuite[i]!;
      suites.set(a.suite, [...(suites.get(a.suite) ?? []), r]);
    });
    const p = (b: OkRecord | undefined) => (b ? mannWhitneyU(a.samples, b.samples).p : null);
    rows.push([a.suite, recordLabel(a), a.unit, numCell(a.median, 3), ...matches.flatMap((b: OkRecord | undefined, i) => [numCell(b?.median, 3), numCell(ratios[i], 3, "x"), numCell(p(b), 3)])]);
  }
  if (rows.length === 0) {
    return { id: "ratios", title: `Ratios against ${base.label}`, blocks: [{ kind: "note", text: "The machines share no benchmark (same suite, case and implementation), so there is nothing to put side by side." }] };
  }
  const head = ["suite", "benchmark", "unit", base.label, ...others.flatMap((m) => [m.label, `${m.label} speedup`, `${m.label} p (U test)`])];
  const suites = [...new Set(rows.map((r) => r[0] as string))];
  const geo = (values: number[] | undefined) => (values && values.length ? geometricMean(values) : null);
  const overall = bySuite.map((s) => geo([...s.values()].map((v) => geometricMean(v))));
  const geoRows: Cell[][] = [
    ...suites.map((suite): Cell[] => [suite, ...bySuite.flatMap((s) => [numCell(geo(s.get(suite)), 3, "x"), numCell(s.get(suite)?.length ?? 0, 0)])]),
    ["all suites (geometric mean of the suites')", ...overall.flatMap((g) => [numCell(g, 3, "x"), ""])],
  ];
  const blocks: Block[] = [
    { kind: "note", text: `Speedup > 1 means faster than ${base.label}: rates divided, times inverted. p is the two-sided Mann-Whitney U p-value of the raw samples: above 0.05 the difference is within the noise.` },
    {
      kind: "note",
      text: inMeans.length
        ? `The geometric means${base.pricePerHour !== null ? " and the performance per dollar" : ""} use headline records only, one figure per benchmark (GEMM GFLOP/s per case, each conv layer's winner, model latency, the measured peak per dtype and thread count), never sweep points, per-algorithm or per-op rows or cycle figures: the ${inMeans.length} records that went in are listed below.`
        : "No shared record is a headline figure (files written before records said so), so there is no geometric mean.",
    },
    { kind: "table", caption: `Geometric-mean speedup over ${base.label}`, head: ["suite", ...others.flatMap((m) => [m.label, "benchmarks"])], rows: geoRows, key: true },
    { kind: "chart", chart: barChart("ratios-geomean", `Geometric-mean speedup over ${base.label} per suite`, suites, { title: "suite" }, { title: "speedup (x)" }, others.map((m, i) => ({ label: m.label, values: suites.map((s) => geo(bySuite[i]!.get(s))), color: m.index }))) },
  ];
  if (base.pricePerHour !== null && others.some((m) => m.pricePerHour !== null)) {
    const priced = others.map((m, i): Cell[] => {
      const perf = overall[i] ?? null;
      const perDollar = perf !== null && m.pricePerHour ? (perf * base.pricePerHour!) / m.pricePerHour : null;
      return [m.label, numCell(m.pricePerHour, 3), numCell(perf, 3, "x"), numCell(perDollar, 3, "x")];
    });
    blocks.push({ kind: "table", caption: `Performance per dollar against ${base.label} at ${base.pricePerHour} USD/h`, head: ["machine", "USD/h", "speedup", "speedup per dollar"], rows: priced, key: true });
  }
  if (inMeans.length) blocks.push({ kind: "table", caption: "Records in the geometric means (headline figures)", head: ["suite", "benchmark", "unit", ...others.map((m) => `${m.label} speedup`)], rows: inMeans });
  blocks.push({ kind: "table", caption: "Every shared benchmark", head, rows });
  return { id: "ratios", title: `Ratios against ${base.label}`, blocks };
}
