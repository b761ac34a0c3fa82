/**
 * Load-time evaluation of the shape arithmetic exporters write (Shape, Gather, Unsqueeze,
 * Concat, Slice, Cast, ConstantOfShape, Equal, Where, Expand, Range and integer
 * Add/Sub/Mul/Div): where every input is known at load, the loader computes the value
 * here and the node disappears, so a Reshape fed by `Concat(Unsqueeze(Gather(Shape(x))))`
 * gets a constant shape. Values are plain arrays of numbers (int64 as safe integers,
 * bool as 0 and 1); sizes are bounded by the loader's int64 limit before anything here
 * allocates.
 */
import { UserError } from "../errors.js";
import { broadcastDims } from "./ir.js";

export type ConstType = "float32" | "int64" | "bool";

export interface Const {
  type: ConstType;
  dims: number[];
  data: number[];
}

const size = (dims: readonly number[]) => dims.reduce((p, v) => p * v, 1);
const strides = (dims: readonly number[]) => dims.map((_, i) => size(dims.slice(i + 1)));

/** Per output axis, the operand's stride along it (0 where it broadcasts). */
function broadcastStrides(c: Const, out: number[]): number[] {
  const cs = strides(c.dims);
  return out.map((_, a) => {
    const d = a - (out.length - c.dims.length);
    return d >= 0 && c.dims[d] !== 1 ? cs[d]! : 0;
  });
}

function broadcast(where: string, xs: Const[], type: ConstType, f: (v: number[]) => number): Const {
  let dims: number[] = [];
  for (const x of xs) dims = broadcastDims(dims, x.dims) ?? fail(where, `inputs [${xs.map((c) => c.dims.join("x")).join("], [")}] do not broadcast`);
  const n = size(dims);
  guard(where, n);
  const os = strides(dims);
  const bs = xs.map((x) => broadcastStrides(x, dims));
  const data = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = xs.map((x, k) => {
      let idx = 0;
      for (let a = 0; a < dims.length; a++) idx += (Math.floor(i / os[a]!) % dims[a]!) * bs[k]![a]!;
      return x.data[idx]!;
    });
    data[i] = f(v);
  }
  return { type, dims, data };
}

function fail(where: string, why: string): never {
  throw new UserError(`${where}: ${why}.`);
}

/** The loader's bound on int64 values; folding never builds more. */
export const MAX_FOLD_ELEMENTS = 2 ** 20;

function guard(where: string, n: number): void {
  if (n > MAX_FOLD_ELEMENTS) fail(where, `folding it at load would make ${n} values, more than the ${MAX_FOLD_ELEMENTS} armbench computes at load`);
}

const axisOf = (where: string, axis: number, rank: number) => {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(where, `axis ${axis} is out of range for rank ${rank}`);
  return a;
};

const truncate = (v: number) => (v < 0 ? Math.ceil(v) : Math.floor(v));

export function castConst(c: Const, to: ConstType): Const {
  const data = c.data.map((v) => (to === "bool" ? (v !== 0 ? 1 : 0) : to === "int64" ? truncate(v) : Math.fround(v)));
  return { type: to, dims: [...c.dims], data };
}

export function binaryConst(where: string, op: string, a: Const, b: Const): Const {
  if (a.type !== b.type) fail(where, `inputs of types ${a.type} and ${b.type} differ`);
  const int = a.type !== "float32";
  const f: Record<string, (v: number[]) => number> = {
    Add: ([x, y]) => x! + y!,
    Sub: ([x, y]) => x! - y!,
    Mul: ([x, y]) => x! * y!,
    Div: ([x, y]) => {
      if (int && y === 0) fail(where, "integer division by zero");
      return int ? truncate(x! / y!) : x! / y!;
    },
    Pow: ([x, y]) => x! ** y!,
    Max: ([x, y]) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x!, y!)),
    Min: ([x, y]) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x!, y!)),
    Equal: ([x, y]) => (x === y ? 1 : 0),
  };
  const out = broadcast(where, [a, b], op === "Equal" ? "bool" : a.type, f[op]!);
  if (a.type === "float32") out.data = out.data.map((v) => Math.fround(v));
  else if (op !== "Equal" && out.data.some((v) => !Number.isSafeInteger(v))) fail(where, "an int64 result is not a representable integer");
  return out;
}

export function whereConst(where: string, c: Const, a: Const, b: Const): Const {
  if (a.type !== b.type) fail(where, `branches of types ${a.type} and ${b.type} differ`);
  return broadcast(where, [c, a, b], a.type, ([k, x, y]) => (k ? x! : y!));
}

export function expandConst(where: string, x: Const, shape: number[]): Const {
  const dims = broadcastDims(x.dims, shape) ?? fail(where, `[${x.dims.join(", ")}] does not expand to [${shape.join(", ")}]`);
  return broadcast(where, [x, { type: x.type, dims, data: [0] }], x.type, ([v]) => v!);
}

/** A writable array of numbers: number[] here, Float32Array for the passes' float constants. */
export interface Values {
  readonly length: number;
  [i: number]: number;
}

/**
 * y = data gathered along `axis` at `indices` (already within [0, dims[axis])), written
 * into `out`: the one index walk the loader's folding and the passes' share.
 */
