/**
 * Graph optimisations, each a pure function Graph -> Graph (the input is never changed,
 * weights included): constant folding, BatchNormalization folded into the conv before
 * it, and bias / residual add / ReLU / Clip fused into the conv or gemm epilogue. Each
 * keeps what the graph computes; the tests check that through onnxruntime.
 */
import { cloneGraph, consumers, inferShapes, producers, type Epilogue, type Graph, type Node, type Tensor } from "./ir.js";

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
    } else if ((n.op === "Reshape" || n.op === "Flatten") && g.initializers.has(n.inputs[0]!) && !g.outputs.includes(n.outputs[0]!)) {
      const t = g.initializers.get(n.inputs[0]!)!;
      const dims = inferShapes({ ...g, nodes: [n] }).get(n.outputs[0]!)!;
      g.initializers.set(n.outputs[0]!, { dims, data: t.data });
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
 * output ([k] alone would broadcast along the width), [k] or [1, k] for a gemm's rows x k.
 */
function perChannel(t: Tensor | undefined, k: number, rank: number): Float32Array | undefined {
  if (!t || t.data.length !== k) return undefined;
  const d = t.dims.join("x");
  const ok = rank === 4 ? d === `${k}x1x1` || d === `1x${k}x1x1` : rank === 2 && (d === `${k}` || d === `1x${k}`);
  return ok ? t.data : undefined;
}

/**
 * Turns Gemm (transA 0) and 2-D MatMul with constant B into FusedGemm: weights n x k,
 * alpha and beta applied, bias one value per output column. Null when not expressible.
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
      const k = shapes.get(y)![1]!;
      const other = next.inputs.length === 2 ? (next.inputs[0] === y ? next.inputs[1]! : next.inputs[0]!) : undefined;
      if (next.op === "Add" && attrs.act === "none" && other !== undefined && other !== y) {
        const c = perChannel(g.initializers.get(other), k, shapes.get(y)!.length);
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

/** Every pass, in the order that lets each find the patterns the previous one exposed. */
export function optimize(g: Graph): Graph {
  return fuseEpilogues(foldBatchNorm(foldConstants(g)));
}
