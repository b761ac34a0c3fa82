import assert from "node:assert/strict";
import { test } from "node:test";

import { armbench } from "./helpers/cli.js";

test("--help lists every subcommand and the global options", () => {
  const r = armbench(["--help"]);
  assert.equal(r.status, 0);
  for (const cmd of ["info", "micro", "gemm", "conv", "model", "run", "report", "compare"]) {
    assert.match(r.stdout, new RegExp(`armbench ${cmd}\\b`), `--help lacks ${cmd}`);
  }
  for (const opt of ["--out", "--json", "--threads", "--quick", "--quiet"]) assert.ok(r.stdout.includes(opt), opt);
});

test("bad input gets one clear sentence and a non-zero exit", () => {
  const unknown = armbench(["frobnicate"]);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr, /^armbench: .*frobnicate/);
  assert.equal(unknown.stderr.trim().split("\n").length, 1);

  const none = armbench([]);
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /name a command/);

  const threads = armbench(["info", "--threads", "0"]);
  assert.equal(threads.status, 1);
  assert.match(threads.stderr, /^armbench: --threads must be a whole number from 1 to 4096, got 0\.\n$/);

  const flag = armbench(["info", "--bogus-flag"]);
  assert.notEqual(flag.status, 0);
  assert.match(flag.stderr, /^armbench: Unknown argument.*bogus-flag.*--help/);
});

test("--version prints the package version", () => {
  const r = armbench(["--version"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});
