import assert from "node:assert/strict";
import test from "node:test";

import { compileModel } from "../src/engine/compile.js";
import { agreement } from "../src/engine/compare.js";
import { seededInputs, byInputName } from "../src/engine/inputs.js";
import { countFlops, isIntTensor } from "../src/engine/ir.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { bertGraph, type BertConfig } from "../src/engine/models/bert.js";
import { builtinModel } from "../src/engine/models/index.js";
import { loadOnnx, loadOnnxFile, saveOnnx } from "../src/engine/onnx.js";
import path from "node:path";
import onnxProto from "onnx-proto";
import { readFileSync, writeFileSync } from "node:fs";
import { saveOrtOptimized } from "../src/engine/ort.js";
import { loadNative } from "../src/native.js";
import { runGraph } from "./helpers/engine.js";
import { tempDir } from "./helpers/fixtures.js";
import { interpret } from "./helpers/program-interpreter.js";

const TINY: BertConfig = { layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 50, maxPositions: 40, tokenTypes: true, pooler: true };

test("bert-base has the published size: 12 layers, 110M parameters, 11.2 GMACs at 128 tokens", () => {
  const g = builtinModel("bert-base");
  const params = [...g.initializers.values()].reduce((p, t) => p + t.data.length, 0);
  assert.ok(params > 109e6 && params < 110.2e6, `${params} parameters`);
  // 12 layers x (4 h^2 + 2 h ffn) x seq + attention's 2 x seq^2 x h, plus the pooler.
  const h = 768, s = 128;
  const want = 12 * ((4 * h * h + 2 * h * 3072) * s + 2 * s * s * h) + h * h;
  assert.equal(countFlops(g).macs, want);
  assert.deepEqual(g.inputs.map((v) => [v.name, v.dtype, v.dims]), [["input_ids", "int64", [1, 128]], ["attention_mask", "int64", [1, 128]]]);
  assert.deepEqual(g.outputs, ["last_hidden_state", "pooler_output"]);
});

