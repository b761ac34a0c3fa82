import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { loadResults } from "../src/results/load.js";
import { ResultsFile } from "../src/results/schema.js";
import { readProcCpuinfo } from "../src/sysinfo/sysfs.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

/** The kernel's own feature list, to check the native detector against. */
function kernelFlags(): Set<string> | null {
  const text = readProcCpuinfo();
  const m = text?.match(/^(?:flags|Features)\s*:\s*(.*)$/m);
  return m ? new Set(m[1]!.trim().split(/\s+/)) : null;
}

test("info --json prints a valid results file whose ISA matches the kernel's flags", () => {
  const r = armbench(["info", "--json", "--quick"]);
  assert.equal(r.status, 0, r.stderr);
  const results = ResultsFile.parse(JSON.parse(r.stdout));
  const features = results.env.isa.features;
  assert.ok(Object.keys(features).length > 0);
  const flags = kernelFlags();
  if (flags) {
    for (const [name, present] of Object.entries(features)) {
      // The kernel lists only what it knows; where it names the feature, both must agree.
      if (present) assert.ok(flags.has(name), `detector says ${name}, /proc/cpuinfo does not`);
      else assert.ok(!flags.has(name), `/proc/cpuinfo says ${name}, detector does not`);
    }
  }
  assert.ok(results.env.clock.coreClockHz > 0);
  assert.ok(["perf", "estimate"].includes(results.env.clock.cycleSource));
  assert.equal(results.records[0]?.name, "core-clock");
});

test("info prints a readable table with the key facts", () => {
  const r = armbench(["info", "--quick"]);
  assert.equal(r.status, 0, r.stderr);
  for (const label of ["CPU", "Microarchitecture", "ISA", "L1d", "Memory", "Clock", "Governor", "Build", "Versions"]) {
    assert.match(r.stdout, new RegExp(`│ ${label}\\s`), `missing row ${label}`);
  }
});

test("info --out DIR writes a results file that round-trips through the loader", () => {
  const dir = tempDir();
  const r = armbench(["info", "--quick", "--out", dir]);
  assert.equal(r.status, 0, r.stderr);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  assert.equal(files.length, 1);
  const file = path.join(dir, files[0]!);
  assert.match(r.stderr, /results written to/);
  const loaded = loadResults(file);
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), loaded);
});

test("info --json FILE writes there and still prints the table", () => {
  const file = path.join(tempDir(), "sub", "info.json");
  const r = armbench(["info", "--quick", "--quiet", "--json", file]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(file));
  assert.match(r.stdout, /Microarchitecture/);
  assert.equal(r.stderr, "");
  assert.equal(loadResults(file).schema, "armbench/1");
});
