/**
 * The clock beside every cycle figure: perf cycles when counted, the user's
 * --clock-ghz, or the add-chain estimate taken on the pinned core before and after
 * the probe (checked against cpufreq where sysfs has it).
 */
import { CLOCK_ADDS_PER_SAMPLE } from "../constants.js";
import { okRecord } from "../results/record.js";
import type { RecordClock } from "../results/schema.js";
import { median } from "../stats.js";
import { readCurFreqHz } from "../sysinfo/sysfs.js";
import { primaryCpu, type MicroContext } from "./context.js";

/** Estimates before and after a probe differing by more than this are reported. */
export const CLOCK_DRIFT = 0.05;
/** An estimate this far from cpufreq's current frequency is reported. */
export const CPUFREQ_MISMATCH = 0.1;

export interface ProbeClock {
  clock: RecordClock;
  /** Hz, for converting ns to cycles. */
  hz: number;
}

/** Picks the clock for a probe's cycle figures and records how it was obtained. */
export function probeClock(ctx: MicroContext, probe: string, beforeHz: number[], afterHz: number[], counted: boolean): ProbeClock {
  const cpu = primaryCpu(ctx);
  const before = median(beforeHz);
  const after = median(afterHz);
  const estimate = (before + after) / 2;
  if (Math.abs(after - before) > CLOCK_DRIFT * estimate) {
    ctx.warn(`${probe}: the core clock moved from ${(before / 1e9).toFixed(2)} to ${(after / 1e9).toFixed(2)} GHz during the probe; its cycle figures are less certain.`);
  }
  const cpufreq = cpu >= 0 ? readCurFreqHz(cpu) : null;
  if (cpufreq !== null && Math.abs(cpufreq - estimate) > CPUFREQ_MISMATCH * cpufreq) {
    ctx.warn(`${probe}: the add-chain clock estimate (${(estimate / 1e9).toFixed(2)} GHz) disagrees with cpufreq (${(cpufreq / 1e9).toFixed(2)} GHz).`);
  }
  const source: RecordClock["source"] = counted ? "perf" : ctx.userClockGhz !== undefined ? "user" : "estimate";
  const hz = source === "user" ? ctx.userClockGhz! * 1e9 : estimate;
  const ghzSamples = [...beforeHz, ...afterHz].map((x) => x / 1e9);
  ctx.record(
    okRecord(
      {
        suite: "micro",
        name: "micro.clock",
        impl: "int-add-chain",
        params: { source: "estimate", probe, cpu, cpufreqGHz: cpufreq === null ? null : cpufreq / 1e9 },
        unit: "GHz",
      },
      ghzSamples,
      { method: "estimates before and after the probe", passed: true },
    ),
  );
  return { clock: { ghz: hz / 1e9, source }, hz };
}

/** Add-chain estimates on the pinned CPU, for probes that do not take their own. */
export function pinnedClockSamples(ctx: MicroContext, samples = 3): Promise<number[]> {
  return ctx.native.estimateCoreClock(samples, CLOCK_ADDS_PER_SAMPLE / 2, primaryCpu(ctx));
}
