/**
 * Checks that say what happened: an answer nothing was compared with is "not checked"
 * (passed: null, with the reason) in the file, the schema, the tables, the report and
 * compare; a bf16 run's fp32 reference is itself checked against onnxruntime; and
 * onnxruntime's % of peak is against the fp32 peak whatever --fpmath is.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { renderComparison } from "../src/commands/compare.js";
import { compareResults } from "../src/compare/compare.js";
import { checkCell } from "../src/model/render.js";
import { latencyCheck, latencyStats, peakDtype } from "../src/model/run.js";
import { loadNative, packageRoot } from "../src/native.js";
import { parseResults, loadResults } from "../src/results/load.js";
import { notChecked, okRecord } from "../src/results/record.js";
import { OkRecord as OkRecordSchema, SCHEMA, type OkRecord, type ResultRecord, type ResultsFile } from "../src/results/schema.js";
import { modelSection } from "../src/report/sections/model.js";
import { loadMachines } from "../src/report/build.js";
import { writeFileSync } from "node:fs";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const tiny = path.join(packageRoot, "test", "fixtures", "model-tiny.json");
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";
const latencyId = { suite: "model", name: "model.latency", impl: "armbench", params: { model: "resnet18", batch: 1, threads: 1, fpmath: "fp32" }, unit: "ms" };

function file(records: ResultRecord[]): ResultsFile {
  return { schema: SCHEMA, env: sampleEnv(), records };
}

test("a --no-peers model run records its latency as not checked, with the reason, and its table says so", () => {
  const out = path.join(tempDir(), "noPeers.json");
  const r = armbench(["model", "resnet18", "--suite", tiny, "--threads", "1", "--batch", "1", "--no-peers", "--json", out, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(out);
  for (const name of ["model.latency", "model.throughput"]) {
    const rec = records.filter(ok).find((x) => x.name === name && x.impl === "armbench");
    assert.ok(rec, name);
    assert.equal(rec.check.passed, null, JSON.stringify(rec.check));
    assert.match(String(rec.check.reason), /--no-peers/);
  }
  assert.ok(records.some((x) => x.name === "model.check" && x.status === "unavailable"));
  assert.match(r.stdout, /not checked \(no reference engine ran \(--no-peers\)\)/);
  assert.doesNotMatch(r.stdout, /vs onnxruntime/);
});

test("the schema refuses an ok record with a failed check, and a not-checked one without a reason", () => {
  const samples = [1, 2, 3];
  assert.ok(OkRecordSchema.safeParse(okRecord(latencyId, samples, { method: "m", passed: true })).success);
  assert.ok(OkRecordSchema.safeParse(okRecord(latencyId, samples, notChecked("no reference engine ran"))).success);
  const failed = OkRecordSchema.safeParse(okRecord(latencyId, samples, { method: "m", passed: false }));
  assert.ok(!failed.success);
  assert.match(failed.error.issues[0]!.message, /failed check/);
  for (const check of [{ method: "m", passed: null }, { method: "m", passed: null, reason: "" }, { method: "m", passed: null, reason: "  " }]) {
    const r = OkRecordSchema.safeParse(okRecord(latencyId, samples, check));
    assert.ok(!r.success, JSON.stringify(check));
    assert.match(r.error.issues[0]!.message, /must say why in reason/);
  }
  // A file holding such a record is refused with one sentence naming the field.
  const bad = JSON.stringify(file([{ ...okRecord(latencyId, samples, { method: "m", passed: true }), check: { method: "m", passed: null } } as unknown as ResultRecord]));
  assert.throws(() => parseResults(bad, "bad.json"), /bad\.json is not a valid armbench results file: records\[0\]\.check\.reason: a check that was not made/);
});

test("an old file still loads: a passed check stays passed, the old not-checked model checks load as not checked", () => {
  const old = file([
    okRecord(latencyId, [3, 4, 5], { method: "output cosine against onnxruntime >= 0.9999", passed: true, cosine: 0.999999 }),
    okRecord({ ...latencyId, params: { ...latencyId.params, batch: 2 } }, [3, 4, 5], { method: "not checked: no reference engine ran", passed: true }),
    okRecord({ ...latencyId, impl: "onnxruntime" }, [3, 4, 5], { method: "the reference engine (nothing to check it against)", passed: true }),
  ]);
  const loaded = parseResults(JSON.stringify(old), "old.json").records.filter(ok);
  assert.equal(loaded[0]!.check.passed, true);
  assert.equal(loaded[0]!.check["cosine"], 0.999999);
  for (const r of loaded.slice(1)) {
    assert.equal(r.check.passed, null);
    assert.ok(r.check.reason && r.check.reason.length > 0);
  }
});

test("compare still compares a not-checked record on speed, and says it was not checked", () => {
  const samples = (c: number) => Array.from({ length: 12 }, (_, i) => c * (0.98 + (0.04 * i) / 11));
  const checked = { method: "m", passed: true };
  const a = file([okRecord(latencyId, samples(10), notChecked("no reference engine ran (--no-peers)")),
    okRecord({ ...latencyId, impl: "onnxruntime" }, samples(12), checked)]);
  const b = file([okRecord(latencyId, samples(13), checked), okRecord({ ...latencyId, impl: "onnxruntime" }, samples(12), checked)]);
  const c = compareResults(a, b, 0.05);
  const ours = c.rows.find((r) => r.a.impl === "armbench")!;
  const peer = c.rows.find((r) => r.a.impl === "onnxruntime")!;
  assert.equal(ours.verdict, "slower");
  assert.ok(ours.regression, "a not-checked record still gates on speed");
  assert.deepEqual(ours.notChecked, ["A"]);
  assert.deepEqual(peer.notChecked, []);
  const text = renderComparison(c, "a.json", "b.json", 0.05);
  assert.match(text, /not checked in A/);
  assert.match(text, /1 of them was not checked in A or B \(no reference answer\): compared on speed only\./);
  assert.match(text, /REGRESSION .*answer not checked in A/);
  const both = renderComparison(compareResults(a, a, 0.05), "a.json", "a.json", 0.05);
  assert.match(both, /\bnot checked\b/);
});

test("the report shows a not-checked latency as not checked, and a compared one with what it was compared with", () => {
  const out = path.join(tempDir(), "r.json");
  writeFileSync(out, JSON.stringify(file([
    okRecord(latencyId, [3, 4, 5], notChecked("no reference engine ran (--no-peers)")),
    okRecord({ ...latencyId, params: { ...latencyId.params, fpmath: "bf16" } }, [2, 3, 4], latencyCheck("bf16",
      { cosine: 0.995, maxAbsDiff: 0.01, nonFinite: 0, against: "armbench fp32", reference: { against: "onnxruntime", passed: null, reason: "onnxruntime did not run: refused" } }, "unused")),
  ])));
  const section = modelSection(loadMachines([out]));
  assert.ok(section);
  const text = JSON.stringify(section.blocks);
  assert.match(text, /not checked \(no reference engine ran \(--no-peers\)\)/);
  assert.match(text, /cosine 0\.995000/);
  assert.match(text, /fp32 reference not checked against onnxruntime \(onnxruntime did not run: refused\)/);
  assert.doesNotMatch(text, /\bpassed\b/);
});

test("a bf16 check names both comparisons, with both cosines; a failed reference fails it", () => {
  const own = { cosine: 0.995, maxAbsDiff: 0.01, nonFinite: 0, against: "armbench fp32" };
  const both = latencyCheck("bf16", { ...own, reference: { cosine: 0.999995, maxAbsDiff: 1e-4, nonFinite: 0, against: "onnxruntime", passed: true } }, "x");
  assert.equal(both.passed, true);
  assert.match(both.method, /against armbench fp32 >= 0\.99; .* against onnxruntime >= 0\.9999/);
  assert.equal(both["cosine"], 0.995);
  assert.deepEqual(both["reference"], { against: "onnxruntime", passed: true, cosine: 0.999995 });
  const unref = latencyCheck("bf16", { ...own, reference: { against: "onnxruntime", passed: null, reason: "no reference engine ran (--no-peers)" } }, "x");
  assert.match(unref.method, /not checked against onnxruntime/);
  assert.deepEqual(unref["reference"], { against: "onnxruntime", passed: null, reason: "no reference engine ran (--no-peers)" });
  const bad = latencyCheck("bf16", { ...own, reference: { cosine: 0.9, maxAbsDiff: 1, nonFinite: 0, against: "onnxruntime", passed: false } }, "x");
  assert.equal(bad.passed, false);
  assert.equal(latencyCheck("fp32", null, "onnxruntime did not run: boom").passed, null);
  assert.equal(checkCell({ passed: null, reason: "why" }), "not checked (why)");
  assert.match(checkCell({ ...own, passed: true, reference: { against: "onnxruntime", passed: null, reason: "why" } }), /cosine 0\.995000 vs armbench fp32; fp32 not checked vs onnxruntime \(why\)/);
});

test("onnxruntime's % of peak is against the fp32 peak whatever --fpmath is", () => {
  assert.equal(peakDtype("onnxruntime", "bf16"), "fp32");
  assert.equal(peakDtype("onnxruntime", "fp32"), "fp32");
  assert.equal(peakDtype("armbench", "bf16"), "bf16");
  // 2 GFLOP in 10 ms is 200 GFLOP/s: 50 % of a 400 GFLOP/s peak.
  assert.equal(latencyStats([10, 10, 10], 1, 2e9, { gflops: 400, form: "f", source: "measured here" }).pctPeak, 50);
});

test("a bf16 run with onnxruntime checks its fp32 reference against onnxruntime and rates onnxruntime against the fp32 peak", (t) => {
  const out = path.join(tempDir(), "bf16.json");
  const r = armbench(["model", "resnet18", "--suite", tiny, "--threads", "1", "--batch", "1", "--fpmath", "bf16", "--json", out, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(out);
  const ort = records.find((x) => x.name === "model.latency" && x.impl === "onnxruntime");
  assert.ok(ort);
  if (ort.status !== "ok") {
    // Said, not hidden: the not-checked paths are tested above.
    t.skip(`onnxruntime did not run here (${ort.reason}), so its fp32-peak rating cannot be checked`);
    return;
  }
  assert.equal(ort.check.passed, null);
  const dtypeOf = (form: unknown) => loadNative().fmaForms().find((f) => f.name === form)?.dtype;
  assert.equal(dtypeOf(ort.derived?.["peakForm"]), "fp32", `onnxruntime's peak form: ${String(ort.derived?.["peakForm"])}`);
  const ref = records.filter(ok).find((x) => x.name === "model.check" && x.params.role === "bf16 reference");
  assert.ok(ref && Number(ref.params.cosine) >= 0.9999 && ref.params.fpmath === "fp32", JSON.stringify(ref));
  const ours = records.filter(ok).find((x) => x.name === "model.latency" && x.impl === "armbench");
  assert.ok(ours && ours.check.passed === true);
  const ourForm = ours.derived?.["peakForm"];
  if (ourForm !== null) assert.equal(dtypeOf(ourForm), "bf16");
  assert.equal((ours.check["reference"] as { passed: boolean }).passed, true);
  assert.ok(Number(ours.check["cosine"]) >= 0.99);
  assert.match(r.stdout, /vs armbench fp32; fp32 [0-9.]+ vs onnxruntime/);
});
