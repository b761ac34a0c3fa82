/**
 * The onnxruntime-node peer: runs the very graph armbench runs (saved to ONNX in memory)
 * with settings matched to ours, one thread pool, sequential execution. A missing or
 * unloadable onnxruntime is a result ("unavailable: reason"), never a crash.
 */
import { Bench } from "tinybench";

import { UserError } from "../errors.js";
import { median } from "../stats.js";
import { foreignCpuinfo } from "../sysinfo/emulation.js";
import { floatToHalfBits, halfBitsToFloat } from "./half.js";
import { isIntTensor, type Graph, type InputTensor, type Tensor } from "./ir.js";
import { saveOnnx } from "./onnx.js";

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

export type OrtLoad = { ok: true; ort: Ort; version: string } | { ok: false; reason: string };

const loaded = new Map<string, Promise<OrtLoad>>();

/** `moduleName` is for tests of the unavailable path. */
export function loadOrt(moduleName = "onnxruntime-node"): Promise<OrtLoad> {
  let got = loaded.get(moduleName);
  if (got) return got;
  got = (async (): Promise<OrtLoad> => {
    const foreign = foreignCpuinfo();
    if (foreign) {
      // onnxruntime's CPU detection parses /proc/cpuinfo at load and dies with SIGSEGV on
      // an x86 host's file under qemu-aarch64 (onnxruntime-node 1.30, qemu 7.2): no crash, a reason.
      return { ok: false, reason: `${moduleName} is not loaded: the kernel's /proc/cpuinfo describes an ${foreign} host (user-mode emulation), and onnxruntime's CPU detection crashes on it` };
    }
    try {
      const ort = (await import(moduleName)) as Ort;
      const version = (ort.env as { versions?: { node?: string } }).versions?.node ?? "unknown";
      return { ok: true, ort, version };
    } catch (e) {
      return { ok: false, reason: `${moduleName} cannot be loaded: ${(e as Error).message.split("\n")[0]}` };
    }
  })();
  loaded.set(moduleName, got);
  return got;
}

export interface OrtRunOptions {
  threads: number;
  /** Runs before timing starts. */
  warmup: number;
  iterations: number;
}

export type OrtMeasurement =
  | {
      ok: true;
      version: string;
      /** Wall time of each timed run, ms. */
      latencyMs: number[];
      /** Outputs of the untimed first run, by graph output name. */
      outputs: Record<string, Tensor>;
    }
  | { ok: false; reason: string };

async function session(ort: Ort, model: Uint8Array, threads: number): Promise<Session> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  });
}

function unfed(name: string): never {
  throw new UserError(`input "${name}" is bfloat16, which onnxruntime-node takes no tensors of.`);
}

function feeds(ort: Ort, inputs: Record<string, InputTensor>): Record<string, import("onnxruntime-node").Tensor> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [
      k,
      isIntTensor(t) ? (t.dtype === "int32" ? new ort.Tensor("int32", t.data, t.dims) : new ort.Tensor("int64", BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims))
      : t.dtype === "bool" ? new ort.Tensor("bool", Uint8Array.from(t.data), t.dims)
      : t.dtype === "float16" ? new ort.Tensor("float16", Uint16Array.from(t.data, floatToHalfBits), t.dims)
      : t.dtype === "bfloat16" ? unfed(k)
      : new ort.Tensor("float32", t.data, t.dims),
    ]),
  );
}

/**
 * Writes the graph onnxruntime runs after its own optimizer (level "all": its fusions
 * into Attention, SkipLayerNormalization, Gelu, ...) to `file`, so what it fused can be
 * checked.
 */
export async function saveOrtOptimized(model: Uint8Array, file: string): Promise<void> {
  const got = await loadOrt();
  if (!got.ok) throw new Error(got.reason);
  const s = await got.ort.InferenceSession.create(model, { graphOptimizationLevel: "all", intraOpNumThreads: 1, optimizedModelFilePath: file });
  await s.release();
}

/** One inference, for answer checks. */
export async function runOrt(model: Uint8Array, inputs: Record<string, InputTensor>, threads = 1): Promise<Record<string, Tensor>> {
  const got = await loadOrt();
  if (!got.ok) throw new Error(got.reason);
  const s = await session(got.ort, model, threads);
  try {
    return toTensors(await s.run(feeds(got.ort, inputs)));
  } finally {
    await s.release();
  }
}

/** Graph outputs as armbench tensors (copied: onnxruntime may reuse its buffers). */
function toTensors(out: Record<string, import("onnxruntime-node").Tensor>): Record<string, Tensor> {
  // bool outputs as 0 and 1, integer ones as numbers and float16 ones as their values, as armbench holds them.
  const values = (t: import("onnxruntime-node").Tensor) => (t.type === "float16" ? Float32Array.from(t.data as Uint16Array, halfBitsToFloat) : Float32Array.from(t.data as ArrayLike<number | bigint>, Number));
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims.map(Number), data: values(t) }]));
}

