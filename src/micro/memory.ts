/**
 * `armbench micro latency` and `armbench micro tlb`: pointer chasing over working
 * sets from 4 KiB to several times the last-level cache, with 4 KiB and huge pages;
 * the cache levels read off the curve beside sysfs; TLB reach from one line per page.
 */
import os from "node:os";

import type { NativeChase, NativeClockRun } from "../native.js";
import { failedRecord, okRecord, type RecordId } from "../results/record.js";
import type { Env } from "../results/schema.js";
import { median, relativeSpread, summarize } from "../stats.js";
import { dataLevels, withMeasuredEdges } from "../sysinfo/caches.js";
import { machineKey, saveMeasuredLevels, type MeasuredLevels } from "../sysinfo/measured-levels.js";
import { detectPlateaus, detectTlbLevels, labelPlateaus, sweep, type CacheSize, type CurvePoint, type LevelMatch, type TlbLevel } from "./analysis.js";
import { overheadFree } from "./cancel.js";
import { clockBeside, probeClock, type ProbeClock } from "./clock.js";
import { primaryCpu, type MicroContext } from "./context.js";

export type PageKind = "4k" | "huge";

export interface LatencyPoint {
  bytes: number;
  page: PageKind;
  hugeObtained: boolean;
  ns: number;
  firstPassNs: number;
  spread: number;
}

export interface LevelRow extends LevelMatch {
  page: PageKind;
  cycles: number;
  /** 4 KiB minus huge-page latency at this level's largest size, when both ran. */
  tlbShareNs: number | null;
}

export interface LatencySummary {
  points: LatencyPoint[];
  levels: LevelRow[];
}

export interface TlbSummary {
  levels: TlbLevel[];
  points: { pages: number; ns4k: number; nsHuge: number; nsDense: number }[];
}

/** Data and unified caches per level, from the machine's hierarchy with their sources. */
export function dataCaches(env: Env): CacheSize[] {
  return dataLevels(env.caches).map((c) => ({ level: c.level, sizeBytes: c.sizeBytes, source: c.source }));
}

/** The largest working set to test: a multiple of the LLC, capped by a quarter of free memory. */
export function largestWorkingSet(env: Env, multiple: number, freeBytes = os.freemem()): number {
  const llc = Math.max(...dataCaches(env).map((c) => c.sizeBytes), 8 << 20);
  const bytes = Math.min(llc * multiple, Math.max(64 << 20, Math.floor(freeBytes / 4)));
  // Whole pages: a fractional multiple of the LLC (small suites) is not a buffer size the addon takes.
  return Math.max(4096, Math.floor(bytes / 4096) * 4096);
}

/** ns per load of each undisturbed sample: steady state with the 2N - N cancellation. */
function steadyNs(r: NativeChase, loads: number): number[] {
  const { deltas } = overheadFree(r.samples.map((s) => s.nsN), r.samples.map((s) => s.ns2N));
  if (deltas.length === 0) throw new Error("every sample was disturbed (2N run not slower than N)");
  return deltas.map((d) => d / loads);
}

const CHASE_CHECK = { method: "chain is one cycle through every element (native self-check)", passed: true };

