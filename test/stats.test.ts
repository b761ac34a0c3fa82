import assert from "node:assert/strict";
import { test } from "node:test";

import { countOutliers, mad, median, medianInterval, quantile, relativeSpread, summarize } from "../src/stats.js";

test("median of odd and even sample counts", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test("quantile interpolates between order statistics", () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(quantile([10, 20], 0.5), 15);
  assert.equal(quantile([3, 1, 2], 0), 1);
  assert.equal(quantile([3, 1, 2], 1), 3);
});

test("MAD is the median distance from the median", () => {
  // median 3; distances 2,1,0,1,97 -> median 1
  assert.equal(mad([1, 2, 3, 4, 100]), 1);
});

test("median interval uses binomial order statistics", () => {
  const xs = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  // n = 10: [x(2), x(9)] covers with 1 - 2*11/1024 = 0.9785; [x(3), x(8)] only 0.89
  const ci = medianInterval(xs, 0.95);
  assert.equal(ci.low, 2);
  assert.equal(ci.high, 9);
  assert.ok(Math.abs(ci.level - (1 - 22 / 1024)) < 1e-12);
});

test("median interval reports the smaller coverage when n is too small", () => {
  const ci = medianInterval([1, 2, 3], 0.95);
  assert.deepEqual([ci.low, ci.high], [1, 3]);
  assert.ok(Math.abs(ci.level - 0.75) < 1e-12);
});

test("median interval narrows as n grows and stays around the median", () => {
  const xs = Array.from({ length: 1001 }, (_, i) => i);
  const ci = medianInterval(xs, 0.95);
  assert.ok(ci.low < 500 && ci.high > 500);
  assert.ok(ci.high - ci.low < 80, `width ${ci.high - ci.low}`);
  assert.ok(ci.level >= 0.95);
});

test("outliers are counted outside Tukey's fences", () => {
  assert.equal(countOutliers([1, 2, 3, 4, 100]), 1);
  assert.equal(countOutliers([1, 2, 3, 4, 5]), 0);
});

test("summarize gathers every statistic", () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.n, 8);
  assert.equal(s.median, 4.5);
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
  assert.equal(s.mean, 5);
  assert.ok(s.ci.low <= s.median && s.median <= s.ci.high);
});

test("statistics refuse empty and non-finite samples", () => {
  assert.throws(() => median([]), /no samples/);
  assert.throws(() => summarize([1, Number.NaN]), /not a finite number/);
  assert.throws(() => quantile([1], 2), /outside/);
});

test("p90 and the relative spread describe the slow tail", () => {
  const s = summarize([10, 10, 10, 10, 10, 10, 10, 10, 10, 12]);
  assert.ok(Math.abs(s.p90 - 10.2) < 1e-12);
  assert.ok(Math.abs(relativeSpread(s) - 0.02) < 1e-12);
  assert.equal(relativeSpread({ min: 0, p90: 0, median: 0 }), 0);
});
