/** Micro probes: FMA chain curves, peaks, memory latency with cache edges, TLB steps, bandwidth per level. */
import { formatBytes } from "../../format.js";
import type { OkRecord } from "../../results/schema.js";
import { median } from "../../stats.js";
import { dataLevels } from "../../sysinfo/caches.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { cacheName, dataCache, sizeWithSource } from "../caches.js";
import { chartId, xyChart, type Series } from "../charts.js";
import { groupBy, numParam, okRecords, strParam, type Machine } from "../machines.js";
import { documentedBlocks } from "./documented.js";

/** Working sets are plotted in KiB: the axis labels stay short from L1 to DRAM. */
const KIB = 1024;

function formLabel(r: OkRecord): string {
  return `${strParam(r, "isa")} ${strParam(r, "insn")} ${strParam(r, "bits")}-bit`;
}

/** One instruction form: Arm's FMLA is one mnemonic for fp32, fp64 and fp16, so the dtype is part of it. */
function formName(r: OkRecord): string {
  return `${formLabel(r)} ${strParam(r, "dtype")}`;
}

/**
 * FMA chart families: forms whose curves share a scale and a question (plain vector FMA,
 * wide vectors, dot products and matrices), so no chart holds more than a handful of lines.
 * The first rule that matches a form's ISA (and instruction) names its family.
 */
const FMA_FAMILIES: readonly { name: string; isa: RegExp; insn?: RegExp }[] = [
  { name: "x86 FMA (AVX2)", isa: /^fma$/ },
  { name: "x86 AVX-512", isa: /^avx512$/ },
  { name: "x86 AMX", isa: /^amx/ },
  { name: "x86 BF16 and VNNI dot products", isa: /^avx512_|^avx_vnni/ },
  { name: "Arm NEON FMA", isa: /^neon$/, insn: /^f/ },
  { name: "Arm NEON dot product and matrix", isa: /^neon$/ },
  { name: "Arm SVE", isa: /^sve/ },
];

const FMA_READING =
  "How to read the FMA charts: with k independent accumulator chains a core keeps k instructions in flight, so throughput rises with k while latency limits it, then flattens at what the core can issue per cycle. Each triangle sits at latency x throughput chains (Little's law), where that curve should flatten.";

export function fmaFamily(r: OkRecord): string {
  const isa = strParam(r, "isa");
  const insn = strParam(r, "insn");
  return FMA_FAMILIES.find((f) => f.isa.test(isa) && (!f.insn || f.insn.test(insn)))?.name ?? isa;
}

