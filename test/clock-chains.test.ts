import assert from "node:assert/strict";
import { test } from "node:test";

import {
  besideClock,
  chainAgreement,
  clockWarnings,
  describeCoreClock,
  runGhz,
  sampleGhz,
  summarizeChains,
  undisturbed,
  type ClockEnv,
} from "../src/clock.js";
import { CLOCK_CHAIN_AGREEMENT } from "../src/constants.js";
import { clockDrift, clockSource, probeClock, sampleClocks } from "../src/micro/clock.js";
import type { MicroContext } from "../src/micro/context.js";
import type { NativeClockChain, NativeClockRun } from "../src/native.js";
import { parseResults } from "../src/results/load.js";
import { okRecord } from "../src/results/record.js";
import type { ResultRecord } from "../src/results/schema.js";
import { sampleEnv } from "./helpers/fixtures.js";

const chains: NativeClockChain[] = [
  { index: 0, name: "add", insn: "add r64, r64" },
  { index: 1, name: "not-neg", insn: "not r64; neg r64" },
];

/** A run of `ghz` over 1 ms, counted by perf at `perfGhz` when given. */
function run(ghz: number, perfGhz?: number): NativeClockRun {
  return { steps: Math.round(ghz * 1e6), ns: 1e6, cycles: perfGhz === undefined ? null : Math.round(perfGhz * 1e6) };
}

