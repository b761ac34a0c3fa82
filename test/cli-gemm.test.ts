import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { loadNative, packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

const tiny = path.join(packageRoot, "test", "fixtures", "gemm-tiny.json");
const native = loadNative();

test("gemm checks and times our kernels for every dtype and records every peer's outcome", () => {
  const file = path.join(tempDir(), "gemm.json");
  const r = armbench(["gemm", "--dtype", "all", "--suite", tiny, "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  const ours = records.filter((x) => x.name === "gemm" && x.impl === "armbench");
  // 3 shapes x 3 dtypes x thread counts (1 and all CPUs).
  const threads = native.allowedCpus().length > 1 ? 2 : 1;
  assert.equal(ours.length, 3 * 3 * threads);
  const int8Kernel = native.gemmKernels().find((k) => k.dtype === "int8" && k.isDefault)!;
  for (const x of ours) {
    assert.equal(x.status, "ok", JSON.stringify(x));
    if (x.status !== "ok") continue;
    assert.ok(x.check.passed && Number(x.check.maxRelErr) <= Number(x.check.bound));
    assert.ok(x.median > 0);
    // The suite's 2 samples, one in each of its 2 passes over the case list.
    assert.equal(x.samples.length, 2);
    assert.equal(x.derived?.passes, 2);
    if (x.params.dtype === "int8") {
      // Exact: every sampled entry equal to the int64 sum, in integer operations per second.
      assert.equal(x.check.bound, 0);
      assert.equal(x.check.maxAbsErr, 0);
      assert.match(x.check.method, /int64 reference/);
      assert.equal(x.unit, "GOP/s");
      assert.equal(x.params.kernel, int8Kernel.name);
      assert.equal(x.derived?.operands, `${int8Kernel.aType} x s8 -> s32`);
      continue;
    }
    assert.equal(x.unit, "GFLOP/s");
    const kernel = native.gemmKernels().find((k) => k.dtype === x.params.dtype && k.isDefault)!;
    const path = native.gemmPath({ kernel: kernel.index, m: Number(x.params.m), n: Number(x.params.n), k: Number(x.params.k), transA: 0, transB: 0 });
    assert.equal(x.params.kernel, path);
    if (x.params.m === 1) assert.match(String(x.params.kernel), /^gemv_/);
  }
  // One measured peak per dtype and thread count, and every % of peak against it.
  for (const x of ours) {
    if (x.status !== "ok") continue;
    const peak = records.filter((p) => p.name === "micro.dtype-peak" && p.params.dtype === x.params.dtype && p.params.threads === x.params.threads);
    assert.equal(peak.length, 1, `${x.params.dtype} on ${x.params.threads}`);
    assert.ok(peak[0]!.status === "ok");
    assert.equal(x.derived?.peakGflops, peak[0]!.median);
    assert.equal(x.derived?.peakSource, "measured here");
  }
  for (const peer of ["openblas", "blis", "onednn"]) {
    const mine = records.filter((x) => x.impl === peer);
    assert.ok(mine.length > 0, `${peer} left no record`);
    for (const x of mine) if (x.status !== "ok") assert.ok(x.reason.length > 0);
  }
  // Neither BLAS has an int8 GEMM: where the library loaded, every int8 case says so.
  for (const [peer, says] of [["openblas", /OpenBLAS's API has no int8 GEMM/], ["blis", /BLIS has no int8 GEMM/]] as const) {
    const int8 = records.filter((x) => x.impl === peer && x.params.dtype === "int8");
    for (const x of int8) {
      assert.equal(x.status, "unavailable", JSON.stringify(x));
      if (x.status === "unavailable") assert.match(x.reason, says);
    }
  }
  // oneDNN's int8 matmul, where it ran, passed the same exact check on the same operands.
  for (const x of records.filter((r) => r.impl === "onednn" && r.params.dtype === "int8" && r.status === "ok")) {
    if (x.status === "ok") assert.ok(x.check.passed && x.check.maxAbsErr === 0 && x.derived?.operands === `${int8Kernel.aType} x s8 -> s32`);
  }
  assert.match(r.stdout, /Measured peaks/);
  assert.match(r.stdout, /Ratios in this run/);
});

test("bad gemm input gets one sentence and a non-zero exit", () => {
  const cases: [string[], RegExp][] = [
    [["gemm", "--dtype", "fp8"], /unknown --dtype "fp8"/],
    [["gemm", "--sizes", "12,x"], /"x" is not a whole number/],
    [["gemm", "--shape-set", "vgg"], /unknown --shape-set "vgg"/],
    [["gemm", "--peers", "mkl"], /unknown peer "mkl"/],
    [["gemm", "--peer-path", "openblas"], /NAME=PATH/],
  ];
  for (const [args, msg] of cases) {
    const r = armbench(args);
    assert.equal(r.status, 1, args.join(" "));
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
});

test("--no-peers runs ours alone", () => {
  const file = path.join(tempDir(), "gemm.json");
  const r = armbench(["gemm", "--sizes", "32", "--threads", "1", "--no-peers", "--suite", tiny, "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const impls = new Set(loadResults(file).records.filter((x) => x.name === "gemm").map((x) => x.impl));
  assert.deepEqual([...impls], ["armbench"]);
});
