/**
 * `armbench model`: one graph, our engine and onnxruntime side by side. Per batch and
 * thread count: onnxruntime first (its answer is the reference for fp32), then ours:
 * compile and create (load time), one untimed inference (first-inference time) whose
 * output is checked, then the timed loop inside the executor. A wrong answer is a
 * failed record, never a latency.
 */
import { agreement, type Agreement } from "../engine/compare.js";
import { compileModel, type CompiledModel } from "../engine/compile.js";
import type { Graph, OpType } from "../engine/ir.js";
import type { AlgoChooser, FpMath } from "../engine/lower.js";
import { byInputName, seededInputs } from "../engine/inputs.js";
import { saveOnnx } from "../engine/onnx.js";
import { measureOrt } from "../engine/ort.js";
import { dtypePeak, type DtypePeak } from "../micro/peak.js";
import type { Native, NativeHandle } from "../native.js";
import type { Progress } from "../progress.js";
import { failedRecord, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import type { ResultRecord } from "../results/schema.js";
import { median, quantile } from "../stats.js";

/** Cosine the answer must reach: against onnxruntime in fp32, against our fp32 in bf16 fast-math. */
export const COSINE_BOUND: Record<FpMath, number> = { fp32: 0.9999, bf16: 0.99 };

export interface ModelContext {
  native: Native;
  record(r: ResultRecord): void;
  progress: Progress;
  cpus: number[];
  peakSettings: { steps: number; samples: number };
  warn(message: string): void;
}

export interface ModelPlan {
  model: string;
  /** The graph at a batch size (built-in models are built per batch; an ONNX file has its own). */
  graphAt(batch: number): Graph;
  batches: number[];
  threads: number[];
  fpmath: FpMath;
  chooseAlgo: AlgoChooser;
  warmup: number;
  iterations: number;
  profile: boolean;
  peers: boolean;
  /** nchwc: direct-nchwc convs chain on blocked tensors, reordered only where a layout must change. */
  layout: "nchw" | "nchwc";
}

/** Ops besides convs that the executor runs on NCHWc input. */
const BLOCKED_OPS: OpType[] = ["MaxPool", "AveragePool", "GlobalAveragePool"];

export interface EngineRow {
  impl: "armbench" | "onnxruntime";
  batch: number;
  threads: number;
  fpmath: FpMath;
  /** Latency percentiles, ms; null when it did not run. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  min: number | null;
  imagesPerS: number | null;
  gflops: number | null;
  pctPeak: number | null;
  check: (Agreement & { against: string; passed: boolean }) | null;
  note: string | null;
}

export interface OpRow {
  batch: number;
  threads: number;
  node: string;
  op: string;
  detail: string;
  ms: number;
  share: number;
}

export interface ModelSummary {
  model: string;
  flops: Map<number, number>;
  rows: EngineRow[];
  ops: OpRow[];
  memory: { batch: number; peakActivationBytes: number; arenaBytes: number; weightBytes: number }[];
}

function latencyStats(ms: number[], batch: number, flops: number, peak: DtypePeak | null) {
  const p50 = median(ms);
  const gflops = flops / (p50 * 1e6);
  return {
    p50,
    p90: quantile(ms, 0.9),
    p99: quantile(ms, 0.99),
    min: Math.min(...ms),
    imagesPerS: (batch * 1000) / p50,
    gflops,
    pctPeak: peak ? (100 * gflops) / peak.gflops : null,
  };
}

const emptyRow = (impl: EngineRow["impl"], batch: number, threads: number, fpmath: FpMath, note: string): EngineRow => ({
  impl, batch, threads, fpmath, p50: null, p90: null, p99: null, min: null, imagesPerS: null, gflops: null, pctPeak: null, check: null, note,
});

export async function runModelPlan(ctx: ModelContext, plan: ModelPlan): Promise<ModelSummary> {
  const summary: ModelSummary = { model: plan.model, flops: new Map(), rows: [], ops: [], memory: [] };
  const peaks = new Map<number, DtypePeak | null>();
  const peakFor = async (threads: number) => {
    if (!peaks.has(threads)) {
      ctx.progress.update(`model ${plan.model}: measuring the ${plan.fpmath} peak on ${threads} thread(s)`);
      peaks.set(threads, await dtypePeak(ctx.native, plan.fpmath, ctx.cpus.slice(0, threads), ctx.peakSettings.steps, ctx.peakSettings.samples));
    }
    return peaks.get(threads) ?? null;
  };
  const nchwcBlock = ctx.native.nchwcBlock();

  for (const batch of plan.batches) {
    const graph = plan.graphAt(batch);
    const inputs = seededInputs(graph);
    const compile = (fpmath: FpMath): CompiledModel =>
      compileModel(graph, { fpmath, chooseAlgo: plan.chooseAlgo, nchwcBlock, ...(plan.layout === "nchwc" ? { nchwc: { blockedOps: BLOCKED_OPS } } : {}) });
    // One program per batch: the thread count changes only the pool it runs on.
    const tc = process.hrtime.bigint();
    const first = compile(plan.fpmath);
    const compileMs = Number(process.hrtime.bigint() - tc) / 1e6;
    const flops = first.flops.flops;
    summary.flops.set(batch, flops);
    summary.memory.push({ batch, peakActivationBytes: first.plan.peakLiveBytes, arenaBytes: first.plan.arenaBytes, weightBytes: first.plan.weightBytes });
    const onnxBytes = plan.peers ? saveOnnx(graph) : null;
    // bf16 fast-math is checked against our own fp32 answer (what it approximates).
    let fp32Answer: Float32Array | null = null;
    if (plan.fpmath === "bf16") {
      const ref = ctx.native.engineCreate(compile("fp32").program);
      fp32Answer = (await ctx.native.engineRun(ref, inputs.map((t) => t.data))).outputs[0]!;
    }

    // The least memory traffic of one inference: every weight read once, every
    // activation written once and read once (the roofline's denominator).
    let activationBytes = 0;
    for (const v of first.plan.bufferOf.keys()) activationBytes += 4 * (first.plan.shapes.get(v) ?? []).reduce((p, d) => p * d, 1);
    const bytes = first.plan.weightBytes + 2 * activationBytes;
    for (const threads of plan.threads) {
      const base = { model: plan.model, batch, threads, flops, bytes };
      const id = (name: string, impl: string, fpmath: FpMath, unit: string, extra: Record<string, number | string> = {}): RecordId => ({
        suite: "model", name, impl, params: { ...base, fpmath, ...(impl === "armbench" ? { layout: plan.layout } : {}), ...extra }, unit,
      });
      const peak = await peakFor(threads);
      // The caller joins the pool, as it does onnxruntime's intra-op pool: dozens of short
      // steps per inference would each pay a wake-up of a sleeping caller otherwise.
      const pool: NativeHandle = ctx.native.gemmPool(ctx.cpus.slice(0, threads), true);

      // The peer first: for fp32 its answer is the reference ours is checked against.
      let ortAnswer: Float32Array | null = null;
      if (onnxBytes) {
        ctx.progress.update(`model ${plan.model}: onnxruntime, batch ${batch}, ${threads} thread(s)`);
        const o = await measureOrt(onnxBytes, byInputName(graph, inputs), {
          threads, warmup: plan.warmup, iterations: plan.iterations,
        });
        if (!o.ok) {
          ctx.record(unavailableRecord(id("model.latency", "onnxruntime", "fp32", "ms"), o.reason));
          summary.rows.push(emptyRow("onnxruntime", batch, threads, "fp32", o.reason));
        } else {
          ortAnswer = o.outputs[graph.outputs[0]!]!.data;
          const s = latencyStats(o.latencyMs, batch, flops, peak);
          const check = { method: "the reference engine (nothing to check it against)", passed: true };
          ctx.record(okRecord({ ...id("model.latency", "onnxruntime", "fp32", "ms"), derived: { version: o.version, gflops: s.gflops, pctPeak: s.pctPeak } }, o.latencyMs, check));
          ctx.record(okRecord(id("model.throughput", "onnxruntime", "fp32", "images/s"), o.latencyMs.map((ms) => (batch * 1000) / ms), check));
          summary.rows.push({ impl: "onnxruntime", batch, threads, fpmath: "fp32", ...s, check: null, note: `onnxruntime ${o.version}` });
        }
      }

      ctx.progress.update(`model ${plan.model}: armbench ${plan.fpmath}, batch ${batch}, ${threads} thread(s): compiling`);
      const t0 = process.hrtime.bigint();
      const compiled = first;
      const engine = ctx.native.engineCreate(compiled.program, pool);
      // Load = compiling the graph + creating the engine (weights copied and packed).
      const loadMs = compileMs + Number(process.hrtime.bigint() - t0) / 1e6;
      const t1 = process.hrtime.bigint();
      const answer = (await ctx.native.engineRun(engine, inputs.map((t) => t.data))).outputs[0]!;
      const firstInferenceMs = Number(process.hrtime.bigint() - t1) / 1e6;

      const reference = plan.fpmath === "bf16" ? fp32Answer : ortAnswer;
      const against = plan.fpmath === "bf16" ? "armbench fp32" : "onnxruntime";
      let agreed: EngineRow["check"] = null;
      if (reference) {
        const a = agreement(answer, reference);
        agreed = { ...a, against, passed: a.nonFinite === 0 && a.cosine >= COSINE_BOUND[plan.fpmath] };
        const checkId = id("model.check", "armbench", plan.fpmath, "cosine", { cosine: a.cosine, maxAbsDiff: a.maxAbsDiff });
        const method = `cosine of the output against ${against} >= ${COSINE_BOUND[plan.fpmath]}`;
        if (agreed.passed) ctx.record(okRecord(checkId, [a.cosine], { method, passed: true, maxAbsDiff: a.maxAbsDiff }));
        else ctx.record(failedRecord(checkId, `the output disagrees with ${against}: cosine ${a.cosine.toPrecision(6)}, max abs diff ${a.maxAbsDiff.toPrecision(3)}, ${a.nonFinite} non-finite`));
      } else {
        ctx.record(unavailableRecord(id("model.check", "armbench", plan.fpmath, "cosine"), "no reference answer: onnxruntime did not run (see its record or --no-peers)"));
      }
      const latencyId = id("model.latency", "armbench", plan.fpmath, "ms");
      if (agreed && !agreed.passed) {
        ctx.record(failedRecord(latencyId, `not timed: the answer check failed (cosine ${agreed.cosine.toPrecision(6)} against ${against})`));
        summary.rows.push({ ...emptyRow("armbench", batch, threads, plan.fpmath, "answer check failed"), check: agreed });
        continue;
      }

      ctx.progress.update(`model ${plan.model}: armbench ${plan.fpmath}, batch ${batch}, ${threads} thread(s): timing`);
      const m = await ctx.native.engineMeasure(engine, inputs.map((t) => t.data), { warmup: plan.warmup, iterations: plan.iterations, profile: plan.profile });
      const ms = m.samplesNs.map((ns) => ns / 1e6);
      const s = latencyStats(ms, batch, flops, peak);
      const info = ctx.native.engineInfo(engine);
      const check = agreed
        ? { method: `output cosine against ${against} >= ${COSINE_BOUND[plan.fpmath]}`, passed: true, cosine: agreed.cosine }
        : { method: "not checked: no reference engine ran", passed: true };
      ctx.record(okRecord({
        ...latencyId,
        derived: {
          gflops: s.gflops, pctPeak: s.pctPeak, peakForm: peak?.form ?? null,
          peakActivationBytes: compiled.plan.peakLiveBytes, arenaBytes: info.arenaBytes, weightBytes: info.weightBytes,
          loadMs, firstInferenceMs,
        },
      }, ms, check));
      ctx.record(okRecord(id("model.throughput", "armbench", plan.fpmath, "images/s"), ms.map((x) => (batch * 1000) / x), check));
      summary.rows.push({ impl: "armbench", batch, threads, fpmath: plan.fpmath, ...s, check: agreed, note: null });

      if (plan.profile && m.stepNs) {
        const steps = compiled.program.steps;
        const perStep = steps.map((_, i) => m.stepNs!.map((it) => it[i]! / 1e6));
        const total = perStep.reduce((acc, xs) => acc + median(xs), 0);
        steps.forEach((st, i) => {
          const stepMs = median(perStep[i]!);
          const detail = st.op === "conv" ? `${st.algo} ${st.shape.k}x${st.shape.c / st.shape.groups}x${st.shape.r}x${st.shape.s}/${st.shape.strideH}` : "";
          const share = total > 0 ? stepMs / total : 0;
          summary.ops.push({ batch, threads, node: st.name, op: st.op, detail, ms: stepMs, share });
          ctx.record(okRecord(id("model.op", "armbench", plan.fpmath, "ms", { node: st.name, op: st.op, share, ...(detail ? { detail } : {}) }), perStep[i]!, check));
        });
      }
    }
  }
  return summary;
}
