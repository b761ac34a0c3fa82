/**
 * ONNX in and out. Model files are untrusted: every size, offset and path in them is
 * checked before anything is allocated or read, and anything this runner cannot run is
 * refused at load with one sentence naming the node, the op and what is missing.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import onnxProto from "onnx-proto";

import { UserError } from "../errors.js";
import { binaryConst, castConst, concatConst, expandConst, gatherConst, MAX_FOLD_ELEMENTS, rangeConst, sliceConst, sliceWindow, transposeConst, whereConst, type Const } from "./fold.js";
import { bf16BitsToFloat, floatToBf16Bits, floatToHalfBits, halfBitsToFloat, roundToBf16, roundToHalf } from "./half.js";
import { batchNormAsOps, clipAsMinMax, convAsMatMul, MAX_IM2COL_INDICES, samePads, type Emit } from "./runtime-weights.js";
import { dynamicQuantizeAsOps } from "./quantized-ops.js";
import { decodeModelWire, decodeTensorWire, printable, readDoubleData, readFloatData, readInt32Data, readInt64Data, WIRE_LIMITS, type Int, type WireAttribute, type WireGraph, type WireNode, type WireTensor } from "./onnx-wire.js";
import {
  COMPARE_OPS,
  LOGIC_OPS,
  ONNX_OPS,
  REDUCE_OPS,
  broadcastDims,
  elementCount,
  inferShapes,
  inferTypes,
  nodeOutputShape,
  QUANT_RANGE,
  topoSort,
  type ConvAttrs,
  type Graph,
  type InputTensor,
  type IntTensor,
  type Node,
  type OpType,
  type PoolAttrs,
  type QuantType,
  type Tensor,
  type ValueInfo,
  type ValueType,
} from "./ir.js";

const { onnx } = onnxProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** protobuf cannot encode more than 2 GiB; anything larger is not a model file. */
export const MAX_MODEL_FILE_BYTES = 2 ** 31;
/** More nodes than any real CNN has; a bound on the work a hostile file can cause. */
export const MAX_NODES = WIRE_LIMITS.nodes;
/** Total weight bytes a model may ask for, external data included. */
export const MAX_WEIGHT_BYTES = 2 ** 33;
/** int64 tensors only ever become Reshape shapes; no real one is longer. */
export const MAX_INT64_ELEMENTS = 2 ** 20;
/**
 * Oldest default-domain opset the loader reads: every supported op's earlier versions
 * (legacy broadcasting, attributes that later became inputs, consumed_inputs, is_test)
 * are read as what they mean.
 */
export const MIN_OPSET = 1;
/**
 * The oldest opset whose operators mean what the IR's nodes do (numpy broadcasting,
 * Reshape's shape as an input, Cast's numeric `to`, no is_test): what `saveOnnx`
 * writes at least, whatever opset the graph was read at.
 */
export const MIN_SAVE_OPSET = 7;
/** What `saveOnnx` writes (14 where HardSwish needs it). */
export const SAVE_OPSET = 13;
export const SAVE_IR_VERSION = 8;

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;
const BOOL = 9;
const DOUBLE = 11;
const FLOAT16 = 10;
const UINT16 = 4;
const BFLOAT16 = 16;

/** The element types armbench holds (ir.ts ValueType), by their ONNX codes. */
const ONNX_TYPES: Record<ValueType, number> = { float32: FLOAT, int64: INT64, int32: INT32, bool: BOOL, float16: FLOAT16, bfloat16: BFLOAT16, float64: DOUBLE, uint8: UINT8, int8: INT8 };
const QUANT_TYPES = new Map<number, QuantType>([[UINT8, "uint8"], [INT8, "int8"]]);
const INPUT_TYPES = new Map<number, ValueType>(Object.entries(ONNX_TYPES).map(([k, v]) => [v, k as ValueType]));

/** Run-time ops that may read integer and bool constants (held as typed fp32 initializers): QLinearConv's int32 bias, DequantizeLinear's int32 values. */
const READS_TYPED = new Set<string>([...COMPARE_OPS, ...LOGIC_OPS, "Not", "Where", "QLinearConv", "DequantizeLinear"]);

/** Ops the loader evaluates when all their inputs are known at load. */
const FOLDABLE = new Set([
  "Shape", "Size", "Identity", "Gather", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Concat", "Cast", "ConstantOfShape",
  "Equal", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Where", "Expand", "Range", "Slice", "Transpose", "Neg", "Reciprocal",
]);
/** Of those, the ones the executor does not run: they must fold (Slice and Expand of run-time data become Gather and Mul). */
const FOLD_ONLY = new Set(["Shape", "Size", "ConstantOfShape", "Range"]);
const DTYPE_NAMES: Record<number, string> = {
  0: "undefined", 1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
  9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16",
};
const dtypeName = (t: number | null | undefined) => DTYPE_NAMES[t ?? 0] ?? `type ${t}`;

function fail(message: string): never {
  throw new UserError(`${message}.`);
}

function toInt(v: Int, what: string): number {
  if (typeof v === "bigint" || !Number.isSafeInteger(v)) throw new UserError(`${what} holds ${String(v)}, which is not a representable integer.`);
  return v;
}

export interface LoadOptions {
  /** Batch size given to a symbolic first input dimension (default 1). */
  batch?: number;
  /**
   * Values for int64 graph inputs, which then stop being inputs and become constants (a
   * test data set's shapes and axes): what the loader folds at load must be known then.
   */
  bind?: Map<string, { dims: number[]; data: number[] }>;
  /** Folder that external-data locations are relative to (the model's folder). */
  baseDir?: string;
}

