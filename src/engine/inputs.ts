/** Model inputs for a run: seeded standard-normal values, the same on every machine, as a normalised image would be. */
import type { Graph, Tensor } from "./ir.js";
import { Random } from "./models/builder.js";

export function seededTensor(dims: number[], seed: number): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(dims.reduce((p, v) => p * v, 1));
  for (let i = 0; i < data.length; i++) data[i] = r.normal();
  return { dims, data };
}

/** One tensor per graph input, keyed by input name; input i gets seed + i. */
export function seededInputs(g: Graph, seed = 7): Record<string, Tensor> {
  return Object.fromEntries(g.inputs.map((v, i) => [v.name, seededTensor(v.dims, seed + i)]));
}
