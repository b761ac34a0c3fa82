/**
 * Graph optimisations, each a pure function Graph -> Graph (the input is never changed,
 * weights included): constant folding, BatchNormalization folded into the conv before
 * it, the Erf form of GELU and the op-by-op form of layer normalisation recognised,
 * bias / residual add / ReLU / Clip / GELU fused
 * into the conv or gemm epilogue, a residual Add fused into the LayerNormalization
 * after it, and attention (MatMul, scale, mask, Softmax, MatMul) fused into one node. Each keeps what the graph computes; the tests check that through onnxruntime.
 */
import { gatherInto, transposeInto } from "./fold.js";
import { dynamicQuantMatMulAsOps } from "./quantized-ops.js";
import { broadcastDims, cloneGraph, valueNamer, consumers, inferShapes, nodeOutputShape, producers, type Epilogue, type Graph, type Node, type Tensor } from "./ir.js";

/** Every use of value `from` now reads `to`. */
function renameUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  g.outputs = g.outputs.map((o) => (o === from ? to : o));
}

/**
 * Removes a node that passes `a` through as `b`. Graph output names are what callers
 * fetch, so when `b` is one, the producer of `a` is made to write `b` instead; a graph
 * output that is a graph input or constant keeps its node (lowering copies it).
 */
function bypass(g: Graph, n: Node): boolean {
  const a = n.inputs[0]!;
  const b = n.outputs[0]!;
  if (!g.outputs.includes(b)) {
    g.nodes = g.nodes.filter((m) => m !== n);
    renameUses(g, b, a);
    return true;
  }
  const p = producers(g).get(a);
  if (!p || g.outputs.includes(a)) return false;
  g.nodes = g.nodes.filter((m) => m !== n);
  p.outputs = p.outputs.map((o) => (o === a ? b : o));
  renameUses(g, a, b);
  return true;
}

/** Constant nodes become initializers; Identity and Dropout disappear; Reshape and Flatten of constants are done now. */
export function foldConstants(input: Graph): Graph {
  const g = cloneGraph(input);
  for (const n of [...g.nodes]) {
    if (n.op === "Constant") {
      g.initializers.set(n.outputs[0]!, n.attrs.value);
      g.nodes = g.nodes.filter((m) => m !== n);
    } else if (n.op === "Identity" || n.op === "Dropout") {
      bypass(g, n);
    } else if (g.initializers.has(n.inputs[0]!) && !g.outputs.includes(n.outputs[0]!) && n.inputs.length === 1) {
      const t = g.initializers.get(n.inputs[0]!)!;
      const dims = nodeOutputShape(n, [t.dims]);
      let data: Float32Array | undefined;
      if (n.op === "Reshape" || n.op === "Flatten" || n.op === "Unsqueeze" || n.op === "Squeeze") data = t.data;
      else if (n.op === "Gather" && !n.attrs.zeroRow) {
        // nodeOutputShape above has checked every index against the axis.
        const axis = n.attrs.axis < 0 ? n.attrs.axis + t.dims.length : n.attrs.axis;
        const len = t.dims[axis]!;
        data = new Float32Array(dims.reduce((p, v) => p * v, 1));
        gatherInto(t.data, t.dims, axis, n.attrs.indices!.data.map((i) => (i < 0 ? i + len : i)), data);
      } else if (n.op === "Transpose") {
        data = new Float32Array(t.data.length);
        transposeInto(t.data, t.dims, n.attrs.perm.length ? n.attrs.perm : t.dims.map((_, i) => t.dims.length - 1 - i), data);
      }
      if (!data) continue;
      g.initializers.set(n.outputs[0]!, { ...t, dims, data });
      g.nodes = g.nodes.filter((m) => m !== n);
    }
  }
  return dropUnusedInitializers(g);
}

function dropUnusedInitializers(g: Graph): Graph {
  const used = new Set([...g.nodes.flatMap((n) => n.inputs), ...g.outputs]);
  for (const k of [...g.initializers.keys()]) if (!used.has(k)) g.initializers.delete(k);
  return g;
}

/** A fresh initializer name (the originals may be shared, so they are never overwritten). */
function newName(g: Graph, base: string): string {
  let name = base;
  for (let i = 1; g.initializers.has(name); i++) name = `${base}.${i}`;
  return name;
}

