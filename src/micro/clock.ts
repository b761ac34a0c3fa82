/**
 * The clock beside every cycle figure: perf cycles when counted, the user's
 * --clock-ghz, or the clock chains run on the pinned core beside every sample (FMA) or
 * working-set point (memory latency, TLB) of the probe, so that each time is turned
 * into cycles with the clock measured right next to it (checked against cpufreq where
 * sysfs has it).
 */
import { besideClock } from "../clock.js";
import { CLOCK_STEPS_BESIDE } from "../constants.js";
import type { NativeClockRun } from "../native.js";
import { okRecord } from "../results/record.js";
import type { RecordClock } from "../results/schema.js";
import { median } from "../stats.js";
import { readCurFreqHz } from "../sysinfo/sysfs.js";
import { primaryCpu, type MicroContext } from "./context.js";

/** A clock that moves more than this (relative) between the halves of one probe is reported. */
export const CLOCK_DRIFT = 0.05;
/** An estimate this far from cpufreq's current frequency is reported. */
export const CPUFREQ_MISMATCH = 0.1;

export interface ProbeClock {
  /** What the probe's records say about their clock. */
  clock: RecordClock;
  /** Hz to turn each sample's ns into cycles, in the order the samples were given. */
  hz: number[];
}

/**
 * Where the clock stood over the first and the second half of a probe (medians, so a
 * sample whose chains were both disturbed does not count as a move).
 */
export function clockDrift(ghz: readonly number[]): { from: number; to: number } {
  const half = Math.ceil(ghz.length / 2);
  return { from: median(ghz.slice(0, half)), to: median(ghz.slice(ghz.length - half)) };
}

/** Counted cycles beat the user's --clock-ghz, which beats the chains' estimate. */
export function clockSource(counted: boolean, userClockGhz: number | undefined): RecordClock["source"] {
  return counted ? "perf" : userClockGhz !== undefined ? "user" : "estimate";
}

/**
 * The clock of every sample and the one its records carry: perf's counted clock over
 * each sample's own runs, the user's, or the estimate beside each sample. A record
 * labelled "perf" carries only counted figures: a sample perf could not measure (null)
 * keeps its estimate for converting, and is left out of the record's GHz.
 */
export function sampleClocks(
  source: RecordClock["source"],
  estimateGhz: readonly number[],
  perfGhz: readonly (number | null)[] | null,
  userClockGhz: number | undefined,
): { ghz: number[]; recordGhz: number } {
  if (source === "user") return { ghz: estimateGhz.map(() => userClockGhz!), recordGhz: userClockGhz! };
  if (source === "estimate") return { ghz: [...estimateGhz], recordGhz: median(estimateGhz) };
  const counted = (perfGhz ?? []).filter((x): x is number => x !== null);
  if (counted.length === 0) throw new RangeError("sampleClocks: perf is the source but counted no sample");
  return { ghz: estimateGhz.map((est, i) => perfGhz?.[i] ?? est), recordGhz: median(counted) };
}

/**
 * Picks the clock for every sample of a probe and records how it was obtained.
 * beside[s][c]: the runs of clock chain c beside sample s. perfGhz[s]: counted cycles
 * over sample s's own time, or null for the whole probe when perf does not count.
 */
export function probeClock(
  ctx: MicroContext,
  probe: string,
  beside: readonly (readonly (readonly NativeClockRun[])[])[],
  perfGhz: readonly (number | null)[] | null,
  at: "sample" | "point",
): ProbeClock {
  const cpu = primaryCpu(ctx);
  const est = besideClock(ctx.native.clockChains().map((c) => c.name), beside);
  const estimate = median(est.ghz);
  const source = clockSource(perfGhz !== null && perfGhz.some((x) => x !== null), ctx.userClockGhz);
  const chainsText = est.chains.map((c) => `${c.name} ${c.ghz.toFixed(2)} GHz`).join(", ");
  if (!est.agree) {
    const uses = source === "estimate" ? `its cycle figures use the ${est.chains[0]!.name} chain` : `its cycle figures use the ${source === "perf" ? "counted cycles" : "--clock-ghz"}`;
    ctx.warn(`${probe}: the clock chains disagree (${chainsText}, ${(est.agreement * 100).toFixed(1)}%); ${uses}.`);
  }
  const { from, to } = clockDrift(est.ghz);
  if (Math.abs(to - from) > CLOCK_DRIFT * estimate) {
    ctx.warn(`${probe}: the core clock moved from ${from.toFixed(2)} to ${to.toFixed(2)} GHz over the probe; each ${at} is converted with the clock measured beside it.`);
  }
  const cpufreq = cpu >= 0 ? readCurFreqHz(cpu) : null;
  if (cpufreq !== null && Math.abs(cpufreq - estimate * 1e9) > CPUFREQ_MISMATCH * cpufreq) {
    ctx.warn(`${probe}: the clock chains' estimate (${estimate.toFixed(2)} GHz) disagrees with cpufreq (${(cpufreq / 1e9).toFixed(2)} GHz).`);
  }
  ctx.record(
    okRecord(
      {
        suite: "micro",
        name: "micro.clock",
        impl: "clock-chains",
        params: { source: "estimate", probe, cpu, beside: at, cpufreqGHz: cpufreq === null ? null : cpufreq / 1e9 },
        unit: "GHz",
        derived: { ...Object.fromEntries(est.chains.map((c) => [`${c.name}GHz`, c.ghz])), chainAgreement: est.agreement, chainsAgree: est.agree },
      },
      est.ghz,
      { method: `the clock chains beside every ${at}, one step per cycle assumed`, passed: true },
    ),
  );
  const { ghz, recordGhz } = sampleClocks(source, est.ghz, perfGhz, ctx.userClockGhz);
  // How the chains ran matters to a figure only when they converted it; the micro.clock record keeps them either way.
  const how = source === "estimate" ? { beside: at, chains: est.chains, agreement: est.agreement } : {};
  return { clock: { ghz: recordGhz, source, ...how }, hz: ghz.map((g) => g * 1e9) };
}

/** One run of every clock chain on the pinned CPU, by chain: what a probe takes right before and after a point. */
export async function clockBeside(ctx: MicroContext): Promise<NativeClockRun[]> {
  const [round] = await ctx.native.runClockChains(1, CLOCK_STEPS_BESIDE, primaryCpu(ctx));
  return round!;
}
