/** GEMM: GFLOP/s vs size per implementation under the measured peak, bf16 over fp32, thread scaling. */
import type { OkRecord } from "../../results/schema.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { chartId, machineDash, xyChart, type Series } from "../charts.js";
import { groupBy, numParam, okRecords, strParam, type Machine } from "../machines.js";

function shape(r: OkRecord): string {
  return `${strParam(r, "m")}x${strParam(r, "n")}x${strParam(r, "k")}`;
}

function maxThreads(recs: readonly OkRecord[]): number {
  return Math.max(1, ...recs.map((r) => numParam(r, "threads") ?? 1));
}

function sizeCharts(machines: readonly Machine[]): Block[] {
  const blocks: Block[] = [];
  const dtypes = [...new Set(machines.flatMap((m) => okRecords(m, "gemm").map((r) => strParam(r, "dtype"))))];
  for (const dtype of dtypes) {
    const series: Series[] = [];
    // Colour says the implementation, the dash pattern the machine.
    const impls = [...new Set(machines.flatMap((m) => okRecords(m, "gemm").map((r) => r.impl)))];
    for (const m of machines) {
      const square = okRecords(m, "gemm").filter((r) => r.params.set === "square" && r.params.dtype === dtype);
      if (square.length === 0) continue;
      const t = maxThreads(square);
      const sizes = square.map((r) => numParam(r, "m") ?? 0);
      for (const [impl, recs] of groupBy(square.filter((r) => numParam(r, "threads") === t), (r) => r.impl)) {
        series.push({ label: `${m.label} ${impl}`, points: recs.map((r) => ({ x: numParam(r, "m") ?? 0, y: r.median })), color: impls.indexOf(impl), dash: machineDash(m.index) });
      }
      const peak = okRecords(m, "gemm.peak").find((r) => r.params.dtype === dtype && numParam(r, "threads") === t);
      if (peak) series.push({ label: `${m.label} measured ${dtype} peak (${t} thr)`, points: [{ x: Math.min(...sizes), y: peak.median }, { x: Math.max(...sizes), y: peak.median }], color: 7 + m.index, dash: [10, 5] });
    }
    if (series.length) {
      blocks.push({ kind: "chart", chart: xyChart(chartId("gemm-size", dtype), `GEMM ${dtype}: GFLOP/s vs square size (all threads), measured peak dashed`, { title: "m = n = k", log: true }, { title: "GFLOP/s" }, series) });
    }
  }
  return blocks;
}

function bf16Speedup(machines: readonly Machine[]): Block[] {
  const rows: Cell[][] = [];
  for (const m of machines) {
    const ours = okRecords(m, "gemm").filter((r) => r.impl === "armbench");
    for (const fp32 of ours.filter((r) => r.params.dtype === "fp32")) {
      const bf16 = ours.find((r) => r.params.dtype === "bf16" && shape(r) === shape(fp32) && r.params.threads === fp32.params.threads);
      if (bf16) rows.push([m.label, strParam(fp32, "shape") || shape(fp32), numCell(numParam(fp32, "threads"), 0), numCell(fp32.median, 1), numCell(bf16.median, 1), numCell(bf16.median / fp32.median, 2, "x")]);
    }
  }
  return rows.length ? [{ kind: "table", caption: "bf16 over fp32 (armbench GEMM)", head: ["machine", "shape", "threads", "fp32 GFLOP/s", "bf16 GFLOP/s", "bf16 speedup"], rows, key: true }] : [];
}

function oursAgainstPeers(machines: readonly Machine[]): Block[] {
  const rows: Cell[][] = [];
  for (const m of machines) {
    const all = okRecords(m, "gemm");
    for (const ours of all.filter((r) => r.impl === "armbench")) {
      const peers = all.filter((r) => r.impl !== "armbench" && shape(r) === shape(ours) && r.params.dtype === ours.params.dtype && r.params.threads === ours.params.threads);
      const best = peers.reduce<OkRecord | null>((a, b) => (!a || b.median > a.median ? b : a), null);
      if (best) rows.push([m.label, strParam(ours, "dtype"), strParam(ours, "shape") || shape(ours), numCell(numParam(ours, "threads"), 0), numCell(ours.median, 1), best.impl, numCell(best.median, 1), numCell(ours.median / best.median, 2, "x")]);
    }
  }
  return rows.length ? [{ kind: "table", caption: "armbench against the best peer library per case", head: ["machine", "dtype", "shape", "threads", "armbench GFLOP/s", "best peer", "peer GFLOP/s", "armbench / peer"], rows, key: true }] : [];
}

function threadScaling(machines: readonly Machine[]): Block[] {
  const series: Series[] = [];
  let colour = 0;
  for (const m of machines) {
    const square = okRecords(m, "gemm").filter((r) => r.params.set === "square" && r.impl === "armbench");
    const biggest = Math.max(0, ...square.map((r) => numParam(r, "m") ?? 0));
    for (const [dtype, recs] of groupBy(square.filter((r) => numParam(r, "m") === biggest), (r) => strParam(r, "dtype"))) {
      if (new Set(recs.map((r) => r.params.threads)).size < 2) continue;
      series.push({ label: `${m.label} ${dtype} ${biggest}^3`, points: recs.map((r) => ({ x: numParam(r, "threads") ?? 1, y: r.median })), color: colour++ });
    }
  }
  return series.length ? [{ kind: "chart", chart: xyChart("gemm-threads", "GEMM thread scaling (largest square size, armbench)", { title: "threads" }, { title: "GFLOP/s" }, series) }] : [];
}

function allCases(machines: readonly Machine[]): Block[] {
  const rows = machines.flatMap((m) =>
    okRecords(m, "gemm").map((r): Cell[] => [m.label, r.impl, strParam(r, "kernel"), strParam(r, "dtype"), strParam(r, "shape"), shape(r), numCell(numParam(r, "threads"), 0), numCell(r.median, 1), numCell(numParam(r, "pctPeak"), 1, "%")]),
  );
  const failed = machines.flatMap((m) => m.records.filter((r) => r.suite === "gemm" && r.status !== "ok").map((r): Cell[] => [m.label, r.impl, r.status, r.status === "ok" ? "" : r.reason]));
  const blocks: Block[] = [];
  if (rows.length) blocks.push({ kind: "table", caption: "Every GEMM case", head: ["machine", "impl", "kernel", "dtype", "shape", "m x n x k", "threads", "GFLOP/s", "% of peak"], rows });
  if (failed.length) blocks.push({ kind: "table", caption: "GEMM cases that did not run", head: ["machine", "impl", "status", "reason"], rows: failed });
  return blocks;
}

export function gemmSection(machines: readonly Machine[]): Section | null {
  const blocks = [...sizeCharts(machines), ...oursAgainstPeers(machines), ...bf16Speedup(machines), ...threadScaling(machines), ...allCases(machines)];
  return blocks.length ? { id: "gemm", title: "GEMM", blocks } : null;
}