/** The single node reading `v`, when nothing else (graph outputs included) does. */
function soleConsumer(g: Graph, uses: Map<string, Node[]>, v: string): Node | undefined {
  const list = uses.get(v);
  return list && list.length === 1 && !g.outputs.includes(v) ? list[0] : undefined;
}

/** Conv -> BatchNormalization becomes one Conv with scaled weights and a shifted bias. */
export function foldBatchNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  const uses = consumers(g);
  const made = producers(g);
  for (const bn of [...g.nodes]) {
    if (bn.op !== "BatchNormalization") continue;
    const conv = made.get(bn.inputs[0]!);
    if (!conv || conv.op !== "Conv" || soleConsumer(g, uses, bn.inputs[0]!) !== bn) continue;
    const w = g.initializers.get(conv.inputs[1]!);
    const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((i) => g.initializers.get(i));
    if (!w || !gamma || !beta || !mean || !variance) continue;
    const k = w.dims[0]!;
    const per = w.data.length / k;
    const oldBias = conv.inputs[2] ? g.initializers.get(conv.inputs[2]) : undefined;
    if (conv.inputs[2] && !oldBias) continue;
    const weights = new Float32Array(w.data.length);
    const bias = new Float32Array(k);
    for (let j = 0; j < k; j++) {
      const scale = gamma.data[j]! / Math.sqrt(variance.data[j]! + bn.attrs.epsilon);
      for (let i = 0; i < per; i++) weights[j * per + i] = w.data[j * per + i]! * scale;
      bias[j] = ((oldBias?.data[j] ?? 0) - mean.data[j]!) * scale + beta.data[j]!;
    }
    const wName = newName(g, `${conv.name}.weight.bn`);
    g.initializers.set(wName, { dims: w.dims, data: weights });
    const bName = newName(g, `${conv.name}.bias.bn`);
    g.initializers.set(bName, { dims: [k], data: bias });
    conv.inputs = [conv.inputs[0]!, wName, bName];
    conv.outputs = [bn.outputs[0]!];
    g.nodes = g.nodes.filter((m) => m !== bn);
  }
  return dropUnusedInitializers(g);
}

/**
 * The constant's values when, broadcast against an output of `rank` dims with `k`
 * channels, it adds one value per channel: [k, 1, 1] or [1, k, 1, 1] for a conv's NCHW
 * output ([k] alone would broadcast along the width), [k] or [1, ..., 1, k] for a gemm's [..., k].
 */
function perChannel(t: Tensor | undefined, k: number, rank: number, conv: boolean): Float32Array | undefined {
  if (!t || t.data.length !== k) return undefined;
  const d = t.dims.join("x");
  const ok = conv ? d === `${k}x1x1` || d === `1x${k}x1x1` : t.dims.length <= rank && t.dims.slice(0, -1).every((v) => v === 1);
  return ok ? t.data : undefined;
}

/**
 * Turns Gemm (transA 0) and MatMul of any rank by a constant 2-D B into FusedGemm
 * (weights n x k, the input's leading dims as rows), alpha and beta applied, bias one
 * value per output column. Null when not expressible.
 */
export function toFusedGemm(g: Graph, n: Node): { weights: Tensor; bias?: Tensor } | null {
  if (n.op !== "Gemm" && n.op !== "MatMul") return null;
  const b = g.initializers.get(n.inputs[1]!);
  if (!b || b.dims.length !== 2) return null;
  const trans = n.op === "Gemm" && n.attrs.transB;
  if (n.op === "Gemm" && n.attrs.transA) return null;
  const alpha = n.op === "Gemm" ? n.attrs.alpha : 1;
  const [rows, cols] = b.dims as [number, number];
  const nOut = trans ? rows : cols;
  const kIn = trans ? cols : rows;
  const weights = new Float32Array(nOut * kIn);
  for (let j = 0; j < nOut; j++) for (let i = 0; i < kIn; i++) weights[j * kIn + i] = alpha * (trans ? b.data[j * kIn + i]! : b.data[i * nOut + j]!);
  const biasName = n.op === "Gemm" ? n.inputs[2] : "";
  if (!biasName) return { weights: { dims: [nOut, kIn], data: weights } };
  const c = g.initializers.get(biasName);
  if (!c || c.data.length !== nOut || !(c.dims.length === 1 || (c.dims.length === 2 && c.dims[0] === 1))) return null;
  const beta = n.op === "Gemm" ? n.attrs.beta : 1;
  return { weights: { dims: [nOut, kIn], data: weights }, bias: { dims: [nOut], data: c.data.map((v) => beta * v) } };
}

