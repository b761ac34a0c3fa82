/**
 * A plain-loop reference interpreter of a lowered Program (fp32, NCHW), for tests only:
 * it reads and writes the one arena at the offsets the compiler chose, so a wrong
 * offset, an overlap or a wrongly lowered attribute shows up as a wrong answer.
 */
import type { Program, Step, TensorRef } from "../../src/engine/program.js";

const count = (t: TensorRef) => t.dims.reduce((p, v) => p * v, 1);

export function interpret(p: Program, inputs: Float32Array[]): Float32Array[] {
  assert(p.arenaBytes % 4 === 0, "arena bytes are whole floats");
  const arena = new Float32Array(p.arenaBytes / 4);
  const view = (t: TensorRef) => {
    assert(t.layout === "nchw", "the interpreter runs nchw tensors only");
    assert(t.offset % 4 === 0 && t.offset / 4 + count(t) <= arena.length, `tensor at ${t.offset} [${t.dims.join(", ")}] lies outside the arena`);
    return arena.subarray(t.offset / 4, t.offset / 4 + count(t));
  };
  p.inputs.forEach((v, i) => view(v.ref).set(inputs[i]!));
  for (const s of p.steps) run(s, view);
  return p.outputs.map((o) => Float32Array.from(view(o.ref)));
}

/** Steps that are not elementwise must never read bytes they write. */
function disjoint(a: TensorRef, b: TensorRef, step: string): void {
  const end = (t: TensorRef) => t.offset + 4 * count(t);
  assert(end(a) <= b.offset || end(b) <= a.offset, `step "${step}" reads and writes overlapping bytes`);
}

function assert(ok: boolean, why: string): asserts ok {
  if (!ok) throw new Error(why);
}

function activate(v: number, act: string, min = -Infinity, max = Infinity): number {
  if (act === "relu") return Math.max(0, v);
  if (act === "clip") return Math.min(max, Math.max(min, v));
  return v;
}

function run(s: Step, view: (t: TensorRef) => Float32Array): void {
  switch (s.op) {
    case "conv": {
      disjoint(s.x, s.y, s.name);
      if (s.residual) disjoint(s.residual, s.y, s.name);
      const x = view(s.x);
      const out = view(s.y);
      const { n, c, h, w, k, r, s: sw, strideH, strideW, padTop, padLeft, dilationH, dilationW, groups } = s.shape;
      const [, , oh, ow] = s.y.dims as [number, number, number, number];
      const cg = c / groups;
      const kg = k / groups;
      const res = s.residual ? view(s.residual) : undefined;
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
      return;
    }
    case "maxpool":
    case "avgpool": {
      disjoint(s.x, s.y, s.name);
      const x = view(s.x);
      const y = view(s.y);
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
      return;
    }
    case "globalavgpool": {
      disjoint(s.x, s.y, s.name);
      const x = view(s.x);
      const y = view(s.y);
      const hw = s.x.dims[2]! * s.x.dims[3]!;
      for (let b = 0; b < y.length; b++) {
        let acc = 0;
        for (let i = 0; i < hw; i++) acc += x[b * hw + i]!;
        y[b] = acc / hw;
      }
      return;
    }
    case "gemm": {
      disjoint(s.x, s.y, s.name);
      const x = view(s.x);
      const out = view(s.y);
      for (let i = 0; i < s.rows; i++)
        for (let j = 0; j < s.n; j++) {
          let acc = s.bias ? s.bias[j]! : 0;
          for (let q = 0; q < s.k; q++) acc += x[i * s.k + q]! * s.weights[j * s.k + q]!;
          out[i * s.n + j] = activate(acc, s.act, s.clipMin, s.clipMax);
        }
      return;
    }
    case "relu":
    case "clip":
    case "sigmoid":
    case "hardswish": {
      const x = view(s.x);
      const y = view(s.y);
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] =
          s.op === "relu" ? Math.max(0, v)
          : s.op === "clip" ? Math.min(s.max ?? Infinity, Math.max(s.min ?? -Infinity, v))
          : s.op === "sigmoid" ? 1 / (1 + Math.exp(-v))
          : (v * Math.min(6, Math.max(0, v + 3))) / 6;
      }
      return;
    }
    case "add":
    case "mul": {
      const a = view(s.a);
      const b = view(s.b);
      const y = view(s.y);
      for (let i = 0; i < y.length; i++) y[i] = s.op === "add" ? a[i]! + b[i]! : a[i]! * b[i]!;
      return;
    }
    case "concat": {
      const y = view(s.y);
      const n = s.y.dims[0]!;
      const ctot = s.y.dims[1]!;
      const inner = s.y.dims.slice(2).reduce((p, v) => p * v, 1);
      let c0 = 0;
      for (const t of s.xs) {
        disjoint(t, s.y, s.name);
        const x = view(t);
        const c = t.dims[1]!;
        for (let b = 0; b < n; b++) y.set(x.subarray(b * c * inner, (b + 1) * c * inner), (b * ctot + c0) * inner);
        c0 += c;
      }
      return;
    }
    case "batchnorm": {
      const x = view(s.x);
      const y = view(s.y);
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
      return;
    }
    case "softmax": {
      const x = view(s.x);
      const y = view(s.y);
      const [rows, cols] = s.x.dims as [number, number];
      for (let i = 0; i < rows; i++) {
        const row = x.subarray(i * cols, (i + 1) * cols);
        const m = Math.max(...row);
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += Math.exp(row[j]! - m);
        for (let j = 0; j < cols; j++) y[i * cols + j] = Math.exp(row[j]! - m) / sum;
      }
      return;
    }
    case "reorder":
      view(s.y).set(view(s.x));
      return;
  }
}
