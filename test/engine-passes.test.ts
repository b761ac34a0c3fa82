import assert from "node:assert/strict";
import { test } from "node:test";

import { agreement } from "../src/engine/compare.js";
import { topoSort, type ConvAttrs, type Graph, type Node, type Tensor } from "../src/engine/ir.js";
import { builtinModel } from "../src/engine/models/index.js";
import { foldBatchNorm, foldConstants, fuseEpilogues, optimize } from "../src/engine/passes.js";
import { ops, randomInputs, randomTensor, runGraph } from "./helpers/engine.js";

const X = [1, 4, 6, 6];

function graph(nodes: Node[], initializers: Record<string, Tensor>, outputs = ["y"]): Graph {
  return topoSort({ name: "t", inputs: [{ name: "x", dims: X }], outputs, nodes, initializers: new Map(Object.entries(initializers)) });
}

const conv3x3 = (): ConvAttrs => ({ kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 });
const convNode = (name: string, x: string, y: string, bias = true): Node => ({ op: "Conv", name, inputs: [x, `${name}.w`, bias ? `${name}.b` : ""], outputs: [y], attrs: conv3x3() });
const convWeights = (name: string, seed: number): Record<string, Tensor> => ({
  [`${name}.w`]: randomTensor([4, 4, 3, 3], seed),
  [`${name}.b`]: randomTensor([4], seed + 100),
});
const positive = (t: Tensor): Tensor => ({ dims: t.dims, data: t.data.map((v) => 0.5 + Math.abs(v)) });

/** The optimised graph computes what the original does (fp32 rounding aside). */
async function sameOutputs(before: Graph, after: Graph): Promise<void> {
  const inputs = randomInputs(before);
  const a = await runGraph(before, inputs);
  const b = await runGraph(after, inputs);
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    const scale = Math.max(1, ...a[k]!.data.map(Math.abs));
    const r = agreement(a[k]!.data, b[k]!.data);
    assert.ok(r.nonFinite === 0 && r.maxAbsDiff <= 1e-5 * scale, `${k}: max abs diff ${r.maxAbsDiff} (scale ${scale})`);
  }
}

test("foldConstants: Constant becomes an initializer, Identity and Dropout vanish, Reshape of a constant is done at once", async () => {
  const g = graph(
    [
      { op: "Constant", name: "c", inputs: [], outputs: ["c"], attrs: { value: randomTensor(X, 3) } },
      { op: "Identity", name: "id", inputs: ["x"], outputs: ["xi"], attrs: {} },
      { op: "Relu", name: "relu", inputs: ["xi"], outputs: ["r"], attrs: {} },
      { op: "Add", name: "add", inputs: ["r", "c"], outputs: ["a"], attrs: {} },
      { op: "Reshape", name: "reshape", inputs: ["k"], outputs: ["k4"], attrs: { shape: X } },
      { op: "Mul", name: "mul", inputs: ["a", "k4"], outputs: ["m"], attrs: {} },
      { op: "Dropout", name: "drop", inputs: ["m"], outputs: ["y"], attrs: {} },
    ],
    { k: randomTensor([144], 4) },
  );
  const f = foldConstants(g);
  assert.deepEqual(ops(g), ["Constant", "Identity", "Relu", "Add", "Reshape", "Mul", "Dropout"]);
  assert.deepEqual(ops(f), ["Relu", "Add", "Mul"]);
  assert.deepEqual(f.nodes[0]!.inputs, ["x"]);
  assert.deepEqual(f.nodes[2]!.outputs, ["y"], "the graph output keeps its name");
  assert.deepEqual(f.initializers.get("k4")!.dims, X);
  assert.ok(f.initializers.has("c") && !f.initializers.has("k"));
  assert.equal(g.nodes.length, 7, "the input graph is left as it was");
  await sameOutputs(g, f);
});

