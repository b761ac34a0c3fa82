import assert from "node:assert/strict";
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { UserError } from "../src/errors.js";
import { writeReport } from "../src/commands/report.js";
import { compareResults } from "../src/compare/compare.js";
import { loadResults, MAX_RESULTS_FILE_BYTES, parseResults } from "../src/results/load.js";
import { okRecord } from "../src/results/record.js";
import { SCHEMA } from "../src/results/schema.js";
import { extent } from "../src/stats.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const good = () => ({
  schema: SCHEMA,
  env: sampleEnv(),
  records: [okRecord({ suite: "s", name: "n", impl: "i", params: {}, unit: "u" }, [1, 2, 3], { method: "m", passed: true })],
});

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseResults(text, "bad.json"),
    (err: unknown) => err instanceof UserError && err.message.startsWith("bad.json") && pattern.test(err.message),
  );
}

test("a truncated file is refused as invalid JSON", () => {
  const text = JSON.stringify(good());
  refused(text.slice(0, text.length / 2), /not valid JSON.*truncated/);
});

test("a file without schema, or another program's, is refused", () => {
  refused(JSON.stringify({ hello: 1 }), /no "schema" field/);
  refused(JSON.stringify({ schema: "google-benchmark/1" }), /not an armbench results file/);
  refused("[1,2]", /JSON array/);
});

test("a newer schema version is named in the refusal", () => {
  refused(JSON.stringify({ ...good(), schema: "armbench/2" }), /"armbench\/2".*does not know/);
});

test("a wrong field is named by its path", () => {
  const bad = good() as unknown as { records: { samples: unknown }[] };
  bad.records[0]!.samples = "fast";
  refused(JSON.stringify(bad), /records\[0\]\.samples/);
  const noCpu = good() as unknown as { env: { cpu?: unknown } };
  delete noCpu.env.cpu;
  refused(JSON.stringify(noCpu), /env\.cpu/);
});

test("an ok record with a failed check is refused", () => {
  const bad = good();
  bad.records[0]!.check = { method: "m", passed: false };
  refused(JSON.stringify(bad), /records\[0\]\.check\.passed: an ok record cannot carry a failed check/);
});

test("a median that disagrees with its samples is refused as corrupted", () => {
  const bad = good();
  bad.records[0]!.median = 99;
  refused(JSON.stringify(bad), /corrupted: records\[0\]\.median is 99 but its 3 samples give 2\./);
});

test("every stored statistic is recomputed from the samples: a p90, min or interval that disagrees is refused naming the field", () => {
  for (const [field, edit] of [
    ["spread.p90", (r: { spread: { p90: number } }) => (r.spread.p90 = 1e6)],
    ["spread.min", (r: { spread: { min: number } }) => (r.spread.min = -5)],
    ["spread.ci.high", (r: { spread: { ci: { high: number } } }) => (r.spread.ci.high = 1e9)],
    ["spread.outliers", (r: { spread: { outliers: number } }) => (r.spread.outliers = 2)],
  ] as const) {
    const bad = good();
    (edit as (r: unknown) => void)(bad.records[0]!);
    refused(JSON.stringify(bad), new RegExp(`corrupted: records\\[0\\]\\.${field.replace(/\./g, "\\.")} is .* but its 3 samples give`));
  }
});

test("a results file larger than any armbench writes is refused before it is read", () => {
  const dir = tempDir();
  const f = path.join(dir, "huge.json");
  const fd = openSync(f, "w");
  // Sparse: the size is what is refused, nothing is written or read.
  ftruncateSync(fd, MAX_RESULTS_FILE_BYTES + 1);
  closeSync(fd);
  assert.throws(() => loadResults(f), (e: unknown) => e instanceof UserError && /huge\.json holds 268435457 bytes, more than the 256 MiB of any results file armbench writes/.test(e.message));
});

test("the loader, the report and compare take records with very many samples (spreading 120k values into Math.min throws)", () => {
  const samples = Array.from({ length: 200_000 }, (_, i) => 40 + (i % 100) / 100);
  assert.deepEqual(extent(samples), { min: 40, max: 40.99 });
  const params = { model: "resnet50", batch: 1, threads: 1, fpmath: "fp32", flops: 8.2e9 };
  const records = ["armbench", "onnxruntime"].map((impl) => okRecord({ suite: "model", name: "model.latency", impl, params, unit: "ms" }, samples, { method: "m", passed: true }));
  const dir = tempDir();
  const f = path.join(dir, "many.json");
  writeFileSync(f, JSON.stringify({ schema: SCHEMA, env: sampleEnv(), records }));
  const file = loadResults(f);
  assert.equal(file.records.length, 2);
  assert.equal(compareResults(file, file, 0.05).rows.length, 2);
  const html = path.join(dir, "many.html");
  writeReport({ files: [f], output: html });
  assert.ok(readFileSync(html, "utf8").includes("resnet50"));
});

test("a missing file is named with the reason", () => {
  const dir = tempDir();
  assert.throws(() => loadResults(path.join(dir, "nope.json")), /cannot read results file .*nope\.json: no such file/);
  const f = path.join(dir, "ok.json");
  writeFileSync(f, JSON.stringify(good()));
  assert.equal(loadResults(f).records.length, 1);
});

test("record names that are Object.prototype's keys are plain names (found by the fuzzer: '__proto__' was an internal error)", () => {
  const dir = tempDir();
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
    const file = good();
    file.records[0] = { ...file.records[0]!, name } as (typeof file.records)[number];
    const f = path.join(dir, "proto.json");
    writeFileSync(f, JSON.stringify(file));
    const loaded = loadResults(f);
    assert.equal(loaded.records[0]!.name, name);
    assert.equal(compareResults(loaded, loaded, 0.05).rows.length, 1);
    writeReport({ files: [f], output: path.join(dir, "proto.html") });
  }
});
