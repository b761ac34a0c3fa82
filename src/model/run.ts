/**
 * `armbench model`: one graph, our engine and onnxruntime side by side. Per batch and
 * thread count: onnxruntime's session and one untimed run (its answer is the reference
 * for fp32), then ours: compile and create (load time), one untimed inference
 * (first-inference time) whose output is checked; then both timed loops, in an order
 * that alternates from one configuration to the next (engineOrder), so that neither
 * engine always meets the colder or the hotter machine. A wrong answer is a failed
 * record, never a latency.
 */
import { agreement, type Agreement } from "../engine/compare.js";
import { compileModel, convChoiceFields, convChoices, defaultAlgoPolicy, type AlgoPolicy, type CompiledModel, type ConvChoice } from "../engine/compile.js";
import { inferShapes, type Graph, type OpType } from "../engine/ir.js";
import type { FpMath } from "../engine/lower.js";
import type { GemmPick, Program, Step } from "../engine/program.js";
import { quantizeDynamic, type QuantizeMode } from "../engine/quantize.js";
import { byInputName, seededInputs } from "../engine/inputs.js";
import { saveOnnx } from "../engine/onnx.js";
import { openOrt, ortHarnessOverheadMs, type OrtSession } from "../engine/ort.js";
import { peakDerived, type DtypePeak, type PeakBook } from "../micro/peak-book.js";
import type { Native, NativeHandle } from "../native.js";
import type { Progress } from "../progress.js";
import { failedRecord, notChecked, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import type { Check, ResultRecord } from "../results/schema.js";
import { extent, median, quantile } from "../stats.js";

/** Cosine the answer must reach: against onnxruntime in fp32, against our fp32 in bf16 fast-math. */
export const COSINE_BOUND: Record<FpMath, number> = { fp32: 0.9999, bf16: 0.99 };
/** A quantized model's cosine against our fp32 answer (issue 18's bound for dynamic int8). */
export const COSINE_BOUND_INT8 = 0.99;
/** Seeded inputs a quantized model's accuracy is measured over (cosine and top-1 agreement with fp32). */
export const ACCURACY_INPUTS = 64;

/**
 * The fraction of rows (of each output's last axis) whose largest element is at the same
 * place in both answers: top-1 agreement for a classifier, per token for a transformer.
 */
export function top1Agreement(got: ArrayLike<number>, want: ArrayLike<number>, row: number): { agree: number; rows: number } {
  let agree = 0;
  const rows = Math.floor(got.length / row);
  const argmax = (a: ArrayLike<number>, base: number) => {
    let best = base;
    for (let j = base + 1; j < base + row; j++) if (a[j]! > a[best]!) best = j;
    return best - base;
  };
  for (let r = 0; r < rows; r++) if (argmax(got, r * row) === argmax(want, r * row)) agree++;
  return { agree, rows };
}

export interface ModelContext {
  native: Native;
  record(r: ResultRecord): void;
  progress: Progress;
  cpus: number[];
  /** The one peak per dtype and thread count every % of peak is against. */
  peaks: PeakBook;
  warn(message: string): void;
}

export interface ModelPlan {
  model: string;
  /** The graph at a batch size (built-in models are built per batch; an ONNX file has its own). */
  graphAt(batch: number): Graph;
  batches: number[];
  threads: number[];
  fpmath: FpMath;
  /** dynamic: both engines run the graph quantizeDynamic makes of it, checked against our fp32 answer. */
  quantize?: QuantizeMode;
  /**
   * The conv algorithms of `graph` at a thread count: the model's own tuning (cached, or
   * measured now on `pool`), a conv fast-run cache's winners, or the default rules.
   */
  algosFor(threads: number, graph: Graph, pool: NativeHandle): AlgoPolicy | Promise<AlgoPolicy>;
  warmup: number;
  iterations: number;
  profile: boolean;
  peers: boolean;
  /** nchwc: direct-nchwc convs chain on blocked tensors, reordered only where a layout must change. */
  layout: "nchw" | "nchwc";
  /**
   * The GEMM kernel and blocking our gemm and matmul steps run at a thread count (the GEMM
   * tuning's choice for the dtype, cached or measured now on `pool`); absent or null: each
   * dtype's default kernel with its own blocking.
   */
  gemmFor?(threads: number, pool: NativeHandle): Promise<{ pick: GemmPick; kernel: string; source: string } | null>;
  /** What one batch item is (throughput counts them): an image, or a sequence of `tokens` tokens. */
  item?: { name: "images" } | { name: "sequences"; tokens: number };
}

/**
 * A quantized engine's accuracy against the fp32 program over ACCURACY_INPUTS seeded
 * inputs: the lowest output cosine, and the top-1 agreement of every output's rows.
 */
async function quantizedAccuracy(ctx: ModelContext, graph: Graph, fp32: Program, engine: NativeHandle, pool: NativeHandle): Promise<{ cosine: number; top1Agreement: number; inputs: number }> {
  const reference = ctx.native.engineCreate(fp32, pool);
  const shapes = inferShapes(graph);
  const rowOf = (k: number) => shapes.get(graph.outputs[k]!)?.at(-1) ?? 1;
  let cosine = 1;
  let agree = 0;
  let rows = 0;
  for (let i = 0; i < ACCURACY_INPUTS; i++) {
    ctx.progress.update(`accuracy of the quantized model against fp32: input ${i + 1} of ${ACCURACY_INPUTS}`);
    const inputs = seededInputs(graph, 1000 + 7 * i).map((t) => t.data);
    const got = (await ctx.native.engineRun(engine, inputs)).outputs;
    const want = (await ctx.native.engineRun(reference, inputs)).outputs;
    cosine = Math.min(cosine, worstAgreement(got, want).cosine);
    got.forEach((g, k) => {
      const t = top1Agreement(g, want[k]!, rowOf(k));
      agree += t.agree;
      rows += t.rows;
    });
  }
  return { cosine, top1Agreement: rows ? agree / rows : 0, inputs: ACCURACY_INPUTS };
}

/** Ops besides convs that the executor runs on NCHWc input. */
export const BLOCKED_OPS: OpType[] = ["MaxPool", "AveragePool", "GlobalAveragePool"];

/** Our fp32 answer against onnxruntime's, when it is the reference a bf16 answer was checked against. */
export type ReferenceCheck =
  | (Agreement & { against: string; passed: boolean })
  | { against: string; passed: null; reason: string };

/** A row's answer check: compared (with the figures), or not checked and why. */
export type RowCheck =
  | (Agreement & { against: string; passed: boolean; reference?: ReferenceCheck })
  | { passed: null; reason: string };

/**
 * The precision whose measured peak an engine's % of peak is against: onnxruntime runs
 * the fp32 graph whatever --fpmath asks of ours.
 */
export function peakDtype(impl: EngineRow["impl"], fpmath: FpMath, quantize: QuantizeMode = "none"): FpMath | "int8" {
  if (quantize !== "none") return "int8";
  return impl === "onnxruntime" ? "fp32" : fpmath;
}

export type Engine = "armbench" | "onnxruntime";

/**
 * Which engine's timed loop runs first in the configuration at `index` (batches outer,
 * thread counts inner, from 0): ours on even ones, onnxruntime's on odd ones.
 */
export function engineOrder(index: number): [Engine, Engine] {
  return index % 2 === 0 ? ["armbench", "onnxruntime"] : ["onnxruntime", "armbench"];
}

/** Rounds a configuration's timed iterations are split into (fewer when there are fewer iterations). */
export const TIMING_ROUNDS = 5;

export interface TimingSlot {
  engine: Engine;
  round: number;
  rounds: number;
  warmup: number;
  iterations: number;
}

/**
 * The timed loops of one configuration: `iterations` split into near-equal rounds; in
 * each, every engine of `order` runs its share, the order reversed from one round to the
 * next (ABBA), so each engine runs first in half the rounds and a drift of the machine's
 * speed over the run falls on both alike. The first round warms up `warmup` runs; a later
 * one a single run (min(warmup, 1)), as the other engine's loop ran in between and left
 * its own data in the caches.
 */
export function timingSchedule(order: readonly Engine[], warmup: number, iterations: number): TimingSlot[] {
  const rounds = Math.max(1, Math.min(TIMING_ROUNDS, iterations));
  const slots: TimingSlot[] = [];
  for (let round = 0; round < rounds; round++) {
    const its = Math.floor(((round + 1) * iterations) / rounds) - Math.floor((round * iterations) / rounds);
    for (const engine of round % 2 === 0 ? order : [...order].reverse()) {
      slots.push({ engine, round, rounds, warmup: round === 0 ? warmup : Math.min(warmup, 1), iterations: its });
    }
  }
  return slots;
}

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
  /** Batch items (images or sequences) per second. */
  imagesPerS: number | null;
  /** Sequence models: tokens per second. */
  tokensPerS?: number | null;
  gflops: number | null;
  pctPeak: number | null;
  /** null when the engine did not run. */
  check: RowCheck | null;
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
  /** Transformers: which part of a block the step belongs to. */
  part?: TransformerPart;
}