/**
 * Each sample is one awaited session.run, as a caller of onnxruntime-node pays it: the
 * setImmediate hop onnxruntime-node takes before running, and the output tensors it
 * allocates. tinybench times the JavaScript-side loop (warm-up, then exactly
 * `iterations` runs, no time budget), each sample one run in ms; against a plain loop of
 * awaited runs timed by process.hrtime.bigint it differed by under 1 us per run here
 * (a one-node graph: 10.3 against 10.1 us median), so it stays.
 */
async function timeRuns(run: () => Promise<unknown>, warmup: number, iterations: number): Promise<number[]> {
  const bench = new Bench({ iterations, warmupIterations: warmup, time: 0, warmupTime: 0, retainSamples: true });
  bench.add("onnxruntime", run);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== "completed") throw new Error(`the timed runs did not complete (${r.state})`);
  return [...r.latency.samples!];
}

/** A one-node graph (Relu of 8 floats): its latency is what every run pays besides the model's work. */
const TRIVIAL: Graph = {
  name: "armbench-harness-probe",
  inputs: [{ name: "x", dims: [1, 8] }],
  outputs: ["y"],
  nodes: [{ op: "Relu", name: "relu", inputs: ["x"], outputs: ["y"], attrs: {} }],
  initializers: new Map(),
};
const HARNESS_RUNS = 200;

/**
 * An onnxruntime session held open between its answer and its timed runs, so that the
 * caller can time our engine in between (the order alternates; see src/model/run.ts).
 */
export interface OrtSession {
  version: string;
  /** Outputs of one untimed run, by graph output name. */
  outputs: Record<string, Tensor>;
  /**
   * `warmup` untimed runs, then `iterations` timed runs, ms each. Called once per timing
   * round (src/model/run.ts): the answer's run made before the first is not counted, as
   * our engine's is not.
   */
  time(warmup: number, iterations: number): Promise<number[]>;
  close(): Promise<void>;
}

export async function openOrt(model: Uint8Array, inputs: Record<string, InputTensor>, o: { threads: number; moduleName?: string }): Promise<{ ok: true; session: OrtSession } | { ok: false; reason: string }> {
  const got = await loadOrt(o.moduleName);
  if (!got.ok) return got;
  let s: Session;
  try {
    s = await session(got.ort, model, o.threads);
  } catch (e) {
    return { ok: false, reason: `onnxruntime refused the model: ${(e as Error).message.split("\n")[0]}` };
  }
  try {
    const f = feeds(got.ort, inputs);
    const outputs = toTensors(await s.run(f));
    return {
      ok: true,
      session: {
        version: got.version,
        outputs,
        time: async (warmup, iterations) => {
          try {
            return iterations > 0 ? await timeRuns(() => s.run(f), warmup, iterations) : [];
          } catch (e) {
            throw new Error(`onnxruntime failed to run the model: ${(e as Error).message.split("\n")[0]}`);
          }
        },
        close: () => s.release(),
      },
    };
  } catch (e) {
    await s.release();
    return { ok: false, reason: `onnxruntime failed to run the model: ${(e as Error).message.split("\n")[0]}` };
  }
}

/**
 * The median latency, ms, of a one-node graph through the same session options and
 * timing loop: an upper bound on what the harness (the JavaScript call, its hop and the
 * output allocation, onnxruntime's own per-run bookkeeping) adds to each timed run of a
 * model, stated beside onnxruntime's latency and never subtracted from it. null when
 * onnxruntime cannot run it.
 */
export async function ortHarnessOverheadMs(threads: number, moduleName?: string): Promise<number | null> {
  const x: Tensor = { dims: [1, 8], data: new Float32Array(8).fill(1) };
  const opened = await openOrt(saveOnnx(TRIVIAL), { x }, { threads, ...(moduleName ? { moduleName } : {}) });
  if (!opened.ok) return null;
  try {
    return median(await opened.session.time(20, HARNESS_RUNS));
  } catch {
    return null;
  } finally {
    await opened.session.close();
  }
}

/** Warmup, then `iterations` runs, each one sample. */
export async function measureOrt(model: Uint8Array, inputs: Record<string, InputTensor>, o: OrtRunOptions & { moduleName?: string }): Promise<OrtMeasurement> {
  const opened = await openOrt(model, inputs, o);
  if (!opened.ok) return opened;
  const s = opened.session;
  try {
    const latencyMs = await s.time(o.warmup, o.iterations);
    return { ok: true, version: s.version, latencyMs, outputs: s.outputs };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  } finally {
    await s.close();
  }
}
