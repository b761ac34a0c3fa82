import assert from "node:assert/strict";
import { test } from "node:test";

import { agreement } from "../src/engine/compare.js";

test("identical vectors agree exactly, a sign flip is cosine -1", () => {
  const a = Float32Array.of(1, -2, 3);
  assert.deepEqual(agreement(a, a), { cosine: 1, maxAbsDiff: 0, nonFinite: 0 });
  const flipped = agreement(a, a.map((v) => -v));
  assert.ok(Math.abs(flipped.cosine + 1) < 1e-12);
  assert.equal(flipped.maxAbsDiff, 6);
});

test("a NaN on one side is counted, not hidden in the cosine", () => {
  const r = agreement(Float32Array.of(1, NaN, 2), Float32Array.of(1, 5, 2));
  assert.equal(r.nonFinite, 1);
  assert.equal(r.cosine, 1);
});

test("vectors of different lengths cannot be compared", () => {
  assert.throws(() => agreement(new Float32Array(2), new Float32Array(3)));
});
