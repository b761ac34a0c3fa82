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
