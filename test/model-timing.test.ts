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
import { engineOrder, TIMING_ROUNDS, timingSchedule } from "../src/model/run.js";
import { loadNative, packageRoot } from "../src/native.js";
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

test("the timed iterations run in rounds, the engines taking turns in ABBA order, every iteration timed once", () => {
  const s = timingSchedule(["armbench", "onnxruntime"], 3, 10);
  assert.equal(TIMING_ROUNDS, 5);
  assert.deepEqual(s.map((x) => `${x.round}:${x.engine}:${x.warmup}:${x.iterations}`), [
    "0:armbench:3:2", "0:onnxruntime:3:2",
    "1:onnxruntime:1:2", "1:armbench:1:2",
    "2:armbench:1:2", "2:onnxruntime:1:2",
    "3:onnxruntime:1:2", "3:armbench:1:2",
    "4:armbench:1:2", "4:onnxruntime:1:2",
  ]);
  assert.ok(s.every((x) => x.rounds === 5));
  for (const iterations of [1, 3, 7, 23, 100]) {
    for (const order of [["armbench", "onnxruntime"], ["onnxruntime", "armbench"], ["armbench"]] as const) {
      const slots = timingSchedule(order, 0, iterations);
      for (const e of order) {
        assert.equal(slots.filter((x) => x.engine === e).reduce((a, x) => a + x.iterations, 0), iterations, `${e}, ${iterations} iterations`);
      }
      assert.equal(slots[0]!.rounds, Math.min(5, iterations));
      assert.ok(slots.every((x) => x.iterations >= 1 && x.warmup === 0));
      if (order.length === 2) {
        // Each engine opens half the rounds (one more for the first when the rounds are odd).
        const opens = slots.filter((x, i) => i % 2 === 0).map((x) => x.engine);
        assert.equal(opens.filter((e) => e === order[0]).length, Math.ceil(slots[0]!.rounds / 2));
      }
    }
  }
  assert.deepEqual(timingSchedule(["armbench"], 2, 0).map((x) => x.iterations), [0]);
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
    // Both timed in the same rounds, every iteration a sample.
    assert.equal(ours.samples.length, ort.samples.length);
    assert.equal(ours.derived?.["timingRounds"], Math.min(5, ours.samples.length));
    assert.equal(ort.derived?.["timingRounds"], ours.derived?.["timingRounds"]);
    // One thread: both engines confined to the same, first, CPU of the process.
    const cpu0 = String(loadNative().allowedCpus()[0]);
    assert.equal(ours.derived?.["cpus"], cpu0);
    assert.equal(ort.derived?.["cpus"], cpu0);
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
