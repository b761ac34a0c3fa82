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

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export function mad(samples: readonly number[]): number {
  const m = median(samples);
  return median(samples.map((x) => Math.abs(x - m)));
}

/** P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so large n stays exact enough. */
function binomialHalfCdf(n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let logTerm = -n * Math.LN2; // log C(n,0) / 2^n
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
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
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * binomialHalfCdf(n, k) >= level) k++;
  const coverage = 1 - 2 * binomialHalfCdf(n, k - 1);
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

/** Counts of every U from 0 to m*n over the C(m+n, m) equally likely orderings (no ties). */
function exactUCounts(m: number, n: number): number[] {
  // f[i][j][u]: orderings of i a's and j b's with U = u; built up one sample at a time.
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      // The largest value is an a (beats all j b's: U grows by j) or a b (U unchanged).
      const withA = prev[j]!;
      for (let u = 0; u < withA.length; u++) row[u + j]! += withA[u]!;
      const withB = cur[j - 1]!;
      for (let u = 0; u < withB.length; u++) row[u]! += withB[u]!;
      cur.push(row);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Largest pooled sample count for which the exact U distribution is used (when nothing ties). */
export const MANN_WHITNEY_EXACT_MAX = 40;

export interface MannWhitney {
  /** U of the first sample: how many (a, b) pairs have a > b, ties counting one half. */
  u: number;
  /** Two-sided p-value for "both samples come from the same distribution". */
  p: number;
  method: "exact" | "normal";
  /** The smallest two-sided p these sample sizes can give at all. */
  minP: number;
}

/**
 * Mann-Whitney U test (two-sided): exact when nothing ties and the samples are small,
 * otherwise the normal approximation with tie correction and continuity correction.
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
  const hasTies = ties.some((t) => t > 1);
  // The most extreme ordering (every a below every b) bounds how small p can get.
  const counts = total <= MANN_WHITNEY_EXACT_MAX ? exactUCounts(m, n) : null;
  const orderings = counts ? counts.reduce((s, c) => s + c, 0) : 0;
  if (counts && !hasTies) {
    let below = 0;
    for (let k = 0; k <= u; k++) below += counts[k]!;
    let above = 0;
    for (let k = u; k < counts.length; k++) above += counts[k]!;
    const p = Math.min(1, (2 * Math.min(below, above)) / orderings);
    return { u, p, method: "exact", minP: Math.min(1, (2 * counts[0]!) / orderings) };
  }
  const mean = (m * n) / 2;
  const tieTerm = ties.reduce((s, t) => s + (t * t * t - t), 0) / (total * (total - 1));
  const variance = ((m * n) / 12) * (total + 1 - tieTerm);
  if (variance <= 0) return { u, p: 1, method: "normal", minP: 1 };
  const diff = Math.abs(u - mean);
  const z = Math.max(0, diff - 0.5) / Math.sqrt(variance);
  const p = Math.min(1, 2 * normalUpperTail(z));
  const minP = counts ? Math.min(1, (2 * counts[0]!) / orderings) : Math.min(1, 2 * normalUpperTail((mean - 0.5) / Math.sqrt((m * n * (total + 1)) / 12)));
  return { u, p, method: "normal", minP };
}

/** Geometric mean of positive ratios (the one fair average of speedups). */
export function geometricMean(values: readonly number[]): number {
  requireSamples(values, "geometricMean");
  for (const v of values) if (!(v > 0)) throw new RangeError(`geometricMean: ${v} is not positive`);
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}