/**
 * Folds what follows a conv or gemm into its epilogue: a per-channel constant Add into
 * the bias, an Add of another same-shaped activation as the residual (convs), then Relu
 * or Clip. Only where the intermediate value has no other reader, so nothing else ever
 * needed it materialised. The fused node takes the place of the last node it absorbs,
 * so a residual computed after the conv is ready when the fused conv runs.
 */
export function fuseEpilogues(input: Graph): Graph {
  const g = cloneGraph(input);
  for (const n of [...g.nodes]) {
    if (n.op === "Gemm" || n.op === "MatMul") {
      const f = toFusedGemm(g, n);
      if (!f) continue;
      const wName = newName(g, `${n.name}.weight.nk`);
      g.initializers.set(wName, f.weights);
      let bName = "";
      if (f.bias) {
        bName = newName(g, `${n.name}.bias.n`);
        g.initializers.set(bName, f.bias);
      }
      const fused: Node = { op: "FusedGemm", name: n.name, inputs: [n.inputs[0]!, wName, bName], outputs: n.outputs, attrs: { act: "none" } };
      g.nodes[g.nodes.indexOf(n)] = fused;
    }
  }
  // Fusion renames values to names that already had these shapes, so one inference serves.
  const shapes = inferShapes(g);
  for (const start of [...g.nodes]) {
    if (start.op !== "Conv" && start.op !== "FusedGemm") continue;
    let node: Node = start.op === "Conv" ? { op: "FusedConv", name: start.name, inputs: [...start.inputs.slice(0, 3), ""], outputs: start.outputs, attrs: { ...start.attrs, act: "none" } } : start;
    while (node.inputs.length < 4 && node.op === "FusedConv") node.inputs.push("");
    let at = g.nodes.indexOf(start);
    g.nodes[at] = node;
    const attrs = node.attrs as Epilogue;
    for (;;) {
      const uses = consumers(g);
      const y = node.outputs[0]!;
      const next = soleConsumer(g, uses, y);
      if (!next) break;
      const dims = shapes.get(y)!;
      const k = node.op === "FusedConv" ? dims[1]! : dims[dims.length - 1]!;
      const other = next.inputs.length === 2 ? (next.inputs[0] === y ? next.inputs[1]! : next.inputs[0]!) : undefined;
      if (next.op === "Add" && attrs.act === "none" && other !== undefined && other !== y) {
        const c = perChannel(g.initializers.get(other), k, dims.length, node.op === "FusedConv");
        const biasName = node.inputs[2]!;
        if (c && !(node.op === "FusedConv" && node.inputs[3])) {
          const old = biasName ? g.initializers.get(biasName)! : undefined;
          const bName = newName(g, `${node.name}.bias.add`);
          g.initializers.set(bName, { dims: [k], data: c.map((v, j) => v + (old?.data[j] ?? 0)) });
          node.inputs[2] = bName;
        } else if (node.op === "FusedConv" && !node.inputs[3] && !g.initializers.has(other) && sameDims(shapes.get(other), shapes.get(y))) {
          node.inputs[3] = other;
        } else break;
      } else if (next.op === "Relu" && attrs.act === "none") {
        attrs.act = "relu";
      } else if (next.op === "Gelu" && attrs.act === "none" && node.op === "FusedGemm") {
        attrs.act = next.attrs.approximate === "tanh" ? "gelu-tanh" : "gelu";
      } else if (next.op === "Clip" && attrs.act === "none") {
        attrs.act = "clip";
        attrs.clipMin = next.attrs.min;
        attrs.clipMax = next.attrs.max;
      } else break;
      node.outputs = [...next.outputs];
      const nextAt = g.nodes.indexOf(next);
      g.nodes.splice(nextAt, 1, node);
      g.nodes.splice(at, 1);
      at = nextAt - 1;
    }
  }
  return dropUnusedInitializers(g);
}

