import assert from "node:assert/strict";
import { test } from "node:test";

import type { Program, TensorRef } from "../src/engine/program.js";
import { seededTensor } from "../src/engine/inputs.js";
import { loadNative } from "../src/native.js";

const native = loadNative();

/** Deterministic operands: the inputs module the model runner uses. */
const seeded = (n: number, seed: number): Float32Array => seededTensor([n], seed).data;

/** a[i], which the test knows to exist. */
function at<T>(a: ArrayLike<T>, i: number): T {
  const v = a[i];
  assert.ok(v !== undefined, `index ${i} out of range`);
  return v;
}

function ref(offset: number, dims: number[]): TensorRef {
  return { offset, dims, layout: "nchw" };
}

// x (1x2x5x5) -> conv 3x3 pad 1 + bias + ReLU (1x3x5x5) -> global average pool (1x3)
// -> gemm 3 -> 4 with bias -> softmax: every value computed again here in double.
const w = seeded(3 * 2 * 9, 1);
const bias = seeded(3, 2);
const fcW = seeded(4 * 3, 3);
const fcB = seeded(4, 4);
const x = seeded(2 * 25, 5);

function program(): Program {
  const tx = ref(0, [1, 2, 5, 5]);
  const ty = ref(256, [1, 3, 5, 5]);
  const tg = ref(576, [1, 3, 1, 1]);
  const tf = ref(640, [1, 4]);
  const ts = ref(704, [1, 4]);
  return {
    arenaBytes: 768,
    nchwcBlock: 0,
    inputs: [{ name: "x", ref: tx }],
    outputs: [
      { name: "features", ref: tg },
      { name: "probs", ref: ts },
    ],
    steps: [
      {
        op: "conv",
        name: "conv1",
        x: tx,
        y: ty,
        shape: {
          n: 1, c: 2, h: 5, w: 5, k: 3, r: 3, s: 3, strideH: 1, strideW: 1,
          padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, dilationH: 1, dilationW: 1, groups: 1,
        },
        algo: "im2col",
        dtype: "fp32",
        weights: w,
        bias,
        act: "relu",
      },
      { op: "globalavgpool", name: "gap", x: ty, y: tg },
      { op: "gemm", name: "fc", x: tg, y: tf, rows: 1, k: 3, n: 4, weights: fcW, bias: fcB, act: "none", dtype: "fp32" },
      { op: "softmax", name: "softmax", x: tf, y: ts },
    ],
  };
}

function expected(): { features: number[]; probs: number[] } {
  const features: number[] = [];
  for (let k = 0; k < 3; k++) {
    let total = 0;
    for (let oy = 0; oy < 5; oy++) {
      for (let ox = 0; ox < 5; ox++) {
        let s = at(bias, k);
        for (let c = 0; c < 2; c++) {
          for (let r = 0; r < 3; r++) {
            for (let q = 0; q < 3; q++) {
              const iy = oy + r - 1;
              const ix = ox + q - 1;
              if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) continue;
              s += at(x, (c * 5 + iy) * 5 + ix) * at(w, ((k * 2 + c) * 3 + r) * 3 + q);
            }
          }
        }
        total += Math.max(s, 0);
      }
    }
    features.push(total / 25);
  }
  const logits = [0, 1, 2, 3].map((j) => at(fcB, j) + features.reduce((a, f, i) => a + f * at(fcW, j * 3 + i), 0));
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return { features, probs: e.map((v) => v / sum) };
}

function assertClose(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const g = at(got, i);
    const v = at(want, i);
    assert.ok(Math.abs(g - v) <= tol * Math.max(1, Math.abs(v)), `${what}[${i}]: ${g} vs ${v}`);
  }
}

test("engineRun computes a hand-built program, off the JavaScript thread, with per-step times", async () => {
  const pool = native.gemmPool(native.allowedCpus().slice(0, 2));
  const engine = native.engineCreate(program(), pool);
  const info = native.engineInfo(engine);
  const { kernels, ...sizes } = info;
  assert.deepEqual(sizes, { arenaBytes: 768, weightBytes: (w.length + bias.length + fcW.length + fcB.length) * 4, scratchBytes: 0, steps: 4 });
  assert.equal(kernels.length, 4);
  assert.equal(kernels[0], "im2col fp32");
  assert.ok(kernels[2] !== undefined && kernels[2].length > 0, "the gemm step names its kernel");
  assert.match(kernels[3]!, /^softmax (scalar|avx2|avx512|neon)$/, "softmax names its ISA");
  const pending = native.engineRun(engine, [x], { profile: true });
  assert.ok(pending instanceof Promise);
  const { outputs, stepNs } = await pending;
  const want = expected();
  assertClose(at(outputs, 0), want.features, 1e-5, "features");
  assertClose(at(outputs, 1), want.probs, 1e-5, "probs");
  assert.equal(stepNs?.length, 4);
  for (const ns of stepNs ?? []) assert.ok(Number.isFinite(ns) && ns >= 0);
  const plain = await native.engineRun(engine, [x]);
  assert.equal(plain.stepNs, undefined);
  assert.deepEqual(plain.outputs, outputs);
});

