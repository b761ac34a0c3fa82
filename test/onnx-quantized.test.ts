// The quantized ONNX ops on small graphs built here, run by the native engine and
// checked against integer and double references written below: saturation at both
// ends, ties to even, per-axis parameters, zero points, a product large enough for
// the int8 GEMM, and bad input refused in one sentence.
import assert from "node:assert/strict";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { compileModel } from "../src/engine/compile.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { loadOnnx, saveOnnx } from "../src/engine/onnx.js";
import { UserError } from "../src/errors.js";
import { loadNative } from "../src/native.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;

interface Value { name: string; type: number; dims: number[]; data: number[] }
const info = (v: { name: string; type: number; dims: number[] }) => ({ name: v.name, type: { tensorType: { elemType: v.type, shape: { dim: v.dims.map((d) => ({ dimValue: d })) } } } });

/** A tensor in its own type: floats as float_data, 8-bit values as raw bytes, int32 as int32_data. */
function tensor(v: Value): TensorProto {
  if (v.type === FLOAT) return { name: v.name, dims: v.dims, dataType: FLOAT, floatData: v.data };
  if (v.type === INT32) return { name: v.name, dims: v.dims, dataType: INT32, int32Data: v.data };
  const raw = v.type === UINT8 ? Uint8Array.from(v.data) : new Uint8Array(Int8Array.from(v.data).buffer);
  return { name: v.name, dims: v.dims, dataType: v.type, rawData: raw };
}

function model(nodes: NodeProto[], inputs: Value[], consts: Value[], out: { name: string; type: number; dims: number[] }, opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "q", node: nodes, initializer: consts.map(tensor), input: inputs.map(info), output: [info(out)] },
  }).finish();
}

/** The engine's one output, for inputs given as numbers (held as the executor holds them: fp32, or int32 for integers). */
async function run(bytes: Uint8Array, inputs: Value[]): Promise<{ out: number[]; kernels: string[] }> {
  const native = loadNative();
  const c = compileModel(loadOnnx(bytes), { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() });
  const engine = native.engineCreate(c.program);
  const values = inputs.map((v) => (v.type === FLOAT ? Float32Array.from(v.data) : Int32Array.from(v.data)));
  const { outputs } = await native.engineRun(engine, values);
  return { out: Array.from(outputs[0]!), kernels: native.engineInfo(engine).kernels };
}

const roundHalfEven = (v: number) => {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
};
const saturate = (v: number, type: number) => Math.min(Math.max(v, type === UINT8 ? 0 : -128), type === UINT8 ? 255 : 127);
/** ONNX QuantizeLinear: the quotient in fp32, rounded to even, the zero point added, saturated. */
const quantize = (x: number, scale: number, zero: number, type: number) => saturate(roundHalfEven(Math.fround(x / scale)) + zero, type);

/** A small deterministic generator (the values need only be spread and repeatable). */
function ints(count: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  });
}

test("QuantizeLinear rounds ties to even and saturates at both ends, uint8 and int8", async () => {
  const x = [2.5, 3.5, -2.5, -3.5, 0.5, 1.5, -0.5, 1000, -1000, 127.5, -128.5, 254.4];
  for (const [type, zero] of [[UINT8, 128], [INT8, 0], [INT8, -3]] as const) {
    const bytes = model(
      [{ opType: "QuantizeLinear", input: ["x", "s", "z"], output: ["y"] }],
      [{ name: "x", type: FLOAT, dims: [x.length], data: x }],
      [{ name: "s", type: FLOAT, dims: [], data: [1] }, { name: "z", type, dims: [], data: [zero] }],
      { name: "y", type, dims: [x.length] },
    );
    const { out } = await run(bytes, [{ name: "x", type: FLOAT, dims: [x.length], data: x }]);
    assert.deepEqual(out, x.map((v) => quantize(v, 1, zero, type)), `${type === UINT8 ? "uint8" : "int8"} zero ${zero}`);
  }
  // The ties themselves, spelled out: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2 (int8, zero point 0).
  const ties = model(
    [{ opType: "QuantizeLinear", input: ["x", "s", "z"], output: ["y"] }],
    [{ name: "x", type: FLOAT, dims: [3], data: [] }],
    [{ name: "s", type: FLOAT, dims: [], data: [1] }, { name: "z", type: INT8, dims: [], data: [0] }],
    { name: "y", type: INT8, dims: [3] },
  );
  assert.deepEqual((await run(ties, [{ name: "x", type: FLOAT, dims: [3], data: [2.5, 3.5, -2.5] }])).out, [2, 4, -2]);
});

