import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { packageRoot } from "../src/native.js";
import { cpuinfoArch, emulationHost, emulationLine, foreignCpuinfo, isEmulated, modaliasArch, processArch } from "../src/sysinfo/emulation.js";
import { decodeArmCore, splitMidr } from "../src/sysinfo/microarch.js";
import { noiseWarnings } from "../src/sysinfo/noise.js";

const machines = path.join(packageRoot, "test", "fixtures", "machines");

test("/proc/cpuinfo and the sysfs modalias tell which architecture the kernel describes", () => {
  const arm = readFileSync(path.join(machines, "aarch64-neoverse-n1", "proc", "cpuinfo"), "utf8");
  assert.equal(cpuinfoArch(arm), "aarch64");
  assert.equal(cpuinfoArch("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu avx2\n"), "x86-64");
  assert.equal(cpuinfoArch("processor\t: 0\n"), null);
  assert.equal(cpuinfoArch(null), null);
  assert.equal(modaliasArch("cpu:type:x86,ven0000fam0006mod00A7:feature:,0000\n"), "x86-64");
  assert.equal(modaliasArch("cpu:type:aarch64:feature:,0000,0001\n"), "aarch64");
  assert.equal(modaliasArch(null), null);
  assert.equal(processArch("arm64"), "aarch64");
  assert.equal(processArch("x64"), "x86-64");
  assert.equal(processArch("riscv64"), null);
});

test("an arm64 process reading an x86 /proc/cpuinfo (what crashes onnxruntime's CPU detection) is told apart", () => {
  const x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2\n";
  assert.equal(foreignCpuinfo(x86, "arm64"), "x86-64");
  assert.equal(foreignCpuinfo(x86, "x64"), null);
  assert.equal(foreignCpuinfo(readFileSync(path.join(machines, "aarch64-a64fx", "proc", "cpuinfo"), "utf8"), "arm64"), null);
});

test("a native process here is not emulated", () => {
  // The tests run under the host's own Node: whatever this machine is, its kernel's files match it.
  assert.equal(emulationHost(), null);
});

test("QEMU's max CPU is named as such from its MIDR, not guessed as a core", () => {
  const midr = splitMidr(0x000f0510);
  const core = decodeArmCore(midr.implementer, midr.part);
  assert.equal(core.name, "QEMU max CPU");
  assert.match(core.designer, /implementer 0/);
  assert.match(core.seenIn ?? "", /emulator/);
});

test("an emulated run warns that its timings measure the emulator", () => {
  const line = emulationLine("aarch64", "x86-64", "KVM");
  assert.match(line, /aarch64 process runs on an x86-64 host's kernel .*, itself KVM$/);
  assert.ok(isEmulated(line));
  assert.ok(!isEmulated("KVM") && !isEmulated(null));
  const w = noiseWarnings({ governor: null, loadAverage1: 0, logicalCpus: 2, virtualization: line, thp: null });
  assert.ok(w.some((l) => /measures the emulator/.test(l)));
  assert.ok(!w.some((l) => /^running virtualized/.test(l)));
});

test("an emulated machine's figures are compared with no documented figure, and the report says why", async () => {
  const { notComparableWhy } = await import("../src/sysinfo/documented-compare.js");
  const { sampleEnv } = await import("./helpers/fixtures.js");
  const env = sampleEnv();
  assert.equal(notComparableWhy(env), null);
  env.machine.virtualization = emulationLine("aarch64", "x86-64", null);
  assert.match(notComparableWhy(env) ?? "", /emulator's: no documented figure is compared/);
});
