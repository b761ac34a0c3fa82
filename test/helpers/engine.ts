/** Shared engine-test helpers: seeded inputs by name and running a graph through onnxruntime. */
import { byInputName, seededInputs, seededTensor } from "../../src/engine/inputs.js";
import type { Graph, InputTensor, Tensor } from "../../src/engine/ir.js";
import { saveOnnx } from "../../src/engine/onnx.js";
import { runOrt } from "../../src/engine/ort.js";

export const randomTensor = (dims: number[], seed = 7): Tensor => seededTensor(dims, seed);
export const randomInputs = (g: Graph, seed = 7): Record<string, InputTensor> => byInputName(g, seededInputs(g, seed));

/** The graph's outputs as onnxruntime computes them from the saved ONNX bytes. */
export async function runGraph(g: Graph, inputs: Record<string, InputTensor>): Promise<Record<string, Tensor>> {
  return runOrt(saveOnnx(g), inputs);
}

export function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}
