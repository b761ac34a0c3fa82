/**
 * Lowering: the optimised graph and its memory plan become a Program (program.ts), the
 * flat list of steps the native executor runs. Tensors are NCHW unless the layout pass
 * (layout.ts) blocked them; convs get the algorithm the caller chooses per shape (the
 * default rules or the fast-run cache), or the one the layout pass already chose.
 */
import { defaultConvAlgo } from "../conv/heuristic.js";
import { UserError } from "../errors.js";
import type { NativeConvShape } from "../native.js";
import { collapseBroadcast, collapseTranspose, mergeLeading } from "./collapse.js";
import { attentionScale, inferTypes, isIntType, isQuantType, QUANT_RANGE, type Graph, type Layout, type Node, type Tensor, type ValueType } from "./ir.js";
import { convShapeOf } from "./layout.js";
import { toFusedGemm } from "./passes.js";
import { isAlias, type MemoryPlan } from "./plan.js";
import type { Activation, BroadcastStep, ConstOperand, ConvStep, GemmPick, Program, ReduceStep, Requantization, Step, TensorRef } from "./program.js";

export type ConvShape = ConvStep["shape"];
export type FpMath = "fp32" | "bf16";
export type AlgoChooser = (shape: ConvShape, dtype: FpMath) => string;

export interface LowerOptions {
  /** bf16: conv and gemm steps take bf16 inputs and weights (fp32 accumulation). */
  fpmath: FpMath;
  chooseAlgo: AlgoChooser;
  /** native.nchwcBlock() where the addon has it: the block NCHWc tensors use. */
  nchwcBlock: number;
  /** The GEMM kernel and blocking gemm and matmul steps run, per fpmath (a tuning's choice); absent: the defaults. */
  gemm?: Partial<Record<FpMath, GemmPick>>;
  /** From assignLayouts: activations stored NCHWc (absent: all NCHW) and the algorithm it chose per conv. */
  layouts?: Map<string, Layout>;
  algos?: Map<string, string>;
}

/** The per-shape rules of src/conv/heuristic.ts where a shape fits them (symmetric, undilated); im2col otherwise. */
export function nativeConvShape(s: ConvShape): NativeConvShape | null {
  const symmetric = s.padTop === s.padLeft && s.padTop === s.padBottom && s.padTop === s.padRight;
  if (!symmetric || s.strideH !== s.strideW || s.dilationH !== 1 || s.dilationW !== 1) return null;
  return { n: s.n, c: s.c, h: s.h, w: s.w, k: s.k, r: s.r, s: s.s, stride: s.strideH, pad: s.padTop, groups: s.groups };
}

export const defaultAlgoChooser: AlgoChooser = (shape, dtype) => {
  const s = nativeConvShape(shape);
  return s ? defaultConvAlgo(s, dtype) : "im2col-tiled";
};

const ZERO: ConstOperand = { dims: [1], data: Float32Array.of(0) };
const ONE: ConstOperand = { dims: [1], data: Float32Array.of(1) };
const COMPARE_FNS: Record<"Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" | "And" | "Or" | "Xor" | "Not", BroadcastStep["fn"]> = {
  Equal: "equal", Less: "less", Greater: "greater", LessOrEqual: "less-equal", GreaterOrEqual: "greater-equal",
  And: "mul", Or: "max", Xor: "not-equal", Not: "equal",
};

/** The executor's tensor limits (native/binding/engine_binding.cc). */
const MAX_RANK = 4;
const MAX_DIM = 2 ** 31 - 1;

