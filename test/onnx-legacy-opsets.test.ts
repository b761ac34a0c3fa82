// Models of opsets 1 to 6 (PyTorch's and ONNX's own older exports): each supported op's
// earlier semantics (legacy broadcasting, attributes later made inputs, is_test,
// consumed_inputs, Cast's type names) read as they mean, checked against references
// computed here in double, and saved at an opset whose operators mean the same.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { seededTensor } from "../src/engine/inputs.js";
import { loadOnnx, MIN_SAVE_OPSET, saveOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { floatInfo, runOurs } from "./helpers/engine.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

const f32 = (name: string, dims: number[], data: Float32Array): TensorProto => ({ name, dims, dataType: 1, floatData: Array.from(data) });
const int = (name: string, v: number): AttributeProto => ({ name, type: 2, i: v });
const ints = (name: string, v: number[]): AttributeProto => ({ name, type: 7, ints: v });
const float = (name: string, v: number): AttributeProto => ({ name, type: 1, f: v });
const str = (name: string, v: string): AttributeProto => ({ name, type: 3, s: Buffer.from(v) });

function model(nodes: NodeProto[], inputs: { name: string; dims: number[] }[], opset: number, initializer: TensorProto[] = []): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 3,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: nodes, initializer, input: inputs.map((v) => floatInfo(v.name, v.dims)), output: [{ name: "y", type: { tensorType: { elemType: 1 } } }] },
  }).finish();
}


