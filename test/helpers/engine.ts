/** Shared engine-test helpers: seeded inputs by name and running a graph through onnxruntime or ours. */
import { compileModel } from "../../src/engine/compile.js";
import { byInputName, seededInputs, seededTensor } from "../../src/engine/inputs.js";
import type { Graph, InputTensor, Tensor } from "../../src/engine/ir.js";
import { saveOnnx } from "../../src/engine/onnx.js";
import { defaultAlgoChooser } from "../../src/engine/lower.js";
import { runOrt } from "../../src/engine/ort.js";
import { loadNative } from "../../src/native.js";

export const randomTensor = (dims: number[], seed = 7): Tensor => seededTensor(dims, seed);
export const randomInputs = (g: Graph, seed = 7): Record<string, InputTensor> => byInputName(g, seededInputs(g, seed));

/** The graph's outputs as onnxruntime computes them from the saved ONNX bytes. */
export async function runGraph(g: Graph, inputs: Record<string, InputTensor>): Promise<Record<string, Tensor>> {
  return runOrt(saveOnnx(g), inputs);
}

export function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

/** Our native engine's first output for `values` (one per graph input, in order), fp32, default algorithms. */
export async function runOurs(g: Graph, values: (Float32Array | Int32Array)[]): Promise<Float32Array> {
  const native = loadNative();
  const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() });
  const out = (await native.engineRun(native.engineCreate(c.program), values)).outputs[0]!;
  if (!(out instanceof Float32Array)) throw new Error(`runOurs: the first output of ${g.name} is int32, not fp32`);
  return out;
}

/** An ONNX ValueInfoProto of a float32 tensor. */
export const floatInfo = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
