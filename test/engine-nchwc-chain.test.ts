import assert from "node:assert/strict";
import { test } from "node:test";

import type { Program, Step, TensorRef } from "../src/engine/program.js";
import { seededTensor } from "../src/engine/inputs.js";
import { loadNative } from "../src/native.js";

const native = loadNative();
const block = native.nchwcBlock();

/** Deterministic operands: the inputs module the model runner uses. */
const seeded = (n: number, seed: number): Float32Array => seededTensor([n], seed).data;

// x (1x5x6x6) -> conv 3x3 + ReLU (7 channels) -> conv 1x1 + x + ReLU (5) -> maxpool 2x2
// -> global average pool (1x5): once with every activation NCHW, once kept in NCHWc
// between a reorder in and the pool at the end. Channel counts leave padding channels.
const c = 5, mid = 7, hw = 6;
const w1 = seeded(mid * c * 9, 1), b1 = seeded(mid, 2), w2 = seeded(c * mid, 3), b2 = seeded(c, 4);
const x = seeded(c * hw * hw, 5);

function program(dtype: "fp32" | "bf16", blocked: boolean): Program {
  let arena = 0;
  const tensor = (dims: number[], layout: "nchw" | "nchwc"): TensorRef => {
    const ref: TensorRef = { offset: arena, dims, layout };
    const [n = 1, ch = 1, h = 1, w = 1] = dims;
    arena += Math.ceil((n * (layout === "nchwc" ? Math.ceil(ch / block) * block : ch) * h * w * 4) / 64) * 64;
    return ref;
  };
  const layout = blocked ? "nchwc" : "nchw";
  const input = tensor([1, c, hw, hw], "nchw");
  const steps: Step[] = [];
  let tx = input;
  if (blocked) {
    tx = tensor([1, c, hw, hw], "nchwc");
    steps.push({ op: "reorder", name: "to-nchwc", x: input, y: tx });
  }
  const t1 = tensor([1, mid, hw, hw], layout), t2 = tensor([1, c, hw, hw], layout);
  const tp = tensor([1, c, hw / 2, hw / 2], layout), tg = tensor([1, c], "nchw");
  const shape = (cin: number, k: number, r: number) => ({
    n: 1, c: cin, h: hw, w: hw, k, r, s: r, strideH: 1, strideW: 1,
    padTop: (r - 1) / 2, padLeft: (r - 1) / 2, padBottom: (r - 1) / 2, padRight: (r - 1) / 2, dilationH: 1, dilationW: 1, groups: 1,
  });
  steps.push(
    { op: "conv", name: "conv3x3", x: tx, y: t1, shape: shape(c, mid, 3), algo: "direct-nchwc", dtype, weights: w1, bias: b1, act: "relu" },
    { op: "conv", name: "conv1x1", x: t1, y: t2, shape: shape(mid, c, 1), algo: "direct-nchwc", dtype, weights: w2, bias: b2, residual: tx, act: "relu" },
    { op: "maxpool", name: "pool", x: t2, y: tp, kernel: [2, 2], stride: [2, 2], pads: [0, 0, 0, 0] },
    { op: "globalavgpool", name: "gap", x: tp, y: tg },
  );
  return { arenaBytes: arena, nchwcBlock: blocked ? block : 0, inputs: [{ name: "x", ref: input }], outputs: [{ name: "y", ref: tg }], steps };
}

for (const dtype of ["fp32", "bf16"] as const) {
  test(`a conv chain (${dtype}) kept in NCHWc through the binding gives the NCHW program's bits`, async () => {
    const plain = native.engineCreate(program(dtype, false));
    const blocked = native.engineCreate(program(dtype, true));
    const want = (await native.engineRun(plain, [x])).outputs[0];
    const got = (await native.engineRun(blocked, [x])).outputs[0];
    assert.ok(want && got);
    assert.deepEqual(Array.from(got), Array.from(want));
    assert.ok(want.some((v) => v !== 0), "the chain's output is not all zero");
    const kernels = native.engineInfo(blocked).kernels;
    assert.deepEqual(kernels.slice(1), [`direct-nchwc ${dtype} nchwc`, `direct-nchwc ${dtype} nchwc`, "maxpool nchwc", "globalavgpool nchwc"]);
  });
}

test("a conv reading NCHWc and writing NCHW is refused with the reason", () => {
  const p = program("fp32", true);
  const conv = p.steps[1];
  assert.ok(conv && conv.op === "conv");
  conv.y = { ...conv.y, layout: "nchw" };
  assert.throws(() => native.engineCreate(p), (e: Error & { errno?: number }) => {
    assert.match(e.message, /x is nchwc but y is nchw: a conv reads and writes one layout/);
    assert.equal(e.errno, 95);
    return true;
  });
});
