// Conv, BatchNormalization and Clip whose weights, statistics or bounds are graph inputs
// (computed at run time): rewritten at load (src/engine/runtime-weights.ts), run by the
// native engine, and checked against onnxruntime on the same model bytes.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { seededTensor } from "../src/engine/inputs.js";
import type { Graph } from "../src/engine/ir.js";
import { loadOnnx, saveOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { floatInfo, runOurs } from "./helpers/engine.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

const f32 = (name: string, t: { dims: number[]; data: Float32Array }): TensorProto => ({ name, dims: t.dims, dataType: 1, floatData: Array.from(t.data) });
const ints = (name: string, v: number[]): AttributeProto => ({ name, type: 7, ints: v });
const int = (name: string, v: number): AttributeProto => ({ name, type: 2, i: v });
const str = (name: string, v: string): AttributeProto => ({ name, type: 3, s: Buffer.from(v) });

function model(node: NodeProto, inputs: { name: string; dims: number[] }[], initializer: TensorProto[] = [], opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: [node], initializer, input: inputs.map((v) => floatInfo(v.name, v.dims)), output: [{ name: "y", type: { tensorType: { elemType: 1 } } }] },
  }).finish();
}

/** The worst |got - want| / (1 + |want|); equal infinities and NaNs agree. */
function worst(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  let w = 0;
  for (let i = 0; i < got.length; i++) {
    const [g, v] = [got[i]!, want[i]!];
    if (g === v || (Number.isNaN(g) && Number.isNaN(v))) continue;
    w = Math.max(w, Number.isNaN(g - v) ? Infinity : Math.abs(g - v) / (1 + Math.abs(v)));
  }
  return w;
}

/** Loads `bytes`, runs it in both engines on seeded inputs and returns the worst relative difference. */
async function againstOrt(bytes: Uint8Array, tweak?: (name: string, data: Float32Array) => void): Promise<{ g: Graph; diff: number }> {
  const g = loadOnnx(bytes);
  const values = g.inputs.map((v, i) => {
    const t = seededTensor(v.dims, 11 + i);
    tweak?.(v.name, t.data);
    return { name: v.name, ...t };
  });
  const want = await runOrt(bytes, Object.fromEntries(values.map((v) => [v.name, { dims: v.dims, data: v.data }])));
  const got = await runOurs(g, values.map((v) => v.data));
  return { g, diff: worst(got, want.y!.data) };
}

const conv = (attrs: AttributeProto[], bias: boolean): NodeProto => ({ name: "conv", opType: "Conv", input: bias ? ["x", "w", "b"] : ["x", "w"], output: ["y"], attribute: attrs });

test("a Conv whose weights are graph inputs runs as im2col and a MatMul, matching onnxruntime", async () => {
  const cases: { what: string; x: number[]; w: number[]; attrs: AttributeProto[]; bias?: boolean }[] = [
    { what: "3x3, pad 1", x: [2, 3, 7, 6], w: [4, 3, 3, 3], attrs: [ints("pads", [1, 1, 1, 1])], bias: true },
    { what: "stride 2, asymmetric pads", x: [1, 2, 9, 8], w: [3, 2, 3, 2], attrs: [ints("strides", [2, 2]), ints("pads", [1, 0, 2, 1])] },
    { what: "dilated, grouped", x: [1, 4, 8, 8], w: [6, 2, 3, 3], attrs: [ints("dilations", [2, 1]), int("group", 2), ints("pads", [2, 1, 2, 1])], bias: true },
    { what: "depthwise, SAME_LOWER", x: [1, 3, 5, 6], w: [3, 1, 2, 3], attrs: [int("group", 3), str("auto_pad", "SAME_LOWER"), ints("strides", [2, 1])] },
    { what: "SAME_UPPER", x: [1, 2, 5, 5], w: [2, 2, 4, 4], attrs: [str("auto_pad", "SAME_UPPER")] },
    { what: "1-D", x: [2, 3, 11], w: [5, 3, 3], attrs: [ints("pads", [2, 1]), ints("strides", [2])], bias: true },
  ];
  for (const c of cases) {
    const inputs = [{ name: "x", dims: c.x }, { name: "w", dims: c.w }, ...(c.bias ? [{ name: "b", dims: [c.w[0]!] }] : [])];
    const { g, diff } = await againstOrt(model(conv(c.attrs, !!c.bias), inputs));
    assert.ok(g.nodes.some((n) => n.op === "Gather" && n.attrs.zeroRow) && g.nodes.some((n) => n.op === "MatMul"), `${c.what}: ${g.nodes.map((n) => n.op)}`);
    assert.ok(diff < 1e-5, `${c.what}: worst relative difference ${diff}`);
  }
});

test("the padding a conv with run-time weights reads is zero, even beside an infinity", async () => {
  // An infinity in x[0] (where a 0/1 mask would have pointed padded taps) reaches only the outputs whose window holds it.
  const bytes = model(conv([ints("pads", [1, 1, 1, 1])], false), [{ name: "x", dims: [1, 1, 4, 4] }, { name: "w", dims: [1, 1, 3, 3] }]);
  const { diff } = await againstOrt(bytes, (name, data) => {
    if (name === "x") data[0] = Infinity;
    if (name === "w") data.fill(0.5);
  });
  // A NaN (0 x infinity) or a misplaced infinity would count as an infinite difference.
  assert.ok(diff < 1e-6, `worst ${diff}`);
});

