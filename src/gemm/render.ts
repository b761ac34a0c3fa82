/** Terminal tables for `armbench gemm`: every case and implementation, then the ratios. */
import { unitOf } from "../micro/peak-book.js";
import { num, pct, renderTable } from "../table.js";
import type { GemmRow, GemmSummary } from "./run.js";
import type { TunedChoice } from "./tune.js";

/** "as detected", "as configured: OPENBLAS_CORETYPE=Haswell", "forced: BLIS_ARCH_TYPE=skx". */
const runLabel = (run: NonNullable<GemmRow["run"]>, env: string | null) => `${run.replace("-", " ")}${env ? `: ${env}` : ""}`;
const label = (r: GemmRow) => (r.run ? `${r.kernel} [${runLabel(r.run, r.peerEnv)}]` : r.kernel);
const keyOf = (r: GemmRow) => `${r.case.set}|${r.case.name}`;

export function renderGemm(s: GemmSummary): string {
  const peaks = s.peaks.map((p) => [p.dtype, String(p.threads), p.peak ? `${num(p.peak.gflops, 1)} ${unitOf(p.dtype)}` : "-", p.peak?.form ?? "no form runs here", p.peak?.source ?? "-"]);
  const rows = s.rows.map((r) => [
    r.case.name,
    r.case.m ? `${r.case.m}x${r.case.n}x${r.case.k}` : "-",
    r.dtype,
    r.threads ? String(r.threads) : "-",
    r.impl,
    label(r),
    num(r.gflops, 1),
    r.pctPeak === null ? "-" : `${r.pctPeak.toFixed(0)}%`,
    r.spread === null ? "-" : pct(r.spread),
    r.note ?? "",
  ]);
  let out =
    `Measured peaks (the 100 % of the % columns)\n${renderTable(["dtype", "threads", "peak", "instruction form", "source"], peaks, { right: [1, 2] })}\n\n` +
    `GEMM, GFLOP/s (GOP/s for int8; median) and % of the measured peak of its dtype and thread count\n` +
    `${renderTable(["shape", "m x n x k", "dtype", "threads", "impl", "kernel / variant", "G(FL)OP/s", "% peak", "spread", "note"], rows, { right: [3, 6, 7, 8] })}\n`;

  // Ratios measured in this run: ours against the best peer, bf16 and int8 against fp32, scaling.
  const ours = s.rows.filter((r) => r.impl === "armbench" && r.gflops !== null);
  const ratioRows: string[][] = [];
  for (const r of ours) {
    const peers = s.rows.filter((p) => p.impl !== "armbench" && p.gflops !== null && keyOf(p) === keyOf(r) && p.dtype === r.dtype && p.threads === r.threads);
    const best = peers.reduce<GemmRow | null>((a, b) => (!a || b.gflops! > a.gflops! ? b : a), null);
    const fp32 = r.dtype !== "fp32" ? ours.find((x) => x.dtype === "fp32" && keyOf(x) === keyOf(r) && x.threads === r.threads) : undefined;
    const one = ours.find((x) => x.dtype === r.dtype && keyOf(x) === keyOf(r) && x.threads === 1);
    const cells = [
      best ? `${num(r.gflops! / best.gflops!)}x (${label(best)})` : "-",
      fp32?.gflops ? `${num(r.gflops! / fp32.gflops)}x` : "-",
      one?.gflops && r.threads > 1 ? `${num(r.gflops! / (r.threads * one.gflops))}` : "-",
    ];
    if (cells.some((c) => c !== "-")) ratioRows.push([r.case.name, r.dtype, String(r.threads), ...cells]);
  }
  if (ratioRows.length) {
    out += `\nRatios in this run\n${renderTable(["shape", "dtype", "threads", "armbench / best peer", "over our fp32", "parallel efficiency"], ratioRows, { right: [2] })}\n`;
  }
  if (s.peerInfo.length) {
    const info = s.peerInfo.map((p) => [p.name, p.variant || "?", runLabel(p.run, p.peerEnv), p.version, p.library]);
    out += `\nPeers\n${renderTable(["peer", "variant chosen", "run", "version", "library"], info)}\n`;
  }
  return out;
}

/** Which kernel and blocking ran per dtype and thread count, and where each choice came from. */
export function renderTuning(tuned: readonly TunedChoice[], cacheFile: string | null): string {
  if (tuned.length === 0) return "";
  const rows = tuned.map((t) => [t.dtype, String(t.threads), t.kernel, `${t.blocking.mc},${t.blocking.kc},${t.blocking.nc}`, t.source]);
  const where = cacheFile ? `tuning cache: ${cacheFile}` : "tuning off or forced: nothing timed, no cache read";
  return `Our kernel per dtype and thread count (${where})\n${renderTable(["dtype", "threads", "kernel", "mc,kc,nc", "from"], rows, { right: [1] })}\n`;
}
