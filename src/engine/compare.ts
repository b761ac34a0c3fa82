/** Answer checks between two runs of the same graph (not statistics: stats.ts holds those). */

export interface Agreement {
  /** Cosine similarity of the two vectors; 1 when both are all zero. */
  cosine: number;
  maxAbsDiff: number;
  /** Entries where exactly one side is NaN or infinite, or both are but differ. */
  nonFinite: number;
}

export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): Agreement {
  if (a.length !== b.length) throw new Error(`cannot compare ${a.length} values with ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  let maxAbsDiff = 0;
  let nonFinite = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (!Object.is(x, y)) nonFinite++;
      continue;
    }
    dot += x * y;
    na += x * x;
    nb += y * y;
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - y));
  }
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  return { cosine, maxAbsDiff, nonFinite };
}
