/** Micro probes: FMA chain curves, peaks, memory latency with cache edges, TLB steps, bandwidth per level. */
import { formatBytes } from "../../format.js";
import type { OkRecord } from "../../results/schema.js";
import { median } from "../../stats.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { chartId, xyChart, type Series } from "../charts.js";
import { groupBy, numParam, okRecords, strParam, type Machine } from "../machines.js";

/** Working sets are plotted in KiB: the axis labels stay short from L1 to DRAM. */
const KIB = 1024;

function formName(r: OkRecord): string {
  return `${strParam(r, "isa")} ${strParam(r, "insn")} ${strParam(r, "bits")}-bit`;
}

function fmaBlocks(machines: readonly Machine[]): Block[] {
  const blocks: Block[] = [];
  const rows: Cell[][] = [];
  for (const m of machines) {
    const find = (name: string, r: OkRecord) => okRecords(m, name).find((x) => formName(x) === formName(r) && x.params.chain === r.params.chain);
    for (const lat of okRecords(m, "micro.fma.latency")) {
      const thr = find("micro.fma.throughput", lat);
      const par = find("micro.fma.parallelism", lat);
      rows.push([m.label, formName(lat), strParam(lat, "dtype"), strParam(lat, "chain"), numCell(lat.median), numCell(thr?.median), numCell(par?.median, 1), numCell(typeof par?.derived?.saturatesAt === "number" ? par.derived.saturatesAt : null, 0), par?.derived?.littleLawAgrees === true ? "yes" : "no"]);
    }
    const chains = okRecords(m, "micro.fma.chains").filter((r) => r.params.chain === "acc");
    if (chains.length === 0) continue;
    const series: Series[] = [];
    const marks: Series = { label: "Little's law: latency x throughput", points: [], scatter: true, marker: "triangle", color: 8 };
    for (const [form, recs] of groupBy(chains, formName)) {
      series.push({ label: form, points: recs.map((r) => ({ x: numParam(r, "k") ?? 0, y: 1 / r.median })) });
      const sample = recs[0]!;
      const thr = find("micro.fma.throughput", sample);
      const par = find("micro.fma.parallelism", sample);
      if (thr && par) marks.points.push({ x: par.median, y: thr.median });
    }
    if (marks.points.length) series.push(marks);
    blocks.push({
      kind: "chart",
      chart: xyChart(chartId("fma", m.index), `FMA chains on ${m.label}: throughput vs independent chains`, { title: "independent chains k" }, { title: "throughput (instr/cycle)" }, series),
    });
  }
  if (rows.length) {
    blocks.unshift({
      kind: "table",
      caption: "FMA latency, throughput and Little's-law parallelism per instruction",
      head: ["machine", "instruction", "dtype", "chain", "latency (cycles)", "throughput (instr/cycle)", "parallelism (chains)", "saturates at k", "Little's law agrees"],
      rows,
      key: true,
    });
  }
  const peaks = machines.flatMap((m) => okRecords(m, "micro.peak").map((r): Cell[] => [m.label, formName(r), strParam(r, "dtype"), numCell(numParam(r, "threads"), 0), numCell(r.median, 1), r.unit]));
  if (peaks.length) blocks.push({ kind: "table", caption: "Measured peak per instruction", head: ["machine", "instruction", "dtype", "threads", "peak", "unit"], rows: peaks, key: true });
  return blocks;
}

function latencyBlocks(machines: readonly Machine[]): Block[] {
  const series: Series[] = [];
  const levelRows: Cell[][] = [];
  let colour = 0;
  for (const m of machines) {
    const curve = okRecords(m, "micro.mem.latency");
    const byPage = groupBy(curve, (r) => strParam(r, "page"));
    for (const [page, recs] of byPage) series.push({ label: `${m.label} ${page} pages`, points: recs.map((r) => ({ x: (numParam(r, "bytes") ?? 0) / KIB, y: r.median })), color: colour++ });
    const ys = curve.map((r) => r.median);
    for (const lvl of okRecords(m, "micro.mem.level")) {
      const bytes = numParam(lvl, "bytes");
      const ns = typeof lvl.derived?.ns === "number" ? lvl.derived.ns : null;
      levelRows.push([m.label, strParam(lvl, "page"), strParam(lvl, "level"), bytes === null ? "-" : { value: bytes, text: formatBytes(bytes) }, numParam(lvl, "sysfsBytes") === null ? "-" : { value: numParam(lvl, "sysfsBytes"), text: formatBytes(numParam(lvl, "sysfsBytes")!) }, numCell(lvl.median, 1), numCell(ns, 2)]);
      // Cache edges from the huge-page curve, where TLB misses do not blur them.
      if (bytes !== null && lvl.params.page === "huge" && lvl.params.level !== "DRAM" && ys.length) {
        series.push({ label: `${m.label} ${strParam(lvl, "level")} edge`, points: [{ x: bytes / KIB, y: Math.min(...ys) }, { x: bytes / KIB, y: Math.max(...ys) }], dashed: true, color: m.index * 2 });
      }
    }
  }
  const blocks: Block[] = [];
  if (series.length) {
    blocks.push({ kind: "chart", chart: xyChart("mem-latency", "Memory latency vs working set (pointer chase)", { title: "working set (KiB)", log: true }, { title: "latency per load (ns)", log: true }, series) });
  }
  if (levelRows.length) {
    blocks.push({ kind: "table", caption: "Detected cache levels", head: ["machine", "pages", "level", "edge at", "sysfs size", "latency (cycles)", "latency (ns)"], rows: levelRows, key: true });
  }
  return blocks;
}

