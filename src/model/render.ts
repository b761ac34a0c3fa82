/** Terminal tables of `armbench model`: engines side by side, memory, and the per-op profile. */
import { formatBytes } from "../format.js";
import { num, renderTable } from "../table.js";
import type { ModelSummary, OpRow, RowCheck } from "./run.js";

/** The answer check as a table cell: what was compared and how closely, or "not checked" and why. */
export function checkCell(c: RowCheck | null): string {
  if (!c) return "-";
  if (c.passed === null) return `not checked (${c.reason})`;
  let text = `cosine ${c.cosine.toFixed(6)} vs ${c.against}${c.passed ? "" : " FAILED"}`;
  const ref = c.reference;
  if (ref) {
    text += ref.passed === null
      ? `; fp32 not checked vs ${ref.against} (${ref.reason})`
      : `; fp32 ${ref.cosine.toFixed(6)} vs ${ref.against}${ref.passed ? "" : " FAILED"}`;
  }
  return text;
}

/** The profile's top layers, and every op type with its share. */
function renderOps(ops: OpRow[], top: number): string {
  const out: string[] = [];
  const groups = new Map<string, OpRow[]>();
  for (const o of ops) {
    const k = `batch ${o.batch}, ${o.threads} thread${o.threads > 1 ? "s" : ""}`;
    groups.set(k, [...(groups.get(k) ?? []), o]);
  }
  for (const [k, rows] of groups) {
    const byType = new Map<string, { ms: number; share: number; count: number }>();
    for (const r of rows) {
      const t = byType.get(r.op) ?? { ms: 0, share: 0, count: 0 };
      byType.set(r.op, { ms: t.ms + r.ms, share: t.share + r.share, count: t.count + 1 });
    }
    const byPart = new Map<string, { ms: number; share: number; count: number }>();
    for (const r of rows) {
      if (!r.part) continue;
      const t = byPart.get(r.part) ?? { ms: 0, share: 0, count: 0 };
      byPart.set(r.part, { ms: t.ms + r.ms, share: t.share + r.share, count: t.count + 1 });
    }
    if (byPart.size) {
      out.push(`\nPer-op profile (${k}): by part of the transformer block`);
      out.push(renderTable(["part", "steps", "ms", "share"],
        [...byPart].sort((a, b) => b[1].ms - a[1].ms).map(([part, t]) => [part, String(t.count), num(t.ms, 3), `${num(100 * t.share, 1)}%`]), { right: [1, 2, 3] }));
    }
    out.push(`\nPer-op profile (${k}): by op type`);
    out.push(renderTable(["op", "nodes", "ms", "share"],
      [...byType].sort((a, b) => b[1].ms - a[1].ms).map(([op, t]) => [op, String(t.count), num(t.ms, 3), `${num(100 * t.share, 1)}%`]), { right: [1, 2, 3] }));
    out.push(`Top ${Math.min(top, rows.length)} nodes`);
    out.push(renderTable(["node", "op", "detail", "ms", "share"],
      [...rows].sort((a, b) => b.ms - a.ms).slice(0, top).map((r) => [r.node, r.op, r.detail, num(r.ms, 3), `${num(100 * r.share, 1)}%`]), { right: [3, 4] }));
  }
  return out.join("\n");
}

export function renderModel(s: ModelSummary): string {
  const tokens = s.item.name === "sequences";
  const rows = s.rows.map((r) => [
    String(r.batch), String(r.threads), r.impl, s.quantize ? `int8 ${s.quantize}` : r.fpmath,
    num(r.p50, 2), num(r.p90, 2), num(r.p99, 2), num(r.min, 2),
    num(r.imagesPerS, 1), ...(tokens ? [num(r.tokensPerS ?? null, 0)] : []), num(r.gflops, 1), r.pctPeak === null ? "-" : `${num(r.pctPeak, 0)}%`,
    checkCell(r.check),
    r.note ?? "",
  ]);
  const head = ["batch", "threads", "engine", "fpmath", "p50", "p90", "p99", "min", `${s.item.name}/s`, ...(tokens ? ["tokens/s"] : []), "GFLOP/s", "% peak", "answer check", "note"];
  const parts = [
    `Model ${s.model}: latency per inference (ms), throughput, % of the measured peak, answer check`,
    renderTable(head, rows, { right: [0, 1, 4, 5, 6, 7, 8, 9, 10, ...(tokens ? [11] : [])] }),
    renderTable(["batch", "GFLOP per inference", "peak activation memory", "arena", "weights"],
      s.memory.map((m) => [String(m.batch), num((s.flops.get(m.batch) ?? 0) / 1e9, 2), formatBytes(m.peakActivationBytes), formatBytes(m.arenaBytes), formatBytes(m.weightBytes)]),
      { right: [0, 1, 2, 3, 4] }),
  ];
  if (s.ops.length) parts.push(renderOps(s.ops, 15));
  return `${parts.join("\n")}\n`;
}
