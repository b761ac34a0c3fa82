// Slice, Pad and Expand of tensors computed at run time (constant starts, pads and
// shapes): loaded as Gathers of constant indices and a Mul by ones, run by the native
// engine, checked against onnxruntime on the same model bytes.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { seededTensor } from "../src/engine/inputs.js";
import { loadOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { floatInfo, runOurs } from "./helpers/engine.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const i64 = (name: string, values: number[]): TensorProto => ({ name, dims: [values.length], dataType: 7, int64Data: values });
const scalar = (name: string, v: number): TensorProto => ({ name, dims: [], dataType: 1, floatData: [v] });

function model(node: NodeProto, dims: number[], initializer: TensorProto[], opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: [node], initializer, input: [floatInfo("x", dims)], output: [{ name: "y", type: { tensorType: { elemType: 1 } } }] },
  }).finish();
}

/** Ours against onnxruntime, bit for bit (these ops only move values), x with a NaN and a -0 in it. */
async function same(bytes: Uint8Array, dims: number[], what: string): Promise<string[]> {
  const g = loadOnnx(bytes);
  const x = seededTensor(dims, 21).data;
  x[1] = NaN;
  x[2] = -0;
  const want = (await runOrt(bytes, { x: { dims, data: x } })).y!;
  const got = await runOurs(g, [x]);
  assert.equal(got.length, want.data.length, what);
  for (let i = 0; i < got.length; i++) assert.ok(Object.is(got[i], want.data[i]) || (got[i] === 0 && want.data[i] === 0 && what.includes("value")), `${what}: [${i}] ${got[i]} vs ${want.data[i]}`);
  return g.nodes.map((n) => n.op);
}

test("Slice of run-time data is one Gather per narrowed axis", async () => {
  const slice = (starts: number[], ends: number[], axes: number[], steps: number[]) =>
    model({ name: "s", opType: "Slice", input: ["x", "starts", "ends", "axes", "steps"], output: ["y"] }, [3, 5, 6], [i64("starts", starts), i64("ends", ends), i64("axes", axes), i64("steps", steps)]);
  assert.deepEqual(await same(slice([1, -1], [3, -100], [1, 2], [1, -2]), [3, 5, 6], "two axes, a negative step"), ["Gather", "Gather"]);
  assert.deepEqual(await same(slice([0], [99], [0], [1]), [3, 5, 6], "the whole axis"), ["Identity"]);
  assert.throws(() => loadOnnx(slice([5], [9], [1], [1])), (e: unknown) => e instanceof UserError && /the slice is empty \(\[3, 0, 6\]\)/.test(e.message));
});

test("Pad of run-time data: constant (zero or not), reflect and edge, negative pads cropping", async () => {
  const pad = (pads: number[], mode: string, value?: number) =>
    model(
      { name: "p", opType: "Pad", input: value === undefined ? ["x", "pads"] : ["x", "pads", "v"], output: ["y"], attribute: [{ name: "mode", type: 3, s: Buffer.from(mode) }] },
      [2, 3, 4, 5],
      [i64("pads", pads), ...(value === undefined ? [] : [scalar("v", value)])],
    );
  assert.deepEqual(await same(pad([0, 0, 1, 2, 0, 0, 2, 1], "constant"), [2, 3, 4, 5], "zeros"), ["Gather", "Gather"]);
  // A value other than 0 is added where the zero border is: -0 inside becomes +0 (x + 0), as the comparison allows.
  assert.deepEqual(await same(pad([0, 1, 1, 0, 0, 0, 0, 3], "constant", 1.5), [2, 3, 4, 5], "a value"), ["Gather", "Gather", "Gather", "Add"]);
  await same(pad([0, 0, 3, 2, 0, 0, 1, 4], "reflect"), [2, 3, 4, 5], "reflect");
  await same(pad([0, 0, 2, 3, 0, 0, 4, 1], "edge"), [2, 3, 4, 5], "edge");
  await same(pad([0, 0, -1, 2, 0, 0, 1, -2], "constant"), [2, 3, 4, 5], "crop and pad");
  assert.throws(() => loadOnnx(pad([0, 0, 4, 0, 0, 0, 0, 0], "reflect")), (e: unknown) => e instanceof UserError && /reflect pads \[4, 0\] must be shorter than axis 2 \(4 long\)/.test(e.message));
  assert.throws(() => loadOnnx(pad([0, 0, 0, 0, 0, 0, 0, 0], "wrap")), (e: unknown) => e instanceof UserError && /mode "wrap" is not supported/.test(e.message));
  // What a hostile file could ask the loader to build is bounded before anything is allocated.
  assert.throws(() => loadOnnx(pad([0, 0, 0, 2 ** 40, 0, 0, 0, 0], "constant")), (e: unknown) => e instanceof UserError && /more than the 4194304 armbench indexes/.test(e.message));
  assert.throws(() => loadOnnx(pad([0, 0, 1500, 1500, 0, 0, 1500, 1500], "constant", 1)), (e: unknown) => e instanceof UserError && /a border value other than 0 on an output of \d+ values/.test(e.message));
});

test("Expand of run-time data is a Mul by ones over the axes it widens", async () => {
  const expand = (shape: number[]) => model({ name: "e", opType: "Expand", input: ["x", "shape"], output: ["y"] }, [3, 1], [i64("shape", shape)]);
  assert.deepEqual(await same(expand([2, 3, 4]), [3, 1], "new and widened axes"), ["Mul"]);
  assert.deepEqual(await same(expand([3, 1]), [3, 1], "nothing to widen"), ["Identity"]);
  assert.throws(() => loadOnnx(expand([3, 2 ** 23])), (e: unknown) => e instanceof UserError && /needs 8388608 ones, more than the 4194304/.test(e.message));
  assert.throws(() => loadOnnx(expand([2 ** 40, 2 ** 40])), (e: unknown) => e instanceof UserError);
});