export function loadOnnxFile(file: string, opts: LoadOptions = {}): Graph {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new UserError(`cannot read the model ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  if (!statSync(file).isFile()) throw new UserError(`${file} is not a regular file.`);
  if (size > MAX_MODEL_FILE_BYTES) throw new UserError(`${file} is ${size} bytes, larger than any ONNX protobuf can be (2 GiB).`);
  return loadOnnx(readFileSync(file), { baseDir: path.dirname(path.resolve(file)), ...opts, name: file });
}

/** A model held in memory; external data needs `baseDir`. */
export function loadOnnx(bytes: Uint8Array, opts: LoadOptions & { name?: string } = {}): Graph {
  const what = opts.name ?? "the model";
  const model = decodeModelWire(bytes, what);
  const g = model.graph;
  if (!g) throw new UserError(`${what} has no graph: it is not an ONNX model (or it is truncated).`);
  let opset: number | undefined;
  for (const o of model.opsetImport) if (!o.domain || o.domain === "ai.onnx") opset = toInt(o.version, `${what} opset_import`);
  if (opset === undefined) throw new UserError(`${what} imports no default-domain opset, so its operators have no defined meaning.`);
  if (opset < MIN_OPSET) throw new UserError(`${what} imports opset ${opset}, which does not exist (the first is ${MIN_OPSET}).`);

  const ctx = new Loader(what, opts, opset);
  return ctx.load(g);
}

class Loader {
  private weightBytes = 0;
  readonly floats = new Map<string, Tensor>();
  private readonly ints = new Map<string, { dims: number[]; data: number[] }>();
  /** ints that are bool (from Equal, or Cast to bool), for the folder. */
  private readonly bools = new Set<string>();
  /** ints read from int32 tensors (held as int64 otherwise). */
  private readonly int32s = new Set<string>();
  /** The graph inputs' element types. */
  private readonly inputTypes = new Map<string, ValueType>();
  /** Float Constant nodes' values, for the folder (the nodes themselves stay until foldConstants). */
  private readonly constNodes = new Map<string, Tensor>();
  /** ReduceMean nodes whose axes depend on their input's rank (set once shapes are known). */
  private readonly pendingAxes = new Map<Node, (rank: number) => number[]>();

  constructor(
    private readonly what: string,
    private readonly opts: LoadOptions,
    private readonly opset: number,
  ) {}

  load(g: WireGraph): Graph {
    for (const t of g.initializer) this.addTensor(t, `initializer "${t.name}" in ${this.what}`);
    for (const [name, t] of this.opts.bind ?? []) {
      const declared = g.input.find((v) => v.name === name);
      if (!declared || declared.tensorType?.elemType !== INT64) throw new UserError(`${this.what} has no int64 graph input "${name}" to take a value for.`);
      if (this.floats.has(name) || this.ints.has(name)) throw new UserError(`${this.what}: "${name}" is already an initializer.`);
      this.ints.set(name, { dims: [...t.dims], data: [...t.data] });
    }
    if (g.sparseInitializers > 0) throw new UserError(`${this.what} has sparse initializers, which armbench does not support.`);

    const inputs: ValueInfo[] = [];
    for (const v of g.input) {
      const name = v.name;
      if (this.floats.has(name) || this.ints.has(name)) continue;
      const tt = v.tensorType;
      if (!tt) throw new UserError(`graph input "${name}" is not a tensor.`);
      const dtype = INPUT_TYPES.get(tt.elemType ?? 0);
      // float64 inputs would be rounded to the fp32 armbench holds values in.
      if (!dtype || dtype === "float64") throw new UserError(`graph input "${name}" is ${dtypeName(tt.elemType)}; armbench takes float32, float16 and bfloat16 inputs, int64, int32 and bool ones as indices and masks, and uint8 and int8 ones as quantized values.`);
      if (!tt.shape) throw new UserError(`graph input "${name}" has no shape; armbench needs fixed input shapes.`);
      if (inputs.some((x) => x.name === name)) throw new UserError(`graph input "${name}" is declared twice.`);
      const dims = tt.shape.map((d, i) => {
        const v = d.dimParam ? 0 : toInt(d.dimValue, `graph input "${name}" dimension ${i}`);
        if (v > 0) return v;
        if (i === 0) return this.opts.batch ?? 1;
        throw new UserError(`graph input "${name}" has a ${v < 0 ? `negative dimension ${i} (${v})` : `symbolic dimension ${i} ("${d.dimParam}")`}; only the batch dimension may be symbolic.`);
      });
      elementCount(dims, `graph input "${name}"`);
      inputs.push({ name, dims, ...(dtype !== "float32" ? { dtype } : {}) });
      this.inputTypes.set(name, dtype);
    }

    if (g.node.length > MAX_NODES) throw new UserError(`${this.what} has ${g.node.length} nodes, more than the ${MAX_NODES} armbench accepts.`);
    const pendingPads = new Map<Node, string>();
    const nodes: Node[] = [];
    // Shapes as the nodes are read (ONNX lists them in order), for the Shape arithmetic folded at load.
    const shapes = new Map<string, number[]>(inputs.map((v) => [v.name, v.dims]));
    for (const [k, t] of this.floats) shapes.set(k, t.dims);
    for (const [k, t] of this.ints) shapes.set(k, t.dims);
    g.node.forEach((np, i) => {
      if (this.fold(np, i, shapes)) return;
      const made = this.node(np, i, pendingPads, shapes);
      for (const n of made === null ? [] : Array.isArray(made) ? made : [made]) {
        if (READS_TYPED.has(n.op)) n.inputs = n.inputs.map((v) => (this.ints.has(v) ? this.heldConst(v, `node "${n.name}" (${n.op})`) : v));
        for (const v of n.inputs) {
          if (this.ints.has(v)) throw new UserError(`node "${n.name}" (${n.op}) reads the int64 constant "${v}"; armbench takes int64 constants only as shapes, axes and indices.`);
        }
        nodes.push(n);
        if (n.op === "Constant") {
          this.constNodes.set(n.outputs[0]!, n.attrs.value);
          shapes.set(n.outputs[0]!, n.attrs.value.dims);
          continue;
        }
        const ins = n.inputs.map((v) => (v === "" ? undefined : shapes.get(v)));
        if (n.inputs.some((v, j) => v !== "" && !ins[j])) continue;
        this.resolveNode(n, shapes, pendingPads);
        shapes.set(n.outputs[0]!, nodeOutputShape(n, ins));
      }
    });

    const defined = new Set<string>([...inputs.map((v) => v.name), ...this.floats.keys(), ...this.ints.keys()]);
    for (const n of nodes) {
      for (const o of n.outputs) {
        if (o === "" || defined.has(o)) throw new UserError(`node "${n.name}" (${n.op}) writes "${o}", which ${o === "" ? "is no name" : "another node, input or initializer already defines"}.`);
        defined.add(o);
      }
    }
    for (const v of inputs) if (this.ints.has(v.name)) throw new UserError(`graph input "${v.name}" has the name of an int64 Constant.`);
    for (const n of nodes) {
      for (const i of n.inputs) {
        if (this.ints.has(i)) throw new UserError(`node "${n.name}" (${n.op}) reads the int64 constant "${i}"; armbench takes int64 constants only as shapes, axes and indices.`);
      }
    }
    const outputs = g.output.map((o) => o.name);
    for (const o of outputs) {
      if (this.bools.has(o)) {
        // A bool graph output known at load: written into the arena by an And with true.
        const one = `${o}/true`;
        this.floats.set(one, { dims: [], data: Float32Array.of(1), dtype: "bool" });
        nodes.push({ op: "And", name: `${o}/constant_output`, inputs: [this.heldConst(o, `graph output "${o}"`), one], outputs: [o], attrs: {} });
        this.ints.delete(o);
        continue;
      }
      if (this.ints.has(o)) {
        // An integer graph output known at load (a Shape's): its values, each exact in fp32, written by a Cast to its own type.
        const held = this.heldConst(o, `graph output "${o}"`);
        nodes.push({ op: "Cast", name: `${o}/constant_output`, inputs: [held], outputs: [o], attrs: { to: this.floats.get(held)!.dtype as "int64" | "int32" } });
        this.ints.delete(o);
        continue;
      }
      const constant = nodes.find((n) => n.op === "Constant" && n.outputs[0] === o);
      const value = this.floats.get(o);
      if (!value && !constant) continue;
      // A graph output known at load: written into the arena by a Mul by 1 at run time (x times 1 is x).
      const [held, one] = [`${o}/value`, `${o}/one`];
      if (constant) constant.outputs = [held];
      else {
        this.floats.delete(o);
        this.floats.set(held, value!);
      }
      this.floats.set(one, { dims: [], data: Float32Array.of(1) });
      nodes.push({ op: "Mul", name: `${o}/constant_output`, inputs: [held, one], outputs: [o], attrs: {} });
    }
    const graph = topoSort({ name: g.name || "model", inputs, outputs, nodes, initializers: new Map(this.floats), opset: this.opset });
    this.resolveWithShapes(graph, pendingPads);
    inferShapes(graph);
    inferTypes(graph);
    // Initializers no node reads (e.g. Reshape shapes already taken into attributes) are dropped.
    const used = new Set(graph.nodes.flatMap((n) => n.inputs));
    for (const k of [...graph.initializers.keys()]) if (!used.has(k)) graph.initializers.delete(k);
    return graph;
  }

  /**
   * The one walk that needs input shapes at load: explicit pads for auto_pad, and
   * Softmax before opset 13, which normalised over every axis from `axis` on: only the
   * last-axis case means what opset 13 (and the executor) computes.
   */
  private resolveWithShapes(g: Graph, pending: Map<Node, string>): void {
    if (pending.size === 0 && (this.opset >= 13 || !g.nodes.some((n) => n.op === "Softmax" || n.op === "LogSoftmax"))) return;
    const shapes = new Map<string, number[]>();
    for (const v of g.inputs) shapes.set(v.name, v.dims);
    for (const [k, t] of g.initializers) shapes.set(k, t.dims);
    for (const n of g.nodes) {
      this.resolveNode(n, shapes, pending);
      if (n.op === "Constant") shapes.set(n.outputs[0]!, n.attrs.value.dims);
      else shapes.set(n.outputs[0]!, nodeOutputShape(n, n.inputs.map((i) => shapes.get(i))));
    }
  }

  /** One node's attributes that need its input shapes (a node already resolved is left alone). */
  private resolveNode(n: Node, shapes: Map<string, number[]>, pending: Map<Node, string>): void {
    const axes = this.pendingAxes.get(n);
    if (axes && (REDUCE_OPS as readonly string[]).includes(n.op) && "axes" in n.attrs) {
      const rank = shapes.get(n.inputs[0]!)?.length;
      if (rank === undefined) throw new UserError(`node "${n.name}" (${n.op}): its input's rank is not known at load.`);
      n.attrs.axes = axes(rank);
      this.pendingAxes.delete(n);
    }
    const mode = pending.get(n);
    pending.delete(n);
    const conv = n.op === "Conv" || n.op === "ConvInteger" || n.op === "QLinearConv";
    if (mode && (conv || n.op === "MaxPool" || n.op === "AveragePool")) {
      const x = shapes.get(n.inputs[0]!);
      if (!x || x.length !== 4) throw new UserError(`node "${n.name}" (${n.op}): ${mode === "CEIL" ? "ceil_mode" : "auto_pad"} needs a 4-D input.`);
      const a = n.attrs;
      const dil = "dilations" in n.attrs ? n.attrs.dilations : [1, 1];
      const pads: [number, number, number, number] = mode === "CEIL" ? [...a.pads] : [0, 0, 0, 0];
      if (mode === "CEIL") {
        for (let d = 0; d < 2; d++) {
          const size = x[2 + d]!;
          const [k, st] = [a.kernel[d]!, a.strides[d]!];
          let out = Math.ceil((size + pads[d]! + pads[d + 2]! - k) / st) + 1;
          // A last window starting past the input and its leading padding is dropped (as ONNX and PyTorch do).
          if ((out - 1) * st >= size + pads[d]!) out--;
          pads[d + 2]! += Math.max(0, (out - 1) * st + k - (size + pads[d]! + pads[d + 2]!));
        }
      } else if (mode === "SAME_UPPER" || mode === "SAME_LOWER") {
        const same = samePads(x.slice(2), a.kernel, a.strides, dil, mode);
        for (let i = 0; i < 4; i++) pads[i] = same[i]!;
      }
      const what = mode === "CEIL" ? "pads (with ceil_mode)" : `pads (from auto_pad ${mode})`;
      a.pads = quad(pads, `node "${n.name}" (${n.op})`, conv ? MAX_CONV_WINDOW : MAX_POOL_WINDOW, what);
      if (n.op === "MaxPool" || n.op === "AveragePool") poolPadsFit(n.attrs, `node "${n.name}" (${n.op})`, what);
    }
    // Before opset 13 the input was coerced to 2-D at axis: one softmax over every axis from it on.
    if ((n.op === "Softmax" || n.op === "LogSoftmax") && this.opset < 13 && !n.attrs.throughLast) {
      const rank = shapes.get(n.inputs[0]!)?.length ?? 0;
      const axis = n.attrs.axis < 0 ? n.attrs.axis + rank : n.attrs.axis;
      if (axis === rank - 1) n.attrs.axis = -1;
      else n.attrs.throughLast = true;
    }
  }

  /**
   * Reads one tensor into `floats` (float32) or `ints` (int64, for Reshape shapes). Its
   * dims, dtype and element count are checked against the limits, and its bytes counted
   * against the weight budget, before its data is materialised.
   */
  addTensor(t: WireTensor, what: string, name = t.name): void {
    if (name === "") throw new UserError(`${what} has no name.`);
    // A second definition would silently replace the first (a Constant over an initializer did).
    if (this.floats.has(name) || this.ints.has(name)) throw new UserError(`${what} is named "${name}", which an initializer or Constant already defines.`);
    const dims = t.dims.map((d) => toInt(d, `${what} dims`));
    const count = elementCount(dims, what);
    if (t.segment) throw new UserError(`${what} is segmented, which armbench does not support.`);
    const quant = QUANT_TYPES.get(t.dataType);
    if (quant) {
      this.floats.set(name, this.quantTensor(t, what, dims, count, quant));
      return;
    }
    if (![FLOAT, INT64, INT32, BOOL].includes(t.dataType)) throw new UserError(`${what} is ${dtypeName(t.dataType)}; armbench reads float32 tensors, and int64, int32 and bool ones as shapes, indices and masks.`);
    const integer = t.dataType !== FLOAT;
    if (integer && count > MAX_INT64_ELEMENTS) {
      throw new UserError(`${what} is an ${dtypeName(t.dataType)} tensor of ${count} elements; armbench reads integer and bool tensors (shapes, indices, masks) of at most ${MAX_INT64_ELEMENTS}.`);
    }
    const width = t.dataType === INT64 ? 8 : t.dataType === BOOL ? 1 : 4;
    this.weightBytes += count * width;
    if (this.weightBytes > MAX_WEIGHT_BYTES) throw new UserError(`${this.what} asks for more than ${MAX_WEIGHT_BYTES} bytes of weights (reached at ${what}).`);
    const need = (got: number, field: string) => {
      if (got !== count) throw new UserError(`${what} holds ${got} values in ${field}, but its dims [${dims.join(", ")}] need ${count}.`);
    };
    const raw = this.tensorBytes(t, what, count * width);
    if (integer) {
      let data: number[];
      if (t.dataType === INT64 && raw) {
        const b = new BigInt64Array(new Uint8Array(raw).buffer);
        data = Array.from(b, (v) => {
          const n = Number(v);
          if (!Number.isSafeInteger(n)) throw new UserError(`${what} holds ${v}, which is not a representable integer.`);
          return n;
        });
      } else if (t.dataType === INT64) {
        need(t.counts.int64, "int64_data");
        data = readInt64Data(t, what);
      } else if (raw) {
        data = t.dataType === BOOL ? Array.from(raw) : Array.from(new Int32Array(new Uint8Array(raw).buffer));
      } else {
        need(t.counts.int32, "int32_data");
        data = readInt32Data(t, what);
      }
      // Any nonzero byte is true.
      if (t.dataType === BOOL) {
        data = data.map((v) => (v !== 0 ? 1 : 0));
        this.bools.add(name);
      }
      if (t.dataType === INT32) this.int32s.add(name);
      this.ints.set(name, { dims, data });
      return;
    }
    let data: Float32Array;
    if (raw) data = floatsFromLittleEndian(raw);
    else {
      need(t.counts.float, "float_data");
      data = readFloatData(t);
    }
    this.floats.set(name, { dims, data });
  }

  /**
   * A uint8 or int8 tensor (quantized weights, zero points): one byte each in raw_data
   * (or external data), or one value each in int32_data, every value checked to fit
   * its type. Held as fp32, exactly, typed by dtype.
   */
  private quantTensor(t: WireTensor, what: string, dims: number[], count: number, type: QuantType): Tensor {
    this.weightBytes += count;
    if (this.weightBytes > MAX_WEIGHT_BYTES) throw new UserError(`${this.what} asks for more than ${MAX_WEIGHT_BYTES} bytes of weights (reached at ${what}).`);
    const raw = this.tensorBytes(t, what, count);
    let values: ArrayLike<number>;
    if (raw) values = type === "uint8" ? raw : new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    else {
      if (t.counts.int32 !== count) throw new UserError(`${what} holds ${t.counts.int32} values in int32_data, but its dims [${dims.join(", ")}] need ${count}.`);
      values = readInt32Data(t, what);
    }
    const [lo, hi] = QUANT_RANGE[type];
    const data = Float32Array.from(values);
    const bad = data.findIndex((v) => v < lo || v > hi);
    if (bad >= 0) throw new UserError(`${what} holds ${data[bad]} at element ${bad}, outside the ${type} range [${lo}, ${hi}].`);
    return { dims, data, dtype: type };
  }

  /** raw_data or external data, checked to be exactly `bytes` long; null when the values are in typed fields. */
  private tensorBytes(t: WireTensor, what: string, bytes: number): Uint8Array | null {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return this.external(t, what, bytes);
    if (t.rawData) {
      if (t.rawData.length !== bytes) throw new UserError(`${what} has ${t.rawData.length} bytes of raw_data but its dims [${t.dims.join(", ")}] need ${bytes}.`);
      return t.rawData;
    }
    return null;
  }

  private external(t: WireTensor, what: string, bytes: number): Uint8Array {
    const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
    const location = kv.get("location");
    if (!location) throw new UserError(`${what} is stored externally but names no location.`);
    if (!this.opts.baseDir) throw new UserError(`${what} is stored in "${location}", but the model was not loaded from a file, so there is no folder to read it from.`);
    const file = resolveExternal(this.opts.baseDir, location, what);
    const offset = kv.has("offset") ? Number(kv.get("offset")) : 0;
    const length = kv.has("length") ? Number(kv.get("length")) : bytes;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new UserError(`${what} has an invalid external-data offset or length ("${kv.get("offset")}", "${kv.get("length")}").`);
    }
    if (length !== bytes) throw new UserError(`${what} has an external-data length of ${length} bytes but its dims need ${bytes}.`);
    const fd = openSync(file, "r");
    try {
      const size = fstatSync(fd).size;
      if (offset + length > size) throw new UserError(`${what} reads bytes ${offset}..${offset + length} of "${location}", which has only ${size}.`);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const got = readSync(fd, out, done, length - done, offset + done);
        if (got === 0) throw new UserError(`"${location}" ended early while reading ${what}.`);
        done += got;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }

  private node(np: WireNode, index: number, pendingPads: Map<Node, string>, shapes: Map<string, number[]>): Node | Node[] | null {
    const op = np.opType as OpType;
    const name = np.name || `${op}_${index}`;
    const where = `node "${name}" (${op})`;
    if (np.domain && np.domain !== "ai.onnx") throw new UserError(`${where} is in domain "${np.domain}"; armbench supports only standard ONNX ops.`);
    if (["Slice", "Expand", "Pad"].includes(op)) return this.indexedCopy(np, name, where, shapes);
    if ((op as string) === "DynamicQuantizeLinear") return this.dynamicQuantize(np, name, where);
    if ((op as string) === "CastLike") {
      // Cast to the type of its second input, which must be known at load: a graph input's or a constant's.
      if (np.input.length !== 2 || np.output.length !== 1 || np.attribute.some((a) => a.name !== "saturate")) throw new UserError(`${where} takes two inputs, one output and no attributes but saturate.`);
      const like = np.input[1]!;
      const to = this.inputTypes.get(like) ?? (this.floats.has(like) || this.constNodes.has(like) ? "float32" : this.ints.has(like) ? this.intType(like) : undefined);
      if (!to) throw new UserError(`${where}: the type of "${like}" must be known at load (a graph input or a constant).`);
      return { op: "Cast", name, inputs: [np.input[0]!], outputs: [np.output[0]!], attrs: { to } };
    }
    if ((op as string) === "Neg" || (op as string) === "Reciprocal") {
      // -x is x times -1, 1/x is 1 divided by x: the same IEEE results, bit for bit.
      if (np.input.length !== 1 || np.output.length !== 1 || np.attribute.length > (this.opset < 6 ? 1 : 0)) throw new UserError(`${where} takes one input, one output and no attributes.`);
      if (np.attribute.length === 1 && np.attribute[0]!.name !== "consumed_inputs") throw new UserError(`${where}: attribute ${np.attribute[0]!.name} is not supported.`);
      const k = this.emitter(name).constant((op as string) === "Neg" ? "minus_one" : "one", { dims: [], data: Float32Array.of((op as string) === "Neg" ? -1 : 1) });
      const [x, y] = [np.input[0]!, np.output[0]!];
      return (op as string) === "Neg" ? { op: "Mul", name, inputs: [x, k], outputs: [y], attrs: {} } : { op: "Div", name, inputs: [k, x], outputs: [y], attrs: {} };
    }
    if (!(ONNX_OPS as readonly string[]).includes(op)) {
      throw new UserError(`${where}: op ${op} is not supported (supported: ${ONNX_OPS.join(", ")}).`);
    }
    const attrs = new Map<string, WireAttribute>();
    for (const a of np.attribute) {
      if (attrs.has(a.name)) throw new UserError(`${where}: attribute ${a.name} is given twice.`);
      attrs.set(a.name, a);
    }
    const inputs = [...np.input];
    const outputs = [...np.output];
    while (inputs.length > 0 && inputs[inputs.length - 1] === "") inputs.pop();
    const take = new AttrReader(where, attrs);
    // Before opset 6 ops named the inputs they may overwrite: an allocation hint that changes no value.
    if (this.opset < 6) take.ints("consumed_inputs", []);
    const emit = this.emitter(name);
    const shapeOf = (v: string, why: string) => shapes.get(v) ?? fail(`${where}: the shape of "${v}" is not known at load, which ${why} needs`);
    /** The nodes a rewrite made (of one output, which the last writes), attributes checked. */
    const made = (nodes: Node[]) => {
      if (outputs.filter((o) => o !== "").length !== 1) throw new UserError(`${where} has ${outputs.length} outputs; armbench supports one.`);
      take.done();
      return nodes;
    };
    const needInputs = (lo: number, hi = lo) => {
      if (inputs.length < lo || inputs.length > hi) throw new UserError(`${where} has ${inputs.length} inputs; armbench supports ${lo === hi ? lo : `${lo} to ${hi}`}.`);
    };
    const constInput = (i: number, why: string): Tensor => {
      const t = this.floats.get(inputs[i] ?? "");
      if (!t) throw new UserError(`${where}: input ${i} ("${inputs[i]}") must be a constant initializer ${why}.`);
      return t;
    };
    let node: Node;
    switch (op) {
      case "Conv": {
        needInputs(2, 3);
        const w = this.floats.get(inputs[1]!);
        const bias = inputs[2] ? this.floats.get(inputs[2]) : undefined;
        const y = outputs[0] ?? "";
        if (!w) {
          // Weights computed at run time: im2col and a MatMul, any spatial rank.
          const geometry = {
            ...(attrs.has("kernel_shape") ? { kernel: take.ints("kernel_shape", null) } : {}),
            ...(attrs.has("strides") ? { strides: take.ints("strides", null) } : {}),
            ...(attrs.has("pads") ? { pads: take.ints("pads", null) } : {}),
            ...(attrs.has("dilations") ? { dilations: take.ints("dilations", null) } : {}),
            group: take.int("group", 1),
            autoPad: take.string("auto_pad", "NOTSET"),
          };
          const x = { name: inputs[0]!, dims: shapeOf(inputs[0]!, "a conv with run-time weights") };
          const wv = { name: inputs[1]!, dims: shapeOf(inputs[1]!, "a conv with run-time weights") };
          const b = inputs[2] ? { name: inputs[2], dims: shapeOf(inputs[2], "its bias"), ...(bias ? { value: bias } : {}) } : undefined;
          return made(convAsMatMul(where, x, wv, b, geometry, y, emit));
        }
        // 1-D: the same conv over a plane of height 1, so every 2-D algorithm serves.
        const oneD = w.dims.length === 3;
        if (w.dims.length !== 4 && !oneD) throw new UserError(`${where}: only 1-D and 2-D convolutions are supported with constant weights (weights [${w.dims.join(", ")}]).`);
        const a: ConvAttrs = {
          kernel: pair(lift1d(take.ints("kernel_shape", w.dims.slice(2)), oneD, where, "kernel_shape"), where, "kernel_shape", MAX_CONV_WINDOW),
          strides: pair(lift1d(take.ints("strides", oneD ? [1] : [1, 1]), oneD, where, "strides"), where, "strides", MAX_CONV_WINDOW),
          pads: quad(lift1d(take.ints("pads", oneD ? [0, 0] : [0, 0, 0, 0]), oneD, where, "pads"), where, MAX_CONV_WINDOW),
          dilations: pair(lift1d(take.ints("dilations", oneD ? [1] : [1, 1]), oneD, where, "dilations"), where, "dilations", MAX_CONV_WINDOW),
          group: take.int("group", 1),
        };
        if (a.group < 1) throw new UserError(`${where}: group ${a.group} must be at least 1.`);
        const runtimeBias = inputs[2] !== undefined && !bias;
        if (oneD || runtimeBias) {
          // The conv alone (over a plane, without a bias computed at run time), then the rest.
          const nodes: Node[] = [];
          const xc = oneD ? emit.value("plane") : inputs[0]!;
          if (oneD) nodes.push({ op: "Unsqueeze", name: `${name}/unsqueeze`, inputs: [inputs[0]!], outputs: [xc], attrs: { axes: [2] } });
          const wc = oneD ? emit.constant("weights2d", { dims: [w.dims[0]!, w.dims[1]!, 1, w.dims[2]!], data: w.data }) : inputs[1]!;
          const conv: Node = { op: "Conv", name, inputs: [xc, wc, runtimeBias ? "" : (inputs[2] ?? "")], outputs: [emit.value("conv")], attrs: a };
          this.autoPad(take, conv, pendingPads);
          nodes.push(conv);
          let yc = conv.outputs[0]!;
          if (oneD) {
            const squeezed = runtimeBias ? emit.value("squeezed") : y;
            nodes.push({ op: "Squeeze", name: `${name}/squeeze`, inputs: [yc], outputs: [squeezed], attrs: { axes: [2] } });
            yc = squeezed;
          }
          if (runtimeBias) nodes.push(...this.addBias(inputs[2]!, yc, y, oneD ? 1 : 2, emit));
          return made(nodes);
        }
        node = { op: "Conv", name, inputs: [inputs[0]!, inputs[1]!, inputs[2] ?? ""], outputs, attrs: a };
        this.autoPad(take, node, pendingPads);
        break;
      }
      case "MaxPool":
      case "AveragePool": {
        needInputs(1);
        // 1-D: the same pool over a plane of height 1.
        const window = take.ints("kernel_shape", null);
        const oneD = window.length === 1;
        const a: PoolAttrs = {
          kernel: pair(lift1d(window, oneD, where, "kernel_shape"), where, "kernel_shape", MAX_POOL_WINDOW),
          strides: pair(lift1d(take.ints("strides", oneD ? [1] : [1, 1]), oneD, where, "strides"), where, "strides", MAX_POOL_WINDOW),
          pads: quad(lift1d(take.ints("pads", oneD ? [0, 0] : [0, 0, 0, 0]), oneD, where, "pads"), where, MAX_POOL_WINDOW),
          countIncludePad: op === "AveragePool" ? take.int("count_include_pad", 0) === 1 : false,
        };
        const ceil = take.int("ceil_mode", 0) === 1;
        if (ceil && a.countIncludePad) throw new UserError(`${where}: ceil_mode=1 with count_include_pad=1 is not supported.`);
        if (op === "MaxPool") {
          if (take.int("storage_order", 0) !== 0) throw new UserError(`${where}: storage_order=1 is not supported.`);
          if (!take.ints("dilations", [1, 1]).every((d) => d === 1)) throw new UserError(`${where}: dilated pooling is not supported.`);
          if (outputs.length > 1) throw new UserError(`${where}: the Indices output is not supported.`);
        }
        poolPadsFit(a, where);
        const [xIn, yOut] = oneD ? [emit.value("plane"), emit.value("pool2d")] : [inputs[0]!, outputs[0]!];
        node = { op, name, inputs: [xIn], outputs: oneD ? [yOut] : outputs, attrs: a } as Node;
        this.autoPad(take, node, pendingPads);
        // Rounding the output size up is the same as padding the bottom and right edges just enough.
        if (ceil && !pendingPads.has(node)) pendingPads.set(node, "CEIL");
        if (oneD) {
          return made([
            { op: "Unsqueeze", name: `${name}/unsqueeze`, inputs: [inputs[0]!], outputs: [xIn], attrs: { axes: [2] } },
            node,
            { op: "Squeeze", name: `${name}/squeeze`, inputs: [yOut], outputs: [outputs[0]!], attrs: { axes: [2] } },
          ]);
        }
        break;
      }
      case "BatchNormalization": {
        needInputs(5);
        // spatial=0 (opsets 7 and 8, and before): statistics per element of an image, not per channel.
        const spatial = take.int("spatial", 1) !== 0;
        if (take.int("training_mode", 0) !== 0) throw new UserError(`${where}: training_mode=1 is not supported (inference only).`);
        // Before opset 7 the default, is_test=0, meant training: normalising by the batch's own statistics.
        if (this.opset < 7 && take.int("is_test", 0) === 0) throw new UserError(`${where}: is_test=0 asks for training-mode normalisation (the batch's own statistics); armbench runs inference (is_test=1).`);
        take.float("momentum", 0.9);
        if (outputs.filter((o) => o !== "").length > 1) throw new UserError(`${where}: the training outputs (running mean/var) are not supported.`);
        const epsilon = take.float("epsilon", 1e-5);
        if (!(epsilon >= 0 && epsilon < Infinity)) throw new UserError(`${where}: attribute epsilon ${epsilon} must be a finite number of 0 or more.`);
        if (!spatial || inputs.slice(1).some((v) => !this.floats.has(v))) {
          const why = spatial ? "BatchNormalization with run-time statistics" : "BatchNormalization with spatial=0";
          const x = { name: inputs[0]!, dims: shapeOf(inputs[0]!, why) };
          const params = inputs.slice(1).map((v) => ({ name: v, dims: shapeOf(v, why) }));
          return made(batchNormAsOps(where, x, params, epsilon, outputs[0]!, emit, spatial));
        }
        node = { op, name, inputs, outputs: [outputs[0]!], attrs: { epsilon } };
        break;
      }
      case "Clip": {
        needInputs(1, 3);
        let min = -Infinity;
        let max = Infinity;
        if (this.opset < 11) {
          min = take.float("min", -3.4028234663852886e38);
          max = take.float("max", 3.4028234663852886e38);
        } else {
          if (inputs.slice(1).some((v) => v !== "" && !this.floats.has(v))) {
            return made(clipAsMinMax(inputs[0]!, inputs[1] ?? "", inputs[2] ?? "", outputs[0]!, emit));
          }
          const scalar = (i: number) => {
            if (!inputs[i]) return undefined;
            const t = constInput(i, "(armbench needs constant Clip bounds)");
            if (t.data.length !== 1) throw new UserError(`${where}: input ${i} must be a scalar.`);
            return t.data[0]!;
          };
          min = scalar(1) ?? min;
          max = scalar(2) ?? max;
        }
        if (!(min <= max)) throw new UserError(`${where}: the bounds [${min}, ${max}] must be ordered numbers (min <= max).`);
        node = { op, name, inputs: [inputs[0]!], outputs, attrs: { min, max } };
        break;
      }
      case "Relu":
      case "Sigmoid":
      case "HardSwish":
      case "Identity":
      case "GlobalAveragePool":
        needInputs(1);
        node = { op, name, inputs, outputs, attrs: {} } as Node;
        break;
      case "Dropout":
        needInputs(1, 3);
        take.float("ratio", 0.5);
        take.int("seed", 0);
        if (this.opset < 7 && take.int("is_test", 0) === 0) throw new UserError(`${where}: is_test=0 asks for training-mode dropout (random zeros); armbench runs inference (is_test=1).`);
        if (inputs[2]) {
          const mode = this.ints.get(inputs[2]);
          if (!mode) throw new UserError(`${where}: training_mode "${inputs[2]}" must be a constant (armbench runs inference).`);
          if (mode.data.some((v) => v !== 0)) throw new UserError(`${where}: training_mode=true asks for training-mode dropout (random zeros); armbench runs inference.`);
        }
        if (outputs[1]) {
          // In inference nothing is dropped: the mask is all true (all ones before opset 10, when it had x's type).
          const dims = shapeOf(inputs[0]!, "its mask output");
          const count = elementCount(dims, `${where} mask`);
          if (count > MAX_FOLD_ELEMENTS) throw new UserError(`${where}: a mask output of ${count} values is more than the ${MAX_FOLD_ELEMENTS} armbench builds at load.`);
          this.setConst(outputs[1], { type: this.opset >= 10 ? "bool" : "float32", dims, data: new Array<number>(count).fill(1) }, where);
        }
        node = { op, name, inputs: [inputs[0]!], outputs: [outputs[0]!], attrs: {} };
        break;
      case "Erf":
      case "Tanh":
      case "Sqrt":
      case "Exp":
      case "Log":
      case "Not":
        needInputs(1);
        node = { op, name, inputs, outputs, attrs: {} } as Node;
        break;
      case "Gelu": {
        needInputs(1);
        const approximate = take.string("approximate", "none");
        if (approximate !== "none" && approximate !== "tanh") throw new UserError(`${where}: approximate "${approximate}" is not "none" or "tanh".`);
        node = { op, name, inputs, outputs, attrs: { approximate } };
        break;
      }
      case "LayerNormalization": {
        needInputs(2, 3);
        const epsilon = take.float("epsilon", 1e-5);
        if (!(epsilon >= 0 && epsilon < Infinity)) throw new UserError(`${where}: attribute epsilon ${epsilon} must be a finite number of 0 or more.`);
        // stash_type only says in which type the statistics are kept; armbench keeps them in fp32 or wider.
        take.int("stash_type", 1);
        const axis = take.int("axis", -1);
        node = { op, name, inputs: [inputs[0]!, inputs[1]!, inputs[2] ?? ""], outputs: [outputs[0]!], attrs: { axis, epsilon } };
        if (outputs.slice(1).some((o) => o !== "")) {
          take.done();
          return [node, ...this.layerNormStats(name, inputs[0]!, axis, epsilon, outputs[1] ?? "", outputs[2] ?? "")];
        }
        break;
      }
      case "Transpose":
        needInputs(1);
        node = { op, name, inputs, outputs, attrs: { perm: take.ints("perm", []) } };
        break;
      case "ReduceMean":
      case "ReduceSum":
      case "ReduceMax":
      case "ReduceMin": {
        needInputs(1, 2);
        const keepdims = take.int("keepdims", 1) === 1;
        let axes: number[];
        // Opset 13 (ReduceSum) and 18 (the rest) moved the axes from an attribute to an input.
        if (this.opset < (op === "ReduceSum" ? 13 : 18)) axes = take.ints("axes", []);
        else {
          axes = inputs[1] ? this.intInput(inputs[1], where, "axes") : [];
          // No axes then means no reduction at all.
          if (take.int("noop_with_empty_axes", 0) !== 0 && axes.length === 0) return made([{ op: "Identity", name, inputs: [inputs[0]!], outputs, attrs: {} }]);
        }
        node = { op, name, inputs: [inputs[0]!], outputs, attrs: { axes, keepdims } };
        break;
      }
      case "Unsqueeze":
      case "Squeeze": {
        needInputs(1, 2);
        const axes = this.opset < 13 ? take.ints("axes", op === "Unsqueeze" ? null : []) : inputs[1] ? this.intInput(inputs[1], where, "axes") : [];
        if (op === "Unsqueeze" && axes.length === 0) throw new UserError(`${where}: Unsqueeze needs axes.`);
        node = { op, name, inputs: [inputs[0]!], outputs, attrs: { axes } };
        break;
      }
      case "Gather": {
        needInputs(2);
        const axis = take.int("axis", 0);
        const idx = this.ints.get(inputs[1]!);
        node = idx
          ? { op, name, inputs: [inputs[0]!], outputs, attrs: { axis, indices: { dims: [...idx.dims], data: [...idx.data] } } }
          : { op, name, inputs, outputs, attrs: { axis } };
        break;
      }
      case "Cast": {
        needInputs(1);
        const code = this.castTo(take);
        const to = INPUT_TYPES.get(code);
        if (!to) throw new UserError(`${where}: casting to ${dtypeName(code)} is not supported (float32, float16, bfloat16, float64, int64, int32 and bool only).`);
        if (this.opset >= 19) take.int("saturate", 1);
        node = { op, name, inputs, outputs, attrs: { to } };
        break;
      }
      case "QuantizeLinear":
      case "DequantizeLinear": {
        needInputs(2, 3);
        // Per-axis parameters came with opset 13; before, one scale and zero point.
        const axis = this.opset >= 13 ? take.int("axis", 1) : 1;
        if (op === "QuantizeLinear" && this.opset >= 19) take.int("saturate", 1);
        if (this.opset >= 21) {
          if (take.int("block_size", 0) !== 0) throw new UserError(`${where}: blocked quantization (block_size) is not supported.`);
          if (op === "QuantizeLinear" && take.int("output_dtype", 0) !== 0) throw new UserError(`${where}: output_dtype is not supported; give a zero point of the output's type.`);
        }
        node = { op, name, inputs, outputs, attrs: { axis } };
        break;
      }
      case "MatMulInteger":
        needInputs(2, 4);
        node = { op, name, inputs, outputs, attrs: {} };
        break;
      case "QLinearMatMul":
        needInputs(8);
        node = { op, name, inputs, outputs, attrs: {} };
        break;
      case "ConvInteger":
      case "QLinearConv": {
        const q = op === "QLinearConv";
        needInputs(q ? 8 : 2, q ? 9 : 4);
        const wd = shapeOf(inputs[q ? 3 : 1]!, "its kernel size");
        if (wd.length !== 4) throw new UserError(`${where}: only 2-D convolutions are supported (weights [${wd.join(", ")}]).`);
        const a: ConvAttrs = {
          kernel: pair(take.ints("kernel_shape", wd.slice(2)), where, "kernel_shape", MAX_CONV_WINDOW),
          strides: pair(take.ints("strides", [1, 1]), where, "strides", MAX_CONV_WINDOW),
          pads: quad(take.ints("pads", [0, 0, 0, 0]), where, MAX_CONV_WINDOW),
          dilations: pair(take.ints("dilations", [1, 1]), where, "dilations", MAX_CONV_WINDOW),
          group: take.int("group", 1),
        };
        if (a.group < 1) throw new UserError(`${where}: group ${a.group} must be at least 1.`);
        node = { op, name, inputs, outputs, attrs: a };
        this.autoPad(take, node, pendingPads);
        break;
      }
      case "Round":
        needInputs(1);
        node = { op, name, inputs, outputs, attrs: {} };
        break;
      case "Where":
        needInputs(3);
        node = { op, name, inputs, outputs, attrs: {} };
        break;
      case "Add":
      case "Mul":
      case "Sub":
      case "Div":
      case "Pow":
      case "Equal":
      case "Less":
      case "Greater":
      case "LessOrEqual":
      case "GreaterOrEqual":
      case "And":
      case "Or":
      case "Xor": {
        needInputs(2);
        node = { op, name, inputs, outputs, attrs: {} } as Node;
        if (this.opset < 7) {
          const dims = legacyBroadcastDims(where, take, attrs.has("axis"), shapes.get(inputs[0]!), shapes.get(inputs[1]!));
          if (dims) {
            const b = this.floats.get(inputs[1]!);
            let view: string;
            const pre: Node[] = [];
            if (b) view = emit.constant("b", { dims, data: b.data });
            else {
              view = emit.value("b");
              pre.push({ op: "Reshape", name: view, inputs: [inputs[1]!], outputs: [view], attrs: { shape: dims } });
            }
            return made([...pre, { ...node, inputs: [inputs[0]!, view] }]);
          }
        }
        break;
      }
      case "Max":
      case "Min": {
        if (inputs.length < 1 || inputs.includes("")) throw new UserError(`${where} needs one or more inputs, none of them empty.`);
        if (inputs.length === 1) return made([{ op: "Identity", name, inputs, outputs, attrs: {} }]);
        // Variadic: a chain of two-input nodes, left to right.
        const chain: Node[] = [];
        let acc = inputs[0]!;
        for (let i = 1; i < inputs.length; i++) {
          const out = i === inputs.length - 1 ? outputs[0]! : emit.value(`${op.toLowerCase()}${i}`);
          chain.push({ op, name: i === inputs.length - 1 ? name : out, inputs: [acc, inputs[i]!], outputs: [out], attrs: {} });
          acc = out;
        }
        return made(chain);
      }
      case "Gemm": {
        needInputs(2, 3);
        // Before opset 7, C broadcast only under broadcast=1; without it C is the whole [M, N].
        if (this.opset < 7 && take.int("broadcast", 0) === 0 && inputs[2]) {
          const [a, b, c] = [shapes.get(inputs[0]!), shapes.get(inputs[1]!), shapes.get(inputs[2])];
          const tA = take.int("transA", 0) === 1;
          const tB = take.int("transB", 0) === 1;
          if (a?.length === 2 && b?.length === 2 && c) {
            const want = [tA ? a[1]! : a[0]!, tB ? b[0]! : b[1]!];
            if (c.join() !== want.join()) throw new UserError(`${where}: before opset 7, C [${c.join(", ")}] must be [${want.join(", ")}] without broadcast=1.`);
          }
        }
        node = {
          op, name, inputs: [inputs[0]!, inputs[1]!, inputs[2] ?? ""], outputs,
          attrs: { alpha: take.float("alpha", 1), beta: take.float("beta", 1), transA: take.int("transA", 0) === 1, transB: take.int("transB", 0) === 1 },
        };
        break;
      }
      case "MatMul":
        needInputs(2);
        node = { op, name, inputs, outputs, attrs: {} };
        break;
      case "Flatten":
        needInputs(1);
        node = { op, name, inputs, outputs, attrs: { axis: take.int("axis", 1) } };
        break;
      case "Reshape": {
        if (this.opset < 5) {
          // The shape was an attribute until opset 5.
          needInputs(1);
          node = { op, name, inputs, outputs, attrs: { shape: take.ints("shape", null) } };
          break;
        }
        needInputs(2);
        if (take.int("allowzero", 0) !== 0) throw new UserError(`${where}: allowzero=1 is not supported.`);
        const shape = this.ints.get(inputs[1]!);
        if (!shape) throw new UserError(`${where}: the shape input "${inputs[1]}" must be a constant int64 tensor.`);
        node = { op, name, inputs: [inputs[0]!], outputs, attrs: { shape: [...shape.data] } };
        break;
      }
      case "Concat":
        if (inputs.length < 1) throw new UserError(`${where} has no inputs.`);
        // axis was optional, default 1, until opset 4.
        node = { op, name, inputs, outputs, attrs: { axis: take.int("axis", this.opset < 4 ? 1 : null) } };
        break;
      case "Softmax":
      case "LogSoftmax":
        needInputs(1);
        node = { op, name, inputs, outputs, attrs: { axis: take.int("axis", this.opset >= 13 ? -1 : 1) } };
        break;
      case "Constant": {
        needInputs(0);
        if (attrs.size !== 1) throw new UserError(`${where} has ${attrs.size} attributes; a Constant has one value.`);
        const [key, v] = [...attrs][0]!;
        // Opset 12's scalar and list forms, as the tensor they stand for.
        const T = onnx.AttributeProto.AttributeType;
        const forms: Record<string, { type: number; tensor: () => WireTensor }> = {
          value: { type: T.TENSOR, tensor: () => v.t! },
          value_float: { type: T.FLOAT, tensor: () => wireTensor({ dataType: FLOAT, dims: [], floatData: [v.f] }, where) },
          value_floats: { type: T.FLOATS, tensor: () => wireTensor({ dataType: FLOAT, dims: [v.floats.length], floatData: v.floats }, where) },
          value_int: { type: T.INT, tensor: () => wireTensor({ dataType: INT64, dims: [], int64Data: [v.i] }, where) },
          value_ints: { type: T.INTS, tensor: () => wireTensor({ dataType: INT64, dims: [v.ints.length], int64Data: v.ints }, where) },
        };
        const form = forms[key];
        if (!form || (this.opset < 12 && key !== "value")) throw new UserError(`${where}: attribute ${key} is not supported (${this.opset >= 12 ? "value, value_float(s) and value_int(s) are" : "before opset 12 only value is"}).`);
        if ((v.type && v.type !== form.type) || v.unread.length > 0 || (key === "value" && !v.t)) throw new UserError(`${where}: attribute ${key} has the wrong type (${v.type}).`);
        take.seen.add(key);
        const before = this.ints.size;
        this.addTensor(form.tensor(), `${where} ${key}`, outputs[0] ?? "");
        // int64 constants only ever feed Reshape shapes, which become attributes.
        if (this.ints.size !== before) {
          take.done();
          return null;
        }
        const t = this.floats.get(outputs[0]!)!;
        this.floats.delete(outputs[0]!);
        node = { op, name, inputs: [], outputs, attrs: { value: t } };
        break;
      }
      default:
        throw new UserError(`${where}: op ${op} is not supported.`);
    }
    if (node.outputs.length !== 1) throw new UserError(`${where} has ${node.outputs.length} outputs; armbench supports one.`);
    take.done();
    return node;
  }

  /**
   * An integer or bool constant that a comparison, logical op or Where reads at run
   * time, or a graph output, as the executor holds it: fp32 values (each exact,
   * checked) typed by Tensor.dtype.
   */
  private heldConst(v: string, where: string): string {
    const key = `${v}/held`;
    if (this.floats.has(key)) return key;
    const i = this.ints.get(v)!;
    const bad = i.data.find((x) => Math.fround(x) !== x);
    if (bad !== undefined) throw new UserError(`${where}: the constant "${v}" holds ${bad}, which float32 cannot hold exactly; armbench holds the integer constants it reads at run time in float32.`);
    this.floats.set(key, { dims: i.dims, data: Float32Array.from(i.data), dtype: this.intType(v) });
    return key;
  }

  /** The element type of an integer or bool constant. */
  private intType(v: string): "bool" | "int32" | "int64" {
    return this.bools.has(v) ? "bool" : this.int32s.has(v) ? "int32" : "int64";
  }

  private constOf(v: string): Const | undefined {
    const f = this.floats.get(v) ?? this.constNodes.get(v);
    if (f) return f.data.length <= MAX_FOLD_ELEMENTS ? { type: "float32", dims: f.dims, data: Array.from(f.data) } : undefined;
    const i = this.ints.get(v);
    return i ? { type: this.bools.has(v) ? "bool" : "int64", dims: i.dims, data: i.data } : undefined;
  }

  private setConst(v: string, c: Const, where: string): void {
    if (this.floats.has(v) || this.ints.has(v) || this.constNodes.has(v)) throw new UserError(`${where} writes "${v}", which is already defined.`);
    if (c.type === "float32") this.floats.set(v, { dims: c.dims, data: Float32Array.from(c.data) });
    else {
      if (c.data.some((x) => !Number.isSafeInteger(x))) throw new UserError(`${where}: an int64 value folded at load is not a representable integer.`);
      this.ints.set(v, { dims: c.dims, data: c.data });
      if (c.type === "bool") this.bools.add(v);
    }
  }

  /**
   * Evaluates a node now when every input is known at load (Shape needs only its input's
   * shape): the shape arithmetic of exported graphs, and constant-only expressions.
   * Returns false, leaving the node to run, when it cannot be folded; an op that exists
   * only to be folded (Shape, Slice, ...) is then refused with the reason.
   */
  private fold(np: WireNode, index: number, shapes: Map<string, number[]>): boolean {
    const op = np.opType;
    if (!FOLDABLE.has(op) || (np.domain && np.domain !== "ai.onnx")) return false;
    const name = np.name || `${op}_${index}`;
    const where = `node "${name}" (${op})`;
    const inputs = [...np.input];
    while (inputs.length > 0 && inputs[inputs.length - 1] === "") inputs.pop();
    const consts = inputs.map((v) => (v === "" ? undefined : this.constOf(v)));
    const foldOnly = FOLD_ONLY.has(op);
    const byShape = op === "Shape" || op === "Size";
    const known = byShape ? shapes.has(inputs[0] ?? "") : inputs.every((v, j) => v === "" || consts[j]);
    if (!known) {
      if (!foldOnly) return false;
      const missing = byShape ? inputs[0] : inputs.find((v, j) => v !== "" && !consts[j]);
      throw new UserError(`${where}: armbench computes ${op} at load only, and its input "${missing}" is not known then (${byShape ? "its shape depends on something computed at run time" : "it is computed at run time"}).`);
    }
    if (np.output.length !== 1) throw new UserError(`${where} has ${np.output.length} outputs; armbench supports one.`);
    const attrs = new Map<string, WireAttribute>();
    for (const a of np.attribute) attrs.set(a.name, a);
    const take = new AttrReader(where, attrs);
    if (this.opset < 6) take.ints("consumed_inputs", []);
    const c = (j: number) => consts[j] ?? fail(`${where}: input ${j} is missing`);
    const ints = (j: number, what: string) => {
      const t = c(j);
      if (t.type === "float32") throw new UserError(`${where}: the ${what} input must be an integer tensor.`);
      return t.data;
    };
    let out: Const;
    switch (op) {
      case "Shape": {
        const dims = shapes.get(inputs[0]!)!;
        const norm = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
        const start = norm(take.int("start", 0));
        const end = norm(take.int("end", dims.length));
        out = { type: "int64", dims: [Math.max(0, end - start)], data: dims.slice(start, end) };
        break;
      }
      case "Size":
        out = { type: "int64", dims: [], data: [shapes.get(inputs[0]!)!.reduce((p, d) => p * d, 1)] };
        break;
      case "Identity":
        out = c(0);
        break;
      case "Gather":
        out = gatherConst(where, c(0), c(1), take.int("axis", 0));
        break;
      case "Unsqueeze":
      case "Squeeze":
      case "Reshape":
      case "Flatten": {
        const x = c(0);
        const probe: Node =
          op === "Reshape" ? { op, name, inputs: ["x"], outputs: ["y"], attrs: { shape: this.opset < 5 ? take.ints("shape", null) : ints(1, "shape") } }
          : op === "Flatten" ? { op, name, inputs: ["x"], outputs: ["y"], attrs: { axis: take.int("axis", 1) } }
          : { op: op as "Unsqueeze" | "Squeeze", name, inputs: ["x"], outputs: ["y"], attrs: { axes: this.opset < 13 ? take.ints("axes", []) : inputs[1] ? ints(1, "axes") : [] } };
        if (op === "Reshape" && this.opset >= 5) take.int("allowzero", 0);
        out = { ...x, dims: nodeOutputShape(probe, [x.dims]) };
        break;
      }
      case "Concat":
        out = concatConst(where, consts.map((_, j) => c(j)), take.int("axis", this.opset < 4 ? 1 : null));
        break;
      case "Cast": {
        const to = this.castTo(take);
        if (this.opset >= 19) take.int("saturate", 1);
        const type = [FLOAT, DOUBLE, FLOAT16, BFLOAT16].includes(to) ? "float32" : to === INT64 || to === INT32 ? "int64" : to === BOOL ? "bool" : null;
        if (!type) throw new UserError(`${where}: casting to ${dtypeName(to)} is not supported.`);
        out = castConst(c(0), type);
        // Held as fp32, a float16 or bfloat16 constant is the fp32 value of its rounding.
        if (to === FLOAT16 || to === BFLOAT16) out = { ...out, data: out.data.map(to === FLOAT16 ? roundToHalf : roundToBf16) };
        break;
      }
      case "ConstantOfShape": {
        const dims = ints(0, "shape");
        const v = attrs.get("value");
        let value: Const = { type: "float32", dims: [1], data: [0] };
        if (v) {
          if (!v.t || v.unread.length > 0) throw new UserError(`${where}: attribute value must be a tensor.`);
          take.seen.add("value");
          const key = `\0${name}/value`;
          this.addTensor(v.t, `${where} value`, key);
          value = this.constOf(key)!;
          this.floats.delete(key);
          this.ints.delete(key);
        }
        out = expandConst(where, { ...value, dims: [] }, dims);
        break;
      }
      case "Equal":
      case "Add":
      case "Sub":
      case "Mul":
      case "Div":
      case "Pow": {
        const b = c(1);
        const dims = this.opset < 7 ? legacyBroadcastDims(where, take, attrs.has("axis"), c(0).dims, b.dims) : null;
        out = binaryConst(where, op, c(0), dims ? { ...b, dims } : b);
        break;
      }
      case "Neg":
        out = binaryConst(where, "Mul", c(0), { type: c(0).type, dims: [], data: [-1] });
        break;
      case "Reciprocal":
        out = binaryConst(where, "Div", { type: c(0).type, dims: [], data: [1] }, c(0));
        break;
      case "Sqrt": {
        const x = c(0);
        if (x.type !== "float32") throw new UserError(`${where}: Sqrt of ${x.type} is not defined.`);
        out = { ...x, data: x.data.map((v) => Math.fround(Math.sqrt(v))) };
        break;
      }
      case "Where":
        out = whereConst(where, c(0), c(1), c(2));
        break;
      case "Expand":
        out = expandConst(where, c(0), ints(1, "shape"));
        break;
      case "Range": {
        const [a, b, d] = [c(0), c(1), c(2)];
        out = rangeConst(where, a.data[0]!, b.data[0]!, d.data[0]!, a.type);
        break;
      }
      case "Slice":
        if (this.opset < 10) out = sliceConst(where, c(0), take.ints("starts", null), take.ints("ends", null), attrs.has("axes") ? take.ints("axes", []) : undefined);
        else out = sliceConst(where, c(0), ints(1, "starts"), ints(2, "ends"), inputs[3] ? ints(3, "axes") : undefined, inputs[4] ? ints(4, "steps") : undefined);
        break;
      case "Transpose":
        out = transposeConst(where, c(0), take.ints("perm", []));
        break;
      default:
        return false;
    }
    take.done();
    this.setConst(np.output[0]!, out, where);
    shapes.set(np.output[0]!, out.dims);
    return true;
  }

  /**
   * Slice, Pad and Expand of a tensor computed at run time (with constant starts, ends,
   * axes, steps, pads and shape), as ops the executor runs: Slice and Pad as one Gather
   * of constant indices per axis they change (Pad's constant border as the zero row an
   * index one past the end reads, plus the constant where it is not 0; reflect and
   * edge as the indices they repeat), Expand as a Mul by ones over the axes it widens
   * (x times 1 is x, NaN and -0 included).
   */
  private indexedCopy(np: WireNode, name: string, where: string, shapes: Map<string, number[]>): Node[] {
    if (np.domain && np.domain !== "ai.onnx") throw new UserError(`${where} is in domain "${np.domain}"; armbench supports only standard ONNX ops.`);
    const attrs = new Map<string, WireAttribute>();
    for (const a of np.attribute) {
      if (attrs.has(a.name)) throw new UserError(`${where}: attribute ${a.name} is given twice.`);
      attrs.set(a.name, a);
    }
    const take = new AttrReader(where, attrs);
    const inputs = [...np.input];
    while (inputs.length > 0 && inputs[inputs.length - 1] === "") inputs.pop();
    if (np.output.length !== 1 || !np.output[0]) throw new UserError(`${where} has ${np.output.length} outputs; armbench supports one.`);
    const [x, y] = [inputs[0] ?? "", np.output[0]];
    const dims = shapes.get(x) ?? fail(`${where}: the shape of its input "${x}" is not known at load`);
    const ints = (i: number, what: string) => (inputs[i] ? this.intInput(inputs[i], where, what) : fail(`${where}: the ${what} input is missing`));
    const nodes: Node[] = [];
    /** One Gather per axis with indices, chained; the last writes y. */
    const gathers = (perAxis: { axis: number; data: number[]; zeroRow?: boolean }[], last: string) => {
      let v = x;
      perAxis.forEach((g, i) => {
        const end = i === perAxis.length - 1;
        const out = end ? last : `${name}/axis${g.axis}`;
        nodes.push({ op: "Gather", name: end && last === y ? name : out, inputs: [v], outputs: [out], attrs: { axis: g.axis, indices: { dims: [g.data.length], data: g.data }, ...(g.zeroRow ? { zeroRow: true } : {}) } });
        v = out;
      });
    };
    if (np.opType === "Pad") {
      const rank = dims.length;
      let pads: number[];
      let value = 0;
      let axes = dims.map((_, a) => a);
      if (this.opset < 11) {
        pads = take.ints(this.opset < 2 ? "paddings" : "pads", null);
        value = take.float("value", 0);
      } else {
        pads = ints(1, "pads");
        if (inputs[2]) {
          const v = this.floats.get(inputs[2]) ?? fail(`${where}: the constant_value input "${inputs[2]}" must be a constant float`);
          if (v.data.length !== 1) throw new UserError(`${where}: constant_value must be one value.`);
          value = v.data[0]!;
        }
        if (inputs[3]) axes = ints(3, "axes").map((a) => (a < 0 ? a + rank : a));
      }
      const mode = take.string("mode", "constant");
      if (!["constant", "reflect", "edge"].includes(mode)) throw new UserError(`${where}: mode "${mode}" is not supported (constant, reflect and edge are).`);
      if (axes.some((a) => a < 0 || a >= rank) || new Set(axes).size !== axes.length) throw new UserError(`${where}: axes [${axes.join(", ")}] are out of range or repeated for rank ${rank}.`);
      if (pads.length !== 2 * axes.length) throw new UserError(`${where}: pads [${pads.join(", ")}] must hold ${2 * axes.length} values (begins, then ends).`);
      const perAxis: { axis: number; data: number[]; zeroRow?: boolean }[] = [];
      axes.forEach((a, i) => {
        const [before, after] = [pads[i]!, pads[i + axes.length]!];
        if (before === 0 && after === 0) return;
        const d = dims[a]!;
        const out = d + before + after;
        if (out < 1) throw new UserError(`${where}: pads [${before}, ${after}] leave nothing of axis ${a} (${d} long).`);
        if (out > MAX_IM2COL_INDICES) throw new UserError(`${where}: pads [${before}, ${after}] make axis ${a} ${out} long, more than the ${MAX_IM2COL_INDICES} armbench indexes.`);
        if (mode === "reflect" && (before >= d || after >= d)) throw new UserError(`${where}: reflect pads [${before}, ${after}] must be shorter than axis ${a} (${d} long).`);
        const data = Array.from({ length: out }, (_, o) => {
          const s = o - before;
          if (s >= 0 && s < d) return s;
          if (mode === "edge") return s < 0 ? 0 : d - 1;
          if (mode === "reflect") return s < 0 ? -s : 2 * (d - 1) - s;
          return d;
        });
        perAxis.push({ axis: a, data, ...(mode === "constant" && data.includes(d) ? { zeroRow: true } : {}) });
      });
      const border = mode === "constant" && value !== 0 && perAxis.some((g) => g.zeroRow);
      gathers(perAxis, border ? `${name}/zero_padded` : y);
      if (border) {
        // value where any axis reads its zero row, 0 elsewhere: added, the border becomes value.
        const ydims = [...dims];
        for (const g of perAxis) ydims[g.axis] = g.data.length;
        const total = elementCount(ydims, `${where} output`);
        if (total > MAX_IM2COL_INDICES) throw new UserError(`${where}: a border value other than 0 on an output of ${total} values is more than the ${MAX_IM2COL_INDICES} armbench builds at load.`);
        const mask = new Float32Array(total);
        const stride = ydims.map((_, a) => ydims.slice(a + 1).reduce((p, v) => p * v, 1));
        for (let e = 0; e < total; e++) {
          if (perAxis.some((g) => g.data[Math.floor(e / stride[g.axis]!) % ydims[g.axis]!] === dims[g.axis])) mask[e] = value;
        }
        const k = this.emitter(name).constant("border", { dims: ydims, data: mask });
        nodes.push({ op: "Add", name, inputs: [`${name}/zero_padded`, k], outputs: [y], attrs: {} });
      }
    } else if (np.opType === "Slice") {
      const legacy = this.opset < 10;
      const w = sliceWindow(
        where, dims,
        legacy ? take.ints("starts", null) : ints(1, "starts"),
        legacy ? take.ints("ends", null) : ints(2, "ends"),
        legacy ? (attrs.has("axes") ? take.ints("axes", null) : undefined) : inputs[3] ? ints(3, "axes") : undefined,
        !legacy && inputs[4] ? ints(4, "steps") : undefined,
      );
      if (w.count.some((c) => c === 0)) throw new UserError(`${where}: the slice is empty ([${w.count.join(", ")}]); armbench's tensors hold at least one value along each axis.`);
      const narrowed = dims.map((_, a) => a).filter((a) => !(w.lo[a] === 0 && w.step[a] === 1 && w.count[a] === dims[a]));
      gathers(narrowed.map((a) => ({ axis: a, data: Array.from({ length: w.count[a]! }, (_, j) => w.lo[a]! + j * w.step[a]!) })), y);
    } else {
      const shape = ints(1, "shape");
      const ydims = broadcastDims(dims, shape) ?? fail(`${where}: [${dims.join(", ")}] does not expand to [${shape.join(", ")}]`);
      const aligned = [...Array<number>(ydims.length - dims.length).fill(1), ...dims];
      const onesDims = ydims.map((d, i) => (aligned[i] === 1 ? d : 1));
      const count = elementCount(onesDims, `${where} output`);
      if (count > MAX_IM2COL_INDICES) throw new UserError(`${where}: expanding [${dims.join(", ")}] to [${ydims.join(", ")}] needs ${count} ones, more than the ${MAX_IM2COL_INDICES} armbench builds at load.`);
      if (ydims.length > dims.length || count > 1) {
        const ones = this.emitter(name).constant("ones", { dims: onesDims, data: new Float32Array(count).fill(1) });
        nodes.push({ op: "Mul", name, inputs: [x, ones], outputs: [y], attrs: {} });
      }
    }
    if (nodes.length === 0) nodes.push({ op: "Identity", name, inputs: [x], outputs: [y], attrs: {} });
    take.done();
    return nodes;
  }

  /** DynamicQuantizeLinear as the ops ONNX defines it by (dynamicQuantizeAsOps); three outputs, each written by its own node. */
  private dynamicQuantize(np: WireNode, name: string, where: string): Node[] {
    const inputs = np.input.filter((v, i) => v !== "" || i === 0);
    if (inputs.length !== 1 || !inputs[0] || np.output.length < 1 || np.output.length > 3 || !np.output[0]) throw new UserError(`${where} takes one input and one to three outputs.`);
    if (np.attribute.length > 0) throw new UserError(`${where}: attribute ${np.attribute[0]!.name} is not supported.`);
    const e = this.emitter(name);
    return dynamicQuantizeAsOps(name, inputs[0], np.output[0], np.output[1] || e.value("scale"), np.output[2] || e.value("zero_point"), e);
  }

  /** New values and constants for the nodes a rewrite of node `name` adds. */
  private emitter(name: string): Emit {
    return {
      value: (suffix) => `${name}/${suffix}`,
      constant: (suffix, t) => {
        const k = `${name}/${suffix}`;
        if (this.floats.has(k) || this.ints.has(k)) throw new UserError(`node "${name}": the value "${k}" it needs is already defined.`);
        this.floats.set(k, t);
        return k;
      },
    };
  }

  /** y = x + bias, the bias ([C], computed at run time) viewed as [C, 1, ...] over `spatial` axes. */
  private addBias(bias: string, x: string, y: string, spatial: number, e: Emit): Node[] {
    const view = e.value("bias");
    return [
      { op: "Reshape", name: view, inputs: [bias], outputs: [view], attrs: { shape: [-1, ...Array<number>(spatial).fill(1)] } },
      { op: "Add", name: `${y}/add_bias`, inputs: [x, view], outputs: [y], attrs: {} },
    ];
  }

  /** Cast's target type: a number, or before opset 6 the type's name ("FLOAT"). */
  private castTo(take: AttrReader): number {
    if (this.opset >= 6) return take.int("to", null);
    const name = take.string("to", "");
    const types = onnx.TensorProto.DataType as unknown as Record<string, number>;
    const to = types[name.toUpperCase()];
    if (to === undefined || name === "") throw new UserError(`${take.where}: attribute to "${name}" names no tensor type.`);
    return to;
  }

  intTensor(name: string): { dims: number[]; data: number[] } | undefined {
    return this.ints.get(name);
  }

  /**
   * LayerNormalization's optional Mean and InvStdDev outputs as the ops that compute them
   * (ReduceMean over the normalised axes, then 1 / sqrt(mean of squares of x - mean + epsilon)):
   * the executor's layer norm writes only Y.
   */
  private layerNormStats(name: string, x: string, axis: number, epsilon: number, mean: string, invStd: string): Node[] {
    const value = (suffix: string) => `${name}/stats/${suffix}`;
    const scalar = (suffix: string, v: number) => {
      const k = value(suffix);
      this.floats.set(k, { dims: [], data: Float32Array.of(v) });
      return k;
    };
    // The axes are [axis, rank) of x, whose rank is known only with shapes: a negative axis counts from the end.
    const axes = (rank: number) => Array.from({ length: rank - (axis < 0 ? axis + rank : axis) }, (_, i) => (axis < 0 ? axis + rank : axis) + i);
    const m = mean || value("mean");
    const reduce = (n: string, input: string, out: string): Node => ({ op: "ReduceMean", name: n, inputs: [input], outputs: [out], attrs: { axes: [], keepdims: true } });
    const nodes: Node[] = [reduce(value("ReduceMean"), x, m)];
    this.pendingAxes.set(nodes[0]!, axes);
    if (invStd) {
      nodes.push({ op: "Sub", name: value("Sub"), inputs: [x, m], outputs: [value("d")], attrs: {} });
      nodes.push({ op: "Mul", name: value("Square"), inputs: [value("d"), value("d")], outputs: [value("d2")], attrs: {} });
      const v = reduce(value("ReduceMean_1"), value("d2"), value("var"));
      this.pendingAxes.set(v, axes);
      nodes.push(v);
      nodes.push({ op: "Add", name: value("AddEps"), inputs: [value("var"), scalar("eps", epsilon)], outputs: [value("ve")], attrs: {} });
      nodes.push({ op: "Sqrt", name: value("Sqrt"), inputs: [value("ve")], outputs: [value("std")], attrs: {} });
      nodes.push({ op: "Div", name: value("Reciprocal"), inputs: [scalar("one", 1), value("std")], outputs: [invStd], attrs: {} });
    }
    return nodes;
  }

  /** A constant int64 input (axes, shapes), as numbers. */
  private intInput(v: string, where: string, what: string): number[] {
    const t = this.ints.get(v);
    if (!t) throw new UserError(`${where}: the ${what} input "${v}" must be a constant int64 tensor.`);
    return [...t.data];
  }

  private autoPad(take: AttrReader, node: Node, pending: Map<Node, string>): void {
    const mode = take.string("auto_pad", "NOTSET");
    if (mode === "NOTSET") return;
    if (!["SAME_UPPER", "SAME_LOWER", "VALID"].includes(mode)) throw new UserError(`node "${node.name}" (${node.op}): auto_pad "${mode}" is not supported.`);
    pending.set(node, mode);
  }
}

