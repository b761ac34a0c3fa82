import assert from "node:assert/strict";
import { test } from "node:test";

import { geometricMean, mannWhitneyU } from "../src/stats.js";

test("Mann-Whitney exact: complete separation of 3 vs 3 gives U = 0 and p = 2/20", () => {
  // One ordering in C(6,3) = 20 puts every a below every b; two-sided doubles it.
  const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
  assert.equal(r.method, "exact");
  assert.equal(r.u, 0);
  assert.ok(Math.abs(r.p - 0.1) < 1e-12);
  assert.ok(Math.abs(r.minP - 0.1) < 1e-12);
});

test("Mann-Whitney exact: U counts the pairs where a beats b", () => {
  // Only 4 > 3: U = 1; orderings with U <= 1 are 2 of 20, so p = 4/20.
  const r = mannWhitneyU([1, 2, 4], [3, 5, 6]);
  assert.equal(r.u, 1);
  assert.ok(Math.abs(r.p - 0.2) < 1e-12);
  // Swapping the samples mirrors U and keeps p.
  const s = mannWhitneyU([3, 5, 6], [1, 2, 4]);
  assert.equal(s.u, 8);
  assert.ok(Math.abs(s.p - r.p) < 1e-12);
});

test("Mann-Whitney normal approximation with ties matches the tie-corrected formula", () => {
  const a = [1, 2, 2, 3, 3, 4];
  const b = [2, 3, 4, 5, 5, 6, 7];
  const r = mannWhitneyU(a, b);
  assert.equal(r.method, "normal");
  // Per a (wins + half the ties): 1 -> 0, each 2 -> 0.5, each 3 -> 1.5, 4 -> 2.5; total 6.5.
  assert.equal(r.u, 6.5);
  // Ties: value 2 x3, 3 x3, 4 x2, 5 x2 -> sum(t^3 - t) = 24 + 24 + 6 + 6 = 60; N = 13.
  const variance = ((6 * 7) / 12) * (14 - 60 / (13 * 12));
  const z = (Math.abs(6.5 - 21) - 0.5) / Math.sqrt(variance);
  assert.ok(z > 2 && z < 2.1);
  // scipy.stats.mannwhitneyu(a, b, method="asymptotic") gives 0.0425549553 for the same data.
  assert.ok(Math.abs(r.p - 0.0425549553) < 1e-6, `p = ${r.p}`);
});

test("Mann-Whitney: identical samples are not significant, shifted large samples are", () => {
  assert.equal(mannWhitneyU([10, 10, 10], [10, 10, 10]).p, 1);
  const a = Array.from({ length: 30 }, (_, i) => i + 1);
  const b = a.map((x) => x + 9.5);
  const r = mannWhitneyU(a, b);
  assert.equal(r.method, "normal");
  assert.equal(r.u, 210);
  assert.ok(r.p < 0.001 && r.p > 0.0003, `p = ${r.p}`);
});

test("Mann-Whitney refuses empty or non-finite samples", () => {
  assert.throws(() => mannWhitneyU([], [1]), RangeError);
  assert.throws(() => mannWhitneyU([1], [Number.NaN]), RangeError);
});

test("geometric mean of ratios", () => {
  assert.ok(Math.abs(geometricMean([2, 8]) - 4) < 1e-12);
  assert.ok(Math.abs(geometricMean([0.5, 2]) - 1) < 1e-12);
  assert.throws(() => geometricMean([1, 0]), RangeError);
});
