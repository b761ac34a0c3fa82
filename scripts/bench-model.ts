/**
 * npm run bench:model: the model-runner goals as ratios from one run each, against
 * onnxruntime on the same graph: ResNet-50 fp32 (batch 1 and 8, one thread and every
 * core), ResNet-50 bf16 fast-math batch 1, ResNet-18 and MobileNet-v2 fp32 batch 1;
 * bert-base (seq 128) fp32 batch 1 at one thread and every core, bf16 fast-math, and
 * dynamic int8 (--quantize dynamic, onnxruntime on the same int8 graph beside it).
 * The runs share a cache folder of their own that starts empty, so the first one's
 * tuning is a first use and is timed as one; the later runs reuse what it cached.
 * Extra arguments go to armbench (e.g. `npm run bench:model -- --iterations 50`).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";

import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { num, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

const env = { ...process.env, ARMBENCH_CACHE_DIR: path.join(benchDir, "cache") };
mkdirSync(env.ARMBENCH_CACHE_DIR, { recursive: true });
const fp32 = runArmbench("resnet50-fp32", ["model", "resnet50"], env).records;
// With onnxruntime, so the fp32 answer the bf16 one is checked against is itself checked.
const bf16 = runArmbench("resnet50-bf16", ["model", "resnet50", "--fpmath", "bf16", "--batch", "1"], env).records;
const r18 = runArmbench("resnet18-fp32", ["model", "resnet18", "--batch", "1"], env).records;
const mnv2 = runArmbench("mobilenetv2-fp32", ["model", "mobilenetv2", "--batch", "1"], env).records;
const bert = runArmbench("bert-base-fp32", ["model", "bert-base", "--batch", "1"], env).records;
const bertBf16 = runArmbench("bert-base-bf16", ["model", "bert-base", "--batch", "1", "--threads", "1", "--fpmath", "bf16", "--no-peers"], env).records;
const bertInt8 = runArmbench("bert-base-int8", ["model", "bert-base", "--batch", "1", "--threads", "1", "--quantize", "dynamic"], env).records;

const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";
const find = (rs: ResultRecord[], name: string, impl: string, p: Record<string, unknown>) =>
  rs.filter(ok).find((r) => r.name === name && r.impl === impl && Object.entries(p).every(([k, v]) => r.params[k] === v)) ?? null;

/** A latency whose answer nothing was compared with says so beside its figure. */
const unchecked = (...rs: (OkRecord | null)[]) => (rs.some((r) => r?.impl === "armbench" && r.check.passed === null) ? " (answer not checked)" : "");
const programOf = (r: OkRecord | null) => (r ? ` [${String(r.derived?.["convPolicy"] ?? "").replace(/ \(raced:.*$/, "")}]` : "");

type Goal = [what: string, value: number | null, op: "<=" | ">=", target: number, detail: string];
const goals: Goal[] = [];
const threadsOf = (rs: ResultRecord[]) => [...new Set(rs.filter(ok).filter((r) => r.name === "model.latency").map((r) => Number(r.params.threads)))].sort((a, b) => a - b);

/** Our latency over onnxruntime's at batch 1 for each thread count the run measured. */
function latencyGoals(rs: ResultRecord[], model: string, target: number): void {
  for (const t of threadsOf(rs)) {
    const ours = find(rs, "model.latency", "armbench", { batch: 1, threads: t, fpmath: "fp32" });
    const ort = find(rs, "model.latency", "onnxruntime", { batch: 1, threads: t });
    goals.push([`${model} fp32 b1 ${t}T: our latency / onnxruntime`, ours && ort ? ours.median / ort.median : null, "<=", target,
      ours && ort ? `${num(ours.median, 2)} ms vs ${num(ort.median, 2)} ms${unchecked(ours)}${programOf(ours)}` : "not measured"]);
  }
}

latencyGoals(fp32, "ResNet-50", 0.95);
for (const t of threadsOf(fp32)) {
  const ours = find(fp32, "model.throughput", "armbench", { batch: 8, threads: t, fpmath: "fp32" });
  const ort = find(fp32, "model.throughput", "onnxruntime", { batch: 8, threads: t });
  goals.push([`ResNet-50 fp32 b8 ${t}T: our throughput / onnxruntime`, ours && ort ? ours.median / ort.median : null, ">=", 1.0,
    ours && ort ? `${num(ours.median, 1)} vs ${num(ort.median, 1)} images/s` : "not measured"]);
}
latencyGoals(r18, "ResNet-18", 1.0);
latencyGoals(mnv2, "MobileNet-v2", 1.0);