function sameDims(a: number[] | undefined, b: number[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A constant scalar's value (any dims holding one element). */
function scalarOf(g: Graph, v: string | undefined): number | undefined {
  const t = v === undefined ? undefined : g.initializers.get(v);
  return t && t.data.length === 1 ? t.data[0] : undefined;
}

const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) <= 1e-6 * Math.abs(b);

/**
 * The Erf form exporters write for GELU, x * 0.5 * (1 + erf(x / sqrt 2)) in any of its
 * orders (x / sqrt 2 or x * (1 / sqrt 2); the 0.5 on x, on the sum, or last), becomes one
 * Gelu node, which a gemm before it then takes into its epilogue.
 */
export function fuseGelu(input: Graph): Graph {
  const g = cloneGraph(input);
  const made = producers(g);
  const other = (n: Node, v: string) => (n.inputs[0] === v ? n.inputs[1] : n.inputs[0]);
  for (const erf of [...g.nodes]) {
    if (erf.op !== "Erf") continue;
    const uses = consumers(g);
    const scaled = made.get(erf.inputs[0]!);
    if (!scaled || soleConsumer(g, uses, erf.inputs[0]!) !== erf) continue;
    let x: string | undefined;
    if (scaled.op === "Div" && near(scalarOf(g, scaled.inputs[1]), Math.SQRT2)) x = scaled.inputs[0];
    else if (scaled.op === "Mul") {
      for (const v of scaled.inputs) if (near(scalarOf(g, other(scaled, v)), Math.SQRT1_2) && !g.initializers.has(v)) x = v;
    }
    if (!x) continue;
    const plus = soleConsumer(g, uses, erf.outputs[0]!);
    if (!plus || plus.op !== "Add" || !near(scalarOf(g, other(plus, erf.outputs[0]!)), 1)) continue;
    const times = soleConsumer(g, uses, plus.outputs[0]!);
    if (!times || times.op !== "Mul") continue;
    const partner = other(times, plus.outputs[0]!)!;
    const removed: Node[] = [scaled, erf, plus, times];
    let out: string;
    const half = made.get(partner);
    if (half && half.op === "Mul" && half.inputs.includes(x) && near(scalarOf(g, other(half, x)), 0.5) && soleConsumer(g, uses, partner) === times) {
      // (x * 0.5) * (1 + erf)
      removed.push(half);
      out = times.outputs[0]!;
    } else if (partner === x) {
      // x * (1 + erf), then * 0.5
      const last = soleConsumer(g, uses, times.outputs[0]!);
      if (!last || last.op !== "Mul" || !near(scalarOf(g, other(last, times.outputs[0]!)), 0.5)) continue;
      removed.push(last);
      out = last.outputs[0]!;
    } else continue;
    const gelu: Node = { op: "Gelu", name: `${erf.name}/gelu`, inputs: [x], outputs: [out], attrs: { approximate: "none" } };
    const at = Math.max(...removed.map((r) => g.nodes.indexOf(r)));
    g.nodes[at] = gelu;
    g.nodes = g.nodes.filter((m) => !removed.includes(m));
  }
  return dropUnusedInitializers(g);
}

/**
 * Layer normalisation written op by op, as exporters before opset 17 write it:
 * mean = ReduceMean(x), d = x - mean, ReduceMean(d ^ 2) + eps, Sqrt, d / that, then an
 * optional Mul by a gain and Add of a shift, over the trailing axes, becomes one
 * LayerNormalization (with a gain of ones where none was given).
 */
export function fuseLayerNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  const shapes = inferShapes(g);
  const made = producers(g);
  const other = (n: Node, v: string) => (n.inputs[0] === v ? n.inputs[1] : n.inputs[0]);
  for (const mean of [...g.nodes]) {
    if (mean.op !== "ReduceMean" || !mean.attrs.keepdims || !g.nodes.includes(mean)) continue;
    const uses = consumers(g);
    const x = mean.inputs[0]!;
    const rank = shapes.get(x)!.length;
    const axes = mean.attrs.axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    if (axes.length === 0 || axes[axes.length - 1] !== rank - 1 || axes.some((a, i) => i > 0 && a !== axes[i - 1]! + 1)) continue;
    const sub = soleConsumer(g, uses, mean.outputs[0]!);
    if (!sub || sub.op !== "Sub" || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) continue;
    const d = sub.outputs[0]!;
    const dUses = uses.get(d) ?? [];
    const pow = dUses.find((n) => n.op === "Pow" && n.inputs[0] === d && near(scalarOf(g, n.inputs[1]), 2));
    const div = dUses.find((n) => n.op === "Div" && n.inputs[0] === d);
    if (!pow || !div || dUses.length !== 2 || g.outputs.includes(d)) continue;
    const variance = soleConsumer(g, uses, pow.outputs[0]!);
    if (!variance || variance.op !== "ReduceMean" || !variance.attrs.keepdims || variance.attrs.axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b).join() !== axes.join()) continue;
    const addEps = soleConsumer(g, uses, variance.outputs[0]!);
    const epsilon = addEps?.op === "Add" ? scalarOf(g, other(addEps, variance.outputs[0]!)) : undefined;
    if (!addEps || epsilon === undefined || !(epsilon >= 0)) continue;
    const sqrt = soleConsumer(g, uses, addEps.outputs[0]!);
    if (!sqrt || sqrt.op !== "Sqrt" || made.get(div.inputs[1]!) !== sqrt || soleConsumer(g, uses, sqrt.outputs[0]!) !== div) continue;
    const cols = shapes.get(x)!.slice(axes[0]).reduce((p, v) => p * v, 1);
    const fits = (v: string | undefined) => {
      const t = v === undefined ? undefined : g.initializers.get(v);
      return t && t.data.length === cols ? t : undefined;
    };
    const removed: Node[] = [mean, sub, pow, variance, addEps, sqrt, div];
    let out = div.outputs[0]!;
    let gain: string | undefined;
    let shift = "";
    const mul = soleConsumer(g, uses, out);
    if (mul?.op === "Mul" && fits(other(mul, out))) {
      gain = other(mul, out)!;
      removed.push(mul);
      out = mul.outputs[0]!;
      const add = soleConsumer(g, uses, out);
      if (add?.op === "Add" && fits(other(add, out))) {
        shift = other(add, out)!;
        removed.push(add);
        out = add.outputs[0]!;
      }
    }
    if (!gain) {
      gain = newName(g, `${mean.name}.ones`);
      g.initializers.set(gain, { dims: [cols], data: new Float32Array(cols).fill(1) });
    }
    const ln: Node = { op: "LayerNormalization", name: `${mean.name}/layernorm`, inputs: [x, gain, shift, ""], outputs: [out], attrs: { axis: axes[0]!, epsilon } };
    const at = Math.max(...removed.map((r) => g.nodes.indexOf(r)));
    g.nodes[at] = ln;
    g.nodes = g.nodes.filter((m) => !removed.includes(m));
  }
  return dropUnusedInitializers(g);
}