export type TransformerPart = "attention" | "FFN" | "layer norm" | "other";

/**
 * Each step's part of a transformer block, read off the program's data flow: the FFN is
 * the gemm with a GELU epilogue and the gemm reading its output; attention is the fused
 * attention steps, or unfused the batched matmuls, softmax, transposes and 4-D
 * broadcasts (scale, mask) between them, and the
 * gemms writing a tensor a transpose reads (Q, K, V) or reading one a transpose wrote
 * (the output projection); layer norms are themselves. Null for a program with neither
 * an attention step nor a batched matmul (not a transformer).
 */
export function transformerParts(steps: Step[]): TransformerPart[] | null {
  if (!steps.some((s) => s.op === "matmul" || s.op === "attention")) return null;
  // The arena reuses bytes, so an offset names a tensor only between its writer and its
  // readers: what reads a gemm's y is the next step reading that offset, and what wrote
  // its x the last step before it writing that offset.
  const transposes = (i: number) => steps[i]?.op === "transpose";
  const writerOf = new Map<number, number>();
  const writer: (number | undefined)[] = [];
  for (const [i, s] of steps.entries()) {
    if (s.op === "gemm") writer[i] = writerOf.get(s.x.offset);
    writerOf.set(s.y.offset, i);
  }
  const readBy = (i: number, offset: number) => steps.findIndex((t, j) => j > i && "x" in t && t.x?.offset === offset);
  return steps.map((s, i) => {
    switch (s.op) {
      case "layernorm":
        return "layer norm";
      case "attention":
      case "matmul":
      case "softmax":
      case "transpose":
        return "attention";
      case "broadcast":
        return s.y.dims.length === 4 ? "attention" : "other";
      case "gemm": {
        const from = steps[writer[i] ?? -1];
        if (s.act.startsWith("gelu") || (from?.op === "gemm" && from.act.startsWith("gelu"))) return "FFN";
        return transposes(readBy(i, s.y.offset)) || transposes(writer[i] ?? -1) ? "attention" : "other";
      }
      default:
        return "other";
    }
  });
}

