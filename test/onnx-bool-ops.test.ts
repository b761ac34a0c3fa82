// Comparisons, the logical ops, Where and Cast to and from bool on values computed at
// run time (bool held as fp32 0 and 1, int64 and int32 inputs as int32), the
// reductions besides ReduceMean, Exp and Log: loaded, run by the native engine and
// checked against onnxruntime on the same model bytes, and saved back as ONNX that
// onnxruntime runs to the same answers.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { seededTensor } from "../src/engine/inputs.js";
import { inferTypes, type InputTensor } from "../src/engine/ir.js";
import { loadOnnx, saveOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { runOurs } from "./helpers/engine.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const BOOL = 9;
const info = (name: string, elemType: number, dims?: number[]) => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });

interface Input { name: string; type: number; t: InputTensor }

function model(nodes: NodeProto[], inputs: Input[], initializer: TensorProto[] = [], opset = 13, out = "y"): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: nodes, initializer, input: inputs.map((i) => info(i.name, i.type, i.t.dims)), output: [{ name: out }] },
  }).finish();
}

const floats = (name: string, dims: number[], seed: number, edit?: (d: Float32Array) => void): Input => {
  const t = seededTensor(dims, seed);
  edit?.(t.data);
  return { name, type: FLOAT, t };
};
const int64s = (name: string, dims: number[], values: number[]): Input => ({ name, type: INT64, t: { dims, data: Int32Array.from(values), dtype: "int64" } });
const int32s = (name: string, dims: number[], values: number[]): Input => ({ name, type: INT32, t: { dims, data: Int32Array.from(values), dtype: "int32" } });
const bools = (name: string, dims: number[], values: number[]): Input => ({ name, type: BOOL, t: { dims, data: Float32Array.from(values), dtype: "bool" } });

/**
 * Ours against onnxruntime on the model bytes and on the graph saved back: bit for bit
 * (NaN as NaN), or within `ulps` units in the last place where the two round differently
 * (our sums in double, our exp and log rounded once from double).
 */
async function same(bytes: Uint8Array, inputs: Input[], what: string, ulps = 0): Promise<Float32Array> {
  const g = loadOnnx(bytes);
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, i.t]));
  const got = await runOurs(g, inputs.map((i) => i.t.data));
  for (const [source, m] of [["the model", bytes], ["the saved graph", saveOnnx(g)]] as const) {
    const want = Object.values(await runOrt(m, feeds))[0]!;
    assert.equal(got.length, want.data.length, `${what} (${source})`);
    for (let i = 0; i < got.length; i++) {
      const [g, w] = [got[i]!, want.data[i]!];
      const near = Number.isFinite(w) && Math.abs(g - w) <= ulps * 2 ** (Math.floor(Math.log2(Math.abs(w) || 2 ** -126)) - 23);
      assert.ok(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) || near, `${what} (${source}): [${i}] ${g} vs ${w}`);
    }
  }
  return got;
}

const refuses = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && re.test(e.message), String(re));
const node = (opType: string, input: string[], output = "y", attribute: NodeProto["attribute"] = []): NodeProto => ({ name: `${opType}_${output}`, opType, input, output: [output], attribute });

test("comparisons of floats, broadcast, with NaN and -0, write bools", async () => {
  const a = floats("a", [2, 3, 4], 3, (d) => {
    d[0] = NaN;
    d[1] = -0;
    d[5] = 0.25;
  });
  const b = floats("b", [3, 1], 4, (d) => {
    d[0] = 0;
    d[1] = 0.25;
  });
  for (const op of ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"]) {
    const got = await same(model([node(op, ["a", "b"])], [a, b], [], 13), [a, b], op);
    assert.ok(got.every((v) => v === 0 || v === 1), op);
  }
  // A bool graph output is typed bool when saved.
  const g = loadOnnx(model([node("Less", ["a", "b"])], [a, b]));
  assert.equal(inferTypes(g).get("y"), "bool");
});

