/** GEMM: GFLOP/s (GOP/s for int8) vs size per implementation under the measured peak, bf16 and int8 over fp32, thread scaling. */
import { unitOf } from "../../micro/peak-book.js";
import { DTYPE_PEAK } from "../../results/headline.js";
import { caseParams } from "../../results/identity.js";
import type { OkRecord, ResultRecord } from "../../results/schema.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { chartId, machineDash, xyChart, type Series } from "../charts.js";
import { groupBy, numParam, okRecords, strParam, type Machine } from "../machines.js";

function shape(r: ResultRecord): string {
  return `${strParam(r, "m")}x${strParam(r, "n")}x${strParam(r, "k")}`;
}

function maxThreads(recs: readonly OkRecord[]): number {
  return Math.max(1, ...recs.map((r) => numParam(r, "threads") ?? 1));
}

/** The params that say which GEMM case ran; every other identity param says how (a peer's run, an override, a warm cache). */
const CASE_PARAMS = new Set(["m", "n", "k", "shape", "set", "dtype", "threads"]);
/** The palette's black: the measured peak's line. */
const PEAK_COLOUR = 7;
/** The params one line of the size chart runs along. */
const SIZE_PARAMS = new Set(["m", "n", "k", "shape"]);

/** A record's variant: its identity params that are not the case, e.g. a peer's "run" or "override". */
function variantParams(r: ResultRecord): [string, unknown][] {
  return caseParams(r).filter(([k]) => !CASE_PARAMS.has(k));
}

/** "as-detected, OPENBLAS_CORETYPE=SkylakeX, warm": what is not the default, each value as itself where it reads alone. */
function variantText(params: readonly [string, unknown][]): string {
  return params
    .filter(([, v]) => v !== null && v !== false && v !== "")
    .map(([k, v]) => (typeof v === "string" ? v : v === true ? k : `${k} ${String(v)}`))
    .join(", ");
}

/**
 * One line per implementation and variant: the key is the record's whole identity but
 * its size, so two variants of one library (as detected, forced) never join into one
 * zig-zag line, whatever the field that tells them apart is called.
 */
function seriesKey(r: OkRecord): string {
  return JSON.stringify([r.impl, r.unit, caseParams(r).filter(([k]) => !SIZE_PARAMS.has(k))]);
}