const near = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b}`);

test("a run's GHz is steps per ns, and a run that did not happen has none", () => {
  near(runGhz(run(3.5))!, 3.5);
  assert.equal(runGhz({ steps: 0, ns: 0, cycles: null }), null);
});

test("disturbed runs (slower than the fastest by more than 3 %) are dropped; the rest give their median", () => {
  assert.deepEqual(undisturbed([3.5, 1.2, 3.45, 2.9, 3.49]), [3.5, 3.45, 3.49]);
  near(sampleGhz([3.5, 1.2, 3.45, 2.9, 3.49]), 3.49);
  // Beside one sample: two undisturbed runs average, a preempted one is ignored.
  near(sampleGhz([3.6, 3.5]), 3.55);
  near(sampleGhz([3.6, 1.8]), 3.6);
  assert.throws(() => sampleGhz([]), RangeError);
});

test("two chains agree within 3 % and disagree beyond it, from pairs of runs side by side", () => {
  const within = chainAgreement([
    [3.5, 3.5 * (1 + CLOCK_CHAIN_AGREEMENT * 0.9)],
    [3.0, 3.0 * (1 + CLOCK_CHAIN_AGREEMENT * 0.9)],
    [1.0, 3.4],
  ]);
  assert.equal(within.agree, true);
  near(within.agreement, CLOCK_CHAIN_AGREEMENT * 0.9, 1e-9);
  const folded = chainAgreement([
    [17.5, 3.5],
    [17.4, 3.48],
  ]);
  assert.equal(folded.agree, false);
  near(folded.agreement, 3.5 / 17.5 - 1, 1e-9);
  // One pair with a preempted run is no disagreement; nor is a clock that moved between pairs.
  assert.equal(chainAgreement([[3.5, 3.5], [3.5, 1.7], [3.0, 3.0]]).agree, true);
  assert.throws(() => chainAgreement([]), RangeError);
});

test("beside a probe: agreeing chains both convert each sample; disagreeing ones leave the first chain alone", () => {
  const agree = besideClock(["add", "not-neg"], [
    [[run(3.6)], [run(3.5)]],
    [[run(3.0)], [run(3.0)]],
    [[run(1.5)], [run(3.4)]],
  ]);
  assert.equal(agree.agree, true);
  assert.deepEqual(agree.chains.map((c) => c.name), ["add", "not-neg"]);
  near(agree.ghz[0]!, 3.55); // the mean of the runs before and after
  near(agree.ghz[1]!, 3.0); // a clock that moved is followed, sample by sample
  near(agree.ghz[2]!, 3.4); // the preempted run is dropped
  const fooled = besideClock(["add", "not-neg"], [
    [[run(3.5)], [run(17.5)]],
    [[run(3.4)], [run(17.0)]],
  ]);
  assert.equal(fooled.agree, false);
  near(fooled.ghz[0]!, 3.5);
  near(fooled.ghz[1]!, 3.4);
  // Several runs per chain beside one point (memory probes: before and after).
  const point = besideClock(["add", "not-neg"], [[[run(3.5), run(3.6)], [run(3.5), run(3.6)]]]);
  near(point.ghz[0]!, 3.55);
  assert.throws(() => besideClock(["add", "not-neg"], [[[run(3.5)], []]]), RangeError);
});

test("the environment's clock: the chains' undisturbed runs, or perf's counted cycles, labelled by source", () => {
  const est = summarizeChains(chains, [
    [run(3.6), run(3.58)],
    [run(1.2), run(3.6)],
    [run(3.59), run(3.61)],
  ]);
  assert.equal(est.coreClockSource, "estimate");
  assert.equal(est.agree, true);
  assert.equal(est.dropped, 1);
  near(est.coreClockHz, 3.6e9);
  assert.deepEqual(est.chains.map((c) => c.stepsPerCycle), [null, null]);

  // A chain folded five-fold: they disagree and the first chain alone gives the clock.
  const fooled = summarizeChains(chains, [
    [run(3.6), run(18)],
    [run(3.6), run(18)],
  ]);
  assert.equal(fooled.agree, false);
  assert.equal(fooled.coreClockSource, "estimate");
  near(fooled.coreClockHz, 3.6e9);

  // perf counts: the clock is counted cycles over time, and each chain's steps per cycle shows which one was fooled.
  const counted = summarizeChains(chains, [
    [run(3.6, 3.6), run(18, 3.6)],
    [run(3.6, 3.6), run(18, 3.6)],
  ]);
  assert.equal(counted.coreClockSource, "perf");
  near(counted.coreClockHz, 3.6e9);
  near(counted.chains[0]!.stepsPerCycle!, 1, 1e-3);
  near(counted.chains[1]!.stepsPerCycle!, 5, 1e-3);
  assert.equal(counted.agree, false);
});

function envClock(over: Partial<ClockEnv>): ClockEnv {
  return { ...sampleEnv().clock, ...over };
}

test("only disagreeing chains warn, naming both and what the clock is", () => {
  const chainsOut = [
    { name: "add", insn: "add r64, r64", ghz: 3.6, stepsPerCycle: null },
    { name: "not-neg", insn: "not r64; neg r64", ghz: 18, stepsPerCycle: null },
  ];
  const w = clockWarnings(envClock({ coreClockSource: "estimate", chains: chainsOut, chainAgreement: 4, chainsAgree: false }));
  assert.equal(w.length, 1);
  assert.match(w[0]!, /add 3\.600 GHz, not-neg 18\.000 GHz/);
  assert.match(w[0]!, /the clock is the add chain's/);
  assert.deepEqual(clockWarnings(envClock({ coreClockSource: "estimate", chains: chainsOut, chainAgreement: 0.01, chainsAgree: true })), []);
  assert.deepEqual(clockWarnings(envClock({})), []); // a file from before the chains
  const lines = describeCoreClock(envClock({ coreClockSource: "perf", chains: chainsOut, chainAgreement: 4, chainsAgree: false }), (hz) => `${(hz / 1e9).toFixed(1)} GHz`);
  assert.match(lines[0]!, /perf: counted cycles/);
  assert.match(lines.join("\n"), /DISAGREE/);
  assert.deepEqual(describeCoreClock(envClock({}), (hz) => `${hz}`), ["core clock ~ 2500000000 (measured: test)"]);
});

test("a figure's clock says perf only when perf counted it; the user's clock beats the estimate", () => {
  assert.equal(clockSource(true, 3.0), "perf");
  assert.equal(clockSource(false, 3.0), "user");
  assert.equal(clockSource(false, undefined), "estimate");
  const perf = sampleClocks("perf", [3.5, 3.5, 3.5], [3.2, null, 3.3], undefined);
  near(perf.recordGhz, 3.25); // counted samples only, never the estimate of the uncounted one
  assert.deepEqual(perf.ghz, [3.2, 3.5, 3.3]);
  assert.deepEqual(sampleClocks("user", [3.5, 3.4], null, 2.0), { ghz: [2.0, 2.0], recordGhz: 2.0 });
  assert.deepEqual(sampleClocks("estimate", [3.5, 3.4], null, undefined), { ghz: [3.5, 3.4], recordGhz: 3.45 });
  assert.throws(() => sampleClocks("perf", [3.5], [null], undefined), RangeError);
});

test("a clock that moves between the halves of a probe is seen; one disturbed sample is not a move", () => {
  const still = clockDrift([3.5, 3.5, 1.0, 3.5, 3.5, 3.5]);
  near(still.from, 3.5);
  near(still.to, 3.5);
  const moved = clockDrift([3.6, 3.6, 3.6, 3.0, 3.0, 3.0]);
  near(moved.from, 3.6);
  near(moved.to, 3.0);
});

function fakeContext(userClockGhz?: number): { ctx: MicroContext; warnings: string[]; records: ResultRecord[] } {
  const warnings: string[] = [];
  const records: ResultRecord[] = [];
  const ctx = {
    native: { clockChains: () => chains },
    cpus: [],
    userClockGhz,
    warn: (m: string) => warnings.push(m),
    record: (r: ResultRecord) => records.push(r),
  } as unknown as MicroContext;
  return { ctx, warnings, records };
}

test("probeClock: the estimate's record is labelled estimate, the figures' clock by its real source", () => {
  const beside = [
    [[run(3.5)], [run(3.5)]],
    [[run(3.5)], [run(3.5)]],
  ];
  const est = fakeContext();
  const e = probeClock(est.ctx, "fma x acc", beside, null, "sample");
  assert.equal(e.clock.source, "estimate");
  assert.equal(e.clock.beside, "sample");
  near(e.clock.ghz, 3.5);
  assert.deepEqual(e.clock.chains?.map((c) => c.name), ["add", "not-neg"]);
  assert.deepEqual(e.hz, [3.5e9, 3.5e9]);
  assert.equal(est.records[0]!.name, "micro.clock");
  assert.equal(est.records[0]!.params.source, "estimate");
  assert.deepEqual(est.warnings, []);

  const counted = fakeContext(2.0);
  const p = probeClock(counted.ctx, "fma x acc", beside, [3.1, 3.3], "sample");
  assert.equal(p.clock.source, "perf");
  near(p.clock.ghz, 3.2);
  assert.equal(counted.records[0]!.params.source, "estimate"); // the chains' own record stays an estimate

  assert.equal(p.clock.chains, undefined); // the chains did not convert these figures

  const user = fakeContext(2.0);
  const u = probeClock(user.ctx, "latency", beside, null, "point");
  assert.deepEqual(u.clock, { ghz: 2.0, source: "user" });

  const fooled = fakeContext();
  probeClock(fooled.ctx, "fma x acc", [[[run(3.5)], [run(17.5)]]], null, "sample");
  assert.equal(fooled.warnings.length, 1);
  assert.match(fooled.warnings[0]!, /clock chains disagree/);
});

test("a results file written before the clock chains still loads, and the new fields round-trip", () => {
  const old = sampleEnv();
  const oldRecord = okRecord(
    { suite: "micro", name: "micro.fma.latency", impl: "armbench", params: { chain: "acc" }, unit: "cycles", clock: { ghz: 20.9, source: "estimate" } },
    [24.5, 26.1, 24.6],
    { method: "m", passed: true },
  );
  const loaded = parseResults(JSON.stringify({ schema: "armbench/1", env: old, records: [oldRecord] }), "old.json");
  assert.equal(loaded.env.clock.chains, undefined);
  assert.equal(loaded.env.clock.coreClockSource, undefined);
  assert.deepEqual(loaded.records[0]!.clock, { ghz: 20.9, source: "estimate" });

  const env = {
    ...old,
    clock: {
      ...old.clock,
      coreClockSource: "estimate" as const,
      chains: [
        { name: "add", insn: "add r64, r64", ghz: 3.59, stepsPerCycle: null },
        { name: "not-neg", insn: "not r64; neg r64", ghz: 3.59, stepsPerCycle: null },
      ],
      chainAgreement: 0.001,
      chainsAgree: true,
    },
  };
  const rec = okRecord(
    {
      suite: "micro",
      name: "micro.fma.latency",
      impl: "armbench",
      params: { chain: "acc" },
      unit: "cycles",
      clock: { ghz: 3.59, source: "estimate", beside: "sample", chains: [{ name: "add", ghz: 3.59 }, { name: "not-neg", ghz: 3.59 }], agreement: 0.001 },
    },
    [4.0, 4.0, 4.01],
    { method: "m", passed: true },
  );
  const back = parseResults(JSON.stringify({ schema: "armbench/1", env, records: [rec] }), "new.json");
  assert.deepEqual(back.env.clock, env.clock);
  assert.deepEqual(back.records[0]!.clock, rec.clock);
  assert.throws(() => parseResults(JSON.stringify({ schema: "armbench/1", env, records: [{ ...rec, clock: { ...rec.clock, beside: "never" } }] }), "bad.json"));
});
