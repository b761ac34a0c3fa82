import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { agreement } from "../src/engine/compare.js";
import { UserError } from "../src/errors.js";
import { compileModel } from "../src/engine/compile.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { ModelBuilder, Random } from "../src/engine/models/builder.js";
import { builtinModel } from "../src/engine/models/index.js";
import { decodeTensor, encodeTensor, loadOnnx, loadOnnxFile, readTensorFile, saveOnnx } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { tempDir } from "./helpers/fixtures.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const floatInput = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

/** A one-node model around `node`, input x [1, 2, 4, 4], output y. */
function modelBytes(node: NodeProto, initializer: TensorProto[] = [], opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: [node], initializer, input: [floatInput("x", [1, 2, 4, 4])], output: [floatInput("y", [])] },
  }).finish();
}

const convWeights = (extra: Partial<TensorProto> = {}): TensorProto => ({
  name: "w", dims: [3, 2, 1, 1], dataType: 1, floatData: [1, 2, 3, 4, 5, 6], ...extra,
});
const conv: NodeProto = { name: "conv0", opType: "Conv", input: ["x", "w"], output: ["y"] };

/** The refusal is a UserError whose one sentence matches `re`. */
function refuses(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

test("a valid one-conv model loads with its weights", () => {
  const g = loadOnnx(modelBytes(conv, [convWeights()]));
  assert.deepEqual(g.nodes.map((n) => n.op), ["Conv"]);
  assert.deepEqual([...g.initializers.get("w")!.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(g.inputs, [{ name: "x", dims: [1, 2, 4, 4] }]);
});

test("a truncated model file is refused in one sentence", () => {
  const bytes = saveOnnx(builtinModel("resnet18", { inputSize: 32 }));
  for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 7]) {
    refuses(() => loadOnnx(bytes.subarray(0, cut), { name: "model.onnx" }), /model\.onnx is not a valid ONNX model: the protobuf is truncated or malformed|has no graph/);
  }
});

test("bytes that are not a model at all are refused", () => {
  refuses(() => loadOnnx(new Uint8Array(0)), /has no graph/);
  refuses(() => loadOnnx(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), /not a valid ONNX model|has no graph/);
});

test("an unsupported op is refused before running, naming the node and the op", () => {
  refuses(() => loadOnnx(modelBytes({ name: "my_lstm", opType: "LSTM", input: ["x"], output: ["y"] })), /node "my_lstm" \(LSTM\): op LSTM is not supported/);
  refuses(() => loadOnnx(modelBytes({ name: "q", opType: "Relu", domain: "com.microsoft", input: ["x"], output: ["y"] })), /node "q" \(Relu\) is in domain "com\.microsoft"/);
});

test("an unsupported attribute is refused naming the node, op and attribute", () => {
  const pool: NodeProto = {
    name: "pool0", opType: "MaxPool", input: ["x"], output: ["y"],
    attribute: [{ name: "kernel_shape", type: 7, ints: [2, 2] }, { name: "storage_order", type: 2, i: 1 }],
  };
  refuses(() => loadOnnx(modelBytes(pool)), /node "pool0" \(MaxPool\): storage_order=1 is not supported/);
  const odd: NodeProto = { ...conv, attribute: [{ name: "frobnicate", type: 2, i: 1 }] };
  refuses(() => loadOnnx(modelBytes(odd, [convWeights()])), /node "conv0" \(Conv\): attribute frobnicate is not supported/);
});

test("weights that are graph inputs load as the ops that compute the conv at run time", () => {
  const m = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: { node: [conv], input: [floatInput("x", [1, 2, 4, 4]), floatInput("w", [3, 2, 1, 1])], output: [floatInput("y", [])] },
  }).finish();
  // test/onnx-runtime-weights.test.ts checks what they compute.
  assert.deepEqual(loadOnnx(m).nodes.map((n) => n.op), ["Reshape", "Gather", "Reshape", "MatMul", "Reshape"]);
});