test("QuantizeLinear and DequantizeLinear take a scale and zero point per slice of an axis", async () => {
  const dims = [2, 3, 4];
  const x = Array.from({ length: 24 }, (_, i) => (i - 11) * 1.75);
  const scale = [0.5, 2, 4];
  const zero = [-1, 0, 3];
  const q = model(
    [{ opType: "QuantizeLinear", input: ["x", "s", "z"], output: ["y"], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }],
    [{ name: "x", type: FLOAT, dims, data: x }],
    [{ name: "s", type: FLOAT, dims: [3], data: scale }, { name: "z", type: INT8, dims: [3], data: zero }],
    { name: "y", type: INT8, dims },
  );
  const c = (i: number) => Math.floor(i / 4) % 3;
  const want = x.map((v, i) => quantize(v, scale[c(i)]!, zero[c(i)]!, INT8));
  assert.deepEqual((await run(q, [{ name: "x", type: FLOAT, dims, data: x }])).out, want);
  const dq = model(
    [{ opType: "DequantizeLinear", input: ["x", "s", "z"], output: ["y"], attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: -2 }] }],
    [{ name: "x", type: INT8, dims, data: want }],
    [{ name: "s", type: FLOAT, dims: [3], data: scale }, { name: "z", type: INT8, dims: [3], data: zero }],
    { name: "y", type: FLOAT, dims },
  );
  const back = (await run(dq, [{ name: "x", type: INT8, dims, data: want }])).out;
  assert.deepEqual(back, want.map((v, i) => Math.fround((v - zero[c(i)]!) * scale[c(i)]!)));
});

/** (a - za) (b - zb) over int32, za per row or one, zb per column or one. */
function matmulRef(a: number[], b: number[], m: number, k: number, n: number, za: number[], zb: number[]): number[] {
  const y: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[i * k + p]! - za[za.length === 1 ? 0 : i]!) * (b[p * n + j]! - zb[zb.length === 1 ? 0 : j]!);
      y.push(s);
    }
  return y;
}

test("MatMulInteger subtracts zero points per row of a and per column of b, exactly", async () => {
  const [m, k, n] = [3, 5, 4];
  for (const [ta, tb] of [[UINT8, INT8], [UINT8, UINT8], [INT8, INT8], [INT8, UINT8]] as const) {
    const range = (t: number): [number, number] => (t === UINT8 ? [0, 255] : [-128, 127]);
    const a = ints(m * k, ...range(ta), 1);
    const b = ints(k * n, ...range(tb), 2);
    const za = ints(m, ...range(ta), 3);
    const zb = ints(n, ...range(tb), 4);
    const bytes = model(
      [{ opType: "MatMulInteger", input: ["a", "b", "za", "zb"], output: ["y"] }],
      [{ name: "a", type: ta, dims: [m, k], data: a }, { name: "b", type: tb, dims: [k, n], data: b }],
      [{ name: "za", type: ta, dims: [m], data: za }, { name: "zb", type: tb, dims: [n], data: zb }],
      { name: "y", type: INT32, dims: [m, n] }, 10,
    );
    const { out } = await run(bytes, [{ name: "a", type: ta, dims: [m, k], data: a }, { name: "b", type: tb, dims: [k, n], data: b }]);
    assert.deepEqual(out, matmulRef(a, b, m, k, n, za, zb), `${ta === UINT8 ? "u8" : "s8"} x ${tb === UINT8 ? "u8" : "s8"}`);
  }
});

test("a 64x96x128 u8 x s8 MatMulInteger with constant weights runs on the int8 GEMM, exactly", async () => {
  const [m, k, n] = [64, 96, 128];
  const a = ints(m * k, 0, 255, 5);
  const b = ints(k * n, -128, 127, 6);
  const bytes = model(
    [{ opType: "MatMulInteger", input: ["a", "b", "za", "zb"], output: ["y"] }],
    [{ name: "a", type: UINT8, dims: [m, k], data: a }],
    [{ name: "b", type: INT8, dims: [k, n], data: b }, { name: "za", type: UINT8, dims: [], data: [131] }, { name: "zb", type: INT8, dims: [], data: [-7] }],
    { name: "y", type: INT32, dims: [m, n] }, 10,
  );
  const { out, kernels } = await run(bytes, [{ name: "a", type: UINT8, dims: [m, k], data: a }]);
  assert.match(kernels.join("; "), /igemm /);
  assert.deepEqual(out, matmulRef(a, b, m, k, n, [131], [-7]));
});

