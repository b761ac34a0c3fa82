/**
 * The clock facts every cycle figure depends on: which cycle source is used, the
 * measured core clock, and the reference counter.
 *
 * The core clock is read from two dependent chains of different one-cycle
 * instructions (native/include/armbench/timer.h). One chain alone can be fooled: a
 * core that runs it faster than one step per cycle (Golden Cove and later fold
 * `add reg, imm` at rename) reads as a clock several times too high. So both run, and
 * a clock is trusted where they agree; where perf counts cycles, it gives the clock
 * outright and each chain's steps per cycle shows which one, if any, was fooled.
 */
import {
  CLOCK_CHAIN_AGREEMENT,
  CLOCK_DISTURBED,
  CLOCK_PLAUSIBLE_HZ,
  CLOCK_SAMPLES,
  CLOCK_SAMPLES_QUICK,
  CLOCK_STEPS_PER_SAMPLE,
  REF_COUNTER_CALIBRATION_NS,
} from "./constants.js";
import type { Native, NativeClockChain, NativeClockRun } from "./native.js";
import { failedRecord, okRecord } from "./results/record.js";
import type { Env, ResultRecord } from "./results/schema.js";
import { median } from "./stats.js";

export type ClockEnv = Env["clock"];

/** GHz of one chain run, one step per cycle assumed; null for a run that did not happen. */
export function runGhz(r: NativeClockRun): number | null {
  return r.steps > 0 && r.ns > 0 ? r.steps / r.ns : null;
}

/** GHz counted by perf over one run; null without a counter. */
export function runPerfGhz(r: NativeClockRun): number | null {
  return r.cycles !== null && r.cycles > 0 && r.ns > 0 ? r.cycles / r.ns : null;
}

/**
 * The runs of a set that were not disturbed: those within CLOCK_DISTURBED of the
 * fastest. A run cut by preemption, an interrupt or a clock still ramping up only
 * ever reads slow, so the fastest runs are the faithful ones.
 */
export function undisturbed(rates: readonly number[]): number[] {
  if (rates.length === 0) throw new RangeError("undisturbed: no clock-chain run");
  const top = Math.max(...rates);
  return rates.filter((r) => r >= top * (1 - CLOCK_DISTURBED));
}

/**
 * The clock a set of runs gives: the median of its undisturbed runs. Beside one
 * sample (one run before it, one after), that is their mean where both are
 * undisturbed, which follows a clock that moved during the sample.
 */
export function sampleGhz(rates: readonly number[]): number {
  return median(undisturbed(rates));
}

export interface ChainAgreement {
  /** The second chain's clock over the first's, minus 1. */
  agreement: number;
  /** |agreement| <= CLOCK_CHAIN_AGREEMENT. */
  agree: boolean;
}

/**
 * How far the second chain's rate sits from the first's, from pairs of runs taken
 * side by side ([first, second] of one round, or beside one sample): the median ratio,
 * so a clock that moved between pairs cancels, and so does a pair with a disturbed run.
 */
export function chainAgreement(pairs: readonly (readonly [number, number])[]): ChainAgreement {
  if (pairs.length === 0) throw new RangeError("chainAgreement: no pair of chain runs");
  const agreement = median(pairs.map(([a, b]) => b / a)) - 1;
  return { agreement, agree: Math.abs(agreement) <= CLOCK_CHAIN_AGREEMENT };
}

export interface BesideClock {
  /** GHz each sample is converted with. */
  ghz: number[];
  /** Each chain's clock from its undisturbed runs beside the probe. */
  chains: { name: string; ghz: number }[];
  agreement: number;
  agree: boolean;
}

/**
 * The clock of every sample of a probe from the chains run beside it: runs[s][c] holds
 * the runs of chain c beside sample s (one or more). Where the chains agree, every run
 * beside a sample counts; where they disagree, one of them is not one step per cycle
 * and nothing here tells which, so the first chain (register add: no core is known to
 * fold it) converts alone and the caller warns.
 */
