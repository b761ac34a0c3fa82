/**
 * Hostile ONNX inputs for the loader: small valid models, hand-made hostile structures
 * (bad attributes, duplicate names, cycles, wrong dtypes, giant and negative dims, external
 * data that escapes its folder) and seeded byte-level mutations of the valid ones. The
 * same generator serves the bounded fuzz test (fixed seed) and a longer fuzz run (random
 * seeds): `hostileCases(seed, count)` is deterministic in both arguments.
 */
import { closeSync, openSync, writeSync } from "node:fs";

import onnxProto from "onnx-proto";

import { ModelBuilder, Random } from "../../src/engine/models/builder.js";
import { saveOnnx } from "../../src/engine/onnx.js";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type GraphProto = onnxProto.onnx.IGraphProto;

/** A file in the case's own folder: bytes, or a symbolic link to `link` (relative to the folder). */
export type CaseFile = Uint8Array | { link: string };

export interface HostileCase {
  name: string;
  /** Files to write into an empty folder; `model.onnx` is the one loaded. */
  files: Record<string, CaseFile>;
  /**
   * "refused": must end with exit 1 or 2 and one sentence, matching `message` if given;
   * "loads": must load and run (exit 0); "either": a clear refusal or a correct run.
   */
  expect: "refused" | "loads" | "either";
  message?: RegExp;
}

const FLOAT = 1;
const INT64 = 7;
const ATTR = onnx.AttributeProto.AttributeType;

const vi = (name: string, dims: (number | string)[], elemType = FLOAT) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
});
const floats = (name: string, dims: number[], seed = 1): TensorProto => {
  const r = new Random(seed);
  const n = dims.reduce((p, v) => p * v, 1);
  return { name, dims, dataType: FLOAT, floatData: Array.from({ length: n }, () => r.normal() * 0.5) };
};
const int64s = (name: string, values: number[]): TensorProto => ({ name, dims: [values.length], dataType: INT64, int64Data: values });
const ints = (name: string, v: number[]) => ({ name, type: ATTR.INTS, ints: v });
const int = (name: string, i: number) => ({ name, type: ATTR.INT, i });
const flt = (name: string, f: number) => ({ name, type: ATTR.FLOAT, f });

function encode(graph: GraphProto, opset = 13): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: "", version: opset }], graph }).finish();
}

/**
 * x [1, 2, 6, 6] -> Conv 3x3 (4 out) -> Relu -> MaxPool 2x2 -> Reshape [1, 36] (int64
 * initializer) -> Gemm (transB) + float Constant bias via Add -> Softmax. Weights in
 * float_data and int64_data, so mutations reach the packed fields.
 */
export function handModel(): GraphProto {
  return {
    name: "hand",
    node: [
      { name: "conv", opType: "Conv", input: ["x", "w", "b"], output: ["c"], attribute: [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]), ints("strides", [1, 1])] },
      { name: "relu", opType: "Relu", input: ["c"], output: ["r"] },
      { name: "pool", opType: "MaxPool", input: ["r"], output: ["p"], attribute: [ints("kernel_shape", [2, 2]), ints("strides", [2, 2])] },
      { name: "reshape", opType: "Reshape", input: ["p", "shape"], output: ["f"] },
      { name: "fc", opType: "Gemm", input: ["f", "fcw", "fcb"], output: ["g"], attribute: [int("transB", 1), flt("alpha", 1)] },
      { name: "const", opType: "Constant", input: [], output: ["k"], attribute: [{ name: "value", type: ATTR.TENSOR, t: floats("", [1, 5], 9) }] },
      { name: "add", opType: "Add", input: ["g", "k"], output: ["s"] },
      { name: "softmax", opType: "Softmax", input: ["s"], output: ["y"], attribute: [int("axis", -1)] },
    ],
    initializer: [floats("w", [4, 2, 3, 3], 2), floats("b", [4], 3), int64s("shape", [1, 36]), floats("fcw", [5, 36], 4), floats("fcb", [5], 5)],
    input: [vi("x", ["batch", 2, 6, 6])],
    output: [vi("y", [1, 5])],
  };
}

/** A small CNN from the built-in model builder, saved as armbench saves models (raw_data weights). */
export function builtModel(): Uint8Array {
  const b = new ModelBuilder("tiny", { inputSize: 16 });
  const x = b.input();
  const y1 = b.convBn(x, "c1", 4, 3, { stride: 2, pad: 1 });
  const y2 = b.relu(b.add(b.convBn(y1, "c2", 4, 3, { act: "none", pad: 1 }), y1, "add"), "relu");
  const p = b.pool(y2, "pool", "AveragePool", 2, 2);
  return saveOnnx(b.finish(x, b.gemm(b.flatten(b.globalAvgPool(p, "gap"), "flatten"), "fc", 5)));
}