export function gatherInto(data: ArrayLike<number>, dims: readonly number[], axis: number, indices: readonly number[], out: Values): void {
  const len = dims[axis]!;
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  let at = 0;
  for (let o = 0; o < outer; o++)
    for (const i of indices) for (let j = 0; j < inner; j++) out[at++] = data[(o * len + i) * inner + j]!;
}

/** data of `dims` with its axes permuted (out[i] for y dims[a] = dims[perm[a]]), written into `out`. */
export function transposeInto(data: ArrayLike<number>, dims: readonly number[], perm: readonly number[], out: Values): void {
  const yDims = perm.map((p) => dims[p]!);
  const xs = strides(dims);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < perm.length; a++) src += idx[a]! * xs[perm[a]!]!;
    out[o] = data[src]!;
    for (let a = perm.length - 1; a >= 0; a--) {
      if (++idx[a]! < yDims[a]!) break;
      idx[a] = 0;
    }
  }
}

export function gatherConst(where: string, data: Const, indices: Const, axisIn: number): Const {
  const axis = axisOf(where, axisIn, data.dims.length);
  const len = data.dims[axis]!;
  const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
  guard(where, size(dims));
  const idx = indices.data.map((raw) => {
    if (raw < -len || raw >= len) fail(where, `index ${raw} is out of range for axis ${axis} of length ${len}`);
    return raw < 0 ? raw + len : raw;
  });
  const out = new Array<number>(size(dims));
  gatherInto(data.data, data.dims, axis, idx, out);
  return { type: data.type, dims, data: out };
}

export function concatConst(where: string, xs: Const[], axisIn: number): Const {
  const first = xs[0]!;
  const axis = axisOf(where, axisIn, first.dims.length);
  for (const x of xs) {
    if (x.type !== first.type || x.dims.length !== first.dims.length || x.dims.some((d, i) => i !== axis && d !== first.dims[i])) fail(where, "its inputs differ in type or in dims outside the axis");
  }
  const outer = size(first.dims.slice(0, axis));
  const dims = [...first.dims];
  dims[axis] = xs.reduce((p, x) => p + x.dims[axis]!, 0);
  guard(where, size(dims));
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const x of xs) {
      const chunk = size(x.dims.slice(axis));
      out.push(...x.data.slice(o * chunk, (o + 1) * chunk));
    }
  return { type: first.type, dims, data: out };
}

/** ONNX Slice (opset 10+ form): starts/ends clamped per axis, negative steps walk backwards. */
/**
 * What Slice takes of each axis of `dims`: the first index, the step and the count
 * (starts and ends clamped as ONNX clamps them, negative ones counting from the end).
 */
export function sliceWindow(where: string, dims: number[], starts: number[], ends: number[], axesIn?: number[], stepsIn?: number[]): { lo: number[]; step: number[]; count: number[] } {
  const rank = dims.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => axisOf(where, a, rank));
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) fail(where, "starts, ends, axes and steps differ in length");
  if (new Set(axes).size !== axes.length) fail(where, `axes [${axes.join(", ")}] repeat`);
  const lo = dims.map(() => 0);
  const step = dims.map(() => 1);
  const count = [...dims];
  axes.forEach((a, i) => {
    const d = dims[a]!;
    const s = steps[i]!;
    if (s === 0) fail(where, "a step of 0");
    const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v < 0 ? v + d : v, min), max);
    const b = s > 0 ? clamp(starts[i]!, 0, d) : clamp(starts[i]!, -1, d - 1);
    const e = s > 0 ? clamp(ends[i]!, 0, d) : clamp(ends[i]!, -1, d - 1);
    lo[a] = b;
    step[a] = s;
    count[a] = Math.max(0, Math.ceil((e - b) / s));
  });
  return { lo, step, count };
}

export function sliceConst(where: string, x: Const, starts: number[], ends: number[], axesIn?: number[], stepsIn?: number[]): Const {
  const rank = x.dims.length;
  const { lo, step, count } = sliceWindow(where, x.dims, starts, ends, axesIn, stepsIn);
  guard(where, size(count));
  const xs = strides(x.dims);
  const cs = strides(count);
  const out: number[] = [];
  for (let i = 0; i < size(count); i++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += (lo[a]! + (Math.floor(i / cs[a]!) % count[a]!) * step[a]!) * xs[a]!;
    out.push(x.data[src]!);
  }
  return { type: x.type, dims: count, data: out };
}

export function rangeConst(where: string, start: number, limit: number, delta: number, type: ConstType): Const {
  if (delta === 0) fail(where, "a delta of 0");
  const n = Math.max(0, Math.ceil((limit - start) / delta));
  guard(where, n);
  return { type, dims: [n], data: Array.from({ length: n }, (_, i) => start + i * delta) };
}

export function transposeConst(where: string, x: Const, permIn: number[]): Const {
  const perm = permIn.length ? permIn : x.dims.map((_, i) => x.dims.length - 1 - i);
  if (perm.length !== x.dims.length) fail(where, `perm [${permIn.join(", ")}] does not match rank ${x.dims.length}`);
  const out = new Array<number>(x.data.length);
  transposeInto(x.data, x.dims, perm, out);
  return { type: x.type, dims: perm.map((p) => x.dims[p]!), data: out };
}
