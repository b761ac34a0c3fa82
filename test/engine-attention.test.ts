import assert from "node:assert/strict";
import { test } from "node:test";

import { compileModel } from "../src/engine/compile.js";
import { agreement } from "../src/engine/compare.js";
import type { Graph, Node } from "../src/engine/ir.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import { loadOnnx, saveOnnx } from "../src/engine/onnx.js";
import { fuseAttention, optimize } from "../src/engine/passes.js";
import { loadNative } from "../src/native.js";
import { randomInputs, runGraph } from "./helpers/engine.js";

interface Pattern {
  /** q [..., sq, dk]; kt and v follow. */
  batch: number[];
  sq?: number;
  sk?: number;
  scale?: { op: "Mul" | "Div"; dims?: number[]; first?: boolean } | null;
  /** Dims of a mask input, or null for none. */
  mask?: number[] | null;
  softmaxAxis?: number;
  /** Also output the softmax's probabilities (another reader). */
  exposeProbs?: boolean;
}

/** MatMul(q, kt) [-> Mul/Div] [-> Add mask] -> Softmax -> MatMul(v) with its inputs as graph inputs. */
function attentionGraph(p: Pattern): Graph {
  const [sq, sk, dk, dv] = [p.sq ?? 11, p.sk ?? 13, 8, 5];
  const g: Graph = {
    name: "attention",
    inputs: [
      { name: "q", dims: [...p.batch, sq, dk] },
      { name: "kt", dims: [...p.batch, dk, sk] },
      { name: "v", dims: [...p.batch, sk, dv] },
    ],
    outputs: ["y"],
    nodes: [],
    initializers: new Map(),
  };
  const node = (op: Node["op"], inputs: string[], out: string, attrs: Node["attrs"] = {}) => g.nodes.push({ op, name: out, inputs, outputs: [out], attrs } as Node);
  node("MatMul", ["q", "kt"], "scores");
  let cur = "scores";
  const scale = p.scale === undefined ? { op: "Div" as const } : p.scale;
  if (scale) {
    const dims = scale.dims ?? [];
    const n = dims.reduce((a, b) => a * b, 1);
    g.initializers.set("c", { dims, data: Float32Array.from({ length: n }, (_, i) => Math.sqrt(dk) + i / 8) });
    node(scale.op, scale.first ? ["c", cur] : [cur, "c"], "scaled");
    cur = "scaled";
  }
  const mask = p.mask === undefined ? [p.batch[0] ?? 1, 1, 1, sk].slice(-(p.batch.length + 2)) : p.mask;
  if (mask) {
    g.inputs.push({ name: "mask", dims: mask });
    node("Add", [cur, "mask"], "masked");
    cur = "masked";
  }
  node("Softmax", [cur], "probs", { axis: p.softmaxAxis ?? -1 });
  node("MatMul", ["probs", "v"], "y");
  if (p.exposeProbs) g.outputs.push("probs");
  return g;
}

const fused = (g: Graph) => optimize(g).nodes.filter((n) => n.op === "Attention").length;

test("fuseAttention: bert-base's 12 layers each become one Attention node, nothing of the pattern left", () => {
  const g = optimize(builtinModel("bert-base"));
  const ops = g.nodes.map((n) => n.op);
  assert.equal(ops.filter((o) => o === "Attention").length, 12);
  assert.ok(!ops.includes("Softmax") && !ops.includes("MatMul"), ops.join());
  const a = g.nodes.find((n) => n.op === "Attention")!;
  assert.deepEqual(a.attrs, { scaleOp: "Div", scaleBy: 8 });
  assert.ok(a.inputs[3], "the mask is an input");
});

test("fuseAttention: 3-D and 4-D, Mul or Div, the scalar on either side of a Mul, each mask form or none", () => {
  const cases: Pattern[] = [
    { batch: [2, 3] },
    { batch: [6], mask: null },
    { batch: [2, 3], scale: { op: "Mul", first: true }, mask: [2, 1, 11, 13] },
    { batch: [2, 3], scale: null, mask: [2, 3, 11, 13] },
    { batch: [], mask: [13], scale: { op: "Mul", dims: [1, 1] } },
    { batch: [1, 2], softmaxAxis: 3, sq: 40, sk: 70 },
  ];
  for (const p of cases) assert.equal(fused(attentionGraph(p)), 1, JSON.stringify(p));
});

