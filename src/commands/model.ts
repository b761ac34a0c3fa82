/** `armbench model`: whole-model inference, our engine against onnxruntime on the same graph. */
import { existsSync } from "node:fs";
import path from "node:path";

import { loadCache } from "../conv/cache.js";
import { cachedAlgoPolicy, defaultAlgoPolicy, type AlgoPolicy } from "../engine/compile.js";
import { countFlops, type Graph } from "../engine/ir.js";
import { defaultAlgoChooser, type FpMath } from "../engine/lower.js";
import { BUILTIN_MODELS, builtinModel, SEQUENCE_MODELS } from "../engine/models/index.js";
import { loadOnnxFile, saveOnnxFile } from "../engine/onnx.js";
import { QUANTIZE_MODES, quantizeDynamic, type QuantizeMode } from "../engine/quantize.js";
import { UserError } from "../errors.js";
import { formatBytes } from "../format.js";
import { threadCounts } from "../gemm/cases.js";
import { renderModel } from "../model/render.js";
import { BLOCKED_OPS, runModelPlan, type ModelPlan } from "../model/run.js";
import { defaultModelTuneCacheFile, loadModelTuneCache, tunedAlgos } from "../model/tune.js";
import { chooseGemm, defaultTuneCacheFile, loadTuneCache, saveTuneCache, tuneOff } from "../gemm/tune.js";
import type { GemmDtype } from "../gemm/cases.js";
import { isEmulated } from "../sysinfo/emulation.js";
import { runTestSets } from "../model/testdata.js";
import { loadNative, type Native, type NativeHandle } from "../native.js";
import { finishOutput, openWriter, resolveDestination, type GlobalOptions } from "../output.js";
import { createProgress } from "../progress.js";
import { openPeakBook } from "../micro/peak-book.js";
import type { Env, ResultRecord } from "../results/schema.js";
import { loadSuite, ModelSuite } from "../suites.js";
import { measureEnv } from "../sysinfo/collect.js";
import { num, renderTable } from "../table.js";

export interface ModelOptions extends GlobalOptions {
  name?: string | undefined;
  list: boolean;
  onnx?: string | undefined;
  fpmath: string;
  /** none, or dynamic (int8 weights, activations quantized per call); static is not built yet. */
  quantize?: string | undefined;
  layout: string;
  batch?: number | undefined;
  inputSize?: number | undefined;
  seq?: number | undefined;
  iterations?: number | undefined;
  warmup?: number | undefined;
  profile: boolean;
  save?: string | undefined;
  peers: boolean;
  testData?: string | undefined;
  rtol: number;
  atol: number;
  cacheFile?: string | undefined;
  /** --no-tune: the default rules instead of the model's own tuning. */
  noTune: boolean;
  /** --tune-cache: the model-tune cache file. */
  tuneCache?: string | undefined;
  suiteFile?: string | undefined;
  /** --peaks: results files whose measured peaks this run uses instead of measuring them. */
  peaks?: string[] | undefined;
}

function wholeNumber(v: number | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!(Number.isInteger(v) && v >= min && v <= max)) throw new UserError(`${flag} must be a whole number from ${min} to ${max}, got ${v}.`);
  return v;
}

function listModels(suite: ModelSuite): number {
  const rows = suite.models.filter((m) => m in BUILTIN_MODELS).map((m) => {
    const input = SEQUENCE_MODELS.includes(m) ? `1x${suite.seq} tokens` : `1x3x${suite.inputSize}x${suite.inputSize}`;
    try {
      const g = builtinModel(m, { inputSize: suite.inputSize, seq: suite.seq });
      const weights = [...g.initializers.values()].reduce((a, t) => a + t.data.byteLength, 0);
      return [m, num(countFlops(g).macs / 1e9, 2), formatBytes(weights), String(g.nodes.length), input];
    } catch (e) {
      return [m, "-", "-", "-", `${input}: ${(e as Error).message}`];
    }
  });
  process.stdout.write(`${renderTable(["model", "GMACs", "weights", "nodes", "input"], rows, { right: [1, 2, 3] })}\n`);
  return 0;
}