/** Reads attributes by name and type; `done()` refuses any the op does not know. */
class AttrReader {
  readonly seen = new Set<string>();

  constructor(
    readonly where: string,
    private readonly attrs: Map<string, WireAttribute>,
  ) {}

  private get(name: string, type: number): WireAttribute | undefined {
    const a = this.attrs.get(name);
    if (!a) return undefined;
    this.seen.add(name);
    if ((a.type && a.type !== type) || a.unread.length > 0) throw new UserError(`${this.where}: attribute ${name} has the wrong type (${a.type}).`);
    return a;
  }

  int(name: string, def: number | null): number {
    const a = this.get(name, onnx.AttributeProto.AttributeType.INT);
    if (!a) {
      if (def === null) throw new UserError(`${this.where}: the required attribute ${name} is missing.`);
      return def;
    }
    return toInt(a.i, `${this.where} attribute ${name}`);
  }

  ints(name: string, def: number[] | null): number[] {
    const a = this.get(name, onnx.AttributeProto.AttributeType.INTS);
    if (!a) {
      if (def === null) throw new UserError(`${this.where}: the required attribute ${name} is missing.`);
      return def;
    }
    return a.ints.map((v) => toInt(v, `${this.where} attribute ${name}`));
  }

  float(name: string, def: number): number {
    const a = this.get(name, onnx.AttributeProto.AttributeType.FLOAT);
    return a ? a.f : def;
  }