test("fuseAttention refuses what it cannot stand for and leaves the graph as it was", () => {
  const cases: [string, Pattern][] = [
    ["a scale of more than one value", { batch: [2, 3], scale: { op: "Mul", dims: [13] } }],
    ["a Div of the constant by the scores", { batch: [2, 3], scale: { op: "Div", first: true } }],
    ["softmax over another axis", { batch: [2, 3], softmaxAxis: 2 }],
    ["probabilities read elsewhere too", { batch: [2, 3], exposeProbs: true }],
    ["a mask that widens the scores", { batch: [3], mask: [2, 3, 11, 13] }],
  ];
  for (const [why, p] of cases) {
    const g = attentionGraph(p);
    const before = optimize(g).nodes.map((n) => n.op);
    assert.ok(!before.includes("Attention"), why);
    assert.deepEqual(fuseAttention(g).nodes.map((n) => n.op), g.nodes.map((n) => n.op), why);
  }
  // q, kt and v whose batch dims would broadcast.
  const g = attentionGraph({ batch: [2, 3] });
  g.inputs[2]!.dims = [1, 3, 13, 5];
  assert.equal(fused(g), 0);
});

test("the fused step computes what onnxruntime does on the unfused graph, fp32 and bf16, one and two threads", async () => {
  const native = loadNative();
  for (const p of [{ batch: [2, 3], sq: 40, sk: 70 }, { batch: [4], mask: null }, { batch: [1, 2], mask: [1, 1, 40, 40], sq: 40, sk: 40 }] as Pattern[]) {
    const g = attentionGraph(p);
    const inputs = randomInputs(g, 9);
    const want = (await runGraph(g, inputs)).y!.data;
    for (const fpmath of ["fp32", "bf16"] as const) {
      const c = compileModel(g, { fpmath, chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() });
      assert.deepEqual(c.program.steps.map((s) => s.op), ["attention"]);
      for (const threads of [1, 2]) {
        const pool = native.gemmPool([...Array(threads).keys()], true);
        const got = (await native.engineRun(native.engineCreate(c.program, pool), g.inputs.map((v) => inputs[v.name]!.data))).outputs[0]!;
        const a = agreement(got, want);
        const [cos, diff] = fpmath === "fp32" ? [0.999999, 1e-5] : [0.999, 2e-2];
        assert.ok(a.cosine > cos && a.maxAbsDiff < diff, `${JSON.stringify(p)} ${fpmath} ${threads} threads: ${JSON.stringify(a)}`);
      }
    }
  }
});

test("a fused graph saved as ONNX is the standard ops again: onnxruntime runs it and gets the same answers", async () => {
  const g = attentionGraph({ batch: [2, 3], scale: { op: "Mul" } });
  const opt = optimize(g);
  assert.equal(opt.nodes.filter((n) => n.op === "Attention").length, 1);
  const inputs = randomInputs(g, 3);
  const want = (await runGraph(g, inputs)).y!.data;
  const got = (await runGraph(opt, inputs)).y!.data;
  assert.ok(agreement(got, want).maxAbsDiff < 1e-6);
  const back = loadOnnx(saveOnnx(opt));
  assert.deepEqual(back.nodes.map((n) => n.op), ["MatMul", "Mul", "Add", "Softmax", "MatMul"]);
  assert.equal(fused(back), 1, "and armbench fuses it again");
  // bert-base's fused graph too, at a short sequence.
  const bert = builtinModel("bert-base", { seq: 8 });
  const bin = randomInputs(bert, 2);
  const bwant = await runGraph(bert, bin);
  const bgot = await runGraph(optimize(bert), bin);
  for (const name of bert.outputs) assert.ok(agreement(bgot[name]!.data, bwant[name]!.data).cosine > 0.99999, name);
});