test("QLinearConv adds its int32 bias and requantizes per output channel; the saved graph runs alike", async () => {
  const [c, h, w, kOut] = [2, 5, 5, 3];
  const x = ints(c * h * w, 0, 255, 7);
  const wt = ints(kOut * c * 3 * 3, -128, 127, 8);
  const bias = [1000, -70000, 5];
  const [xs, xz, ws, wz, ys, yz] = [0.02, 120, [0.003, 0.001, 0.0005], [0, 0, 0], 0.05, 100];
  const consts: Value[] = [
    { name: "xs", type: FLOAT, dims: [], data: [xs] }, { name: "xz", type: UINT8, dims: [], data: [xz] },
    { name: "w", type: INT8, dims: [kOut, c, 3, 3], data: wt }, { name: "ws", type: FLOAT, dims: [kOut], data: ws },
    { name: "wz", type: INT8, dims: [kOut], data: wz }, { name: "ys", type: FLOAT, dims: [], data: [ys] },
    { name: "yz", type: UINT8, dims: [], data: [yz] }, { name: "b", type: INT32, dims: [kOut], data: bias },
  ];
  const pads = { name: "pads", type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] };
  const bytes = model(
    [{ opType: "QLinearConv", input: ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], output: ["y"], attribute: [pads] }],
    [{ name: "x", type: UINT8, dims: [1, c, h, w], data: x }], consts, { name: "y", type: UINT8, dims: [1, kOut, h, w] }, 10,
  );
  const want: number[] = [];
  for (let k = 0; k < kOut; k++) {
    const mult = Math.fround(Math.fround(Math.fround(xs) * Math.fround(ws[k]!)) / Math.fround(ys));
    for (let oy = 0; oy < h; oy++)
      for (let ox = 0; ox < w; ox++) {
        let s = bias[k]!;
        for (let ci = 0; ci < c; ci++)
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++) {
              const [iy, ix] = [oy + i - 1, ox + j - 1];
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              s += (x[(ci * h + iy) * w + ix]! - xz) * wt[((k * c + ci) * 3 + i) * 3 + j]!;
            }
        want.push(saturate(roundHalfEven(s * mult) + yz, UINT8));
      }
  }
  const input = [{ name: "x", type: UINT8, dims: [1, c, h, w], data: x }];
  const got = (await run(bytes, input)).out;
  assert.deepEqual(got, want);
  assert.ok(new Set(got).size > 10, "the outputs are spread, not one value");
  assert.deepEqual((await run(saveOnnx(loadOnnx(bytes)), input)).out, want);
});

test("bad quantized input is refused in one sentence", () => {
  // A uint8 initializer holding 300 (int32_data can spell any value).
  const bad = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "q",
      node: [{ opType: "DequantizeLinear", input: ["x", "s", "z"], output: ["y"] }],
      initializer: [{ name: "x", dims: [2], dataType: UINT8, int32Data: [7, 300] }, tensor({ name: "s", type: FLOAT, dims: [], data: [1] }), tensor({ name: "z", type: UINT8, dims: [], data: [0] })],
      output: [info({ name: "y", type: FLOAT, dims: [2] })],
    },
  }).finish();
  assert.throws(() => loadOnnx(bad), (e: Error) => e instanceof UserError && /initializer "x" .* holds 300 at element 1, outside the uint8 range \[0, 255\]\.$/.test(e.message) && !e.message.includes("\n"));
  // An int8 zero point for uint8 values.
  const mixed = model(
    [{ opType: "DequantizeLinear", input: ["x", "s", "z"], output: ["y"] }],
    [{ name: "x", type: UINT8, dims: [2], data: [] }],
    [{ name: "s", type: FLOAT, dims: [], data: [1] }, { name: "z", type: INT8, dims: [], data: [0] }],
    { name: "y", type: FLOAT, dims: [2] },
  );
  assert.throws(() => loadOnnx(mixed), (e: Error) => e instanceof UserError && /its zero point "z" is int8, not uint8 as the values it belongs to\.$/.test(e.message));
});