function clone(g: GraphProto): GraphProto {
  return onnx.GraphProto.toObject(onnx.GraphProto.fromObject(g)) as GraphProto;
}

/** The hand model with one change made to a copy. */
function variant(change: (g: GraphProto) => void, opset = 13): Uint8Array {
  const g = clone(handModel());
  change(g);
  return encode(g, opset);
}

const nodeNamed = (g: GraphProto, name: string) => g.node!.find((n) => n.name === name)!;
const setAttr = (n: NodeProto, a: onnxProto.onnx.IAttributeProto) => {
  n.attribute = [...(n.attribute ?? []).filter((x) => x.name !== a.name), a];
};

/** Hand-made hostile structures, each with what must happen. */
export function structuralCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const refused = (name: string, bytes: Uint8Array, message?: RegExp, files: Record<string, CaseFile> = {}) =>
    cases.push({ name, files: { "model.onnx": bytes, ...files }, expect: "refused", ...(message ? { message } : {}) });

  cases.push({ name: "valid hand model", files: { "model.onnx": encode(handModel()) }, expect: "loads" });
  cases.push({ name: "valid built model", files: { "model.onnx": builtModel() }, expect: "loads" });

  // Attributes past what the kernels take: one sentence naming the node and attribute.
  for (const [attr, v] of [["strides", [2000, 2000]], ["pads", [1, 1, 1025, 1]], ["dilations", [1, 4096]], ["kernel_shape", [3, 1025]]] as const) {
    refused(`conv ${attr} too large`, variant((g) => setAttr(nodeNamed(g, "conv"), ints(attr, [...v]))), new RegExp(`node "conv" \\(Conv\\): ${attr}`));
  }
  refused("conv dilation makes SAME pads too large", variant((g) => {
    const c = nodeNamed(g, "conv");
    // (5 - 1) x 600 + 1 rows of window over 6 rows: 2400 rows of padding, 1200 on each side.
    c.attribute = [ints("kernel_shape", [5, 5]), ints("dilations", [600, 1]), { name: "auto_pad", type: ATTR.STRING, s: Buffer.from("SAME_UPPER") }];
    g.initializer![0] = floats("w", [4, 2, 5, 5], 2);
  }), /node "conv" \(Conv\): pads \(from auto_pad SAME_UPPER\)/);
  refused("a name with a newline", variant((g) => { nodeNamed(g, "relu").name = "re\nlu"; }), /control character/);
  refused("auto_pad with a newline", variant((g) => setAttr(nodeNamed(g, "conv"), { name: "auto_pad", type: ATTR.STRING, s: Buffer.from("SAME\nUPPER") })), /control character/);
  refused("conv negative pads", variant((g) => setAttr(nodeNamed(g, "conv"), ints("pads", [-1, 0, 0, 0]))), /pads/);
  refused("conv stride 0", variant((g) => setAttr(nodeNamed(g, "conv"), ints("strides", [0, 1]))), /strides/);
  for (const group of [0, -3, 2 ** 40, 3]) refused(`conv group ${group}`, variant((g) => setAttr(nodeNamed(g, "conv"), int("group", group))), /group/);
  refused("conv 3-D kernel_shape", variant((g) => setAttr(nodeNamed(g, "conv"), ints("kernel_shape", [3, 3, 3]))), /kernel_shape/);
  refused("pool window too large", variant((g) => setAttr(nodeNamed(g, "pool"), ints("kernel_shape", [2 ** 21, 2]))), /node "pool" \(MaxPool\): kernel_shape/);
  refused("pool pads as large as the window", variant((g) => setAttr(nodeNamed(g, "pool"), ints("pads", [0, 2, 0, 0]))), /node "pool" \(MaxPool\): pads .* smaller than the window/);
  refused("pool window larger than input", variant((g) => setAttr(nodeNamed(g, "pool"), ints("kernel_shape", [7, 7]))), /pool/);
  refused("pool strides unsafe", variant((g) => setAttr(nodeNamed(g, "pool"), ints("strides", [2 ** 60, 1]))), /strides|representable/);
  refused("softmax axis out of range", variant((g) => setAttr(nodeNamed(g, "softmax"), int("axis", 7))), /softmax/i);
  refused("attribute of the wrong type", variant((g) => setAttr(nodeNamed(g, "conv"), { name: "strides", type: ATTR.FLOAT, f: 2 })), /strides/);
  refused("attribute given twice", variant((g) => nodeNamed(g, "conv").attribute!.push(ints("strides", [1, 1]))), /strides/);
  refused("unknown attribute", variant((g) => setAttr(nodeNamed(g, "relu"), int("bogus", 1))), /bogus/);
  refused("attribute with 5000 ints", variant((g) => setAttr(nodeNamed(g, "conv"), ints("pads", Array.from({ length: 5000 }, () => 1)))), /pads|more than/);
  refused("attribute holding a subgraph", variant((g) => setAttr(nodeNamed(g, "relu"), { name: "body", type: ATTR.GRAPH, g: { name: "sub" } })), /body/);
  refused("batchnorm epsilon NaN", variant((g) => {
    g.node!.splice(2, 0, { name: "bn", opType: "BatchNormalization", input: ["r", "bs", "bb", "bm", "bv"], output: ["r2"], attribute: [flt("epsilon", NaN)] });
    nodeNamed(g, "pool").input = ["r2"];
    g.initializer!.push(floats("bs", [4]), floats("bb", [4]), floats("bm", [4]), { ...floats("bv", [4]), floatData: [1, 1, 1, 1] });
  }), /epsilon/);
  refused("clip bounds reversed", variant((g) => {
    nodeNamed(g, "relu").opType = "Clip";
    nodeNamed(g, "relu").attribute = [flt("min", 6), flt("max", 0)];
  }, 10), /bounds/);

  // Duplicate names.
  refused("two initializers named w", variant((g) => g.initializer!.push(floats("w", [4, 2, 3, 3], 7))), /"w"/);
  refused("float Constant over an initializer", variant((g) => { nodeNamed(g, "const").output = ["fcb"]; nodeNamed(g, "add").input = ["g", "fcb"]; }), /"fcb"/);
  refused("int64 Constant over an initializer", variant((g) => g.node!.unshift({ name: "c2", opType: "Constant", input: [], output: ["shape"], attribute: [{ name: "value", type: ATTR.TENSOR, t: int64s("", [36, 1]) }] })), /"shape"/);
  refused("two nodes write one value", variant((g) => { nodeNamed(g, "relu").output = ["c"]; }), /"c"/);
  refused("a node writes the graph input", variant((g) => { nodeNamed(g, "relu").output = ["x"]; }), /"x"/);
  refused("graph input declared twice", variant((g) => g.input!.push(vi("x", [1, 2, 6, 6]))), /"x"/);

  // Graph structure.
  refused("cycle", variant((g) => { nodeNamed(g, "conv").input = ["p", "w", "b"]; nodeNamed(g, "pool").input = ["r"]; }), /cycle/);
  refused("self loop", variant((g) => { nodeNamed(g, "relu").input = ["r"]; }), /cycle|defines/);
  refused("missing value", variant((g) => { nodeNamed(g, "relu").input = ["nowhere"]; }), /nowhere/);
  refused("output nothing produces", variant((g) => g.output!.push(vi("ghost", [1]))), /ghost/);
  refused("unsupported op", variant((g) => { nodeNamed(g, "relu").opType = "Elu"; }), /Elu/);
  refused("custom domain", variant((g) => { nodeNamed(g, "relu").domain = "com.evil"; }), /domain/);
  refused("sparse initializer", variant((g) => { g.sparseInitializer = [{ values: floats("sv", [1]), indices: int64s("si", [0]), dims: [4] }]; }), /sparse/);
  refused("no opset", onnx.ModelProto.encode({ irVersion: 8, graph: handModel() }).finish(), /opset/);
  refused("opset 0", variant(() => {}, 0), /opset 0, which does not exist/);
  refused("no graph", onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: "", version: 13 }] }).finish(), /graph/);
  refused("100001 nodes", variant((g) => {
    g.node = Array.from({ length: 100_001 }, (_, i) => ({ opType: "Identity", input: [i === 0 ? "x" : `v${i - 1}`], output: [i === 100_000 ? "y" : `v${i}`] }));
    g.initializer = [];
  }), /100000 nodes/);
  refused("a node with 70000 inputs", variant((g) => { nodeNamed(g, "add").input = Array.from({ length: 70_000 }, () => "g"); }), /inputs/);
  refused("a 100 KB name", variant((g) => { nodeNamed(g, "relu").name = "n".repeat(100_000); }), /bytes long/);

  // Dtypes.
  for (const [dt, label] of [[3, "int8"], [10, "float16"], [11, "float64"], [8, "string"], [999, "type 999"]] as const) {
    refused(`initializer of ${label}`, variant((g) => { g.initializer![1] = { name: "b", dims: [4], dataType: dt, rawData: new Uint8Array(dt === 11 ? 32 : 4) }; }), new RegExp(label));
  }
  refused("int64 graph input", variant((g) => { g.input = [vi("x", [1, 2, 6, 6], INT64)]; }), /int64/);
  refused("int64 tensor read as float", variant((g) => { nodeNamed(g, "relu").input = ["shape"]; }), /int64/);

  // Dims and element counts.
  refused("negative dims", variant((g) => { g.initializer![1] = { name: "b", dims: [-4], dataType: FLOAT, floatData: [] }; }), /dimension -4/);
  refused("giant dims", variant((g) => { g.initializer![1] = { name: "b", dims: [2 ** 31, 2 ** 31], dataType: FLOAT, floatData: [1] }; }), /too large/);
  refused("unsafe dims", variant((g) => { g.initializer![1] = { name: "b", dims: [2 ** 62], dataType: FLOAT, floatData: [1] }; }), /representable|too large/);
  refused("40 dims", variant((g) => { g.initializer![1] = { name: "b", dims: Array.from({ length: 40 }, () => 1), dataType: FLOAT, floatData: [1] }; }), /32/);
  refused("float_data shorter than dims", variant((g) => { g.initializer![1] = { name: "b", dims: [4], dataType: FLOAT, floatData: [1, 2] }; }), /holds 2 values/);
  refused("float_data longer than dims", variant((g) => { g.initializer![1] = { name: "b", dims: [4], dataType: FLOAT, floatData: Array.from({ length: 100_000 }, () => 1) }; }), /holds 100000 values/);
  refused("raw_data of the wrong length", variant((g) => { g.initializer![1] = { name: "b", dims: [4], dataType: FLOAT, rawData: new Uint8Array(15) }; }), /raw_data/);
  refused("int64 shape beyond safe integers", variant((g) => { g.initializer![2] = int64s("shape", [1, 2 ** 60]); }), /representable/);
  const unsafeRaw = new BigInt64Array([1n, 2n ** 62n]);
  refused("raw int64 shape beyond safe integers", variant((g) => { g.initializer![2] = { name: "shape", dims: [2], dataType: INT64, rawData: new Uint8Array(unsafeRaw.buffer) }; }), /representable/);
  refused("int64 tensor of 2M elements", variant((g) => { g.initializer!.push({ name: "many", dims: [2_000_000], dataType: INT64, int64Data: new Array(2_000_000).fill(0) }); }), /int64 tensor of 2000000/);
  refused("reshape to a huge shape", variant((g) => { g.initializer![2] = int64s("shape", [2 ** 40, 36]); }), /reshape/i);
  refused("reshape with two -1", variant((g) => { g.initializer![2] = int64s("shape", [-1, -1]); }), /-1/);
  refused("reshape to 5 dims", variant((g) => { g.initializer![2] = int64s("shape", [1, 1, 1, 1, 36]); }), /dims|2-D/);
  refused("graph input with a negative dim", variant((g) => { g.input = [vi("x", [1, 2, -6, 6])]; }), /negative/);
  refused("graph input with a zero dim", variant((g) => { g.input = [vi("x", [1, 2, 0, 6])]; }), /dimension 2/);
  refused("graph input too large", variant((g) => { g.input = [vi("x", [1, 2, 2 ** 20, 2 ** 20])]; }), /too large/);
  refused("graph input with 40 dims", variant((g) => { g.input = [vi("x", Array.from({ length: 40 }, () => 1))]; }), /32 dimensions/);

  // External data.
  const ext = (location: string, extra: { key: string; value: string }[] = []) =>
    variant((g) => {
      g.initializer![1] = { name: "b", dims: [4], dataType: FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: "location", value: location }, ...extra] };
    });
  const four = new Uint8Array(new Float32Array([0.1, 0.2, 0.3, 0.4]).buffer);
  cases.push({ name: "external data inside the folder", files: { "model.onnx": ext("b.bin"), "b.bin": four }, expect: "loads" });
  refused("external data through ..", ext("../b.bin"), /outside the model's folder/, { "b.bin": four });
  refused("external data at an absolute path", ext("/etc/hostname"), /not a path relative/);
  refused("external data through a symlink out of the folder", ext("link.bin"), /through a link/, { "link.bin": { link: "../outside.bin" }, "../outside.bin": four });
  refused("external data that is a folder", ext("sub"), /regular file|not exist/, { "sub/x": four });
  refused("external data past the end of its file", ext("b.bin", [{ key: "offset", value: "8" }]), /has only 16/, { "b.bin": four });
  refused("external data with a negative offset", ext("b.bin", [{ key: "offset", value: "-4" }]), /offset/, { "b.bin": four });
  refused("external data missing", ext("none.bin"), /does not exist/);
  return cases;
}

