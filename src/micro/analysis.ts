/**
 * What the micro probes' raw curves mean: latency, throughput and Little's-law
 * parallelism from a chain curve; cache levels from a latency curve; TLB reach from
 * a TLB-cost curve. Pure functions over numbers, so each is tested on its own.
 */
import { median } from "../stats.js";

/** One k of a chain curve: cycles for one step of every chain, per sample. */
export interface ChainPoint {
  k: number;
  cyclesPerStep: number[];
}

export interface FmaFigures {
  /** Cycles per step at k = 1, per sample. */
  latencySamples: number[];
  /** Instructions per cycle at the best k of the plateau, per sample. */
  throughputSamples: number[];
  /** latency x throughput, sample by sample. */
  parallelismSamples: number[];
  /** The k whose samples give the throughput. */
  throughputK: number;
  /** The smallest k reaching SATURATION of the best throughput. */
  saturatesAt: number;
  /** Little's law holds: the curve saturates within one chain of latency x throughput. */
  agrees: boolean;
  /** Median instructions per cycle for every k, for tables and charts. */
  throughputByK: { k: number; ipc: number }[];
}

/** A k reaches the plateau when its throughput is within 5 % of the best. */
export const SATURATION = 0.95;

export function fmaFigures(points: readonly ChainPoint[]): FmaFigures {
  const one = points.find((p) => p.k === 1);
  if (!one) throw new RangeError("a chain curve needs k = 1 to give the latency");
  const throughputByK = points.map((p) => ({ k: p.k, ipc: median(p.cyclesPerStep.map((c) => p.k / c)) }));
  const best = Math.max(...throughputByK.map((t) => t.ipc));
  const plateau = throughputByK.filter((t) => t.ipc >= SATURATION * best);
  const saturatesAt = Math.min(...plateau.map((t) => t.k));
  // Samples come from one k, so the record's median is the median of its samples.
  const top = plateau.reduce((a, b) => (b.ipc > a.ipc ? b : a));
  const topPoint = points.find((p) => p.k === top.k)!;
  const latencySamples = [...one.cyclesPerStep];
  const throughputSamples = topPoint.cyclesPerStep.map((c) => topPoint.k / c);
  const n = Math.min(latencySamples.length, throughputSamples.length);
  const parallelismSamples = Array.from({ length: n }, (_, i) => latencySamples[i]! * throughputSamples[i]!);
  const parallelism = median(parallelismSamples);
  const agrees = saturatesAt >= Math.floor(parallelism) - 1 && saturatesAt <= Math.ceil(parallelism) + 1;
  return { latencySamples, throughputSamples, parallelismSamples, throughputK: top.k, saturatesAt, agrees, throughputByK };
}

/** [start, end] index ranges (inclusive) of an optimal piecewise-constant fit. */
export type Segment = [number, number];

/**
 * Splits values into runs that are each close to constant: minimises the sum of
 * squared deviations from each run's mean plus `penalty` per run (exact, O(n^2)).
 */
export function segment(values: readonly number[], penalty: number): Segment[] {
  const n = values.length;
  if (n === 0) return [];
  const s1 = [0];
  const s2 = [0];
  for (const v of values) {
    s1.push(s1[s1.length - 1]! + v);
    s2.push(s2[s2.length - 1]! + v * v);
  }
  const sse = (i: number, j: number) => {
    const m = j - i + 1;
    const sum = s1[j + 1]! - s1[i]!;
    return s2[j + 1]! - s2[i]! - (sum * sum) / m;
  };
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = 1; i <= j; i++) {
      const c = best[i - 1]! + sse(i - 1, j - 1) + penalty;
      if (c < best[j]!) {
        best[j] = c;
        from[j] = i - 1;
      }
    }
  }
  const out: Segment[] = [];
  for (let j = n; j > 0; j = from[j]!) out.unshift([from[j]!, j - 1]);
  return out;
}

export interface CurvePoint {
  bytes: number;
  ns: number;
}

export interface Plateau {
  /** Smallest and largest working set on the plateau. */
  firstBytes: number;
  lastBytes: number;
  /** Median latency of its points. */
  ns: number;
  points: number;
}

/** Penalty per run for latency curves, in squared natural-log units. */
export const PLATEAU_PENALTY = 0.1;
/** A run counts as a plateau when its slowest point is within this ratio of its fastest. */
export const PLATEAU_FLATNESS = 1.35;