  string(name: string, def: string): string {
    const a = this.get(name, onnx.AttributeProto.AttributeType.STRING);
    return a?.s ? printable(Buffer.from(a.s).toString("utf8"), `${this.where}: attribute ${name}`) : def;
  }

  done(): void {
    for (const k of this.attrs.keys()) if (!this.seen.has(k)) throw new UserError(`${this.where}: attribute ${k} is not supported.`);
  }
}

/**
 * Before opset 7, Add, Sub, Mul, Div, Pow and Equal broadcast only under broadcast=1: B
 * against A's axes from `axis` on (default: A's last axes), or B a single value; without
 * it both shapes are equal. Returns the dims under which numpy broadcasting of B means
 * the same (1s appended), or null where B's own dims already do.
 */
function legacyBroadcastDims(where: string, take: AttrReader, hasAxis: boolean, a: number[] | undefined, b: number[] | undefined): number[] | null {
  const on = take.int("broadcast", 0) === 1;
  const axis = hasAxis ? take.int("axis", 0) : undefined;
  if (!a || !b) {
    if (on) throw new UserError(`${where}: legacy broadcasting (broadcast=1, before opset 7) needs both input shapes at load.`);
    return null;
  }
  if (!on) {
    if (a.join() !== b.join()) throw new UserError(`${where}: before opset 7, inputs [${a.join(", ")}] and [${b.join(", ")}] must be of one shape without broadcast=1.`);
    return null;
  }
  if (b.every((d) => d === 1) && b.length <= a.length) return null;
  const start = axis === undefined ? a.length - b.length : axis < 0 ? axis + a.length : axis;
  if (start < 0 || start + b.length > a.length || b.some((d, i) => d !== a[start + i])) {
    throw new UserError(`${where}: B [${b.join(", ")}] does not match A [${a.join(", ")}] from axis ${start} (broadcast=1, before opset 7).`);
  }
  const dims = [...b, ...Array<number>(a.length - start - b.length).fill(1)];
  return dims.length === b.length ? null : dims;
}