export function besideClock(names: readonly string[], runs: readonly (readonly (readonly NativeClockRun[])[])[]): BesideClock {
  const rates = (s: readonly (readonly NativeClockRun[])[], c: number) => (s[c] ?? []).map(runGhz).filter((x): x is number => x !== null);
  const all = names.map((_, c) => runs.flatMap((s) => rates(s, c)));
  if (all.some((r) => r.length === 0)) throw new RangeError("besideClock: a clock chain never ran beside the probe");
  const chains = names.map((name, c) => ({ name, ghz: sampleGhz(all[c]!) }));
  const pairs = runs.map((s) => [rates(s, 0), rates(s, 1)]).filter(([a, b]) => a!.length > 0 && b!.length > 0);
  const { agreement, agree } = names.length > 1 ? chainAgreement(pairs.map(([a, b]) => [median(a!), median(b!)] as const)) : { agreement: 0, agree: true };
  const ghz = runs.map((s) => sampleGhz(agree ? names.flatMap((_, c) => rates(s, c)) : rates(s, 0)));
  return { ghz, chains, agreement, agree };
}

export interface ChainSummary {
  coreClockHz: number;
  coreClockSource: "perf" | "estimate";
  /** The undisturbed runs' GHz, coreClockHz their median. */
  samples: number[];
  /** Runs left out as disturbed. */
  dropped: number;
  chains: { name: string; insn: string; ghz: number; stepsPerCycle: number | null }[];
  agreement: number;
  agree: boolean;
}

/**
 * The core clock from rounds of chain runs (rounds[r][c]), from the undisturbed runs:
 * with perf, the counted cycles over each run's time; without, the chains' rates,
 * pooled where they agree, the first chain's alone where they do not.
 */
export function summarizeChains(chains: readonly NativeClockChain[], rounds: readonly (readonly NativeClockRun[])[]): ChainSummary {
  const runsOf = (c: number) => rounds.map((r) => r[c]).filter((r): r is NativeClockRun => r !== undefined);
  const rates = chains.map((_, c) => runsOf(c).map(runGhz).filter((x): x is number => x !== null));
  if (rates.some((r) => r.length === 0)) throw new RangeError("summarizeChains: a clock chain never ran");
  const pairs = rounds.map((r) => [r[0] && runGhz(r[0]), r[1] && runGhz(r[1])]).filter((p): p is [number, number] => typeof p[0] === "number" && typeof p[1] === "number");
  const { agreement, agree } = chains.length > 1 ? chainAgreement(pairs) : { agreement: 0, agree: true };
  const perf = rounds.flat().map(runPerfGhz);
  const counted = perf.length > 0 && perf.every((x) => x !== null);
  const all = counted ? (perf as number[]) : agree ? rates.flat() : rates[0]!;
  const samples = undisturbed(all);
  return {
    coreClockHz: median(samples) * 1e9,
    coreClockSource: counted ? "perf" : "estimate",
    samples,
    dropped: all.length - samples.length,
    chains: chains.map((ch, c) => {
      const runs = runsOf(c);
      const perCycle = runs.every((r) => r.cycles !== null && r.cycles > 0) ? median(runs.map((r) => r.steps / r.cycles!)) : null;
      return { name: ch.name, insn: ch.insn, ghz: sampleGhz(rates[c]!), stepsPerCycle: perCycle };
    }),
    agreement,
    agree,
  };
}

function pct(x: number): string {
  return `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
}

function disagreementNote(clock: ClockEnv): string {
  const uses = clock.coreClockSource === "perf" ? "the clock is perf's counted cycles" : `the clock is the ${clock.chains?.[0]?.name ?? "first"} chain's`;
  return `one of them does not run one step per cycle on this core; ${uses}`;
}

/** The one-line warnings the environment's clock calls for (the chains disagreeing). */
export function clockWarnings(clock: ClockEnv): string[] {
  if (clock.chainsAgree !== false || !clock.chains || clock.chains.length < 2) return [];
  const [a, b] = clock.chains;
  const perCycle = clock.chains.every((c) => c.stepsPerCycle !== null)
    ? ` (perf: ${clock.chains.map((c) => `${c.name} ${c.stepsPerCycle!.toFixed(2)}`).join(", ")} steps per cycle)`
    : "";
  return [
    `the core-clock chains disagree: ${a!.name} ${a!.ghz.toFixed(3)} GHz, ${b!.name} ${b!.ghz.toFixed(3)} GHz (${pct(clock.chainAgreement ?? 0)})${perCycle}; ${disagreementNote(clock)}.`,
  ];
}

