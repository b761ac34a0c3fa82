import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { resolveDestination } from "../src/output.js";

const now = new Date("2026-11-21T10:00:00Z");

test("--json alone or - means stdout, --json FILE a file", () => {
  assert.deepEqual(resolveDestination({ json: "" }, "gemm", "h", now, true), { kind: "stdout" });
  assert.deepEqual(resolveDestination({ json: "-" }, "gemm", "h", now, true), { kind: "stdout" });
  assert.deepEqual(resolveDestination({ json: "x.json", out: "d" }, "gemm", "h", now, true), { kind: "file", file: "x.json" });
});

test("--out DIR names the file; suites default to results/, info to nothing", () => {
  assert.deepEqual(resolveDestination({ out: "d" }, "info", "h", now, false), {
    kind: "file",
    file: path.join("d", "info-h-20261121-100000.json"),
  });
  assert.deepEqual(resolveDestination({}, "gemm", "h", now, true), { kind: "file", file: path.join("results", "gemm-h-20261121-100000.json") });
  assert.deepEqual(resolveDestination({}, "info", "h", now, false), { kind: "none" });
});