/** "openblas (SkylakeX, forced)": the kernel when one ran at every size, then the variant. */
function seriesLabel(recs: readonly OkRecord[]): string {
  const first = recs[0]!;
  const kernels = new Set(recs.map((r) => strParam(r, "kernel")));
  const kernel = kernels.size === 1 ? [...kernels][0]!.replace(`${first.impl}:`, "") : "";
  const parts = [kernel, variantText(variantParams(first))].filter(Boolean);
  return `${first.impl}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

function sizeCharts(machines: readonly Machine[]): Block[] {
  const blocks: Block[] = [];
  const dtypes = [...new Set(machines.flatMap((m) => okRecords(m, "gemm").map((r) => strParam(r, "dtype"))))];
  const variants = [...new Set(machines.flatMap((m) => okRecords(m, "gemm").map((r) => JSON.stringify([r.impl, variantParams(r)]))))];
  for (const dtype of dtypes) {
    const series: Series[] = [];
    // Colour says the implementation and variant (the same in every chart), the dash pattern the machine; black is the peak's.
    const colourOf = (r: OkRecord) => {
      const i = variants.indexOf(JSON.stringify([r.impl, variantParams(r)]));
      return i >= PEAK_COLOUR ? i + 1 : i;
    };
    for (const m of machines) {
      const square = okRecords(m, "gemm").filter((r) => r.params.set === "square" && r.params.dtype === dtype);
      if (square.length === 0) continue;
      const t = maxThreads(square);
      const sizes = square.map((r) => numParam(r, "m") ?? 0);
      for (const recs of groupBy(square.filter((r) => numParam(r, "threads") === t), seriesKey).values()) {
        series.push({ label: `${m.label} ${seriesLabel(recs)}`, points: recs.map((r) => ({ x: numParam(r, "m") ?? 0, y: r.median })), color: colourOf(recs[0]!), dash: machineDash(m.index) });
      }
      // Files written before the one dtype peak kept a copy as gemm.peak.
      const peakOf = (name: string) => okRecords(m, name).find((r) => r.params.dtype === dtype && numParam(r, "threads") === t);
      const peak = peakOf(DTYPE_PEAK) ?? peakOf("gemm.peak");
      if (peak) series.push({ label: `${m.label} measured ${dtype} peak (${t} thr)`, points: [{ x: Math.min(...sizes), y: peak.median }, { x: Math.max(...sizes), y: peak.median }], color: PEAK_COLOUR, dash: machineDash(m.index).length ? machineDash(m.index) : [10, 5] });
    }
    if (series.length) {
      const unit = unitOf(dtype);
      blocks.push({ kind: "chart", chart: xyChart(chartId("gemm-size", dtype), `GEMM ${dtype}: ${unit} vs square size (all threads), measured peak dashed`, { title: "m = n = k", log: true }, { title: unit }, series) });
    }
  }
  return blocks;
}

/** Our bf16 and int8 GEMM beside our fp32 on the same case: the speed-up the narrower type buys. */
function narrowSpeedup(machines: readonly Machine[]): Block[] {
  const rows: Cell[][] = [];
  for (const m of machines) {
    const ours = okRecords(m, "gemm").filter((r) => r.impl === "armbench");
    for (const fp32 of ours.filter((r) => r.params.dtype === "fp32")) {
      const same = (dtype: string) => ours.find((r) => r.params.dtype === dtype && shape(r) === shape(fp32) && r.params.threads === fp32.params.threads);
      const bf16 = same("bf16");
      const int8 = same("int8");
      if (!bf16 && !int8) continue;
      rows.push([
        m.label, strParam(fp32, "shape") || shape(fp32), numCell(numParam(fp32, "threads"), 0), numCell(fp32.median, 1),
        numCell(bf16?.median ?? null, 1), numCell(bf16 ? bf16.median / fp32.median : null, 2, "x"),
        numCell(int8?.median ?? null, 1), numCell(int8 ? int8.median / fp32.median : null, 2, "x"),
      ]);
    }
  }
  return rows.length ? [{ kind: "table", caption: "bf16 and int8 over fp32 (armbench GEMM)", head: ["machine", "shape", "threads", "fp32 GFLOP/s", "bf16 GFLOP/s", "bf16 speedup", "int8 GOP/s", "int8 speedup"], rows, key: true }] : [];
}

function oursAgainstPeers(machines: readonly Machine[]): Block[] {
  const rows: Cell[][] = [];
  for (const m of machines) {
    const all = okRecords(m, "gemm");
    for (const ours of all.filter((r) => r.impl === "armbench")) {
      const peers = all.filter((r) => r.impl !== "armbench" && shape(r) === shape(ours) && r.params.dtype === ours.params.dtype && r.params.threads === ours.params.threads);
      const best = peers.reduce<OkRecord | null>((a, b) => (!a || b.median > a.median ? b : a), null);
      if (best) rows.push([m.label, strParam(ours, "dtype"), strParam(ours, "shape") || shape(ours), numCell(numParam(ours, "threads"), 0), numCell(ours.median, 1), seriesLabel([best]), numCell(best.median, 1), numCell(ours.median / best.median, 2, "x")]);
    }
  }
  return rows.length ? [{ kind: "table", caption: "armbench against the best peer library per case", head: ["machine", "dtype", "shape", "threads", "armbench G(FL)OP/s", "best peer", "peer G(FL)OP/s", "armbench / peer"], rows, key: true }] : [];
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
  return series.length ? [{ kind: "chart", chart: xyChart("gemm-threads", "GEMM thread scaling (largest square size, armbench)", { title: "threads" }, { title: "GFLOP/s (GOP/s for int8)" }, series) }] : [];
}

/** Past this many values a list of cases is cut short: the count says the rest. */
const LIST_AT_MOST = 6;

function valueList(values: readonly unknown[]): string {
  const distinct = [...new Set(values.map((v) => (v === null || v === undefined ? "none" : String(v))))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return distinct.length <= LIST_AT_MOST ? distinct.join(", ") : `${distinct.slice(0, LIST_AT_MOST - 1).join(", ")} and ${distinct.length - LIST_AT_MOST + 1} more`;
}

/** The cases a group of records covers, compactly: "shape 64^3, 256^3; dtype bf16; threads 2". */
function casesText(recs: readonly ResultRecord[]): string {
  const sized = recs.filter((r) => numParam(r, "m") !== null);
  const parts: string[] = [];
  // A record without a size stands for every case its library could not run.
  if (sized.length < recs.length) parts.push("every case");
  if (sized.length) parts.push(`shape ${valueList(sized.map((r) => strParam(r, "shape") || shape(r)))}`);
  const keys = [...new Set(recs.flatMap((r) => caseParams(r).map(([k]) => k)))].filter((k) => !SIZE_PARAMS.has(k));
  const order = (k: string) => ["dtype", "threads"].indexOf(k) + 1 || 3;
  for (const k of keys.sort((a, b) => order(a) - order(b) || a.localeCompare(b))) parts.push(`${k} ${valueList(recs.map((r) => r.params[k]))}`);
  return parts.join("; ");
}

/** The kernel, and for ours the blocking that ran and where it came from (tuning: measured, cache, default, forced). */
function kernelText(r: OkRecord): string {
  const b = r.derived?.blocking;
  return typeof b === "string" ? `${strParam(r, "kernel")} [mc,kc,nc ${b}, ${String(r.derived?.tuning ?? "default")}]` : strParam(r, "kernel");
}

function allCases(machines: readonly Machine[]): Block[] {
  const rows = machines.flatMap((m) =>
    okRecords(m, "gemm").map((r): Cell[] => [m.label, r.impl, variantText(variantParams(r)), kernelText(r), strParam(r, "dtype"), strParam(r, "shape"), shape(r), numCell(numParam(r, "threads"), 0), numCell(r.median, 1), numCell(numParam(r, "pctPeak"), 1, "%")]),
  );
  // One line per reason: a library that is missing fails every case for the same reason.
  const failed: Cell[][] = [];
  for (const m of machines) {
    const notRun = m.records.filter((r) => r.suite === "gemm" && r.status !== "ok");
    for (const recs of groupBy(notRun, (r) => JSON.stringify([r.status, r.status === "ok" ? "" : r.reason])).values()) {
      const r = recs[0]!;
      failed.push([m.label, [...new Set(recs.map((x) => x.impl))].join(", "), r.status, numCell(recs.length, 0), casesText(recs), r.status === "ok" ? "" : r.reason]);
    }
  }
  const blocks: Block[] = [];
  if (rows.length) blocks.push({ kind: "table", caption: "Every GEMM case", head: ["machine", "impl", "variant", "kernel", "dtype", "shape", "m x n x k", "threads", "G(FL)OP/s", "% of peak"], rows });
  if (failed.length) blocks.push({ kind: "table", caption: "GEMM cases that did not run, one line per reason", head: ["machine", "impl", "status", "cases", "which cases", "reason"], rows: failed });
  return blocks;
}

export function gemmSection(machines: readonly Machine[]): Section | null {
  const blocks = [...sizeCharts(machines), ...oursAgainstPeers(machines), ...narrowSpeedup(machines), ...threadScaling(machines), ...allCases(machines)];
  return blocks.length ? { id: "gemm", title: "GEMM", blocks } : null;
}
