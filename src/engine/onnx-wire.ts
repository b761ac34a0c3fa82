/**
 * A bounded reader of the protobuf wire format for the parts of ONNX armbench reads.
 *
 * A general protobuf decoder turns every repeated field into a JS array as it meets it,
 * so a file of one-byte packed varints becomes an array of 100M+ numbers (V8 aborts the
 * process) before any limit can be checked. Here the structure is read with every count
 * capped as it is met, and tensor data stays as bytes in the file: its element count is
 * known from the wire (a packed field's length, or its occurrences) and compared with the
 * tensor's dims before the loader asks for it to be materialised. Fields armbench never
 * uses (doc strings, subgraphs, value_info, metadata, functions) are skipped unread.
 */
import { UserError } from "../errors.js";

/** An int64 field: a number when it is a safe integer, the exact value as a bigint otherwise. */
export type Int = number | bigint;

export interface WireTensor {
  name: string;
  dims: Int[];
  dataType: number;
  segment: boolean;
  /** A view into the file, never a copy; null when the field is absent or empty. */
  rawData: Uint8Array | null;
  dataLocation: number;
  externalData: { key: string; value: string }[];
  /** Elements in each typed data field, counted from the wire without decoding them. */
  counts: { float: number; int32: number; string: number; int64: number; double: number; uint64: number };
  /** The tensor message itself, for readFloatData / readInt64Data. */
  body: Uint8Array;
}

export interface WireAttribute {
  name: string;
  type: number;
  f: number;
  i: Int;
  s: Uint8Array | null;
  t: WireTensor | null;
  ints: Int[];
  floats: number[];
  /** Fields armbench has no use for (graphs, tensor lists, strings, type protos), present but unread. */
  unread: string[];
}

export interface WireNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: WireAttribute[];
}

export interface WireDim {
  dimValue: Int;
  dimParam: string;
}

export interface WireValueInfo {
  name: string;
  /** Null where the type is absent or is not a tensor (sequence, map, optional, sparse). */
  tensorType: { elemType: number; shape: WireDim[] | null } | null;
}

export interface WireGraph {
  name: string;
  node: WireNode[];
  initializer: WireTensor[];
  sparseInitializers: number;
  input: WireValueInfo[];
  output: WireValueInfo[];
}

export interface WireModel {
  opsetImport: { domain: string; version: Int }[];
  graph: WireGraph | null;
}

/** Bounds on what the structure may hold; each is far above any real CNN's. */
export const WIRE_LIMITS = {
  /** Messages and strings in one file (a real model has a few per node). */
  items: 4_000_000,
  nodes: 100_000,
  /** Inputs or outputs of one node (a Concat of many branches stays far below). */
  nodeIo: 65_536,
  /** Values in one ints/floats attribute (kernel shapes and pads hold 2 to 4). */
  attributeValues: 4_096,
  /** Rank of a tensor or of a graph input's shape. */
  rank: 32,
  /** Bytes of a name or other string armbench reads. */
  stringBytes: 65_536,
  externalDataEntries: 64,
} as const;

const TEXT = new TextDecoder("utf-8", { fatal: false });

class Malformed extends Error {}