test("integer inputs compare exactly, also against integer constants and beyond 2^24", async () => {
  const big = 2 ** 24 + 1;
  const ids = int64s("ids", [2, 4], [0, 5, big, -7, 0, 0, 101, 2 ** 31 - 1]);
  const zero: TensorProto = { name: "zero", dims: [], dataType: INT64, int64Data: [0] };
  const got = await same(model([node("Equal", ["ids", "zero"])], [ids], [zero]), [ids], "Equal(ids, 0)");
  assert.deepEqual(Array.from(got), [1, 0, 0, 0, 1, 1, 0, 0]);
  const other = int64s("other", [4], [0, 5, big - 1, -8]);
  await same(model([node("Greater", ["ids", "other"])], [ids, other]), [ids, other], "Greater of two int64 inputs");
  const i32 = int32s("a", [3], [1, big, -3]);
  const j32 = int32s("b", [3], [1, big - 1, 4]);
  await same(model([node("Equal", ["a", "b"])], [i32, j32]), [i32, j32], "Equal of int32 inputs");
  // A constant float32 cannot hold exactly is refused, not rounded.
  refuses(() => loadOnnx(model([node("Equal", ["ids", "k"])], [ids], [{ name: "k", dims: [], dataType: INT64, int64Data: [big] }])), /holds 16777217, which float32 cannot hold exactly/);
});

test("the logical ops, Not and Cast to and from bool", async () => {
  const p = bools("p", [2, 3], [1, 0, 1, 0, 1, 1]);
  const q = bools("q", [3], [1, 1, 0]);
  for (const op of ["And", "Or", "Xor"]) await same(model([node(op, ["p", "q"])], [p, q]), [p, q], op);
  await same(model([node("Not", ["p"])], [p]), [p], "Not");
  await same(model([node("Equal", ["p", "q"])], [p, q]), [p, q], "Equal of bools");
  const x = floats("x", [2, 5], 9, (d) => {
    d[0] = 0;
    d[1] = -0;
    d[2] = NaN;
  });
  const toBool = node("Cast", ["x"], "b", [{ name: "to", type: 2, i: BOOL }]);
  const back = node("Cast", ["b"], "y", [{ name: "to", type: 2, i: FLOAT }]);
  assert.deepEqual(Array.from((await same(model([toBool, back], [x]), [x], "Cast float -> bool -> float")).slice(0, 3)), [0, 0, 1]);
  const m = int64s("m", [2, 3], [0, 1, 5, -1, 0, 0]);
  await same(model([node("Cast", ["m"], "y", [{ name: "to", type: 2, i: BOOL }])], [m]), [m], "Cast int64 -> bool");
  refuses(() => loadOnnx(model([node("Add", ["p", "q"])], [p, q])), /input 0 \("p"\) is bool, which armbench takes only as Gather indices, in comparisons, Where/);
  refuses(() => loadOnnx(model([node("Less", ["p", "q"])], [p, q])), /compares bool values, which only Equal of two bools does/);
  refuses(() => loadOnnx(model([node("Cast", ["x"], "y", [{ name: "to", type: 2, i: INT64 }])], [x])), /casting float32 to int64 at run time is not supported/);
});

test("Where selects under three-way broadcasting, the mask idiom of exporters included", async () => {
  const c = bools("c", [2, 1, 4], [1, 0, 0, 1, 0, 1, 1, 0]);
  const a = floats("a", [3, 1], 1, (d) => (d[0] = NaN));
  const b = floats("b", [4], 2);
  await same(model([node("Where", ["c", "a", "b"])], [c, a, b], [], 13), [c, a, b], "Where of three inputs");
  // masked_fill: Where(Cast(1 - mask, bool), finfo.min, scores), the mask an int64 input.
  const mask = int64s("mask", [1, 4], [1, 1, 1, 0]);
  const scores = floats("s", [2, 4], 5);
  const init: TensorProto[] = [
    { name: "one", dims: [], dataType: FLOAT, floatData: [1] },
    { name: "min", dims: [], dataType: FLOAT, floatData: [-3.4028234663852886e38] },
  ];
  const nodes = [
    node("Cast", ["mask"], "mf", [{ name: "to", type: 2, i: FLOAT }]),
    node("Sub", ["one", "mf"], "inv"),
    node("Cast", ["inv"], "cond", [{ name: "to", type: 2, i: BOOL }]),
    node("Where", ["cond", "min", "s"], "y"),
  ];
  const got = await same(model(nodes, [mask, scores], init), [mask, scores], "masked_fill");
  assert.equal(got[3], -3.4028234663852886e38);
  // A constant bool condition is held as 0 and 1.
  const cc: TensorProto = { name: "cc", dims: [4], dataType: BOOL, int32Data: [0, 1, 1, 0] };
  await same(model([node("Where", ["cc", "s", "min"])], [scores], [...init, cc]), [scores], "a constant condition");
  refuses(() => loadOnnx(model([node("Where", ["s", "s", "s"])], [scores])), /its condition "s" is float32, not bool/);
});

