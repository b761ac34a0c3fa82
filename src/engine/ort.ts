/**
 * The onnxruntime-node peer: runs the very graph armbench runs (saved to ONNX in memory)
 * with settings matched to ours, one thread pool, sequential execution. A missing or
 * unloadable onnxruntime is a result ("unavailable: reason"), never a crash.
 */
import { Bench } from "tinybench";

import type { Tensor } from "./ir.js";

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

export type OrtLoad = { ok: true; ort: Ort; version: string } | { ok: false; reason: string };

const loaded = new Map<string, Promise<OrtLoad>>();

/** `moduleName` is for tests of the unavailable path. */
export function loadOrt(moduleName = "onnxruntime-node"): Promise<OrtLoad> {
  let got = loaded.get(moduleName);
  if (got) return got;
  got = (async (): Promise<OrtLoad> => {
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
      /** Outputs of the last run, by graph output name. */
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

function feeds(ort: Ort, inputs: Record<string, Tensor>): Record<string, import("onnxruntime-node").Tensor> {
  return Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor("float32", t.data, t.dims)]));
}

/** One inference, for answer checks. */
export async function runOrt(model: Uint8Array, inputs: Record<string, Tensor>, threads = 1): Promise<Record<string, Tensor>> {
  const got = await loadOrt();
  if (!got.ok) throw new Error(got.reason);
  const s = await session(got.ort, model, threads);
  try {
    const out = await s.run(feeds(got.ort, inputs));
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims.map(Number), data: Float32Array.from(t.data as Float32Array) }]));
  } finally {
    await s.release();
  }
}

/** Warmup, then `iterations` runs each timed alone with process.hrtime.bigint. */
export async function measureOrt(model: Uint8Array, inputs: Record<string, Tensor>, o: OrtRunOptions & { moduleName?: string }): Promise<OrtMeasurement> {
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
    // At least one untimed run: it also yields the outputs when iterations is 0.
    let out = await s.run(f);
    let latencyMs: number[] = [];
    if (o.iterations > 0) {
      // tinybench times the JavaScript-side loop (warm-up, then exactly `iterations`
      // runs, no time budget), each sample one inference in ms.
      const bench = new Bench({ iterations: o.iterations, warmupIterations: Math.max(0, o.warmup - 1), time: 0, warmupTime: 0, retainSamples: true });
      bench.add("onnxruntime", async () => {
        out = await s.run(f);
      });
      await bench.run();
      const r = bench.tasks[0]!.result;
      if (r.state !== "completed") throw new Error(`the timed runs did not complete (${r.state})`);
      latencyMs = [...r.latency.samples!];
    }
    const outputs = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims.map(Number), data: Float32Array.from(t.data as Float32Array) }]));
    return { ok: true, version: got.version, latencyMs, outputs };
  } catch (e) {
    return { ok: false, reason: `onnxruntime failed to run the model: ${(e as Error).message.split("\n")[0]}` };
  } finally {
    await s.release();
  }
}