test("tensor data that disagrees with its dims is refused", () => {
  refuses(() => loadOnnx(modelBytes(conv, [convWeights({ floatData: [1, 2, 3] })])), /initializer "w" in the model holds 3 values in float_data, but its dims \[3, 2, 1, 1\] need 6/);
  refuses(() => loadOnnx(modelBytes(conv, [convWeights({ floatData: [], rawData: new Uint8Array(20) })])), /initializer "w" in the model has 20 bytes of raw_data but its dims \[3, 2, 1, 1\] need 24/);
});

test("absurd or overflowing dims are refused before anything is allocated", () => {
  refuses(() => loadOnnx(modelBytes(conv, [convWeights({ dims: [1e6, 1e6, 1e6, 1] })])), /initializer "w" in the model is too large/);
  refuses(() => loadOnnx(modelBytes(conv, [convWeights({ dims: [2 ** 40, 2 ** 40, 1, 1] })])), /too large/);
  refuses(() => loadOnnx(modelBytes(conv, [convWeights({ dims: [-3, 2, 1, 1] })])), /invalid dimension -3/);
});

test("non-float32 tensors are refused naming the dtype", () => {
  refuses(() => loadOnnx(modelBytes(conv, [convWeights({ dataType: 10, floatData: [], int32Data: [1, 2, 3, 4, 5, 6] })])), /initializer "w" in the model is float16; armbench reads float32 tensors, and int64, int32 and bool ones as shapes, indices and masks/);
});

test("an opset-6 conv loads as it is (test/onnx-legacy-opsets.test.ts checks the ops whose meaning changed)", () => {
  assert.deepEqual(loadOnnx(modelBytes(conv, [convWeights()], 6)).nodes.map((n) => n.op), ["Conv"]);
});

/** A model whose weights "w" live in an external file at `location`. */
function externalModel(location: string, offset?: number): Uint8Array {
  const externalData = [{ key: "location", value: location }];
  if (offset !== undefined) externalData.push({ key: "offset", value: String(offset) });
  return modelBytes(conv, [{ name: "w", dims: [3, 2, 1, 1], dataType: 1, dataLocation: 1, externalData }]);
}

const weightBytes = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

test("external data inside the model's folder loads, offset honoured", () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "weights.bin"), Buffer.concat([Buffer.alloc(8), weightBytes([6, 5, 4, 3, 2, 1])]));
  mkdirSync(path.join(dir, "sub"));
  writeFileSync(path.join(dir, "sub", "w.bin"), weightBytes([1, 1, 1, 2, 2, 2]));
  writeFileSync(path.join(dir, "m.onnx"), externalModel("weights.bin", 8));
  assert.deepEqual([...loadOnnxFile(path.join(dir, "m.onnx")).initializers.get("w")!.data], [6, 5, 4, 3, 2, 1]);
  writeFileSync(path.join(dir, "m2.onnx"), externalModel("sub/w.bin"));
  assert.deepEqual([...loadOnnxFile(path.join(dir, "m2.onnx")).initializers.get("w")!.data], [1, 1, 1, 2, 2, 2]);
});