export interface ModelSummary {
  model: string;
  /** What a batch item is (images unless the plan says sequences). */
  item: NonNullable<ModelPlan["item"]>;
  flops: Map<number, number>;
  rows: EngineRow[];
  ops: OpRow[];
  memory: { batch: number; peakActivationBytes: number; arenaBytes: number; weightBytes: number }[];
  /** The GEMM kernel and blocking per batch and thread count, where a tuning chose them. */
  gemms: { batch: number; threads: number; kernel: string; blocking: string; source: string }[];
  /** Set when both engines ran the quantized graph. */
  quantize?: QuantizeMode;
  /** Each program's conv algorithms and where they came from, per batch and thread count. */
  convAlgos: { batch: number; threads: number; policy: string; choices: ConvChoice[] }[];
}

/**
 * Every output compared; the one that agrees least stands for the answer (cosine over all
 * of them at once would let a small wrong output hide behind a large right one).
 */
export function worstAgreement(got: ArrayLike<number>[], want: ArrayLike<number>[]): Agreement {
  if (got.length !== want.length) throw new Error(`internal: ${got.length} outputs against ${want.length}`);
  const all = got.map((g, i) => agreement(g, want[i]!));
  return all.reduce((w, a) => (a.nonFinite > w.nonFinite || (a.nonFinite === w.nonFinite && a.cosine < w.cosine) ? a : w));
}