/**
 * LayerNormalization of an Add of two activations of its own dims (the residual of a
 * transformer block) takes the Add in (onnxruntime's SkipLayerNormalization), where
 * nothing else reads the sum.
 */
export function fuseSkipLayerNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  const made = producers(g);
  const shapes = inferShapes(g);
  for (const ln of g.nodes) {
    if (ln.op !== "LayerNormalization" || ln.inputs[3]) continue;
    const add = made.get(ln.inputs[0]!);
    if (!add || add.op !== "Add" || soleConsumer(g, consumers(g), ln.inputs[0]!) !== ln) continue;
    const [a, b] = add.inputs as [string, string];
    if (g.initializers.has(a) || g.initializers.has(b) || !sameDims(shapes.get(a), shapes.get(ln.inputs[0]!)) || !sameDims(shapes.get(b), shapes.get(a))) continue;
    ln.inputs = [a, ln.inputs[1]!, ln.inputs[2] ?? "", b];
    g.nodes = g.nodes.filter((m) => m !== add);
  }
  return g;
}


/**
 * Attention as exporters write it, MatMul(q, kt), a Mul or Div by a constant scalar
 * (or neither), an Add of a mask (or none), Softmax over the last axis, MatMul by v,
 * becomes one Attention node, which the executor runs a tile of query rows at a time
 * without ever holding the whole score matrix. Only where each value between the two
 * MatMuls has no other reader, q, kt, v and the mask are activations, q, kt and v share
 * their batch dims (no broadcasting between them) and the mask broadcasts to the scores
 * without widening them; anything else is left as it is.
 */
