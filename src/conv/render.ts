/** Terminal table for `armbench conv`: per layer, each algorithm and the winner. */
import { num, pct, renderTable } from "../table.js";
import type { ConvSummary } from "./run.js";

export function renderConv(s: ConvSummary): string {
  const peaks = s.peaks.map((p) => [p.dtype, String(p.threads), p.peak ? `${num(p.peak.gflops, 1)} GFLOP/s` : "-", p.peak?.form ?? "no form runs here"]);
  const rows = s.rows.map((r) => [
    r.layer.name,
    `${r.n}x${r.layer.c}x${r.layer.h}x${r.layer.w} -> ${r.layer.k}, ${r.layer.r}x${r.layer.s}/${r.layer.stride}${r.layer.groups > 1 ? ` g${r.layer.groups}` : ""}`,
    r.dtype,
    String(r.threads),
    `${r.algo}${r.winner ? " *" : ""}${r.cached ? " (cached)" : ""}`,
    num(r.gflops, 1),
    r.pctPeak === null ? "-" : `${r.pctPeak.toFixed(0)}%`,
    r.maxRelErr === null ? "-" : r.maxRelErr.toExponential(1),
    r.spread === null ? "-" : pct(r.spread),
    r.note ?? "",
  ]);
  const cached = s.fromCache ? `${s.fromCache} layer case${s.fromCache > 1 ? "s" : ""} took the algorithm from the fast-run cache (only it was timed)\n\n` : "";
  return (
    cached +
    `Measured peaks (the 100 % of the % column)\n${renderTable(["dtype", "threads", "peak", "instruction form"], peaks, { right: [1, 2] })}\n\n` +
    `Convolution, GFLOP/s (median; * = the layer's winner), % of peak, max relative error\n` +
    `${renderTable(["layer", "shape (n x c x h x w -> k, kernel/stride)", "dtype", "threads", "algorithm", "GFLOP/s", "% peak", "max rel err", "spread", "note"], rows, { right: [3, 5, 6, 7, 8] })}\n`
  );
}
