/**
 * A plain-loop reference interpreter of a lowered Program (fp32, NCHW), for tests only:
 * it reads and writes the one arena at the offsets the compiler chose, so a wrong
 * offset, an overlap or a wrongly lowered attribute shows up as a wrong answer.
 */
import { roundToBf16, roundToHalf } from "../../src/engine/half.js";
import type { BroadcastFn, ConstOperand, Program, Step, TensorRef } from "../../src/engine/program.js";
import { erf } from "./erf.js";

const count = (t: TensorRef) => t.dims.reduce((p, v) => p * v, 1);

/** Floats a tensor occupies: NCHWc pads channels up to whole blocks. */
function stored(t: TensorRef, block: number): number {
  if (t.layout === "nchw") return count(t);
  const [n, c, h, w] = t.dims as [number, number, number, number];
  return n * Math.ceil(c / block) * block * h * w;
}

/** Logical NCHW values of a tensor, and writing them back, whatever its layout. */
interface Memory {
  read(t: TensorRef): Float32Array;
  readInt(t: TensorRef): Int32Array;
  write(t: TensorRef, values: Float32Array): void;
  bytes(t: TensorRef): number;
}

export function interpret(p: Program, inputs: (Float32Array | Int32Array)[]): Float32Array[] {
  assert(p.arenaBytes % 4 === 0, "arena bytes are whole floats");
  const arena = new Float32Array(p.arenaBytes / 4);
  const ints = new Int32Array(arena.buffer);
  const block = p.nchwcBlock;
  const raw = (t: TensorRef) => {
    assert(t.layout === "nchw" || block > 0, "an nchwc tensor in a program without a block");
    const n = stored(t, block);
    assert(t.offset % 4 === 0 && t.offset / 4 + n <= arena.length, `tensor at ${t.offset} [${t.dims.join(", ")}] lies outside the arena`);
    return arena.subarray(t.offset / 4, t.offset / 4 + n);
  };
  // NCHWc index of logical (b, ch, i) where i runs over h x w.
  const blockedIndex = (t: TensorRef, b: number, ch: number, i: number) => {
    const [, c, h, w] = t.dims as [number, number, number, number];
    const cb = Math.ceil(c / block);
    return ((b * cb + Math.floor(ch / block)) * h * w + i) * block + (ch % block);
  };
  const mem: Memory = {
    readInt(t) {
      raw(t);
      assert(t.dtype === "int32", `"${t.offset}" read as indices is not int32`);
      return ints.slice(t.offset / 4, t.offset / 4 + count(t));
    },
    bytes: (t) => 4 * stored(t, block),
    read(t) {
      const r = raw(t);
      if (t.layout === "nchw") return Float32Array.from(r);
      const [n, c, h, w] = t.dims as [number, number, number, number];
      const out = new Float32Array(count(t));
      for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[(b * c + ch) * h * w + i] = r[blockedIndex(t, b, ch, i)]!;
      return out;
    },
    write(t, values) {
      const r = raw(t);
      if (t.layout === "nchw") {
        r.set(values);
        return;
      }
      const [n, c, h, w] = t.dims as [number, number, number, number];
      r.fill(0);
      for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) r[blockedIndex(t, b, ch, i)] = values[(b * c + ch) * h * w + i]!;
    },
  };
  p.inputs.forEach((v, i) => {
    const x = inputs[i]!;
    assert((v.ref.dtype === "int32") === x instanceof Int32Array, `input ${i} is not of the type the program says`);
    if (x instanceof Int32Array) ints.set(x, v.ref.offset / 4);
    else mem.write(v.ref, x);
  });
  for (const s of p.steps) {
    const y = run(s, mem);
    if (y instanceof Int32Array) ints.set(y, s.y.offset / 4);
    else mem.write(s.y, y);
  }
  return p.outputs.map((o) => mem.read(o.ref));
}

/** Steps that are not elementwise must never read bytes they write. */
function disjoint(mem: Memory, a: TensorRef, b: TensorRef, step: string): void {
  assert(a.offset + mem.bytes(a) <= b.offset || b.offset + mem.bytes(b) <= a.offset, `step "${step}" reads and writes overlapping bytes`);
}

function assert(ok: boolean, why: string): asserts ok {
  if (!ok) throw new Error(why);
}

const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
const geluTanh = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));

function activate(v: number, act: string, min = -Infinity, max = Infinity): number {
  if (act === "relu") return Math.max(0, v);
  if (act === "clip") return Math.min(max, Math.max(min, v));
  if (act === "gelu") return gelu(v);
  if (act === "gelu-tanh") return geluTanh(v);
  return v;
}

