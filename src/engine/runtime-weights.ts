/**
 * Conv, BatchNormalization and Clip whose weights, statistics or bounds are computed at
 * run time (graph inputs, as ONNX's node tests and some exporters give them), rewritten
 * at load as ops the executor runs on activations. The native conv and batch-norm steps
 * take their weights once, packed at load; these cannot be, so:
 *
 * - Conv becomes im2col and a MatMul: the input flattened per image, a Gather of it with
 *   constant indices (an index one past the end reads zero: the padding) into
 *   [groups, C/groups x kernel, output positions], times the weights viewed as
 *   [groups, M/groups, C/groups x kernel], which the matmul step packs per call. Any
 *   spatial rank the executor's four dimensions hold.
 * - BatchNormalization becomes (x - mean) x (scale / sqrt(var + epsilon)) + B, the
 *   statistics viewed as [C, 1, ...] against x (or, spatial=0 before opset 9, one per
 *   element of an image: [C, D1, ...] as given).
 * - Clip becomes Max with the lower bound, then Min with the upper.
 *
 * Each function returns the nodes in order; the last writes `y`.
 */
import { UserError } from "../errors.js";
import type { Node, Tensor } from "./ir.js";

/**
 * The most values a table built at load may hold: a conv's im2col indices (one int32 per
 * gathered value), Pad's and Slice's per-axis indices, Expand's ones, Pad's border. A
 * bound on what a hostile file can make the loader allocate.
 */
export const MAX_IM2COL_INDICES = 2 ** 22;

/** What the rewrites need from the loader: fresh value names and new constants. */
export interface Emit {
  /** A value name nothing else writes, derived from the node's. */
  value(suffix: string): string;
  /** A new float constant, returned by name. */
  constant(suffix: string, t: Tensor): string;
}

/** A conv's window as its attributes give it; absent fields take ONNX's defaults. */
export interface ConvGeometry {
  kernel?: number[];
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  group: number;
  autoPad: string;
}

const prod = (d: number[]) => d.reduce((p, v) => p * v, 1);

/**
 * auto_pad SAME_UPPER / SAME_LOWER's pads (begins, then ends) of a window over `spatial`:
 * output = ceil(input / stride), the odd pad at the end (UPPER) or the start (LOWER).
 */
export function samePads(spatial: number[], kernel: number[], strides: number[], dilations: number[], mode: "SAME_UPPER" | "SAME_LOWER"): number[] {
  const r = spatial.length;
  const pads = Array<number>(2 * r).fill(0);
  for (let d = 0; d < r; d++) {
    const out = Math.ceil(spatial[d]! / strides[d]!);
    const total = Math.max(0, (out - 1) * strides[d]! + (kernel[d]! - 1) * dilations[d]! + 1 - spatial[d]!);
    const small = Math.floor(total / 2);
    pads[d] = mode === "SAME_UPPER" ? small : total - small;
    pads[d + r] = total - pads[d]!;
  }
  return pads;
}

/**
 * Output extents and pads (begins, then ends, as ONNX lists them) of a window over
 * `spatial`, as ONNX's Conv defines them: explicit pads, or auto_pad's SAME_UPPER /
 * SAME_LOWER (output = ceil(input / stride), the odd pad at the end or the start) or
 * VALID (none).
 */
export function convWindow(where: string, spatial: number[], kernel: number[], g: ConvGeometry): { out: number[]; pads: number[] } {
  const r = spatial.length;
  const strides = g.strides ?? Array<number>(r).fill(1);
  const dilations = g.dilations ?? Array<number>(r).fill(1);
  const check = (v: number[], what: string, min: number) => {
    if (v.length !== r || v.some((x) => !Number.isSafeInteger(x) || x < min)) throw new UserError(`${where}: ${what} [${v.join(", ")}] must be ${r} integers of at least ${min}.`);
  };
  check(strides, "strides", 1);
  check(dilations, "dilations", 1);
  const reach = kernel.map((k, d) => (k - 1) * dilations[d]! + 1);
  let pads = g.pads ?? Array<number>(2 * r).fill(0);
  if (g.autoPad === "SAME_UPPER" || g.autoPad === "SAME_LOWER") pads = samePads(spatial, kernel, strides, dilations, g.autoPad);
  else if (g.autoPad === "VALID") pads = Array<number>(2 * r).fill(0);
  else if (g.autoPad !== "NOTSET") throw new UserError(`${where}: auto_pad "${g.autoPad}" is not supported.`);
  if (pads.length !== 2 * r || pads.some((p) => !Number.isSafeInteger(p) || p < 0)) throw new UserError(`${where}: pads [${pads.join(", ")}] must be ${2 * r} non-negative integers.`);
  const out = spatial.map((s, d) => Math.floor((s + pads[d]! + pads[d + r]! - reach[d]!) / strides[d]!) + 1);
  if (out.some((o) => o < 1)) throw new UserError(`${where}: the window [${kernel.join(", ")}] does not fit the input [${spatial.join(", ")}] with pads [${pads.join(", ")}].`);
  return { out, pads };
}