test("engineMeasure runs the loop natively: one sample per iteration, raw per-step times per iteration", async () => {
  const engine = native.engineCreate(program());
  const m = await native.engineMeasure(engine, [x], { warmup: 2, iterations: 5, profile: true });
  assert.equal(m.samplesNs.length, 5);
  assert.equal(m.stepNs?.length, 5);
  for (let i = 0; i < 5; i++) {
    const sample = at(m.samplesNs, i);
    const row: number[] = at(m.stepNs ?? [], i);
    assert.ok(sample > 0);
    assert.equal(row.length, 4);
    const steps = row.reduce((a: number, b: number) => a + b, 0);
    assert.ok(steps <= sample, `iteration ${i}: steps ${steps} ns > sample ${sample} ns`);
  }
  assertClose(at(m.outputs, 1), expected().probs, 1e-5, "probs");
  const quiet = await native.engineMeasure(engine, [x], { warmup: 0, iterations: 1 });
  assert.equal(quiet.stepNs, undefined);
});

test("a bad program is refused at create with the step named and an errno", () => {
  const bad = program();
  bad.steps[3] = { op: "softmax", name: "softmax", x: ref(640, [1, 4]), y: ref(760, [1, 4]) };
  assert.throws(
    () => native.engineCreate(bad),
    (e: Error & { errno?: number }) =>
      /^engineCreate: step 3 "softmax" \(softmax\): y \(offset 760, 16 bytes, dims \[1,4\]\) ends past the arena of 768 bytes$/.test(
        e.message,
      ) && e.errno === 22,
  );
  const unsupported = program();
  const conv = at(unsupported.steps, 0);
  assert.ok(conv.op === "conv");
  conv.algo = "gemm-1x1";
  assert.throws(() => native.engineCreate(unsupported), (e: Error & { errno?: number }) =>
    /step 0 "conv1" \(conv\): algorithm "gemm-1x1" cannot run this shape/.test(e.message) && e.errno === 95);
  conv.algo = "fastest";
  assert.throws(() => native.engineCreate(unsupported), /step 0 "conv1" \(conv\): unknown conv algorithm "fastest"/);
  const mistyped = program();
  (mistyped.steps[2] as { weights: unknown }).weights = [1, 2, 3];
  assert.throws(() => native.engineCreate(mistyped), { name: "TypeError", message: /step 2 "fc" \(gemm\): weights must be a Float32Array/ });
});

test("the run functions check their arguments", async () => {
  const engine = native.engineCreate(program());
  assert.throws(() => native.engineRun(engine, []), { name: "RangeError", message: /takes 1 inputs; 0 given/ });
  assert.throws(() => native.engineRun(engine, [new Float32Array(3)]), { name: "RangeError", message: /holds 3 values; 50 expected/ });
  assert.throws(() => native.engineRun(native.gemmPool([0]), [x]), { name: "TypeError", message: /expected an engine handle/ });
  assert.throws(() => native.engineMeasure(engine, [x], { warmup: 0, iterations: 0 }), RangeError);
  assert.ok(native.nchwcBlock() >= 4);
});

test("runs on one engine may overlap: they are serialized natively and each gets its own outputs", async () => {
  const engine = native.engineCreate(program());
  const other = seeded(50, 9);
  const [a, b, c] = await Promise.all([native.engineRun(engine, [x]), native.engineRun(engine, [other]), native.engineRun(engine, [x])]);
  assert.deepEqual(a.outputs, c.outputs);
  assert.notDeepEqual(a.outputs, b.outputs);
  const alone = await native.engineRun(engine, [other]);
  assert.deepEqual(b.outputs, alone.outputs);
});

test("bf16 conv and gemm steps round x into executor scratch and stay near the fp32 answer", async () => {
  const p = program();
  for (const s of p.steps) if (s.op === "conv" || s.op === "gemm") s.dtype = "bf16";
  const engine = native.engineCreate(p);
  const info = native.engineInfo(engine);
  assert.equal(info.scratchBytes, 2 * 50); // the conv's input, the larger of the two
  assert.equal(info.weightBytes, (w.length + fcW.length) * 2 + (bias.length + fcB.length) * 4);
  const { outputs } = await native.engineRun(engine, [x]);
  // Each bf16 operand is within 2^-9 relative of its float; these sums are short.
  assertClose(at(outputs, 0), expected().features, 2e-2, "bf16 features");
  assertClose(at(outputs, 1), expected().probs, 2e-2, "bf16 probs");
});
