import assert from "node:assert/strict";
import { test } from "node:test";

import { UserError } from "../src/errors.js";
import { agreement } from "../src/engine/compare.js";
import { topoSort, type Graph } from "../src/engine/ir.js";
import { defaultAlgoChooser, lower, nativeConvShape, type ConvShape, type LowerOptions } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import { optimize } from "../src/engine/passes.js";
import { planMemory } from "../src/engine/plan.js";
import type { Program, TensorRef } from "../src/engine/program.js";
import { randomInputs, randomTensor, runGraph } from "./helpers/engine.js";
import { interpret } from "./helpers/program-interpreter.js";

const fp32: LowerOptions = { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 };

function compile(g: Graph, o: LowerOptions = fp32): Program {
  return lower(g, planMemory(g), o);
}

function refs(p: Program): TensorRef[] {
  const out: TensorRef[] = [...p.inputs.map((v) => v.ref), ...p.outputs.map((v) => v.ref)];
  for (const s of p.steps) {
    if ("x" in s && s.x) out.push(s.x);
    if ("y" in s) out.push(s.y);
    if (s.op === "add" || s.op === "mul") out.push(s.a, s.b);
    if (s.op === "concat") out.push(...s.xs);
    if (s.op === "conv" && s.residual) out.push(s.residual);
  }
  return out;
}

/** The lowered program, run by the reference interpreter, computes what onnxruntime does on the original graph. */
async function sameAsOrt(original: Graph, p: Program): Promise<void> {
  const inputs = randomInputs(original);
  const want = await runGraph(original, inputs);
  const got = interpret(p, p.inputs.map((v) => inputs[v.name]!.data));
  p.outputs.forEach((o, i) => {
    const w = want[o.name]!;
    assert.deepEqual(o.ref.dims, w.dims);
    const scale = Math.max(1, ...w.data.map(Math.abs));
    const a = agreement(got[i]!, w.data);
    assert.ok(a.nonFinite === 0 && a.maxAbsDiff <= 1e-4 * scale, `${o.name}: max abs diff ${a.maxAbsDiff} (scale ${scale})`);
  });
}

test("ResNet-50 lowers to a program whose every tensor lies inside the arena, 64-byte aligned", () => {
  const g = optimize(builtinModel("resnet50"));
  const p = compile(g);
  assert.equal(p.steps.length, g.nodes.length - 1, "every node a step but the Flatten view");
  for (const r of refs(p)) {
    assert.equal(r.layout, "nchw");
    assert.equal(r.offset % 64, 0);
    assert.ok(r.offset >= 0 && r.offset + 4 * r.dims.reduce((a, b) => a * b, 1) <= p.arenaBytes, `[${r.dims.join(", ")}] at ${r.offset}`);
  }
  const convs = p.steps.filter((s) => s.op === "conv");
  assert.equal(convs.length, 53);
  assert.equal(convs.filter((s) => s.residual).length, 16);
  for (const s of convs) {
    assert.equal(s.weights.length, s.shape.k * (s.shape.c / s.shape.groups) * s.shape.r * s.shape.s);
    assert.equal(s.bias?.length, s.shape.k);
  }
  assert.deepEqual(p.inputs[0]!.ref.dims, [1, 3, 224, 224]);
  assert.deepEqual(p.outputs[0]!.ref.dims, [1, 1000]);
});

test("each conv gets the algorithm the caller's chooser picks for its shape, and bf16 reaches conv and gemm steps only", () => {
  const seen: ConvShape[] = [];
  const p = compile(optimize(builtinModel("mobilenetv2", { inputSize: 64 })), {
    fpmath: "bf16",
    nchwcBlock: 8,
    chooseAlgo: (shape, dtype) => {
      assert.equal(dtype, "bf16");
      seen.push(shape);
      return shape.groups > 1 ? "depthwise" : `pick-${shape.r}x${shape.s}`;
    },
  });
  const convs = p.steps.filter((s) => s.op === "conv");
  assert.equal(seen.length, convs.length);
  for (const s of convs) assert.equal(s.algo, s.shape.groups > 1 ? "depthwise" : `pick-${s.shape.r}x${s.shape.s}`);
  assert.ok(p.steps.every((s) => (s.op === "conv" || s.op === "gemm" ? s.dtype === "bf16" : !("dtype" in s))));
  assert.equal(p.nchwcBlock, 8);
});

test("the default chooser follows the conv heuristic, im2col-tiled where the heuristic's shape cannot say", () => {
  const base: ConvShape = { n: 1, c: 64, h: 56, w: 56, k: 64, r: 1, s: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1 };
  assert.equal(defaultAlgoChooser(base, "fp32"), "direct-nchwc");
  assert.equal(defaultAlgoChooser(base, "bf16"), "direct-nchwc");
  assert.equal(defaultAlgoChooser({ ...base, c: 8 }, "fp32"), "gemm-1x1");
  const asymmetric = { ...base, r: 3, s: 3, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1 };
  assert.equal(nativeConvShape(asymmetric), null);
  assert.equal(defaultAlgoChooser(asymmetric, "fp32"), "im2col-tiled");
});