/** One protobuf message's bytes [pos, end) with a cursor; shared counters bound the whole file. */
class Reader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    readonly end: number,
    readonly budget: { items: number; where: string },
    start = 0,
  ) {
    this.pos = start;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new Malformed("a varint runs past the end of its message");
    return this.buf[this.pos++]!;
  }

  /** A varint as low and high 32-bit halves. */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    throw new Malformed("a varint is longer than 10 bytes");
  }

  /** A non-negative varint that must fit a safe integer (tags, lengths). */
  uint(): number {
    const [lo, hi] = this.varint64();
    if (hi >= 0x200000) throw new Malformed("a length or tag is out of range");
    return hi * 0x100000000 + lo;
  }

  int64(): Int {
    const [lo, hi] = this.varint64();
    return toInt64(lo, hi);
  }

  /** int32 and enum fields: protobuf sign-extends negatives to 10 bytes. */
  int32(): number {
    return this.varint64()[0] | 0;
  }

  float(): number {
    if (this.pos + 4 > this.end) throw new Malformed("a float runs past the end of its message");
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** The bounds of a length-delimited field, cursor moved past it. */
  span(): [number, number] {
    const len = this.uint();
    if (len > this.end - this.pos) throw new Malformed("a length-delimited field runs past the end of its message");
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  bytes(): Uint8Array {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  string(field: string): string {
    const [s, e] = this.span();
    if (e - s > WIRE_LIMITS.stringBytes) throw new UserError(`${this.budget.where}: a ${field} is ${e - s} bytes long, more than the ${WIRE_LIMITS.stringBytes} armbench reads.`);
    this.count(1);
    return printable(TEXT.decode(this.buf.subarray(s, e)), `${this.budget.where}: a ${field}`);
  }

  sub(): Reader {
    const [s, e] = this.span();
    this.count(1);
    return new Reader(this.buf, e, this.budget, s);
  }

  count(n: number): void {
    this.budget.items += n;
    if (this.budget.items > WIRE_LIMITS.items) throw new UserError(`${this.budget.where} holds more than ${WIRE_LIMITS.items} messages and names, more than armbench reads.`);
  }

  /** The next field's number and wire type. */
  tag(): [number, number] {
    const t = this.uint();
    const field = Math.floor(t / 8);
    if (field === 0) throw new Malformed("a field number is 0");
    return [field, t & 7];
  }

  skip(wt: number): void {
    switch (wt) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.span();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        // Groups (3, 4) are not used by ONNX; 6 and 7 do not exist.
        throw new Malformed(`wire type ${wt} is not valid here`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new Malformed("a fixed-size field runs past the end of its message");
    this.pos += n;
  }

  /** Elements of a repeated scalar field at the cursor (packed or one), cursor moved past them. */
  repeatedCount(wt: number, scalarWt: number, width: number): number {
    if (wt === scalarWt) {
      this.skip(wt);
      return 1;
    }
    if (wt !== 2) throw new Malformed(`wire type ${wt} does not match the field`);
    const [s, e] = this.span();
    if (width > 0) {
      if ((e - s) % width !== 0) throw new Malformed(`a packed field of ${width}-byte values is ${e - s} bytes long`);
      return (e - s) / width;
    }
    let n = 0;
    for (let i = s; i < e; i++) if ((this.buf[i]! & 0x80) === 0) n++;
    if (e > s && (this.buf[e - 1]! & 0x80) !== 0) throw new Malformed("a packed varint field ends inside a varint");
    return n;
  }

  /** Reads a repeated varint or float field at the cursor into `out`, refusing more than `cap` in all. */
  repeated<T>(wt: number, scalarWt: number, read: (r: Reader) => T, out: T[], cap: number, what: string): void {
    const push = (v: T) => {
      if (out.length >= cap) throw new UserError(`${this.budget.where}: ${what} holds more than ${cap} values, more than armbench reads.`);
      out.push(v);
    };
    if (wt === scalarWt) {
      push(read(this));
      return;
    }
    if (wt !== 2) throw new Malformed(`wire type ${wt} does not match the field`);
    const [s, e] = this.span();
    const r = new Reader(this.buf, e, this.budget, s);
    while (r.more()) push(read(r));
  }
}

/**
 * Names end up in one-line messages, so one holding a line break or other control
 * character (no real model's does) is refused rather than printed.
 */
export function printable(s: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(s);
  if (bad) throw new UserError(`${what} holds the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}, which no ONNX name has.`);
  return s;
}

function toInt64(lo: number, hi: number): Int {
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  if (hi >= 0xffe00000) {
    // Two's complement: -(~value + 1), exact while the magnitude fits 53 bits.
    const v = -((~hi >>> 0) * 0x100000000 + (~lo >>> 0) + 1);
    if (Number.isSafeInteger(v)) return v;
  }
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

function malformed<T>(what: string, kind: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Malformed) throw new UserError(`${what} is not a valid ONNX ${kind}: the protobuf is truncated or malformed (${e.message}).`);
    throw e;
  }
}

export function decodeModelWire(bytes: Uint8Array, what: string): WireModel {
  return malformed(what, "model", () => {
    const r = new Reader(bytes, bytes.length, { items: 0, where: what });
    const m: WireModel = { opsetImport: [], graph: null };
    while (r.more()) {
      const [f, wt] = r.tag();
      if (f === 8 && wt === 2) {
        const s = r.sub();
        const o = { domain: "", version: 0 as Int };
        while (s.more()) {
          const [g, w] = s.tag();
          if (g === 1 && w === 2) o.domain = s.string("opset domain");
          else if (g === 2 && w === 0) o.version = s.int64();
          else s.skip(w);
        }
        if (m.opsetImport.length >= 1024) throw new UserError(`${what} imports more than 1024 opsets.`);
        m.opsetImport.push(o);
      } else if (f === 7 && wt === 2) m.graph = graph(r.sub());
      else r.skip(wt);
    }
    return m;
  });
}

/** A lone TensorProto (an ONNX test-data file). */
export function decodeTensorWire(bytes: Uint8Array, what: string): WireTensor {
  return malformed(what, "TensorProto", () => tensor(new Reader(bytes, bytes.length, { items: 0, where: what })));
}

function graph(r: Reader): WireGraph {
  const g: WireGraph = { name: "", node: [], initializer: [], sparseInitializers: 0, input: [], output: [] };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (wt !== 2) {
      r.skip(wt);
      continue;
    }
    if (f === 1) {
      if (g.node.length >= WIRE_LIMITS.nodes) throw new UserError(`${r.budget.where} has more than ${WIRE_LIMITS.nodes} nodes, more than armbench accepts.`);
      g.node.push(node(r.sub()));
    } else if (f === 2) g.name = r.string("graph name");
    else if (f === 5) g.initializer.push(tensor(r.sub()));
    else if (f === 15) {
      r.skip(wt);
      g.sparseInitializers++;
    } else if (f === 11) g.input.push(valueInfo(r.sub()));
    else if (f === 12) g.output.push(valueInfo(r.sub()));
    else r.skip(wt);
  }
  return g;
}

function node(r: Reader): WireNode {
  const n: WireNode = { input: [], output: [], name: "", opType: "", domain: "", attribute: [] };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (wt !== 2) {
      r.skip(wt);
      continue;
    }
    if (f === 1 || f === 2) {
      const list = f === 1 ? n.input : n.output;
      if (list.length >= WIRE_LIMITS.nodeIo) throw new UserError(`${r.budget.where}: a node has more than ${WIRE_LIMITS.nodeIo} ${f === 1 ? "inputs" : "outputs"}.`);
      list.push(r.string(f === 1 ? "node input name" : "node output name"));
    } else if (f === 3) n.name = r.string("node name");
    else if (f === 4) n.opType = r.string("node op_type");
    else if (f === 7) n.domain = r.string("node domain");
    else if (f === 5) {
      if (n.attribute.length >= 1024) throw new UserError(`${r.budget.where}: a node has more than 1024 attributes.`);
      n.attribute.push(attribute(r.sub()));
    } else r.skip(wt);
  }
  return n;
}

