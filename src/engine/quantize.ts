/**
 * `armbench model --quantize dynamic`: the rewrite onnxruntime's quantize_dynamic and
 * PyTorch's dynamic quantization make for transformers. Every MatMul (and Gemm) whose
 * weights are constant becomes a DynamicQuantMatMul: the weights int8 ahead of time,
 * symmetric per output column (scale = max |w| / 127, zero point 0), the activations
 * quantized to uint8 on every call. Both engines run the rewritten graph: ours, and
 * onnxruntime on the same graph saved as ONNX.
 */
import { UserError } from "../errors.js";
import { transposeInto } from "./fold.js";
import { cloneGraph, inferTypes, valueNamer, type Graph, type Node, type Tensor } from "./ir.js";

export const QUANTIZE_MODES = ["none", "dynamic"] as const;
export type QuantizeMode = (typeof QUANTIZE_MODES)[number];

/** Symmetric int8: -127..127, so that negating a weight never saturates. */
const QMAX = 127;

/** The nearest integer, ties to even (as ONNX's QuantizeLinear rounds). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** w [k, n] (row-major) as int8 per column and the column scales. */
export function quantizeColumns(w: Float32Array, k: number, n: number): { q: Tensor; scale: Tensor } {
  const scale = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let p = 0; p < k; p++) m = Math.max(m, Math.abs(w[p * n + j]!));
    // fp32, as every engine will multiply by it; a column of zeros keeps scale 1.
    scale[j] = m > 0 ? Math.fround(m / QMAX) : 1;
  }
  const q = new Float32Array(k * n);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) q[p * n + j] = Math.max(-QMAX, Math.min(QMAX, roundEven(Math.fround(w[p * n + j]! / scale[j]!))));
  }
  return { q: { dims: [k, n], data: q, dtype: "int8" }, scale: { dims: [n], data: scale } };
}

function transposed(t: Tensor): Float32Array {
  const out = new Float32Array(t.data.length);
  transposeInto(t.data, t.dims, [1, 0], out);
  return out;
}

/**
 * The graph with its constant-weight MatMuls and Gemms quantized; `count` says how many.
 * A graph with none is refused: quantizing it would measure nothing new.
 */
export function quantizeDynamic(input: Graph): { graph: Graph; count: number } {
  const g = cloneGraph(input);
  const types = inferTypes(g);
  const fresh = valueNamer(g);
  const quantized = new Map<string, { w: string; scale: string }>();
  const weights = (b: string, transpose: boolean): { w: string; scale: string } | null => {
    const t = g.initializers.get(b);
    if (!t || t.dtype !== undefined || t.dims.length !== 2) return null;
    const key = `${b}${transpose ? "^T" : ""}`;
    const have = quantized.get(key);
    if (have) return have;
    const [k, n] = transpose ? [t.dims[1]!, t.dims[0]!] : [t.dims[0]!, t.dims[1]!];
    const { q, scale } = quantizeColumns(transpose ? transposed(t) : t.data, k, n);
    const names = { w: fresh(`${b}/int8`), scale: fresh(`${b}/scale`) };
    g.initializers.set(names.w, q);
    g.initializers.set(names.scale, scale);
    quantized.set(key, names);
    return names;
  };
  let count = 0;
  const out: Node[] = [];
  for (const n of g.nodes) {
    const float = (v: string | undefined) => v !== undefined && (types.get(v) ?? "float32") === "float32";
    if (n.op === "MatMul" && float(n.inputs[0])) {
      const w = weights(n.inputs[1]!, false);
      if (w) {
        out.push({ op: "DynamicQuantMatMul", name: n.name, inputs: [n.inputs[0]!, w.w, w.scale], outputs: n.outputs, attrs: {} });
        count++;
        continue;
      }
    }
    if (n.op === "Gemm" && float(n.inputs[0]) && !n.attrs.transA && n.attrs.alpha === 1 && (!n.inputs[2] || n.attrs.beta === 1)) {
      const w = weights(n.inputs[1]!, Boolean(n.attrs.transB));
      if (w) {
        const y = n.outputs[0]!;
        const product = n.inputs[2] ? fresh(`${y}/product`) : y;
        out.push({ op: "DynamicQuantMatMul", name: n.name, inputs: [n.inputs[0]!, w.w, w.scale], outputs: [product], attrs: {} });
        if (n.inputs[2]) out.push({ op: "Add", name: `${n.name}/bias`, inputs: [product, n.inputs[2]], outputs: [y], attrs: {} });
        count++;
        continue;
      }
    }
    out.push(n);
  }
  if (count === 0) throw new UserError(`${g.name} has no MatMul or Gemm with constant weights: --quantize dynamic has nothing to quantize.`);
  g.nodes = out;
  // The fp32 weights nothing reads any more.
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const name of [...g.initializers.keys()]) if (!read.has(name) && !g.outputs.includes(name)) g.initializers.delete(name);
  return { graph: g, count };
}
