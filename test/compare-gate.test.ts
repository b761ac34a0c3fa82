/**
 * The CI gate (issue 13, part 2): headline figures gate after a Benjamini-Hochberg
 * correction, sweep points and per-algorithm rows inform, a changed kernel is not a
 * regression, and every suite says what it could not judge and why.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import { compareResults } from "../src/compare/compare.js";
import { EXIT_REGRESSION } from "../src/errors.js";
import { isHeadline } from "../src/results/headline.js";
import { failedRecord, okRecord } from "../src/results/record.js";
import { ResultsFile as ResultsFileSchema, type ResultRecord, type ResultsFile } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";
import { machineResults, writeResults } from "./helpers/report-fixtures.js";
import { scaled } from "./helpers/scale.js";

function gate(a: ResultsFile, b: ResultsFile): ReturnType<typeof armbench> {
  const dir = tempDir();
  return armbench(["compare", writeResults(dir, "a.json", a), writeResults(dir, "b.json", b), "--fail-on-regression", "--threshold", "5%"]);
}

const base = () => machineResults("ci", 1, { model: true });

test("every gemm figure 10% slower fails the gate; the same file against itself passes", () => {
  const a = base();
  const slower = scaled(a, (r) => r.name === "gemm", 0.9);
  const r = gate(a, slower);
  assert.equal(r.status, EXIT_REGRESSION, r.stdout + r.stderr);
  const c = compareResults(a, slower, 0.05);
  const gemm = c.rows.filter((x) => x.a.name === "gemm");
  assert.ok(gemm.length >= 9);
  for (const x of gemm) assert.ok(x.regression, `${x.label}: ${x.verdict} p=${x.p} adjusted=${x.pAdjusted}`);
  assert.ok(c.rows.filter((x) => x.regression).every((x) => x.a.name === "gemm"));
  const same = gate(a, a);
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /no significant regression of more than 5\.0% in B/);
});

test("a non-headline record 20% slower does not fail the gate but is shown", () => {
  const a = base();
  const sweep = (r: ResultRecord) => r.name === "micro.bandwidth" || r.name === "micro.mem.latency" || r.name === "conv" || r.name === "model.op" || r.name === "model.throughput" || r.name === "micro.fma.latency";
  assert.ok(a.records.filter(sweep).every((r) => !r.headline));
  const b = scaled(a, sweep, 0.8);
  const r = gate(a, b);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /slower \(not gated\)/);
  const c = compareResults(a, b, 0.05);
  assert.ok(c.rows.some((x) => x.verdict === "slower" && !x.headline));
  assert.equal(c.rows.filter((x) => x.regression).length, 0);
});

test("a changed kernel is reported as such and does not fail the gate", () => {
  const a = base();
  const b = scaled(a, (r) => r.name === "gemm" && r.impl === "armbench", 0.9, (r) => ({ ...r, params: { ...r.params, kernel: "f32_other_4x24" } }));
  const r = gate(a, b);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /kernel changed gemm .*kernel f32_neon_8x12 -> f32_other_4x24; 0\.900x, not judged as a regression/);
  assert.match(r.stdout, /gemm: \d+ matched \(12 headline\); \d+ judged; not judged: .*\b6 kernel changed/);
  // A conv winner that picked another algorithm is a changed kernel too.
  const c = compareResults(a, scaled(a, (x) => x.name === "conv.winner", 0.8, (x) => ({ ...x, params: { ...x.params, algo: "im2col" } })), 0.05);
  const w = c.rows.find((x) => x.a.name === "conv.winner")!;
  assert.equal(w.verdict, "kernel changed");
  assert.equal(w.regression, false);
});

test("each suite says how many records it could not judge and why", () => {
  const a = base();
  const few = (r: ResultRecord) => r.name === "micro.dtype-peak";
  // One sample per side can never be significant; a record only in A is counted as such.
  const b: ResultsFile = {
    ...a,
    records: a.records
      .filter((r) => !(r.name === "conv" && r.params.algo === "im2col"))
      .map((r) => (few(r) && r.status === "ok" ? okRecord({ suite: r.suite, name: r.name, impl: r.impl, params: r.params, unit: r.unit }, [r.median], r.check) : r)),
  };
  const c = compareResults(a, b, 0.05);
  const before = compareResults(a, a, 0.05).suites;
  const micro = c.suites.find((s) => s.suite === "micro")!;
  assert.equal(micro.notJudged.tooFewSamples, before.find((s) => s.suite === "micro")!.notJudged.tooFewSamples + 2);
  const conv = c.suites.find((s) => s.suite === "conv")!;
  assert.equal(conv.notJudged.onlyA, 1);
  // Unavailable on both sides (OpenBLAS bf16, two variants x three sizes): counted, not silently dropped.
  assert.equal(c.suites.find((s) => s.suite === "gemm")!.notJudged.unavailable, 6);
  assert.equal(c.suites.find((s) => s.suite === "gemm")!.notJudged.failed, 0);
  const r = gate(a, b);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`micro: \\d+ matched \\(2 headline\\); \\d+ judged; not judged: ${micro.notJudged.tooFewSamples} too few samples to tell`));
  assert.match(r.stdout, /conv: .*1 ok only in A/);
  assert.match(r.stdout, /gemm: .*6 unavailable in both/);
  // A case that failed its check in B, and was unavailable in A, is a failure, not a missing feature.
  const gemmKey = (x: ResultRecord) => x.suite === "gemm" && x.impl === "openblas" && x.params.dtype === "bf16" && x.params.m === 64 && x.params.run === "forced";
  const broken: ResultsFile = { ...b, records: b.records.map((x) => (gemmKey(x) ? failedRecord({ suite: x.suite, name: x.name, impl: x.impl, params: x.params, unit: x.unit }, "wrong answer") : x)) };
  const f = compareResults(a, broken, 0.05).suites.find((s) => s.suite === "gemm")!;
  assert.deepEqual([f.notJudged.failed, f.notJudged.unavailable], [1, 5]);
});

test("headline figures: the rule, the flag every builder writes, and files without it", () => {
  assert.ok(isHeadline({ name: "gemm", unit: "GFLOP/s" }));
  assert.ok(isHeadline({ name: "conv.winner", unit: "GFLOP/s" }));
  assert.ok(isHeadline({ name: "model.latency", unit: "ms" }));
  assert.ok(isHeadline({ name: "micro.dtype-peak", unit: "GOP/s" }));
  for (const [name, unit] of [["micro.peak", "GFLOP/s"], ["gemm.peak", "GFLOP/s"], ["conv", "GFLOP/s"], ["model.throughput", "images/s"], ["model.op", "ms"], ["model.check", "cosine"], ["micro.fma.latency", "cycles"], ["micro.fma.chains", "cycles/instr"], ["micro.mem.latency", "ns"], ["micro.mem.level", "cycles"], ["micro.bandwidth", "GB/s"], ["micro.clock", "GHz"]]) {
    assert.equal(isHeadline({ name: name!, unit: unit! }), false, `${name} ${unit}`);
  }
  const a = base();
  for (const r of a.records) assert.equal(r.headline, isHeadline(r), `${r.name} ${r.unit}`);
  // One headline figure per model benchmark: its latency, not also its throughput.
  assert.deepEqual([...new Set(a.records.filter((r) => r.headline).map((r) => r.name))].sort(), ["conv.winner", "gemm", "micro.dtype-peak", "model.latency"]);
  // A file written before the flag loads, and marks nothing headline: nothing gates.
  const old = JSON.parse(JSON.stringify(a)) as { records: Record<string, unknown>[] };
  for (const r of old.records) delete r.headline;
  const loaded = ResultsFileSchema.parse(old);
  assert.ok(loaded.records.every((r) => r.headline === undefined));
  const c = compareResults(loaded, scaled(loaded, (r) => r.name === "gemm", 0.9), 0.05);
  assert.equal(c.anyHeadline, false);
  assert.equal(c.rows.filter((x) => x.regression).length, 0);
});

test("on one machine, a peer whose library and version did not change is a control: shown with its drift, never gated", () => {
  const versioned = (f: ResultsFile, version: string): ResultsFile => ({
    ...f,
    records: f.records.map((r) => (r.impl === "openblas" || r.impl === "onnxruntime" ? { ...r, derived: { ...r.derived, library: `lib${r.impl}.so`, version } } : r)),
  });
  const a = versioned(base(), "0.3.21");
  const peers = (r: ResultRecord) => r.impl === "openblas" || r.impl === "onnxruntime";
  const b = scaled(a, peers, 0.5);
  const r = gate(a, b);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /slower \(control\)/);
  assert.match(r.stdout, /leaving out \d+ controls: peers whose library and version are the same in both files/);
  assert.match(r.stdout, /gemm: .*; 6 controls \(unchanged peers, not gated\) moved 0\.500x\./);
  const c = compareResults(a, b, 0.05);
  for (const x of c.rows.filter((row) => peers(row.a))) {
    assert.equal(x.control, `${x.a.impl} 0.3.21`);
    assert.equal(x.pAdjusted, null, "controls are not in the corrected family");
  }
  // Ours 10% slower beside the same controls still fails.
  assert.equal(gate(a, scaled(b, (x) => x.name === "gemm" && x.impl === "armbench", 0.9)).status, EXIT_REGRESSION);
  // Another version of the library, or another machine, and the peer is what is compared: it gates.
  assert.equal(gate(a, versioned(b, "0.3.26")).status, EXIT_REGRESSION);
  const elsewhere: ResultsFile = { ...b, env: { ...b.env, machine: { ...b.env.machine, hostname: "another-host" } } };
  assert.equal(gate(a, elsewhere).status, EXIT_REGRESSION);
  assert.ok(compareResults(a, elsewhere, 0.05).rows.every((x) => x.control === null));
});
