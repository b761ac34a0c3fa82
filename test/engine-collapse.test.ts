// Values of more than four dimensions: steps whose work needs at most four distinct axes
// (a Swin window partition's 6-D transpose, a 5-D broadcast, a 5-D batched MatMul) run
// with their axes merged; the answers match onnxruntime on the same model.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { collapseBroadcast, collapseTranspose, mergeLeading } from "../src/engine/collapse.js";
import { seededTensor } from "../src/engine/inputs.js";
import { loadOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { floatInfo, runOurs } from "./helpers/engine.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const i64 = (name: string, values: number[]): TensorProto => ({ name, dims: [values.length], dataType: 7, int64Data: values });

test("merging leading axes, broadcast axes and transposed axes", () => {
  assert.deepEqual(mergeLeading([2, 3, 4, 5, 6, 7], 4), [24, 5, 6, 7]);
  assert.deepEqual(mergeLeading([5, 6], 4), [5, 6]);
  // [2,3,4,5,6] + [4,5,6] (a bias over the last three axes): two axes, each operand whole or repeated.
  assert.deepEqual(collapseBroadcast([2, 3, 4, 5, 6], [[2, 3, 4, 5, 6], [4, 5, 6]]), { out: [6, 120], operands: [[6, 120], [1, 120]] });
  // A mask [2,1,1,1,6] over [2,3,4,5,6]: the middle axes merge, the outer and last stay apart.
  assert.deepEqual(collapseBroadcast([2, 3, 4, 5, 6], [[2, 3, 4, 5, 6], [2, 1, 1, 1, 6]]), { out: [2, 60, 6], operands: [[2, 60, 6], [2, 1, 6]] });
  assert.deepEqual(collapseBroadcast([1, 1], [[1, 1], [1]]), { out: [1], operands: [[1], [1]] });
  // Swin's window partition: [B, H/w, w, W/w, w, C] permuted (0, 1, 3, 2, 4, 5) is a 4-D transpose.
  assert.deepEqual(collapseTranspose([2, 4, 7, 4, 7, 96], [0, 1, 3, 2, 4, 5]), { dims: [8, 7, 4, 672], perm: [0, 2, 1, 3] });
  assert.deepEqual(collapseTranspose([1, 3, 1, 5], [3, 2, 1, 0]), { dims: [3, 5], perm: [1, 0] });
  assert.deepEqual(collapseTranspose([1, 1], [1, 0]), { dims: [1], perm: [0] });
});

function model(nodes: NodeProto[], inputs: { name: string; dims: number[] }[], initializer: TensorProto[]): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    graph: { name: "g", node: nodes, initializer, input: inputs.map((i) => floatInfo(i.name, i.dims)), output: [{ name: "y" }] },
  }).finish();
}

async function same(bytes: Uint8Array, inputs: { name: string; dims: number[] }[], what: string, tol = 0): Promise<void> {
  const ts = inputs.map((v, i) => seededTensor(v.dims, 30 + i));
  const want = (await runOrt(bytes, Object.fromEntries(inputs.map((v, i) => [v.name, ts[i]!])))).y!;
  const got = await runOurs(loadOnnx(bytes), ts.map((t) => t.data));
  assert.equal(got.length, want.data.length, what);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want.data[i]!) <= tol * (1 + Math.abs(want.data[i]!)), `${what}: [${i}] ${got[i]} vs ${want.data[i]}`);
}

test("a Swin window partition (6-D Reshape and Transpose) and a 5-D broadcast run, as onnxruntime computes them", async () => {
  const x = { name: "x", dims: [2, 8, 8, 6] };
  const nodes: NodeProto[] = [
    { name: "r1", opType: "Reshape", input: ["x", "s6"], output: ["x6"] },
    { name: "t", opType: "Transpose", input: ["x6"], output: ["w6"], attribute: [{ name: "perm", type: 7, ints: [0, 1, 3, 2, 4, 5] }] },
    { name: "r5", opType: "Reshape", input: ["w6", "s5"], output: ["w5"] },
    { name: "add", opType: "Add", input: ["w5", "bias"], output: ["b5"] },
    { name: "relu", opType: "Relu", input: ["b5"], output: ["y"] },
  ];
  const bias = seededTensor([4, 1, 6], 5);
  const init = [i64("s6", [2, 2, 4, 2, 4, 6]), i64("s5", [2, 4, 4, 4, 6]), { name: "bias", dims: [4, 1, 6], dataType: 1, floatData: Array.from(bias.data) }];
  await same(model(nodes, [x], init), [x], "window partition");
});

test("a 5-D batched MatMul with broadcast batch dims and a 5-D Softmax", async () => {
  const a = { name: "a", dims: [2, 3, 4, 4, 5] };
  const b = { name: "b", dims: [3, 4, 5, 6] };
  const nodes: NodeProto[] = [
    { name: "mm", opType: "MatMul", input: ["a", "b"], output: ["m"] },
    { name: "sm", opType: "Softmax", input: ["m"], output: ["y"], attribute: [{ name: "axis", type: 2, i: 2 }] },
  ];
  await same(model(nodes, [a, b], []), [a, b], "5-D MatMul", 1e-5);
  // Batch dims that cannot merge into two are refused in one sentence.
  const c = { name: "a", dims: [2, 1, 3, 1, 4, 5] };
  const d = { name: "b", dims: [1, 2, 1, 3, 5, 6] };
  await assert.rejects(
    () => runOurs(loadOnnx(model([{ name: "mm", opType: "MatMul", input: ["a", "b"], output: ["y"] }], [c, d], [])), []),
    (e: unknown) => e instanceof UserError && /armbench's executor takes 1 to 4 dimensions/.test(e.message),
  );
});
