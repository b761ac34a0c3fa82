import assert from "node:assert/strict";
import { test } from "node:test";

import { builtinModel } from "../src/engine/models/index.js";
import { saveOnnx } from "../src/engine/onnx.js";
import { loadOrt, measureOrt } from "../src/engine/ort.js";
import { randomInputs } from "./helpers/engine.js";

test("onnxruntime runs a built-in model: one latency per timed run, finite and varied outputs", async () => {
  const g = builtinModel("resnet18", { inputSize: 64 });
  const m = await measureOrt(saveOnnx(g), randomInputs(g), { threads: 1, warmup: 1, iterations: 3 });
  assert.ok(m.ok, m.ok ? "" : m.reason);
  assert.match(m.version, /^\d+\.\d+/);
  assert.equal(m.latencyMs.length, 3);
  assert.ok(m.latencyMs.every((ms) => ms > 0 && Number.isFinite(ms)));
  const y = m.outputs.output!;
  assert.deepEqual(y.dims, [1, 1000]);
  assert.ok(y.data.every(Number.isFinite));
  assert.ok(new Set(y.data).size > 900, "logits differ from class to class");
});

test("a missing onnxruntime is a reason, not a crash", async () => {
  const got = await loadOrt("onnxruntime-node-not-installed");
  assert.equal(got.ok, false);
  assert.match(!got.ok ? got.reason : "", /^onnxruntime-node-not-installed cannot be loaded: /);
  const g = builtinModel("resnet18", { inputSize: 32 });
  const m = await measureOrt(saveOnnx(g), randomInputs(g), { threads: 1, warmup: 1, iterations: 1, moduleName: "onnxruntime-node-not-installed" });
  assert.equal(m.ok, false);
});

test("a model onnxruntime refuses is a reason, not a crash", async () => {
  const m = await measureOrt(Uint8Array.from([1, 2, 3]), {}, { threads: 1, warmup: 1, iterations: 1 });
  assert.equal(m.ok, false);
  assert.match(!m.ok ? m.reason : "", /^onnxruntime refused the model: /);
});