/**
 * Byte-level mutations of the two valid models: truncations at many offsets, bit flips,
 * random bytes (0x80 and 0xff make long or endless varints), inserted and deleted bytes.
 */
export function mutationCases(seed: number, count: number): HostileCase[] {
  const r = new Random(seed);
  const pick = (n: number) => Math.floor(r.uniform() * n);
  const bases = [encode(handModel()), builtModel()];
  const out: HostileCase[] = [];
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length]!;
    let m = Uint8Array.from(base);
    const kind = pick(5);
    let what: string;
    if (kind === 0) {
      const at = pick(m.length);
      m = m.subarray(0, at);
      what = `truncated at ${at}`;
    } else if (kind === 1) {
      const flips = 1 + pick(3);
      for (let f = 0; f < flips; f++) {
        const at = pick(m.length);
        m[at]! ^= 1 << pick(8);
      }
      what = `${flips} bit flip(s)`;
    } else if (kind === 2) {
      const n = 1 + pick(4);
      for (let f = 0; f < n; f++) m[pick(m.length)] = [0x00, 0x7f, 0x80, 0xff][pick(4)] ?? pick(256);
      what = `${n} byte(s) set`;
    } else if (kind === 3) {
      const at = pick(m.length);
      const ins = Uint8Array.from({ length: 1 + pick(8) }, () => (r.uniform() < 0.5 ? 0xff : pick(256)));
      const next = new Uint8Array(m.length + ins.length);
      next.set(m.subarray(0, at));
      next.set(ins, at);
      next.set(m.subarray(at), at + ins.length);
      m = next;
      what = `${ins.length} byte(s) inserted at ${at}`;
    } else {
      const at = pick(m.length);
      const n = 1 + pick(16);
      m = Uint8Array.from([...m.subarray(0, at), ...m.subarray(at + n)]);
      what = `${n} byte(s) deleted at ${at}`;
    }
    out.push({ name: `mutation ${i} (seed ${seed}) of ${i % 2 === 0 ? "hand" : "built"} model: ${what}`, files: { "model.onnx": m }, expect: "either" });
  }
  return out;
}

