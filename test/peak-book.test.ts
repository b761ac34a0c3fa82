import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { UserError } from "../src/errors.js";
import { DTYPE_PEAK, PeakBook, readKnownPeaks } from "../src/micro/peak-book.js";
import { loadNative } from "../src/native.js";
import { okRecord, unavailableRecord } from "../src/results/record.js";
import { SCHEMA, type ResultRecord } from "../src/results/schema.js";
import { serializeResults } from "../src/results/write.js";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";
import { loadResults } from "../src/results/load.js";

const native = loadNative();
const settings = { steps: 100000, samples: 3 };

test("the peak book measures a dtype on a thread count once: every form recorded, one dtype peak, the best form's median", async () => {
  const records: ResultRecord[] = [];
  const book = new PeakBook({ native, settings, record: (r) => records.push(r) });
  const cpu = native.allowedCpus().slice(0, 1);
  const [a, b] = await Promise.all([book.get("fp32", cpu), book.get("fp32", cpu)]);
  assert.ok(a && b);
  assert.equal(a, b);
  const forms = native.fmaForms().filter((f) => f.dtype === "fp32" && f.unsupported === null);
  assert.equal(records.filter((r) => r.name === "micro.peak").length, forms.length);
  const peaks = records.filter((r) => r.name === DTYPE_PEAK);
  assert.equal(peaks.length, 1);
  const peak = peaks[0]!;
  assert.ok(peak.status === "ok" && peak.headline);
  assert.deepEqual(peak.params, { dtype: "fp32", threads: 1 });
  assert.equal(a.gflops, peak.median);
  assert.equal(a.form, peak.derived?.form);
  assert.equal(a.source, "measured here");
  const formMedians = records.filter((r) => r.name === "micro.peak" && r.status === "ok").map((r) => (r.status === "ok" ? r.median : 0));
  assert.equal(a.gflops, Math.max(...formMedians));
  for (const r of records.filter((x) => x.name === "micro.peak")) assert.equal(r.headline, false, "a form's peak informs, the dtype's gates");
  // Asked again later: answered from the book, nothing measured or recorded twice.
  assert.equal(await book.get("fp32", cpu), a);
  assert.equal(records.filter((r) => r.name === DTYPE_PEAK).length, 1);
});

test("a dtype no form runs records one unavailable peak and answers null", async () => {
  const records: ResultRecord[] = [];
  const book = new PeakBook({ native, settings, record: (r) => records.push(r) });
  assert.equal(await book.get("fp7", [native.allowedCpus()[0]!]), null);
  assert.deepEqual(records.map((r) => [r.name, r.status]), [[DTYPE_PEAK, "unavailable"]]);
});

test("a known peak is used as it is: nothing measured, its source named", async () => {
  const records: ResultRecord[] = [];
  const known = new Map([["fp32/1", { gflops: 123, form: "f", source: "micro.json" }]]);
  const book = new PeakBook({ native, settings, record: (r) => records.push(r), known });
  assert.deepEqual(await book.get("fp32", [native.allowedCpus()[0]!]), { gflops: 123, form: "f", source: "micro.json" });
  assert.equal(records.length, 0);
});

function peaksFile(dir: string, name: string, env = sampleEnv(), extra: ResultRecord[] = []): string {
  const file = path.join(dir, name);
  const peak = okRecord({ suite: "micro", name: DTYPE_PEAK, impl: "armbench", params: { dtype: "fp32", threads: 2 }, unit: "GFLOP/s", derived: { form: "neon fmla 128" } }, [10, 11, 12], { method: "m", passed: true });
  writeFileSync(file, serializeResults({ schema: SCHEMA, env, records: [peak, ...extra] }));
  return file;
}

test("--peaks files: the same machine and build's peaks are read, and the dtypes it has none of; another CPU's are ignored with a warning; an unreadable file is one sentence", () => {
  const dir = tempDir();
  const here = sampleEnv();
  const warnings: string[] = [];
  const same = readKnownPeaks([peaksFile(dir, "same.json")], here, (m) => warnings.push(m));
  assert.deepEqual([...same], [["fp32/2", { gflops: 11, form: "neon fmla 128", source: "same.json" }]]);
  assert.equal(warnings.length, 0);
  const other = { ...sampleEnv(), cpu: { ...sampleEnv().cpu, model: "Neoverse-V1" } };
  const ignored = readKnownPeaks([peaksFile(dir, "other.json", other)], here, (m) => warnings.push(m));
  assert.equal(ignored.size, 0);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /other\.json: measured with another cpu \(Neoverse-V1\), so its peaks are measured again here\./);
  // A dtype an earlier step found no form of is known as null: the book answers null and
  // records nothing, so a merged `armbench run` file holds that unavailable record once.
  const none = unavailableRecord({ suite: "micro", name: DTYPE_PEAK, impl: "armbench", params: { dtype: "bf16", threads: 1 }, unit: "GFLOP/s" }, "no bf16 instruction form runs on this CPU");
  const withNone = readKnownPeaks([peaksFile(dir, "none.json", sampleEnv(), [none])], here, (m) => warnings.push(m));
  assert.equal(withNone.get("bf16/1"), null);
  assert.equal(withNone.get("fp32/2")?.gflops, 11);
  const records: ResultRecord[] = [];
  const book = new PeakBook({ native, settings, record: (r) => records.push(r), known: withNone });
  return book.get("bf16", [native.allowedCpus()[0]!]).then((p) => {
    assert.equal(p, null);
    assert.equal(records.length, 0);
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    assert.throws(() => readKnownPeaks([bad], here, () => {}), (e: unknown) => e instanceof UserError && /^--peaks .*bad\.json: /.test(e.message) && !e.message.includes("\n"));
  });
});

test("gemm --peaks FILE uses the file's peak for every % of peak and measures none it holds", { timeout: 300_000 }, () => {
  const dir = tempDir();
  const first = path.join(dir, "first.json");
  let r = armbench(["gemm", "--sizes", "64", "--threads", "1", "--no-peers", "--quick", "--json", first, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const measured = loadResults(first).records.find((x) => x.name === DTYPE_PEAK && x.params.dtype === "fp32");
  assert.ok(measured && measured.status === "ok");
  const second = path.join(dir, "second.json");
  r = armbench(["gemm", "--sizes", "64", "--threads", "1", "--no-peers", "--quick", "--json", second, "--quiet", "--peaks", first]);
  assert.equal(r.status, 0, r.stderr);
  const records = loadResults(second).records;
  assert.equal(records.filter((x) => x.name === DTYPE_PEAK || x.name === "micro.peak").length, 0);
  const ours = records.filter((x) => x.name === "gemm" && x.status === "ok");
  assert.ok(ours.length > 0);
  for (const x of ours) {
    assert.equal(x.derived?.peakGflops, measured.median);
    assert.equal(x.derived?.peakSource, "first.json");
  }
});
