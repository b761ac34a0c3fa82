import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { agreement } from "../src/engine/compare.js";
import { compileModel } from "../src/engine/compile.js";
import { byInputName, seededInputs } from "../src/engine/inputs.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { loadOnnx } from "../src/engine/onnx.js";
import { foldConstants } from "../src/engine/passes.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { runOurs } from "./helpers/engine.js";
import { interpret } from "./helpers/program-interpreter.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const info = (name: string, dims: number[], elemType = 1) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const i64 = (name: string, values: number[], dims = [values.length]): TensorProto => ({ name, dims, dataType: 7, int64Data: values });
const f32 = (name: string, values: number[], dims = [values.length]): TensorProto => ({ name, dims, dataType: 1, floatData: values });

function model(nodes: NodeProto[], initializer: TensorProto[], inputs: ReturnType<typeof info>[], outputs: string[], opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: nodes, initializer, input: inputs, output: outputs.map((o) => ({ name: o, type: { tensorType: { elemType: 1 } } })) },
  }).finish();
}

/**
 * What torch.onnx writes for `x.view(x.size(0), x.size(1), heads, -1).transpose(1, 2)`
 * with dynamic axes: the target shape computed from Shape at run time, which armbench
 * folds at load once the input shape is fixed.
 */
const exportedReshape = (opset: number): Uint8Array =>
  model(
    [
      { name: "shape", opType: "Shape", input: ["x"], output: ["s"] },
      { name: "g0", opType: "Gather", input: ["s", "zero"], output: ["d0"], attribute: [{ name: "axis", type: 2, i: 0 }] },
      { name: "g1", opType: "Gather", input: ["s", "one"], output: ["d1"], attribute: [{ name: "axis", type: 2, i: 0 }] },
      { name: "u0", opType: "Unsqueeze", input: opset >= 13 ? ["d0", "axes0"] : ["d0"], output: ["u0"], attribute: opset >= 13 ? [] : [{ name: "axes", type: 7, ints: [0] }] },
      { name: "u1", opType: "Unsqueeze", input: opset >= 13 ? ["d1", "axes0"] : ["d1"], output: ["u1"], attribute: opset >= 13 ? [] : [{ name: "axes", type: 7, ints: [0] }] },
      { name: "cat", opType: "Concat", input: ["u0", "u1", "heads", "minus1"], output: ["target"], attribute: [{ name: "axis", type: 2, i: 0 }] },
      { name: "view", opType: "Reshape", input: ["x", "target"], output: ["v"] },
      { name: "t", opType: "Transpose", input: ["v"], output: ["vt"], attribute: [{ name: "perm", type: 7, ints: [0, 2, 1, 3] }] },
      // A scale from the head size, as sqrt(float(size(-1))): Shape, Slice, Cast, Sqrt, Div.
      { name: "shape2", opType: "Shape", input: ["vt"], output: ["s2"] },
      { name: "last", opType: "Slice", input: ["s2", "minus1", "big"], output: ["hd"] },
      { name: "cast", opType: "Cast", input: ["hd"], output: ["hdf"], attribute: [{ name: "to", type: 2, i: 1 }] },
      { name: "sqrt", opType: "Sqrt", input: ["hdf"], output: ["scale"] },
      { name: "div", opType: "Div", input: ["vt", "scale"], output: ["y"] },
    ],
    [i64("zero", [0], []), i64("one", [1], []), i64("axes0", [0]), i64("heads", [3]), i64("minus1", [-1]), i64("big", [1000])],
    [info("x", [2, 5, 12])],
    ["y"],
    opset,
  );

test("Shape arithmetic of an exported graph is folded at load into a constant Reshape and scale", async () => {
  for (const opset of [11, 13]) {
    const g = loadOnnx(exportedReshape(opset));
    assert.deepEqual(g.nodes.map((n) => n.op), ["Reshape", "Transpose", "Div"], `opset ${opset}`);
    const reshape = g.nodes[0]!;
    assert.ok(reshape.op === "Reshape");
    assert.deepEqual(reshape.attrs.shape, [2, 5, 3, -1]);
    const scale = g.initializers.get(g.nodes[2]!.inputs[1]!)!;
    assert.deepEqual([...scale.data], [2]);
    const inputs = seededInputs(g);
    const want = await runOrt(exportedReshape(opset), byInputName(g, inputs));
    const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
    const got = interpret(c.program, inputs.map((t) => t.data))[0]!;
    assert.ok(agreement(got, want.y!.data).maxAbsDiff === 0);
  }
});