/**
 * The largest window, stride, dilation and padding the native conv kernels take (the
 * addon refuses more); pools take larger windows. Checked at load so that a model asking
 * for more is refused naming the node and attribute, not deep in engine creation.
 */
export const MAX_CONV_WINDOW = 1024;
export const MAX_POOL_WINDOW = 2 ** 20;

/**
 * A 1-D op's attribute as the 2-D op over a plane of height 1 takes it: [v] becomes
 * [1, v], pads [begin, end] become [0, begin, 0, end]; a 2-D op's as it is.
 */
function lift1d(v: number[], oneD: boolean, where: string, what: string): number[] {
  if (!oneD) return v;
  const pads = what === "pads";
  if (v.length !== (pads ? 2 : 1)) throw new UserError(`${where}: ${what} [${v.join(", ")}] must hold ${pads ? "two values" : "one value"} (a 1-D op).`);
  return pads ? [0, v[0]!, 0, v[1]!] : [1, v[0]!];
}

function pair(v: number[], where: string, what: string, max: number): [number, number] {
  if (v.length !== 2 || v.some((x) => !(x >= 1))) throw new UserError(`${where}: ${what} [${v.join(", ")}] must be two positive values (2-D ops only).`);
  if (v.some((x) => x > max)) throw new UserError(`${where}: ${what} [${v.join(", ")}] exceeds ${max}, the most armbench's kernels take.`);
  return [v[0]!, v[1]!];
}