const UNREAD_ATTRIBUTE_FIELDS: Record<number, string> = { 6: "g", 9: "strings", 10: "tensors", 11: "graphs", 14: "tp", 15: "type_protos", 22: "sparse_tensor", 23: "sparse_tensors" };

function attribute(r: Reader): WireAttribute {
  const a: WireAttribute = { name: "", type: 0, f: 0, i: 0, s: null, t: null, ints: [], floats: [], unread: [] };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === 2) a.name = r.string("attribute name");
    else if (f === 20 && wt === 0) a.type = r.int32();
    else if (f === 2 && wt === 5) a.f = r.float();
    else if (f === 3 && wt === 0) a.i = r.int64();
    else if (f === 4 && wt === 2) {
      const [s, e] = r.span();
      if (e - s > WIRE_LIMITS.stringBytes) throw new UserError(`${r.budget.where}: a string attribute is ${e - s} bytes long, more than the ${WIRE_LIMITS.stringBytes} armbench reads.`);
      a.s = r.buf.subarray(s, e);
    } else if (f === 5 && wt === 2) a.t = tensor(r.sub());
    else if (f === 7) r.repeated(wt, 5, (x) => x.float(), a.floats, WIRE_LIMITS.attributeValues, `attribute "${a.name}"`);
    else if (f === 8) r.repeated(wt, 0, (x) => x.int64(), a.ints, WIRE_LIMITS.attributeValues, `attribute "${a.name}"`);
    else {
      if (UNREAD_ATTRIBUTE_FIELDS[f] && !a.unread.includes(UNREAD_ATTRIBUTE_FIELDS[f]!)) a.unread.push(UNREAD_ATTRIBUTE_FIELDS[f]!);
      r.skip(wt);
    }
  }
  return a;
}