export function fuseAttention(input: Graph): Graph {
  const g = cloneGraph(input);
  const shapes = inferShapes(g);
  const made = producers(g);
  const activation = (v: string | undefined) => v !== undefined && v !== "" && !g.initializers.has(v);
  for (const softmax of [...g.nodes]) {
    if (softmax.op !== "Softmax") continue;
    const uses = consumers(g);
    const dims = shapes.get(softmax.inputs[0]!)!;
    const rank = dims.length;
    if (rank < 2 || rank > 4 || (softmax.attrs.axis < 0 ? softmax.attrs.axis + rank : softmax.attrs.axis) !== rank - 1) continue;
    const sole = (v: string) => soleConsumer(g, uses, v);
    const pv = sole(softmax.outputs[0]!);
    if (!pv || pv.op !== "MatMul" || pv.inputs[0] !== softmax.outputs[0] || !activation(pv.inputs[1])) continue;
    const removed: Node[] = [softmax, pv];
    const other = (n: Node, v: string) => (n.inputs[0] === v ? n.inputs[1]! : n.inputs[0]!);
    const scaleOf = (n: Node) => {
      const c = n.op === "Div" ? scalarOf(g, n.inputs[1]) : n.op === "Mul" ? (scalarOf(g, n.inputs[1]) ?? scalarOf(g, n.inputs[0])) : undefined;
      return c !== undefined && Number.isFinite(c) && c !== 0 ? c : undefined;
    };
    const fromScores = (n: Node | undefined) => n?.op === "MatMul" || ((n?.op === "Mul" || n?.op === "Div") && scaleOf(n) !== undefined);
    // Back from the softmax: the mask add, the scale, the scores' MatMul; `reader` is
    // the node that reads `at`, which must be its only reader.
    let reader: Node = softmax;
    let at = softmax.inputs[0]!;
    let node = made.get(at);
    let mask = "";
    const step = (n: Node, next: string) => {
      removed.push(n);
      reader = n;
      at = next;
      node = made.get(at);
    };
    if (sole(at) !== reader) continue;
    if (node?.op === "Add") {
      const [a, b] = node.inputs as [string, string];
      const scoresSide = fromScores(made.get(a)) && activation(b) ? a : fromScores(made.get(b)) && activation(a) ? b : undefined;
      if (!scoresSide) continue;
      mask = other(node, scoresSide);
      step(node, scoresSide);
      if (sole(at) !== reader) continue;
    }
    let scaleOp: "Mul" | "Div" | "none" = "none";
    let scaleBy = 1;
    if (node?.op === "Mul" || node?.op === "Div") {
      const c = scaleOf(node);
      if (c === undefined) continue;
      scaleOp = node.op;
      scaleBy = c;
      step(node, node.op === "Div" || g.initializers.has(node.inputs[1]!) ? node.inputs[0]! : node.inputs[1]!);
      if (sole(at) !== reader) continue;
    }
    const scores = node as Node | undefined;
    if (scores?.op !== "MatMul" || !activation(scores.inputs[0]) || !activation(scores.inputs[1])) continue;
    removed.push(scores);
    const [q, kt] = scores.inputs as [string, string];
    const v = pv.inputs[1]!;
    const [qd, kd, vd] = [q, kt, v].map((x) => shapes.get(x)!) as [number[], number[], number[]];
    // Equal ranks and batch dims: the executor's step does not broadcast q, kt and v.
    if (qd.length !== rank || kd.length !== rank || vd.length !== rank || [kd, vd].some((d) => d.slice(0, -2).join() !== qd.slice(0, -2).join())) continue;
    if (mask && broadcastDims(dims, shapes.get(mask)!)?.join() !== dims.join()) continue;
    const fused: Node = { op: "Attention", name: `${softmax.name}/attention`, inputs: [q, kt, v, mask], outputs: [...pv.outputs], attrs: { scaleOp, scaleBy } };
    // In the place of the last MatMul: q, kt, v and the mask are all ready there.
    g.nodes[g.nodes.indexOf(pv)] = fused;
    g.nodes = g.nodes.filter((m) => !removed.includes(m));
  }
  return dropUnusedInitializers(g);
}

/**
 * Nodes the executor has no single step for, rewritten as ones it has: a Gemm that is
 * not a FusedGemm (transA, a B computed at run time, C of any broadcastable shape) as
 * Transpose, MatMul, Mul by alpha and Add of beta C; a LayerNormalization whose gain or
 * shift is computed at run time as a plain one followed by Mul and Add.
 */
