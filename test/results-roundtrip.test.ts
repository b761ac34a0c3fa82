import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { loadResults, parseResults } from "../src/results/load.js";
import { failedRecord, okRecord, unavailableRecord } from "../src/results/record.js";
import { ResultsWriter, resultsFileName } from "../src/results/write.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const id = { suite: "gemm", name: "sgemm", impl: "armbench", params: { m: 64, n: 64, k: 64, dtype: "fp32" }, unit: "GFLOP/s" };

test("a written results file loads back equal, every record state included", () => {
  const file = path.join(tempDir(), "r.json");
  const w = new ResultsWriter(file, sampleEnv());
  w.add(okRecord(id, [10, 12, 11, 13, 9], { method: "max-rel-err", passed: true, maxRelErr: 1e-6 }));
  w.add(failedRecord({ ...id, impl: "broken" }, "max relative error 0.3 exceeds bound 1e-5", { method: "max-rel-err", passed: false }));
  w.add(unavailableRecord({ ...id, impl: "openblas" }, "libopenblas.so not found"));
  const loaded = loadResults(file);
  assert.deepEqual(loaded, w.results);
  assert.equal(loaded.records[0]!.status, "ok");
  if (loaded.records[0]!.status === "ok") assert.equal(loaded.records[0]!.median, 11);
});

test("the file is complete after every record, so a failure half-way loses nothing", () => {
  const file = path.join(tempDir(), "r.json");
  const w = new ResultsWriter(file, sampleEnv());
  assert.equal(loadResults(file).records.length, 0);
  w.add(okRecord(id, [1, 2, 3], { method: "m", passed: true }));
  assert.equal(loadResults(file).records.length, 1);
  w.add(okRecord(id, [4, 5, 6], { method: "m", passed: true }));
  assert.equal(JSON.parse(readFileSync(file, "utf8")).records.length, 2);
});

test("fields a newer armbench/1 writer adds survive a load", () => {
  const env = { ...sampleEnv(), futureFact: { x: 1 } };
  const text = JSON.stringify({ schema: "armbench/1", env, records: [] });
  const loaded = parseResults(text, "f.json");
  assert.deepEqual((loaded.env as Record<string, unknown>).futureFact, { x: 1 });
});

test("results file names carry command, host and UTC time", () => {
  const name = resultsFileName("info", "my host/../x", new Date("2026-11-21T09:08:07.000Z"));
  assert.equal(name, "info-my_host_.._x-20261121-090807.json");
  assert.ok(!name.includes("/"));
});
