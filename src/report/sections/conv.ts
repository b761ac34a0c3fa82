/** Convolution: per-layer algorithm comparison and the winner of each layer. */
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { barChart, chartId } from "../charts.js";
import { groupBy, numParam, okRecords, strParam, type Machine } from "../machines.js";

export function convSection(machines: readonly Machine[]): Section | null {
  const blocks: Block[] = [];
  const winners: Cell[][] = [];
  for (const m of machines) {
    for (const w of okRecords(m, "conv.winner")) {
      winners.push([m.label, strParam(w, "net"), strParam(w, "layer"), numCell(numParam(w, "n"), 0), strParam(w, "dtype"), numCell(numParam(w, "threads"), 0), strParam(w, "algo"), numCell(w.median, 1), numCell(numParam(w, "pctPeak"), 1, "%"), String(w.derived?.defaultAlgo ?? "-")]);
    }
    const convs = okRecords(m, "conv");
    for (const [key, recs] of groupBy(convs, (r) => `${strParam(r, "net")} batch ${strParam(r, "n")} ${strParam(r, "dtype")} ${strParam(r, "threads")} thr`)) {
      const layers = [...new Set(recs.map((r) => strParam(r, "layer")))];
      const algos = [...new Set(recs.map((r) => strParam(r, "algo")))];
      const values = (algo: string) => layers.map((l) => recs.find((r) => r.params.layer === l && r.params.algo === algo)?.median ?? null);
      blocks.push({
        kind: "chart",
        chart: barChart(chartId("conv", m.index, key), `Conv algorithms per layer on ${m.label} (${key})`, layers, { title: "layer" }, { title: "GFLOP/s" }, algos.map((a) => ({ label: a, values: values(a) }))),
      });
    }
  }
  if (winners.length) {
    blocks.unshift({ kind: "table", caption: "Fastest checked algorithm per layer", head: ["machine", "net", "layer", "batch", "dtype", "threads", "winner", "GFLOP/s", "% of peak", "default rule picks"], rows: winners, key: true });
  }
  return blocks.length ? { id: "conv", title: "Convolution", blocks } : null;
}
