/**
 * The model runner's graph IR: ONNX-shaped (nodes name their inputs and outputs by value
 * name) but with every attribute normalised at load, so passes and lowering never deal
 * with opset differences, defaults or auto_pad. Constants are fp32 initializers.
 */
import { UserError } from "../errors.js";

export interface Tensor {
  dims: number[];
  data: Float32Array;
}

/** Epilogue of a fused conv or gemm: what runs after the bias (and residual) add. */
export type Act = "none" | "relu" | "clip";

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
  | { op: "Relu" | "Sigmoid" | "HardSwish" | "Identity" | "Dropout" | "GlobalAveragePool"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  | { op: "Clip"; name: string; inputs: string[]; outputs: string[]; attrs: { min: number; max: number } }
  | { op: "Add" | "Mul"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  | { op: "MaxPool" | "AveragePool"; name: string; inputs: string[]; outputs: string[]; attrs: PoolAttrs }
  | { op: "Gemm"; name: string; inputs: string[]; outputs: string[]; attrs: { alpha: number; beta: number; transA: boolean; transB: boolean } }
  | { op: "FusedGemm"; name: string; inputs: string[]; outputs: string[]; attrs: Epilogue }
  | { op: "MatMul"; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, never> }
  | { op: "Flatten"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number } }
  | { op: "Reshape"; name: string; inputs: string[]; outputs: string[]; attrs: { shape: number[] } }
  | { op: "Concat"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number } }
  | { op: "Softmax"; name: string; inputs: string[]; outputs: string[]; attrs: { axis: number } }
  | { op: "Constant"; name: string; inputs: string[]; outputs: string[]; attrs: { value: Tensor } }
  /** The layout pass's own: the same values in another memory layout. */
  | { op: "Reorder"; name: string; inputs: string[]; outputs: string[]; attrs: { layout: Layout } };

/** How an activation is stored: plain NCHW, or NCHWc (channels in blocks, padded with zeros). */
export type Layout = "nchw" | "nchwc";

export type OpType = Node["op"];

/** The ONNX ops the loader accepts (FusedConv, FusedGemm and Reorder are the passes' own). */
export const ONNX_OPS: readonly OpType[] = [
  "Conv", "BatchNormalization", "Relu", "Clip", "Add", "Mul", "MaxPool", "AveragePool",
  "GlobalAveragePool", "Gemm", "MatMul", "Flatten", "Reshape", "Concat", "Softmax",
  "Sigmoid", "HardSwish", "Identity", "Dropout", "Constant",
];

export interface ValueInfo {
  name: string;
  dims: number[];
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: string[];
  /** Topologically sorted. */
  nodes: Node[];
  initializers: Map<string, Tensor>;
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

export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    inputs: g.inputs.map((v) => ({ name: v.name, dims: [...v.dims] })),
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
      const w = ins[1];
      if (x.length !== 4 || !w || w.length !== 4) fail(n, `only 2-D convolutions (4-D input and weights) are supported, got input [${x.join(", ")}]`);
      const a = n.attrs;
      if (x[1] !== w[1]! * a.group) fail(n, `input channels ${x[1]} do not match weights [${w.join(", ")}] with group ${a.group}`);
      if (w[0]! % a.group !== 0) fail(n, `output channels ${w[0]} are not divisible by group ${a.group}`);
      if (w[2] !== a.kernel[0] || w[3] !== a.kernel[1]) fail(n, `kernel_shape [${a.kernel.join(", ")}] disagrees with weights [${w.join(", ")}]`);
      const oh = convOut(x[2]!, a.kernel[0], a.strides[0], a.pads[0], a.pads[2], a.dilations[0]);
      const ow = convOut(x[3]!, a.kernel[1], a.strides[1], a.pads[1], a.pads[3], a.dilations[1]);
      if (oh < 1 || ow < 1) fail(n, `the input [${x.join(", ")}] is smaller than the kernel`);
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
    case "Mul": {
      const y = ins[1];
      if (!y) fail(n, "its second input has no known shape");
      const rank = Math.max(x.length, y.length);
      const out: number[] = [];
      for (let i = 0; i < rank; i++) {
        const a = x[x.length - rank + i] ?? 1;
        const b = y[y.length - rank + i] ?? 1;
        if (a !== b && a !== 1 && b !== 1) fail(n, `inputs [${x.join(", ")}] and [${y.join(", ")}] do not broadcast`);
        out.push(a === 1 ? b : a);
      }
      return out;
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
      const w = ins[1];
      if (x.length !== 2 || !w || w.length !== 2 || x[1] !== w[1]) fail(n, "needs x rows x k and weights n x k");
      return [x[0]!, w[0]!];
    }
    case "MatMul": {
      const w = ins[1];
      if (x.length !== 2 || !w || w.length !== 2) fail(n, "only 2-D MatMul is supported");
      if (x[1] !== w[0]) fail(n, `inner dimensions disagree: [${x.join(", ")}] x [${w.join(", ")}]`);
      return [x[0]!, w[1]!];
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
      return [...x];
    case "Constant":
      return [...n.attrs.value.dims];
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

export interface FlopCount {
  /** Multiply-accumulates of Conv, Gemm and MatMul (the convention of published model figures). */
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
    } else if (n.op === "Gemm" || n.op === "MatMul" || n.op === "FusedGemm") {
      const x = shapes.get(n.inputs[0]!)!;
      const k = n.op === "Gemm" && n.attrs.transA ? x[0]! : x[1]!;
      m = y[0]! * y[1]! * k;
    } else continue;
    byNode.push({ name: n.name, op: n.op, macs: m });
    macs += m;
  }
  return { macs, flops: 2 * macs, byNode };
}
