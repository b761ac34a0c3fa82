import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { loadNative, packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

const tiny = path.join(packageRoot, "test", "fixtures", "micro-tiny.json");
const native = loadNative();
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";

function runTiny(extra: string[] = []) {
  const file = path.join(tempDir(), "micro.json");
  const r = armbench(["micro", "--suite", tiny, "--json", file, "--quiet", ...extra]);
  return { r, file };
}

test("micro runs every part and writes records under their stable names", () => {
  const { r, file } = runTiny();
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  const names = new Set(records.map((x) => x.name));
  for (const n of ["micro.fma.latency", "micro.fma.throughput", "micro.fma.parallelism", "micro.fma.chains", "micro.peak", "micro.clock", "micro.mem.latency", "micro.tlb", "micro.bandwidth"]) {
    assert.ok(names.has(n), `no ${n} record`);
  }
  if (native.allowedCpus().length > 1) assert.ok(names.has("micro.loaded-latency"));
  for (const t of ["FMA latency", "Memory latency", "TLB reach", "Bandwidth"]) assert.match(r.stdout, new RegExp(t));
});

test("every instruction form is either measured over its whole chain range or unavailable with a reason", () => {
  const { file } = runTiny(["fma"]);
  const { records } = loadResults(file);
  for (const f of native.fmaForms()) {
    const mine = records.filter((x) => x.params.insn === f.insn && x.params.isa === f.isa && x.params.bits === f.bits);
    if (f.unsupported) {
      const u = mine.find((x) => x.status === "unavailable");
      assert.ok(u && u.status === "unavailable" && u.reason === f.unsupported, f.name);
      continue;
    }
    const ks = mine.filter((x) => x.name === "micro.fma.chains" && x.params.chain === "acc").map((x) => x.params.k);
    assert.deepEqual(ks, Array.from({ length: f.maxChains }, (_, i) => i + 1), f.name);
    const lat = mine.find((x) => x.name === "micro.fma.latency" && x.params.chain === "acc");
    assert.ok(lat && ok(lat) && lat.check.passed && lat.median > 0, f.name);
    assert.ok(lat.clock && lat.clock.ghz > 0);
    const par = mine.find((x) => x.name === "micro.fma.parallelism");
    assert.ok(par && ok(par) && Number.isInteger(par.derived?.saturatesAt));
    const peak = mine.find((x) => x.name === "micro.peak" && x.params.threads === 1);
    assert.ok(peak && ok(peak) && peak.median > 0 && peak.params.dtype === f.dtype, f.name);
  }
});

test("latency runs with 4 KiB and huge pages and says whether huge pages were obtained", () => {
  const { file } = runTiny(["latency"]);
  const lat = loadResults(file).records.filter((x) => x.name === "micro.mem.latency");
  assert.ok(lat.some((x) => x.params.page === "4k"));
  assert.ok(lat.some((x) => x.params.page === "huge"));
  for (const x of lat) {
    assert.equal(typeof x.params.hugeObtained, "boolean");
    assert.equal(x.params.seed, 7);
  }
});

test("--clock-ghz replaces the estimate beside every cycle figure", () => {
  const { r, file } = runTiny(["fma", "--clock-ghz", "3"]);
  assert.equal(r.status, 0, r.stderr);
  const withClock = loadResults(file).records.filter((x) => x.clock);
  assert.ok(withClock.length > 0);
  for (const x of withClock) assert.deepEqual(x.clock, { ghz: 3, source: "user" });
});

test("an unknown bandwidth kernel is reported as skipped, not fatal", () => {
  const { r } = runTiny(["bandwidth"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /skipped: .*no-such-kernel \(no such kernel in this build\)/);
});

test("bad micro input gets one sentence and a non-zero exit", () => {
  const part = armbench(["micro", "cache"]);
  assert.equal(part.status, 1);
  assert.match(part.stderr, /^armbench: unknown micro part "cache"; choose from fma, latency, tlb, bandwidth\.\n$/);
  const clock = armbench(["micro", "fma", "--clock-ghz", "0"]);
  assert.equal(clock.status, 1);
  assert.match(clock.stderr, /--clock-ghz must be/);
  const threads = armbench(["micro", "fma", "--threads", "9999"]);
  assert.equal(threads.status, 1);
  assert.match(threads.stderr, /--threads must be a whole number from 1 to 4096|asks for more CPUs/);
  const suite = armbench(["micro", "--suite", "/nonexistent.json"]);
  assert.equal(suite.status, 1);
  assert.match(suite.stderr, /cannot read suite \/nonexistent\.json/);
});
