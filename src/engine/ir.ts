/**
 * The model runner's graph IR: ONNX-shaped (nodes name their inputs and outputs by value
 * name) but with every attribute normalised at load, so passes and lowering never deal
 * with opset differences, defaults or auto_pad. Constants are fp32 initializers; int64
 * constants (shapes, axes, indices) are folded into attributes at load, so the only
 * int64 values left are graph inputs (token ids, masks) and views of them, which only
 * Gather (as indices) and Cast read.
 */
import { UserError } from "../errors.js";

export interface Tensor {
  dims: number[];
  data: Float32Array;
  /**
   * Absent: float32. "bool": 0 and 1 (a bool graph input or constant); "int64": integer
   * constants a comparison reads, each exact in fp32 (checked at load).
   */
  dtype?: "bool" | "int64" | "int32" | "float16" | "bfloat16" | QuantType;
}

/** An integer graph input's values (token ids, masks, quantized values), held as int32: the executor's form. */
export interface IntTensor {
  dims: number[];
  data: Int32Array;
  dtype: "int64" | "int32" | QuantType;
}

/** The 8-bit types of quantized values. */
export type QuantType = "uint8" | "int8";
/** Each 8-bit type's range, [min, max]: what a value must fit, and where quantizing saturates. */
export const QUANT_RANGE: Record<QuantType, readonly [number, number]> = { uint8: [0, 255], int8: [-128, 127] };
export const isQuantType = (t: ValueType | undefined): t is QuantType => t === "uint8" || t === "int8";

/** What a graph input takes. */
export type InputTensor = Tensor | IntTensor;

export const isIntTensor = (t: InputTensor): t is IntTensor => t.data instanceof Int32Array;

/** The value type a graph input or constant holds. */
export const typeOf = (t: InputTensor): ValueType => t.dtype ?? "float32";

/** Epilogue of a fused conv or gemm: what runs after the bias (and residual) add. */
export type Act = "none" | "relu" | "clip" | "gelu" | "gelu-tanh";

export interface ConvAttrs {
  kernel: [number, number];
  strides: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
}

export interface PoolAttrs {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  /** AveragePool only. */
  countIncludePad: boolean;
}

export interface AttentionAttrs {
  scaleOp: "Mul" | "Div" | "none";
  scaleBy: number;
}

/** The factor the scores are multiplied by (a Div by c multiplies by 1 / c in fp32). */
export const attentionScale = (a: AttentionAttrs): number => (a.scaleOp === "Div" ? Math.fround(1 / a.scaleBy) : a.scaleOp === "Mul" ? a.scaleBy : 1);

export interface Epilogue {
  act: Act;
  clipMin?: number;
  clipMax?: number;
}

/**
 * One node per supported op. Inputs hold value names; an absent optional input is "".
 * FusedConv and FusedGemm exist only after the passes: inputs [x, w, bias | "", residual | ""].
 */
