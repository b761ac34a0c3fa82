import assert from "node:assert/strict";
import { test } from "node:test";

import { sampleShares } from "../src/passes.js";
import { ConvSuite, GemmSuite, loadSuite, PeakSuite } from "../src/suites.js";

test("samples are split over passes as evenly as possible, larger shares first, never an empty pass", () => {
  assert.deepEqual(sampleShares(7, 3), [3, 2, 2]);
  assert.deepEqual(sampleShares(7, 2), [4, 3]);
  assert.deepEqual(sampleShares(7, 1), [7]);
  assert.deepEqual(sampleShares(2, 3), [1, 1]);
  assert.deepEqual(sampleShares(5, 0), [5]);
  for (const [n, p] of [[7, 3], [9, 4], [1, 1], [20, 6]] as const) assert.equal(sampleShares(n, p).reduce((a, b) => a + b, 0), n);
});

test("the built-in suites take headline samples in several passes, quick or not; a suite without passes takes one", () => {
  for (const quick of [true, false]) {
    assert.ok(loadSuite("gemm", GemmSuite, quick).passes >= 2);
    assert.ok(loadSuite("conv", ConvSuite, quick).passes >= 2);
    assert.ok(loadSuite("peak", PeakSuite, quick).passes >= 2);
  }
  assert.equal(PeakSuite.parse({ steps: 1, samples: 1 }).passes, 1);
});
