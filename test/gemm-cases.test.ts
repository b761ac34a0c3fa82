import assert from "node:assert/strict";
import { test } from "node:test";

import { parsePeerPaths, parsePeers } from "../src/commands/gemm.js";
import { UserError } from "../src/errors.js";
import { buildCases, flops, parseDtypes, parseSizes, threadCounts } from "../src/gemm/cases.js";
import { GemmSuite, loadSuite } from "../src/suites.js";

const suite = loadSuite("gemm", GemmSuite, false);

test("dtypes, sizes and thread counts parse as documented", () => {
  assert.deepEqual(parseDtypes("all"), ["fp32", "bf16", "int8"]);
  assert.deepEqual(parseDtypes("bf16"), ["bf16"]);
  assert.deepEqual(parseDtypes("int8"), ["int8"]);
  assert.throws(() => parseDtypes("fp16"), (e: unknown) => e instanceof UserError && /unknown --dtype "fp16"/.test(e.message));
  assert.deepEqual(parseSizes("256, 1024"), [256, 1024]);
  assert.throws(() => parseSizes("256,big"), /"big" is not a whole number/);
  assert.throws(() => parseSizes(""), /comma-separated/);
  assert.deepEqual(threadCounts(2), [1, 2]);
  assert.deepEqual(threadCounts(16), [1, 2, 4, 8, 16]);
  assert.deepEqual(threadCounts(6), [1, 2, 4, 6]);
  assert.deepEqual(threadCounts(16, 3), [3]);
});

test("--sizes alone gives only squares; shape sets come from the suite", () => {
  assert.deepEqual(buildCases(suite, [64], undefined), [{ set: "square", name: "64^3", m: 64, n: 64, k: 64 }]);
  const bert = buildCases(suite, undefined, ["bert"]);
  assert.equal(bert.length, 4);
  assert.ok(bert.every((c) => c.set === "bert" && c.m === 128));
  const all = buildCases(suite, undefined, ["all"]);
  assert.equal(all.length, suite.square.length + Object.values(suite.shapeSets).reduce((n, s) => n + s.length, 0));
  assert.throws(() => buildCases(suite, undefined, ["vgg"]), /unknown --shape-set "vgg"/);
  assert.equal(flops({ m: 2, n: 3, k: 4 }), 48);
});

test("the ResNet-50 set holds every distinct convolution as an im2col GEMM", () => {
  const r = suite.shapeSets.resnet50!;
  assert.ok(r.length >= 20);
  const conv1 = r.find((s) => s.name.startsWith("conv1"))!;
  assert.deepEqual([conv1.m, conv1.n, conv1.k], [64, 112 * 112, 3 * 7 * 7]);
  // Every 3x3 has k = input channels x 9.
  for (const s of r.filter((x) => x.name.includes("3x3"))) assert.equal(s.k % 9, 0, s.name);
});

test("peers and peer paths are checked", () => {
  assert.deepEqual(parsePeers(undefined, ["openblas"]), ["openblas"]);
  assert.deepEqual(parsePeers(false, ["openblas"]), []);
  assert.deepEqual(parsePeers("blis, onednn", []), ["blis", "onednn"]);
  assert.throws(() => parsePeers("mkl", []), /unknown peer "mkl"/);
  assert.deepEqual(parsePeerPaths(["openblas=/x/libopenblas.so"]), { openblas: "/x/libopenblas.so" });
  assert.throws(() => parsePeerPaths(["openblas"]), /NAME=PATH/);
  assert.throws(() => parsePeerPaths(["mkl=/x"]), /NAME=PATH/);
});