function quad(v: number[], where: string, max: number, what = "pads"): [number, number, number, number] {
  if (v.length !== 4 || v.some((x) => x < 0)) throw new UserError(`${where}: ${what} [${v.join(", ")}] must be four non-negative values (2-D ops only).`);
  if (v.some((x) => x > max)) throw new UserError(`${where}: ${what} [${v.join(", ")}] exceeds ${max}, the most armbench's kernels take.`);
  return [v[0]!, v[1]!, v[2]!, v[3]!];
}

/** The pool kernels (as onnxruntime) need every pad smaller than the window along its axis. */
function poolPadsFit(a: PoolAttrs, where: string, what = "pads"): void {
  const [t, l, b, r] = a.pads;
  if (Math.max(t, b) >= a.kernel[0] || Math.max(l, r) >= a.kernel[1]) {
    throw new UserError(`${where}: ${what} [${a.pads.join(", ")}] must each be smaller than the window [${a.kernel.join(", ")}] along their axis.`);
  }
}

/** Refuses a location that leaves the model's folder, directly or through a symlink. */
export function resolveExternal(baseDir: string, location: string, what: string): string {
  if (path.isAbsolute(location) || location.includes("\0")) throw new UserError(`${what} names the external file "${location}", which is not a path relative to the model's folder.`);
  const base = realpathSync(baseDir);
  const file = path.resolve(base, location);
  const inside = (p: string) => {
    const rel = path.relative(base, p);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  };
  if (!inside(file)) throw new UserError(`${what} names the external file "${location}", which lies outside the model's folder.`);
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw new UserError(`${what} names the external file "${location}", which does not exist next to the model.`);
  }
  if (!inside(real)) throw new UserError(`${what} names the external file "${location}", which resolves (through a link) outside the model's folder.`);
  // A FIFO or device would block or never end; only regular files hold weights.
  if (!statSync(real).isFile()) throw new UserError(`${what} names the external file "${location}", which is not a regular file.`);
  return real;
}