function fmaBlocks(machines: readonly Machine[]): Block[] {
  const blocks: Block[] = [];
  const rows: Cell[][] = [];
  for (const m of machines) {
    const find = (name: string, r: OkRecord) => okRecords(m, name).find((x) => formName(x) === formName(r) && x.params.chain === r.params.chain);
    for (const lat of okRecords(m, "micro.fma.latency")) {
      const thr = find("micro.fma.throughput", lat);
      const par = find("micro.fma.parallelism", lat);
      rows.push([m.label, formLabel(lat), strParam(lat, "dtype"), strParam(lat, "chain"), numCell(lat.median), numCell(thr?.median), numCell(par?.median, 1), numCell(typeof par?.derived?.saturatesAt === "number" ? par.derived.saturatesAt : null, 0), par?.derived?.littleLawAgrees === true ? "yes" : "no"]);
    }
    const chains = okRecords(m, "micro.fma.chains").filter((r) => r.params.chain === "acc");
    if (chains.length && !blocks.length) blocks.push({ kind: "note", text: FMA_READING });
    for (const [family, inFamily] of groupBy(chains, fmaFamily)) {
      const series: Series[] = [];
      const marks: Series = { label: "Little's law: latency x throughput", points: [], scatter: true, marker: "triangle", color: 8 };
      for (const [form, recs] of groupBy(inFamily, formName)) {
        series.push({ label: form, points: recs.map((r) => ({ x: numParam(r, "k") ?? 0, y: 1 / r.median })) });
        const sample = recs[0]!;
        const thr = find("micro.fma.throughput", sample);
        const par = find("micro.fma.parallelism", sample);
        if (thr && par) marks.points.push({ x: par.median, y: thr.median });
      }
      if (marks.points.length) series.push(marks);
      blocks.push({
        kind: "chart",
        chart: xyChart(chartId("fma", m.index, family), `FMA chains on ${m.label}, ${family}: throughput vs independent chains`, { title: "independent chains k" }, { title: "throughput (instr/cycle)" }, series),
      });
    }
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
  const peaks = machines.flatMap((m) => okRecords(m, "micro.peak").map((r): Cell[] => [m.label, formLabel(r), strParam(r, "dtype"), numCell(numParam(r, "threads"), 0), numCell(r.median, 1), r.unit]));
  if (peaks.length) blocks.push({ kind: "table", caption: "Measured peak per instruction", head: ["machine", "instruction", "dtype", "threads", "peak", "unit"], rows: peaks, key: true });
  return blocks;
}

/**
 * The cache size the latency probe set a level's edge beside, with its source: the
 * record's own (the environment's level where it is the same, for any disagreeing
 * source), else the environment's; files written before sizes had sources used sysfs.
 */
function reportedSize(m: Machine, lvl: OkRecord): Cell {
  const c = dataCache(m.env, strParam(lvl, "level"));
  const own =
    lvl.params.cacheBytes !== undefined
      ? { bytes: numParam(lvl, "cacheBytes"), source: strParam(lvl, "cacheSource") || "source unknown" }
      : lvl.params.sysfsBytes !== undefined
        ? { bytes: numParam(lvl, "sysfsBytes"), source: "sysfs" }
        : null;
  if (own === null) return c ? { value: c.sizeBytes, text: sizeWithSource(c) } : "-";
  if (own.bytes === null) return "-";
  if (c && c.sizeBytes === own.bytes && c.source === own.source) return { value: own.bytes, text: sizeWithSource(c) };
  return { value: own.bytes, text: `${formatBytes(own.bytes)} (${own.source})` };
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
    const vertical = (bytes: number) => [{ x: bytes / KIB, y: Math.min(...ys) }, { x: bytes / KIB, y: Math.max(...ys) }];
    for (const lvl of okRecords(m, "micro.mem.level")) {
      const bytes = numParam(lvl, "bytes");
      const ns = typeof lvl.derived?.ns === "number" ? lvl.derived.ns : null;
      const reported = reportedSize(m, lvl);
      levelRows.push([m.label, strParam(lvl, "page"), strParam(lvl, "level"), bytes === null ? "-" : { value: bytes, text: formatBytes(bytes) }, reported, numCell(lvl.median, 1), numCell(ns, 2)]);
      // Cache edges from the huge-page curve, where TLB misses do not blur them.
      if (bytes !== null && lvl.params.page === "huge" && lvl.params.level !== "DRAM" && ys.length) {
        const beside = typeof reported === "string" ? "" : `; the machine reports ${reported.text}`;
        series.push({ label: `${m.label} ${strParam(lvl, "level")} edge measured at ${formatBytes(bytes)}${beside}`, points: vertical(bytes), dashed: true, color: 3 + m.index * 2 });
      }
    }
    // The sizes the machine reports, beside the measured edges: a wrong source shows as a step away from its line.
    if (ys.length) {
      for (const c of dataLevels(m.env.caches)) {
        series.push({ label: `${m.label} ${cacheName(c)} size ${sizeWithSource(c)}`, points: vertical(c.sizeBytes), dashed: true, dash: [2, 4], color: 8 });
      }
    }
  }
  const blocks: Block[] = [];
  if (series.length) {
    blocks.push({ kind: "chart", chart: xyChart("mem-latency", "Memory latency vs working set (pointer chase)", { title: "working set (KiB)", log: true }, { title: "latency per load (ns)", log: true }, series) });
    blocks.push({ kind: "note", text: "Dashed lines: cache edges read off the huge-page curve. Dotted grey lines: the cache sizes the machine reports, each with its source (see Systems)." });
  }
  if (levelRows.length) {
    blocks.push({ kind: "table", caption: "Detected cache levels", head: ["machine", "pages", "level", "edge measured at", "reported size (source)", "latency (cycles)", "latency (ns)"], rows: levelRows, key: true });
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

/** The levels a bandwidth sweep should cover: every data or unified cache, then DRAM. */
function memoryLevels(m: Machine): string[] {
  return [...new Set(dataLevels(m.env.caches).map((c) => `L${c.level}`)), "DRAM"];
}

function levelSize(m: Machine, level: string): Cell {
  const c = dataCache(m.env, level);
  return c ? { value: c.sizeBytes, text: sizeWithSource(c) } : "-";
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
      for (const [threads, byThreads] of groupBy(list, (r) => strParam(r, "threads"))) {
        const byLevel = groupBy(byThreads, (r) => String(r.derived?.level ?? "-"));
        // A level no working set fell in is named, so a missing figure is not mistaken for an absent level.
        for (const level of [...new Set([...memoryLevels(m), ...byLevel.keys()])]) {
          if (level === "-") continue;
          const inLevel = byLevel.get(level) ?? [];
          rows.push([m.label, kernel, level, levelSize(m, level), numCell(Number(threads), 0), numCell(inLevel.length, 0), inLevel.length ? numCell(median(inLevel.map((r) => r.median)), 1) : { value: null, text: "missing" }]);
        }
      }
    }
    blocks.push({ kind: "chart", chart: xyChart(chartId("bandwidth", m.index), `Bandwidth on ${m.label} vs working set`, { title: "working set (KiB)", log: true }, { title: "bandwidth (GB/s)" }, series) });
  }
  if (rows.length) {
    blocks.push({ kind: "table", caption: "Bandwidth per memory level (median over the level's working sets)", head: ["machine", "kernel", "level", "level size (source)", "threads", "working sets", "GB/s"], rows, key: true });
  }
  return blocks;
}

export function microSection(machines: readonly Machine[]): Section | null {
  const blocks = [...fmaBlocks(machines), ...documentedBlocks(machines), ...latencyBlocks(machines), ...tlbBlocks(machines), ...bandwidthBlocks(machines)];
  return blocks.length ? { id: "micro", title: "Micro: FMA, memory latency, TLB, bandwidth", blocks } : null;
}