test("Range, Equal, Where, Expand and ConstantOfShape fold when their inputs are constant", () => {
  const bytes = model(
    [
      { name: "range", opType: "Range", input: ["start", "limit", "delta"], output: ["r"] },
      { name: "eq", opType: "Equal", input: ["r", "two"], output: ["m"] },
      { name: "where", opType: "Where", input: ["m", "fa", "fb"], output: ["w"] },
      { name: "cos", opType: "ConstantOfShape", input: ["shape"], output: ["ones"], attribute: [{ name: "value", type: 4, t: f32("", [1], [1]) }] },
      { name: "expand", opType: "Expand", input: ["w", "shape"], output: ["e"] },
      { name: "mul", opType: "Mul", input: ["e", "ones"], output: ["k"] },
      { name: "add", opType: "Add", input: ["x", "k"], output: ["y"] },
    ],
    [i64("start", [0], []), i64("limit", [4], []), i64("delta", [1], []), i64("two", [2], []), f32("fa", [10], []), f32("fb", [1], []), i64("shape", [3, 4])],
    [info("x", [3, 4])],
    ["y"],
  );
  const g = loadOnnx(bytes);
  assert.deepEqual(g.nodes.map((n) => n.op), ["Add"]);
  const k = g.initializers.get(g.nodes[0]!.inputs[1]!)!;
  assert.deepEqual(k.dims, [3, 4]);
  assert.deepEqual([...k.data.slice(0, 4)], [1, 1, 10, 1]);
});

test("an op armbench only folds is refused in one sentence when its input is computed at run time", () => {
  const bytes = model(
    [{ name: "range", opType: "Range", input: ["s", "limit", "delta"], output: ["y"] }],
    [f32("limit", [4], []), f32("delta", [1], [])],
    [info("s", [])],
    ["y"],
  );
  assert.throws(() => loadOnnx(bytes), (e: unknown) => e instanceof UserError && /node "range" \(Range\): armbench computes Range at load only, and its input "s" is not known then/.test(e.message));
});

test("an int64 graph input feeds Gather and Cast, and nothing else", () => {
  const ok = model(
    [
      { name: "emb", opType: "Gather", input: ["table", "ids"], output: ["e"] },
      { name: "cast", opType: "Cast", input: ["ids"], output: ["f"], attribute: [{ name: "to", type: 2, i: 1 }] },
    ],
    [f32("table", [1, 2, 3, 4, 5, 6], [3, 2])],
    [info("ids", [1, 4], 7)],
    ["e", "f"],
  );
  const g = loadOnnx(ok);
  assert.deepEqual(g.inputs, [{ name: "ids", dims: [1, 4], dtype: "int64" }]);
  const bad = model([{ name: "relu", opType: "Relu", input: ["ids"], output: ["y"] }], [], [info("ids", [1, 4], 7)], ["y"]);
  assert.throws(() => loadOnnx(bad), (e: unknown) => e instanceof UserError && /node "relu" \(Relu\): input 0 \("ids"\) is int64/.test(e.message));
});

