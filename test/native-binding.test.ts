import assert from "node:assert/strict";
import { test } from "node:test";

import { loadNative } from "../src/native.js";

const native = loadNative();

test("every detected feature's instruction really runs; absent ones are caught, not fatal", () => {
  const { arch, features } = native.cpuFeatures();
  assert.ok(["x86_64", "aarch64", "other"].includes(arch));
  for (const [name, present] of Object.entries(features)) {
    const probe = native.probeFeature(name);
    if (probe === "none") continue;
    assert.equal(probe, present ? "ran" : "sigill", `${name}: detected=${present}, probe=${probe}`);
  }
});

test("the binding checks its arguments", () => {
  assert.throws(() => native.probeFeature(42 as unknown as string), TypeError);
  assert.throws(() => native.probeFeature("warp_drive"), /unknown feature 'warp_drive'/);
  assert.throws(() => native.refCounter(-1), RangeError);
  assert.throws(() => native.runClockChains(0, 1e6), RangeError);
  assert.throws(() => (native.runClockChains as unknown as (a: string) => unknown)("x"), TypeError);
});

test("clocks advance and the core-clock estimate runs off the main thread", async () => {
  const a = native.nowNs();
  const pending = native.runClockChains(3, 1e6);
  assert.ok(pending instanceof Promise);
  const rounds = await pending;
  assert.equal(rounds.length, 3);
  const hz = rounds.flatMap((round) => round.map((run) => (run.steps * 1e9) / run.ns));
  for (const x of hz) assert.ok(Number.isFinite(x) && x > 0);
  assert.ok(native.nowNs() > a);
  const rc = native.refCounter(1e6);
  assert.ok(rc.name === "none" || rc.hz > 0);
});

test("build info names the compiler and the per-ISA files", () => {
  const b = native.buildInfo();
  assert.ok(b.compiler.length > 0);
  assert.equal(b.targetArch, native.cpuFeatures().arch);
  if (b.targetArch !== "other") assert.match(b.isaFlags, /isa_probe_/);
});
