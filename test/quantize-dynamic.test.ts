// armbench model --quantize dynamic: the weights' per-column int8 quantization, the
// rewrite of MatMul and Gemm, the fused step against the ops that define it (bit for
// bit), the saved graph loaded back and run by onnxruntime, and the CLI's records.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { compileModel } from "../src/engine/compile.js";
import { seededTensor } from "../src/engine/inputs.js";
import type { Graph } from "../src/engine/ir.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { loadOnnx, saveOnnx } from "../src/engine/onnx.js";
import { loadOrt, runOrt } from "../src/engine/ort.js";
import { expandDynamicQuantMatMul } from "../src/engine/passes.js";
import { quantizeColumns, quantizeDynamic } from "../src/engine/quantize.js";
import { loadNative } from "../src/native.js";
import type { ResultsFile } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

test("weights quantize per column: scale max|w| / 127, ties to even, a zero column kept at scale 1", () => {
  // k = 3, n = 3: column 0 spans 127 steps of 0.5 (ties at 0.25 / 0.5 = 0.5 and 0.75 / 0.5 = 1.5), column 2 is zero.
  const w = Float32Array.from([63.5, -2, 0, 0.25, 4, 0, -0.75, 1, 0]);
  const { q, scale } = quantizeColumns(w, 3, 3);
  assert.deepEqual(Array.from(scale.data), [0.5, Math.fround(4 / 127), 1]);
  assert.equal(q.dtype, "int8");
  assert.deepEqual(Array.from(q.data.filter((_, i) => i % 3 === 0)), [127, 0, -2]);
  assert.deepEqual(Array.from(q.data.filter((_, i) => i % 3 === 1)), [-64, 127, 32]);
  assert.deepEqual(Array.from(q.data.filter((_, i) => i % 3 === 2)), [0, 0, 0]);
});

/** x [2, 5, k] -> MatMul w [k, n] -> Gemm (transB, bias) [.., n] -> y; and a MatMul of two activations that stays fp32. */
function smallGraph(k: number, n: number): Graph {
  const w = seededTensor([k, n], 11);
  const w2 = seededTensor([n, n], 12);
  const bias = seededTensor([n], 13);
  return {
    name: "small",
    inputs: [{ name: "x", dims: [10, k] }],
    outputs: ["z"],
    nodes: [
      { op: "MatMul", name: "mm", inputs: ["x", "w"], outputs: ["h"], attrs: {} },
      { op: "Gemm", name: "fc", inputs: ["h", "w2", "b"], outputs: ["g"], attrs: { alpha: 1, beta: 1, transA: false, transB: true } },
      { op: "Transpose", name: "t", inputs: ["g"], outputs: ["gt"], attrs: { perm: [1, 0] } },
      { op: "MatMul", name: "self", inputs: ["g", "gt"], outputs: ["z"], attrs: {} },
    ],
    initializers: new Map([["w", w], ["w2", w2], ["b", bias]]),
  };
}

async function runGraph(g: Graph, x: Float32Array): Promise<Float32Array> {
  const native = loadNative();
  const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() });
  const { outputs } = await native.engineRun(native.engineCreate(c.program), [x]);
  return outputs[0] as Float32Array;
}

test("the rewrite quantizes constant-weight MatMuls and Gemms only, and a graph with none is refused", () => {
  const { graph, count } = quantizeDynamic(smallGraph(48, 40));
  assert.equal(count, 2);
  assert.deepEqual(graph.nodes.map((n) => n.op), ["DynamicQuantMatMul", "DynamicQuantMatMul", "Add", "Transpose", "MatMul"]);
  // The fp32 weights are gone; int8 ones and their scales took their place.
  assert.deepEqual([...graph.initializers.keys()].sort(), ["b", "w/int8", "w/scale", "w2/int8", "w2/scale"]);
  assert.equal(graph.initializers.get("w2/int8")!.dims.join(), "40,40");
  const none: Graph = { name: "none", inputs: [{ name: "x", dims: [4, 4] }], outputs: ["y"], nodes: [{ op: "Relu", name: "r", inputs: ["x"], outputs: ["y"], attrs: {} }], initializers: new Map() };
  assert.throws(() => quantizeDynamic(none), /none has no MatMul or Gemm with constant weights: --quantize dynamic has nothing to quantize\./);
});

