import assert from "node:assert/strict";
import { test } from "node:test";

import { agreement } from "../src/engine/compare.js";
import { compileModel, nativeNchwcBlock } from "../src/engine/compile.js";
import type { OpType } from "../src/engine/ir.js";
import { defaultAlgoChooser, type AlgoChooser, type FpMath } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import { saveOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import type { Program } from "../src/engine/program.js";
import { loadNative, type NativeHandle } from "../src/native.js";
import { randomInputs } from "./helpers/engine.js";

/** The executor's entry points, where this build of the addon has them. */
interface Executor {
  engineCreate(program: Program, pool?: NativeHandle): NativeHandle;
  engineRun(engine: NativeHandle, inputs: (Float32Array | Int32Array)[]): Promise<{ outputs: Float32Array[] }>;
}

function executor(): Executor | null {
  try {
    const n = loadNative() as unknown as Partial<Executor>;
    return typeof n.engineCreate === "function" && typeof n.engineRun === "function" ? (n as Executor) : null;
  } catch {
    return null;
  }
}

const exec = executor();
const skip = exec ? false : "the native addon has no engineCreate/engineRun (the executor is not built in)";

const ENOTSUP = 95;

/** Runs one model both ways; returns the executor's reason when it cannot run a step on this CPU. */
async function check(name: string, inputSize: number, fpmath: FpMath, minCosine: number, nchwc = false): Promise<string | null> {
  const g = builtinModel(name, { inputSize });
  // With NCHWc, every dense conv goes direct-nchwc: the longest blocked chains.
  const chooseAlgo: AlgoChooser = nchwc ? (s, d) => (s.groups === 1 && s.c >= 16 ? "direct-nchwc" : defaultAlgoChooser(s, d)) : defaultAlgoChooser;
  const c = compileModel(g, {
    fpmath, chooseAlgo, nchwcBlock: nativeNchwcBlock(loadNative()),
    ...(nchwc ? { nchwc: { blockedOps: ["MaxPool", "AveragePool", "GlobalAveragePool"] as OpType[] } } : {}),
  });
  const inputs = randomInputs(g);
  let engine: NativeHandle;
  try {
    engine = exec!.engineCreate(c.program);
  } catch (e) {
    if ((e as { errno?: number }).errno === ENOTSUP) return (e as Error).message;
    throw e;
  }
  const ours = await exec!.engineRun(engine, c.program.inputs.map((v) => inputs[v.name]!.data));
  const ort = await runOrt(saveOnnx(g), inputs);
  const a = agreement(ours.outputs[0]!, ort.output!.data);
  assert.equal(a.nonFinite, 0);
  assert.ok(a.cosine >= minCosine, `${name} ${fpmath}: cosine ${a.cosine}, max abs diff ${a.maxAbsDiff}`);
  return null;
}

test("compiled built-in models run on the native executor and agree with onnxruntime (fp32)", { skip }, async () => {
  assert.equal(await check("resnet18", 64, "fp32", 0.99999), null);
  assert.equal(await check("mobilenetv2", 64, "fp32", 0.99999), null);
});

test("with bf16 conv and gemm steps the logits still point the same way", { skip }, async (t) => {
  const unsupported = await check("resnet18", 64, "bf16", 0.999);
  if (unsupported) t.skip(unsupported);
});

test("NCHWc programs (blocked conv chains and pools) run on the executor and agree with onnxruntime", { skip }, async (t) => {
  const unsupported = await check("resnet18", 64, "fp32", 0.99999, true);
  if (unsupported) t.skip(unsupported);
  else assert.equal(await check("mobilenetv2", 64, "fp32", 0.99999, true), null);
});
