/**
 * Model inputs for a run, the same on every machine and for every engine: seeded
 * standard-normal values for float inputs (as a normalised image would be); for int64
 * inputs, token ids drawn below the size of the table they index, or, for an input only
 * cast to float (an attention mask), ones with the last eighth of each row zero, so the
 * masked path is exercised too.
 */
import { UserError } from "../errors.js";
import { roundToBf16, roundToHalf } from "./half.js";
import { consumers, type Graph, type InputTensor, type Node, type Tensor } from "./ir.js";
import { Random } from "./models/builder.js";

export function seededTensor(dims: number[], seed: number): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(dims.reduce((p, v) => p * v, 1));
  for (let i = 0; i < data.length; i++) data[i] = r.normal();
  return { dims: [...dims], data };
}

const VIEWS = new Set<Node["op"]>(["Reshape", "Flatten", "Unsqueeze", "Squeeze", "Identity", "Dropout"]);

/**
 * The values an int64 input may take: below the smallest table a Gather indexes with it
 * (through views), or a 0/1 mask when it is only cast. Null when nothing reads it.
 */
export function intInputUse(g: Graph, input: string): { kind: "indices"; below: number } | { kind: "mask" } | null {
  const uses = consumers(g);
  const shapes = new Map<string, number[]>([...g.initializers].map(([k, t]) => [k, t.dims]));
  let below = Infinity;
  let read = false;
  const walk = (v: string) => {
    for (const n of uses.get(v) ?? []) {
      read = true;
      if (VIEWS.has(n.op)) walk(n.outputs[0]!);
      else if (n.op === "Gather" && n.inputs[1] === v) {
        const dims = shapes.get(n.inputs[0]!);
        const axis = n.attrs.axis < 0 ? n.attrs.axis + (dims?.length ?? 0) : n.attrs.axis;
        if (dims) below = Math.min(below, dims[axis]!);
      }
    }
  };
  walk(input);
  if (!read) return null;
  return below < Infinity ? { kind: "indices", below } : { kind: "mask" };
}

/** One tensor per graph input, in the graph's input order; input i gets seed + i. */
export function seededInputs(g: Graph, seed = 7): InputTensor[] {
  return g.inputs.map((v, i) => {
    if (v.dtype === undefined || v.dtype === "float32") return seededTensor(v.dims, seed + i);
    // Values of the narrower floats are the seeded ones rounded to them.
    if (v.dtype === "float16" || v.dtype === "bfloat16") {
      const t = seededTensor(v.dims, seed + i);
      return { dims: t.dims, data: t.data.map(v.dtype === "float16" ? roundToHalf : roundToBf16), dtype: v.dtype };
    }
    if (v.dtype === "float64") throw new UserError(`graph input "${v.name}" is float64, which armbench does not hold.`);
    const count = v.dims.reduce((p, d) => p * d, 1);
    // A mask: the tail of each row (an eighth of it) off, the rest on.
    const row = v.dims[v.dims.length - 1] ?? 1;
    const mask = (j: number) => (j % row < row - Math.floor(row / 8) ? 1 : 0);
    if (v.dtype === "bool") return { dims: [...v.dims], data: Float32Array.from({ length: count }, (_, j) => mask(j)), dtype: "bool" as const };
    const data = new Int32Array(count);
    const use = intInputUse(g, v.name);
    const r = new Random(seed + i);
    for (let j = 0; j < count; j++) data[j] = use?.kind === "indices" ? Math.floor(r.uniform() * use.below) : mask(j);
    return { dims: [...v.dims], data, dtype: v.dtype };
  });
}

/** Tensors in graph-input order keyed by input name, as onnxruntime takes its feeds. */
export function byInputName(g: Graph, tensors: InputTensor[]): Record<string, InputTensor> {
  return Object.fromEntries(g.inputs.map((v, i) => [v.name, tensors[i]!]));
}
