/** Terminal tables for `armbench micro`, one per probe, each figure with its spread. */
import { formatBytes } from "../format.js";
import { DISAGREE_RATIO } from "../sysinfo/caches.js";
import type { DocumentedCore } from "../sysinfo/cores.js";
import {
  compareCacheLatency,
  compareCacheSize,
  compareFmaLatency,
  compareFmaThroughput,
  DOCUMENTED_TOLERANCE,
  unknownCoreLine,
  type Comparison,
} from "../sysinfo/documented-compare.js";
import { num, pct, renderTable } from "../table.js";
import { edgeDisagrees } from "./analysis.js";
import { DRAM_LLC_MULTIPLE, type BandwidthSummary } from "./bandwidth.js";
import type { FmaSummary } from "./fma.js";
import type { LatencySummary, TlbSummary } from "./memory.js";

/** The machine's documented core (null: unknown) and the name armbench decoded for it. */
export interface DocumentedView {
  core: DocumentedCore | null;
  coreName: string;
  /** Why nothing is compared although the core may be documented (emulation). */
  why?: string | null;
}

/** A documented figure's cell: the figure, "(!)" past the tolerance, "-" where nothing was compared. */
function docCell(c: Comparison): string {
  if (c.documented === null) return "-";
  const v = Number.isInteger(c.documented) ? String(c.documented) : num(c.documented);
  return `${v}${c.verdict === "agrees" ? "" : " (!)"}`;
}

/**
 * The lines under a table that has documented columns: which core's documents, each
 * figure past the tolerance in words, and why figures were not compared (grouped).
 */
function documentedLines(doc: DocumentedView, items: { label: string; c: Comparison }[]): string {
  if (doc.core === null) return `${doc.why ?? unknownCoreLine(doc.coreName)}\n`;
  let out = `documented: ${doc.core.name}'s published figures (data/cores.json); (!) = measured differs by more than ${DOCUMENTED_TOLERANCE * 100} %\n`;
  for (const { label, c } of items) if (c.verdict === "above" || c.verdict === "below") out += `  (!) ${label}: ${c.note}\n`;
  const why = new Map<string, string[]>();
  for (const { label, c } of items) if (c.verdict === "undocumented") why.set(c.note ?? "", [...(why.get(c.note ?? "") ?? []), label]);
  for (const [note, labels] of why) out += `  not compared: ${labels.join(", ")} (${note})\n`;
  return out;
}

/** Measured only for an unknown core: the documented columns (by index) leave the table. */
function table(head: string[], rows: string[][], right: number[], docCols: number[], doc: DocumentedView): string {
  if (doc.core !== null) return renderTable(head, rows, { right });
  const keep = (_: unknown, i: number) => !docCols.includes(i);
  const shift = (i: number) => i - docCols.filter((d) => d < i).length;
  return renderTable(head.filter(keep), rows.map((r) => r.filter(keep)), { right: right.filter((i) => !docCols.includes(i)).map(shift) });
}

export function renderFma(s: FmaSummary, doc: DocumentedView = { core: null, coreName: "unknown" }): string {
  const items: { label: string; c: Comparison }[] = [];
  const rows = s.rows.map((r) => {
    const lat = compareFmaLatency(doc.core, doc.coreName, r.form, r.chain, r.latency);
    const thr = compareFmaThroughput(doc.core, doc.coreName, r.form, r.throughput);
    items.push({ label: `${r.form} ${r.chain} latency`, c: lat }, { label: `${r.form} ${r.chain} rate`, c: thr });
    return [r.form, r.chain, num(r.latency), docCell(lat), num(r.throughput), docCell(thr), num(r.parallelism, 1), `${r.saturatesAt}${r.agrees ? "" : " (!)"}`, pct(r.spread)];
  });
  const head = ["instruction form", "chain", "latency cyc", "documented", "instr/cycle", "documented", "Little's law chains", "saturates at k", "spread"];
  let out = `FMA latency, throughput and parallelism (acc: result feeds the accumulator only; full: the multiplicands too)\n${table(head, rows, [2, 3, 4, 5, 6, 7, 8], [3, 5], doc)}\n`;
  if (s.rows.length) out += documentedLines(doc, items);
  if (s.skipped.length) out += `skipped: ${s.skipped.map((x) => `${x.form} (${x.reason})`).join(", ")}\n`;
  if (s.peaks.length) {
    const best = new Map<string, number>();
    for (const p of s.peaks) best.set(`${p.dtype}/${p.threads}`, Math.max(best.get(`${p.dtype}/${p.threads}`) ?? 0, p.value));
    const peakRows = [...s.peaks]
      .sort((a, b) => a.dtype.localeCompare(b.dtype) || a.threads - b.threads || b.value - a.value)
      .map((p) => [p.dtype, p.form, String(p.threads), `${num(p.value, 1)} ${p.unit}${best.get(`${p.dtype}/${p.threads}`) === p.value ? " *" : ""}`, pct(p.spread)]);
    out += `\nPeak per instruction form (* = the peak of its dtype, what gemm/conv/model compare against)\n${renderTable(["dtype", "instruction form", "threads", "peak", "spread"], peakRows, { right: [2, 3, 4] })}\n`;
  }
  return out;
}