export function latencyStats(ms: number[], batch: number, flops: number, peak: DtypePeak | null) {
  const p50 = median(ms);
  const gflops = flops / (p50 * 1e6);
  return {
    p50,
    p90: quantile(ms, 0.9),
    p99: quantile(ms, 0.99),
    min: extent(ms).min,
    imagesPerS: (batch * 1000) / p50,
    gflops,
    pctPeak: peak ? (100 * gflops) / peak.gflops : null,
  };
}

const emptyRow = (impl: EngineRow["impl"], batch: number, threads: number, fpmath: FpMath, note: string): EngineRow => ({
  impl, batch, threads, fpmath, p50: null, p90: null, p99: null, min: null, imagesPerS: null, gflops: null, pctPeak: null, check: null, note,
});

/**
 * The check our latency records carry: what the answer was compared with and how closely,
 * and for bf16 whether its fp32 reference was itself compared with onnxruntime; not checked
 * (passed: null) when there was nothing to compare with.
 */
export function latencyCheck(fpmath: FpMath, agreed: (Agreement & { against: string; reference?: ReferenceCheck }) | null, noReference: string): Check {
  if (!agreed) return notChecked(noReference, "output cosine against onnxruntime: not made");
  const own = `output cosine against ${agreed.against} >= ${COSINE_BOUND[fpmath]}`;
  const ref = agreed.reference;
  if (!ref) return { method: own, passed: true, cosine: agreed.cosine };
  if (ref.passed === null) {
    return {
      method: `${own}; that fp32 reference not checked against ${ref.against}`,
      passed: true, cosine: agreed.cosine,
      reference: { against: ref.against, passed: null, reason: ref.reason },
    };
  }
  return {
    method: `${own}; that fp32 reference's cosine against ${ref.against} >= ${COSINE_BOUND.fp32}`,
    passed: ref.passed, cosine: agreed.cosine,
    reference: { against: ref.against, passed: ref.passed, cosine: ref.cosine },
  };
}

/**
 * Runs every configuration of the plan. While a configuration of T threads runs, every
 * thread of the process, both engines' and Node's, is confined to the same first T CPUs
 * of ctx.cpus (the whole mask again afterwards, even on an error): otherwise, with fewer
 * threads than CPUs, the scheduler places each engine's threads where it likes, and on a
 * VM whose CPUs differ (a Zen 5 VM here ran ResNet-50 25% slower on CPU 0 than on CPU 1)
 * the two engines compared would run on different CPUs.
 */
export async function runModelPlan(ctx: ModelContext, plan: ModelPlan): Promise<ModelSummary> {
  try {
    return await runConfigurations(ctx, plan);
  } finally {
    ctx.native.confineProcess(null);
  }
}

