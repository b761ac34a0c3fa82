import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { loadRunSteps } from "../src/commands/run.js";
import { UserError } from "../src/errors.js";
import { nodeCommand } from "../src/node-child.js";
import { packageRoot } from "../src/native.js";
import { defaultSuiteFile } from "../src/suites.js";
import { tempDir } from "./helpers/fixtures.js";

const write = (dir: string, name: string, value: unknown) => {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
};

test("the packaged run suite and the aarch64 lane's run suites are valid; full defaults to quick", () => {
  for (const file of ["suites/run.json", "test/aarch64/suites/run.json", "test/aarch64/suites/run-kernels.json", "test/aarch64/suites/run-fp32-model.json"]) {
    const steps = loadRunSteps(path.join(packageRoot, file));
    assert.ok(steps.length > 0, file);
    for (const s of steps) assert.ok(s.full.length > 0, `${file}: ${s.name} has full arguments`);
  }
  const dir = tempDir();
  const [s] = loadRunSteps(write(dir, "r.json", { steps: [{ name: "only", quick: ["info"] }] }));
  assert.deepEqual(s!.full, ["info"]);
});

test("a run suite is refused in one sentence naming the field: unknown command, options run owns, duplicate names", () => {
  const dir = tempDir();
  const cases: Array<[unknown, RegExp]> = [
    [{ steps: [{ name: "x", quick: ["rm", "-rf"] }] }, /steps\.0\.quick: must start with one of info, micro/],
    [{ steps: [{ name: "x", quick: ["gemm", "--json", "a.json"] }] }, /steps\.0\.quick: must not set --json/],
    [{ steps: [{ name: "x", quick: ["gemm", "--peaks=a.json"] }] }, /must not set/],
    [{ steps: [{ name: "x", quick: ["info"] }, { name: "x", quick: ["info"] }] }, /steps: step names must be unique/],
    [{ steps: [{ name: "Bad Name", quick: ["info"] }] }, /steps\.0\.name/],
    [{ steps: [] }, /steps/],
    ["not json", /cannot read suite/],
  ];
  for (const [value, re] of cases) {
    const file = write(dir, "bad.json", value);
    assert.throws(() => loadRunSteps(file), (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes("\n"), JSON.stringify(value));
  }
  // A step's own --threads is allowed (run then does not add its own).
  assert.equal(loadRunSteps(write(dir, "t.json", { steps: [{ name: "m", quick: ["model", "--threads", "1"] }] }))[0]!.quick[2], "1");
});

test("ARMBENCH_SUITES_DIR replaces the suites it has and leaves the others to the package", () => {
  const dir = tempDir();
  write(dir, "peak.json", { steps: 1000, samples: 2 });
  const saved = process.env.ARMBENCH_SUITES_DIR;
  process.env.ARMBENCH_SUITES_DIR = dir;
  try {
    assert.equal(defaultSuiteFile("peak"), path.join(dir, "peak.json"));
    assert.equal(defaultSuiteFile("gemm"), path.join(packageRoot, "suites", "gemm.json"));
  } finally {
    if (saved === undefined) delete process.env.ARMBENCH_SUITES_DIR;
    else process.env.ARMBENCH_SUITES_DIR = saved;
  }
  assert.equal(defaultSuiteFile("peak"), path.join(packageRoot, "suites", "peak.json"));
});

test("child Node processes start through ARMBENCH_EMULATOR when it is set", () => {
  assert.deepEqual(nodeCommand(["a.js", "--x"], {}), { command: process.execPath, args: ["a.js", "--x"] });
  assert.deepEqual(nodeCommand(["a.js"], { ARMBENCH_EMULATOR: " qemu-aarch64  -cpu max " }), {
    command: "qemu-aarch64",
    args: ["-cpu", "max", process.execPath, "a.js"],
  });
  assert.throws(() => nodeCommand(["a.js"], { ARMBENCH_EMULATOR: "sh -c 'rm x'" }), (e: unknown) => e instanceof UserError && /ARMBENCH_EMULATOR/.test(e.message));
});