test("foldBatchNorm: Conv -> BatchNormalization becomes one Conv; a shared conv output or a lone BatchNormalization stays", async () => {
  const bn = (name: string, x: string, y: string): Node => ({ op: "BatchNormalization", name, inputs: [x, `${name}.g`, `${name}.b`, `${name}.m`, `${name}.v`], outputs: [y], attrs: { epsilon: Math.fround(1e-5) } });
  const bnWeights = (name: string, seed: number): Record<string, Tensor> => ({
    [`${name}.g`]: randomTensor([4], seed), [`${name}.b`]: randomTensor([4], seed + 1), [`${name}.m`]: randomTensor([4], seed + 2), [`${name}.v`]: positive(randomTensor([4], seed + 3)),
  });
  const g = graph(
    [
      bn("bn0", "x", "x0"),
      convNode("c1", "x0", "c1o", false),
      bn("bn1", "c1o", "b1"),
      convNode("c2", "b1", "c2o"),
      bn("bn2", "c2o", "b2"),
      { op: "Add", name: "add", inputs: ["b2", "c2o"], outputs: ["y"], attrs: {} },
    ],
    { ...bnWeights("bn0", 1), ...convWeights("c1", 10), ...bnWeights("bn1", 20), ...convWeights("c2", 30), ...bnWeights("bn2", 40) },
  );
  const f = foldBatchNorm(g);
  assert.deepEqual(ops(f), ["BatchNormalization", "Conv", "Conv", "BatchNormalization", "Add"]);
  assert.deepEqual(f.nodes[1]!.outputs, ["b1"]);
  assert.ok(f.nodes[1]!.inputs[2], "the folded conv gained a bias");
  assert.deepEqual(f.nodes[2]!.outputs, ["c2o"], "c2's output has two readers, so its BatchNormalization stays");
  assert.deepEqual([...g.initializers.get("c1.w")!.data], [...randomTensor([4, 4, 3, 3], 10).data], "the original weights are untouched");
  await sameOutputs(g, f);
});

test("fuseEpilogues: Conv -> Add(residual) -> Relu becomes one conv, placed after the residual's producer", async () => {
  const g = graph(
    [
      convNode("a", "x", "ao"),
      convNode("b", "x", "bo"),
      { op: "Add", name: "add", inputs: ["ao", "bo"], outputs: ["s"], attrs: {} },
      { op: "Relu", name: "relu", inputs: ["s"], outputs: ["y"], attrs: {} },
    ],
    { ...convWeights("a", 1), ...convWeights("b", 2) },
  );
  const f = fuseEpilogues(g);
  assert.deepEqual(ops(f), ["FusedConv", "FusedConv"]);
  const [first, fused] = f.nodes as [Node, Node];
  assert.equal(first.name, "b");
  assert.equal(fused.name, "a");
  assert.deepEqual(fused.inputs, ["x", "a.w", "a.b", "bo"]);
  assert.deepEqual(fused.outputs, ["y"]);
  assert.equal(fused.op === "FusedConv" && fused.attrs.act, "relu");
  await sameOutputs(g, f);
});

test("fuseEpilogues: an intermediate with another reader is not fused away; ReLU6 becomes a clip epilogue", async () => {
  const g = graph(
    [
      convNode("a", "x", "ao"),
      { op: "Add", name: "add", inputs: ["ao", "x"], outputs: ["s"], attrs: {} },
      { op: "Relu", name: "relu", inputs: ["s"], outputs: ["r"], attrs: {} },
      { op: "Mul", name: "mul", inputs: ["r", "s"], outputs: ["m"], attrs: {} },
      convNode("b", "m", "bo"),
      { op: "Clip", name: "relu6", inputs: ["bo"], outputs: ["y"], attrs: { min: 0, max: 6 } },
    ],
    { ...convWeights("a", 1), ...convWeights("b", 2) },
  );
  const f = fuseEpilogues(g);
  assert.deepEqual(ops(f), ["FusedConv", "Relu", "Mul", "FusedConv"]);
  const a = f.nodes[0]!;
  assert.deepEqual(a.inputs, ["x", "a.w", "a.b", "x"], "the Add is fused (only the conv reads ao)");
  assert.ok(a.op === "FusedConv" && a.attrs.act === "none", "the Relu is not: s has two readers");
  const b = f.nodes[3]!;
  assert.ok(b.op === "FusedConv" && b.attrs.act === "clip" && b.attrs.clipMin === 0 && b.attrs.clipMax === 6);
  await sameOutputs(g, f);
});

