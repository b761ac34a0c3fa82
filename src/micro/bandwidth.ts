/**
 * `armbench micro bandwidth`: read, write, copy and triad (and their non-temporal
 * variants) across working sets, on one core and all cores, GB/s per cache level;
 * then loaded latency: one chaser while the other cores stream at throttled rates.
 */
import { failedRecord, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import type { Env } from "../results/schema.js";
import { median, relativeSpread, summarize } from "../stats.js";
import { dataLevels, lastLevel, reachableBytes } from "../sysinfo/caches.js";
import { sweep } from "./analysis.js";
import { overheadFree } from "./cancel.js";
import { primaryCpu, type MicroContext } from "./context.js";
import { largestWorkingSet } from "./memory.js";

export interface BandwidthPoint {
  kernel: string;
  isa: string;
  threads: number;
  bytes: number;
  gbs: number;
  level: string;
  spread: number;
}

export interface LoadedPoint {
  pauseNs: number;
  streamers: number;
  latencyNs: number;
  bandwidthGBs: number;
}

export interface BandwidthSummary {
  /** Every level a working set may be in (L1.., DRAM): one with none is missing, not merged. */
  levels: string[];
  points: BandwidthPoint[];
  loaded: LoadedPoint[];
  skipped: { kernel: string; reason: string }[];
}

/** A working set counts for a level when it fills at most this share of it... */
const FITS = 0.5;
/** ...and for DRAM only from this many times the last-level cache. */
export const DRAM_LLC_MULTIPLE = 4;

/**
 * The memory level a run of `threads` threads with `bytes` each streams from: each
 * cache instance holds the sets of the threads sharing it, up to what the latency
 * curve showed it holds where that is clearly less than its size. Sizes between two
 * levels, and anything past the last-level cache short of DRAM_LLC_MULTIPLE times its
 * size, are "-" (neither); without a known last-level cache nothing counts as DRAM.
 */
export function streamLevel(env: Env, bytes: number, threads: number): string {
  const caches = dataLevels(env.caches);
  const footprint = (c: { sharedByCpus: number }) => bytes * Math.max(1, Math.min(threads, c.sharedByCpus));
  for (const c of caches) {
    if (footprint(c) <= FITS * reachableBytes(c)) return `L${c.level}`;
    if (footprint(c) <= c.sizeBytes) return "-";
  }
  const llc = lastLevel(env.caches);
  return llc && footprint(llc) >= DRAM_LLC_MULTIPLE * llc.sizeBytes ? "DRAM" : "-";
}

/** The columns of the bandwidth table: every data level of the hierarchy, then DRAM. */
export function bandwidthLevels(env: Env): string[] {
  return [...new Set(dataLevels(env.caches).map((c) => `L${c.level}`)), "DRAM"];
}

const BW_CHECK = { method: "kernel output verified against expected values (native)", passed: true };

async function runStreams(ctx: MicroContext, out: BandwidthSummary): Promise<void> {
  const s = ctx.suite.bandwidth;
  const kernels = ctx.native.bwKernels();
  const threadSets = ctx.cpus.length > 1 ? [[primaryCpu(ctx)], ctx.cpus] : [[primaryCpu(ctx)]];
  for (const name of s.kernels) {
    const k = kernels.find((x) => x.name === name);
    if (!k) {
      out.skipped.push({ kernel: name, reason: "no such kernel in this build" });
      continue;
    }
    if (k.unsupported !== null) {
      out.skipped.push({ kernel: name, reason: k.unsupported });
      ctx.record(unavailableRecord({ suite: "micro", name: "micro.bandwidth", impl: "armbench", params: { kernel: name, bytes: null, threads: 1 }, unit: "GB/s" }, k.unsupported));
      continue;
    }
    for (const cpus of threadSets) {
      const threads = cpus.length;
      const sizes = sweep(s.minBytes, largestWorkingSet(ctx.env, s.llcMultiple) / threads, s.pointsPerOctave, 4096);
      for (const bytes of sizes) {
        ctx.progress.update(`micro bandwidth: ${name} (${k.isa}), ${threads} thread${threads > 1 ? "s" : ""}, ${bytes >> 10} KiB each`);
        const id: RecordId = { suite: "micro", name: "micro.bandwidth", impl: "armbench", params: { kernel: name, bytes, threads, isa: k.isa }, unit: "GB/s" };
        const repeats = Math.max(1, Math.floor(s.bytesPerSample / (3 * bytes * threads)));
        try {
          const samples = await ctx.native.bandwidth({ kernel: k.id, bytes, cpus, repeats, samples: s.samples });
          const { deltas } = overheadFree(samples.map((x) => x.nsN), samples.map((x) => x.ns2N));
          if (deltas.length === 0) throw new Error("every sample was disturbed (2N run not slower than N)");
          const gbs = deltas.map((d) => (samples[0]!.bytesPerPass * repeats) / d);
          const level = streamLevel(ctx.env, bytes, threads);
          ctx.record(okRecord({ ...id, derived: { level, repeats } }, gbs, BW_CHECK));
          out.points.push({ kernel: name, isa: k.isa, threads, bytes, gbs: median(gbs), level, spread: relativeSpread(summarize(gbs)) });
        } catch (err) {
          ctx.record(failedRecord(id, (err as Error).message));
        }
      }
    }
  }
}

async function runLoaded(ctx: MicroContext, out: BandwidthSummary): Promise<void> {
  const s = ctx.suite.loaded;
  const streamCpus = ctx.cpus.slice(1);
  if (streamCpus.length === 0) {
    ctx.warn("loaded latency needs at least two CPUs (one chaser, one streamer); skipped.");
    return;
  }
  const chaseBytes = largestWorkingSet(ctx.env, ctx.suite.latency.llcMultiple);
  for (const pauseNs of s.pausesNs) {
    ctx.progress.update(`micro bandwidth: loaded latency, streamers pausing ${pauseNs} ns per 64 KiB`);
    const id: RecordId = {
      suite: "micro",
      name: "micro.loaded-latency",
      impl: "armbench",
      params: { pauseNs, streamers: streamCpus.length, chaseBytes, streamBytes: s.streamBytes, seed: s.seed },
      unit: "ns",
    };
    try {
      const r = await ctx.native.loadedLatency({
        chaseBytes,
        chaseCpu: primaryCpu(ctx),
        streamCpus,
        streamBytes: s.streamBytes,
        pauseNs,
        durationNs: s.durationNs,
        seed: s.seed,
      });
      const bandwidthGBs = r.streamBytesPerS / 1e9;
      ctx.record(okRecord({ ...id, derived: { bandwidthGBs } }, [r.chaseNsPerLoad], { method: "chaser and streamers ran to the end", passed: true }));
      out.loaded.push({ pauseNs, streamers: streamCpus.length, latencyNs: r.chaseNsPerLoad, bandwidthGBs });
    } catch (err) {
      ctx.record(failedRecord(id, (err as Error).message));
    }
  }
}

export async function runBandwidth(ctx: MicroContext): Promise<BandwidthSummary> {
  const out: BandwidthSummary = { levels: bandwidthLevels(ctx.env), points: [], loaded: [], skipped: [] };
  await runStreams(ctx, out);
  await runLoaded(ctx, out);
  return out;
}