export function decompose(input: Graph): Graph {
  const g = cloneGraph(input);
  const out: Node[] = [];
  // The values this pass rewrites around keep their shapes: one inference serves.
  const shapes = inferShapes(g);
  const rowLength = (dims: number[], axis: number) => dims.slice(axis < 0 ? axis + dims.length : axis).reduce((p, v) => p * v, 1);
  /** A fresh value name for a node this pass adds. */
  const newValue = valueNamer(g);
  const scalar = (name: string, v: number) => {
    const k = newName(g, name);
    g.initializers.set(k, { dims: [], data: Float32Array.of(v) });
    return k;
  };
  for (const n of [...g.nodes]) {
    if (n.op === "Gemm" && !toFusedGemm(g, n)) {
      const y = n.outputs[0]!;
      const step = (op: Node["op"], inputs: string[], last: boolean, attrs: Node["attrs"] = {}) => {
        const o = last ? y : newValue(`${y}/${op.toLowerCase()}`);
        out.push({ op, name: `${n.name}/${op.toLowerCase()}${out.length}`, inputs, outputs: [o], attrs } as Node);
        return o;
      };
      const { alpha, beta, transA, transB } = n.attrs;
      const c = n.inputs[2] && beta !== 0 ? n.inputs[2] : "";
      let a = n.inputs[0]!;
      let b = n.inputs[1]!;
      if (transA) a = step("Transpose", [a], false, { perm: [1, 0] });
      if (transB) b = step("Transpose", [b], false, { perm: [1, 0] });
      let p = step("MatMul", [a, b], alpha === 1 && !c);
      if (alpha !== 1) p = step("Mul", [p, scalar(`${n.name}.alpha`, alpha)], !c);
      if (c) {
        let cc = c;
        if (beta !== 1) cc = step("Mul", [c, scalar(`${n.name}.beta`, beta)], false);
        step("Add", [p, cc], true);
      }
      continue;
    }
    // Values per row of a LayerNormalization (the product of its normalised dims).
    const lnCols = n.op === "LayerNormalization" ? rowLength(shapes.get(n.inputs[0]!)!, n.attrs.axis) : 0;
    // A gain or shift computed at run time, or one that only broadcasts to the row.
    const perElement = (v: string | undefined) => !v || g.initializers.get(v)?.data.length === lnCols;
    if (n.op === "LayerNormalization" && (!perElement(n.inputs[1]) || !perElement(n.inputs[2]))) {
      const y = n.outputs[0]!;
      const norm = newValue(`${y}/normalized`);
      const ones = newName(g, `${n.name}.ones`);
      g.initializers.set(ones, { dims: [lnCols], data: new Float32Array(lnCols).fill(1) });
      out.push({ ...n, inputs: [n.inputs[0]!, ones, "", n.inputs[3] ?? ""], outputs: [norm] });
      const scaled = n.inputs[2] ? newValue(`${y}/scaled`) : y;
      out.push({ op: "Mul", name: `${n.name}/gain`, inputs: [norm, n.inputs[1]!], outputs: [scaled], attrs: {} });
      if (n.inputs[2]) out.push({ op: "Add", name: `${n.name}/shift`, inputs: [scaled, n.inputs[2]], outputs: [y], attrs: {} });
      continue;
    }
    out.push(n);
  }
  g.nodes = out;
  return g;
}

/**
 * DynamicQuantMatMul written out as the ops that define it (dynamicQuantMatMulAsOps): the
 * reference the fused step is checked against, bit for bit.
 */
export function expandDynamicQuantMatMul(input: Graph): Graph {
  const g = cloneGraph(input);
  const fresh = valueNamer(g);
  const out: Node[] = [];
  for (const n of g.nodes) {
    if (n.op !== "DynamicQuantMatMul") {
      out.push(n);
      continue;
    }
    // One fresh name per suffix: the rewrite names each value once and reads it again.
    const values = new Map<string, string>();
    const value = (suffix: string) => values.get(suffix) ?? values.set(suffix, fresh(`${n.name}/${suffix}`)).get(suffix)!;
    out.push(...dynamicQuantMatMulAsOps(n, { value, constant: (suffix, t) => {
      const k = newName(g, `${n.name}/${suffix}`);
      g.initializers.set(k, t);
      return k;
    } }));
  }
  g.nodes = out;
  return g;
}

/** Every pass, in the order that lets each find the patterns the previous one exposed. */
export function optimize(g: Graph): Graph {
  return fuseAttention(fuseSkipLayerNorm(fuseEpilogues(fuseLayerNorm(fuseGelu(foldBatchNorm(foldConstants(decompose(foldConstants(g)))))))));
}
