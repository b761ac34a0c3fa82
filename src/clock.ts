/**
 * The clock facts every cycle figure depends on: which cycle source is used, the
 * measured core clock, and the reference counter.
 */
import {
  CLOCK_ADDS_PER_SAMPLE,
  CLOCK_PLAUSIBLE_HZ,
  CLOCK_SAMPLES,
  CLOCK_SAMPLES_QUICK,
  REF_COUNTER_CALIBRATION_NS,
} from "./constants.js";
import type { Native } from "./native.js";
import { failedRecord, okRecord } from "./results/record.js";
import type { Env, ResultRecord } from "./results/schema.js";
import { median } from "./stats.js";

export type ClockEnv = Env["clock"];

export const CORE_CLOCK_METHOD = "dependent chain of single-cycle integer adds, timed by CLOCK_MONOTONIC_RAW";

export async function measureClock(native: Native, quick: boolean): Promise<{ clock: ClockEnv; record: ResultRecord }> {
  const perf = native.perfCycles();
  const samples = quick ? CLOCK_SAMPLES_QUICK : CLOCK_SAMPLES;
  const hz = await native.estimateCoreClock(samples, CLOCK_ADDS_PER_SAMPLE);
  const refCounter = native.refCounter(REF_COUNTER_CALIBRATION_NS);
  const coreClockHz = median(hz);

  const [lo, hi] = CLOCK_PLAUSIBLE_HZ;
  const id = {
    suite: "info",
    name: "core-clock",
    impl: "int-add-chain",
    params: { addsPerSample: CLOCK_ADDS_PER_SAMPLE },
    unit: "GHz",
  };
  const check = { method: `median within ${lo / 1e9}-${hi / 1e9} GHz`, passed: coreClockHz >= lo && coreClockHz <= hi };
  const ghz = hz.map((x) => x / 1e9);
  const record = check.passed
    ? okRecord(id, ghz, check)
    : failedRecord(id, `core-clock estimate ${(coreClockHz / 1e9).toFixed(3)} GHz is implausible`, check);

  return {
    clock: {
      cycleSource: perf.available ? "perf" : "estimate",
      perfUnavailable: perf.available ? null : perf.reason,
      coreClockHz,
      coreClockMethod: CORE_CLOCK_METHOD,
      refCounter,
      monotonicResolutionNs: native.clockResolutionNs(),
    },
    record,
  };
}