function tlbBlocks(machines: readonly Machine[]): Block[] {
  const series: Series[] = [];
  const rows: Cell[][] = [];
  let colour = 0;
  for (const m of machines) {
    for (const [page, recs] of groupBy(okRecords(m, "micro.tlb"), (r) => strParam(r, "page"))) {
      series.push({ label: `${m.label} ${page}`, points: recs.map((r) => ({ x: numParam(r, "pages") ?? 0, y: r.median })), color: colour++ });
    }
    for (const l of okRecords(m, "micro.tlb.level")) {
      rows.push([m.label, numCell(numParam(l, "level"), 0), numCell(l.median, 0), numCell(typeof l.derived?.stepNs === "number" ? l.derived.stepNs : null, 2), numCell(typeof l.derived?.stepCycles === "number" ? l.derived.stepCycles : null, 1)]);
    }
  }
  const blocks: Block[] = [];
  if (series.length) blocks.push({ kind: "chart", chart: xyChart("tlb", "TLB: latency vs pages touched", { title: "pages touched", log: true }, { title: "latency per load (ns)" }, series) });
  if (rows.length) blocks.push({ kind: "table", caption: "TLB levels (reach in entries, cost of a miss)", head: ["machine", "level", "entries", "step (ns)", "step (cycles)"], rows });
  return blocks;
}

function bandwidthBlocks(machines: readonly Machine[]): Block[] {
  const blocks: Block[] = [];
  const rows: Cell[][] = [];
  for (const m of machines) {
    const recs = okRecords(m, "micro.bandwidth");
    if (recs.length === 0) continue;
    const maxThreads = Math.max(...recs.map((r) => numParam(r, "threads") ?? 1));
    const series: Series[] = [];
    let i = 0;
    for (const [kernel, list] of groupBy(recs, (r) => strParam(r, "kernel"))) {
      for (const t of [...new Set([1, maxThreads])]) {
        const pts = list.filter((r) => numParam(r, "threads") === t).map((r) => ({ x: (numParam(r, "bytes") ?? 0) / KIB, y: r.median }));
        if (pts.length) series.push({ label: `${kernel}, ${t} thread${t > 1 ? "s" : ""}`, points: pts, dashed: t > 1, color: i });
      }
      i++;
      for (const [key, byLevel] of groupBy(list, (r) => `${strParam(r, "threads")}|${String(r.derived?.level ?? "-")}`)) {
        const [threads, level] = key.split("|") as [string, string];
        if (level === "-") continue;
        rows.push([m.label, kernel, level, numCell(Number(threads), 0), numCell(median(byLevel.map((r) => r.median)), 1)]);
      }
    }
    blocks.push({ kind: "chart", chart: xyChart(chartId("bandwidth", m.index), `Bandwidth on ${m.label} vs working set`, { title: "working set (KiB)", log: true }, { title: "bandwidth (GB/s)" }, series) });
  }
  if (rows.length) blocks.push({ kind: "table", caption: "Bandwidth per memory level (median over the level's working sets)", head: ["machine", "kernel", "level", "threads", "GB/s"], rows, key: true });
  return blocks;
}

export function microSection(machines: readonly Machine[]): Section | null {
  const blocks = [...fmaBlocks(machines), ...latencyBlocks(machines), ...tlbBlocks(machines), ...bandwidthBlocks(machines)];
  return blocks.length ? { id: "micro", title: "Micro: FMA, memory latency, TLB, bandwidth", blocks } : null;
}