/**
 * y = Conv(x, w, b) with w (and b) computed at run time: im2col by Gather, then a
 * MatMul per group. The indices are built here, once: for group g, input channel c of
 * the group, kernel offset k and output position p, the flattened offset of the input
 * value the window reads, or C x H x W... (one past the last) where it reads padding.
 */
export function convAsMatMul(
  where: string,
  x: { name: string; dims: number[] },
  w: { name: string; dims: number[] },
  bias: { name: string; dims: number[]; value?: Tensor } | undefined,
  geometry: ConvGeometry,
  y: string,
  e: Emit,
): Node[] {
  const r = x.dims.length - 2;
  if (r < 1 || w.dims.length !== r + 2) throw new UserError(`${where}: input [${x.dims.join(", ")}] and weights [${w.dims.join(", ")}] must both be [N, C, spatial...] of one rank, at least 3.`);
  const [n, c] = [x.dims[0]!, x.dims[1]!];
  const [m, cg] = [w.dims[0]!, w.dims[1]!];
  const groups = geometry.group;
  if (!(groups >= 1) || c % groups !== 0 || m % groups !== 0 || cg !== c / groups) {
    throw new UserError(`${where}: group ${groups} does not divide input [${x.dims.join(", ")}] and weights [${w.dims.join(", ")}] (the weights need C / group input channels).`);
  }
  const kernel = w.dims.slice(2);
  if (geometry.kernel && geometry.kernel.join() !== kernel.join()) throw new UserError(`${where}: kernel_shape [${geometry.kernel.join(", ")}] differs from the weights' [${kernel.join(", ")}].`);
  if (bias && (bias.dims.length !== 1 || bias.dims[0] !== m)) throw new UserError(`${where}: the bias [${bias.dims.join(", ")}] must be [${m}].`);
  const spatial = x.dims.slice(2);
  const { out, pads } = convWindow(where, spatial, kernel, geometry);
  const strides = geometry.strides ?? Array<number>(r).fill(1);
  const dilations = geometry.dilations ?? Array<number>(r).fill(1);
  const plane = prod(spatial);
  const positions = prod(out);
  const taps = prod(kernel);
  const kg = cg * taps;
  const total = groups * kg * positions;
  if (total > MAX_IM2COL_INDICES) {
    throw new UserError(`${where}: with weights computed at run time the conv gathers ${total} values per image, more than the ${MAX_IM2COL_INDICES} armbench indexes (give the weights as an initializer).`);
  }
  const padRow = c * plane;
  // Per axis, the input coordinate each (kernel offset, output position) pair reads, or -1.
  const coord = spatial.map((s, d) =>
    Array.from({ length: kernel[d]! }, (_, k) =>
      Array.from({ length: out[d]! }, (_, o) => {
        const i = o * strides[d]! - pads[d]! + k * dilations[d]!;
        return i >= 0 && i < s ? i : -1;
      }),
    ),
  );
  const unravel = (i: number, dims: number[]) => {
    const at = Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      at[d] = i % dims[d]!;
      i = Math.floor(i / dims[d]!);
    }
    return at;
  };
  const tapAt = Array.from({ length: taps }, (_, t) => unravel(t, kernel));
  const posAt = Array.from({ length: positions }, (_, p) => unravel(p, out));
  const indices = new Array<number>(total);
  let at = 0;
  for (let g = 0; g < groups; g++) {
    for (let ch = 0; ch < cg; ch++) {
      const base = (g * cg + ch) * plane;
      for (let t = 0; t < taps; t++) {
        const kk = tapAt[t]!;
        for (let p = 0; p < positions; p++) {
          const oo = posAt[p]!;
          let offset = 0;
          let inside = true;
          for (let d = 0; d < r && inside; d++) {
            const i = coord[d]![kk[d]!]![oo[d]!]!;
            if (i < 0) inside = false;
            offset = offset * spatial[d]! + i;
          }
          indices[at++] = inside ? base + offset : padRow;
        }
      }
    }
  }
  const nodes: Node[] = [];
  const flat = e.value("im2col/input");
  nodes.push({ op: "Reshape", name: flat, inputs: [x.name], outputs: [flat], attrs: { shape: [n, padRow] } });
  const cols = e.value("im2col");
  const idxDims = groups === 1 ? [kg, positions] : [groups, kg, positions];
  nodes.push({ op: "Gather", name: cols, inputs: [flat], outputs: [cols], attrs: { axis: 1, indices: { dims: idxDims, data: indices }, zeroRow: true } });
  const wm = e.value("weights");
  nodes.push({ op: "Reshape", name: wm, inputs: [w.name], outputs: [wm], attrs: { shape: groups === 1 ? [m, kg] : [groups, m / groups, kg] } });
  const product = e.value("matmul");
  nodes.push({ op: "MatMul", name: product, inputs: [wm, cols], outputs: [product], attrs: {} });
  const conv = bias ? e.value("conv") : y;
  nodes.push({ op: "Reshape", name: `${y}/shape`, inputs: [product], outputs: [conv], attrs: { shape: [n, m, ...out] } });
  if (bias) {
    const perChannel = [m, ...Array<number>(r).fill(1)];
    let b: string;
    if (bias.value) b = e.constant("bias", { dims: perChannel, data: bias.value.data });
    else {
      b = e.value("bias");
      nodes.push({ op: "Reshape", name: b, inputs: [bias.name], outputs: [b], attrs: { shape: perChannel } });
    }
    nodes.push({ op: "Add", name: `${y}/add_bias`, inputs: [conv, b], outputs: [y], attrs: {} });
  }
  return nodes;
}