const ours1 = find(fp32, "model.latency", "armbench", { batch: 1, threads: 1, fpmath: "fp32" });
const bf1 = find(bf16, "model.latency", "armbench", { batch: 1, threads: 1, fpmath: "bf16" });
goals.push(["ResNet-50 b1 1T: bf16 fast-math speed-up over our fp32", ours1 && bf1 ? ours1.median / bf1.median : null, ">=", 1.9,
  bf1 ? `${num(bf1.median, 2)} ms${unchecked(ours1, bf1)}${programOf(bf1)}` : "not measured"]);
const bfCheck = find(bf16, "model.check", "armbench", { batch: 1, threads: 1, fpmath: "bf16" });
goals.push(["ResNet-50 bf16: cosine against fp32", bfCheck ? Number(bfCheck.params.cosine) : null, ">=", 0.99,
  bfCheck ? `max abs diff ${num(Number(bfCheck.params.maxAbsDiff), 4)}` : "not measured"]);
const refCheck = find(bf16, "model.check", "armbench", { batch: 1, threads: 1, fpmath: "fp32", role: "bf16 reference" });
goals.push(["ResNet-50 bf16: its fp32 reference against onnxruntime", refCheck ? Number(refCheck.params.cosine) : null, ">=", 0.9999,
  refCheck ? `max abs diff ${num(Number(refCheck.params.maxAbsDiff), 4)}` : "not checked (onnxruntime did not run)"]);
const tuneMs = ours1?.derived?.["convTuneMs"];
goals.push(["ResNet-50 fp32 b1 1T: first-use tuning (s)", typeof tuneMs === "number" ? tuneMs / 1000 : null, "<=", 30,
  typeof tuneMs === "number" ? String(ours1?.derived?.["convPolicy"]) : "not tuned in this run (tuning off?)"]);
latencyGoals(bert, "bert-base seq 128", 1.0);
const bert1 = find(bert, "model.latency", "armbench", { batch: 1, threads: 1, fpmath: "fp32" });
const bertBf = find(bertBf16, "model.latency", "armbench", { batch: 1, threads: 1, fpmath: "bf16" });
goals.push(["bert-base b1 1T: bf16 fast-math speed-up over our fp32", bert1 && bertBf ? bert1.median / bertBf.median : null, ">=", 1.6,
  bertBf ? `${num(bertBf.median, 2)} ms${unchecked(bert1, bertBf)}` : "not measured"]);
const bertCheck = find(bertBf16, "model.check", "armbench", { batch: 1, threads: 1, fpmath: "bf16" });
goals.push(["bert-base bf16: cosine against fp32", bertCheck ? Number(bertCheck.params.cosine) : null, ">=", 0.99,
  bertCheck ? `max abs diff ${num(Number(bertCheck.params.maxAbsDiff), 4)}` : "not measured"]);
const peak = ours1?.derived?.["peakActivationBytes"];
const q = { batch: 1, threads: 1, quantize: "dynamic" };
const bertQ = find(bertInt8, "model.latency", "armbench", q);
const bertQOrt = find(bertInt8, "model.latency", "onnxruntime", q);
goals.push(["bert-base b1 1T: dynamic int8 speed-up over our fp32", bert1 && bertQ ? bert1.median / bertQ.median : null, ">=", 1.5,
  bertQ ? `${num(bertQ.median, 2)} ms; onnxruntime on the same int8 graph ${bertQOrt ? `${num(bertQOrt.median, 2)} ms` : "not measured"}${unchecked(bertQ)}` : "not measured"]);
const bertQCheck = find(bertInt8, "model.check", "armbench", q);
goals.push(["bert-base dynamic int8: lowest cosine against fp32 over its inputs", bertQCheck ? Number(bertQCheck.params.cosine) : null, ">=", 0.99,
  bertQCheck ? `${String(bertQCheck.params.inputs)} inputs, top-1 agreement per token ${num(Number(bertQCheck.params.top1Agreement), 4)}` : "not measured"]);
goals.push(["ResNet-50 fp32 b1: peak activation memory (MB)", typeof peak === "number" ? peak / 1e6 : null, "<=", 50, "buffers reused by the memory plan"]);

const rows = goals.map(([what, value, op, target, detail]) => [
  what, value === null ? "-" : num(value, 3), `${op} ${target}`,
  value === null ? "not measured" : (op === "<=" ? value <= target : value >= target) ? "met" : "not met", detail,
]);
console.log(renderTable(["goal", "measured", "target", "", "detail"], rows, { right: [1] }));
console.log(`results: ${benchDir}`);