test("external data outside the model's folder is refused, however it is named", () => {
  const outer = tempDir();
  const dir = path.join(outer, "model");
  mkdirSync(dir);
  writeFileSync(path.join(outer, "secret.bin"), weightBytes([9, 9, 9, 9, 9, 9]));
  symlinkSync(path.join(outer, "secret.bin"), path.join(dir, "link.bin"));
  const cases: [string, RegExp][] = [
    ["../secret.bin", /names the external file "\.\.\/secret\.bin", which lies outside the model's folder/],
    ["sub/../../secret.bin", /lies outside the model's folder/],
    [path.join(outer, "secret.bin"), /which is not a path relative to the model's folder/],
    ["link.bin", /resolves \(through a link\) outside the model's folder/],
  ];
  for (const [location, re] of cases) {
    writeFileSync(path.join(dir, "m.onnx"), externalModel(location));
    refuses(() => loadOnnxFile(path.join(dir, "m.onnx")), re);
  }
});

test("external data shorter than the tensor, or missing, is refused", () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "short.bin"), weightBytes([1, 2]));
  writeFileSync(path.join(dir, "m.onnx"), externalModel("short.bin"));
  refuses(() => loadOnnxFile(path.join(dir, "m.onnx")), /reads bytes 0\.\.24 of "short\.bin", which has only 8/);
  writeFileSync(path.join(dir, "m.onnx"), externalModel("absent.bin"));
  refuses(() => loadOnnxFile(path.join(dir, "m.onnx")), /"absent\.bin", which does not exist next to the model/);
});

test("save -> load round trip is identical: same graph, same bytes", () => {
  const g = builtinModel("mobilenetv2", { inputSize: 32 });
  const bytes = saveOnnx(g);
  const back = loadOnnx(bytes);
  assert.deepEqual(back.nodes, g.nodes);
  assert.deepEqual([...back.initializers.keys()].sort(), [...g.initializers.keys()].sort());
  for (const [k, t] of g.initializers) assert.deepEqual(back.initializers.get(k), t, k);
  assert.deepEqual(back.inputs, g.inputs);
  assert.deepEqual(back.outputs, g.outputs);
  assert.deepEqual(saveOnnx(back), bytes);
});

test("the TensorProto reader and writer round-trip, and refuse non-float data", () => {
  const t = { name: "input_0", dims: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, 1e-3, 7) };
  assert.deepEqual(decodeTensor(encodeTensor(t)), t);
  const ints = onnx.TensorProto.encode({ name: "i", dims: [2], dataType: 7, int64Data: [1, 2] }).finish();
  refuses(() => decodeTensor(ints, "input_0.pb"), /input_0\.pb is int64; armbench reads float32 test data only/);
  const bytes = encodeTensor(t);
  refuses(() => decodeTensor(bytes.subarray(0, bytes.length - 3), "input_0.pb"), /input_0\.pb is not a valid ONNX TensorProto/);
});

const BACKEND = "/usr/share/libonnx-testdata/data/node";
const backendCases = ["test_relu", "test_maxpool_2d_ceil", "test_averagepool_2d_ceil", "test_maxpool_2d_pads", "test_averagepool_2d_same_upper", "test_softmax_axis_1", "test_flatten_axis1", "test_hardswish", "test_sigmoid"];

test("ONNX backend node tests: our loader and saver keep what each model computes", { skip: existsSync(BACKEND) ? false : `${BACKEND} is missing (install libonnx-testdata)` }, async () => {
  for (const name of backendCases) {
    const dir = path.join(BACKEND, name);
    const g = loadOnnxFile(path.join(dir, "model.onnx"));
    const input = readTensorFile(path.join(dir, "test_data_set_0", "input_0.pb"));
    const expected = readTensorFile(path.join(dir, "test_data_set_0", "output_0.pb"));
    assert.deepEqual(input.dims, g.inputs[0]!.dims, name);
    const out = await runOrt(saveOnnx(g), { [g.inputs[0]!.name]: input });
    const got = out[g.outputs[0]!]!;
    assert.deepEqual(got.dims, expected.dims, name);
    const a = agreement(got.data, expected.data);
    assert.ok(a.maxAbsDiff < 1e-5 && a.nonFinite === 0, `${name}: max abs diff ${a.maxAbsDiff}`);
  }
});

test("Clip bounds load from attributes before opset 11 and from constant inputs after; Reshape takes a constant int64 shape", () => {
  const old = loadOnnx(modelBytes({ name: "c", opType: "Clip", input: ["x"], output: ["y"], attribute: [{ name: "min", type: 1, f: 0 }, { name: "max", type: 1, f: 6 }] }, [], 10));
  assert.deepEqual(old.nodes[0]!.attrs, { min: 0, max: 6 });
  const scalar = (name: string, v: number): TensorProto => ({ name, dims: [], dataType: 1, floatData: [v] });
  const modern = loadOnnx(modelBytes({ name: "c", opType: "Clip", input: ["x", "lo", "hi"], output: ["y"] }, [scalar("lo", -1), scalar("hi", 2)]));
  assert.deepEqual(modern.nodes[0]!.attrs, { min: -1, max: 2 });
  assert.deepEqual(modern.nodes[0]!.inputs, ["x"]);
  assert.equal(modern.initializers.size, 0, "the bounds became attributes");
  const shape: TensorProto = { name: "shape", dims: [2], dataType: 7, int64Data: [1, -1] };
  const reshaped = loadOnnx(modelBytes({ name: "r", opType: "Reshape", input: ["x", "shape"], output: ["y"] }, [shape]));
  assert.deepEqual(reshaped.nodes[0]!.attrs, { shape: [1, -1] });
  refuses(() => loadOnnx(modelBytes({ name: "a", opType: "Add", input: ["x", "shape"], output: ["y"] }, [shape])), /node "a" \(Add\) reads the int64 constant "shape"; armbench takes int64 constants only as shapes, axes and indices/);
});

