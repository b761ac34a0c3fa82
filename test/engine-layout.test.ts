import assert from "node:assert/strict";
import { test } from "node:test";

import { agreement } from "../src/engine/compare.js";
import { compileModel, type CompiledModel } from "../src/engine/compile.js";
import type { OpType } from "../src/engine/ir.js";
import { NCHWC_PLAIN_INPUT_MAX_CHANNELS } from "../src/engine/layout.js";
import { defaultAlgoChooser, type AlgoChooser } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import type { Program } from "../src/engine/program.js";
import { randomInputs, runGraph } from "./helpers/engine.js";
import { interpret } from "./helpers/program-interpreter.js";

const POOLS: OpType[] = ["MaxPool", "AveragePool", "GlobalAveragePool"];
/** direct-nchwc for every dense (not depthwise) conv: the longest blocked chains. */
const allDirect: AlgoChooser = (s, d) => (s.groups === 1 ? "direct-nchwc" : defaultAlgoChooser(s, d));
/** direct-nchwc for 3x3 convs only: blocked islands between NCHW 1x1 convs. */
// Islands: only the 3x3 convs blocked, every other conv on an NCHW algorithm.
const threeByThree: AlgoChooser = (s) => (s.r === 3 && s.groups === 1 ? "direct-nchwc" : "im2col-tiled");

function compile(name: string, chooseAlgo: AlgoChooser, block: number, blockedOps?: OpType[]): CompiledModel {
  return compileModel(builtinModel(name, { inputSize: 32 }), { fpmath: "fp32", chooseAlgo, nchwcBlock: block, nchwc: { blockedOps } });
}

/** The layout rules the executor holds to, step by step. */
function checkLayouts(p: Program): void {
  for (const v of [...p.inputs, ...p.outputs]) assert.equal(v.ref.layout, "nchw", v.name);
  for (const s of p.steps) {
    if (s.op === "conv") {
      const layout = s.algo === "direct-nchwc" ? "nchwc" : "nchw";
      // A first conv of few channels reads the image as given.
      assert.equal(s.x.layout, layout === "nchwc" && s.shape.c <= NCHWC_PLAIN_INPUT_MAX_CHANNELS ? "nchw" : layout, s.name);
      assert.equal(s.y.layout, layout, s.name);
      if (s.residual) assert.equal(s.residual.layout, layout, s.name);
    }
    if (s.op === "gemm" || s.op === "softmax") assert.ok(s.x.layout === "nchw" && s.y.layout === "nchw", s.name);
  }
}

/** No two buffers live at the same step share bytes, at their padded sizes. */
function checkPlan(c: CompiledModel): void {
  const bs = c.plan.buffers;
  for (let i = 0; i < bs.length; i++)
    for (let j = i + 1; j < bs.length; j++) {
      const [a, b] = [bs[i]!, bs[j]!];
      if (a.first <= b.last && b.first <= a.last) assert.ok(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset, `${a.values} / ${b.values}`);
    }
}

async function sameAsOrt(c: CompiledModel): Promise<void> {
  const inputs = randomInputs(c.graph);
  const want = (await runGraph(c.graph, inputs)).output!;
  const got = interpret(c.program, c.program.inputs.map((v) => inputs[v.name]!.data))[0]!;
  const a = agreement(got, want.data);
  const scale = Math.max(1, ...want.data.map(Math.abs));
  assert.ok(a.nonFinite === 0 && a.maxAbsDiff <= 1e-4 * scale, `max abs diff ${a.maxAbsDiff}`);
}

test("NCHWc chains: every direct-nchwc conv reads and writes blocked tensors, the rest stays NCHW, same answer", async () => {
  const c = compile("resnet18", allDirect, 8, POOLS);
  checkLayouts(c.program);
  checkPlan(c);
  const reorders = c.program.steps.filter((s) => s.op === "reorder");
  // The stem reads the NCHW image into NCHWc, global pooling writes NCHW itself: no reorder at all.
  assert.equal(reorders.length, 0, reorders.map((s) => s.name).join(", "));
  const stem = c.program.steps.find((s) => s.op === "conv");
  assert.ok(stem?.op === "conv" && stem.x.layout === "nchw" && stem.y.layout === "nchwc");
  const pool = c.program.steps.find((s) => s.op === "maxpool");
  assert.ok(pool?.op === "maxpool" && pool.x.layout === "nchwc");
  await sameAsOrt(c);
});

test("blocked islands between NCHW convs get a reorder in and out, each value converted once per layout", async () => {
  const c = compile("resnet18", threeByThree, 16);
  checkLayouts(c.program);
  checkPlan(c);
  const names = c.program.steps.filter((s) => s.op === "reorder").map((s) => s.name);
  assert.ok(names.length > 4);
  assert.equal(new Set(names).size, names.length);
  assert.ok(c.program.steps.every((s) => s.op !== "maxpool" || s.x.layout === "nchw"), "pools not declared blocked run on NCHW");
  await sameAsOrt(c);
});

test("MobileNetV2 in NCHWc: channel counts that are not whole blocks (3, 24, 1000) and blocked residuals", async () => {
  const c = compile("mobilenetv2", allDirect, 16, POOLS);
  checkLayouts(c.program);
  checkPlan(c);
  assert.ok(c.program.steps.some((s) => s.op === "conv" && s.residual?.layout === "nchwc"));
  await sameAsOrt(c);
});

test("the chooser is asked once per conv, and lowering uses what the layout pass chose", () => {
  let calls = 0;
  const counting: AlgoChooser = (s, d) => {
    calls++;
    return allDirect(s, d);
  };
  const c = compile("resnet18", counting, 8, POOLS);
  const convs = c.program.steps.filter((s) => s.op === "conv");
  assert.equal(calls, convs.length);
});

test("without NCHWc every tensor is NCHW, as before", () => {
  const c = compileModel(builtinModel("resnet18", { inputSize: 32 }), { fpmath: "fp32", chooseAlgo: allDirect, nchwcBlock: 8 });
  assert.ok(c.program.steps.every((s) => s.op !== "reorder"));
  assert.ok(c.program.steps.every((s) => !("x" in s) || !s.x || s.x.layout === "nchw"));
});
