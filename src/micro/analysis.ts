/**
 * What the micro probes' raw curves mean: latency, throughput and Little's-law
 * parallelism from a chain curve; cache levels from a latency curve; TLB reach from
 * a TLB-cost curve. Pure functions over numbers, so each is tested on its own.
 */
import type { FactSource } from "../results/schema.js";
import { median } from "../stats.js";
import { DISAGREE_RATIO } from "../sysinfo/caches.js";

/** One k of a chain curve: cycles for one step of every chain, per sample. */
export interface ChainPoint {
  k: number;
  cyclesPerStep: number[];
}

export interface FmaFigures {
  /** Cycles per step at k = 1, per sample. */
  latencySamples: number[];
  /** Instructions per cycle of every sample on the plateau (k >= saturatesAt), pooled. */
  throughputSamples: number[];
  /** Each latency sample times the plateau throughput. */
  parallelismSamples: number[];
  /** The smallest k reaching SATURATION of the plateau throughput. */
  saturatesAt: number;
  /** The k with the best median throughput (recorded; the peak book runs every form at its full chain count, past saturation). */
  bestK: number;
  /** Little's law holds: the curve saturates within one chain of latency x throughput. */
  agrees: boolean;
  /** Median instructions per cycle for every k, for tables and charts. */
  throughputByK: { k: number; ipc: number }[];
}

/**
 * A k has saturated the pipes when its throughput is within 7 % of the plateau. The
 * plateau is the median throughput over the upper half of the k range, where every
 * k is well past saturation, so one lucky fast k cannot raise the bar.
 */
export const SATURATION = 0.93;

export function fmaFigures(points: readonly ChainPoint[]): FmaFigures {
  const one = points.find((p) => p.k === 1);
  if (!one) throw new RangeError("a chain curve needs k = 1 to give the latency");
  const throughputByK = points.map((p) => ({ k: p.k, ipc: median(p.cyclesPerStep.map((c) => p.k / c)) }));
  const maxK = Math.max(...points.map((p) => p.k));
  const plateau = median(throughputByK.filter((t) => t.k >= Math.ceil(maxK / 2)).map((t) => t.ipc));
  const saturated = throughputByK.filter((t) => t.ipc >= SATURATION * plateau);
  const saturatesAt = saturated.length ? Math.min(...saturated.map((t) => t.k)) : maxK;
  const bestK = throughputByK.filter((t) => t.k >= saturatesAt).reduce((a, b) => (b.ipc > a.ipc ? b : a)).k;
  const latencySamples = [...one.cyclesPerStep];
  const throughputSamples = points.filter((p) => p.k >= saturatesAt).flatMap((p) => p.cyclesPerStep.map((c) => p.k / c));
  const throughput = median(throughputSamples);
  const parallelismSamples = latencySamples.map((l) => l * throughput);
  const parallelism = median(parallelismSamples);
  const agrees = saturatesAt >= Math.floor(parallelism) - 1 && saturatesAt <= Math.ceil(parallelism) + 1;
  return { latencySamples, throughputSamples, parallelismSamples, saturatesAt, bestK, agrees, throughputByK };
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
  /** Smallest and largest working set measured on the plateau. */
  firstBytes: number;
  lastBytes: number;
  /**
   * Where the curve leaves the plateau: the working set at which latency crosses the
   * geometric mean of this plateau and the next, or twice this plateau if lower
   * (interpolated on log scales). For the last plateau, its largest working set.
   */
  edgeBytes: number;
  /** Median latency of its points. */
  ns: number;
  points: number;
}

/** Penalty per run for latency curves, in squared natural-log units: small, so transitions split off. */
export const PLATEAU_PENALTY = 0.03;
/** A run counts as a plateau when its slowest point is within this ratio of its fastest. */
export const PLATEAU_FLATNESS = 1.35;
/** Neighbouring plateaus closer than this ratio are one level split by noise. */
export const PLATEAU_MERGE = 1.3;
/**
 * Consecutive points of a sweep at one point per octave can be a little less than an
 * octave apart (the sweep spreads whole steps between its ends and aligns them to
 * pages: 64K, 124K, 252K, 500K, ...); they still count as an octave.
 */
export const NEAR_OCTAVE = 1.8;
/** The curve has left a plateau once latency is this many times the plateau's. */
export const LEAVE_PLATEAU = 2;