test("the passes fuse GELU and bias into the gemms, residual adds into LayerNorm and each attention into one step", () => {
  const c = compileModel(bertGraph("tiny", TINY, { seq: 8 }), { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  const ops = c.optimized.nodes.map((n) => n.op);
  assert.ok(!ops.includes("Erf"), "the Erf formula became a Gelu fused into the gemm");
  const gelus = c.optimized.nodes.filter((n) => n.op === "FusedGemm" && n.attrs.act === "gelu");
  assert.equal(gelus.length, TINY.layers);
  const skip = c.optimized.nodes.filter((n) => n.op === "LayerNormalization" && n.inputs[3]);
  assert.equal(skip.length, 2 * TINY.layers);
  const steps = c.program.steps.map((s) => s.op);
  assert.equal(steps.filter((s) => s === "attention").length, TINY.layers, "each layer's attention fused");
  assert.equal(steps.filter((s) => s === "matmul").length, 0);
  assert.equal(steps.filter((s) => s === "gather").length, 2, "word embeddings and the pooler's first token");
});

test("a small BERT lowered and interpreted agrees with onnxruntime, padding mask included", async () => {
  for (const [batch, layerNorm] of [[1, "op"], [2, "op"], [1, "decomposed"]] as const) {
    const g = bertGraph("tiny", TINY, { seq: 12, batch, layerNorm });
    const inputs = seededInputs(g, 3);
    const mask = inputs[1]!;
    assert.ok(isIntTensor(mask) && mask.data.includes(0) && mask.data.includes(1), "the mask has padding");
    const want = await runGraph(g, byInputName(g, inputs));
    const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
    const got = interpret(c.program, inputs.map((t) => t.data));
    g.outputs.forEach((name, i) => {
      const a = agreement(got[i]!, want[name]!.data);
      assert.ok(a.cosine > 0.99999 && a.maxAbsDiff < 1e-4, `${name} at batch ${batch}, ${layerNorm} layer norm: ${JSON.stringify(a)}`);
    });
  }
});

test("a saved BERT loads back with its int64 inputs and computes the same", async () => {
  const g = bertGraph("tiny", { ...TINY, pooler: false, tokenTypes: false }, { seq: 6 });
  const back = loadOnnx(saveOnnx(g));
  assert.deepEqual(back.inputs, g.inputs);
  const inputs = seededInputs(g, 5);
  const want = await runGraph(g, byInputName(g, inputs));
  const c = compileModel(back, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  const got = interpret(c.program, inputs.map((t) => t.data))[0]!;
  assert.ok(agreement(got, want.last_hidden_state!.data).cosine > 0.99999);
});

test("the op-by-op layer norm torch writes below opset 17 becomes LayerNormalization nodes", () => {
  const g = bertGraph("tiny", TINY, { seq: 4, layerNorm: "decomposed" });
  assert.equal(g.nodes.filter((n) => n.op === "LayerNormalization").length, 0);
  const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  const ops = c.optimized.nodes.map((n) => n.op);
  assert.equal(ops.filter((o) => o === "LayerNormalization").length, 1 + 2 * TINY.layers);
  for (const gone of ["ReduceMean", "Pow", "Sqrt"]) assert.ok(!ops.includes(gone as never), `${gone} left after fusion`);
});

test("onnxruntime fuses the saved bert-base into its Attention, SkipLayerNormalization and Gelu kernels", async () => {
  const dir = tempDir("bert-ort");
  const file = path.join(dir, "optimized.onnx");
  await saveOrtOptimized(saveOnnx(builtinModel("bert-base")), file);
  const m = onnxProto.onnx.ModelProto.decode(readFileSync(file));
  const count = (op: string) => m.graph!.node!.filter((n) => n.opType === op && n.domain === "com.microsoft").length;
  assert.equal(count("Attention"), 12);
  assert.equal(count("SkipLayerNormalization"), 25);
  assert.equal(count("Gelu"), 12);
  // The saved file itself loads back into armbench.
  const saved = path.join(dir, "bert.onnx");
  writeFileSync(saved, saveOnnx(builtinModel("distilbert", { seq: 8 })));
  assert.equal(loadOnnxFile(saved).nodes.filter((n) => n.op === "LayerNormalization").length, 13);
});

test("a tuned GEMM kernel and blocking on gemm and matmul steps gives the same answer; a foreign kernel is refused in one sentence", async () => {
  const native = loadNative();
  const g = bertGraph("tiny", TINY, { seq: 12 });
  const inputs = seededInputs(g, 4).map((t) => t.data);
  const fp32 = native.gemmKernels().filter((k) => k.dtype === "fp32" && k.unsupported === null);
  const bf16 = native.gemmKernels().find((k) => k.dtype === "bf16");
  const run = async (gemm?: { kernel: number; mc: number; kc: number; nc: number }) => {
    const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock(), ...(gemm ? { gemm: { fp32: gemm } } : {}) });
    assert.ok(!gemm || c.program.steps.filter((s) => s.op === "gemm" || s.op === "matmul").every((s) => "gemm" in s && s.gemm === gemm));
    return (await native.engineRun(native.engineCreate(c.program), inputs)).outputs[0]!;
  };
  const want = await run();
  for (const k of fp32) {
    // Blocks smaller than every dimension, so each loop of the driver runs more than once.
    const got = await run({ kernel: k.index, mc: 2 * k.mr, kc: 16, nc: 2 * k.nr });
    assert.ok(agreement(got, want).maxAbsDiff < 1e-4, k.name);
  }
  if (bf16) {
    const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock(), gemm: { fp32: { kernel: bf16.index, mc: 64, kc: 64, nc: 64 } } });
    assert.throws(() => native.engineCreate(c.program), /gemm kernel \S+ is not of the step's dtype/);
  }
});