test("the fused step computes what DynamicQuantizeLinear, MatMulInteger, Cast and the Muls compute, bit for bit", async () => {
  for (const [k, n] of [[48, 40], [200, 130]] as const) {
    const { graph } = quantizeDynamic(smallGraph(k, n));
    const expanded = expandDynamicQuantMatMul(graph);
    assert.ok(expanded.nodes.some((x) => x.op === "MatMulInteger") && !expanded.nodes.some((x) => x.op === "DynamicQuantMatMul"));
    const x = seededTensor([10, k], 5).data;
    for (const input of [x, x.map((v) => Math.max(v, 0)), new Float32Array(x.length)]) {
      const fused = await runGraph(graph, input);
      const reference = await runGraph(expanded, input);
      assert.deepEqual(fused, reference, `k ${k}, n ${n}`);
    }
  }
});

test("the saved quantized graph loads back as the same answer, and onnxruntime runs it", async () => {
  const { graph } = quantizeDynamic(smallGraph(64, 48));
  const bytes = saveOnnx(graph);
  const x = seededTensor([10, 64], 9).data;
  const ours = await runGraph(graph, x);
  // The loader writes DynamicQuantizeLinear out as its defining ops: the same bits again.
  assert.deepEqual(await runGraph(loadOnnx(bytes), x), ours);
  const ort = await loadOrt();
  if (!ort.ok) return assert.fail(`onnxruntime-node did not load: ${ort.reason}`);
  const got = Object.values(await runOrt(bytes, { x: { dims: [10, 64], data: x } }, 1))[0]!.data;
  let dot = 0, a = 0, b = 0;
  for (let i = 0; i < got.length; i++) (dot += got[i]! * ours[i]!), (a += got[i]! ** 2), (b += ours[i]! ** 2);
  assert.ok(dot / Math.sqrt(a * b) > 0.999, `cosine ${dot / Math.sqrt(a * b)}`);
});

test("armbench model --quantize dynamic: both engines on the int8 graph, accuracy over 64 inputs, refusals in one sentence", { timeout: 300_000 }, () => {
  const dir = tempDir();
  const json = path.join(dir, "q.json");
  const r = armbench(["model", "distilbert", "--quantize", "dynamic", "--seq", "16", "--batch", "1", "--threads", "1", "--quick", "--iterations", "2", "--warmup", "0", "--json", json], dir, { ...process.env, ARMBENCH_TUNE: "off" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /armbench\s+│ int8 dynamic/);
  const file = JSON.parse(readFileSync(json, "utf8")) as ResultsFile;
  const model = file.records.filter((x) => x.suite === "model");
  assert.ok(model.every((x) => x.params.quantize === "dynamic"), "every model record says it ran the quantized graph");
  const check = model.find((x) => x.name === "model.check" && x.impl === "armbench")!;
  assert.equal(check.status, "ok");
  assert.equal(check.params.inputs, 64);
  const top1 = check.params.top1Agreement as number;
  assert.ok(top1 >= 0 && top1 <= 1, String(top1));
  assert.ok((check.params.cosine as number) >= 0.99);
  assert.ok(model.some((x) => x.name === "model.check" && x.impl === "onnxruntime" && x.status === "ok"), "onnxruntime's int8 answer against our fp32");
  assert.ok(model.some((x) => x.name === "model.latency" && x.impl === "armbench" && x.status === "ok"));
  const st = armbench(["model", "distilbert", "--quantize", "static"], dir);
  assert.equal(st.status, 1);
  assert.match(st.stderr, /^armbench: --quantize static \(int8 convs with calibrated activations\) is not built yet; --quantize dynamic quantizes the MatMul and Gemm weights\.\n$/);
  const both = armbench(["model", "distilbert", "--quantize", "dynamic", "--fpmath", "bf16"], dir);
  assert.match(both.stderr, /^armbench: --quantize and --fpmath bf16 are two ways to trade accuracy for speed; give one of them\.\n$/);
  const bad = armbench(["model", "resnet18", "--quantize", "dyn"], dir);
  assert.match(bad.stderr, /^armbench: unknown --quantize "dyn"; choose dynamic \(or none\)\.\n$/);
});