export type Node =
  | { op: "Conv"; name: string; inputs: string[]; outputs: string[]; attrs: ConvAttrs }
  | { op: "FusedConv"; name: string; inputs: string[]; outputs: string[]; attrs: ConvAttrs & Epilogue }
  | { op: "BatchNormalization"; name: string; inputs: string[]; outputs: string[]; attrs: { epsilon: number } }
  | { op: "Relu" | "Sigmoid" | "HardSwish" | "Identity" | "Dropout" | "GlobalAveragePool" | "Erf" | "Tanh" | "Sqrt" | "Exp" | "Log" | "Not"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  | { op: "Gelu"; name: string; inputs: string[]; outputs: string[]; attrs: { approximate: "none" | "tanh" } }
  | { op: "Clip"; name: string; inputs: string[]; outputs: string[]; attrs: { min: number; max: number } }
  | { op: BinaryOp; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  /** Comparisons (bool out), and the logical ops on bools. */
  | { op: CompareOp | LogicOp; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  /** inputs [condition (bool), value where true, value where false], broadcasting as the binary ops. */
  | { op: "Where"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  | { op: "MaxPool" | "AveragePool"; name: string; inputs: string[]; outputs: string[]; attrs: PoolAttrs }
  | { op: "Gemm"; name: string; inputs: string[]; outputs: string[]; attrs: { alpha: number; beta: number; transA: boolean; transB: boolean } }
  | { op: "FusedGemm"; name: string; inputs: string[]; outputs: string[]; attrs: Epilogue }
  /**
   * The passes' own (fuseAttention): y = Softmax(scaled(q @ kt) + mask, last axis) @ v,
   * inputs [q, kt, v, mask | ""], q [..., sq, dk], kt [..., dk, sk], v [..., sk, dv]
   * with equal batch dims, the mask broadcasting to the scores. scaleOp and scaleBy
   * are the Mul or Div by a constant scalar it replaced ("none": no scaling), kept so
   * saveOnnx writes back the very ops.
   */
  | { op: "Attention"; name: string; inputs: string[]; outputs: string[]; attrs: AttentionAttrs }
  | { op: "MatMul"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  | { op: "Flatten"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number } }
  | { op: "Reshape"; name: string; inputs: string[]; outputs: string[]; attrs: { shape: number[] } }
  | { op: "Concat"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number } }
  /** throughLast: over every axis from `axis` on together (before opset 13); else over `axis` alone. */
  | { op: "Softmax" | "LogSoftmax"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number; throughLast?: boolean } }
  /** inputs [x, scale, bias | "", residual | ""]: the residual (the passes' own) is added to x first. */
  | { op: "LayerNormalization"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number; epsilon: number } }
  | { op: "Transpose"; name: string; inputs: string[]; outputs: string[]; attrs: { perm: number[] } }
  /** axes normalised to non-negative and sorted; an empty list reduces every axis. */
  | { op: ReduceOp; name: string; inputs: string[]; outputs: string[]; attrs: { axes: number[]; keepdims: boolean } }
  /**
   * inputs [data, indices] (indices an int64 activation), or [data] with the constant indices in attrs;
   * zeroRow (constant indices only, the loader's im2col): an index equal to the axis length reads zeros.
   */
  | { op: "Gather"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number; indices?: { dims: number[]; data: number[] }; zeroRow?: boolean } }
  /** Views, as Reshape: axes of the output (Unsqueeze) or input (Squeeze; empty: every 1). */
  | { op: "Unsqueeze" | "Squeeze"; name: string; inputs: string[]; outputs: string[]; attrs: { axes: number[] } }
  | { op: "Cast"; name: string; inputs: string[]; outputs: string[]; attrs: { to: ValueType } }
  | { op: "Constant"; name: string; inputs: string[]; outputs: string[]; attrs: { value: Tensor } }
  /**
   * inputs [x, scale, zero point | ""]: the scale and zero point one value, or one per
   * slice along `axis` (normalised to non-negative once shapes are known).
   */
  | { op: "QuantizeLinear" | "DequantizeLinear"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number } }
  /** inputs [a, b, a zero point | "", b zero point | ""]; int32 out. */
  | { op: "MatMulInteger"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  /** inputs [a, a scale, a zero point, b, b scale, b zero point, y scale, y zero point]. */
  | { op: "QLinearMatMul"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  /** inputs [x, w, x zero point | "", w zero point | ""]; int32 out. */
  | { op: "ConvInteger"; name: string; inputs: string[]; outputs: string[]; attrs: ConvAttrs }
  /** inputs [x, x scale, x zero point, w, w scale, w zero point, y scale, y zero point, int32 bias | ""]. */
  | { op: "QLinearConv"; name: string; inputs: string[]; outputs: string[]; attrs: ConvAttrs }
  /**
   * The quantizer's own (`armbench model --quantize dynamic`): inputs [x, w, w scale],
   * y = MatMul(x, w dequantized), x quantized to uint8 on every call by
   * DynamicQuantizeLinear's rule, w int8 [k, n] with one scale per column (symmetric:
   * zero point 0). saveOnnx writes it as the ops onnxruntime's quantize_dynamic writes
   * (DynamicQuantizeLinear, MatMulInteger, Cast, Mul, Mul); decompose expands it into
   * the ops that define it.
   */
  | { op: "DynamicQuantMatMul"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  /** To the nearest integer, ties to even (held as fp32). */
  | { op: "Round"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  /** The layout pass's own: the same values in another memory layout. */
  | { op: "Reorder"; name: string; inputs: string[]; outputs: string[]; attrs: { layout: Layout } };

/** Max and Min take two inputs here: the loader chains ONNX's variadic form. */
export type BinaryOp = "Add" | "Mul" | "Sub" | "Div" | "Pow" | "Max" | "Min";
export const BINARY_OPS: readonly BinaryOp[] = ["Add", "Mul", "Sub", "Div", "Pow", "Max", "Min"];
export type CompareOp = "Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual";
export const COMPARE_OPS: readonly CompareOp[] = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"];
export type LogicOp = "And" | "Or" | "Xor";
export const LOGIC_OPS: readonly LogicOp[] = ["And", "Or", "Xor"];
export type ReduceOp = "ReduceMean" | "ReduceSum" | "ReduceMax" | "ReduceMin";
export const REDUCE_OPS: readonly ReduceOp[] = ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"];

/** How an activation is stored: plain NCHW, or NCHWc (channels in blocks, padded with zeros). */
export type Layout = "nchw" | "nchwc";

export type OpType = Node["op"];

/** The ONNX ops the loader accepts (FusedConv, FusedGemm, Attention and Reorder are the passes' own). */
export const ONNX_OPS: readonly OpType[] = [
  "Conv", "BatchNormalization", "Relu", "Clip", "Add", "Mul", "Sub", "Div", "Pow", "Max", "Min", "MaxPool", "AveragePool",
  "GlobalAveragePool", "Gemm", "MatMul", "Flatten", "Reshape", "Concat", "Softmax", "LogSoftmax",
  "Sigmoid", "HardSwish", "Identity", "Dropout", "Constant", "Erf", "Tanh", "Sqrt", "Gelu",
  "LayerNormalization", "Transpose", "ReduceMean", "Gather", "Cast", "Unsqueeze", "Squeeze",
  "Exp", "Log", "Not", "ReduceSum", "ReduceMax", "ReduceMin", "Where", ...COMPARE_OPS, ...LOGIC_OPS,
  "QuantizeLinear", "DequantizeLinear", "MatMulInteger", "QLinearMatMul", "ConvInteger", "QLinearConv", "Round",
];

/**
 * int64 and int32 values (graph inputs: token ids, masks) are held as int32, each value
 * checked to fit; uint8 and int8 ones (quantized values) likewise, one per int32, each
 * checked to fit its type where it comes from a file or a graph input; bool values as
 * fp32 0 and 1, which every op that moves or selects floats keeps exact; float16,
 * bfloat16 and float64 values as fp32 (the first two exactly; float64 only as a Cast's
 * result, so exactly too).
 */
export type ValueType = "float32" | "int64" | "int32" | "bool" | "float16" | "bfloat16" | "float64" | QuantType;
export const isIntType = (t: ValueType | undefined): boolean => t === "int64" || t === "int32" || isQuantType(t);
/** Floats of other widths, held as fp32: only Cast, views, copies and graph outputs take them (computing on them in fp32 would not be their arithmetic). */
export const isOtherFloat = (t: ValueType | undefined): boolean => t === "float16" || t === "bfloat16" || t === "float64";

export interface ValueInfo {
  name: string;
  dims: number[];
  /** Absent: float32. */
  dtype?: ValueType;
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: string[];
  /** Topologically sorted. */
  nodes: Node[];
  initializers: Map<string, Tensor>;
  /**
   * The opset the graph should be saved at when its ops allow (a built-in model written
   * as exporters of that opset write it); absent: armbench's default.
   */
  opset?: number;
}

/** Refuses a model that would allocate more than this for any one tensor (4 GiB of fp32). */
export const MAX_TENSOR_ELEMENTS = 2 ** 30;

export function elementCount(dims: readonly number[], what = "a tensor"): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new UserError(`${what} has an invalid dimension ${d} (dims [${dims.join(", ")}]).`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) throw new UserError(`${what} is too large: dims [${dims.join(", ")}] exceed ${MAX_TENSOR_ELEMENTS} elements.`);
  }
  return n;
}

/** Fresh value names for a rewrite of `g`: `base`, or `base.N` where a value of that name exists (or was handed out). */
export function valueNamer(g: Graph): (base: string) => string {
  const taken = new Set([...g.inputs.map((v) => v.name), ...g.initializers.keys(), ...g.nodes.flatMap((n) => n.outputs)]);
  return (base) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}.${i}`;
    taken.add(name);
    return name;
  };
}

export function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    name: g.name,
    inputs: g.inputs.map((v) => ({ ...v, dims: [...v.dims] })),
    outputs: [...g.outputs],
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } }) as Node),
    initializers: new Map(g.initializers),
  };
}

/** Nodes reading each value (a node reading a value twice is listed twice). */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i === "") continue;
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}

export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/**
 * Orders nodes so each comes after the producers of its inputs (Kahn's algorithm, linear
 * in nodes and edges; an already sorted graph keeps its order); refuses cycles and
 * values nothing defines.
 */
export function topoSort(g: Graph): Graph {
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  const inOrder = g.nodes.every((n) => {
    const ok = n.inputs.every((v) => v === "" || defined.has(v));
    for (const o of n.outputs) defined.add(o);
    return ok;
  });
  if (inOrder && g.outputs.every((o) => defined.has(o))) return { ...g, nodes: [...g.nodes] };
  const known = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  const waiting = new Map<string, number[]>();
  const missing = g.nodes.map((n, i) => {
    let count = 0;
    for (const v of new Set(n.inputs)) {
      if (v === "" || known.has(v)) continue;
      count++;
      const list = waiting.get(v);
      if (list) list.push(i);
      else waiting.set(v, [i]);
    }
    return count;
  });
  const ready = missing.flatMap((m, i) => (m === 0 ? [i] : []));
  const sorted: Node[] = [];
  for (let q = 0; q < ready.length; q++) {
    const n = g.nodes[ready[q]!]!;
    sorted.push(n);
    for (const o of n.outputs) {
      if (known.has(o)) continue;
      known.add(o);
      for (const j of waiting.get(o) ?? []) if (--missing[j]! === 0) ready.push(j);
    }
  }
  if (sorted.length < g.nodes.length) {
    const n = g.nodes.find((_, i) => missing[i]! > 0)!;
    const absent = n.inputs.find((v) => v !== "" && !known.has(v));
    throw new UserError(`node "${n.name}" (${n.op}) reads "${absent}", which no node, input or initializer defines (or the graph has a cycle).`);
  }
  for (const o of g.outputs) if (!known.has(o)) throw new UserError(`graph output "${o}" is not produced by any node.`);
  return { ...g, nodes: sorted };
}

/** numpy broadcasting (right-aligned); null when the dims do not broadcast. */
export function broadcastDims(x: readonly number[], y: readonly number[]): number[] | null {
  const rank = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const a = x[x.length - rank + i] ?? 1;
    const b = y[y.length - rank + i] ?? 1;
    if (a !== b && a !== 1 && b !== 1) return null;
    out.push(a === 1 ? b : a);
  }
  return out;
}

/** A 2-D conv's output height and width, its input, weights and attributes checked against each other. */
function convOutputSize(n: Node & { attrs: ConvAttrs }, x: number[], w: number[]): [number, number] {
  if (x.length !== 4 || w.length !== 4) fail(n, `only 2-D convolutions (4-D input and weights) are supported, got input [${x.join(", ")}]`);
  const a = n.attrs;
  if (x[1] !== w[1]! * a.group) fail(n, `input channels ${x[1]} do not match weights [${w.join(", ")}] with group ${a.group}`);
  if (w[0]! % a.group !== 0) fail(n, `output channels ${w[0]} are not divisible by group ${a.group}`);
  if (w[2] !== a.kernel[0] || w[3] !== a.kernel[1]) fail(n, `kernel_shape [${a.kernel.join(", ")}] disagrees with weights [${w.join(", ")}]`);
  const oh = convOut(x[2]!, a.kernel[0], a.strides[0], a.pads[0], a.pads[2], a.dilations[0]);
  const ow = convOut(x[3]!, a.kernel[1], a.strides[1], a.pads[1], a.pads[3], a.dilations[1]);
  if (oh < 1 || ow < 1) fail(n, `the input [${x.join(", ")}] is smaller than the kernel`);
  return [oh, ow];
}

function convOut(size: number, k: number, stride: number, padA: number, padB: number, dil: number): number {
  return Math.floor((size + padA + padB - dil * (k - 1) - 1) / stride) + 1;
}

function fail(n: Node, why: string): never {
  throw new UserError(`node "${n.name}" (${n.op}): ${why}.`);
}

/** Output dims of one node from its input dims (and constant initializers). */
export function nodeOutputShape(n: Node, ins: (number[] | undefined)[]): number[] {
  const x = ins[0];
  if (!x) fail(n, "its first input has no known shape");
  switch (n.op) {
    case "Conv":
    case "FusedConv": {
      const w = ins[1] ?? [];
      const [oh, ow] = convOutputSize(n, x, w);
      const b = ins[2];
      if (b && (b.length !== 1 || b[0] !== w[0])) fail(n, `bias dims [${b.join(", ")}] do not match ${w[0]} output channels`);
      return [x[0]!, w[0]!, oh, ow];
    }
    case "MaxPool":
    case "AveragePool": {
      if (x.length !== 4) fail(n, `only 2-D pooling (4-D input) is supported, got [${x.join(", ")}]`);
      const a = n.attrs;
      const oh = convOut(x[2]!, a.kernel[0], a.strides[0], a.pads[0], a.pads[2], 1);
      const ow = convOut(x[3]!, a.kernel[1], a.strides[1], a.pads[1], a.pads[3], 1);
      if (oh < 1 || ow < 1) fail(n, `the input [${x.join(", ")}] is smaller than the window`);
      return [x[0]!, x[1]!, oh, ow];
    }
    case "GlobalAveragePool":
      if (x.length !== 4) fail(n, `needs a 4-D input, got [${x.join(", ")}]`);
      return [x[0]!, x[1]!, 1, 1];
    case "BatchNormalization":
      for (let i = 1; i < 5; i++) {
        const p = ins[i];
        if (!p || p.length !== 1 || p[0] !== x[1]) fail(n, `parameter ${i} must have ${x[1]} channels, got [${p?.join(", ") ?? "none"}]`);
      }
      return [...x];
    case "Relu":
    case "Reorder":
    case "Sigmoid":
    case "HardSwish":
    case "Identity":
    case "Dropout":
    case "Clip":
      return [...x];
    case "Add":
    case "Mul":
    case "Sub":
    case "Div":
    case "Pow":
    case "Max":
    case "Min":
    case "Equal":
    case "Less":
    case "Greater":
    case "LessOrEqual":
    case "GreaterOrEqual":
    case "And":
    case "Or":
    case "Xor": {
      const y = ins[1];
      if (!y) fail(n, "its second input has no known shape");
      return broadcastDims(x, y) ?? fail(n, `inputs [${x.join(", ")}] and [${y.join(", ")}] do not broadcast`);
    }
    case "Where": {
      const [a, b] = [ins[1], ins[2]];
      if (!a || !b) fail(n, "its values have no known shape");
      const both = broadcastDims(a, b);
      return (both && broadcastDims(x, both)) ?? fail(n, `the condition [${x.join(", ")}] and values [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`);
    }
    case "Erf":
    case "Tanh":
    case "Sqrt":
    case "Exp":
    case "Log":
    case "Not":
    case "Gelu":
    case "Cast":
      return [...x];
    case "LayerNormalization": {
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      if (axis < 0 || axis >= x.length) fail(n, `axis ${n.attrs.axis} is out of range for rank ${x.length}`);
      const normalized = x.slice(axis);
      const cols = normalized.reduce((p, v) => p * v, 1);
      for (const [i, what] of [[1, "scale"], [2, "bias"]] as const) {
        const p = ins[i];
        if (!p) {
          if (i === 1) fail(n, "it has no scale");
          continue;
        }
        // Its values one per normalised element (any dims: the row is one vector), or dims that broadcast to the normalised ones.
        const flat = p.reduce((q, v) => q * v, 1) === cols;
        if (!flat && (p.length > normalized.length || p.some((d, j) => d !== normalized[normalized.length - p.length + j] && d !== 1))) {
          fail(n, `${what} dims [${p.join(", ")}] do not match the normalised dims [${normalized.join(", ")}]`);
        }
      }
      const r = ins[3];
      if (r && r.join() !== x.join()) fail(n, `the residual [${r.join(", ")}] differs from the input [${x.join(", ")}]`);
      return [...x];
    }
    case "Unsqueeze": {
      const rank = x.length + n.attrs.axes.length;
      const axes = n.attrs.axes.map((a) => (a < 0 ? a + rank : a));
      if (axes.some((a) => a < 0 || a >= rank) || new Set(axes).size !== axes.length) fail(n, `axes [${n.attrs.axes.join(", ")}] are out of range or repeated for rank ${rank}`);
      const out: number[] = [];
      for (let i = 0, j = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x[j++]!);
      return out;
    }
    case "Squeeze": {
      const axes = n.attrs.axes.length ? n.attrs.axes.map((a) => (a < 0 ? a + x.length : a)) : x.flatMap((d, i) => (d === 1 ? [i] : []));
      if (axes.some((a) => a < 0 || a >= x.length || x[a] !== 1)) fail(n, `axes [${n.attrs.axes.join(", ")}] are not dimensions of size 1 of [${x.join(", ")}]`);
      return x.filter((_, i) => !axes.includes(i));
    }
    case "Transpose": {
      const perm = n.attrs.perm.length ? n.attrs.perm : x.map((_, i) => x.length - 1 - i);
      if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) fail(n, `perm [${n.attrs.perm.join(", ")}] is not a permutation of ${x.length} axes`);
      return perm.map((p) => x[p]!);
    }
    case "ReduceMean":
    case "ReduceSum":
    case "ReduceMax":
    case "ReduceMin": {
      const axes = n.attrs.axes.length ? n.attrs.axes.map((a) => (a < 0 ? a + x.length : a)) : x.map((_, i) => i);
      if (axes.some((a) => a < 0 || a >= x.length) || new Set(axes).size !== axes.length) fail(n, `axes [${n.attrs.axes.join(", ")}] are out of range or repeated for rank ${x.length}`);
      return n.attrs.keepdims ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
    }
    case "Gather": {
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      if (axis < 0 || axis >= x.length) fail(n, `axis ${n.attrs.axis} is out of range for rank ${x.length}`);
      const idx = n.attrs.indices?.dims ?? ins[1];
      if (!idx) fail(n, "its indices have no known shape");
      const len = x[axis]!;
      const end = n.attrs.zeroRow ? len + 1 : len;
      for (const v of n.attrs.indices?.data ?? []) if (v < -len || v >= end) fail(n, `index ${v} is out of range for axis ${axis} of length ${len}`);
      return [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)];
    }
    case "Gemm": {
      const w = ins[1];
      if (x.length !== 2 || !w || w.length !== 2) fail(n, "needs 2-D inputs");
      const [m, k] = n.attrs.transA ? [x[1]!, x[0]!] : [x[0]!, x[1]!];
      const [kb, nn] = n.attrs.transB ? [w[1]!, w[0]!] : [w[0]!, w[1]!];
      if (k !== kb) fail(n, `inner dimensions disagree: A [${x.join(", ")}], B [${w.join(", ")}]`);
      return [m, nn];
    }
    case "FusedGemm": {
      // x [..., k] (its leading dims are the rows), weights n x k.
      const w = ins[1];
      if (x.length < 2 || !w || w.length !== 2 || x[x.length - 1] !== w[1]) fail(n, "needs x [..., k] and weights n x k");
      return [...x.slice(0, -1), w[0]!];
    }
    case "Attention": {
      const [kt, v] = [ins[1], ins[2]];
      const r = x.length;
      if (!kt || !v || r < 2 || kt.length !== r || v.length !== r) fail(n, "needs q, kt and v of one rank, 2 or more");
      const batch = x.slice(0, -2);
      if (kt[r - 2] !== x[r - 1] || v[r - 2] !== kt[r - 1] || [kt, v].some((t) => t.slice(0, -2).join() !== batch.join())) {
        fail(n, `q [${x.join(", ")}], kt [${kt.join(", ")}] and v [${v.join(", ")}] are not [..., sq, dk], [..., dk, sk] and [..., sk, dv]`);
      }
      const scores = [...batch, x[r - 2]!, kt[r - 1]!];
      const mask = ins[3];
      if (mask && broadcastDims(scores, mask)?.join() !== scores.join()) fail(n, `the mask [${mask.join(", ")}] does not broadcast to the scores [${scores.join(", ")}]`);
      return [...batch, x[r - 2]!, v[r - 1]!];
    }
    case "MatMul":
    case "DynamicQuantMatMul": {
      const w = ins[1];
      if (!w || x.length < 2 || w.length < 2) fail(n, `only MatMul of rank 2 and more is supported, got [${x.join(", ")}] x [${w?.join(", ") ?? ""}]`);
      if (x[x.length - 1] !== w[w.length - 2]) fail(n, `inner dimensions disagree: [${x.join(", ")}] x [${w.join(", ")}]`);
      const batch = broadcastDims(x.slice(0, -2), w.slice(0, -2)) ?? fail(n, `batch dimensions of [${x.join(", ")}] and [${w.join(", ")}] do not broadcast`);
      return [...batch, x[x.length - 2]!, w[w.length - 1]!];
    }
    case "Flatten": {
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      if (axis < 0 || axis > x.length) fail(n, `axis ${n.attrs.axis} is out of range for rank ${x.length}`);
      const prod = (d: number[]) => d.reduce((p, v) => p * v, 1);
      return [prod(x.slice(0, axis)), prod(x.slice(axis))];
    }
    case "Reshape": {
      const total = x.reduce((p, v) => p * v, 1);
      const out = n.attrs.shape.map((d, i) => (d === 0 ? x[i] ?? fail(n, "a 0 in shape has no input dimension to copy") : d));
      const infer = out.indexOf(-1);
      if (out.filter((d) => d === -1).length > 1) fail(n, "shape has more than one -1");
      const known = out.reduce((p, v) => (v === -1 ? p : p * v), 1);
      if (infer >= 0) {
        if (known === 0 || total % known !== 0) fail(n, `cannot reshape [${x.join(", ")}] to [${n.attrs.shape.join(", ")}]`);
        out[infer] = total / known;
      }
      if (out.some((d) => d < 0) || out.reduce((p, v) => p * v, 1) !== total) fail(n, `cannot reshape [${x.join(", ")}] to [${n.attrs.shape.join(", ")}]`);
      return out;
    }
    case "Concat": {
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      if (axis < 0 || axis >= x.length) fail(n, `axis ${n.attrs.axis} is out of range for rank ${x.length}`);
      const out = [...x];
      for (let i = 1; i < ins.length; i++) {
        const y = ins[i];
        if (!y || y.length !== x.length || y.some((d, j) => j !== axis && d !== x[j])) fail(n, `input ${i} does not match input 0 outside axis ${axis}`);
        out[axis]! += y[axis]!;
      }
      return out;
    }
    case "Softmax":
    case "LogSoftmax": {
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      if (axis < 0 || axis >= x.length) fail(n, `axis ${n.attrs.axis} is out of range for rank ${x.length}`);
      return [...x];
    }
    case "Constant":
      return [...n.attrs.value.dims];
    case "Round":
      return [...x];
    case "QuantizeLinear":
    case "DequantizeLinear": {
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      for (const [i, what] of [[1, "scale"], [2, "zero point"]] as const) {
        const p = ins[i];
        if (!p) {
          if (i === 1) fail(n, "it has no scale");
          continue;
        }
        const count = p.reduce((q, v) => q * v, 1);
        // One value (any rank), or a 1-D list along the axis.
        if (count !== 1 && (p.length !== 1 || axis < 0 || axis >= x.length || p[0] !== x[axis])) {
          fail(n, `its ${what} [${p.join(", ")}] is neither one value nor one per slice of axis ${n.attrs.axis} of [${x.join(", ")}]`);
        }
      }
      return [...x];
    }
    case "MatMulInteger":
    case "QLinearMatMul": {
      const q = n.op === "QLinearMatMul";
      const w = ins[q ? 3 : 1];
      if (!w || x.length < 2 || w.length < 2) fail(n, `only products of rank 2 and more are supported, got [${x.join(", ")}] x [${w?.join(", ") ?? ""}]`);
      if (x[x.length - 1] !== w[w.length - 2]) fail(n, `inner dimensions disagree: [${x.join(", ")}] x [${w.join(", ")}]`);
      const batch = broadcastDims(x.slice(0, -2), w.slice(0, -2)) ?? fail(n, `batch dimensions of [${x.join(", ")}] and [${w.join(", ")}] do not broadcast`);
      const [m, cols] = [x[x.length - 2]!, w[w.length - 1]!];
      // Per-row (a's) and per-column (b's) parameters, or one value.
      const params: [number, string, number][] = q
        ? [[1, "a scale", 1], [2, "a zero point", 1], [4, "b scale", cols], [5, "b zero point", cols], [6, "y scale", 1], [7, "y zero point", 1]]
        : [[2, "a zero point", m], [3, "b zero point", cols]];
      for (const [i, what, per] of params) {
        const p = ins[i];
        if (!p) continue;
        const count = p.reduce((a, v) => a * v, 1);
        if (count !== 1 && (p.length !== 1 || p[0] !== per)) fail(n, `its ${what} [${p.join(", ")}] is neither one value${per > 1 ? ` nor ${per}` : ""}`);
      }
      return [...batch, m, cols];
    }
    case "ConvInteger":
    case "QLinearConv": {
      const q = n.op === "QLinearConv";
      const w = ins[q ? 3 : 1] ?? [];
      const [oh, ow] = convOutputSize(n, x, w);
      const params: [number, string, number][] = q
        ? [[1, "x scale", 1], [2, "x zero point", 1], [4, "w scale", w[0]!], [5, "w zero point", w[0]!], [6, "y scale", 1], [7, "y zero point", 1], [8, "bias", w[0]!]]
        : [[2, "x zero point", 1], [3, "w zero point", w[0]!]];
      for (const [i, what, per] of params) {
        const p = ins[i];
        if (!p) continue;
        const count = p.reduce((c, v) => c * v, 1);
        const exact = what === "bias";
        if ((exact || count !== 1) && (p.length !== 1 || p[0] !== per)) fail(n, `its ${what} [${p.join(", ")}] is neither ${exact ? "" : "one value nor "}one per output channel (${per})`);
      }
      return [x[0]!, w[0]!, oh, ow];
    }
  }
}

/** Dims of every value: inputs, initializers and node outputs. Refuses any node whose inputs do not fit. */
export function inferShapes(g: Graph): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const v of g.inputs) shapes.set(v.name, v.dims);
  for (const [name, t] of g.initializers) shapes.set(name, t.dims);
  for (const n of g.nodes) {
    const ins = n.inputs.map((i) => (i === "" ? undefined : shapes.get(i)));
    if (n.op === "Constant") {
      shapes.set(n.outputs[0]!, n.attrs.value.dims);
      continue;
    }
    const out = nodeOutputShape(n, ins);
    elementCount(out, `the output of node "${n.name}" (${n.op})`);
    for (const o of n.outputs.slice(0, 1)) shapes.set(o, out);
  }
  return shapes;
}

/** Ops that move values without computing on them (views): integer values stay integers through them. */
const INT_VIEWS = new Set<OpType>(["Reshape", "Flatten", "Unsqueeze", "Squeeze", "Identity", "Dropout", "Reorder"]);
/** Ops that copy elements: bool values (0 and 1) stay bools through them. */
const BOOL_COPIES = new Set<OpType>([...INT_VIEWS, "Transpose", "Concat", "Gather"]);
const COMPARES = new Set<OpType>(COMPARE_OPS);
const LOGIC = new Set<OpType>([...LOGIC_OPS, "Not"]);

/**
 * The element type of every value: graph inputs and constants say theirs, views keep
 * it, Cast and the comparisons make theirs, everything else is float32. Refuses a node
 * that would compute on values the executor does not hold for it: integers are read
 * only as Gather indices, by comparisons and through Cast; bools only by Where, the
 * logical ops, comparisons for equality, Cast and copies.
 */
export function inferTypes(g: Graph): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const v of g.inputs) types.set(v.name, v.dtype ?? "float32");
  for (const [name, t] of g.initializers) types.set(name, t.dtype ?? "float32");
  for (const n of g.nodes) {
    const t = n.inputs.map((i) => (i === "" ? undefined : types.get(i)));
    const data = t.filter((x, i) => x !== undefined && !(n.op === "Gather" && i === 1));
    let out: ValueType = "float32";
    const quantized = quantizedTypes(n, t);
    if (quantized) out = quantized;
    else if (n.op === "Cast") {
      out = n.attrs.to;
      // float32 to an 8-bit type is a truncation the executor runs (DynamicQuantizeLinear's expansion casts its rounded zero point).
      if (isIntType(out) && !isIntType(t[0]) && !(isQuantType(out) && t[0] === "float32")) fail(n, `casting ${t[0]} to ${out} at run time is not supported`);
    } else if (COMPARES.has(n.op)) {
      if (t.includes("bool") && (n.op !== "Equal" || t.some((x) => x !== "bool"))) fail(n, "it compares bool values, which only Equal of two bools does");
      out = "bool";
    } else if (LOGIC.has(n.op)) {
      const bad = t.findIndex((x) => x !== "bool");
      if (bad >= 0) fail(n, `input ${bad} ("${n.inputs[bad]}") is ${t[bad]}, not bool`);
      out = "bool";
    } else if (n.op === "Where") {
      if (t[0] !== "bool") fail(n, `its condition "${n.inputs[0]}" is ${t[0]}, not bool`);
      if (t.slice(1).some(isIntType)) fail(n, "selecting integer values is not supported (float32 and bool only)");
      if (t[1] !== t[2]) fail(n, `its values are ${t[1]} and ${t[2]}, not of one type`);
      out = t[1]!;
    } else if (data.some((x) => x === "bool" || isOtherFloat(x)) && BOOL_COPIES.has(n.op)) {
      if (data.some((x) => x !== data[0])) fail(n, `it mixes ${data[0]} and other values`);
      out = data[0]!;
    } else if (INT_VIEWS.has(n.op) && isIntType(t[0])) out = t[0]!;
    else {
      const bad = t.findIndex((x, i) => x !== undefined && x !== "float32" && !(n.op === "Gather" && i === 1));
      if (bad >= 0) {
        const takers = isOtherFloat(t[bad]) ? "through Cast and copies" : `as Gather indices, in comparisons${t[bad] === "bool" ? ", Where, the logical ops" : ""} or through Cast`;
        fail(n, `input ${bad} ("${n.inputs[bad]}") is ${t[bad]}, which armbench takes only ${takers}`);
      }
      if (n.op === "Gather" && n.inputs[1] && !isIntType(t[1])) fail(n, `its indices "${n.inputs[1]}" are not integers`);
    }
    for (const o of n.outputs.slice(0, 1)) types.set(o, out);
  }
  return types;
}

/**
 * The output type of a quantized op, its inputs' types checked (ONNX's type
 * constraints, as far as the executor holds them): null for any other op.
 */
function quantizedTypes(n: Node, t: (ValueType | undefined)[]): ValueType | null {
  const need = (i: number, ok: (x: ValueType | undefined) => boolean, what: string) => {
    if (!ok(t[i])) fail(n, `input ${i} ("${n.inputs[i]}") is ${t[i]}, not ${what}`);
  };
  const float = (x: ValueType | undefined) => x === "float32";
  const q8 = (x: ValueType | undefined) => isQuantType(x);
  /** A zero point, where given, of its value's type. */
  const zero = (i: number, of: ValueType | undefined) => {
    if (t[i] !== undefined && t[i] !== of) fail(n, `its zero point "${n.inputs[i]}" is ${t[i]}, not ${of} as the values it belongs to`);
  };
  switch (n.op) {
    case "QuantizeLinear":
      need(0, float, "float32");
      need(1, float, "float32 (a scale)");
      if (t[2] !== undefined) need(2, q8, "uint8 or int8 (the zero point's type is the output's)");
      return t[2] ?? "uint8";
    case "DequantizeLinear":
      need(0, (x) => q8(x) || x === "int32", "uint8, int8 or int32");
      need(1, float, "float32 (a scale)");
      zero(2, t[0]);
      return "float32";
    case "DynamicQuantMatMul":
      need(0, float, "float32");
      need(1, (x) => x === "int8", "int8 (the quantized weights)");
      need(2, float, "float32 (the weights' scales)");
      return "float32";
    case "MatMulInteger":
    case "ConvInteger":
      need(0, q8, "uint8 or int8");
      need(1, q8, "uint8 or int8");
      zero(2, t[0]);
      zero(3, t[1]);
      return "int32";
    case "QLinearMatMul":
    case "QLinearConv":
      need(0, q8, "uint8 or int8");
      need(3, q8, "uint8 or int8");
      for (const i of [1, 4, 6]) need(i, float, "float32 (a scale)");
      zero(2, t[0]);
      zero(5, t[3]);
      need(7, q8, "uint8 or int8 (the y zero point's type is the output's)");
      if (n.op === "QLinearConv" && t[8] !== undefined) need(8, (x) => x === "int32", "int32 (a bias)");
      return t[7]!;
    case "Round":
      need(0, float, "float32");
      return "float32";
    default:
      return null;
  }
}

export interface FlopCount {
  /** Multiply-accumulates of Conv, Gemm and MatMul, activations by activations included (the convention of published model figures). */
  macs: number;
  /** 2 x macs. Elementwise and pooling ops are not counted, as in those figures. */
  flops: number;
  byNode: { name: string; op: OpType; macs: number }[];
}

/** FLOPs read off the graph's own shapes, so a wrong builder or loader shows up as a wrong count. */
export function countFlops(g: Graph): FlopCount {
  const shapes = inferShapes(g);
  const byNode: FlopCount["byNode"] = [];
  let macs = 0;
  for (const n of g.nodes) {
    let m = 0;
    const y = shapes.get(n.outputs[0]!)!;
    if (n.op === "Conv" || n.op === "FusedConv") {
      const w = shapes.get(n.inputs[1]!)!;
      // Each output element sums over (c / group) x r x s products.
      m = y.reduce((p, v) => p * v, 1) * w[1]! * w[2]! * w[3]!;
    } else if (n.op === "Attention") {
      // q @ kt then probabilities @ v: sq x sk x (dk + dv) per head.
      const q = shapes.get(n.inputs[0]!)!;
      const sk = shapes.get(n.inputs[1]!)!.at(-1)!;
      m = (q.reduce((p, v) => p * v, 1) / q.at(-1)!) * sk * (q.at(-1)! + y.at(-1)!);
    } else if (n.op === "Gemm" || n.op === "MatMul" || n.op === "FusedGemm" || n.op === "DynamicQuantMatMul") {
      const x = shapes.get(n.inputs[0]!)!;
      const k = n.op === "Gemm" && n.attrs.transA ? x[0]! : x[x.length - 1]!;
      m = y.reduce((p, v) => p * v, 1) * k;
    } else continue;
    byNode.push({ name: n.name, op: n.op, macs: m });
    macs += m;
  }
  return { macs, flops: 2 * macs, byNode };
}