/** Every structural case, then `count` seeded mutations. */
export function hostileCases(seed: number, count: number): HostileCase[] {
  return [...structuralCases(), ...mutationCases(seed, count)];
}

/** Appends a protobuf varint to `out`. */
function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/**
 * A model whose one initializer is dims [1], int64, with `bytes` bytes of packed one-byte
 * varints in int64_data: the file that made a materialising decoder abort V8. Written in
 * chunks, so the test itself never holds it.
 */
export function writeHugePackedModel(file: string, bytes: number): void {
  const tensorHead: number[] = [];
  varint(tensorHead, (1 << 3) | 0); varint(tensorHead, 1); // dims: 1
  varint(tensorHead, (2 << 3) | 0); varint(tensorHead, INT64); // data_type
  varint(tensorHead, (8 << 3) | 2); varint(tensorHead, 3); tensorHead.push(0x62, 0x69, 0x67); // name "big"
  varint(tensorHead, (7 << 3) | 2); varint(tensorHead, bytes); // int64_data, packed
  const graphHead: number[] = [];
  varint(graphHead, (5 << 3) | 2); varint(graphHead, tensorHead.length + bytes); // initializer
  const head: number[] = [];
  varint(head, (8 << 3) | 2); varint(head, 2); varint(head, (2 << 3) | 0); varint(head, 13); // opset_import { version 13 }
  varint(head, (7 << 3) | 2); varint(head, graphHead.length + tensorHead.length + bytes); // graph
  const fd = openSync(file, "w");
  try {
    writeSync(fd, Uint8Array.from([...head, ...graphHead, ...tensorHead]));
    const chunk = new Uint8Array(1 << 20).fill(0x01);
    for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  } finally {
    closeSync(fd);
  }
}