test("a Conv with constant weights but a run-time bias adds the bias after the native conv", async () => {
  const w = seededTensor([4, 3, 3, 3], 5);
  const { g, diff } = await againstOrt(model(conv([ints("pads", [1, 1, 1, 1])], true), [{ name: "x", dims: [1, 3, 6, 6] }, { name: "b", dims: [4] }], [f32("w", w)]));
  assert.deepEqual(g.nodes.map((n) => n.op), ["Conv", "Reshape", "Add"]);
  assert.ok(diff < 1e-5, `worst ${diff}`);
  // 1-D, constant weights, run-time bias: the conv over a plane of height 1, squeezed, then the Add.
  const w1 = seededTensor([4, 3, 3], 6);
  const one = await againstOrt(model(conv([ints("pads", [1, 0]), ints("strides", [2])], true), [{ name: "x", dims: [2, 3, 9] }, { name: "b", dims: [4] }], [f32("w", w1)]));
  assert.deepEqual(one.g.nodes.map((n) => n.op), ["Unsqueeze", "Conv", "Squeeze", "Reshape", "Add"]);
  assert.ok(one.diff < 1e-5, `1-D: worst ${one.diff}`);
  // auto_pad on the native conv takes the same pads (samePads) as the run-time-weights path.
  const same = await againstOrt(model(conv([str("auto_pad", "SAME_LOWER"), ints("strides", [2, 2])], true), [{ name: "x", dims: [1, 3, 7, 6] }, { name: "b", dims: [4] }], [f32("w", seededTensor([4, 3, 4, 3], 7))]));
  assert.ok(same.diff < 1e-5, `SAME_LOWER: worst ${same.diff}`);
});

test("BatchNormalization with statistics given at run time matches onnxruntime", async () => {
  for (const dims of [[2, 3, 4, 5], [2, 3, 7], [4, 3]]) {
    const bn: NodeProto = { name: "bn", opType: "BatchNormalization", input: ["x", "s", "bias", "mean", "var"], output: ["y"], attribute: [{ name: "epsilon", type: 1, f: 1e-3 }] };
    const bytes = model(bn, [{ name: "x", dims }, ...["s", "bias", "mean", "var"].map((name) => ({ name, dims: [3] }))]);
    const { g, diff } = await againstOrt(bytes, (name, data) => {
      if (name === "var") for (let i = 0; i < data.length; i++) data[i] = Math.abs(data[i]!) + 0.1;
    });
    assert.ok(!g.nodes.some((n) => n.op === "BatchNormalization"));
    assert.ok(diff < 1e-5, `[${dims}]: worst ${diff}`);
  }
});

test("Clip with bounds given at run time runs as Max and Min, and Max/Min take any number of inputs", async () => {
  const clip: NodeProto = { name: "clip", opType: "Clip", input: ["x", "lo", "hi"], output: ["y"] };
  const c = await againstOrt(model(clip, [{ name: "x", dims: [3, 5] }, { name: "lo", dims: [] }, { name: "hi", dims: [] }]), (name, data) => {
    if (name === "lo") data[0] = -0.25;
    if (name === "hi") data[0] = 0.5;
  });
  assert.deepEqual(c.g.nodes.map((n) => n.op), ["Max", "Min"]);
  assert.equal(c.diff, 0);
  for (const op of ["Max", "Min"]) {
    const node: NodeProto = { name: "m", opType: op, input: ["a", "b", "c"], output: ["y"] };
    const r = await againstOrt(model(node, [{ name: "a", dims: [2, 3, 4] }, { name: "b", dims: [3, 1] }, { name: "c", dims: [4] }]), (name, data) => {
      if (name === "a") data[1] = NaN;
    });
    assert.deepEqual(r.g.nodes.map((n) => n.op), [op, op]);
    assert.equal(r.diff, 0, op);
  }
});

test("a conv with run-time weights saves as standard ONNX that onnxruntime runs to the same answer", async () => {
  const bytes = model(conv([ints("pads", [0, 1, 1, 0]), ints("strides", [1, 2])], true), [{ name: "x", dims: [1, 2, 5, 5] }, { name: "w", dims: [3, 2, 2, 3] }, { name: "b", dims: [3] }]);
  const g = loadOnnx(bytes);
  const values = g.inputs.map((v, i) => ({ dims: v.dims, data: seededTensor(v.dims, 3 + i).data }));
  const feeds = Object.fromEntries(g.inputs.map((v, i) => [v.name, values[i]!]));
  const [want, saved] = await Promise.all([runOrt(bytes, feeds), runOrt(saveOnnx(g), feeds)]);
  assert.ok(worst(saved.y!.data, want.y!.data) < 1e-5);
});

test("a conv with run-time weights that cannot run is refused in one sentence", () => {
  const refused = (bytes: Uint8Array, re: RegExp) => assert.throws(() => loadOnnx(bytes), (e: unknown) => e instanceof UserError && re.test(e.message));
  refused(model(conv([int("group", 2)], false), [{ name: "x", dims: [1, 3, 4, 4] }, { name: "w", dims: [2, 1, 1, 1] }]), /group 2 does not divide input \[1, 3, 4, 4\]/);
  refused(model(conv([ints("kernel_shape", [3, 3])], false), [{ name: "x", dims: [1, 1, 4, 4] }, { name: "w", dims: [1, 1, 2, 2] }]), /kernel_shape \[3, 3\] differs from the weights' \[2, 2\]/);
  refused(model(conv([], false), [{ name: "x", dims: [1, 1, 2, 2] }, { name: "w", dims: [1, 1, 3, 3] }]), /the window \[3, 3\] does not fit the input \[2, 2\]/);
  refused(model(conv([], false), [{ name: "x", dims: [1, 64, 128, 128] }, { name: "w", dims: [64, 64, 3, 3] }]), /gathers \d+ values per image, more than the 4194304 armbench indexes/);
});