export async function runLatency(ctx: MicroContext): Promise<LatencySummary> {
  const s = ctx.suite.latency;
  const sizes = sweep(s.minBytes, largestWorkingSet(ctx.env, s.llcMultiple), s.pointsPerOctave, 4096);
  const points: LatencyPoint[] = [];
  const pending: { id: RecordId; ns: number[]; firstPassNs: number; beside: NativeClockRun[][] }[] = [];
  for (const page of ["4k", "huge"] as PageKind[]) {
    for (const bytes of sizes) {
      ctx.progress.update(`micro latency: ${page} pages, ${bytes >= 1 << 20 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`}`);
      const id: RecordId = { suite: "micro", name: "micro.mem.latency", impl: "armbench", params: { bytes, page, hugeObtained: false, seed: s.seed, passes: s.passes }, unit: "ns" };
      try {
        const before = await clockBeside(ctx);
        const r = await ctx.native.chaseLatency({
          bytes,
          huge: page === "huge",
          stride: s.stride,
          passes: s.passes,
          seed: s.seed,
          loads: s.loads,
          samples: s.samples,
          cpu: primaryCpu(ctx),
        });
        const after = await clockBeside(ctx);
        // "Obtained" means most of the buffer sits on huge pages; small buffers never can.
        const hugeObtained = r.hugeBytesObtained >= 0.5 * bytes;
        const ns = steadyNs(r, s.loads);
        const firstPassNs = median(r.samples.map((x) => x.firstPassNs / x.firstPassLoads));
        pending.push({ id: { ...id, params: { ...id.params, hugeObtained } }, ns, firstPassNs, beside: before.map((b, c) => [b, after[c]!]) });
        points.push({ bytes, page, hugeObtained, ns: median(ns), firstPassNs, spread: relativeSpread(summarize(ns)) });
      } catch (err) {
        ctx.record(failedRecord(id, (err as Error).message));
      }
    }
  }
  if (pending.length === 0) return { points, levels: [] };
  // Each working set's ns becomes cycles with the clock measured right beside it.
  const clock = probeClock(ctx, "latency", pending.map((p) => p.beside), null, "point");
  const pointHz = new Map(points.map((p, i) => [p, clock.hz[i]!]));
  pending.forEach((p, i) => {
    const ghz = clock.hz[i]! / 1e9;
    ctx.record(okRecord({ ...p.id, clock: { ...clock.clock, ghz }, derived: { cycles: median(p.ns) * ghz, firstPassNs: p.firstPassNs } }, p.ns, CHASE_CHECK));
  });
  const hugeCount = points.filter((p) => p.page === "huge" && p.hugeObtained).length;
  if (points.some((p) => p.page === "huge") && hugeCount === 0) {
    ctx.warn("latency: no huge pages were obtained (transparent huge pages off or memory fragmented); the huge-page curve uses 4 KiB pages.");
  }
  const levels = [...levelRows(ctx, points, "huge", clock, pointHz), ...levelRows(ctx, points, "4k", clock, pointHz)];
  saveCurveLevels(ctx, levels);
  return { points, levels };
}

/**
 * Keeps the cache edges this curve showed, so a later run on a machine with no other
 * source names its levels from them, and shows them beside this run's hierarchy (the
 * bandwidth probe then counts a level only up to what the curve reached).
 */
function saveCurveLevels(ctx: MicroContext, rows: LevelRow[]): void {
  const measured = curveLevels(rows);
  if (measured === null) return;
  ctx.env.caches = withMeasuredEdges(ctx.env.caches, measured, ctx.native.registerLineBytes() || null, ctx.env.machine.virtualization !== null);
  const key = machineKey({ arch: ctx.env.isa.arch, cpuModel: ctx.env.cpu.model, microarch: ctx.env.cpu.microarch.name, cores: ctx.env.cpu.cores });
  try {
    saveMeasuredLevels(key, measured);
  } catch (err) {
    ctx.warn(`latency: could not save the measured cache levels: ${(err as Error).message}`);
  }
}

/** The cache edges a curve showed, when it reached DRAM and saw its levels in order. */
function curveLevels(rows: LevelRow[]): MeasuredLevels | null {
  // Huge pages when they found as many levels: no TLB step blurs their edges.
  const pick = (page: PageKind) => (rows.some((r) => r.page === page && r.label === "DRAM") ? rows.filter((r) => r.page === page && /^L\d+$/.test(r.label)) : []);
  const chosen = pick("huge").length >= pick("4k").length ? pick("huge") : pick("4k");
  const levels = chosen.map((r) => ({ level: Number(r.label.slice(1)), edgeBytes: Math.max(1024, Math.round(r.edgeBytes)) }));
  if (levels.length === 0 || levels.some((l, i) => l.level !== i + 1)) return null;
  const page = chosen[0]!.page;
  const dram = rows.find((r) => r.page === page && r.label === "DRAM")!;
  return { levels, dramFromBytes: Math.max(1024, Math.round(dram.firstBytes)), measuredAt: new Date().toISOString() };
}

function levelRows(ctx: MicroContext, points: LatencyPoint[], page: PageKind, clock: ProbeClock, pointHz: Map<LatencyPoint, number>): LevelRow[] {
  const curve: CurvePoint[] = points.filter((p) => p.page === page).map((p) => ({ bytes: p.bytes, ns: p.ns }));
  if (curve.length < 2) return [];
  const rows: LevelRow[] = [];
  for (const m of labelPlateaus(detectPlateaus(curve), dataCaches(ctx.env))) {
    const at = (kind: PageKind) => points.find((p) => p.page === kind && p.bytes === m.lastBytes)?.ns;
    const four = at("4k");
    const huge = at("huge");
    const tlbShareNs = four !== undefined && huge !== undefined ? four - huge : null;
    const plateau = points.filter((p) => p.page === page && p.bytes >= m.firstBytes && p.bytes <= m.lastBytes);
    const samples = plateau.map((p) => p.ns * (pointHz.get(p)! / 1e9));
    const cycles = median(samples);
    rows.push({ ...m, page, cycles, tlbShareNs });
    ctx.record(
      okRecord(
        {
          suite: "micro",
          name: "micro.mem.level",
          impl: "armbench",
          params: { level: m.label, bytes: Math.round(m.edgeBytes), cacheBytes: m.cacheBytes, cacheSource: m.cacheSource, page },
          unit: "cycles",
          clock: { ...clock.clock, ghz: median(plateau.map((p) => pointHz.get(p)! / 1e9)) },
          derived: { ns: m.ns, flatFromBytes: m.firstBytes, flatToBytes: m.lastBytes, tlbShareNs },
        },
        samples,
        { method: "plateau of the latency curve (one value per working set on it)", passed: true },
      ),
    );
  }
  return rows;
}

/**
 * TLB reach. One line per 4 KiB page over N pages misses the TLB once N passes its
 * entries, but N lines also fill the data caches; so each count is also chased densely
 * (the same N lines packed together: same cache footprint, no TLB pressure) and the
 * steps are read off the difference. The huge-page chase at the same count is kept
 * for the TLB share figure (it is no baseline in a VM whose host maps guest memory
 * with 4 KiB pages: there huge pages do not widen TLB reach).
 */
export async function runTlb(ctx: MicroContext): Promise<TlbSummary> {
  const s = ctx.suite.tlb;
  const stride = ctx.suite.latency.stride;
  const counts = sweep(s.minPages, s.maxPages, s.pointsPerOctave, 1);
  const beside: NativeClockRun[][][] = [];
  const kinds = ["4k", "huge", "dense"] as const;
  const byKind: Record<(typeof kinds)[number], Map<number, number[]>> = { "4k": new Map(), huge: new Map(), dense: new Map() };
  for (const kind of kinds) {
    for (const pages of counts) {
      ctx.progress.update(`micro tlb: ${kind === "dense" ? "dense baseline" : `${kind} pages`}, ${pages} pages`);
      const id: RecordId = { suite: "micro", name: "micro.tlb", impl: "armbench", params: { pages, pageBytes: kind === "dense" ? stride : s.pageBytes, page: kind, seed: s.seed }, unit: "ns" };
      try {
        const before = await clockBeside(ctx);
        const r =
          kind === "dense"
            ? await ctx.native.chaseLatency({ bytes: pages * stride, huge: false, stride, passes: 1, seed: s.seed, loads: s.loads, samples: s.samples, cpu: primaryCpu(ctx) })
            : await ctx.native.tlbChase({ pages, pageBytes: s.pageBytes, huge: kind === "huge", seed: s.seed, loads: s.loads, samples: s.samples, cpu: primaryCpu(ctx) });
        const after = await clockBeside(ctx);
        beside.push(before.map((b, c) => [b, after[c]!]));
        const ns = steadyNs(r, s.loads);
        byKind[kind].set(pages, ns);
        ctx.record(okRecord({ ...id, params: { ...id.params, hugeObtained: r.hugeBytesObtained > 0 } }, ns, CHASE_CHECK));
      } catch (err) {
        ctx.record(failedRecord(id, (err as Error).message));
      }
    }
  }
  if (beside.length === 0) return { levels: [], points: [] };
  // The levels are steps between points, so they take the median of the clocks beside every point.
  const clock = probeClock(ctx, "tlb", beside, null, "point");
  const points = counts
    .filter((p) => kinds.every((k) => byKind[k].has(p)))
    .map((pages) => ({
      pages,
      ns4k: median(byKind["4k"].get(pages)!),
      nsHuge: median(byKind.huge.get(pages)!),
      nsDense: median(byKind.dense.get(pages)!),
    }));
  const levels = detectTlbLevels(points.map((p) => ({ pages: p.pages, ns: p.ns4k - p.nsDense })));
  levels.forEach((l, i) => {
    ctx.record(
      okRecord(
        {
          suite: "micro",
          name: "micro.tlb.level",
          impl: "armbench",
          params: { level: i + 1, pageBytes: s.pageBytes },
          unit: "entries",
          clock: clock.clock,
          derived: { stepNs: l.stepNs, stepCycles: l.stepNs * clock.clock.ghz },
        },
        [l.entries],
        { method: "step of the one-line-per-page latency over the dense chase of as many lines", passed: true },
      ),
    );
  });
  return { levels, points };
}