function near(got: Float32Array, want: number[], what: string, tol = 1e-5): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}: [${i}] ${got[i]} vs ${want[i]}`);
}

const refused = (bytes: Uint8Array, re: RegExp) => assert.throws(() => loadOnnx(bytes), (e: unknown) => e instanceof UserError && re.test(e.message));

/** A [2, 3, 4, 5] row-major index. */
const at4 = (i: number) => [Math.floor(i / 60), Math.floor(i / 20) % 3, Math.floor(i / 5) % 4, i % 5] as const;

test("Add before opset 7 broadcasts B against A's axes from `axis` on, B constant or computed", async () => {
  const a = seededTensor([2, 3, 4, 5], 1).data;
  const cases: { what: string; b: number[]; axis?: number; index: (i: number) => number }[] = [
    { what: "axis 1, B [3, 4]", b: [3, 4], axis: 1, index: (i) => at4(i)[1] * 4 + at4(i)[2] },
    { what: "axis 0, B [2]", b: [2], axis: 0, index: (i) => at4(i)[0] },
    { what: "default axis (trailing), B [4, 5]", b: [4, 5], index: (i) => at4(i)[2] * 5 + at4(i)[3] },
    { what: "a single value", b: [1], index: () => 0 },
  ];
  for (const c of cases) {
    const b = seededTensor(c.b, 2).data;
    const want = Array.from(a, (v, i) => v + b[c.index(i)]!);
    const attrs = [int("broadcast", 1), ...(c.axis === undefined ? [] : [int("axis", c.axis)])];
    for (const constant of [false, true]) {
      const node: NodeProto = { name: "add", opType: "Add", input: ["a", "b"], output: ["y"], attribute: attrs };
      const bytes = constant
        ? model([node], [{ name: "a", dims: [2, 3, 4, 5] }], 6, [f32("b", c.b, b)])
        : model([node], [{ name: "a", dims: [2, 3, 4, 5] }, { name: "b", dims: c.b }], 6);
      const g = loadOnnx(bytes);
      near(await runOurs(g, constant ? [a] : [a, b]), want, `${c.what}${constant ? ", constant" : ""}`);
      // Saved, the same graph means the same to onnxruntime under numpy broadcasting.
      const saved = saveOnnx(g);
      const feeds = Object.fromEntries(g.inputs.map((v) => [v.name, { dims: v.dims, data: v.name === "a" ? a : b }]));
      near((await runOrt(saved, feeds)).y!.data, want, `${c.what} saved at opset >= ${MIN_SAVE_OPSET}`);
    }
  }
});

test("before opset 7 inputs of two shapes without broadcast=1, or B off A's axes, are refused", () => {
  const add = (attrs: AttributeProto[]): NodeProto => ({ name: "add", opType: "Add", input: ["a", "b"], output: ["y"], attribute: attrs });
  refused(model([add([])], [{ name: "a", dims: [2, 3] }, { name: "b", dims: [3] }], 6), /before opset 7, inputs \[2, 3\] and \[3\] must be of one shape without broadcast=1/);
  refused(model([add([int("broadcast", 1), int("axis", 0)])], [{ name: "a", dims: [2, 3] }, { name: "b", dims: [3] }], 6), /B \[3\] does not match A \[2, 3\] from axis 0/);
});

test("opset 1's consumed_inputs, Reshape's shape attribute, Concat's default axis and Cast's type name", async () => {
  const x = seededTensor([2, 3, 4], 4).data;
  const nodes: NodeProto[] = [
    { name: "relu", opType: "Relu", input: ["x"], output: ["r"], attribute: [ints("consumed_inputs", [0])] },
    { name: "cat", opType: "Concat", input: ["r", "x"], output: ["c"] },
    { name: "reshape", opType: "Reshape", input: ["c"], output: ["s"], attribute: [ints("shape", [2, 24])] },
    { name: "cast", opType: "Cast", input: ["s"], output: ["y"], attribute: [str("to", "FLOAT")] },
  ];
  const g = loadOnnx(model(nodes, [{ name: "x", dims: [2, 3, 4] }], 1));
  // Concat on axis 1 of [2, 3, 4] and [2, 3, 4]: per batch, relu's 12 values then x's.
  const want = [0, 1].flatMap((n) => [...Array.from(x.slice(n * 12, n * 12 + 12), (v) => Math.max(v, 0)), ...Array.from(x.slice(n * 12, n * 12 + 12))]);
  near(await runOurs(g, [x]), want, "opset 1 chain");
  refused(model([{ name: "cast", opType: "Cast", input: ["x"], output: ["y"], attribute: [str("to", "FLOATY")] }], [{ name: "x", dims: [2] }], 5), /attribute to "FLOATY" names no tensor type/);
});

test("BatchNormalization, Dropout, Clip and Gemm of opset 6 run as inference; is_test=0 (training) is refused", async () => {
  const x = seededTensor([1, 2, 3, 3], 6).data;
  const stats = [f32("s", [2], Float32Array.of(1.5, -0.5)), f32("b", [2], Float32Array.of(0.25, 1)), f32("m", [2], Float32Array.of(0.1, -0.2)), f32("v", [2], Float32Array.of(0.5, 2))];
  const bn = (isTest: number): NodeProto => ({ name: "bn", opType: "BatchNormalization", input: ["x", "s", "b", "m", "v"], output: ["n"], attribute: [int("is_test", isTest), float("epsilon", 1e-5), float("momentum", 0.9), int("spatial", 1)] });
  const drop = (isTest: number): NodeProto => ({ name: "drop", opType: "Dropout", input: ["n"], output: ["d"], attribute: [int("is_test", isTest), float("ratio", 0.5)] });
  const clip: NodeProto = { name: "clip", opType: "Clip", input: ["d"], output: ["y"], attribute: [float("min", -0.5), float("max", 1)] };
  const g = loadOnnx(model([bn(1), drop(1), clip], [{ name: "x", dims: [1, 2, 3, 3] }], 6, stats));
  const [s, b, m, v] = [[1.5, -0.5], [0.25, 1], [0.1, -0.2], [0.5, 2]];
  const want = Array.from(x, (val, i) => {
    const c = Math.floor(i / 9);
    return Math.min(1, Math.max(-0.5, ((val - m[c]!) / Math.sqrt(v[c]! + 1e-5)) * s[c]! + b[c]!));
  });
  near(await runOurs(g, [x]), want, "bn, dropout, clip");
  refused(model([bn(0)], [{ name: "x", dims: [1, 2, 3, 3] }], 6, stats), /is_test=0 asks for training-mode normalisation/);
  refused(model([bn(1), drop(0)], [{ name: "x", dims: [1, 2, 3, 3] }], 6, stats), /is_test=0 asks for training-mode dropout/);
  // Gemm-6: without broadcast=1, C is the whole [M, N].
  const gemm = (broadcast: number): NodeProto => ({ name: "gemm", opType: "Gemm", input: ["a", "w", "c"], output: ["y"], attribute: [int("broadcast", broadcast), int("transB", 1)] });
  const w = f32("w", [3, 4], seededTensor([3, 4], 8).data);
  const c = f32("c", [3], Float32Array.of(1, 2, 3));
  refused(model([gemm(0)], [{ name: "a", dims: [2, 4] }], 6, [w, c]), /before opset 7, C \[3\] must be \[2, 3\] without broadcast=1/);
  const a = seededTensor([2, 4], 9).data;
  const wd = w.floatData as number[];
  const gemmWant = [0, 1].flatMap((i) => [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((acc, k) => acc + a[i * 4 + k]! * wd[j * 4 + k]!, 0) + j + 1));
  near(await runOurs(loadOnnx(model([gemm(1)], [{ name: "a", dims: [2, 4] }], 6, [w, c])), [a]), gemmWant, "gemm broadcast=1");
});

test("BatchNormalization with spatial=0 (opset 7) normalises each element of an image by its own statistics", async () => {
  const x = seededTensor([2, 2, 3], 12).data;
  const p = (name: string, seed: number, positive = false) => {
    const t = seededTensor([2, 3], seed).data.map((v) => (positive ? Math.abs(v) + 0.2 : v));
    return { proto: f32(name, [2, 3], t), data: t };
  };
  const [s, b, m, v] = [p("s", 1), p("b", 2), p("m", 3), p("v", 4, true)];
  const bn: NodeProto = { name: "bn", opType: "BatchNormalization", input: ["x", "s", "b", "m", "v"], output: ["y"], attribute: [int("spatial", 0), float("epsilon", 1e-3)] };
  const g = loadOnnx(model([bn], [{ name: "x", dims: [2, 2, 3] }], 7, [s.proto, b.proto, m.proto, v.proto]));
  const want = Array.from(x, (val, i) => {
    const e = i % 6;
    return ((val - m.data[e]!) / Math.sqrt(v.data[e]! + 1e-3)) * s.data[e]! + b.data[e]!;
  });
  near(await runOurs(g, [x]), want, "spatial=0");
  const wrong: NodeProto = { ...bn, input: ["x", "s", "b", "m", "c"] };
  refused(model([wrong], [{ name: "x", dims: [2, 2, 3] }], 7, [s.proto, b.proto, m.proto, f32("c", [2], Float32Array.of(1, 1))]), /"c" is \[2\]; BatchNormalization with spatial=0 takes \[2, 3\]/);
});

test("opset 0 does not exist and is refused", () => {
  refused(model([{ name: "relu", opType: "Relu", input: ["x"], output: ["y"] }], [{ name: "x", dims: [2] }], 0), /imports opset 0, which does not exist/);
});