test("a lowered ResNet-18 and MobileNetV2 compute what onnxruntime computes on the original graphs", async () => {
  for (const name of ["resnet18", "mobilenetv2"]) {
    const g = builtinModel(name, { inputSize: 32 });
    await sameAsOrt(g, compile(optimize(g)));
  }
});

test("an unoptimised graph lowers too: BatchNormalization, Add, Relu, Gemm, Dropout become their own steps", async () => {
  const g = builtinModel("resnet18", { inputSize: 32 });
  const p = compile(g);
  const kinds = new Set(p.steps.map((s) => s.op));
  for (const k of ["conv", "batchnorm", "add", "relu", "maxpool", "globalavgpool", "gemm"]) assert.ok(kinds.has(k as never), k);
  await sameAsOrt(g, p);
});

test("concat, softmax, sigmoid, hardswish, average pooling, mul, clip and an odd grouped conv lower and run right", async () => {
  const g: Graph = topoSort({
    name: "mix",
    inputs: [{ name: "x", dims: [2, 3, 8, 8] }],
    outputs: ["y", "pooled", "odd"],
    nodes: [
      { op: "Sigmoid", name: "sig", inputs: ["x"], outputs: ["s"], attrs: {} },
      { op: "HardSwish", name: "hs", inputs: ["x"], outputs: ["h"], attrs: {} },
      { op: "Mul", name: "mul", inputs: ["s", "h"], outputs: ["m"], attrs: {} },
      { op: "Concat", name: "cat", inputs: ["m", "x", "s"], outputs: ["c"], attrs: { axis: 1 } },
      { op: "Clip", name: "clip", inputs: ["c"], outputs: ["cc"], attrs: { min: -0.5, max: 0.75 } },
      { op: "AveragePool", name: "pool", inputs: ["cc"], outputs: ["pooled"], attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], countIncludePad: false } },
      { op: "Flatten", name: "flat", inputs: ["pooled"], outputs: ["f"], attrs: { axis: 1 } },
      { op: "Gemm", name: "fc", inputs: ["f", "w", ""], outputs: ["logits"], attrs: { alpha: 1, beta: 1, transA: false, transB: true } },
      { op: "Concat", name: "cat2", inputs: ["logits", "logits"], outputs: ["twice"], attrs: { axis: 1 } },
      { op: "Softmax", name: "softmax", inputs: ["twice"], outputs: ["y"], attrs: { axis: -1 } },
      {
        op: "Conv", name: "odd", inputs: ["x", "wc", "bc"], outputs: ["odd"],
        attrs: { kernel: [3, 2], strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], group: 3 },
      },
    ],
    initializers: new Map([["w", randomTensor([10, 9 * 4 * 4], 3)], ["wc", randomTensor([6, 1, 3, 2], 4)], ["bc", randomTensor([6], 5)]]),
  });
  const p = compile(g);
  assert.deepEqual(p.steps.map((s) => s.op), ["sigmoid", "hardswish", "mul", "concat", "clip", "avgpool", "gemm", "concat", "softmax", "conv"]);
  await sameAsOrt(g, p);
  await sameAsOrt(g, compile(optimize(g)));
});

test("Concat along any axis of plain tensors runs as the channel concat of [outer, axis, inner] views", async () => {
  for (const [dims, other, axis] of [[[2, 4, 3, 2], [2, 4, 1, 2], 2], [[3, 5], [2, 5], 0], [[6], [3], -1], [[2, 3, 4], [2, 3, 2], -1]] as const) {
    const g: Graph = topoSort({
      name: "cat",
      inputs: [{ name: "x", dims: [...dims] }, { name: "z", dims: [...other] }],
      outputs: ["y"],
      nodes: [{ op: "Concat", name: "cat", inputs: ["x", "z"], outputs: ["y"], attrs: { axis } }],
      initializers: new Map(),
    });
    await sameAsOrt(g, compile(g));
  }
});

test("what the executor cannot run is refused at lowering, naming the node", () => {
  const g: Graph = topoSort({
    name: "rank5",
    inputs: [{ name: "x", dims: [2, 3, 4, 5, 6] }],
    outputs: ["y"],
    // Five axes no two of which stay neighbours: no four-axis transpose does it.
    nodes: [{ op: "Transpose", name: "t", inputs: ["x"], outputs: ["y"], attrs: { perm: [4, 2, 0, 3, 1] } }],
    initializers: new Map(),
  });
  assert.throws(() => compile(g), (e: unknown) => e instanceof UserError && /node "t" \(Transpose\): "x" has dims \[2, 3, 4, 5, 6\]; armbench's executor takes 1 to 4 dimensions/.test(e.message));
});