/**
 * y = BatchNormalization(x, scale, B, mean, var) in inference form with any of the four
 * computed at run time (or spatial=0): the factor scale / sqrt(var + epsilon) first, on
 * the statistics' own shape.
 */
export function batchNormAsOps(where: string, x: { name: string; dims: number[] }, params: { name: string; dims: number[] }[], epsilon: number, y: string, e: Emit, spatial = true): Node[] {
  const c = x.dims[1];
  if (x.dims.length < 2 || c === undefined) throw new UserError(`${where}: the input [${x.dims.join(", ")}] has no channel axis.`);
  const want = spatial ? [c] : x.dims.slice(1);
  for (const p of params) {
    if (p.dims.join() !== want.join()) throw new UserError(`${where}: "${p.name}" is [${p.dims.join(", ")}]; BatchNormalization${spatial ? "" : " with spatial=0"} takes [${want.join(", ")}].`);
  }
  const [scale, shift, mean, variance] = params.map((p) => p.name) as [string, string, string, string];
  const perChannel = spatial ? [c, ...Array<number>(x.dims.length - 2).fill(1)] : want;
  const nodes: Node[] = [];
  const node = (op: "Add" | "Sub" | "Mul" | "Div" | "Sqrt", suffix: string, inputs: string[], out = e.value(suffix)) => {
    nodes.push({ op, name: out, inputs, outputs: [out], attrs: {} } as Node);
    return out;
  };
  const view = (v: string, suffix: string) => {
    if (!spatial) return v;
    const out = e.value(suffix);
    nodes.push({ op: "Reshape", name: out, inputs: [v], outputs: [out], attrs: { shape: perChannel } });
    return out;
  };
  const eps = e.constant("epsilon", { dims: [], data: Float32Array.of(epsilon) });
  const factor = node("Div", "factor", [scale, node("Sqrt", "std", [node("Add", "var_eps", [variance, eps])])]);
  const centred = node("Sub", "centred", [x.name, view(mean, "mean")]);
  const scaled = node("Mul", "scaled", [centred, view(factor, "factor_c")]);
  node("Add", "shift", [scaled, view(shift, "bias")], y);
  return nodes;
}

/** y = Clip(x, min, max) with either bound computed at run time ("" where absent). */
export function clipAsMinMax(x: string, min: string, max: string, y: string, e: Emit): Node[] {
  const nodes: Node[] = [];
  let v = x;
  if (min) {
    const out = max ? e.value("max") : y;
    nodes.push({ op: "Max", name: out, inputs: [v, min], outputs: [out], attrs: {} });
    v = out;
  }
  if (max) nodes.push({ op: "Min", name: y, inputs: [v, max], outputs: [y], attrs: {} });
  if (!min && !max) nodes.push({ op: "Identity", name: y, inputs: [x], outputs: [y], attrs: {} });
  return nodes;
}