/** A TensorProto built here, in the wire form the loader reads every tensor in. */
function wireTensor(t: TensorProto, where: string): WireTensor {
  const int64Data = t.int64Data?.map((v) => (typeof v === "bigint" ? v.toString() : v));
  return decodeTensorWire(onnx.TensorProto.encode({ ...t, ...(int64Data ? { int64Data } : {}) } as TensorProto).finish(), where);
}

function copyAligned(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function floatsFromLittleEndian(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.length / 4);
  if (os.endianness() === "LE") new Uint8Array(out.buffer).set(b);
  else {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
  }
  return out;
}

function littleEndianBytes(data: Float32Array): Uint8Array {
  if (os.endianness() === "LE") return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.length * 4);
  const dv = new DataView(out.buffer);
  data.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return out;
}

function floatTensorProto(name: string, t: Tensor): TensorProto {
  return { name, dims: t.dims, dataType: FLOAT, rawData: littleEndianBytes(t.data) };
}

/** A constant of another type held as fp32 (Tensor.dtype), in its own type again. */
function typedTensorProto(name: string, t: Tensor): TensorProto {
  if (t.dtype === "int64") return int64TensorProto(name, Array.from(t.data), t.dims);
  const raw =
    t.dtype === "bool" || t.dtype === "uint8" ? Uint8Array.from(t.data)
    : t.dtype === "int8" ? new Uint8Array(Int8Array.from(t.data).buffer)
    : t.dtype === "float16" || t.dtype === "bfloat16" ? new Uint8Array(Uint16Array.from(t.data, t.dtype === "float16" ? floatToHalfBits : floatToBf16Bits).buffer)
    : new Uint8Array(Int32Array.from(t.data).buffer);
  return { name, dims: t.dims, dataType: ONNX_TYPES[t.dtype!], rawData: raw };
}

function int64TensorProto(name: string, values: number[], dims = [values.length]): TensorProto {
  const raw = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims, dataType: INT64, rawData: new Uint8Array(raw.buffer) };
}

const attrInt = (name: string, i: number): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const attrInts = (name: string, ints: number[]): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const attrFloat = (name: string, f: number): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
const attrString = (name: string, v: string): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(v, "utf8") });

/**
 * IR -> ModelProto bytes (weights as raw_data) that onnxruntime runs as-is. Fused nodes
 * are written back as the standard ops they stand for (Conv, Add, Relu/Clip), so the
 * saved graph computes what the optimised one does.
 */