function crossing(sorted: readonly CurvePoint[], from: number, threshold: number): number {
  for (let i = from + 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.ns >= threshold) {
      if (a.ns >= threshold || b.ns === a.ns) return a.bytes;
      const t = (Math.log(threshold) - Math.log(a.ns)) / (Math.log(b.ns) - Math.log(a.ns));
      return Math.exp(Math.log(a.bytes) + t * (Math.log(b.bytes) - Math.log(a.bytes)));
    }
  }
  return sorted[sorted.length - 1]!.bytes;
}

/** Every point about an octave past the previous one kept, starting at the smallest. */
function octaves(sorted: readonly CurvePoint[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const p of sorted) if (out.length === 0 || p.bytes >= NEAR_OCTAVE * out[out.length - 1]!.bytes) out.push(p);
  return out;
}

/**
 * Plateaus of a latency curve: runs spanning at least an octave of the working set
 * (two octave points: a cache level holds from well below its size up to it, while two
 * close points on a gradual transition, sampled finely, can look flat without being a
 * level) whose latency stays flat. Points between plateaus are transitions, not levels.
 * Levels are found at octave resolution, where a gradual transition cannot pass for
 * a short flat run; the edges are then placed on the full curve.
 */
export function detectPlateaus(curve: readonly CurvePoint[]): Plateau[] {
  const full = [...curve].sort((a, b) => a.bytes - b.bytes);
  const sorted = octaves(full);
  const runs = segment(sorted.map((p) => Math.log(p.ns)), PLATEAU_PENALTY).filter(([i, j]) => {
    const ns = sorted.slice(i, j + 1).map((p) => p.ns);
    return j > i && Math.max(...ns) <= PLATEAU_FLATNESS * Math.min(...ns);
  });
  const merged: Segment[] = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    const med = (x: Segment) => median(sorted.slice(x[0], x[1] + 1).map((p) => p.ns));
    if (last && last[1] + 1 === r[0] && Math.max(med(last), med(r)) <= PLATEAU_MERGE * Math.min(med(last), med(r))) last[1] = r[1];
    else merged.push([r[0], r[1]]);
  }
  const plateaus = merged.map(([i, j]) => {
    const firstBytes = sorted[i]!.bytes;
    const lastBytes = sorted[j]!.bytes;
    const ns = median(full.filter((p) => p.bytes >= firstBytes && p.bytes <= lastBytes).map((p) => p.ns));
    return { firstBytes, lastBytes, ns, points: full.filter((p) => p.bytes >= firstBytes && p.bytes <= lastBytes).length };
  });
  return plateaus.map((p, n) => {
    const next = plateaus[n + 1];
    const from = full.findIndex((q) => q.bytes === p.lastBytes);
    // Half-way (log scale) to the next plateau, but no higher than twice this one: when
    // a level in between went undetected, the next plateau is far above and half-way
    // to it would place the edge past the missing level.
    const edgeBytes = next ? crossing(full, from, Math.min(Math.sqrt(p.ns * next.ns), LEAVE_PLATEAU * p.ns)) : p.lastBytes;
    return { ...p, edgeBytes };
  });
}

export interface CacheSize {
  level: number;
  sizeBytes: number;
  /** Where the size came from (src/sysinfo/caches.ts); "default" sizes are guesses. */
  source: FactSource;
}

export interface LevelMatch extends Plateau {
  /** "L1", "L2", ... or "DRAM"; "?" when no cache level is left for it. */
  label: string;
  /** The hierarchy's size for the level, and its source; null where none was matched. */
  cacheBytes: number | null;
  cacheSource: FactSource | null;
}

/** Leaving a plateau unnamed costs as much as a misfit of this many octaves. */
export const UNMATCHED_OCTAVES = 3;
/**
 * The last-level cache may look much smaller than reported (a VM reporting the whole
 * package's L3, other tenants, cache partitioning): an edge below its size costs this
 * share of the octaves. An edge beyond a level's size costs in full everywhere.
 */
export const LLC_SHORTFALL_WEIGHT = 0.25;

function misfit(edgeBytes: number, sizeBytes: number, isLast: boolean): number {
  const octaves = Math.log2(edgeBytes / sizeBytes);
  return octaves < 0 && isLast ? -octaves * LLC_SHORTFALL_WEIGHT : Math.abs(octaves);
}

/**
 * Names plateaus after the cache levels of the machine's hierarchy. The last plateau
 * is DRAM when it reaches past the last-level cache. The others are matched to cache
 * levels in order, minimising the total size misfit (octaves between a plateau's edge
 * and the level's size); a plateau that fits no level (an extra step, e.g. a
 * partitioned or shared cache) is left "?", and a level may go unseen. When no source
 * gave real sizes (only labelled defaults), plateaus are named in order instead, the
 * last one DRAM: the curve is then the best source there is.
 */