/**
 * Where the convs' algorithms come from: the winners of a conv fast-run cache when --cache
 * names one; the default rules with --no-tune, ARMBENCH_TUNE=off or under emulation (whose
 * timings are the emulator's); else the model's own tuning of each graph and thread count,
 * taken from the model-tune cache or measured on first use and stored there.
 */
function algoPolicies(opts: ModelOptions, env: Env, native: Native, progress: (m: string) => void, warn: (m: string) => void): {
  algosFor(threads: number, graph: Graph, pool: NativeHandle): AlgoPolicy | Promise<AlgoPolicy>;
  from: string;
} {
  if (opts.cacheFile) {
    if (!existsSync(opts.cacheFile)) throw new UserError(`--cache ${opts.cacheFile} does not exist; run \`armbench conv --fast-run --cache ${opts.cacheFile}\` first.`);
    const cache = loadCache(opts.cacheFile, env, native, warn);
    const policies = new Map<number, AlgoPolicy>();
    return {
      algosFor: (threads) => {
        if (!policies.has(threads)) policies.set(threads, cachedAlgoPolicy(cache, threads));
        return policies.get(threads)!;
      },
      from: `the conv fast-run cache ${opts.cacheFile}, each thread count its own winners (the default rules for shapes it has not measured)`,
    };
  }
  if (tuneOff(opts.noTune)) return { algosFor: () => defaultAlgoPolicy, from: "the default rules (tuning off)" };
  if (isEmulated(env.machine.virtualization)) {
    warn("conv tuning is off under user-mode emulation (its timings are the emulator's): the default rules choose.");
    return { algosFor: () => defaultAlgoPolicy, from: "the default rules (tuning is off under emulation)" };
  }
  const cache = loadModelTuneCache(opts.tuneCache ?? defaultModelTuneCacheFile(), env, native, warn);
  return {
    algosFor: (threads, graph, pool) =>
      tunedAlgos({ native, progress, warn }, cache, { graph, fpmath: opts.fpmath as FpMath, threads, pool, nchwcBlock: native.nchwcBlock(), layout: opts.layout as "nchw" | "nchwc", blockedOps: BLOCKED_OPS }),
    from: "the model's own tuning per graph and thread count (each conv's algorithms timed alone, then whole programs raced)",
  };
}

/**
 * The GEMM kernel and blocking our gemm and matmul steps run: the GEMM tuning's choice for
 * the dtype and thread count (the same cache `armbench gemm` uses, measured on first use),
 * or the defaults with --no-tune, ARMBENCH_TUNE=off or under emulation.
 */
function gemmChoices(opts: ModelOptions, env: Env, native: Native, progress: (m: string) => void, warn: (m: string) => void): {
  gemmFor: NonNullable<ModelPlan["gemmFor"]>;
  done(): void;
} {
  if (tuneOff(opts.noTune) || isEmulated(env.machine.virtualization)) return { gemmFor: async () => null, done: () => {} };
  const kernels = native.gemmKernels();
  const file = defaultTuneCacheFile();
  const cache = loadTuneCache(file, env, kernels, warn);
  const ctx = { native, kernels, request: { kernel: null, blocking: null, off: false }, cache, progress };
  return {
    gemmFor: async (threads, pool) => {
      const c = await chooseGemm(ctx, opts.fpmath as GemmDtype, threads, pool);
      return c ? { pick: { kernel: c.kernel.index, ...c.blocking }, kernel: c.kernel.name, source: c.source } : null;
    },
    done: () => {
      try {
        saveTuneCache(cache);
      } catch (err) {
        warn(`the GEMM tuning cache ${file} could not be written (${(err as Error).message}); the next run tunes again.`);
      }
    },
  };
}

