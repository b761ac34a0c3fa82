/** Model inputs for a run: seeded standard-normal values, the same on every machine and for every engine, as a normalised image would be. */
import type { Graph, Tensor } from "./ir.js";
import { Random } from "./models/builder.js";

export function seededTensor(dims: number[], seed: number): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(dims.reduce((p, v) => p * v, 1));
  for (let i = 0; i < data.length; i++) data[i] = r.normal();
  return { dims: [...dims], data };
}

/** One tensor per graph input, in the graph's input order; input i gets seed + i. */
export function seededInputs(g: Graph, seed = 7): Tensor[] {
  return g.inputs.map((v, i) => seededTensor(v.dims, seed + i));
}

/** Tensors in graph-input order keyed by input name, as onnxruntime takes its feeds. */
export function byInputName(g: Graph, tensors: Tensor[]): Record<string, Tensor> {
  return Object.fromEntries(g.inputs.map((v, i) => [v.name, tensors[i]!]));
}
