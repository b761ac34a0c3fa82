/**
 * The bounded fuzz test (issue 14): a few hundred hostile inputs with a fixed seed, each
 * ending in a correct result or a one-sentence refusal, never an internal error, a signal
 * or a hang. `npm run fuzz -- --seconds N` runs the same harness with random seeds.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import { runFuzz } from "./helpers/fuzz-harness.js";

test("hostile results files: every one loads, compares and reports, or is refused in one sentence", { timeout: 300_000 }, () => {
  const report = runFuzz({ target: "results", seed: 1, count: 240, timeoutMs: 240_000 });
  assert.equal(report.cases, 240);
  assert.deepEqual(report.failures, []);
  // The generator reaches both ends: some mutations stay loadable, most are refused.
  assert.ok(report.ok > 0 && report.refused > 0, JSON.stringify({ ok: report.ok, refused: report.refused }));
});