export function labelPlateaus(plateaus: readonly Plateau[], caches: readonly CacheSize[]): LevelMatch[] {
  if (caches.length === 0 || caches.every((c) => c.source === "default")) return labelInOrder(plateaus);
  const levels = [...caches].sort((a, b) => a.level - b.level);
  const llc = levels[levels.length - 1];
  const last = plateaus[plateaus.length - 1];
  const dram = last !== undefined && llc !== undefined && last.lastBytes > llc.sizeBytes;
  const cached = dram ? plateaus.slice(0, -1) : [...plateaus];
  const n = cached.length;
  const m = levels.length;
  // cost[i][j]: best alignment of the first i plateaus with the first j levels.
  const cost = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(Infinity));
  const move = Array.from({ length: n + 1 }, () => new Array<"match" | "skipPlateau" | "skipLevel">(m + 1).fill("skipLevel"));
  for (let j = 0; j <= m; j++) cost[0]![j] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      let best = cost[i - 1]![j]! + UNMATCHED_OCTAVES;
      let how: "match" | "skipPlateau" | "skipLevel" = "skipPlateau";
      if (j > 0 && cost[i]![j - 1]! < best) {
        best = cost[i]![j - 1]!;
        how = "skipLevel";
      }
      if (j > 0) {
        const fit = cost[i - 1]![j - 1]! + misfit(cached[i - 1]!.edgeBytes, levels[j - 1]!.sizeBytes, j === m);
        if (fit < best) {
          best = fit;
          how = "match";
        }
      }
      cost[i]![j] = best;
      move[i]![j] = how;
    }
  }
  const out: LevelMatch[] = new Array(n);
  for (let i = n, j = m; i > 0; ) {
    const how = move[i]![j]!;
    if (how === "skipLevel") j--;
    else if (how === "skipPlateau") {
      out[i - 1] = { ...cached[i - 1]!, label: "?", cacheBytes: null, cacheSource: null };
      i--;
    } else {
      const lv = levels[j - 1]!;
      out[i - 1] = { ...cached[i - 1]!, label: `L${lv.level}`, cacheBytes: lv.sizeBytes, cacheSource: lv.source };
      i--;
      j--;
    }
  }
  if (dram) out.push({ ...last!, label: "DRAM", cacheBytes: null, cacheSource: null });
  return out;
}

function labelInOrder(plateaus: readonly Plateau[]): LevelMatch[] {
  return plateaus.map((p, i) => ({
    ...p,
    label: i === plateaus.length - 1 && plateaus.length > 1 ? "DRAM" : `L${i + 1}`,
    cacheBytes: null,
    cacheSource: null,
  }));
}

/** True when a matched level's measured edge and its size from the hierarchy disagree. */
export function edgeDisagrees(m: Pick<LevelMatch, "edgeBytes" | "cacheBytes">): boolean {
  if (m.cacheBytes === null) return false;
  return Math.max(m.edgeBytes, m.cacheBytes) / Math.min(m.edgeBytes, m.cacheBytes) > DISAGREE_RATIO;
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
 * TLB reach from a TLB-cost curve (latency over a baseline with the same data
 * footprint). Flat runs of at least two page counts are plateaus; a plateau ends a
 * TLB level's reach when the next two page counts (or the last one) cost at least
 * TLB_MIN_STEP_NS more. Past the last TLB level page walks keep getting dearer, so
 * what follows the last plateau need not be flat.
 */
export function detectTlbLevels(cost: readonly { pages: number; ns: number }[]): TlbLevel[] {
  const sorted = [...cost].sort((a, b) => a.pages - b.pages);
  const plateaus = segment(sorted.map((p) => p.ns), TLB_PENALTY)
    .filter(([i, j]) => j > i)
    .map(([i, j]) => ({ end: j, ns: median(sorted.slice(i, j + 1).map((p) => p.ns)) }));
  const levels: TlbLevel[] = [];
  plateaus.forEach((p, n) => {
    const after = sorted.slice(p.end + 1, p.end + 3);
    if (after.length === 0 || !after.every((a) => a.ns - p.ns >= TLB_MIN_STEP_NS)) return;
    const next = plateaus[n + 1];
    const above = next ? next.ns : median(sorted.slice(p.end + 1).map((a) => a.ns));
    levels.push({ entries: sorted[p.end]!.pages, stepNs: above - p.ns });
  });
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
