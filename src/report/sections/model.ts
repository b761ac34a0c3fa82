/** Whole models: latency distribution, throughput, armbench against onnxruntime, the answer check, per-op time. */
import { checkText } from "../../results/record.js";
import type { OkRecord, ResultRecord } from "../../results/schema.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { barChart, chartId } from "../charts.js";
import { groupBy, numParam, okRecords, strParam, type Machine } from "../machines.js";
import { extent } from "../../stats.js";

/** Bins of a latency histogram across every run shown. */
const HISTOGRAM_BINS = 12;

function caseName(r: ResultRecord): string {
  const threads = numParam(r, "threads");
  return `${strParam(r, "model")} batch ${numParam(r, "batch") ?? 1}${threads ? `, ${threads} thr` : ""}${r.params.fpmath ? `, ${strParam(r, "fpmath")}` : ""}`;
}

/** What a latency record's answer was compared with, or "not checked" and why. */
function latencyCheckText(r: OkRecord): string {
  const c = r.check;
  if (c.passed === null) return checkText(c);
  const cos = typeof c["cosine"] === "number" ? ` (cosine ${c["cosine"].toFixed(6)})` : "";
  const ref = c["reference"] as { against?: unknown; passed?: unknown; reason?: unknown; cosine?: unknown } | undefined;
  let refText = "";
  if (ref && typeof ref === "object") {
    refText = ref.passed === null
      ? `; its fp32 reference not checked against ${String(ref.against)} (${String(ref.reason)})`
      : `; its fp32 reference ${ref.passed ? "agrees" : "DISAGREES"} with ${String(ref.against)}${typeof ref.cosine === "number" ? ` (cosine ${ref.cosine.toFixed(6)})` : ""}`;
  }
  return `${c.method}${cos}${refText}`;
}

function histogram(model: string, runs: { label: string; samples: number[] }[]): Block {
  const { min: lo, max: hi } = extent(runs.flatMap((r) => r.samples));
  const width = hi > lo ? (hi - lo) / HISTOGRAM_BINS : 1;
  const bins = hi > lo ? HISTOGRAM_BINS : 1;
  const labels = Array.from({ length: bins }, (_, i) => `${(lo + i * width).toFixed(2)}-${(lo + (i + 1) * width).toFixed(2)}`);
  const series = runs.map((r) => {
    const counts = new Array<number>(bins).fill(0);
    for (const s of r.samples) counts[Math.min(bins - 1, Math.floor((s - lo) / width))]!++;
    return { label: r.label, values: counts };
  });
  return { kind: "chart", chart: barChart(chartId("model-latency", model), `${model}: latency distribution`, labels, { title: "latency per inference (ms)" }, { title: "iterations" }, series) };
}

export function modelSection(machines: readonly Machine[]): Section | null {
  const blocks: Block[] = [];
  const latency = machines.flatMap((m) => okRecords(m, "model.latency").map((r) => ({ m, r })));
  const latRows: Cell[][] = latency.map(({ m, r }) => [m.label, caseName(r), r.impl, numCell(r.median, 2), numCell(r.spread.p90, 2), numCell(r.spread.min, 2), numCell(r.samples.length, 0), latencyCheckText(r)]);
  if (latRows.length) blocks.push({ kind: "table", caption: "Latency per inference", head: ["machine", "model", "engine", "median (ms)", "p90 (ms)", "min (ms)", "iterations", "answer check"], rows: latRows, key: true });
  for (const [model, runs] of groupBy(latency, ({ r }) => strParam(r, "model"))) {
    blocks.push(histogram(model, runs.map(({ m, r }) => ({ label: `${m.label} ${r.impl} (${caseName(r)})`, samples: r.samples }))));
  }

  const thr = machines.flatMap((m) => okRecords(m, "model.throughput").map((r) => ({ m, r })));
  if (thr.length) {
    const cases = [...new Set(thr.map(({ r }) => caseName(r)))];
    const series = [...groupBy(thr, ({ m, r }) => `${m.label} ${r.impl}`)].map(([label, list]) => ({
      label,
      values: cases.map((c) => list.find(({ r }) => caseName(r) === c)?.r.median ?? null),
    }));
    blocks.push({ kind: "chart", chart: barChart("model-throughput", "Model throughput", cases, { title: "model" }, { title: "images/s" }, series) });
  }

  const engines: Cell[][] = [];
  for (const m of machines) {
    const byCase = groupBy(okRecords(m, "model.latency"), caseName);
    for (const [c, recs] of byCase) {
      const ours = recs.find((r) => r.impl === "armbench");
      const ort = recs.find((r) => r.impl === "onnxruntime");
      if (ours && ort) engines.push([m.label, c, numCell(ours.median, 2), numCell(ort.median, 2), numCell(ort.median / ours.median, 2, "x")]);
    }
  }
  if (engines.length) blocks.push({ kind: "table", caption: "Engines on the same graph (latency)", head: ["machine", "model", "armbench (ms)", "onnxruntime (ms)", "armbench speedup"], rows: engines, key: true });

  // Where our convs' algorithms came from: the model's tuning (its race), a cache, or the rules.
  const tuning: Cell[][] = latency
    .filter(({ r }) => r.impl === "armbench" && typeof r.derived?.["convPolicy"] === "string")
    .map(({ m, r }) => [
      m.label, caseName(r), String(r.derived?.["convPolicy"]).replace(/ \(raced:.*$/, ""),
      typeof r.derived?.["convRace"] === "string" ? String(r.derived["convRace"]).replaceAll("=", " ").replaceAll(";", " ms;") + " ms" : "-",
    ]);
  if (tuning.length) blocks.push({ kind: "table", caption: "Where our conv algorithms came from", head: ["machine", "model", "choice", "programs raced"], rows: tuning });

  const checks = machines.flatMap((m) =>
    m.records.filter((r) => r.name === "model.check").map((r): Cell[] => [
      m.label, caseName(r), `${r.impl}${r.params.role ? ` (${strParam(r, "role")})` : ""}`,
      r.status === "ok" ? "passed" : r.status === "unavailable" ? `not checked (${r.reason})` : `FAILED (${r.reason})`,
      numCell(numParam(r, "cosine"), 6), numCell(numParam(r, "maxAbsDiff"), 6),
    ]),
  );
  if (checks.length) blocks.push({ kind: "table", caption: "Answer check against the reference", head: ["machine", "model", "engine", "result", "cosine", "max abs diff"], rows: checks });

  for (const m of machines) {
    for (const [c, ops] of groupBy(okRecords(m, "model.op"), (r) => `${caseName(r)} ${r.impl}`)) {
      const total = ops.reduce((s, r) => s + r.median, 0);
      const sorted = [...ops].sort((a, b) => b.median - a.median);
      const opName = (r: OkRecord) => strParam(r, "op") || strParam(r, "node") || r.name;
      blocks.push({
        kind: "table",
        caption: `Per-op time on ${m.label}: ${c}`,
        head: ["op", "time (ms)", "share"],
        rows: sorted.map((r) => [opName(r), numCell(r.median, 3), numCell(total > 0 ? (100 * r.median) / total : null, 1, "%")]),
      });
      const top = sorted.slice(0, 12);
      blocks.push({ kind: "chart", chart: barChart(chartId("model-ops", m.index, c), `Per-op time on ${m.label}: ${c}`, top.map(opName), { title: "op" }, { title: "ms" }, [{ label: "median time", values: top.map((r) => r.median) }]) });
    }
  }
  return blocks.length ? { id: "model", title: "Models", blocks } : null;
}