/**
 * The core clock as the info table shows it: the figure and its source, then each
 * chain and whether they agree. A file written before the chains has its method only.
 */
export function describeCoreClock(clock: ClockEnv, formatHz: (hz: number) => string): string[] {
  const source = clock.coreClockSource === "perf" ? "perf: counted cycles" : "estimate: chain steps per second";
  if (!clock.chains || clock.chains.length === 0) return [`core clock ~ ${formatHz(clock.coreClockHz)} (measured: ${clock.coreClockMethod})`];
  const lines = [`core clock ~ ${formatHz(clock.coreClockHz)} (${source})`];
  for (const c of clock.chains) {
    lines.push(`  ${c.name} chain (${c.insn}): ${formatHz(c.ghz * 1e9)}${c.stepsPerCycle === null ? "" : `, ${c.stepsPerCycle.toFixed(2)} steps per cycle`}`);
  }
  if (clock.chainAgreement !== undefined) {
    lines.push(clock.chainsAgree === false ? `  chains DISAGREE (${pct(clock.chainAgreement)}): ${disagreementNote(clock)}` : `  chains agree (${pct(clock.chainAgreement)})`);
  }
  return lines;
}

export async function measureClock(native: Native, quick: boolean): Promise<{ clock: ClockEnv; record: ResultRecord }> {
  const perf = native.perfCycles();
  const rounds = quick ? CLOCK_SAMPLES_QUICK : CLOCK_SAMPLES;
  const chains = native.clockChains();
  const sum = summarizeChains(chains, await native.runClockChains(rounds, CLOCK_STEPS_PER_SAMPLE));
  const refCounter = native.refCounter(REF_COUNTER_CALIBRATION_NS);
  const { coreClockHz } = sum;

  const [lo, hi] = CLOCK_PLAUSIBLE_HZ;
  const id = {
    suite: "info",
    name: "core-clock",
    impl: "clock-chains",
    params: { stepsPerSample: CLOCK_STEPS_PER_SAMPLE },
    unit: "GHz",
    // What this machine offered (perf or not, which chains) is an outcome, not part of the case.
    derived: {
      source: sum.coreClockSource,
      ...Object.fromEntries(sum.chains.map((c) => [`${c.name}GHz`, c.ghz])),
      ...Object.fromEntries(sum.chains.map((c) => [`${c.name}StepsPerCycle`, c.stepsPerCycle])),
      chainAgreement: sum.agreement,
      chainsAgree: sum.agree,
      runsDropped: sum.dropped,
    },
  };
  const check = { method: `median of the undisturbed runs within ${lo / 1e9}-${hi / 1e9} GHz`, passed: coreClockHz >= lo && coreClockHz <= hi };
  const record = check.passed
    ? okRecord(id, sum.samples, check)
    : failedRecord(id, `core-clock ${sum.coreClockSource} ${(coreClockHz / 1e9).toFixed(3)} GHz is implausible`, check);

  const method = `dependent chains of one-cycle instructions (${chains.map((c) => `${c.name}: ${c.insn}`).join("; ")}), timed by CLOCK_MONOTONIC_RAW`;
  return {
    clock: {
      cycleSource: perf.available ? "perf" : "estimate",
      perfUnavailable: perf.available ? null : perf.reason,
      coreClockHz,
      coreClockMethod: sum.coreClockSource === "perf" ? `perf cycles over the time of ${method}` : method,
      coreClockSource: sum.coreClockSource,
      chains: sum.chains,
      chainAgreement: sum.agreement,
      chainsAgree: sum.agree,
      refCounter,
      monotonicResolutionNs: native.clockResolutionNs(),
    },
    record,
  };
}
