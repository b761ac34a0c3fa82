/** Shared engine-test helpers: seeded inputs and running a graph through onnxruntime. */
import type { Graph, Tensor } from "../../src/engine/ir.js";
import { Random } from "../../src/engine/models/builder.js";
import { saveOnnx } from "../../src/engine/onnx.js";
import { runOrt } from "../../src/engine/ort.js";

export function randomTensor(dims: number[], seed = 7): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(dims.reduce((p, v) => p * v, 1));
  for (let i = 0; i < data.length; i++) data[i] = r.normal();
  return { dims, data };
}

/** Seeded inputs for every graph input. */
export function randomInputs(g: Graph, seed = 7): Record<string, Tensor> {
  return Object.fromEntries(g.inputs.map((v, i) => [v.name, randomTensor(v.dims, seed + i)]));
}

/** The graph's outputs as onnxruntime computes them from the saved ONNX bytes. */
export async function runGraph(g: Graph, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  return runOrt(saveOnnx(g), inputs);
}

export function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}
