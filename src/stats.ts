/**
 * The one statistics module: every median, spread, interval and outlier count in
 * armbench comes from here.
 */

export interface MedianInterval {
  /** Lower and upper bound: order statistics of the samples. */
  low: number;
  high: number;
  /** Coverage actually achieved (>= the requested level unless n is too small). */
  level: number;
}

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** 90th percentile. */
  p90: number;
  mean: number;
  /** Median absolute deviation from the median, unscaled. */
  mad: number;
  /** Distribution-free confidence interval for the median. */
  ci: MedianInterval;
  /** Samples outside Tukey's fences (1.5 IQR beyond the quartiles). */
  outliers: number;
}

function sortedCopy(samples: readonly number[]): number[] {
  return [...samples].sort((a, b) => a - b);
}

function requireSamples(samples: readonly number[], what: string): void {
  if (samples.length === 0) throw new RangeError(`${what} of no samples`);
  for (const x of samples) {
    if (!Number.isFinite(x)) throw new RangeError(`${what}: sample ${x} is not a finite number`);
  }
}

/** Quantile of sorted data by linear interpolation between order statistics (R type 7). */
function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

export function quantile(samples: readonly number[], p: number): number {
  requireSamples(samples, "quantile");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p=${p} is outside [0, 1]`);
  return quantileSorted(sortedCopy(samples), p);
}

/**
 * The smallest and largest of any number of values, by a loop: Math.min(...xs) passes every
 * value as an argument and throws beyond about 120k of them, a size a long run can reach.
 */
export function extent(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export function mad(samples: readonly number[]): number {
  const m = median(samples);
  return median(samples.map((x) => Math.abs(x - m)));
}

/**
 * P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so large n stays exact enough,
 * for growing k: each term is added once (asking k = 1, 2, ... one at a time was O(n^2),
 * a minute for the 200k samples a long run can hold). The sums are the same, term by term.
 */
function binomialHalfCdfs(n: number): (k: number) => number {
  const values: number[] = [];
  let logTerm = -n * Math.LN2; // log C(n,0) / 2^n
  let sum = 0;
  return (k) => {
    if (k < 0) return 0;
    if (k >= n) return 1;
    while (values.length <= k) {
      const i = values.length;
      if (i > 0) logTerm += Math.log((n - i + 1) / i);
      sum += Math.exp(logTerm);
      values.push(Math.min(1, sum));
    }
    return values[k]!;
  };
}

/**
 * Confidence interval for the median from order statistics: [x(k), x(n-k+1)]
 * covers the median with probability 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2),
 * whatever the distribution. Picks the narrowest such interval reaching `level`.
 */
export function medianInterval(samples: readonly number[], level = 0.95): MedianInterval {
  requireSamples(samples, "medianInterval");
  if (!(level > 0 && level < 1)) throw new RangeError(`medianInterval: level=${level} is outside (0, 1)`);
  const sorted = sortedCopy(samples);
  const n = sorted.length;
  const cdf = binomialHalfCdfs(n);
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * cdf(k) >= level) k++;
  const coverage = 1 - 2 * cdf(k - 1);
  return { low: sorted[k - 1]!, high: sorted[n - k]!, level: coverage };
}

export function countOutliers(samples: readonly number[]): number {
  requireSamples(samples, "countOutliers");
  const sorted = sortedCopy(samples);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const fence = 1.5 * (q3 - q1);
  return sorted.filter((x) => x < q1 - fence || x > q3 + fence).length;
}

export function summarize(samples: readonly number[], level = 0.95): Summary {
  requireSamples(samples, "summarize");
  const sorted = sortedCopy(samples);
  return {
    n: sorted.length,
    median: quantileSorted(sorted, 0.5),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p90: quantileSorted(sorted, 0.9),
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    mad: mad(sorted),
    ci: medianInterval(sorted, level),
    outliers: countOutliers(sorted),
  };
}

/**
 * How far a typical slow sample strays from the best one, relative to the median:
 * (p90 - min) / median. Timings above a few percent deserve a warning.
 */
export function relativeSpread(s: Pick<Summary, "min" | "p90" | "median">): number {
  return s.median === 0 ? 0 : (s.p90 - s.min) / Math.abs(s.median);
}

/** Ranks from 1, ties given the mean of the ranks they span; also the tie group sizes. */
function midranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end) / 2 + 1;
    for (let j = start; j <= end; j++) ranks[order[j]!.i] = rank;
    ties.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, ties };
}

/** Standard normal upper tail P(Z > z), from a Chebyshev fit of erfc (|error| < 1.2e-7: plenty for a p-value). */
function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const upper = erfc / 2;
  return z >= 0 ? upper : 1 - upper;
}

/**
 * How many of the C(N, m) equally likely ways to pick the first sample's ranks from the
 * pooled (mid)ranks give each rank sum: the exact distribution of U conditional on the
 * ties seen, so tied samples get an exact p too. Ranks come doubled, so midranks are
 * integers and the counts are exact (C(40, 20) < 2^53).
 */
function rankSumCounts(doubledRanks: readonly number[], m: number): Float64Array {
  const maxSum = doubledRanks.reduce((s, r) => s + r, 0);
  // f[k][s]: subsets of k ranks among those seen so far with doubled sum s.
  const f = Array.from({ length: m + 1 }, () => new Float64Array(maxSum + 1));
  f[0]![0] = 1;
  let seen = 0;
  for (const r of doubledRanks) {
    seen++;
    for (let k = Math.min(seen, m); k >= 1; k--) {
      const into = f[k]!;
      const from = f[k - 1]!;
      for (let sum = maxSum; sum >= r; sum--) into[sum]! += from[sum - r]!;
    }
  }
  return f[m]!;
}

/** C(n, k) as a float: exact up to 2^53, which the exact test's sizes stay under. */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) c = (c * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(c);
}

/** Largest pooled sample count for which the exact (conditional, when tied) U distribution is used. */
export const MANN_WHITNEY_EXACT_MAX = 40;

export interface MannWhitney {
  /** U of the first sample: how many (a, b) pairs have a > b, ties counting one half. */
  u: number;
  /** Two-sided p-value for "both samples come from the same distribution". */
  p: number;
  method: "exact" | "normal";
  /** The smallest two-sided p these sample sizes can give at all (every a below every b, nothing tied). */
  minP: number;
}

/**
 * Mann-Whitney U test (two-sided). Up to MANN_WHITNEY_EXACT_MAX pooled samples: exact, from
 * the permutation distribution of U given the ranks actually seen (ties included), p being
 * the share of orderings whose U lies at least as far from its mean as the one observed.
 * Beyond: the normal approximation with tie and continuity corrections.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitney {
  requireSamples(a, "mannWhitneyU (first sample)");
  requireSamples(b, "mannWhitneyU (second sample)");
  const m = a.length;
  const n = b.length;
  const { ranks, ties } = midranks([...a, ...b]);
  const rankSumA = ranks.slice(0, m).reduce((s, r) => s + r, 0);
  const u = rankSumA - (m * (m + 1)) / 2;
  const total = m + n;
  if (total <= MANN_WHITNEY_EXACT_MAX) {
    const counts = rankSumCounts(ranks.map((r) => Math.round(2 * r)), m);
    // Doubled: 2U = doubled rank sum - m(m+1); its mean is mn.
    const offset = m * (m + 1);
    const observed = Math.abs(Math.round(2 * u) - m * n);
    let extreme = 0;
    let all = 0;
    for (let sum = 0; sum < counts.length; sum++) {
      const c = counts[sum]!;
      if (c === 0) continue;
      all += c;
      if (Math.abs(sum - offset - m * n) >= observed) extreme += c;
    }
    return { u, p: Math.min(1, extreme / all), method: "exact", minP: Math.min(1, 2 / binomial(total, m)) };
  }
  const mean = (m * n) / 2;
  const tieTerm = ties.reduce((s, t) => s + (t * t * t - t), 0) / (total * (total - 1));
  const variance = ((m * n) / 12) * (total + 1 - tieTerm);
  const minP = Math.min(1, 2 * normalUpperTail((mean - 0.5) / Math.sqrt((m * n * (total + 1)) / 12)));
  if (variance <= 0) return { u, p: 1, method: "normal", minP };
  const diff = Math.abs(u - mean);
  const z = Math.max(0, diff - 0.5) / Math.sqrt(variance);
  const p = Math.min(1, 2 * normalUpperTail(z));
  return { u, p, method: "normal", minP };
}

/**
 * Benjamini-Hochberg adjusted p-values, in the order given: rejecting every hypothesis whose
 * adjusted p is below alpha keeps the expected share of false discoveries at most alpha.
 * adjusted(i) = min over j ranked at or above i of p(j) * count / rank(j), capped at 1.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new RangeError(`benjaminiHochberg: ${p} is not a p-value`);
  const count = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(count);
  let running = 1;
  for (let rank = count; rank >= 1; rank--) {
    const { p, i } = order[rank - 1]!;
    running = Math.min(running, (p * count) / rank);
    adjusted[i] = running;
  }
  return adjusted;
}

/** Geometric mean of positive ratios (the one fair average of speedups). */
export function geometricMean(values: readonly number[]): number {
  requireSamples(values, "geometricMean");
  for (const v of values) if (!(v > 0)) throw new RangeError(`geometricMean: ${v} is not positive`);
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}