export function lower(g: Graph, plan: MemoryPlan, o: LowerOptions): Program {
  const types = inferTypes(g);
  // Integers are held as int32 where they come from graph inputs; the loader's integer constants written as graph outputs are fp32 (exact).
  const computedInts = new Set(g.nodes.filter((n) => n.op === "Cast" && g.initializers.has(n.inputs[0]!)).map((n) => n.outputs[0]!));
  const pick = o.gemm?.[o.fpmath];
  const gemmPick = pick ? { gemm: pick } : {};
  /** A value's logical dims; a scalar is held as one element, [1], the same bytes. */
  const dimsOf = (v: string): number[] => {
    const shape = plan.shapes.get(v)!;
    return shape.length === 0 ? [1] : [...shape];
  };
  /** The value as the executor sees it: its own dims, or `dims` holding the same elements in the same order. */
  const refOf = (v: string, n?: Node, dims = dimsOf(v)): TensorRef => {
    const b = plan.bufferOf.get(v);
    if (!b) {
      const what = n ? `node "${n.name}" (${n.op}) reads "${v}"` : `"${v}"`;
      throw new UserError(`${what}, a constant where armbench needs an activation; run the passes first or give it as an input.`);
    }
    // What the executor takes (1 to 4 dims, each 1 to 2^31 - 1): a graph whose values differ,
    // which a Reshape or Flatten can make from any file, is refused here in one sentence.
    if (dims.length < 1 || dims.length > MAX_RANK || dims.some((d) => !(d >= 1 && d <= MAX_DIM))) {
      const what = n ? `node "${n.name}" (${n.op}): "${v}"` : `"${v}"`;
      throw new UserError(`${what} has dims [${dims.join(", ")}]; armbench's executor takes 1 to ${MAX_RANK} dimensions, each from 1 to ${MAX_DIM}.`);
    }
    return { offset: b.offset, dims: [...dims], layout: o.layouts?.get(v) ?? "nchw", ...(isIntType(types.get(v)) && !computedInts.has(v) ? { dtype: "int32" as const } : {}) };
  };
  /** For steps that see only the element count and order: more than four axes merged into four. */
  const flatRef = (v: string, n?: Node): TensorRef => refOf(v, n, mergeLeading(dimsOf(v), MAX_RANK));
  const constDims = (t: Tensor) => (t.dims.length ? [...t.dims] : [1]);
  /** An operand that may be a constant (given by value) or an activation, in `dims` (its own by default). */
  const operand = (v: string, n: Node, dims?: number[]): TensorRef | ConstOperand => {
    const t = g.initializers.get(v);
    if (!t) return refOf(v, n, dims);
    const own = dims ?? constDims(t);
    if (own.length > MAX_RANK) refuse(n, `the constant "${v}" has ${own.length} dimensions; armbench's executor takes at most ${MAX_RANK}`);
    return { dims: own, data: t.data };
  };
  /**
   * The operands of a broadcasting step and its output; past four axes, in the fewest
   * axes that broadcast alike (collapse.ts).
   */
  const broadcastRefs = (n: Node, names: string[]): { ins: (TensorRef | ConstOperand)[]; y: TensorRef } => {
    const out = dimsOf(n.outputs[0]!);
    const own = names.map((v) => {
      const t = g.initializers.get(v);
      return t ? constDims(t) : dimsOf(v);
    });
    if (out.length <= MAX_RANK && own.every((d) => d.length <= MAX_RANK)) return { ins: names.map((v) => operand(v, n)), y: refOf(n.outputs[0]!, n) };
    const c = collapseBroadcast(out, own);
    return { ins: names.map((v, i) => operand(v, n, c.operands[i])), y: refOf(n.outputs[0]!, n, c.out) };
  };
  /** outer x n x inner around the axes [a0, a1) of dims. */
  const around = (dims: number[], a0: number, a1: number) => {
    const prod = (d: number[]) => d.reduce((p, v) => p * v, 1);
    return { outer: prod(dims.slice(0, a0)), n: prod(dims.slice(a0, a1)), inner: prod(dims.slice(a1)) };
  };
  const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
  const weight = (n: Node, i: number) => {
    const t = g.initializers.get(n.inputs[i]!);
    if (!t) throw new UserError(`node "${n.name}" (${n.op}): input ${i} ("${n.inputs[i]}") must be a constant.`);
    return t;
  };
  const refuse = (n: Node, why: string): never => {
    throw new UserError(`node "${n.name}" (${n.op}) cannot be lowered: ${why}.`);
  };
  /** A quantization parameter (one value, or one per slice of its axis) as a flat list; absent: undefined. */
  const param = (n: Node, i: number): TensorRef | ConstOperand | undefined => {
    const v = n.inputs[i];
    if (!v) return undefined;
    const t = g.initializers.get(v);
    return operand(v, n, [(t ? t.dims : plan.shapes.get(v)!).reduce((p, d) => p * d, 1)]);
  };
  /** The range an 8-bit output saturates into. */
  const range = (n: Node, t: ValueType | undefined): { qmin: number; qmax: number } => {
    if (!isQuantType(t)) return refuse(n, `its output is ${t}, not uint8 or int8`);
    const [qmin, qmax] = QUANT_RANGE[t];
    return { qmin, qmax };
  };
  /** QLinearMatMul's and QLinearConv's scales and y zero point (inputs 1, 4, 6 and 7). */
  const requantization = (n: Node): Requantization => ({
    xScale: param(n, 1)!, wScale: param(n, 4)!, yScale: param(n, 6)!, ...(n.inputs[7] ? { yZero: param(n, 7)! } : {}), ...range(n, types.get(n.outputs[0]!)),
  });
  /** An integer op's weights: an int32 arena tensor, or a constant in its own dims. */
  const weightsOf = (n: Node, v: string): TensorRef | ConstOperand => operand(v, n);
  const steps: Step[] = [];
  for (const n of g.nodes) {
    const x = () => refOf(n.inputs[0]!, n);
    const y = () => refOf(n.outputs[0]!, n);
    const xFlat = () => flatRef(n.inputs[0]!, n);
    const yFlat = () => flatRef(n.outputs[0]!, n);
    switch (n.op) {
      case "Conv":
      case "FusedConv": {
        const xr = x();
        const w = weight(n, 1);
        const shape = convShapeOf(n, xr.dims, w.dims);
        const step: ConvStep = { op: "conv", name: n.name, x: xr, y: y(), shape, algo: o.algos?.get(n.name) ?? o.chooseAlgo(shape, o.fpmath), dtype: o.fpmath, weights: w.data, act: "none" };
        if (n.inputs[2]) step.bias = weight(n, 2).data;
        if (n.op === "FusedConv") {
          if (n.inputs[3]) step.residual = refOf(n.inputs[3], n);
          step.act = n.attrs.act;
          if (n.attrs.act === "clip") {
            step.clipMin = n.attrs.clipMin;
            step.clipMax = n.attrs.clipMax;
          }
        }
        steps.push(step);
        break;
      }
      case "FusedGemm":
      case "Gemm":
      case "MatMul": {
        const xd = dimsOf(n.inputs[0]!);
        if (n.op === "MatMul" && !g.initializers.has(n.inputs[1]!)) {
          // Batch dims past four axes in all: merged where a and b step over them alike.
          const [ad, bd, yd] = [xd, dimsOf(n.inputs[1]!), dimsOf(n.outputs[0]!)];
          const c = Math.max(ad.length, bd.length) > MAX_RANK ? collapseBroadcast(yd.slice(0, -2), [ad.slice(0, -2), bd.slice(0, -2)]) : null;
          const view = (d: number[], batch: number[] | undefined) => (c ? [...batch!, ...d.slice(-2)] : d);
          const [a, b] = [refOf(n.inputs[0]!, n, view(ad, c?.operands[0])), refOf(n.inputs[1]!, n, view(bd, c?.operands[1]))];
          steps.push({ op: "matmul", name: n.name, a, b, y: refOf(n.outputs[0]!, n, view(yd, c?.out)), dtype: o.fpmath, ...gemmPick });
          break;
        }
        const xr = xFlat();
        if (xd.length !== 2 && n.op !== "FusedGemm") refuse(n, `its input is [${xd.join(", ")}], not 2-D`);
        let weights: Float32Array;
        let bias: Float32Array | undefined;
        let act: Activation = "none";
        let clip: { clipMin?: number; clipMax?: number } = {};
        if (n.op === "FusedGemm") {
          weights = weight(n, 1).data;
          if (n.inputs[2]) bias = weight(n, 2).data;
          act = n.attrs.act;
          if (act === "clip") clip = { clipMin: n.attrs.clipMin, clipMax: n.attrs.clipMax };
        } else {
          const f = toFusedGemm(g, n);
          if (!f) refuse(n, "only transA = 0, a constant B and a per-column constant bias are supported");
          weights = f!.weights.data;
          bias = f!.bias?.data;
        }
        const yr = yFlat();
        const k = xd[xd.length - 1]!;
        const rows = xd.reduce((p, v) => p * v, 1) / k;
        steps.push({ op: "gemm", name: n.name, x: xr, y: yr, rows, k, n: dimsOf(n.outputs[0]!).at(-1)!, weights, ...(bias ? { bias } : {}), act, ...clip, dtype: o.fpmath, ...gemmPick });
        break;
      }
      case "Attention": {
        const [q, kt, v, mask] = n.inputs;
        steps.push({
          op: "attention", name: n.name, q: refOf(q!, n), kt: refOf(kt!, n), v: refOf(v!, n), ...(mask ? { mask: refOf(mask, n) } : {}),
          y: y(), scale: attentionScale(n.attrs), dtype: o.fpmath, ...gemmPick,
        });
        break;
      }
      case "BatchNormalization": {
        const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => weight(n, i).data) as [Float32Array, Float32Array, Float32Array, Float32Array];
        steps.push({ op: "batchnorm", name: n.name, x: x(), y: y(), scale, bias, mean, variance, epsilon: n.attrs.epsilon });
        break;
      }
      case "Relu":
      case "Sigmoid":
      case "HardSwish":
      case "Erf":
      case "Tanh":
      case "Sqrt":
      case "Exp":
      case "Log":
      case "Round":
        steps.push({ op: n.op.toLowerCase() as "relu" | "sigmoid" | "hardswish" | "erf" | "tanh" | "sqrt" | "exp" | "log" | "round", name: n.name, x: xFlat(), y: yFlat() });
        break;
      case "Gelu":
        steps.push({ op: n.attrs.approximate === "tanh" ? "gelu-tanh" : "gelu", name: n.name, x: xFlat(), y: yFlat() });
        break;
      case "Clip":
        steps.push({ op: "clip", name: n.name, x: xFlat(), y: yFlat(), min: n.attrs.min, max: n.attrs.max });
        break;
      case "Add":
      case "Mul":
      case "Sub":
      case "Div":
      case "Pow":
      case "Max":
      case "Min": {
        // Blocked tensors meet only their own dims (the layout pass keeps the rest plain).
        const { ins: [a, b], y: yr } = broadcastRefs(n, n.inputs.slice(0, 2));
        const same = (t: TensorRef | ConstOperand): t is TensorRef => "offset" in t && t.dims.join() === yr.dims.join();
        if ((n.op === "Add" || n.op === "Mul") && same(a!) && same(b!)) {
          steps.push({ op: n.op === "Add" ? "add" : "mul", name: n.name, a: a as TensorRef, b: b as TensorRef, y: yr });
          break;
        }
        steps.push({ op: "broadcast", name: n.name, fn: n.op.toLowerCase() as BroadcastStep["fn"], a: a!, b: b!, y: yr });
        break;
      }
      // bools are 0 and 1: And is their product, Or their max, Xor their inequality, Not equality with 0.
      case "Equal":
      case "Less":
      case "Greater":
      case "LessOrEqual":
      case "GreaterOrEqual":
      case "And":
      case "Or":
      case "Xor":
      case "Not": {
        const { ins: [a, b], y: yr } = broadcastRefs(n, n.inputs.slice(0, n.op === "Not" ? 1 : 2));
        steps.push({ op: "broadcast", name: n.name, fn: COMPARE_FNS[n.op], a: a!, b: b ?? ZERO, y: yr });
        break;
      }
      case "Where": {
        const { ins: [cond, a, b], y: yr } = broadcastRefs(n, n.inputs.slice(0, 3));
        steps.push({ op: "where", name: n.name, cond: cond!, a: a!, b: b!, y: yr });
        break;
      }
      case "LayerNormalization": {
        const xd = dimsOf(n.inputs[0]!);
        const axis = axisOf(n.attrs.axis, xd.length);
        const { outer: rows, n: cols } = around(xd, axis, xd.length);
        const residual = n.inputs[3] ? flatRef(n.inputs[3], n) : undefined;
        steps.push({
          op: "layernorm", name: n.name, x: xFlat(), y: yFlat(), rows, cols, scale: weight(n, 1).data, epsilon: n.attrs.epsilon,
          ...(n.inputs[2] ? { bias: weight(n, 2).data } : {}), ...(residual ? { residual } : {}),
        });
        break;
      }
      case "Transpose": {
        const xd = dimsOf(n.inputs[0]!);
        const perm = n.attrs.perm.length ? n.attrs.perm : xd.map((_, i) => xd.length - 1 - i);
        if (xd.length <= MAX_RANK) {
          steps.push({ op: "transpose", name: n.name, x: x(), y: y(), perm });
          break;
        }
        const c = collapseTranspose(xd, perm);
        steps.push({ op: "transpose", name: n.name, x: refOf(n.inputs[0]!, n, c.dims), y: refOf(n.outputs[0]!, n, c.perm.map((a: number) => c.dims[a]!)), perm: c.perm });
        break;
      }
      case "ReduceMean":
      case "ReduceSum":
      case "ReduceMax":
      case "ReduceMin": {
        const xd = dimsOf(n.inputs[0]!);
        const axes = (n.attrs.axes.length ? n.attrs.axes.map((a) => axisOf(a, xd.length)) : xd.map((_, i) => i)).sort((p, q) => p - q);
        if (axes.some((a, i) => i > 0 && a !== axes[i - 1]! + 1)) refuse(n, `only adjacent axes can be reduced, not [${n.attrs.axes.join(", ")}]`);
        const r = around(xd, axes[0]!, axes[axes.length - 1]! + 1);
        steps.push({ op: "reduce", name: n.name, fn: n.op.slice("Reduce".length).toLowerCase() as ReduceStep["fn"], x: xFlat(), y: yFlat(), ...r });
        break;
      }
      case "Gather": {
        const data = n.inputs[0]!;
        const dims = plan.shapes.get(data)!;
        const axis = axisOf(n.attrs.axis, dims.length);
        const r = around(dims, axis, axis + 1);
        const table = g.initializers.get(data);
        const idx = n.attrs.indices;
        const count = idx ? idx.data.length : (plan.shapes.get(n.inputs[1]!)!).reduce((p, v) => p * v, 1);
        steps.push({
          op: "gather", name: n.name, y: yFlat(), outer: r.outer, axisLen: r.n, inner: r.inner, count,
          ...(table ? { table: table.data } : { x: flatRef(data, n) }),
          ...(idx ? { indexValues: Int32Array.from(idx.data) } : { indices: flatRef(n.inputs[1]!, n) }),
          ...(n.attrs.zeroRow ? { zeroRow: true } : {}),
        });
        break;
      }
      case "Cast": {
        // An integer constant as a graph output (the loader's): copied into the arena by a multiply by 1.
        const held = g.initializers.get(n.inputs[0]!);
        if (held) {
          steps.push({ op: "broadcast", name: n.name, fn: "mul", a: operand(n.inputs[0]!, n, mergeLeading(dimsOf(n.outputs[0]!), MAX_RANK)), b: ONE, y: yFlat() });
          break;
        }
        const xr = xFlat();
        const from = types.get(n.inputs[0]!);
        // fp32 to an 8-bit type: truncated toward zero, saturated at the type's range.
        if (isQuantType(n.attrs.to) && from === "float32") {
          const total = xr.dims.reduce((p, d) => p * d, 1);
          steps.push({ op: "quantize", name: n.name, x: xr, y: yFlat(), outer: 1, n: 1, inner: total, scale: ONE, ...range(n, n.attrs.to), towardZero: true });
          break;
        }
        // To bool: nonzero is true (NaN included), as ONNX casts.
        if (n.attrs.to === "bool" && from !== "bool") steps.push({ op: "broadcast", name: n.name, fn: "not-equal", a: xr, b: ZERO, y: yFlat() });
        // To the narrower floats: each value rounded to the nearest of theirs (held as fp32 again).
        else if ((n.attrs.to === "float16" || n.attrs.to === "bfloat16") && n.attrs.to !== from) {
          if (xr.dtype === "int32") refuse(n, `casting integers to ${n.attrs.to} is not supported`);
          steps.push({ op: n.attrs.to === "float16" ? "round-f16" : "round-bf16", name: n.name, x: xr, y: yFlat() });
        }
        else if (xr.dtype === "int32" && !isIntType(n.attrs.to)) steps.push({ op: "cast", name: n.name, x: xr, y: yFlat() });
        else steps.push({ op: "reorder", name: n.name, x: xr, y: yFlat() });
        break;
      }
      case "MaxPool":
      case "AveragePool": {
        const a = n.attrs;
        steps.push({
          op: n.op === "MaxPool" ? "maxpool" : "avgpool", name: n.name, x: x(), y: y(), kernel: a.kernel, stride: a.strides, pads: a.pads,
          ...(n.op === "AveragePool" ? { countIncludePad: a.countIncludePad } : {}),
        });
        break;
      }
      case "GlobalAveragePool":
        steps.push({ op: "globalavgpool", name: n.name, x: x(), y: y() });
        break;
      case "Concat": {
        const rank = dimsOf(n.inputs[0]!).length;
        const axis = axisOf(n.attrs.axis, rank);
        if (rank >= 2 && rank <= MAX_RANK && axis === 1) {
          steps.push({ op: "concat", name: n.name, xs: n.inputs.map((v) => refOf(v, n)), y: y() });
          break;
        }
        // Any other axis of dense tensors is the channel concat of their [outer, axis, inner] views.
        const view = (v: string): TensorRef => {
          const r = around(dimsOf(v), axis, axis + 1);
          const t = refOf(v, n, [r.outer, r.n, r.inner]);
          if (t.layout !== "nchw") refuse(n, `concatenation along axis ${n.attrs.axis} needs plain (nchw) tensors`);
          return t;
        };
        steps.push({ op: "concat", name: n.name, xs: n.inputs.map(view), y: view(n.outputs[0]!) });
        break;
      }
      case "Softmax":
      case "LogSoftmax": {
        const xd = dimsOf(n.inputs[0]!);
        const axis = axisOf(n.attrs.axis, xd.length);
        const r = around(xd, axis, n.attrs.throughLast ? xd.length : axis + 1);
        // Along the last axis any tensor is a rows x cols matrix; elsewhere outer x n x inner.
        const dims = r.inner === 1 ? [r.outer, r.n] : [r.outer, r.n, r.inner];
        steps.push({ op: "softmax", name: n.name, x: refOf(n.inputs[0]!, n, dims), y: refOf(n.outputs[0]!, n, dims), ...(n.op === "LogSoftmax" ? { log: true } : {}) });
        break;
      }
      case "Flatten":
      case "Reshape":
      case "Unsqueeze":
      case "Squeeze":
        if (!isAlias(n.op) || plan.bufferOf.get(n.inputs[0]!) !== plan.bufferOf.get(n.outputs[0]!)) refuse(n, "its output was not planned as a view");
        break;
      case "Identity":
      case "Dropout":
      case "Reorder":
        steps.push({ op: "reorder", name: n.name, x: xFlat(), y: yFlat() });
        break;
      case "QuantizeLinear":
      case "DequantizeLinear": {
        const shape = plan.shapes.get(n.inputs[0]!)!;
        const total = shape.reduce((p, d) => p * d, 1);
        const scale = param(n, 1)!;
        const count = scale.dims[0]!;
        // Per tensor: one slice of every value; per axis: the slices along it.
        const r = count === 1 ? { outer: 1, n: 1, inner: total } : around(shape, axisOf(n.attrs.axis, shape.length), axisOf(n.attrs.axis, shape.length) + 1);
        const zero = param(n, 2);
        const common = { name: n.name, x: xFlat(), y: yFlat(), ...r, scale, ...(zero ? { zero } : {}) };
        steps.push(n.op === "QuantizeLinear" ? { op: "quantize", ...common, ...range(n, types.get(n.outputs[0]!)) } : { op: "dequantize", ...common });
        break;
      }
      case "MatMulInteger":
      case "QLinearMatMul": {
        const q = n.op === "QLinearMatMul";
        const [a, b] = [n.inputs[0]!, n.inputs[q ? 3 : 1]!];
        const [ad, bd] = [plan.shapes.get(a)!, g.initializers.get(b)?.dims ?? plan.shapes.get(b)!];
        // The executor's batching: b shared (2-D) or batched as a is; a never repeated.
        if (bd.length > 2 && bd.slice(0, -2).join() !== ad.slice(0, -2).join()) refuse(n, `b's batch dims [${bd.slice(0, -2).join(", ")}] are not a's [${ad.slice(0, -2).join(", ")}]`);
        const [az, bz] = [param(n, 2), param(n, q ? 5 : 3)];
        steps.push({
          op: "matmul-integer", name: n.name, a: refOf(a, n), w: weightsOf(n, b), y: y(),
          ...(az ? { aZero: az } : {}), ...(bz ? { wZero: bz } : {}),
          aSigned: types.get(a) === "int8", wSigned: types.get(b) === "int8",
          ...(q ? requantization(n) : {}),
        });
        break;
      }
      case "DynamicQuantMatMul": {
        const [w, wScale] = [g.initializers.get(n.inputs[1]!), g.initializers.get(n.inputs[2]!)];
        if (!w || !wScale) refuse(n, "its weights and their scales must be constants");
        steps.push({ op: "dynamic-quant-matmul", name: n.name, x: x(), w: { dims: w!.dims, data: w!.data }, wScale: { dims: wScale!.dims, data: wScale!.data }, y: y() });
        break;
      }
      case "ConvInteger":
      case "QLinearConv": {
        const q = n.op === "QLinearConv";
        const [xv, wv] = [n.inputs[0]!, n.inputs[q ? 3 : 1]!];
        const wd = g.initializers.get(wv)?.dims ?? plan.shapes.get(wv)!;
        const [xz, wz] = [param(n, 2), param(n, q ? 5 : 3)];
        const bias = q ? param(n, 8) : undefined;
        steps.push({
          op: "conv-integer", name: n.name, x: x(), w: weightsOf(n, wv), y: y(), shape: convShapeOf(n, plan.shapes.get(xv)!, wd),
          ...(xz ? { xZero: xz } : {}), ...(wz ? { wZero: wz } : {}), ...(bias ? { bias } : {}),
          ...(q ? requantization(n) : {}),
        });
        break;
      }
      case "Constant":
        refuse(n, "constants must be folded first (foldConstants)");
    }
  }
  const outputs = g.outputs.map((name) => ({ name, ref: flatRef(name) }));
  const inputs = g.inputs.map((v) => ({ name: v.name, ref: flatRef(v.name) }));
  return { arenaBytes: plan.arenaBytes, inputs, outputs, steps, nchwcBlock: o.nchwcBlock };
}
