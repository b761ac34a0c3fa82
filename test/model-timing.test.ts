/**
 * Engines timed alike: the order of the two timed loops alternates from one
 * configuration to the next, every latency record says which engine ran first, and
 * onnxruntime's records state what its harness adds to a run.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { builtinModel } from "../src/engine/models/index.js";
import { saveOnnx } from "../src/engine/onnx.js";
import { openOrt, ortHarnessOverheadMs } from "../src/engine/ort.js";
import { engineOrder } from "../src/model/run.js";
import { packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { randomInputs } from "./helpers/engine.js";
import { tempDir } from "./helpers/fixtures.js";

const tiny = path.join(packageRoot, "test", "fixtures", "model-tiny.json");
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";

test("the engine that is timed first alternates: ours on even configurations, onnxruntime on odd", () => {
  assert.deepEqual(engineOrder(0), ["armbench", "onnxruntime"]);
  assert.deepEqual(engineOrder(1), ["onnxruntime", "armbench"]);
  const firsts = Array.from({ length: 8 }, (_, i) => engineOrder(i)[0]);
  assert.equal(firsts.filter((e) => e === "armbench").length, 4);
  for (let i = 0; i < 8; i++) {
    assert.deepEqual([...engineOrder(i)].sort(), ["armbench", "onnxruntime"], "both engines, each once");
    assert.notEqual(engineOrder(i)[0], engineOrder(i + 1)[0]);
  }
});

test("an open onnxruntime session gives its answer before timing, then one sample per timed run", async () => {
  const g = builtinModel("resnet18", { inputSize: 32 });
  const o = await openOrt(saveOnnx(g), randomInputs(g), { threads: 1 });
  assert.ok(o.ok, o.ok ? "" : o.reason);
  try {
    assert.deepEqual(o.session.outputs.output!.dims, [1, 1000]);
    const ms = await o.session.time(1, 4);
    assert.equal(ms.length, 4);
    assert.ok(ms.every((x) => x > 0 && Number.isFinite(x)));
    assert.deepEqual(await o.session.time(1, 0), []);
  } finally {
    await o.session.close();
  }
});

test("the harness overhead is a positive figure, and null without onnxruntime", async () => {
  const ms = await ortHarnessOverheadMs(1);
  assert.ok(ms !== null && ms > 0 && Number.isFinite(ms), String(ms));
  assert.equal(await ortHarnessOverheadMs(1, "onnxruntime-node-not-installed"), null);
});

test("a model run's latency records say which engine ran first, alternating, and state the harness overhead", () => {
  const file = path.join(tempDir(), "timing.json");
  const r = armbench(["model", "resnet18", "--suite", tiny, "--threads", "1", "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  const latency = (impl: string, batch: number) =>
    records.filter(ok).find((x) => x.name === "model.latency" && x.impl === impl && x.params.batch === batch);
  // Batches 1 and 2 on one thread: configurations 0 and 1.
  for (const [batch, first] of [[1, "armbench"], [2, "onnxruntime"]] as const) {
    const ours = latency("armbench", batch);
    const ort = latency("onnxruntime", batch);
    assert.ok(ours && ort, `latency records for batch ${batch}`);
    assert.equal(ours.derived?.["ranFirst"], first);
    assert.equal(ort.derived?.["ranFirst"], first);
    assert.ok(!("ranFirst" in ours.params) && !("ranFirst" in ort.params), "the order is not part of a record's identity");
    const overhead = ort.derived?.["harnessOverheadMs"];
    assert.ok(typeof overhead === "number" && overhead > 0, String(overhead));
    // Stated beside onnxruntime's latency, never subtracted from it.
    assert.ok(ort.samples.every((x) => x > 0));
    // Our answer is still checked before it is timed.
    const check = records.filter(ok).find((x) => x.name === "model.check" && x.params.batch === batch);
    assert.ok(check && Number(check.params.cosine) >= 0.9999, JSON.stringify(check));
    assert.equal(ours.check?.passed, true);
  }
});
