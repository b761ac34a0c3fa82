/**
 * npm run bench:gemm: the gemm performance goals (issue 16's, and issue 18's int8 GEMM),
 * each as a ratio measured in one run. Runs `armbench gemm` four times: square 256-2048
 * in fp32, bf16 and int8 on 1 and all threads, tuned, against the peers; the bert-base shapes in fp32 on 1 and all
 * threads; the skinny deep-learning shapes in fp32 on one thread; the fp32 squares
 * 1024/2048 again with --no-tune, for the tuner's gain. Reads the results files.
 * Extra arguments go to armbench (e.g. `npm run bench:gemm -- --warm`).
 */
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { num, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

const SQUARES = [256, 512, 1024, 2048];
const square = runArmbench("square", ["gemm", "--dtype", "all", "--sizes", SQUARES.join(",")]).records;
const bert = runArmbench("bert", ["gemm", "--dtype", "fp32", "--shape-set", "bert"]).records;
const skinny = runArmbench("skinny", ["gemm", "--dtype", "fp32", "--shape-set", "skinny", "--threads", "1"]).records;
// The tuner's gain: the same squares with each kernel's cache-derived defaults, no peers.
const untuned = runArmbench("untuned", ["gemm", "--dtype", "fp32", "--sizes", "1024,2048", "--no-peers", "--no-tune"]).records;
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok" && r.name === "gemm";
const find = (rs: ResultRecord[], impl: string | null, p: Record<string, unknown>) =>
  rs.filter(ok).filter((r) => (impl === null ? r.impl !== "armbench" : r.impl === impl) && Object.entries(p).every(([k, v]) => r.params[k] === v));
const best = (rs: OkRecord[]) => rs.reduce<OkRecord | null>((a, b) => (!a || b.median > a.median ? b : a), null);
const peerLabel = (r: OkRecord | null) => {
  if (!r) return "no peer";
  const env = r.params.peerEnv ?? r.derived?.peerEnv;
  return `${r.params.kernel}${r.params.run ? ` [${r.params.run}${env ? `: ${env}` : ""}]` : ""}`;
};

const rows: string[][] = [];
const goal = (what: string, value: number | null, target: number, detail: string) =>
  rows.push([what, value === null ? "-" : num(value), `>= ${target}`, value === null ? "not measured" : value >= target ? "met" : "not met", detail]);

const threadCounts = [...new Set(square.filter(ok).map((r) => Number(r.params.threads)))].sort((a, b) => a - b);
const cpus = Math.max(...threadCounts);
const plural = (t: number) => `${t} thread${t > 1 ? "s" : ""}`;
for (const t of threadCounts) {
  const ours = find(square, "armbench", { m: 1024, dtype: "fp32", threads: t })[0];
  goal(`sgemm 1024^3, ${plural(t)}: fraction of fp32 peak`, ours ? Number(ours.params.pctPeak) / 100 : null, 0.9, ours ? `${num(ours.median, 1)} GFLOP/s` : "");
}
for (const t of threadCounts) {
  for (const size of SQUARES) {
    const ours = find(square, "armbench", { m: size, dtype: "fp32", threads: t })[0];
    const peer = best(find(square, null, { m: size, dtype: "fp32", threads: t }));
    goal(`sgemm ${size}^3, ${plural(t)}: ours / best peer`, ours && peer ? ours.median / peer.median : null, 1.0, peerLabel(peer));
  }
  for (const r of bert.filter(ok).filter((x) => x.impl === "armbench" && x.params.threads === t)) {
    const peer = best(find(bert, null, { m: r.params.m, n: r.params.n, k: r.params.k, dtype: "fp32", threads: t }));
    goal(`${r.params.shape}, ${plural(t)}: ours / best peer`, peer ? r.median / peer.median : null, 1.0, peerLabel(peer));
  }
}
for (const size of [1024, 2048]) {
  const ours = find(square, "armbench", { m: size, dtype: "fp32", threads: 1 })[0];
  const bf = find(square, "armbench", { m: size, dtype: "bf16", threads: 1 })[0];
  goal(`sbgemm ${size}^3, 1 thread: bf16 / our fp32`, bf && ours ? bf.median / ours.median : null, 1.9, bf ? `${num(bf.median, 1)} GFLOP/s` : "");
  const dnnl = find(square, "onednn", { m: size, dtype: "bf16", threads: 1 })[0];
  goal(`sbgemm ${size}^3, 1 thread: ours / oneDNN bf16`, bf && dnnl ? bf.median / dnnl.median : null, 1.0, dnnl ? peerLabel(dnnl) : "oneDNN bf16 not measured");
}
{
  // int8: the peaks allow about 4x fp32 with VNNI; % of peak is against the measured int8
  // peak, AMX's where the CPU has it.
  const fp32 = find(square, "armbench", { m: 1024, dtype: "fp32", threads: 1 })[0];
  const int8 = find(square, "armbench", { m: 1024, dtype: "int8", threads: 1 })[0];
  const detail = int8 ? `${num(int8.median, 1)} GOP/s, ${String(int8.params.kernel)}` : "";
  goal("int8 GEMM 1024^3, 1 thread: int8 / our fp32", int8 && fp32 ? int8.median / fp32.median : null, 3.5, detail);
  goal("int8 GEMM 1024^3, 1 thread: fraction of int8 peak", int8 ? Number(int8.params.pctPeak) / 100 : null, 0.85, int8 ? `peak ${String(int8.derived?.peakForm ?? "?")}` : "");
  const dnnl = find(square, "onednn", { m: 1024, dtype: "int8", threads: 1 })[0];
  goal("int8 GEMM 1024^3, 1 thread: ours / oneDNN int8", int8 && dnnl ? int8.median / dnnl.median : null, 1.0, dnnl ? peerLabel(dnnl) : "oneDNN int8 not measured");
}
for (const size of [1024, 2048]) {
  for (const t of [...new Set(square.filter(ok).map((r) => Number(r.params.threads)))]) {
    const tuned = find(square, "armbench", { m: size, dtype: "fp32", threads: t })[0];
    const base = find(untuned, "armbench", { m: size, dtype: "fp32", threads: t })[0];
    const how = tuned ? `${tuned.derived?.tuning ?? "?"} ${tuned.derived?.blocking ?? ""} vs default ${base?.derived?.blocking ?? "-"}` : "";
    goal(`sgemm ${size}^3, ${t} thread${t > 1 ? "s" : ""}: tuned / default blocking`, tuned && base ? tuned.median / base.median : null, 1.0, how);
  }
}
const one = find(square, "armbench", { m: 2048, dtype: "fp32", threads: 1 })[0];
const all = find(square, "armbench", { m: 2048, dtype: "fp32", threads: cpus })[0];
goal(`sgemm 2048^3: ${cpus} threads / 1 thread`, one && all && cpus > 1 ? all.median / one.median : null, 1.85, `${cpus} CPUs`);
for (const r of skinny.filter(ok).filter((x) => x.impl === "armbench")) {
  const peer = best(find(skinny, null, { m: r.params.m, n: r.params.n, k: r.params.k, dtype: "fp32", threads: 1 }));
  goal(`skinny ${r.params.shape}: ours / best peer`, peer ? r.median / peer.median : null, 0.9, peerLabel(peer));
}
console.log(renderTable(["goal", "measured", "target", "", "detail"], rows, { right: [1] }));
console.log(`results: ${benchDir}`);