test("ReduceSum, ReduceMax and ReduceMin (axes as attribute or input), Exp and Log", async () => {
  const x = floats("x", [2, 3, 4], 11, (d) => {
    d[7] = NaN;
    d[13] = -0;
  });
  const axes = (v: number[]): TensorProto => ({ name: "axes", dims: [v.length], dataType: INT64, int64Data: v });
  await same(model([node("ReduceSum", ["x", "axes"], "y", [{ name: "keepdims", type: 2, i: 0 }])], [x], [axes([1])], 13), [x], "ReduceSum axes input", 2);
  await same(model([node("ReduceSum", ["x"], "y", [{ name: "axes", type: 7, ints: [-1] }])], [x], [], 11), [x], "ReduceSum axes attribute (opset 11)", 2);
  // onnxruntime's ReduceMax and ReduceMin let a NaN through on some axes and not on others; ours
  // propagate it as numpy and ONNX's reference do, so they meet onnxruntime on NaN-free data.
  const finite = floats("x", [2, 3, 4], 11, (d) => (d[13] = -0));
  for (const op of ["ReduceMax", "ReduceMin"]) {
    await same(model([node(op, ["x"], "y", [{ name: "axes", type: 7, ints: [0] }])], [finite], [], 13), [finite], op);
    await same(model([node(op, ["x", "axes"])], [finite], [axes([2])], 18), [finite], `${op} opset 18`);
    const got = await runOurs(loadOnnx(model([node(op, ["x", "axes"])], [x], [axes([2])], 18)), [x.t.data]);
    assert.deepEqual(Array.from(got, Number.isNaN), [false, true, false, false, false, false], `${op}: the row holding the NaN`);
  }
  const pos = floats("x", [3, 5], 12, (d) => {
    d[0] = 0;
    d[1] = -1;
    d[2] = Infinity;
  });
  await same(model([node("Log", ["x"])], [pos]), [pos], "Log", 1);
  await same(model([node("Exp", ["x"])], [x]), [x], "Exp", 1);
});

test("Dropout's mask is all true in inference, a bool graph output; training_mode=true is refused", async () => {
  const x = floats("x", [2, 3], 13);
  const training = (on: number): TensorProto => ({ name: "t", dims: [], dataType: BOOL, int32Data: [on] });
  const ratio: TensorProto = { name: "r", dims: [], dataType: FLOAT, floatData: [0.5] };
  const drop = { name: "d", opType: "Dropout", input: ["x", "r", "t"], output: ["y", "mask"] };
  const bytes = model([drop], [x], [ratio, training(0)], 13, "mask");
  assert.deepEqual(Array.from(await same(bytes, [x], "the mask")), [1, 1, 1, 1, 1, 1]);
  assert.equal(inferTypes(loadOnnx(bytes)).get("mask"), "bool");
  refuses(() => loadOnnx(model([drop], [x], [ratio, training(1)], 13, "mask")), /training_mode=true asks for training-mode dropout/);
});

test("a Shape or Size of a value computed at run time is an integer graph output", async () => {
  const x = floats("x", [2, 3, 5], 14);
  const shape = await same(model([node("Shape", ["x"], "y", [{ name: "start", type: 2, i: 1 }])], [x], [], 15), [x], "Shape from axis 1");
  assert.deepEqual(Array.from(shape), [3, 5]);
  const g = loadOnnx(model([node("Size", ["x"])], [x]));
  assert.equal(inferTypes(g).get("y"), "int64");
  assert.deepEqual(Array.from(await same(model([node("Size", ["x"])], [x]), [x], "Size")), [30]);
});