/** Row-major strides of dims. */
const stridesOf = (dims: number[]) => dims.map((_, i) => dims.slice(i + 1).reduce((p, v) => p * v, 1));

/** Index of a broadcast operand's element for output index i (dims right-aligned). */
function broadcastIndex(i: number, out: number[], dims: number[]): number {
  const os = stridesOf(out);
  const ds = stridesOf(dims);
  let at = 0;
  for (let a = 0; a < out.length; a++) {
    const coord = Math.floor(i / os[a]!) % out[a]!;
    const d = a - (out.length - dims.length);
    if (d >= 0 && dims[d]! !== 1) at += coord * ds[d]!;
  }
  return at;
}

/** What the executor accepts per layout: a conv on NCHWc is direct-nchwc with everything blocked (x may be NCHW); pools keep their layout; GAP writes NCHW; the rest is NCHW. */
function layoutRules(s: Step): void {
  const all = (...ts: (TensorRef | undefined)[]) => ts.filter((t): t is TensorRef => !!t).map((t) => t.layout);
  switch (s.op) {
    case "conv": {
      // y and the residual in one layout; x in it too, or nchw under an nchwc y.
      const ls = all(s.y, s.residual);
      assert(ls.every((l) => l === s.y.layout), `conv "${s.name}" mixes layouts`);
      assert(s.x.layout === s.y.layout || s.x.layout === "nchw", `conv "${s.name}" reads nchwc into nchw`);
      assert(s.y.layout === "nchw" || s.algo === "direct-nchwc", `conv "${s.name}" on nchwc runs ${s.algo}`);
      return;
    }
    case "maxpool":
    case "avgpool":
      assert(s.x.layout === s.y.layout, `pool "${s.name}" mixes layouts`);
      return;
    case "globalavgpool":
      assert(s.y.layout === "nchw", `"${s.name}" writes nchwc`);
      return;
    case "relu": case "clip": case "sigmoid": case "hardswish":
      assert(s.x.layout === s.y.layout, `"${s.name}" mixes layouts`);
      return;
    case "add": case "mul":
      assert(all(s.a, s.b, s.y).every((l) => l === s.y.layout), `"${s.name}" mixes layouts`);
      return;
    case "reorder":
      return;
    default: {
      const ins = "xs" in s ? s.xs : "x" in s ? [s.x] : "a" in s ? [s.a, "b" in s ? s.b : s.w].filter((t): t is TensorRef => "offset" in t) : [];
      assert(all(...ins, s.y).every((l) => l === "nchw"), `"${s.name}" (${s.op}) runs on nchw only`);
    }
  }
}

const isConst = (t: TensorRef | ConstOperand): t is ConstOperand => !("offset" in t);
const operandOf = (mem: Memory, t: TensorRef | ConstOperand): Float32Array | Int32Array => (isConst(t) ? t.data : t.dtype === "int32" ? mem.readInt(t) : mem.read(t));

type Fn2 = (p: number, q: number) => number;
const ARITH: Partial<Record<BroadcastFn, Fn2>> = {
  add: (p, q) => p + q, sub: (p, q) => p - q, mul: (p, q) => p * q, div: (p, q) => p / q, pow: Math.pow,
  max: (p, q) => (Number.isNaN(p) || Number.isNaN(q) ? NaN : Math.max(p, q)),
  min: (p, q) => (Number.isNaN(p) || Number.isNaN(q) ? NaN : Math.min(p, q)),
};
/** Comparisons of the exact values (int32 and fp32 alike), 1 where true. */
const COMPARE: Partial<Record<BroadcastFn, Fn2>> = {
  equal: (p, q) => +(p === q), "not-equal": (p, q) => +(p !== q), less: (p, q) => +(p < q),
  "less-equal": (p, q) => +(p <= q), greater: (p, q) => +(p > q), "greater-equal": (p, q) => +(p >= q),
};

