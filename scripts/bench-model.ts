/**
 * npm run bench:model: the model-runner goals as ratios from one run each of
 * `armbench model resnet50` (fp32, batch 1 and 8, 1 thread and every core, against
 * onnxruntime) and `armbench model resnet50 --fpmath bf16 --batch 1`.
 * Extra arguments go to armbench (e.g. `npm run bench:model -- --iterations 50`).
 */
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { num, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

const fp32 = runArmbench("resnet50-fp32", ["model", "resnet50"]).records;
// With onnxruntime, so the fp32 answer the bf16 one is checked against is itself checked.
const bf16 = runArmbench("resnet50-bf16", ["model", "resnet50", "--fpmath", "bf16", "--batch", "1"]).records;
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";
const find = (rs: ResultRecord[], name: string, impl: string, p: Record<string, unknown>) =>
  rs.filter(ok).find((r) => r.name === name && r.impl === impl && Object.entries(p).every(([k, v]) => r.params[k] === v)) ?? null;

/** A latency whose answer nothing was compared with says so beside its figure. */
const unchecked = (...rs: (OkRecord | null)[]) => (rs.some((r) => r?.impl === "armbench" && r.check.passed === null) ? " (answer not checked)" : "");

type Goal = [what: string, value: number | null, op: "<=" | ">=", target: number, detail: string];
const goals: Goal[] = [];
const threads = [...new Set(fp32.filter(ok).filter((r) => r.name === "model.latency").map((r) => Number(r.params.threads)))].sort((a, b) => a - b);

for (const t of threads) {
  const ours = find(fp32, "model.latency", "armbench", { batch: 1, threads: t, fpmath: "fp32" });
  const ort = find(fp32, "model.latency", "onnxruntime", { batch: 1, threads: t });
  goals.push([`ResNet-50 fp32 b1 ${t}T: our latency / onnxruntime`, ours && ort ? ours.median / ort.median : null, "<=", 1.0,
    ours && ort ? `${num(ours.median, 2)} ms vs ${num(ort.median, 2)} ms${unchecked(ours)}` : "not measured"]);
}
const ours1 = find(fp32, "model.latency", "armbench", { batch: 1, threads: 1, fpmath: "fp32" });
const bf1 = find(bf16, "model.latency", "armbench", { batch: 1, threads: 1, fpmath: "bf16" });
goals.push(["ResNet-50 b1 1T: bf16 fast-math speed-up over our fp32", ours1 && bf1 ? ours1.median / bf1.median : null, ">=", 1.5,
  bf1 ? `${num(bf1.median, 2)} ms${unchecked(ours1, bf1)}` : "not measured"]);
const bfCheck = find(bf16, "model.check", "armbench", { batch: 1, threads: 1, fpmath: "bf16" });
goals.push(["ResNet-50 bf16: cosine against fp32", bfCheck ? Number(bfCheck.params.cosine) : null, ">=", 0.99,
  bfCheck ? `max abs diff ${num(Number(bfCheck.params.maxAbsDiff), 4)}` : "not measured"]);
const refCheck = find(bf16, "model.check", "armbench", { batch: 1, threads: 1, fpmath: "fp32", role: "bf16 reference" });
goals.push(["ResNet-50 bf16: its fp32 reference against onnxruntime", refCheck ? Number(refCheck.params.cosine) : null, ">=", 0.9999,
  refCheck ? `max abs diff ${num(Number(refCheck.params.maxAbsDiff), 4)}` : "not checked (onnxruntime did not run)"]);
const thr = (batch: number) => find(fp32, "model.throughput", "armbench", { batch, threads: 1, fpmath: "fp32" });
const b1 = thr(1), b8 = thr(8);
goals.push(["ResNet-50 1T: batch-8 throughput / batch-1 throughput", b1 && b8 ? b8.median / b1.median : null, ">=", 0.9,
  b1 && b8 ? `${num(b8.median, 1)} vs ${num(b1.median, 1)} images/s` : "not measured"]);
const peak = ours1?.derived?.["peakActivationBytes"];
goals.push(["ResNet-50 fp32 b1: peak activation memory (MB)", typeof peak === "number" ? peak / 1e6 : null, "<=", 50, "buffers reused by the memory plan"]);

const rows = goals.map(([what, value, op, target, detail]) => [
  what, value === null ? "-" : num(value, 3), `${op} ${target}`,
  value === null ? "not measured" : (op === "<=" ? value <= target : value >= target) ? "met" : "not met", detail,
]);
console.log(renderTable(["goal", "measured", "target", "", "detail"], rows, { right: [1] }));
console.log(`results: ${benchDir}`);
