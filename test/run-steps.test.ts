import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { loadRunSteps, runRun, type RunStep } from "../src/commands/run.js";
import { higherIsBetter, speedup } from "../src/results/direction.js";
import { loadResults } from "../src/results/load.js";
import { packageRoot } from "../src/native.js";
import { tempDir } from "./helpers/fixtures.js";

test("the default suite names every suite in order, quick and full", () => {
  const RUN_STEPS = loadRunSteps();
  assert.deepEqual(RUN_STEPS.map((s) => s.name), ["info", "micro", "gemm", "conv", "model"]);
  for (const s of RUN_STEPS) {
    assert.equal(s.quick[0], s.full[0], `${s.name}: quick and full run the same command`);
    assert.ok(!s.full.includes("--quick"), `${s.name}: --full is not quick`);
  }
  assert.deepEqual(RUN_STEPS.find((s) => s.name === "gemm")!.quick, ["gemm", "--quick", "--dtype", "all"]);
});

test("a failing step is reported, and the rest still land in one results file and the report", { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const steps: RunStep[] = [
    { name: "info", quick: ["info"], full: ["info"] },
    { name: "broken", quick: ["gemm", "--dtype", "fp8"], full: ["gemm", "--dtype", "fp8"] },
    { name: "info-again", quick: ["info", "--quick"], full: ["info"] },
  ];
  const results = path.join(dir, "run.json");
  const report = path.join(dir, "run.html");
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    chunks.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await runRun({ json: results, report, quick: false, quiet: true, full: false }, steps);
  } finally {
    process.stderr.write = write;
  }
  const err = chunks.join("");
  assert.equal(code, 1, "a failed step makes the run fail");
  assert.match(err, /broken\s+│\s+failed/);
  assert.match(err, /info-again\s+│\s+ok/);
  assert.match(err, new RegExp(`results written to ${results.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.match(err, /report written to /);
  const file = loadResults(results);
  // Both info steps wrote their clock record into the one file.
  assert.equal(file.records.filter((r) => r.name === "core-clock").length, 2);
  assert.ok(existsSync(report));
  assert.match(readFileSync(report, "utf8"), /<section id="systems">/);
});

test("a run killed half-way leaves the steps it finished in its results file", { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const suite = path.join(dir, "suite.json");
  // The second step runs far longer than the test waits.
  writeFileSync(suite, JSON.stringify({ steps: [{ name: "info", quick: ["info"] }, { name: "long", quick: ["micro", "latency"] }] }));
  const results = path.join(dir, "run.json");
  const child = spawn(process.execPath, [path.join(packageRoot, "bin", "armbench.js"), "run", "--suite", suite, "--json", results, "--report", path.join(dir, "r.html")], { stdio: "ignore", detached: true });
  const deadline = Date.now() + 90_000;
  while (!existsSync(results) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  // The whole process group: the step the run started must not outlive the test.
  const closed = new Promise((r) => child.once("close", r));
  process.kill(-child.pid!, "SIGKILL");
  await closed;
  assert.ok(existsSync(results), "the results file appeared after the first step");
  const file = loadResults(results);
  assert.ok(file.records.some((r) => r.suite === "info" && r.status === "ok"), "the info step's records are in it");
});

test("which way is better follows the unit", () => {
  assert.equal(higherIsBetter("GFLOP/s"), true);
  assert.equal(higherIsBetter("images/s"), true);
  assert.equal(higherIsBetter("ms"), false);
  assert.equal(higherIsBetter("cycles"), false);
  assert.equal(higherIsBetter("GHz"), null);
  assert.equal(speedup("GB/s", 10, 20), 2);
  assert.equal(speedup("ns", 10, 20), 0.5);
  assert.equal(speedup("chains", 4, 8), null);
  assert.equal(speedup("ms", 0, 1), null);
});