/**
 * Plateaus of a latency curve: runs of at least two working sets whose latency stays
 * flat. Points between plateaus are transitions, not levels.
 */
export function detectPlateaus(curve: readonly CurvePoint[]): Plateau[] {
  const sorted = [...curve].sort((a, b) => a.bytes - b.bytes);
  const runs = segment(sorted.map((p) => Math.log(p.ns)), PLATEAU_PENALTY);
  const out: Plateau[] = [];
  for (const [i, j] of runs) {
    const pts = sorted.slice(i, j + 1);
    const ns = pts.map((p) => p.ns);
    if (pts.length < 2 || Math.max(...ns) > PLATEAU_FLATNESS * Math.min(...ns)) continue;
    out.push({ firstBytes: pts[0]!.bytes, lastBytes: pts[pts.length - 1]!.bytes, ns: median(ns), points: pts.length });
  }
  return out;
}

export interface CacheSize {
  level: number;
  sizeBytes: number;
}

export interface LevelMatch extends Plateau {
  /** "L1", "L2", ... or "DRAM"; "?" when no cache level fits. */
  label: string;
  sysfsBytes: number | null;
}

/**
 * Names plateaus after the cache levels sysfs reports: the last plateau lies past the
 * last-level cache is DRAM; the others take the nearest level by size (log scale),
 * each level used once.
 */
export function labelPlateaus(plateaus: readonly Plateau[], caches: readonly CacheSize[]): LevelMatch[] {
  const levels = [...caches].sort((a, b) => a.level - b.level);
  const llc = levels[levels.length - 1];
  const used = new Set<number>();
  return plateaus.map((p) => {
    if (llc && p.firstBytes > llc.sizeBytes) return { ...p, label: "DRAM", sysfsBytes: null };
    let bestLevel: CacheSize | undefined;
    for (const c of levels) {
      if (used.has(c.level)) continue;
      const d = Math.abs(Math.log2(p.lastBytes / c.sizeBytes));
      if (!bestLevel || d < Math.abs(Math.log2(p.lastBytes / bestLevel.sizeBytes))) bestLevel = c;
    }
    if (!bestLevel) return { ...p, label: "?", sysfsBytes: null };
    used.add(bestLevel.level);
    return { ...p, label: `L${bestLevel.level}`, sysfsBytes: bestLevel.sizeBytes };
  });
}

export interface TlbLevel {
  /** Largest page count before the step: the entries this level covers. */
  entries: number;
  /** Extra ns per access once this level is exceeded (over the plateau below). */
  stepNs: number;
}

/** Penalty per run for TLB-cost curves, in squared ns. */
export const TLB_PENALTY = 0.5;
/** A rise smaller than this (ns) is noise, not a TLB level. */
export const TLB_MIN_STEP_NS = 0.5;

/**
 * TLB reach from the cost of 4 KiB pages over huge pages at the same page count:
 * flat runs of at least two page counts are the levels' plateaus (single points
 * between them are transitions), and each rise between consecutive plateaus marks
 * the end of the lower plateau's reach.
 */
export function detectTlbLevels(cost: readonly { pages: number; ns: number }[]): TlbLevel[] {
  const sorted = [...cost].sort((a, b) => a.pages - b.pages);
  const plateaus = segment(sorted.map((p) => p.ns), TLB_PENALTY)
    .filter(([i, j]) => j > i)
    .map(([i, j]) => ({ last: sorted[j]!.pages, ns: median(sorted.slice(i, j + 1).map((p) => p.ns)) }));
  const levels: TlbLevel[] = [];
  let below = plateaus[0];
  for (const p of plateaus.slice(1)) {
    if (p.ns - below!.ns >= TLB_MIN_STEP_NS) {
      levels.push({ entries: below!.last, stepNs: p.ns - below!.ns });
      below = p;
    } else {
      below = { last: p.last, ns: below!.ns };
    }
  }
  return levels;
}

/** Geometric sweep from lo to hi (both included), rounded to multiples of `align`. */
export function sweep(lo: number, hi: number, pointsPerOctave: number, align: number): number[] {
  const out = new Set<number>();
  const steps = Math.max(1, Math.round(Math.log2(hi / lo) * pointsPerOctave));
  for (let i = 0; i <= steps; i++) {
    const v = lo * Math.pow(hi / lo, i / steps);
    out.add(Math.max(align, Math.round(v / align) * align));
  }
  return [...out].sort((a, b) => a - b);
}