test("a value written twice (by two nodes, or over an input) is refused", () => {
  const twice = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      node: [{ name: "r1", opType: "Relu", input: ["x"], output: ["y"] }, { name: "r2", opType: "Sigmoid", input: ["x"], output: ["y"] }],
      input: [floatInput("x", [1, 2, 4, 4])], output: [floatInput("y", [])],
    },
  }).finish();
  refuses(() => loadOnnx(twice), /node "r2" \(Sigmoid\) writes "y", which another node, input or initializer already defines/);
  refuses(() => loadOnnx(modelBytes({ name: "r", opType: "Relu", input: ["x"], output: ["x"] })), /node "r" \(Relu\) writes "x"/);
});

test("corrupted model bytes either load and compile or are refused with a UserError, never another failure", () => {
  const b = new ModelBuilder("tiny", { inputSize: 16 });
  const x = b.input();
  const y1 = b.convBn(x, "c1", 4, 3, { stride: 2 });
  const y2 = b.relu(b.add(b.convBn(y1, "c2", 4, 3, { act: "none" }), y1, "add"), "relu");
  const bytes = saveOnnx(b.finish(x, b.gemm(b.flatten(b.globalAvgPool(y2, "gap"), "flatten"), "fc", 5)));
  const r = new Random(42);
  let refused = 0;
  for (let it = 0; it < 3000; it++) {
    const m = Uint8Array.from(bytes);
    for (let f = 1 + Math.floor(r.uniform() * 4); f > 0; f--) m[Math.floor(r.uniform() * m.length)] = Math.floor(r.uniform() * 256);
    const cut = r.uniform() < 0.2 ? Math.floor(r.uniform() * m.length) : m.length;
    try {
      compileModel(loadOnnx(m.subarray(0, cut)), { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
    } catch (e) {
      assert.ok(e instanceof UserError, `mutation ${it}: ${(e as Error).stack}`);
      refused++;
    }
  }
  assert.ok(refused > 1000, `${refused} of 3000 corrupted files refused`);
});

test("Softmax before opset 13 normalises over every axis from its own on, and means that when saved at any opset", async () => {
  const softmax = (axis: number): NodeProto => ({ name: "sm", opType: "Softmax", input: ["x"], output: ["y"], attribute: [{ name: "axis", type: 2, i: axis }] });
  const old = loadOnnx(modelBytes(softmax(1), [], 11));
  assert.deepEqual(old.nodes[0]!.attrs, { axis: 1, throughLast: true });
  assert.deepEqual(loadOnnx(modelBytes(softmax(3), [], 11)).nodes[0]!.attrs, { axis: -1 });
  assert.deepEqual(loadOnnx(modelBytes(softmax(1), [], 13)).nodes[0]!.attrs, { axis: 1 });
  const x = new Random(3);
  const input = { dims: [1, 2, 4, 4], data: Float32Array.from({ length: 32 }, () => x.normal()) };
  const want = (await runOrt(modelBytes(softmax(1), [], 11), { x: input })).y!.data;
  // The same model saved at its own opset 11 and at 13 (where it is written as Flatten, Softmax, Reshape).
  for (const g of [old, { ...old, opset: 13 }]) {
    const got = (await runOrt(saveOnnx(g), { x: input })).y!.data;
    assert.ok(agreement(got, want).maxAbsDiff < 1e-6);
  }
  const c = compileModel(old, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  const step = c.program.steps[0]!;
  assert.ok(step.op === "softmax" && step.x.dims.join() === "1,32", "one softmax over 32 values");
});

test("ceil_mode pooling becomes explicit bottom/right padding that computes what onnxruntime computes with ceil_mode", async () => {
  for (const [op, size, kernel, stride, pad] of [["MaxPool", 7, 3, 2, 0], ["MaxPool", 8, 3, 2, 1], ["AveragePool", 9, 2, 2, 0], ["AveragePool", 6, 3, 3, 1], ["MaxPool", 5, 2, 2, 1]] as const) {
    const node: NodeProto = {
      name: "p", opType: op, input: ["x"], output: ["y"],
      attribute: [{ name: "kernel_shape", type: 7, ints: [kernel, kernel] }, { name: "strides", type: 7, ints: [stride, stride] }, { name: "pads", type: 7, ints: [pad, pad, pad, pad] }, { name: "ceil_mode", type: 2, i: 1 }],
    };
    const original = onnx.ModelProto.encode({
      irVersion: 8, opsetImport: [{ version: 13 }],
      graph: { name: "g", node: [node], input: [floatInput("x", [1, 2, size, size])], output: [floatInput("y", [])] },
    }).finish();
    const g = loadOnnx(original);
    const x = { dims: [1, 2, size, size], data: Float32Array.from({ length: 2 * size * size }, (_, i) => Math.sin(i)) };
    const want = (await runOrt(original, { x })).y!;
    const got = (await runOrt(saveOnnx(g), { x })).y!;
    assert.deepEqual(got.dims, want.dims, `${op} ${size}/${kernel}/${stride}/${pad}`);
    assert.ok(agreement(got.data, want.data).maxAbsDiff < 1e-6, `${op} ${size}/${kernel}/${stride}/${pad}`);
  }
});

test("conv and pool attributes past what the kernels take are refused at load, naming the node and attribute", () => {
  const ints = (name: string, v: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
  refuses(() => loadOnnx(modelBytes({ ...conv, attribute: [ints("strides", [1025, 1])] }, [convWeights()])), /node "conv0" \(Conv\): strides \[1025, 1\] exceeds 1024/);
  refuses(() => loadOnnx(modelBytes({ ...conv, attribute: [ints("pads", [0, 0, 0, 2000])] }, [convWeights()])), /node "conv0" \(Conv\): pads \[0, 0, 0, 2000\] exceeds 1024/);
  refuses(() => loadOnnx(modelBytes({ name: "p", opType: "MaxPool", input: ["x"], output: ["y"], attribute: [ints("kernel_shape", [2 ** 21, 1])] })), /node "p" \(MaxPool\): kernel_shape .* exceeds 1048576/);
});

test("a name defined twice is refused, a float Constant over an initializer included", () => {
  const constant: NodeProto = { name: "k", opType: "Constant", output: ["w"], attribute: [{ name: "value", type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims: [1], dataType: 1, floatData: [1] } }] };
  refuses(() => loadOnnx(modelBytes(conv, [convWeights(), convWeights()])), /initializer "w" in the model is named "w", which an initializer or Constant already defines/);
  const m = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: "", version: 13 }],
    graph: { name: "g", node: [constant, conv], initializer: [convWeights()], input: [floatInput("x", [1, 2, 4, 4])], output: [floatInput("y", [])] },
  }).finish();
  refuses(() => loadOnnx(m), /node "k" \(Constant\) value is named "w"/);
});

test("int64 values outside the safe-integer range are refused on the raw_data path as on int64_data", () => {
  const reshape: NodeProto = { name: "r", opType: "Reshape", input: ["x", "s"], output: ["y"] };
  const raw = new Uint8Array(new BigInt64Array([1n, 2n ** 62n]).buffer);
  refuses(() => loadOnnx(modelBytes(reshape, [{ name: "s", dims: [2], dataType: 7, rawData: raw }])), /initializer "s" in the model holds 4611686018427387904, which is not a representable integer/);
  refuses(() => loadOnnx(modelBytes(reshape, [{ name: "s", dims: [2], dataType: 7, int64Data: [1, 2 ** 60] }])), /not a representable integer/);
});

test("a TensorProto whose packed data outnumbers its dims is refused before the data is decoded", () => {
  const bytes = onnx.TensorProto.encode({ name: "t", dims: [2], dataType: 1, floatData: new Array(1_000_000).fill(1) }).finish();
  refuses(() => decodeTensor(bytes, "input_0.pb"), /input_0\.pb holds 1000000 values in float_data, but its dims \[2\] need 2/);
});