/** One step's output in logical NCHW order (the caller stores it in y's layout). */
function run(s: Step, mem: Memory): Float32Array | Int32Array {
  layoutRules(s);
  switch (s.op) {
    case "conv": {
      disjoint(mem, s.x, s.y, s.name);
      if (s.residual) disjoint(mem, s.residual, s.y, s.name);
      const x = mem.read(s.x);
      const out = new Float32Array(count(s.y));
      const { n, c, h, w, k, r, s: sw, strideH, strideW, padTop, padLeft, dilationH, dilationW, groups } = s.shape;
      const [, , oh, ow] = s.y.dims as [number, number, number, number];
      const cg = c / groups;
      const kg = k / groups;
      const res = s.residual ? mem.read(s.residual) : undefined;
      for (let b = 0; b < n; b++)
        for (let o = 0; o < k; o++) {
          const g = Math.floor(o / kg);
          for (let i = 0; i < oh; i++)
            for (let j = 0; j < ow; j++) {
              let acc = s.bias ? s.bias[o]! : 0;
              for (let ci = 0; ci < cg; ci++)
                for (let u = 0; u < r; u++) {
                  const yy = i * strideH - padTop + u * dilationH;
                  if (yy < 0 || yy >= h) continue;
                  for (let v = 0; v < sw; v++) {
                    const xx = j * strideW - padLeft + v * dilationW;
                    if (xx < 0 || xx >= w) continue;
                    acc += x[((b * c + g * cg + ci) * h + yy) * w + xx]! * s.weights[((o * cg + ci) * r + u) * sw + v]!;
                  }
                }
              const at = ((b * k + o) * oh + i) * ow + j;
              if (res) acc += res[at]!;
              out[at] = activate(acc, s.act, s.clipMin, s.clipMax);
            }
        }
      return out;
    }
    case "maxpool":
    case "avgpool": {
      disjoint(mem, s.x, s.y, s.name);
      const x = mem.read(s.x);
      const y = new Float32Array(count(s.y));
      const [n, c, h, w] = s.x.dims as [number, number, number, number];
      const [, , oh, ow] = s.y.dims as [number, number, number, number];
      for (let b = 0; b < n * c; b++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            let acc = s.op === "maxpool" ? -Infinity : 0;
            let inside = 0;
            for (let u = 0; u < s.kernel[0]; u++)
              for (let v = 0; v < s.kernel[1]; v++) {
                const yy = i * s.stride[0] - s.pads[0] + u;
                const xx = j * s.stride[1] - s.pads[1] + v;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                const val = x[(b * h + yy) * w + xx]!;
                acc = s.op === "maxpool" ? Math.max(acc, val) : acc + val;
                inside++;
              }
            y[(b * oh + i) * ow + j] = s.op === "maxpool" ? acc : acc / (s.countIncludePad ? s.kernel[0] * s.kernel[1] : inside);
          }
      return y;
    }
    case "globalavgpool": {
      disjoint(mem, s.x, s.y, s.name);
      const x = mem.read(s.x);
      const y = new Float32Array(count(s.y));
      const hw = s.x.dims[2]! * s.x.dims[3]!;
      for (let b = 0; b < y.length; b++) {
        let acc = 0;
        for (let i = 0; i < hw; i++) acc += x[b * hw + i]!;
        y[b] = acc / hw;
      }
      return y;
    }
    case "gemm": {
      disjoint(mem, s.x, s.y, s.name);
      const x = mem.read(s.x);
      const out = new Float32Array(count(s.y));
      for (let i = 0; i < s.rows; i++)
        for (let j = 0; j < s.n; j++) {
          let acc = s.bias ? s.bias[j]! : 0;
          for (let q = 0; q < s.k; q++) acc += x[i * s.k + q]! * s.weights[j * s.k + q]!;
          out[i * s.n + j] = activate(acc, s.act, s.clipMin, s.clipMax);
        }
      return out;
    }
    case "relu":
    case "clip":
    case "sigmoid":
    case "hardswish":
    case "erf":
    case "tanh":
    case "sqrt":
    case "exp":
    case "log":
    case "gelu":
    case "gelu-tanh":
    case "round-f16":
    case "round-bf16": {
      const x = mem.read(s.x);
      const y = new Float32Array(count(s.y));
      const f: Record<typeof s.op, (v: number) => number> = {
        relu: (v) => Math.max(0, v),
        clip: (v) => Math.min(s.max ?? Infinity, Math.max(s.min ?? -Infinity, v)),
        sigmoid: (v) => 1 / (1 + Math.exp(-v)),
        hardswish: (v) => (v * Math.min(6, Math.max(0, v + 3))) / 6,
        erf, tanh: Math.tanh, sqrt: Math.sqrt, exp: Math.exp, log: Math.log, gelu, "gelu-tanh": geluTanh, "round-f16": roundToHalf, "round-bf16": roundToBf16,
      };
      for (let i = 0; i < x.length; i++) y[i] = f[s.op](x[i]!);
      return y;
    }
    case "broadcast": {
      const [a, b] = [operandOf(mem, s.a), operandOf(mem, s.b)];
      assert(s.fn in COMPARE || !(a instanceof Int32Array || b instanceof Int32Array), `"${s.name}": ${s.fn} of int32 values`);
      const y = new Float32Array(count(s.y));
      const f = COMPARE[s.fn] ?? ARITH[s.fn]!;
      for (let i = 0; i < y.length; i++) y[i] = f(a[broadcastIndex(i, s.y.dims, s.a.dims)]!, b[broadcastIndex(i, s.y.dims, s.b.dims)]!);
      return y;
    }
    case "where": {
      const [c, a, b] = [operandOf(mem, s.cond), operandOf(mem, s.a), operandOf(mem, s.b)];
      const y = new Float32Array(count(s.y));
      for (let i = 0; i < y.length; i++) y[i] = c[broadcastIndex(i, s.y.dims, s.cond.dims)] !== 0 ? a[broadcastIndex(i, s.y.dims, s.a.dims)]! : b[broadcastIndex(i, s.y.dims, s.b.dims)]!;
      return y;
    }
    case "transpose": {
      disjoint(mem, s.x, s.y, s.name);
      const x = mem.read(s.x);
      const y = new Float32Array(count(s.y));
      const xs = stridesOf(s.x.dims);
      const ys = stridesOf(s.y.dims);
      for (let i = 0; i < y.length; i++) {
        let src = 0;
        for (let a = 0; a < s.perm.length; a++) src += (Math.floor(i / ys[a]!) % s.y.dims[a]!) * xs[s.perm[a]!]!;
        y[i] = x[src]!;
      }
      return y;
    }
    case "matmul": {
      disjoint(mem, s.a, s.y, s.name);
      disjoint(mem, s.b, s.y, s.name);
      const [a, b] = [mem.read(s.a), mem.read(s.b)];
      const y = new Float32Array(count(s.y));
      const [m, k] = s.a.dims.slice(-2) as [number, number];
      const n = s.b.dims[s.b.dims.length - 1]!;
      const batchDims = s.y.dims.slice(0, -2);
      const batches = batchDims.reduce((p, v) => p * v, 1);
      for (let t = 0; t < batches; t++) {
        const ao = broadcastIndex(t, batchDims, s.a.dims.slice(0, -2)) * m * k;
        const bo = broadcastIndex(t, batchDims, s.b.dims.slice(0, -2)) * k * n;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let q = 0; q < k; q++) acc += a[ao + i * k + q]! * b[bo + q * n + j]!;
            y[(t * m + i) * n + j] = acc;
          }
      }
      return y;
    }
    case "attention": {
      for (const t of [s.q, s.kt, s.v, ...(s.mask ? [s.mask] : [])]) disjoint(mem, t, s.y, s.name);
      const [q, kt, v] = [mem.read(s.q), mem.read(s.kt), mem.read(s.v)];
      const mask = s.mask ? mem.read(s.mask) : undefined;
      const y = new Float32Array(count(s.y));
      const [sq, dk] = s.q.dims.slice(-2) as [number, number];
      const sk = s.kt.dims[s.kt.dims.length - 1]!;
      const dv = s.v.dims[s.v.dims.length - 1]!;
      const batchDims = s.y.dims.slice(0, -2);
      const scoreDims = [...batchDims, sq, sk];
      const batches = batchDims.reduce((p, v) => p * v, 1);
      const row = new Float64Array(sk);
      for (let t = 0; t < batches; t++)
        for (let i = 0; i < sq; i++) {
          for (let j = 0; j < sk; j++) {
            let acc = 0;
            for (let d = 0; d < dk; d++) acc += q[(t * sq + i) * dk + d]! * kt[(t * dk + d) * sk + j]!;
            row[j] = Math.fround(acc) * s.scale + (mask ? mask[broadcastIndex((t * sq + i) * sk + j, scoreDims, s.mask!.dims)]! : 0);
          }
          const m = Math.max(...row);
          let sum = 0;
          for (let j = 0; j < sk; j++) sum += row[j] = Math.exp(row[j]! - m);
          for (let c = 0; c < dv; c++) {
            let acc = 0;
            for (let j = 0; j < sk; j++) acc += (row[j]! / sum) * v[(t * sk + j) * dv + c]!;
            y[(t * sq + i) * dv + c] = acc;
          }
        }
      return y;
    }
    case "layernorm": {
      const x = mem.read(s.x);
      const r = s.residual ? mem.read(s.residual) : undefined;
      const y = new Float32Array(count(s.y));
      for (let i = 0; i < s.rows; i++) {
        const row = Array.from({ length: s.cols }, (_, j) => x[i * s.cols + j]! + (r ? r[i * s.cols + j]! : 0));
        const mean = row.reduce((p, v) => p + v, 0) / s.cols;
        const variance = row.reduce((p, v) => p + (v - mean) ** 2, 0) / s.cols;
        const inv = 1 / Math.sqrt(variance + s.epsilon);
        row.forEach((v, j) => (y[i * s.cols + j] = (v - mean) * inv * s.scale[j]! + (s.bias ? s.bias[j]! : 0)));
      }
      return y;
    }
    case "reduce": {
      const x = mem.read(s.x);
      const y = new Float32Array(s.outer * s.inner);
      for (let o = 0; o < s.outer; o++)
        for (let i = 0; i < s.inner; i++) {
          const row = Array.from({ length: s.n }, (_, j) => x[(o * s.n + j) * s.inner + i]!);
          const sum = row.reduce((p, v) => p + v, 0);
          const pick = (better: (p: number, q: number) => boolean) => row.reduce((p, v) => (Number.isNaN(p) || Number.isNaN(v) ? NaN : better(v, p) ? v : p));
          y[o * s.inner + i] = s.fn === "mean" ? sum / s.n : s.fn === "sum" ? sum : pick(s.fn === "max" ? (p, q) => p > q : (p, q) => p < q);
        }
      return y;
    }
    case "gather": {
      const data = s.table ?? mem.read(s.x!);
      const idx = s.indexValues ?? mem.readInt(s.indices!);
      const y = new Float32Array(count(s.y));
      for (let o = 0; o < s.outer; o++)
        for (let i = 0; i < s.count; i++) {
          const raw = idx[i]!;
          assert(raw >= -s.axisLen && (raw < s.axisLen || (!!s.zeroRow && raw === s.axisLen)), `gather "${s.name}": index ${raw} out of range`);
          const at = raw < 0 ? raw + s.axisLen : raw;
          for (let j = 0; j < s.inner; j++) y[(o * s.count + i) * s.inner + j] = at === s.axisLen ? 0 : data[(o * s.axisLen + at) * s.inner + j]!;
        }
      return y;
    }
    case "cast":
      return Float32Array.from(mem.readInt(s.x));
    case "add":
    case "mul": {
      const a = mem.read(s.a);
      const b = mem.read(s.b);
      const y = new Float32Array(count(s.y));
      for (let i = 0; i < y.length; i++) y[i] = s.op === "add" ? a[i]! + b[i]! : a[i]! * b[i]!;
      return y;
    }
    case "concat": {
      const y = new Float32Array(count(s.y));
      const n = s.y.dims[0]!;
      const ctot = s.y.dims[1]!;
      const inner = s.y.dims.slice(2).reduce((p, v) => p * v, 1);
      let c0 = 0;
      for (const t of s.xs) {
        disjoint(mem, t, s.y, s.name);
        const x = mem.read(t);
        const c = t.dims[1]!;
        for (let b = 0; b < n; b++) y.set(x.subarray(b * c * inner, (b + 1) * c * inner), (b * ctot + c0) * inner);
        c0 += c;
      }
      return y;
    }
    case "batchnorm": {
      const x = mem.read(s.x);
      const y = new Float32Array(count(s.y));
      const [n, c] = s.x.dims as [number, number];
      const hw = x.length / (n * c);
      for (let b = 0; b < n; b++)
        for (let ch = 0; ch < c; ch++) {
          const scale = s.scale[ch]! / Math.sqrt(s.variance[ch]! + s.epsilon);
          for (let i = 0; i < hw; i++) {
            const at = (b * c + ch) * hw + i;
            y[at] = (x[at]! - s.mean[ch]!) * scale + s.bias[ch]!;
          }
        }
      return y;
    }
    case "softmax": {
      const x = mem.read(s.x);
      const y = new Float32Array(count(s.y));
      const [outer, n, inner] = [s.x.dims[0]!, s.x.dims[1]!, s.x.dims[2] ?? 1];
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const at = (j: number) => (o * n + j) * inner + i;
          let m = -Infinity;
          for (let j = 0; j < n; j++) m = Math.max(m, x[at(j)]!);
          let sum = 0;
          for (let j = 0; j < n; j++) sum += Math.exp(x[at(j)]! - m);
          for (let j = 0; j < n; j++) y[at(j)] = s.log ? x[at(j)]! - m - Math.log(sum) : Math.exp(x[at(j)]! - m) / sum;
        }
      return y;
    }
    case "reorder":
      return s.x.dtype === "int32" ? mem.readInt(s.x) : mem.read(s.x);
    case "quantize":
    case "dequantize":
    case "matmul-integer":
    case "conv-integer":
    case "dynamic-quant-matmul":
    case "round":
      // Not modelled here: test/onnx-quantized.test.ts and test/quantize-dynamic.test.ts check these against references of their own.
      throw new Error(`the interpreter does not run ${s.op} steps ("${s.name}")`);
  }
}
