import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { z } from "zod";

import { UserError } from "../src/errors.js";
import { packageRoot } from "../src/native.js";
import { ConvSuite, GemmSuite, loadSuite, MicroSuite, ModelSuite, PeakSuite } from "../src/suites.js";
import { tempDir } from "./helpers/fixtures.js";

test("the built-in micro suite is valid in both modes, and quick is lighter", () => {
  const full = loadSuite("micro", MicroSuite, false);
  const quick = loadSuite("micro", MicroSuite, true);
  assert.ok(quick.fma.steps <= full.fma.steps);
  assert.ok(quick.latency.samples <= full.latency.samples);
  assert.equal(quick.latency.stride, full.latency.stride);
});

test("quick overrides merge into nested sections", () => {
  const file = path.join(tempDir(), "s.json");
  writeFileSync(file, JSON.stringify({ a: { x: 1, inner: { y: 2, z: 3 }, quick: { x: 10, inner: { y: 20 } } } }));
  const schema = z.object({ a: z.object({ x: z.number(), inner: z.object({ y: z.number(), z: z.number() }) }) });
  assert.deepEqual(loadSuite("s", schema, true, file), { a: { x: 10, inner: { y: 20, z: 3 } } });
  assert.deepEqual(loadSuite("s", schema, false, file), { a: { x: 1, inner: { y: 2, z: 3 } } });
});

test("an invalid suite is refused naming the field", () => {
  const file = path.join(tempDir(), "bad.json");
  writeFileSync(file, JSON.stringify({ fma: { steps: -1 } }));
  assert.throws(() => loadSuite("bad", MicroSuite, false, file), (e: unknown) => e instanceof UserError && /bad\.json is invalid at fma\.steps/.test(e.message));
});

test("the built-in gemm suite is valid, and top-level quick overrides apply", () => {
  const full = loadSuite("gemm", GemmSuite, false);
  const quick = loadSuite("gemm", GemmSuite, true);
  assert.ok(full.square.includes(4096));
  assert.deepEqual(quick.square, [256, 1024]);
  assert.ok(quick.samples <= full.samples);
  assert.ok(quick.minSampleNs < full.minSampleNs);
  for (const set of full.defaultShapeSets) assert.ok(set === "square" || set in full.shapeSets, set);
});

test("every headline figure takes at least 7 samples, quick or not, so a Benjamini-Hochberg gate can fire", () => {
  // 5 against 5 gives a two-sided p of at least 2/252 = 0.008: after the correction over a few dozen headline records, never below 0.05.
  for (const quick of [true, false]) {
    const mode = quick ? "quick" : "full";
    assert.ok(loadSuite("gemm", GemmSuite, quick).samples >= 7, `gemm ${mode}`);
    assert.ok(loadSuite("conv", ConvSuite, quick).samples >= 7, `conv ${mode}`);
    assert.ok(loadSuite("model", ModelSuite, quick).iterations >= 7, `model ${mode}`);
    assert.ok(loadSuite("peak", PeakSuite, quick).samples >= 7, `the dtype peak ${mode}`);
  }
});

test("the one peak suite is valid in both modes, and quick runs fewer steps", () => {
  const full = loadSuite("peak", PeakSuite, false);
  const quick = loadSuite("peak", PeakSuite, true);
  assert.ok(quick.steps <= full.steps);
  assert.ok(quick.samples <= full.samples);
});

test("a suite value the addon would refuse is the suite's mistake: one sentence naming the file and the field", () => {
  const dir = tempDir();
  const conv = JSON.parse(readFileSync(path.join(packageRoot, "suites", "conv.json"), "utf8"));
  conv.nets.resnet50[0].stride = 5000;
  const convFile = path.join(dir, "conv.json");
  writeFileSync(convFile, JSON.stringify(conv));
  assert.throws(() => loadSuite("conv", ConvSuite, false, convFile), (e: unknown) => e instanceof UserError && /conv\.json is invalid at nets\.resnet50\.0\.stride: /.test(e.message));
  const gemm = JSON.parse(readFileSync(path.join(packageRoot, "suites", "gemm.json"), "utf8"));
  gemm.square = [2 ** 21];
  gemm.samples = 1e6;
  const gemmFile = path.join(dir, "gemm.json");
  writeFileSync(gemmFile, JSON.stringify(gemm));
  assert.throws(() => loadSuite("gemm", GemmSuite, false, gemmFile), (e: unknown) => e instanceof UserError && /gemm\.json is invalid at (square\.0|samples): /.test(e.message));
});
