import assert from "node:assert/strict";
import { test } from "node:test";

import { benjaminiHochberg, geometricMean, mannWhitneyU } from "../src/stats.js";

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

test("Mann-Whitney exact with ties: [1,1,2] vs [2,3,3] by hand", () => {
  // Midranks 1.5 1.5 3.5 | 3.5 5.5 5.5: U = 0.5, mean 4.5. Of the C(6,3) = 20 picks of three
  // midranks, U = 0.5 twice and U = 8.5 twice lie 4 or more from the mean: p = 4/20.
  const r = mannWhitneyU([1, 1, 2], [2, 3, 3]);
  assert.equal(r.method, "exact");
  assert.equal(r.u, 0.5);
  assert.ok(Math.abs(r.p - 0.2) < 1e-12, `p = ${r.p}`);
  // [1,2,2] vs [2,2,3]: midranks 1, 3.5 x4, 6; U = 2. U = 2 (6 picks) and U = 7 (6 picks) of 20: p = 12/20.
  const s = mannWhitneyU([1, 2, 2], [2, 2, 3]);
  assert.equal(s.u, 2);
  assert.ok(Math.abs(s.p - 0.6) < 1e-12, `p = ${s.p}`);
});

test("Mann-Whitney exact with ties: 7 tied against 7 tied, completely apart, gives 2/C(14,7)", () => {
  // Only the seven lowest midranks and the seven highest are that far from the mean.
  const r = mannWhitneyU([1, 1, 1, 2, 2, 2, 2], [3, 3, 3, 3, 4, 4, 4]);
  assert.equal(r.method, "exact");
  assert.equal(r.u, 0);
  assert.ok(Math.abs(r.p - 2 / 3432) < 1e-15, `p = ${r.p}`);
  assert.ok(Math.abs(r.minP - 2 / 3432) < 1e-15);
});

test("Mann-Whitney exact with ties agrees with enumerating every split of the pooled values", () => {
  const a = [3, 1, 4, 1, 5];
  const b = [9, 2, 6, 5, 3, 5];
  const pooled = [...a, ...b];
  const uOf = (xs: number[], ys: number[]) => xs.reduce((s, x) => s + ys.reduce((t, y) => t + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0);
  const u = uOf(a, b);
  const mean = (a.length * b.length) / 2;
  let extreme = 0;
  let all = 0;
  for (let mask = 0; mask < 1 << pooled.length; mask++) {
    let bits = 0;
    for (let i = 0; i < pooled.length; i++) if (mask & (1 << i)) bits++;
    if (bits !== a.length) continue;
    const xs = pooled.filter((_, i) => mask & (1 << i));
    const ys = pooled.filter((_, i) => !(mask & (1 << i)));
    all++;
    if (Math.abs(uOf(xs, ys) - mean) >= Math.abs(u - mean) - 1e-9) extreme++;
  }
  assert.equal(all, 462);
  const r = mannWhitneyU(a, b);
  assert.equal(r.u, u);
  assert.ok(Math.abs(r.p - extreme / all) < 1e-12, `p = ${r.p}, enumerated ${extreme}/${all}`);
});

test("Mann-Whitney normal approximation with ties (past the exact size) matches the tie-corrected formula", () => {
  // 21 against 22 samples, values 0..6 repeated: many ties.
  const a = Array.from({ length: 21 }, (_, i) => i % 7);
  const b = Array.from({ length: 22 }, (_, i) => (i % 7) + 1);
  const r = mannWhitneyU(a, b);
  assert.equal(r.method, "normal");
  // By hand: pairs a > b count 1, ties one half.
  const u = a.reduce((s, x) => s + b.reduce((t, y) => t + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0);
  assert.equal(r.u, u);
  const counts = new Map<number, number>();
  for (const v of [...a, ...b]) counts.set(v, (counts.get(v) ?? 0) + 1);
  const tieSum = [...counts.values()].reduce((s, t) => s + t ** 3 - t, 0);
  const total = 43;
  const variance = ((21 * 22) / 12) * (total + 1 - tieSum / (total * (total - 1)));
  const z = (Math.abs(u - 231) - 0.5) / Math.sqrt(variance);
  // P(|Z| > z) for the standard normal, from the same z (erfc to 1.2e-7).
  const erfc = (x: number) => {
    const t = 1 / (1 + 0.5 * x);
    return t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  };
  assert.ok(Math.abs(r.p - erfc(z / Math.SQRT2)) < 1e-9, `p = ${r.p}`);
  assert.ok(r.p > 0.1 && r.p < 0.3, `p = ${r.p}`);
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

test("Benjamini-Hochberg adjusted p-values by hand", () => {
  // Ranked 0.005 0.01 0.03 0.04 0.5 -> p*5/rank 0.025 0.025 0.05 0.05 0.5, then the running minimum from the top.
  const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]);
  const want = [0.025, 0.05, 0.05, 0.025, 0.5];
  adj.forEach((p, i) => assert.ok(Math.abs(p - want[i]!) < 1e-12, `adjusted[${i}] = ${p}, want ${want[i]}`));
  // 0.02*2/1 = 0.04 is above the next rank's 0.021: monotone, so both read 0.021.
  assert.deepEqual(benjaminiHochberg([0.02, 0.021]).map((p) => Number(p.toFixed(12))), [0.021, 0.021]);
  assert.deepEqual(benjaminiHochberg([0.9, 1]), [1, 1]);
  assert.deepEqual(benjaminiHochberg([]), []);
  assert.throws(() => benjaminiHochberg([1.5]), RangeError);
});