function valueInfo(r: Reader): WireValueInfo {
  const v: WireValueInfo = { name: "", tensorType: null };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === 2) v.name = r.string("value name");
    else if (f === 2 && wt === 2) {
      const t = r.sub();
      v.tensorType = null;
      while (t.more()) {
        const [g, w] = t.tag();
        if (g === 1 && w === 2) v.tensorType = tensorType(t.sub());
        else t.skip(w);
      }
    } else r.skip(wt);
  }
  return v;
}

function tensorType(r: Reader): { elemType: number; shape: WireDim[] | null } {
  const out: { elemType: number; shape: WireDim[] | null } = { elemType: 0, shape: null };
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === 0) out.elemType = r.int32();
    else if (f === 2 && wt === 2) {
      const s = r.sub();
      const dims: WireDim[] = [];
      while (s.more()) {
        const [g, w] = s.tag();
        if (g !== 1 || w !== 2) {
          s.skip(w);
          continue;
        }
        if (dims.length >= WIRE_LIMITS.rank) throw new UserError(`${r.budget.where}: a graph input or output has more than ${WIRE_LIMITS.rank} dimensions.`);
        const d = s.sub();
        const dim: WireDim = { dimValue: 0, dimParam: "" };
        while (d.more()) {
          const [h, x] = d.tag();
          if (h === 1 && x === 0) dim.dimValue = d.int64();
          else if (h === 2 && x === 2) dim.dimParam = d.string("dimension name");
          else d.skip(x);
        }
        dims.push(dim);
      }
      out.shape = dims;
    } else r.skip(wt);
  }
  return out;
}

function tensor(r: Reader): WireTensor {
  const t: WireTensor = {
    name: "", dims: [], dataType: 0, segment: false, rawData: null, dataLocation: 0, externalData: [],
    counts: { float: 0, int32: 0, string: 0, int64: 0, double: 0, uint64: 0 }, body: r.buf.subarray(r.pos, r.end),
  };
  while (r.more()) {
    const [f, wt] = r.tag();
    switch (f) {
      case 1:
        r.repeated(wt, 0, (x) => x.int64(), t.dims, WIRE_LIMITS.rank, "a tensor's dims");
        break;
      case 2:
        if (wt !== 0) throw new Malformed("data_type is not a varint");
        t.dataType = r.int32();
        break;
      case 3:
        t.segment = true;
        r.skip(wt);
        break;
      case 4:
        t.counts.float += r.repeatedCount(wt, 5, 4);
        break;
      case 5:
        t.counts.int32 += r.repeatedCount(wt, 0, 0);
        break;
      case 6:
        if (wt !== 2) throw new Malformed("string_data is not length-delimited");
        r.skip(wt);
        t.counts.string++;
        break;
      case 7:
        t.counts.int64 += r.repeatedCount(wt, 0, 0);
        break;
      case 8:
        if (wt !== 2) throw new Malformed("name is not a string");
        t.name = r.string("tensor name");
        break;
      case 9: {
        if (wt !== 2) throw new Malformed("raw_data is not length-delimited");
        const b = r.bytes();
        t.rawData = b.length > 0 ? b : null;
        break;
      }
      case 10:
        t.counts.double += r.repeatedCount(wt, 1, 8);
        break;
      case 11:
        t.counts.uint64 += r.repeatedCount(wt, 0, 0);
        break;
      case 13: {
        if (wt !== 2) throw new Malformed("external_data is not a message");
        if (t.externalData.length >= WIRE_LIMITS.externalDataEntries) throw new UserError(`${r.budget.where}: a tensor has more than ${WIRE_LIMITS.externalDataEntries} external_data entries.`);
        const s = r.sub();
        const kv = { key: "", value: "" };
        while (s.more()) {
          const [g, w] = s.tag();
          if (g === 1 && w === 2) kv.key = s.string("external_data key");
          else if (g === 2 && w === 2) kv.value = s.string("external_data value");
          else s.skip(w);
        }
        t.externalData.push(kv);
        break;
      }
      case 14:
        if (wt !== 0) throw new Malformed("data_location is not a varint");
        t.dataLocation = r.int32();
        break;
      default:
        r.skip(wt);
    }
  }
  return t;
}

