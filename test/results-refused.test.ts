import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { UserError } from "../src/errors.js";
import { loadResults, parseResults } from "../src/results/load.js";
import { okRecord } from "../src/results/record.js";
import { SCHEMA } from "../src/results/schema.js";
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
  refused(JSON.stringify(bad), /corrupted: records\[0\]\.median is 99 but its samples give 2/);
});

test("a missing file is named with the reason", () => {
  const dir = tempDir();
  assert.throws(() => loadResults(path.join(dir, "nope.json")), /cannot read results file .*nope\.json: no such file/);
  const f = path.join(dir, "ok.json");
  writeFileSync(f, JSON.stringify(good()));
  assert.equal(loadResults(f).records.length, 1);
});