export function renderLatency(s: LatencySummary, doc: DocumentedView = { core: null, coreName: "unknown" }): string {
  const sizes = [...new Set(s.points.map((p) => p.bytes))].sort((a, b) => a - b);
  const at = (bytes: number, page: string) => s.points.find((p) => p.bytes === bytes && p.page === page);
  const curve = sizes.map((b) => {
    const four = at(b, "4k");
    const huge = at(b, "huge");
    return [formatBytes(b), num(four?.ns), num(four?.firstPassNs), num(huge?.ns), huge ? (huge.hugeObtained ? "yes" : "no") : "-", pct(Math.max(four?.spread ?? 0, huge?.spread ?? 0))];
  });
  const items: { label: string; c: Comparison }[] = [];
  const levels = s.levels.map((l) => {
    const cached = /^L\d+$/.test(l.label);
    const lat = cached ? compareCacheLatency(doc.core, doc.coreName, l.label, l.cycles) : null;
    const size = cached ? compareCacheSize(doc.core, doc.coreName, l.label, l.edgeBytes) : null;
    if (lat && size) items.push({ label: `${l.label} load-to-use (${l.page} pages)`, c: lat }, { label: `${l.label} size (${l.page} pages)`, c: size });
    return [
      l.page,
      l.label,
      num(l.ns),
      num(l.cycles, 1),
      lat ? docCell(lat) : "-",
      formatBytes(l.edgeBytes),
      size?.documented != null ? `${formatBytes(size.documented)}${size.verdict === "agrees" ? "" : " (!)"}` : "-",
      l.cacheBytes === null ? "-" : `${formatBytes(l.cacheBytes)} (${l.cacheSource})${edgeDisagrees(l) ? " (!)" : ""}`,
      num(l.tlbShareNs),
    ];
  });
  const flagged = s.levels.some(edgeDisagrees);
  return (
    `Memory latency by pointer chasing (ns per load; first pass = a freshly randomised chain)\n` +
    `${renderTable(["working set", "4K ns", "4K first pass", "huge ns", "huge obtained", "spread"], curve, { right: [1, 2, 3, 5] })}\n\n` +
    `Cache levels read off the curve, beside the machine's cache sizes (and where each size came from)\n` +
    `${table(["pages", "level", "latency ns", "cycles", "documented", "inferred size", "documented", "cache size (source)", "TLB share ns"], levels, [2, 3, 4, 5, 6, 8], [4, 6], doc)}\n` +
    (flagged ? `(!) the curve's edge and the cache size differ by more than ${DISAGREE_RATIO}x: both are shown\n` : "") +
    (s.levels.length ? documentedLines(doc, items) : "")
  );
}

export function renderTlb(s: TlbSummary): string {
  const levels = s.levels.map((l, i) => [`TLB level ${i + 1}`, String(l.entries), formatBytes(l.entries * 4096), num(l.stepNs)]);
  const curve = s.points.map((p) => [String(p.pages), num(p.nsDense), num(p.ns4k), num(p.ns4k - p.nsDense), num(p.nsHuge)]);
  return (
    `TLB reach (one line per 4 KiB page; TLB cost = that minus a dense chase of as many lines)\n` +
    `${renderTable(["pages", "dense ns", "4K ns", "TLB cost ns", "huge ns"], curve, { right: [0, 1, 2, 3, 4] })}\n` +
    (levels.length
      ? `${renderTable(["level", "entries (reach in pages)", "reach", "extra ns past it"], levels, { right: [1, 2, 3] })}\n`
      : "no TLB step was found in the page range tested\n")
  );
}

export function renderBandwidth(s: BandwidthSummary): string {
  const levels = s.levels;
  const groups = new Map<string, BandwidthSummary["points"]>();
  for (const p of s.points) {
    const key = `${p.kernel}|${p.isa}|${p.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const rows = [...groups.entries()].map(([key, pts]) => {
    const [kernel, isa, threads] = key.split("|");
    const cells = levels.map((lv) => {
      const inLevel = pts.filter((p) => p.level === lv).map((p) => p.gbs).sort((a, b) => a - b);
      return inLevel.length ? num(inLevel[Math.floor((inLevel.length - 1) / 2)]!, 1) : "missing";
    });
    return [kernel!, isa!, threads!, ...cells, pct(Math.max(...pts.map((p) => p.spread)))];
  });
  const right = Array.from({ length: levels.length + 2 }, (_, i) => i + 2);
  let out =
    `Bandwidth, GB/s (median over the working sets of each level; DRAM from ${DRAM_LLC_MULTIPLE}x the last-level cache; "missing": no working set fell in that level)\n` +
    `${renderTable(["kernel", "isa", "threads", ...levels, "max spread"], rows, { right })}\n`;
  if (s.skipped.length) out += `skipped: ${s.skipped.map((x) => `${x.kernel} (${x.reason})`).join(", ")}\n`;
  if (s.loaded.length) {
    const lrows = s.loaded.map((l) => [l.pauseNs ? `${l.pauseNs} ns` : "none (flat out)", num(l.bandwidthGBs, 1), num(l.latencyNs, 1)]);
    out += `\nLoaded latency: one chaser while ${s.loaded[0]!.streamers} core(s) stream\n${renderTable(["streamer pause per 64 KiB", "streamed GB/s", "chaser ns/load"], lrows, { right: [1, 2] })}\n`;
  }
  return out;
}