export function saveOnnx(g: Graph): Uint8Array {
  const shapes = inferShapes(g);
  const types = inferTypes(g);
  // The graph's own opset, or a later one where an op needs it: Softmax off the last axis
  // 13 (before, it flattened the axes after it), HardSwish 14, LayerNormalization 17 (a
  // graph that names its opset keeps it: onnxruntime runs its own LayerNormalization at
  // any opset, and its attention fusion needs opset 12), Gelu 20.
  const needs = (n: Node) =>
    n.op === "HardSwish" ? 14
    : n.op === "LayerNormalization" ? (g.opset === undefined ? 17 : MIN_SAVE_OPSET)
    : n.op === "Gelu" || (n.op === "FusedGemm" && n.attrs.act.startsWith("gelu")) ? 20
    : n.op === "Gather" && n.attrs.zeroRow ? 11
    : n.op === "LessOrEqual" || n.op === "GreaterOrEqual" ? 12
    : n.op === "Equal" ? 11
    : n.op === "Where" ? 9
    : n.op === "QuantizeLinear" || n.op === "DequantizeLinear" ? 13
    : n.op === "Round" || n.op === "DynamicQuantMatMul" ? 11
    : n.op === "MatMulInteger" || n.op === "QLinearMatMul" || n.op === "ConvInteger" || n.op === "QLinearConv" ? 10
    : (n.op === "Softmax" || n.op === "LogSoftmax") && n.attrs.axis !== -1 && n.attrs.axis !== shapes.get(n.inputs[0]!)!.length - 1 && !n.attrs.throughLast ? 13
    : MIN_SAVE_OPSET;
  const opset = Math.max(g.opset ?? SAVE_OPSET, MIN_SAVE_OPSET, ...g.nodes.map(needs));
  const init: TensorProto[] = [...g.initializers].map(([k, t]) => (t.dtype ? typedTensorProto(k, t) : floatTensorProto(k, t)));
  const nodes: NodeProto[] = [];
  const ints = (name: string, values: number[], dims?: number[]) => {
    init.push(int64TensorProto(name, values, dims));
    return name;
  };
  const act = (n: { name: string }, x: string, y: string, a: { act: string; clipMin?: number; clipMax?: number }) => {
    if (a.act === "relu") nodes.push({ name: `${n.name}/relu`, opType: "Relu", input: [x], output: [y] });
    else if (a.act === "clip") nodes.push(clipNode(`${n.name}/clip`, x, y, a.clipMin ?? -Infinity, a.clipMax ?? Infinity, init, opset));
    else if (a.act === "gelu" || a.act === "gelu-tanh") {
      nodes.push({ name: `${n.name}/gelu`, opType: "Gelu", input: [x], output: [y], attribute: a.act === "gelu-tanh" ? [attrString("approximate", "tanh")] : [] });
    }
  };
  for (const n of g.nodes) {
    const base = { name: n.name, input: n.inputs, output: n.outputs };
    switch (n.op) {
      case "Conv":
      case "FusedConv": {
        const a = n.attrs;
        const convAttrs = [attrInts("kernel_shape", a.kernel), attrInts("strides", a.strides), attrInts("pads", a.pads), attrInts("dilations", a.dilations), attrInt("group", a.group)];
        const ins = n.inputs[2] ? n.inputs.slice(0, 3) : n.inputs.slice(0, 2);
        if (n.op === "Conv") {
          nodes.push({ ...base, opType: "Conv", input: ins, attribute: convAttrs });
          break;
        }
        const residual = n.inputs[3] ?? "";
        const y = n.outputs[0]!;
        const afterConv = residual || n.attrs.act !== "none" ? `${y}/conv` : y;
        nodes.push({ ...base, opType: "Conv", input: ins, output: [afterConv], attribute: convAttrs });
        let cur = afterConv;
        if (residual) {
          const sum = n.attrs.act !== "none" ? `${y}/add` : y;
          nodes.push({ name: `${n.name}/add`, opType: "Add", input: [cur, residual], output: [sum] });
          cur = sum;
        }
        act(n, cur, y, n.attrs);
        break;
      }
      case "FusedGemm": {
        const y = n.outputs[0]!;
        const mid = n.attrs.act !== "none" ? `${y}/gemm` : y;
        const ins = n.inputs[2] ? n.inputs.slice(0, 3) : n.inputs.slice(0, 2);
        if (shapes.get(n.inputs[0]!)!.length === 2) nodes.push({ ...base, opType: "Gemm", input: ins, output: [mid], attribute: [attrInt("transB", 1)] });
        else {
          // Gemm is 2-D only: x [..., k] @ W^T (+ bias) as Transpose, MatMul and Add.
          const wt = `${n.name}/weight_t`;
          nodes.push({ name: `${n.name}/transpose`, opType: "Transpose", input: [n.inputs[1]!], output: [wt], attribute: [attrInts("perm", [1, 0])] });
          const mm = n.inputs[2] ? `${y}/matmul` : mid;
          nodes.push({ name: n.name, opType: "MatMul", input: [n.inputs[0]!, wt], output: [mm] });
          if (n.inputs[2]) nodes.push({ name: `${n.name}/bias`, opType: "Add", input: [mm, n.inputs[2]], output: [mid] });
        }
        act(n, mid, y, n.attrs);
        break;
      }
      case "Attention": {
        // The ops it stands for: MatMul, the scale's Mul or Div, the mask's Add, Softmax
        // over the last axis (-1 means the last axis at every opset), MatMul by v.
        const [q, kt, v, mask] = n.inputs as [string, string, string, string];
        const y = n.outputs[0]!;
        let cur = `${y}/scores`;
        nodes.push({ name: `${n.name}/matmul_qk`, opType: "MatMul", input: [q, kt], output: [cur] });
        if (n.attrs.scaleOp !== "none") {
          const c = `${n.name}/scale`;
          init.push(floatTensorProto(c, { dims: [], data: Float32Array.of(n.attrs.scaleBy) }));
          nodes.push({ name: `${n.name}/${n.attrs.scaleOp.toLowerCase()}`, opType: n.attrs.scaleOp, input: [cur, c], output: [`${y}/scaled`] });
          cur = `${y}/scaled`;
        }
        if (mask) {
          nodes.push({ name: `${n.name}/add_mask`, opType: "Add", input: [cur, mask], output: [`${y}/masked`] });
          cur = `${y}/masked`;
        }
        nodes.push({ name: `${n.name}/softmax`, opType: "Softmax", input: [cur], output: [`${y}/probs`], attribute: [attrInt("axis", -1)] });
        nodes.push({ name: n.name, opType: "MatMul", input: [`${y}/probs`, v], output: [y] });
        break;
      }
      case "Gather": {
        const idx = n.attrs.indices;
        const input = idx ? [n.inputs[0]!, ints(`${n.name}/indices`, idx.data, idx.dims)] : n.inputs;
        if (n.attrs.zeroRow) {
          // The row of zeros an index one past the end reads, made real: one zero padded at the axis's end (Pad 11+).
          const rank = shapes.get(n.inputs[0]!)!.length;
          const axis = n.attrs.axis < 0 ? n.attrs.axis + rank : n.attrs.axis;
          const pads = Array<number>(2 * rank).fill(0);
          pads[rank + axis] = 1;
          input[0] = `${n.name}/padded`;
          nodes.push({ name: `${n.name}/pad`, opType: "Pad", input: [n.inputs[0]!, ints(`${n.name}/pads`, pads)], output: [input[0]] });
        }
        nodes.push({ ...base, opType: n.op, input, attribute: [attrInt("axis", n.attrs.axis)] });
        break;
      }
      case "Unsqueeze":
      case "Squeeze": {
        // Opset 13 moved the axes from an attribute to an input.
        if (opset < 13) nodes.push({ ...base, opType: n.op, attribute: n.attrs.axes.length ? [attrInts("axes", n.attrs.axes)] : [] });
        else nodes.push({ ...base, opType: n.op, input: n.attrs.axes.length ? [n.inputs[0]!, ints(`${n.name}/axes`, n.attrs.axes)] : [n.inputs[0]!] });
        break;
      }
      case "Cast":
        nodes.push({ ...base, opType: n.op, attribute: [attrInt("to", ONNX_TYPES[n.attrs.to])] });
        break;
      case "Transpose":
        nodes.push({ ...base, opType: n.op, attribute: n.attrs.perm.length ? [attrInts("perm", n.attrs.perm)] : [] });
        break;
      case "ReduceMean":
      case "ReduceSum":
      case "ReduceMax":
      case "ReduceMin": {
        const keep = attrInt("keepdims", n.attrs.keepdims ? 1 : 0);
        // Opset 13 (ReduceSum) and 18 (the rest) moved the axes from an attribute to an input.
        if (opset >= (n.op === "ReduceSum" ? 13 : 18)) nodes.push({ ...base, opType: n.op, input: n.attrs.axes.length ? [n.inputs[0]!, ints(`${n.name}/axes`, n.attrs.axes)] : [n.inputs[0]!], attribute: [keep] });
        else nodes.push({ ...base, opType: n.op, attribute: [...(n.attrs.axes.length ? [attrInts("axes", n.attrs.axes)] : []), keep] });
        break;
      }
      case "LayerNormalization": {
        const attrs = [attrInt("axis", n.attrs.axis), attrFloat("epsilon", n.attrs.epsilon)];
        const ins = n.inputs[2] ? n.inputs.slice(0, 3) : n.inputs.slice(0, 2);
        if (n.inputs[3]) {
          const sum = `${n.outputs[0]!}/sum`;
          nodes.push({ name: `${n.name}/add`, opType: "Add", input: [n.inputs[0]!, n.inputs[3]], output: [sum] });
          ins[0] = sum;
        }
        nodes.push({ ...base, opType: n.op, input: ins, attribute: attrs });
        break;
      }
      case "Gelu":
        nodes.push({ ...base, opType: n.op, attribute: n.attrs.approximate === "tanh" ? [attrString("approximate", "tanh")] : [] });
        break;
      case "Gemm": {
        const a = n.attrs;
        const ins = n.inputs[2] ? n.inputs.slice(0, 3) : n.inputs.slice(0, 2);
        nodes.push({ ...base, opType: "Gemm", input: ins, attribute: [attrFloat("alpha", a.alpha), attrFloat("beta", a.beta), attrInt("transA", a.transA ? 1 : 0), attrInt("transB", a.transB ? 1 : 0)] });
        break;
      }
      case "MaxPool":
      case "AveragePool": {
        const a = n.attrs;
        const attrs = [attrInts("kernel_shape", a.kernel), attrInts("strides", a.strides), attrInts("pads", a.pads)];
        if (n.op === "AveragePool") attrs.push(attrInt("count_include_pad", a.countIncludePad ? 1 : 0));
        nodes.push({ ...base, opType: n.op, attribute: attrs });
        break;
      }
      case "BatchNormalization":
        nodes.push({ ...base, opType: n.op, attribute: [attrFloat("epsilon", n.attrs.epsilon)] });
        break;
      case "Clip":
        nodes.push(clipNode(n.name, n.inputs[0]!, n.outputs[0]!, n.attrs.min, n.attrs.max, init, opset));
        break;
      case "Flatten":
      case "Concat":
      case "Softmax":
      case "LogSoftmax":
        if ((n.op === "Softmax" || n.op === "LogSoftmax") && n.attrs.throughLast && opset >= 13) {
          // The pre-13 meaning at a later opset: flattened at axis, softmax over the rest, shape restored.
          const flat = `${n.outputs[0]!}/flat`;
          const soft = `${n.outputs[0]!}/softmax`;
          nodes.push({ name: `${n.name}/flatten`, opType: "Flatten", input: [n.inputs[0]!], output: [flat], attribute: [attrInt("axis", n.attrs.axis)] });
          nodes.push({ name: n.name, opType: n.op, input: [flat], output: [soft], attribute: [attrInt("axis", 1)] });
          nodes.push({ name: `${n.name}/reshape`, opType: "Reshape", input: [soft, ints(`${n.name}/shape`, shapes.get(n.inputs[0]!)!)], output: n.outputs });
        } else nodes.push({ ...base, opType: n.op, attribute: [attrInt("axis", n.attrs.axis)] });
        break;
      case "Reshape":
        nodes.push({ ...base, opType: n.op, input: [n.inputs[0]!, ints(`${n.name}/shape`, n.attrs.shape)] });
        break;
      case "Constant":
        nodes.push({ ...base, opType: n.op, attribute: [{ name: "value", type: onnx.AttributeProto.AttributeType.TENSOR, t: floatTensorProto("", n.attrs.value) }] });
        break;
      case "QuantizeLinear":
      case "DequantizeLinear":
        nodes.push({ ...base, opType: n.op, attribute: [attrInt("axis", n.attrs.axis)] });
        break;
      case "ConvInteger":
      case "QLinearConv": {
        const a = n.attrs;
        nodes.push({ ...base, opType: n.op, attribute: [attrInts("kernel_shape", a.kernel), attrInts("strides", a.strides), attrInts("pads", a.pads), attrInts("dilations", a.dilations), attrInt("group", a.group)] });
        break;
      }
      case "DynamicQuantMatMul": {
        // As onnxruntime's quantize_dynamic writes a MatMul, which its optimizer fuses into its own int8 kernel.
        const [x, w, wScale] = n.inputs as [string, string, string];
        const v = (s: string) => `${n.name}/${s}`;
        nodes.push({ name: `${n.name}/quantize`, opType: "DynamicQuantizeLinear", input: [x], output: [v("x_quantized"), v("x_scale"), v("x_zero_point")] });
        nodes.push({ name: `${n.name}/matmul_integer`, opType: "MatMulInteger", input: [v("x_quantized"), w, v("x_zero_point")], output: [v("product")] });
        nodes.push({ name: `${n.name}/cast`, opType: "Cast", input: [v("product")], output: [v("product_float")], attribute: [attrInt("to", ONNX_TYPES.float32)] });
        nodes.push({ name: `${n.name}/scales`, opType: "Mul", input: [v("x_scale"), wScale], output: [v("scale")] });
        nodes.push({ ...base, opType: "Mul", input: [v("product_float"), v("scale")] });
        break;
      }
      case "Reorder":
        // A layout change computes nothing.
        nodes.push({ ...base, opType: "Identity" });
        break;

      default:
        nodes.push({ ...base, opType: n.op });
    }
  }
  const valueInfo = (name: string) => ({
    name,
    type: { tensorType: { elemType: ONNX_TYPES[types.get(name) ?? "float32"], shape: { dim: (shapes.get(name) ?? []).map((d) => ({ dimValue: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: opset >= 20 ? 9 : SAVE_IR_VERSION,
    producerName: "armbench",
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: g.name,
      node: nodes,
      initializer: init,
      input: g.inputs.map((v) => valueInfo(v.name)),
      output: g.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function clipNode(name: string, x: string, y: string, min: number, max: number, init: TensorProto[], opset: number): NodeProto {
  // Before opset 11 the bounds were attributes (their defaults the float range).
  if (opset < 11) {
    const attribute = [["min", min], ["max", max]].flatMap(([k, v]) => (Number.isFinite(v) ? [attrFloat(k as string, v as number)] : []));
    return { name, opType: "Clip", input: [x], output: [y], attribute };
  }
  const input = [x];
  for (const [suffix, v] of [["min", min], ["max", max]] as const) {
    if (Number.isFinite(v)) {
      const k = `${name}/${suffix}`;
      init.push(floatTensorProto(k, { dims: [], data: Float32Array.of(v) }));
      input.push(k);
    } else input.push("");
  }
  while (input[input.length - 1] === "") input.pop();
  return { name, opType: "Clip", input, output: [y] };
}

export function saveOnnxFile(file: string, g: Graph): void {
  writeFileSync(file, saveOnnx(g));
}

/** A named fp32 tensor of an ONNX test data set (`test_data_set_N/input_0.pb`). */
export interface NamedTensor extends Tensor {
  name: string;
}

export function decodeTensor(bytes: Uint8Array, what = "the tensor"): NamedTensor {
  const t = decodeTensorWire(bytes, what);
  if (t.dataType !== FLOAT) throw new UserError(`${what} is ${dtypeName(t.dataType)}; armbench reads float32 test data only.`);
  const loader = new Loader(what, {}, SAVE_OPSET);
  const key = "\0tensor";
  loader.addTensor(t, what, key);
  const got = loader.floats.get(key)!;
  return { name: t.name, dims: got.dims, data: got.data };
}

/**
 * A test data set's tensor as the executor holds it: float32 as decodeTensor; int64 and
 * int32 (token ids, masks) as int32, each value checked to fit; bool as fp32 0 and 1.
 */
export function decodeTestTensor(bytes: Uint8Array, what = "the tensor", expect?: ValueType): InputTensor & { name: string } {
  const t = decodeTensorWire(bytes, what);
  if (t.dataType === FLOAT) return decodeTensor(bytes, what);
  // ONNX's test data from before bfloat16 was a tensor type stores it as uint16.
  const type = t.dataType === UINT16 && expect === "bfloat16" ? "bfloat16" : INPUT_TYPES.get(t.dataType ?? 0);
  if (!type) throw new UserError(`${what} is ${dtypeName(t.dataType)}; armbench reads float32, float16, bfloat16, float64, int64, int32, uint8, int8 and bool test data only.`);
  if (type === "float16" || type === "bfloat16" || type === "float64") return { name: t.name, ...otherFloats(t, type, what) };
  const loader = new Loader(what, {}, SAVE_OPSET);
  const key = "\0tensor";
  loader.addTensor(t, what, key);
  // uint8 and int8: read (and range-checked) as the loader reads them, held as int32.
  const quant = loader.floats.get(key);
  if (quant) return { name: t.name, dims: quant.dims, data: Int32Array.from(quant.data), dtype: quant.dtype as QuantType };
  const got = loader.intTensor(key)!;
  if (type === "bool") return { name: t.name, dims: got.dims, data: Float32Array.from(got.data), dtype: "bool" };
  const data = new Int32Array(got.data.length);
  got.data.forEach((v, i) => {
    if (v < -(2 ** 31) || v >= 2 ** 31) throw new UserError(`${what} holds ${v}, outside the int32 range armbench holds integer inputs in.`);
    data[i] = v;
  });
  return { name: t.name, dims: got.dims, data, dtype: type as IntTensor["dtype"] };
}

/**
 * float16 and bfloat16 values as the fp32 numbers they are; float64 ones likewise where
 * each is one (a float cast to double), refused otherwise.
 */
function otherFloats(t: WireTensor, type: "float16" | "bfloat16" | "float64", what: string): Tensor {
  const dims = t.dims.map((d) => toInt(d, `${what} dims`));
  const count = elementCount(dims, what);
  const width = type === "float64" ? 8 : 2;
  let values: ArrayLike<number>;
  if (t.rawData) {
    if (t.rawData.length !== count * width) throw new UserError(`${what} has ${t.rawData.length} bytes of raw_data but its dims [${dims.join(", ")}] need ${count * width}.`);
    const dv = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    values = Array.from({ length: count }, (_, i) => (width === 8 ? dv.getFloat64(8 * i, true) : dv.getUint16(2 * i, true)));
  } else {
    const got = type === "float64" ? t.counts.double : t.counts.int32;
    if (got !== count) throw new UserError(`${what} holds ${got} values, but its dims [${dims.join(", ")}] need ${count}.`);
    values = type === "float64" ? readDoubleData(t) : readInt32Data(t, what);
  }
  const decode = type === "float16" ? halfBitsToFloat : type === "bfloat16" ? bf16BitsToFloat : (v: number) => v;
  const data = Float32Array.from(values, decode);
  const inexact = type === "float64" ? Array.from(values).findIndex((v, i) => !Object.is(v, data[i]) && !(Number.isNaN(v) && Number.isNaN(data[i]!))) : -1;
  if (inexact >= 0) throw new UserError(`${what} holds ${values[inexact]}, which float32 cannot hold exactly; armbench holds float64 values only where they are float32 ones.`);
  return { dims, data, ...(type !== "float64" ? { dtype: type } : {}) };
}

/** `expect`: the type the model gives the tensor, where known. */
export function readTestTensorFile(file: string, expect?: ValueType): InputTensor & { name: string } {
  return decodeTestTensor(readTensorBytes(file), file, expect);
}

export function encodeTensor(t: NamedTensor): Uint8Array {
  return onnx.TensorProto.encode(floatTensorProto(t.name, t)).finish();
}

export function readTensorFile(file: string): NamedTensor {
  return decodeTensor(readTensorBytes(file), file);
}

function readTensorBytes(file: string): Uint8Array {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new UserError(`cannot read the tensor ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  if (!st.isFile()) throw new UserError(`${file} is not a regular file.`);
  if (st.size > MAX_MODEL_FILE_BYTES) throw new UserError(`${file} is ${st.size} bytes, larger than any ONNX protobuf can be (2 GiB).`);
  return readFileSync(file);
}

export function writeTensorFile(file: string, t: NamedTensor): void {
  writeFileSync(file, encodeTensor(t));
}