async function runConfigurations(ctx: ModelContext, plan: ModelPlan): Promise<ModelSummary> {
  const summary: ModelSummary = { ...(plan.quantize && plan.quantize !== "none" ? { quantize: plan.quantize } : {}), model: plan.model, item: plan.item ?? { name: "images" }, flops: new Map(), rows: [], ops: [], memory: [], convAlgos: [], gemms: [] };
  const tokensPerS = (itemsPerS: number | null): Record<string, number> => (summary.item.name === "sequences" && itemsPerS !== null ? { tokensPerS: itemsPerS * summary.item.tokens } : {});
  const quantize = plan.quantize ?? "none";
  const bound = quantize !== "none" ? COSINE_BOUND_INT8 : COSINE_BOUND[plan.fpmath];
  const peakFor = (dtype: FpMath | "int8", threads: number): Promise<DtypePeak | null> => {
    ctx.progress.update(`model ${plan.model}: the ${dtype} peak on ${threads} thread(s)`);
    return ctx.peaks.get(dtype, ctx.cpus.slice(0, threads));
  };
  const nchwcBlock = ctx.native.nchwcBlock();
  // Counts (batch, threads) configurations: engineOrder alternates over it.
  let configIndex = 0;

  for (const batch of plan.batches) {
    const source = plan.graphAt(batch);
    // Both engines run the quantized graph; our fp32 answer of the source is what it approximates.
    const graph = quantize === "dynamic" ? quantizeDynamic(source).graph : source;
    const compile = (fpmath: FpMath, policy: AlgoPolicy, gemm?: GemmPick, of: Graph = graph): CompiledModel =>
      compileModel(of, { fpmath, chooseAlgo: policy.choose, nchwcBlock, ...(gemm ? { gemm: { [fpmath]: gemm } } : {}), ...(plan.layout === "nchwc" ? { nchwc: { blockedOps: BLOCKED_OPS } } : {}) });
    // The default rules' program plans memory and counts work; a thread count whose
    // algorithms differ (tuned, or from a cache) compiles its own.
    const tc = process.hrtime.bigint();
    const first = compile(plan.fpmath, defaultAlgoPolicy);
    const compileMs = Number(process.hrtime.bigint() - tc) / 1e6;
    // After the compile: its memory plan is what admits the input tensors' sizes.
    const inputs = seededInputs(graph);
    const flops = first.flops.flops;
    summary.flops.set(batch, flops);
    summary.memory.push({ batch, peakActivationBytes: first.plan.peakLiveBytes, arenaBytes: first.plan.arenaBytes, weightBytes: first.plan.weightBytes });
    const onnxBytes = plan.peers ? saveOnnx(graph) : null;
    // bf16 fast-math and int8 are checked against our own fp32 answer (what they approximate).
    const approximate = plan.fpmath === "bf16" || quantize !== "none";
    let fp32Answer: (Float32Array | Int32Array)[] | null = null;
    const fp32Program = approximate ? compile("fp32", defaultAlgoPolicy, undefined, source).program : null;
    if (fp32Program) fp32Answer = (await ctx.native.engineRun(ctx.native.engineCreate(fp32Program), inputs.map((t) => t.data))).outputs;
    const item = plan.item ?? { name: "images" };
    const perS = `${item.name}/s`;

    // The least memory traffic of one inference: every weight read once, every
    // activation written once and read once (the roofline's denominator).
    let activationBytes = 0;
    for (const v of first.plan.bufferOf.keys()) activationBytes += 4 * (first.plan.shapes.get(v) ?? []).reduce((p, d) => p * d, 1);
    const bytes = first.plan.weightBytes + 2 * activationBytes;
    for (const threads of plan.threads) {
      const cpus = ctx.cpus.slice(0, threads);
      ctx.native.confineProcess(cpus);
      const base = { model: plan.model, batch, threads, flops, bytes, ...(quantize !== "none" ? { quantize } : {}) };
      const id = (name: string, impl: string, fpmath: FpMath, unit: string, extra: Record<string, number | string> = {}): RecordId => ({
        suite: "model", name, impl, params: { ...base, fpmath, ...(impl === "armbench" ? { layout: plan.layout } : {}), ...extra }, unit,
      });
      const peak = await peakFor(peakDtype("armbench", plan.fpmath, quantize), threads);
      // The caller joins the pool, as it does onnxruntime's intra-op pool: dozens of short
      // steps per inference would each pay a wake-up of a sleeping caller otherwise.
      const pool: NativeHandle = ctx.native.gemmPool(ctx.cpus.slice(0, threads), true);
      // Before onnxruntime's session opens: a tuning run times on a machine nothing else uses.
      const policy = await plan.algosFor(threads, graph, pool);
      const gemm = plan.gemmFor ? await plan.gemmFor(threads, pool) : null;
      if (gemm) summary.gemms.push({ batch, threads, kernel: gemm.kernel, blocking: `${gemm.pick.mc},${gemm.pick.kc},${gemm.pick.nc}`, source: gemm.source });

      // The peer's answer first: for fp32 it is the reference ours is checked against.
      // Its session stays open until its timed loop, which may come after ours.
      let ortAnswer: Float32Array[] | null = null;
      let ortSession: OrtSession | null = null;
      // Why ours has no onnxruntime answer to be checked against, while it has none.
      let noReference = "no reference engine ran (--no-peers)";
      const ortUnavailable = (reason: string) => {
        ctx.record(unavailableRecord(id("model.latency", "onnxruntime", "fp32", "ms"), reason));
        summary.rows.push(emptyRow("onnxruntime", batch, threads, "fp32", reason));
      };
      if (onnxBytes) {
        ctx.progress.update(`model ${plan.model}: onnxruntime, batch ${batch}, ${threads} thread(s)`);
        const o = await openOrt(onnxBytes, byInputName(graph, inputs), { threads });
        if (!o.ok) {
          noReference = `onnxruntime did not run: ${o.reason}`;
          ortUnavailable(o.reason);
        } else {
          ortSession = o.session;
          ortAnswer = graph.outputs.map((name) => o.session.outputs[name]!.data);
        }
      }

      ctx.progress.update(`model ${plan.model}: armbench ${plan.fpmath}, batch ${batch}, ${threads} thread(s): compiling`);
      const t0 = process.hrtime.bigint();
      const compiled = policy === defaultAlgoPolicy && !gemm ? first : compile(plan.fpmath, policy, gemm?.pick);
      const choices = convChoices(compiled.program, policy);
      summary.convAlgos.push({ batch, threads, policy: policy.describe, choices });
      const engine = ctx.native.engineCreate(compiled.program, pool);
      // Load = compiling the graph + creating the engine (weights copied and packed).
      const loadMs = (compiled === first ? compileMs : 0) + Number(process.hrtime.bigint() - t0) / 1e6;
      const t1 = process.hrtime.bigint();
      const answer = (await ctx.native.engineRun(engine, inputs.map((t) => t.data))).outputs;
      const firstInferenceMs = Number(process.hrtime.bigint() - t1) / 1e6;

      // bf16: our fp32 answer, the bf16 answer's reference, is itself checked against
      // onnxruntime (quantized, onnxruntime runs the int8 graph: nothing to check it with).
      let refCheck: ReferenceCheck | undefined;
      if (fp32Answer && quantize === "none") {
        const refId = (extra: Record<string, number | string> = {}) => id("model.check", "armbench", "fp32", "cosine", { role: "bf16 reference", ...extra });
        if (ortAnswer) {
          const a = worstAgreement(fp32Answer, ortAnswer);
          refCheck = { ...a, against: "onnxruntime", passed: a.nonFinite === 0 && a.cosine >= COSINE_BOUND.fp32 };
          const checkId = refId({ cosine: a.cosine, maxAbsDiff: a.maxAbsDiff });
          if (refCheck.passed) ctx.record(okRecord(checkId, [a.cosine], { method: `cosine of armbench's fp32 output against onnxruntime >= ${COSINE_BOUND.fp32}`, passed: true, maxAbsDiff: a.maxAbsDiff }));
          else ctx.record(failedRecord(checkId, `armbench's fp32 output, the bf16 reference, disagrees with onnxruntime: cosine ${a.cosine.toPrecision(6)}, max abs diff ${a.maxAbsDiff.toPrecision(3)}, ${a.nonFinite} non-finite`));
        } else {
          refCheck = { against: "onnxruntime", passed: null, reason: noReference };
          ctx.record(unavailableRecord(refId(), `armbench's fp32 output, the bf16 reference, not checked: ${noReference}`));
        }
      }

      const reference = approximate ? fp32Answer : ortAnswer;
      const against = approximate ? "armbench fp32" : "onnxruntime";
      // Quantized: the accuracy over many seeded inputs (the first thread count of each batch; it is the same at any).
      const accuracy = quantize !== "none" && fp32Program && threads === plan.threads[0] ? await quantizedAccuracy(ctx, graph, fp32Program, engine, pool) : null;
      let agreed: (Agreement & { against: string; passed: boolean; reference?: ReferenceCheck }) | null = null;
      if (reference) {
        const one = worstAgreement(answer, reference);
        const a = accuracy ? { ...one, cosine: Math.min(one.cosine, accuracy.cosine) } : one;
        agreed = { ...a, against, passed: a.nonFinite === 0 && a.cosine >= bound, ...(refCheck ? { reference: refCheck } : {}) };
        const extra: Record<string, number> = accuracy ? { top1Agreement: accuracy.top1Agreement, inputs: accuracy.inputs } : {};
        const checkId = id("model.check", "armbench", plan.fpmath, "cosine", { cosine: a.cosine, maxAbsDiff: a.maxAbsDiff, ...extra });
        const method = accuracy
          ? `the lowest cosine of the output against ${against} over ${accuracy.inputs} seeded inputs >= ${bound}; top-1 agreement over their rows reported, not bounded`
          : `cosine of the output against ${against} >= ${bound}`;
        if (agreed.passed) ctx.record(okRecord(checkId, [a.cosine], { method, passed: true, maxAbsDiff: a.maxAbsDiff }));
        else ctx.record(failedRecord(checkId, `the output disagrees with ${against}: cosine ${a.cosine.toPrecision(6)}, max abs diff ${a.maxAbsDiff.toPrecision(3)}, ${a.nonFinite} non-finite`));
      } else {
        ctx.record(unavailableRecord(id("model.check", "armbench", plan.fpmath, "cosine"), `no reference answer: ${noReference}`));
      }
      const latencyId = id("model.latency", "armbench", plan.fpmath, "ms");
      // Why ours is not timed, if it is not.
      let notTimed: { reason: string; note: string } | null = null;
      if (agreed && !agreed.passed) notTimed = { reason: `not timed: the answer check failed (cosine ${agreed.cosine.toPrecision(6)} against ${against})`, note: "answer check failed" };
      else if (refCheck?.passed === false) notTimed = { reason: `not timed: the bf16 answer's reference, armbench's fp32 output, disagrees with onnxruntime (cosine ${refCheck.cosine.toPrecision(6)})`, note: "fp32 reference check failed" };

      // Both timed loops, in this configuration's order; records are written after both.
      const order = engineOrder(configIndex++).filter((e) => (e === "armbench" ? !notTimed : ortSession !== null));
      const ranFirst = order[0] ?? null;
      let measured: Awaited<ReturnType<Native["engineMeasure"]>> | null = null;
      let ortMs: number[] | null = null;
      let ortFailure: string | null = null;
      let harnessOverheadMs: number | null = null;
      // The timed iterations in rounds, the engines alternating within them (ABBA...), so
      // that a machine whose speed drifts over seconds (a shared VM) moves both alike.
      const schedule = timingSchedule(order, plan.warmup, plan.iterations);
      const timingRounds = schedule[0]?.rounds ?? 0;
      for (const slot of schedule) {
        if (slot.engine === "armbench") {
          ctx.progress.update(`model ${plan.model}: armbench ${plan.fpmath}, batch ${batch}, ${threads} thread(s): timing, round ${slot.round + 1} of ${slot.rounds}`);
          const got = await ctx.native.engineMeasure(engine, inputs.map((t) => t.data), { warmup: slot.warmup, iterations: slot.iterations, profile: plan.profile });
          measured = measured ? { ...got, samplesNs: [...measured.samplesNs, ...got.samplesNs], ...(got.stepNs ? { stepNs: [...(measured.stepNs ?? []), ...got.stepNs] } : {}) } : got;
        } else if (ortFailure === null) {
          ctx.progress.update(`model ${plan.model}: onnxruntime, batch ${batch}, ${threads} thread(s): timing, round ${slot.round + 1} of ${slot.rounds}`);
          try {
            ortMs = [...(ortMs ?? []), ...(await ortSession!.time(slot.warmup, slot.iterations))];
          } catch (e) {
            ortFailure = (e as Error).message;
            ortMs = null;
          }
        }
      }
      if (ortSession && ortFailure === null) harnessOverheadMs = await ortHarnessOverheadMs(threads);
      // Released before anything else runs: its threads and memory are not ours to keep.
      await ortSession?.close();

      // onnxruntime's int8 answer beside ours: how far its quantized kernels are from our fp32 answer.
      if (quantize !== "none" && ortAnswer && fp32Answer) {
        const a = worstAgreement(ortAnswer, fp32Answer);
        ctx.record(okRecord(id("model.check", "onnxruntime", "fp32", "cosine", { cosine: a.cosine, maxAbsDiff: a.maxAbsDiff }), [a.cosine], {
          method: `cosine of onnxruntime's output on the quantized graph against armbench fp32 (reported, not bounded: onnxruntime is the peer)`, passed: true, maxAbsDiff: a.maxAbsDiff,
        }));
      }
      if (ortSession) {
        if (ortMs === null) {
          ortUnavailable(ortFailure ?? "onnxruntime was not timed");
        } else {
          const ortPeak = await peakFor(peakDtype("onnxruntime", plan.fpmath, quantize), threads);
          const s = latencyStats(ortMs, batch, flops, ortPeak);
          const reason = "onnxruntime is the reference engine: armbench's answer is checked against it, nothing checks it";
          const check = notChecked(reason);
          ctx.record(okRecord({
            ...id("model.latency", "onnxruntime", "fp32", "ms"),
            derived: { version: ortSession.version, gflops: s.gflops, pctPeak: s.pctPeak, ...tokensPerS(s.imagesPerS), ...peakDerived(ortPeak), ranFirst, timingRounds, harnessOverheadMs, cpus: cpus.join(",") },
          }, ortMs, check));
          ctx.record(okRecord(id("model.throughput", "onnxruntime", "fp32", perS), ortMs.map((ms) => (batch * 1000) / ms), check));
          const notes = [`onnxruntime ${ortSession.version}`, ...(ranFirst === "onnxruntime" && order.length > 1 ? ["timed first"] : []),
            ...(harnessOverheadMs !== null ? [`harness <= ${harnessOverheadMs.toPrecision(2)} ms/run`] : [])];
          summary.rows.push({ impl: "onnxruntime", batch, threads, fpmath: "fp32", ...s, ...tokensPerS(s.imagesPerS), check: { passed: null, reason }, note: notes.join(", ") });
        }
      }
      if (notTimed) {
        ctx.record(failedRecord(latencyId, notTimed.reason));
        summary.rows.push({ ...emptyRow("armbench", batch, threads, plan.fpmath, notTimed.note), check: agreed });
        continue;
      }
      if (!measured) throw new Error("internal: armbench's timed loop did not run");
      const m = measured;
      const ms = m.samplesNs.map((ns) => ns / 1e6);
      const s = latencyStats(ms, batch, flops, peak);
      const info = ctx.native.engineInfo(engine);
      const check = latencyCheck(plan.fpmath, agreed, noReference);
      ctx.record(okRecord({
        ...latencyId,
        derived: {
          gflops: s.gflops, pctPeak: s.pctPeak, ...tokensPerS(s.imagesPerS), ...peakDerived(peak),
          peakActivationBytes: compiled.plan.peakLiveBytes, arenaBytes: info.arenaBytes, weightBytes: info.weightBytes,
          loadMs, firstInferenceMs, ranFirst, timingRounds, cpus: cpus.join(","),
          ...convChoiceFields(choices), convPolicy: policy.describe,
          ...(gemm ? { gemmKernel: gemm.kernel, gemmBlocking: `${gemm.pick.mc},${gemm.pick.kc},${gemm.pick.nc}`, gemmSource: gemm.source } : {}), ...(policy.tunedInMs !== undefined ? { convTuneMs: policy.tunedInMs } : {}),
          // The race as `program=ms; ...` (records hold scalars), the winner named apart.
          ...(policy.race ? { convProgram: policy.race.winner, convRace: policy.race.raced.map((r) => `${r.program}=${r.ms.toFixed(3)}`).join("; ") } : {}),
        },
      }, ms, check));
      ctx.record(okRecord(id("model.throughput", "armbench", plan.fpmath, perS), ms.map((x) => (batch * 1000) / x), check));
      summary.rows.push({ impl: "armbench", batch, threads, fpmath: plan.fpmath, ...s, ...tokensPerS(s.imagesPerS), check: agreed ?? { passed: null, reason: noReference }, note: ranFirst === "armbench" && order.length > 1 ? "timed first" : null });

      if (plan.profile && m.stepNs) {
        const steps = compiled.program.steps;
        const perStep = steps.map((_, i) => m.stepNs!.map((it) => it[i]! / 1e6));
        const total = perStep.reduce((acc, xs) => acc + median(xs), 0);
        const parts = transformerParts(steps);
        steps.forEach((st, i) => {
          const stepMs = median(perStep[i]!);
          const detail = st.op === "conv" ? `${st.algo} ${st.shape.k}x${st.shape.c / st.shape.groups}x${st.shape.r}x${st.shape.s}/${st.shape.strideH}` : "";
          const share = total > 0 ? stepMs / total : 0;
          const part = parts?.[i];
          summary.ops.push({ batch, threads, node: st.name, op: st.op, detail, ms: stepMs, share, ...(part ? { part } : {}) });
          const opId = id("model.op", "armbench", plan.fpmath, "ms", { node: st.name, op: st.op, share, ...(detail ? { detail } : {}), ...(part ? { part } : {}) });
          ctx.record(okRecord(st.op === "conv" ? { ...opId, derived: { algo: st.algo, algoSource: policy.sourceOf(st.shape, st.dtype) } } : opId, perStep[i]!, check));
        });
      }
    }
  }
  return summary;
}
