import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { compareResults } from "../src/compare/compare.js";
import { parseThreshold } from "../src/commands/compare.js";
import { EXIT_REGRESSION } from "../src/errors.js";
import { okRecord } from "../src/results/record.js";
import { SCHEMA, type ResultsFile } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const CHECK = { method: "test", passed: true };

/** Twelve GFLOP/s samples spread by +-2 % around `center`, and latencies the other way. */
function results(center: number, hostname: string, kernel = "f32_kernel"): ResultsFile {
  const gflops = Array.from({ length: 12 }, (_, i) => center * (0.98 + (0.04 * i) / 11));
  const ns = gflops.map((g) => 1000 / g);
  const env = sampleEnv();
  env.machine.hostname = hostname;
  return {
    schema: SCHEMA,
    env,
    records: [
      okRecord({ suite: "gemm", name: "gemm", impl: "armbench", params: { m: 256, n: 256, k: 256, dtype: "fp32", threads: 1, kernel, pctPeak: center / 2 }, unit: "GFLOP/s" }, gflops, CHECK),
      okRecord({ suite: "micro", name: "micro.mem.latency", impl: "armbench", params: { bytes: 4096, page: "4k" }, unit: "ns" }, ns, CHECK),
    ],
  };
}

function files(a: ResultsFile, b: ResultsFile): [string, string] {
  const dir = tempDir();
  const fa = path.join(dir, "a.json");
  const fb = path.join(dir, "b.json");
  writeFileSync(fa, JSON.stringify(a));
  writeFileSync(fb, JSON.stringify(b));
  return [fa, fb];
}

test("records match across machines although % of peak differs", () => {
  const c = compareResults(results(100, "x"), results(80, "y"), 0.05);
  assert.equal(c.rows.length, 2);
  const g = c.rows.find((r) => r.unit === "GFLOP/s")!;
  assert.ok(Math.abs(g.speedup! - 0.8) < 1e-9);
  assert.equal(g.verdict, "slower");
  assert.ok(g.headline);
  assert.ok(g.regression);
  assert.ok(g.pAdjusted !== null && g.pAdjusted < 0.05);
  // Latency fell as GFLOP/s rose: B is slower there too, by the same factor, but a sweep point never gates.
  const l = c.rows.find((r) => r.unit === "ns")!;
  assert.ok(Math.abs(l.speedup! - 0.8) < 1e-9);
  assert.equal(l.verdict, "slower");
  assert.equal(l.headline, false);
  assert.equal(l.regression, false);
  assert.equal(l.pAdjusted, null);
});

test("a record whose kernel changed is reported as such, not as a regression", () => {
  const c = compareResults(results(100, "x", "f32_avx2_6x16"), results(80, "y", "f32_avx512_14x32"), 0.05);
  const g = c.rows.find((r) => r.unit === "GFLOP/s")!;
  assert.equal(g.verdict, "kernel changed");
  assert.equal(g.kernelChange, "kernel f32_avx2_6x16 -> f32_avx512_14x32");
  assert.equal(g.regression, false);
  assert.equal(c.suites.find((s) => s.suite === "gemm")!.notJudged.kernelChanged, 1);
});

test("compare exits non-zero on a significant regression above the threshold", () => {
  const [a, b] = files(results(100, "base"), results(80, "new"));
  const r = armbench(["compare", a, b, "--threshold", "5%", "--fail-on-regression"]);
  assert.equal(r.status, EXIT_REGRESSION, r.stderr);
  assert.match(r.stdout, /REGRESSION/);
  assert.match(r.stdout, /1 significant regression of more than 5\.0% in B/);
  assert.match(r.stdout, /micro\.mem\.latency .*slower \(not gated\)/);
});

test("compare exits zero below the threshold, without --fail-on-regression, and when B is faster", () => {
  const [a, b] = files(results(100, "base"), results(80, "new"));
  assert.equal(armbench(["compare", a, b, "--threshold", "25%", "--fail-on-regression"]).status, 0);
  assert.equal(armbench(["compare", a, b]).status, 0);
  const [c, d] = files(results(100, "base"), results(120, "new"));
  const faster = armbench(["compare", c, d, "--fail-on-regression"]);
  assert.equal(faster.status, 0);
  assert.match(faster.stdout, /2 significantly faster/);
});

test("compare with the same samples finds nothing significant", () => {
  const [a, b] = files(results(100, "base"), results(100, "again"));
  const r = armbench(["compare", a, b, "--fail-on-regression"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /0 significantly slower/);
});

test("compare refuses a foreign schema and a bad threshold with one sentence", () => {
  const [a, b] = files(results(100, "base"), { ...results(100, "old"), schema: "armbench/0" } as unknown as ResultsFile);
  const old = armbench(["compare", a, b]);
  assert.equal(old.status, 1);
  assert.match(old.stderr, /^armbench: .*b\.json uses results schema "armbench\/0", which this armbench .* does not know.*\n$/);
  const bad = armbench(["compare", a, a, "--threshold", "lots"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^armbench: --threshold must be a slowdown such as 5%/);
  assert.equal(armbench(["compare", a]).status, 1);
});

test("thresholds read as percentages or fractions", () => {
  assert.equal(parseThreshold("5%"), 0.05);
  assert.equal(parseThreshold("5"), 0.05);
  assert.equal(parseThreshold("0.1"), 0.1);
  assert.throws(() => parseThreshold("150%"));
});