/** float_data, whose count the caller has already admitted (t.counts.float). */
export function readFloatData(t: WireTensor): Float32Array {
  const out = new Float32Array(t.counts.float);
  let k = 0;
  const r = new Reader(t.body, t.body.length, { items: 0, where: "" });
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f !== 4) {
      r.skip(wt);
      continue;
    }
    if (wt === 5) out[k++] = r.float();
    else {
      const [s, e] = r.span();
      const dv = new DataView(t.body.buffer, t.body.byteOffset + s, e - s);
      for (let i = 0; i < e - s; i += 4) out[k++] = dv.getFloat32(i, true);
    }
  }
  return out;
}

/** int64_data, whose count the caller has already admitted (t.counts.int64); each value must be a safe integer. */
export function readInt64Data(t: WireTensor, what: string): number[] {
  const out: number[] = new Array<number>(t.counts.int64);
  let k = 0;
  const put = (v: Int) => {
    if (typeof v === "bigint") throw new UserError(`${what} holds ${v}, which is not a representable integer.`);
    out[k++] = v;
  };
  const r = new Reader(t.body, t.body.length, { items: 0, where: what });
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f !== 7) r.skip(wt);
    else if (wt === 0) put(r.int64());
    else {
      const [s, e] = r.span();
      const p = new Reader(t.body, e, r.budget, s);
      while (p.more()) put(p.int64());
    }
  }
  return out;
}

/** int32_data (int32 and bool tensors), whose count the caller has already admitted (t.counts.int32). */
export function readInt32Data(t: WireTensor, what: string): number[] {
  const out: number[] = new Array<number>(t.counts.int32);
  let k = 0;
  const r = new Reader(t.body, t.body.length, { items: 0, where: what });
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f !== 5) r.skip(wt);
    else if (wt === 0) out[k++] = r.int32();
    else {
      const [s, e] = r.span();
      const p = new Reader(t.body, e, r.budget, s);
      while (p.more()) out[k++] = p.int32();
    }
  }
  return out;
}

/** double_data, whose count the caller has already admitted (t.counts.double). */
export function readDoubleData(t: WireTensor): Float64Array {
  const out = new Float64Array(t.counts.double);
  let k = 0;
  const r = new Reader(t.body, t.body.length, { items: 0, where: "" });
  while (r.more()) {
    const [f, wt] = r.tag();
    if (f !== 10) {
      r.skip(wt);
      continue;
    }
    const [s, e] = wt === 1 ? [r.pos, (r.pos += 8)] : r.span();
    const dv = new DataView(t.body.buffer, t.body.byteOffset + s, e - s);
    for (let i = 0; i + 8 <= e - s; i += 8) out[k++] = dv.getFloat64(i, true);
  }
  return out;
}