test("fuseEpilogues: Gemm and MatMul become n x k gemms with bias and activation folded in", async () => {
  const g: Graph = topoSort({
    name: "t",
    inputs: [{ name: "x", dims: [2, 8] }],
    outputs: ["y"],
    nodes: [
      { op: "Gemm", name: "fc", inputs: ["x", "w1", "b1"], outputs: ["h"], attrs: { alpha: 0.5, beta: 2, transA: false, transB: false } },
      { op: "Relu", name: "relu", inputs: ["h"], outputs: ["hr"], attrs: {} },
      { op: "MatMul", name: "mm", inputs: ["hr", "w2"], outputs: ["m"], attrs: {} },
      { op: "Add", name: "bias", inputs: ["m", "b2"], outputs: ["y"], attrs: {} },
    ],
    initializers: new Map([["w1", randomTensor([8, 5], 1)], ["b1", randomTensor([5], 2)], ["w2", randomTensor([5, 3], 3)], ["b2", randomTensor([3], 4)]]),
  });
  const f = fuseEpilogues(g);
  assert.deepEqual(ops(f), ["FusedGemm", "FusedGemm"]);
  assert.deepEqual(f.initializers.get(f.nodes[0]!.inputs[1]!)!.dims, [5, 8]);
  assert.ok(f.nodes[0]!.op === "FusedGemm" && f.nodes[0]!.attrs.act === "relu");
  assert.ok(f.nodes[1]!.inputs[2], "the MatMul's Add became its bias");
  await sameOutputs(g, f);
});

test("optimize: ResNet-18 becomes fused convs only, computing the same logits", async () => {
  const g = builtinModel("resnet18", { inputSize: 32 });
  const f = optimize(g);
  assert.deepEqual([...new Set(ops(f))].sort(), ["Flatten", "FusedConv", "FusedGemm", "GlobalAveragePool", "MaxPool"]);
  assert.equal(ops(f).filter((o) => o === "FusedConv").length, 20);
  const residuals = f.nodes.filter((n) => n.op === "FusedConv" && n.inputs[3]);
  assert.equal(residuals.length, 8, "one residual add per basic block");
  assert.ok(residuals.every((n) => n.op === "FusedConv" && n.attrs.act === "relu"));
  await sameOutputs(g, f);
});

test("optimize: MobileNetV2's ReLU6 and linear bottlenecks fuse, same outputs", async () => {
  const g = builtinModel("mobilenetv2", { inputSize: 32 });
  const f = optimize(g);
  const convs = f.nodes.filter((n) => n.op === "FusedConv");
  assert.equal(convs.length, 52);
  assert.equal(convs.filter((n) => n.op === "FusedConv" && n.attrs.act === "clip").length, 35);
  assert.equal(convs.filter((n) => n.inputs[3]).length, 10);
  await sameOutputs(g, f);
});

test("fuseEpilogues: a per-channel constant Add becomes the conv's bias; one that broadcasts along the width does not", async () => {
  // Conv b is unpadded: 4 channels and 4 wide, so a [4] constant would fit either way, but numpy broadcasting adds it along the width.
  const unpadded: Node = { op: "Conv", name: "b", inputs: ["s", "b.w", "b.b"], outputs: ["bo"], attrs: { ...conv3x3(), pads: [0, 0, 0, 0] } };
  const g = graph(
    [
      convNode("a", "x", "ao"),
      { op: "Add", name: "chan", inputs: ["ao", "perchan"], outputs: ["s"], attrs: {} },
      unpadded,
      { op: "Add", name: "width", inputs: ["bo", "perwidth"], outputs: ["y"], attrs: {} },
    ],
    { ...convWeights("a", 1), ...convWeights("b", 2), perchan: randomTensor([4, 1, 1], 3), perwidth: randomTensor([4], 4) },
  );
  const f = fuseEpilogues(g);
  assert.deepEqual(ops(f), ["FusedConv", "FusedConv", "Add"]);
  assert.deepEqual(f.nodes[0]!.outputs, ["s"]);
  assert.notEqual(f.nodes[0]!.inputs[2], "a.b", "a new bias, the sum of both");
  await sameOutputs(g, f);
});