test("the passes fold Transpose and Gather of constants into constants with the values they compute", () => {
  const w = { dims: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i) };
  const g = foldConstants({
    name: "c",
    inputs: [{ name: "x", dims: [4, 2, 3] }],
    outputs: ["y", "z"],
    nodes: [
      { op: "Transpose", name: "t", inputs: ["w"], outputs: ["wt"], attrs: { perm: [2, 0, 1] } },
      { op: "Add", name: "y", inputs: ["x", "wt"], outputs: ["y"], attrs: {} },
      { op: "Gather", name: "g", inputs: ["w"], outputs: ["wg"], attrs: { axis: 2, indices: { dims: [2], data: [-1, 0] } } },
      { op: "Mul", name: "z", inputs: ["wg", "wg"], outputs: ["z"], attrs: {} },
    ],
    initializers: new Map([["w", w]]),
  });
  assert.deepEqual(g.nodes.map((n) => n.op), ["Add", "Mul"]);
  const wt = g.initializers.get("wt")!;
  assert.deepEqual(wt.dims, [4, 2, 3]);
  // wt[k][i][j] = w[i][j][k] = 12 i + 4 j + k
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) assert.equal(wt.data[(k * 2 + i) * 3 + j], 12 * i + 4 * j + k);
  const wg = g.initializers.get("wg")!;
  assert.deepEqual(wg.dims, [2, 3, 2]);
  assert.deepEqual([...wg.data.slice(0, 4)], [3, 0, 7, 4]);
});

test("a graph output known at load (an initializer, a Constant, a folded expression, a shape) is written at run time; an integer float32 cannot hold is refused", async () => {
  const ones = (name: string, attrs = [] as NodeProto["attribute"]): NodeProto => ({ name, opType: "ConstantOfShape", input: ["shape"], output: ["y"], attribute: attrs });
  const cases: [string, Uint8Array, number[]][] = [
    ["initializer", model([], [f32("y", [1, -2.5], [2])], [info("x", [2])], ["y"]), [1, -2.5]],
    ["Constant", model([{ name: "c", opType: "Constant", output: ["y"], attribute: [{ name: "value", type: 4, t: f32("", [3, NaN], [2]) }] }], [], [info("x", [2])], ["y"]), [3, NaN]],
    ["folded", model([ones("cos", [{ name: "value", type: 4, t: f32("", [0.5], [1]) }])], [i64("shape", [2, 2])], [info("x", [2])], ["y"]), [0.5, 0.5, 0.5, 0.5]],
  ];
  for (const [what, bytes, want] of cases) {
    const g = loadOnnx(bytes);
    const got = await runOurs(g, [Float32Array.of(7, 7)]);
    assert.deepEqual(Array.from(got), want, what);
  }
  const shape = model([{ name: "s", opType: "Shape", input: ["x"], output: ["y"] }], [], [info("x", [2])], ["y"]);
  assert.deepEqual(Array.from(await runOurs(loadOnnx(shape), [Float32Array.of(7, 7)])), [2]);
  const big = model([], [i64("y", [2 ** 24 + 1], [1])], [info("x", [2])], ["y"]);
  assert.throws(() => loadOnnx(big), (e: unknown) => e instanceof UserError && /graph output "y": the constant "y" holds 16777217, which float32 cannot hold exactly/.test(e.message));
});

test("Constant's opset-12 forms (value_float, value_floats, value_int, value_ints) load as the tensors they stand for", async () => {
  const bytes = (opset: number) =>
    model(
      [
        { name: "k", opType: "Constant", output: ["k"], attribute: [{ name: "value_floats", type: 6, floats: [1, 2, 3, 4, 5, 6] }] },
        { name: "s", opType: "Constant", output: ["s"], attribute: [{ name: "value_ints", type: 7, ints: [2, 3] }] },
        { name: "h", opType: "Constant", output: ["h"], attribute: [{ name: "value_float", type: 1, f: 0.5 }] },
        { name: "r", opType: "Reshape", input: ["k", "s"], output: ["kr"] },
        { name: "m", opType: "Mul", input: ["kr", "h"], output: ["kh"] },
        { name: "a", opType: "Add", input: ["x", "kh"], output: ["y"] },
      ],
      [],
      [info("x", [2, 3])],
      ["y"],
      opset,
    );
  const got = await runOurs(loadOnnx(bytes(13)), [new Float32Array(6).fill(1)]);
  assert.deepEqual(Array.from(got), [1.5, 2, 2.5, 3, 3.5, 4]);
  assert.throws(() => loadOnnx(bytes(11)), (e: unknown) => e instanceof UserError && /node "k" \(Constant\): attribute value_floats is not supported \(before opset 12 only value is\)/.test(e.message));
});
