// float16, bfloat16 and float64 values: held as the fp32 numbers they are, made by Cast
// (rounded to nearest, ties to even, by the native round-f16 / round-bf16 steps) and
// read as graph inputs and test data; checked against onnxruntime where it takes the
// type (float16) and against the bit-level conversions of src/engine/half.ts otherwise.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { bf16BitsToFloat, floatToBf16Bits, floatToHalfBits, halfBitsToFloat, roundToBf16, roundToHalf } from "../src/engine/half.js";
import { seededTensor } from "../src/engine/inputs.js";
import { inferTypes } from "../src/engine/ir.js";
import { decodeTestTensor, loadOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { UserError } from "../src/errors.js";
import { runOurs } from "./helpers/engine.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;

const [FLOAT, FLOAT16, DOUBLE, BFLOAT16] = [1, 10, 11, 16];
const info = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const cast = (x: string, y: string, to: number): NodeProto => ({ name: `cast_${y}`, opType: "Cast", input: [x], output: [y], attribute: [{ name: "to", type: 2, i: to }] });
const model = (nodes: NodeProto[], input: ReturnType<typeof info>) =>
  onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: "", version: 13 }], graph: { name: "g", node: nodes, input: [input], output: [{ name: "y" }] } }).finish();
const refuses = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && re.test(e.message), String(re));

test("float16 and bfloat16 bit patterns round-trip, and rounding to them is to nearest, ties to even", () => {
  for (let b = 0; b < 0x10000; b++) {
    const h = halfBitsToFloat(b);
    if (!Number.isNaN(h)) assert.equal(floatToHalfBits(h), b, `float16 ${b.toString(16)}`);
    const f = bf16BitsToFloat(b);
    if (!Number.isNaN(f)) assert.equal(floatToBf16Bits(f), b, `bfloat16 ${b.toString(16)}`);
  }
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: to the even one, 1; the next tie goes up.
  assert.equal(roundToHalf(1 + 2 ** -11), 1);
  assert.equal(roundToHalf(1 + 3 * 2 ** -11), 1 + 2 ** -9);
  assert.equal(roundToHalf(65519.99), 65504);
  assert.equal(roundToHalf(65520), Infinity);
  assert.equal(roundToHalf(-(2 ** -25)), -0);
  assert.equal(roundToHalf(2 ** -25 * 3), 2 ** -23);
  assert.equal(roundToBf16(1 + 2 ** -8), 1);
  assert.equal(roundToBf16(1 + 3 * 2 ** -8), 1 + 2 ** -6);
  assert.ok(Number.isNaN(roundToBf16(NaN)));
});

test("Cast to float16 and back runs as onnxruntime computes it; to bfloat16 as the bit-level rounding", async () => {
  const x = seededTensor([4, 64], 3);
  x.data.set([65519.99, 65520, 1 + 2 ** -11, 2 ** -25, -(2 ** -24) * 1.5, NaN, 3.4e38, -0]);
  const half = model([cast("x", "h", FLOAT16), cast("h", "y", FLOAT)], info("x", FLOAT, [4, 64]));
  const want = (await runOrt(half, { x })).y!;
  const got = await runOurs(loadOnnx(half), [x.data]);
  got.forEach((v, i) => assert.ok(Object.is(v, want.data[i]) || (Number.isNaN(v) && Number.isNaN(want.data[i]!)), `[${i}] ${v} vs ${want.data[i]}`));
  const bf = model([cast("x", "b", BFLOAT16), cast("b", "y", FLOAT)], info("x", FLOAT, [4, 64]));
  const gotBf = await runOurs(loadOnnx(bf), [x.data]);
  gotBf.forEach((v, i) => assert.ok(Object.is(v, Math.fround(roundToBf16(x.data[i]!))) || Number.isNaN(v), `[${i}] ${v}`));
  // Through float64 and back a float is itself.
  const dbl = model([cast("x", "d", DOUBLE), cast("d", "y", FLOAT)], info("x", FLOAT, [4, 64]));
  assert.deepEqual(Array.from(await runOurs(loadOnnx(dbl), [x.data])), Array.from(x.data));
});

test("a float16 graph input runs (fed to onnxruntime as its bits); computing on float16 values is refused", async () => {
  const h = { dims: [2, 8], data: seededTensor([2, 8], 4).data.map(roundToHalf), dtype: "float16" as const };
  const bytes = model([cast("h", "y", FLOAT)], info("h", FLOAT16, [2, 8]));
  const g = loadOnnx(bytes);
  assert.equal(g.inputs[0]!.dtype, "float16");
  const want = (await runOrt(bytes, { h })).y!;
  assert.deepEqual(Array.from(await runOurs(g, [h.data])), Array.from(want.data));
  const relu = model([{ name: "r", opType: "Relu", input: ["h"], output: ["y"] }], info("h", FLOAT16, [2, 8]));
  refuses(() => loadOnnx(relu), /input 0 \("h"\) is float16, which armbench takes only through Cast and copies/);
  refuses(() => loadOnnx(model([cast("d", "y", FLOAT)], info("d", DOUBLE, [2]))), /graph input "d" is float64; armbench takes float32, float16 and bfloat16 inputs/);
  assert.equal(inferTypes(loadOnnx(model([cast("x", "y", FLOAT16)], info("x", FLOAT, [2])))).get("y"), "float16");
});

test("float16, bfloat16 and float64 test data read as their values; a float64 float32 cannot hold is refused", () => {
  const tensor = (t: onnxProto.onnx.ITensorProto) => onnx.TensorProto.encode(t).finish();
  const h = decodeTestTensor(tensor({ name: "h", dims: [3], dataType: FLOAT16, int32Data: [0x3c00, 0xc000, 0x7c00] }));
  assert.deepEqual([Array.from(h.data), h.dtype], [[1, -2, Infinity], "float16"]);
  const b = decodeTestTensor(tensor({ name: "b", dims: [2], dataType: BFLOAT16, rawData: new Uint8Array([0x80, 0x3f, 0x40, 0xc0]) }));
  assert.deepEqual([Array.from(b.data), b.dtype], [[1, -3], "bfloat16"]);
  // Older ONNX test data stores bfloat16 as uint16: read as bfloat16 where the model says so.
  const u = tensor({ name: "u", dims: [1], dataType: 4, int32Data: [0x3f80] });
  assert.deepEqual(Array.from(decodeTestTensor(u, "u", "bfloat16").data), [1]);
  refuses(() => decodeTestTensor(u, "u.pb"), /u\.pb is uint16; armbench reads float32, float16, bfloat16, float64, int64, int32, uint8, int8 and bool test data only/);
  assert.deepEqual(Array.from(decodeTestTensor(tensor({ name: "d", dims: [2], dataType: DOUBLE, doubleData: [0.5, 3] })).data), [0.5, 3]);
  refuses(() => decodeTestTensor(tensor({ name: "d", dims: [1], dataType: DOUBLE, doubleData: [0.1] }), "d.pb"), /d\.pb holds 0\.1, which float32 cannot hold exactly/);
});