export async function runModel(opts: ModelOptions): Promise<number> {
  const suite = loadSuite("model", ModelSuite, opts.quick, opts.suiteFile);
  if (opts.list) return listModels(suite);
  if (opts.name && opts.onnx) throw new UserError(`give either a built-in model name or --onnx FILE, not both ("${opts.name}" and ${opts.onnx}).`);
  if (!opts.name && !opts.onnx) throw new UserError("name a built-in model (`armbench model --list` shows them) or give --onnx FILE.");
  if (opts.fpmath !== "fp32" && opts.fpmath !== "bf16") throw new UserError(`unknown --fpmath "${opts.fpmath}"; choose fp32 or bf16.`);
  const fpmath = opts.fpmath as FpMath;
  const quantize = (opts.quantize ?? "none") as QuantizeMode;
  if (opts.quantize === "static") throw new UserError("--quantize static (int8 convs with calibrated activations) is not built yet; --quantize dynamic quantizes the MatMul and Gemm weights.");
  if (!QUANTIZE_MODES.includes(quantize)) throw new UserError(`unknown --quantize "${opts.quantize}"; choose dynamic (or none).`);
  if (quantize !== "none" && fpmath !== "fp32") throw new UserError("--quantize and --fpmath bf16 are two ways to trade accuracy for speed; give one of them.");
  if (quantize !== "none" && opts.testData) throw new UserError("--test-data checks a model as given; leave out --quantize.");
  if (opts.layout !== "nchw" && opts.layout !== "nchwc") throw new UserError(`unknown --layout "${opts.layout}"; choose nchwc or nchw.`);
  const layout = opts.layout;
  const batch = wholeNumber(opts.batch, "--batch", 1, 1024);
  const inputSize = wholeNumber(opts.inputSize, "--input-size", 8, 4096) ?? suite.inputSize;
  const seq = wholeNumber(opts.seq, "--seq", 1, 512) ?? suite.seq;
  const sequenceModel = !!opts.name && SEQUENCE_MODELS.includes(opts.name);
  if (opts.seq !== undefined && !sequenceModel) throw new UserError(`--seq applies to the built-in transformers (${SEQUENCE_MODELS.join(", ")}), not ${opts.name ?? opts.onnx}.`);
  if (opts.inputSize !== undefined && sequenceModel) throw new UserError(`--input-size applies to image models; ${opts.name} takes --seq.`);
  const iterations = wholeNumber(opts.iterations, "--iterations", 1, 100000) ?? suite.iterations;
  const warmup = wholeNumber(opts.warmup, "--warmup", 0, 100000) ?? suite.warmup;
  if (!(opts.rtol >= 0) || !(opts.atol >= 0)) throw new UserError("--rtol and --atol must be numbers of 0 or more.");

  const native = loadNative();
  const allowed = native.allowedCpus();
  if (opts.threads !== undefined && opts.threads > allowed.length) {
    throw new UserError(`--threads ${opts.threads} asks for more CPUs than this process may use (${allowed.length}).`);
  }
  // The graph is built (or loaded, and refused if unsupported) before anything is measured.
  const modelName = opts.onnx ? path.basename(opts.onnx) : opts.name!;
  const graphAt = (n: number): Graph => (opts.onnx ? loadOnnxFile(opts.onnx, { batch: n }) : builtinModel(opts.name!, { batch: n, inputSize, seq }));
  // With test data an ONNX file is loaded per test set where it needs an input's values at load.
  const testLoad = opts.testData && opts.onnx && !opts.save;
  const first = testLoad ? null : graphAt(batch ?? suite.batches[0]!);
  if (opts.save && first) {
    // Quantized, the graph both engines run: onnxruntime runs the very same int8 model.
    saveOnnxFile(opts.save, quantize === "dynamic" ? quantizeDynamic(first).graph : first);
    if (!opts.quiet) process.stderr.write(`saved ${modelName} (batch ${first.inputs[0]?.dims[0] ?? "?"}) as ONNX to ${opts.save}\n`);
  }

  const progress = createProgress(opts.quiet);
  if (opts.testData) {
    const load = (bind?: Map<string, { dims: number[]; data: number[] }>) =>
      first && !bind ? first : opts.onnx ? loadOnnxFile(opts.onnx, { batch: batch ?? suite.batches[0]!, ...(bind ? { bind } : {}) }) : first!;
    const results = await runTestSets(native, load, opts.testData, defaultAlgoChooser, opts.rtol, opts.atol);
    progress.done();
    const rows = results.map((r) => [
      r.bound ? `${r.name} (int64 input ${r.bound.join(", ")} taken as constant at load)` : r.name, r.passed ? "pass" : "FAIL",
      r.worst ? `output ${r.worst.output} [${r.worst.index}]: ${r.worst.got.toPrecision(7)} vs ${r.worst.want.toPrecision(7)}${r.worst.exact ? " (exact)" : ""}` : "-",
      r.error ?? "",
    ]);
    process.stdout.write(`${renderTable(["test set", "result", `worst element (rtol ${opts.rtol}, atol ${opts.atol}; integer outputs exact)`, "error"], rows)}\n`);
    return results.every((r) => r.passed) ? 0 : 1;
  }

  if (!first) throw new Error("internal: the model was loaded only for its test data");
  progress.update("measuring the core clock and reading the system...");
  const { env, clockRecord } = await measureEnv(native, opts.quick);
  const dest = resolveDestination(opts, "model", env.machine.hostname, new Date(env.createdAt), true);
  const writer = openWriter(dest, env);
  writer.add(clockRecord);
  const threads = threadCounts(allowed.length, opts.threads);
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const record = (r: ResultRecord) => writer.add(r);
  const chooser = algoPolicies(opts, env, native, (m) => progress.update(m), warn);
  const gemms = gemmChoices(opts, env, native, (m) => progress.update(m), warn);
  const peaks = openPeakBook({ native, env, quick: opts.quick, peaksFiles: opts.peaks, record, warn });
  let summary;
  try {
    summary = await runModelPlan(
      { native, record, progress, cpus: allowed, peaks, warn },
      {
        model: modelName,
        graphAt: (n) => (n === (batch ?? suite.batches[0]) ? first : graphAt(n)),
        batches: opts.onnx ? [first.inputs[0]?.dims[0] ?? 1] : batch !== undefined ? [batch] : suite.batches,
        threads,
        fpmath,
        quantize,
        algosFor: chooser.algosFor,
        gemmFor: gemms.gemmFor,
        warmup,
        iterations,
        profile: opts.profile,
        peers: opts.peers,
        layout,
        ...(sequenceModel ? { item: { name: "sequences" as const, tokens: seq } } : {}),
      },
    );
  } finally {
    gemms.done();
    progress.done();
    finishOutput(dest, writer, opts.quiet);
  }
  if (dest.kind !== "stdout") {
    process.stdout.write(renderModel(summary));
    process.stdout.write(`Conv algorithms: ${chooser.from}.\n`);
    for (const c of summary.convAlgos) process.stdout.write(`  batch ${c.batch}, ${c.threads} thread(s): ${c.policy}\n`);
    const gemmText = summary.gemms.map((g) => `${g.threads} thread(s) ${g.kernel} mc,kc,nc ${g.blocking} (${g.source})`);
    process.stdout.write(`GEMM kernels: ${gemmText.length ? [...new Set(gemmText)].join("; ") : "each dtype's default kernel and blocking (tuning off)"}.\n`);
    if (warnings.length) process.stdout.write(`Warnings:\n${warnings.map((w) => `  ! ${w}`).join("\n")}\n`);
  }
  return writer.results.records.some((r) => r.suite === "model" && r.status === "failed") ? 1 : 0;
}
