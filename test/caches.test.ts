import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { loadNative, packageRoot } from "../src/native.js";
import { ResultsFile } from "../src/results/schema.js";
import { describeSize, lastLevel, reachableBytes, resolveCaches, withMeasuredEdges, type CacheInputs } from "../src/sysinfo/caches.js";
import { documentedCoreByName, documentedCores, parseCoresFile } from "../src/sysinfo/cores.js";
import { parseCpuidRecording, readCpuidRecording } from "../src/sysinfo/cpuid-recording.js";
import { loadMeasuredLevels, saveMeasuredLevels } from "../src/sysinfo/measured-levels.js";
import { readCaches, readMidr, readProcCpuinfo } from "../src/sysinfo/sysfs.js";
import { parseArmCpuinfo } from "../src/sysinfo/microarch.js";
import { streamLevel } from "../src/micro/bandwidth.js";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const machines = path.join(packageRoot, "test", "fixtures", "machines");
const native = loadNative();
const defaults = native.cacheSizes().defaults;

function inputs(over: Partial<CacheInputs>): CacheInputs {
  return { sysfs: [], cpuid: [], documented: null, measured: null, registerLineBytes: null, defaults, virtualized: false, ...over };
}

function cpuidOf(file: string) {
  return native.decodeCpuidCaches(readCpuidRecording(path.join(machines, file))).map((c) => ({ ...c, ways: c.ways || null }));
}

const sized = (caches: ReturnType<typeof resolveCaches>) =>
  caches.map((c) => `L${c.level}${c.type[0]} ${c.sizeBytes / KiB}K ${c.source}`);

test("recorded CPUID answers decode to the caches of the machine they came from", () => {
  const zen5 = cpuidOf("zen5-vm.cpuid.json");
  assert.deepEqual(
    zen5.map((c) => [c.level, c.type, c.sizeBytes, c.ways, c.sharedByCpus]),
    [
      [1, "Data", 48 * KiB, 12, 2],
      [1, "Instruction", 32 * KiB, 8, 2],
      [2, "Unified", MiB, 16, 2],
      [3, "Unified", 32 * MiB, 16, 2],
    ],
  );
  const intel = cpuidOf("intel-vm-package-l3.cpuid.json");
  assert.deepEqual(intel.map((c) => c.sizeBytes), [48 * KiB, 64 * KiB, 2 * MiB, 480 * MiB]);
});

test("a machine without sysfs cache files takes every level from CPUID, labelled so", () => {
  const caches = resolveCaches(inputs({ cpuid: cpuidOf("zen5-vm.cpuid.json") }));
  assert.deepEqual(sized(caches), ["L1D 48K cpuid", "L1I 32K cpuid", "L2U 1024K cpuid", "L3U 32768K cpuid"]);
  assert.ok(caches.every((c) => c.disagrees === undefined));
});

test("sysfs comes first, and a CPUID size that differs by more than 1.5x is shown beside it", () => {
  const sysfs = [
    { level: 1, type: "Data", sizeBytes: 48 * KiB, lineBytes: 64, ways: 12, sharedByCpus: 1 },
    { level: 2, type: "Unified", sizeBytes: 512 * KiB, lineBytes: 64, ways: 8, sharedByCpus: 1 },
  ];
  const caches = resolveCaches(inputs({ sysfs, cpuid: cpuidOf("zen5-vm.cpuid.json") }));
  const l2 = caches.find((c) => c.level === 2)!;
  assert.equal(l2.source, "sysfs");
  assert.deepEqual(l2.disagrees, [{ source: "cpuid", sizeBytes: MiB }]);
  assert.equal(caches.find((c) => c.level === 1 && c.type === "Data")!.disagrees, undefined, "48K against 48K agrees");
  // sysfs names no L3 here: CPUID's fills the gap, with its own label.
  assert.equal(caches.find((c) => c.level === 3)!.source, "cpuid");
  assert.equal(describeSize(l2, (b) => `${b / KiB}K`), "512K (sysfs; cpuid: 1024K)");
});

test("a VM's package-wide L3 larger than the latency curve shows is said to be so", () => {
  const measured = { levels: [{ level: 1, edgeBytes: 48 * KiB }, { level: 2, edgeBytes: 2 * MiB }, { level: 3, edgeBytes: 96 * MiB }], measuredAt: "2026-12-06T23:00:00Z" };
  const caches = resolveCaches(inputs({ cpuid: cpuidOf("intel-vm-package-l3.cpuid.json"), measured, virtualized: true }));
  const l3 = lastLevel(caches)!;
  assert.equal(l3.source, "cpuid");
  assert.equal(l3.sizeBytes, 480 * MiB);
  assert.deepEqual(l3.disagrees?.map((d) => [d.source, d.sizeBytes]), [["measured", 96 * MiB]]);
  assert.match(l3.note ?? "", /whole package's L3/);
  // On bare metal the same disagreement is shown, without the VM explanation.
  assert.doesNotMatch(lastLevel(resolveCaches(inputs({ cpuid: cpuidOf("intel-vm-package-l3.cpuid.json"), measured })))!.note ?? "", /package/);
});

test("an aarch64 machine with no cache files takes its core's documented sizes and CTR_EL0's line", () => {
  const root = path.join(machines, "aarch64-n1-no-cache-files");
  const cpu0 = path.join(root, "sys/devices/system/cpu/cpu0");
  assert.deepEqual(readCaches(cpu0), []);
  assert.equal(readMidr(cpu0), 0x413fd0c1);
  assert.equal(parseArmCpuinfo(readProcCpuinfo(path.join(root, "proc/cpuinfo"))!)[0]!.part, 0xd0c);
  const n1 = documentedCoreByName("Neoverse N1");
  assert.ok(n1);
  const caches = resolveCaches(inputs({ documented: n1, registerLineBytes: 64 }));
  assert.deepEqual(sized(caches), ["L1D 64K documented", "L2U 1024K documented"]);
  assert.match(caches[1]!.note ?? "", /\(256 KiB or 512 KiB or 1 MiB\); the largest is assumed/);
  assert.match(caches[0]!.note ?? "", /Neoverse N1 Core Technical Reference Manual/);
  // Each level cites the section its own figure comes from, not the L1's.
  for (const [i, c] of caches.entries()) assert.ok(c.note?.includes(n1.caches[i]!.source.where), `L${c.level} cites ${c.note}`);
  const zen5 = documentedCoreByName("Zen 5")!;
  const z = resolveCaches(inputs({ documented: zen5 }));
  assert.deepEqual(z.map((c) => /section [\d.]+/.exec(c.note ?? "")?.[0]), zen5.caches.map((c) => /section [\d.]+/.exec(c.source.where)?.[0]));
  assert.equal(new Set(z.map((c) => c.note)).size, 3);
});

test("the levels a micro run measured name the caches when nothing else does", () => {
  const measured = { levels: [{ level: 1, edgeBytes: 60 * KiB }, { level: 2, edgeBytes: 900 * KiB }], measuredAt: "2026-12-06T23:00:00Z" };
  const caches = resolveCaches(inputs({ measured, registerLineBytes: 64 }));
  assert.deepEqual(sized(caches), ["L1D 60K measured", "L2U 900K measured"]);
  assert.equal(caches[0]!.lineBytes, 64);
});

test("a machine that tells nothing gets labelled defaults for L1d, L2 and L3", () => {
  const caches = resolveCaches(inputs({}));
  assert.deepEqual(caches.map((c) => [c.level, c.source]), [[1, "default"], [2, "default"], [3, "default"]]);
  assert.ok(caches.every((c) => /default/.test(c.note ?? "")));
});

test("DRAM starts at four times the last-level cache, whatever the source", () => {
  const env = sampleEnv();
  env.caches = resolveCaches(inputs({ cpuid: cpuidOf("zen5-vm.cpuid.json") }));
  assert.equal(streamLevel(env, 16 * KiB, 1), "L1");
  assert.equal(streamLevel(env, 256 * KiB, 1), "L2");
  assert.equal(streamLevel(env, 8 * MiB, 1), "L3");
  assert.equal(streamLevel(env, 64 * MiB, 1), "-", "twice the LLC is neither L3 nor DRAM");
  assert.equal(streamLevel(env, 128 * MiB, 1), "DRAM");
  // Two threads share the L3: each instance holds both sets.
  assert.equal(streamLevel(env, 64 * MiB, 2), "DRAM");
  env.caches = [];
  assert.equal(streamLevel(env, 1 << 30, 1), "-", "without a known last level nothing is DRAM");
});

test("measured levels round-trip per machine, and a bad file is ignored with a warning naming the field", () => {
  const file = path.join(tempDir(), "cache-levels.json");
  assert.deepEqual(loadMeasuredLevels("m1", file), { levels: null, warning: null });
  const levels = { levels: [{ level: 1, edgeBytes: 48 * KiB }], measuredAt: "2026-12-06T23:00:00.000Z" };
  saveMeasuredLevels("m1", levels, file);
  saveMeasuredLevels("m2", { ...levels, levels: [{ level: 1, edgeBytes: 32 * KiB }] }, file);
  assert.deepEqual(loadMeasuredLevels("m1", file).levels, levels);
  assert.equal(loadMeasuredLevels("m2", file).levels?.levels[0]?.edgeBytes, 32 * KiB);
  const json = JSON.parse(readFileSync(file, "utf8"));
  json.machines.m1.levels[0].edgeBytes = -5;
  writeFileSync(file, JSON.stringify(json));
  const bad = loadMeasuredLevels("m1", file);
  assert.equal(bad.levels, null);
  assert.match(bad.warning!, /cache-levels\.json: field machines\.m1\.levels\.0\.edgeBytes/);
  writeFileSync(file, "{ not json");
  assert.match(loadMeasuredLevels("m1", file).warning!, /not valid JSON/);
});

test("a CPUID recording and the cores file are refused naming the field", () => {
  assert.throws(() => parseCpuidRecording('{"answers": [[1, 2, 3]]}', "r.json"), /r\.json \(ARMBENCH_CPUID_RECORDING\): field answers\.0/);
  assert.throws(() => parseCpuidRecording('{"answers": [["0x1", 0, "0xzz", 0, 0, 0]]}', "r.json"), /field answers\.0\.2/);
  assert.throws(() => parseCpuidRecording("nope", "r.json"), /not valid JSON/);
  assert.throws(() => parseCoresFile('{"schema": "armbench-cores/2", "cores": [{"name": "X"}]}', "c.json"), /c\.json: field cores\.0\.designer/);
});

test("every documented core names its document, and every FMA form it documents exists", () => {
  const forms = new Set(native.fmaForms().map((f) => f.name));
  const cores = documentedCores();
  for (const name of ["Zen 4", "Zen 5", "Neoverse N1", "Neoverse V1", "Neoverse N2", "Neoverse V2", "A64FX"]) {
    assert.ok(cores.some((c) => c.name === name), `no row for ${name}`);
  }
  for (const core of cores) {
    assert.ok(core.source.length > 20, `${core.name} has no source`);
    for (const form of Object.keys(core.fma)) {
      if (native.cpuFeatures().arch === "x86_64" && !form.startsWith("neon.") && !form.startsWith("sve.")) {
        assert.ok(forms.has(form), `${core.name}: ${form} is not an FMA form armbench measures`);
      }
    }
  }
});

test("info without sysfs cache files still shows L1d, L2 and L3 with their source", () => {
  const env = { ...process.env, ARMBENCH_SYSFS_ROOT: path.join(machines, "x86-no-cache-files", "sys") };
  const table = armbench(["info", "--quick"], packageRoot, env);
  assert.equal(table.status, 0, table.stderr);
  for (const label of ["L1d", "L2", "L3"]) {
    assert.match(table.stdout, new RegExp(`│ ${label}\\s+│ [\\d.]+ [KMG]iB \\((cpuid|documented|measured|default)`), `missing row ${label}`);
  }
  const recorded = armbench(["info", "--quick", "--json"], packageRoot, { ...env, ARMBENCH_CPUID_RECORDING: path.join(machines, "zen5-vm.cpuid.json") });
  assert.equal(recorded.status, 0, recorded.stderr);
  const caches = ResultsFile.parse(JSON.parse(recorded.stdout)).env.caches;
  assert.deepEqual(
    caches.filter((c) => c.type !== "Instruction").map((c) => [c.level, c.sizeBytes, c.source]),
    [
      [1, 48 * KiB, "cpuid"],
      [2, MiB, "cpuid"],
      [3, 32 * MiB, "cpuid"],
    ],
  );
  const broken = armbench(["info", "--quick"], packageRoot, { ...env, ARMBENCH_CPUID_RECORDING: path.join(machines, "README.md") });
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /README\.md \(ARMBENCH_CPUID_RECORDING\) is not valid JSON/);
});

test("the kernels block for the hierarchy the results file records", () => {
  const before = native.cacheSizes();
  native.setCacheSizes(48 * KiB, MiB, 32 * MiB);
  assert.deepEqual({ ...native.cacheSizes(), defaults: undefined }, { l1d: 48 * KiB, l2: MiB, l3: 32 * MiB, source: "caller", defaults: undefined });
  assert.throws(() => native.setCacheSizes(2 * MiB, MiB, 32 * MiB), /grow from l1d to l2 to l3/);
  assert.throws(() => native.setCacheSizes(0.5, MiB, 32 * MiB), RangeError);
  native.setCacheSizes(before.l1d, before.l2, before.l3);
});

test("a level the latency curve shows smaller holds bandwidth working sets only up to the curve's edge", () => {
  const env = sampleEnv();
  env.machine.virtualization = "KVM";
  const reported = resolveCaches(inputs({ cpuid: cpuidOf("intel-vm-package-l3.cpuid.json"), virtualized: true }));
  const measured = { levels: [{ level: 1, edgeBytes: 54 * KiB }, { level: 2, edgeBytes: 1400 * KiB }, { level: 3, edgeBytes: 13 * MiB }], measuredAt: "2026-12-06T23:40:00Z" };
  env.caches = withMeasuredEdges(reported, measured, null, true);
  const l3 = lastLevel(env.caches)!;
  assert.equal(l3.sizeBytes, 480 * MiB);
  assert.equal(reachableBytes(l3), 13 * MiB);
  assert.match(l3.note ?? "", /whole package's L3/);
  assert.equal(env.caches.find((c) => c.level === 2)!.disagrees, undefined, "1.37 MiB against 2 MiB is within 1.5x");
  assert.equal(streamLevel(env, 4 * MiB, 1), "L3");
  assert.equal(streamLevel(env, 64 * MiB, 1), "-", "beyond the curve's L3, short of 4x the reported one");
  assert.equal(streamLevel(env, 1920 * MiB, 1), "DRAM");
  // Measuring again replaces the earlier curve's figure rather than adding a second.
  const again = withMeasuredEdges(env.caches, { ...measured, levels: [{ level: 3, edgeBytes: 20 * MiB }] }, null, true);
  assert.deepEqual(lastLevel(again)!.disagrees?.map((d) => [d.source, d.sizeBytes]), [["measured", 20 * MiB]]);
});

test("where the curve showed no step for the last level, DRAM latency from a working set bounds it", () => {
  const reported = resolveCaches(inputs({ cpuid: cpuidOf("intel-vm-package-l3.cpuid.json"), virtualized: true }));
  const measured = { levels: [{ level: 1, edgeBytes: 52 * KiB }, { level: 2, edgeBytes: 1400 * KiB }], dramFromBytes: 30 * MiB, measuredAt: "2026-12-07T00:00:00Z" };
  const l3 = lastLevel(withMeasuredEdges(reported, measured, null, true))!;
  assert.deepEqual(l3.disagrees?.map((d) => [d.source, d.sizeBytes]), [["measured", 30 * MiB]]);
  assert.match(l3.disagrees![0]!.note!, /DRAM latency/);
  assert.equal(reachableBytes(l3), 30 * MiB);
  // The same from a saved curve, and never when the curve's DRAM begins past the level.
  assert.equal(reachableBytes(lastLevel(resolveCaches(inputs({ cpuid: cpuidOf("intel-vm-package-l3.cpuid.json"), measured })))!), 30 * MiB);
  const zen5 = resolveCaches(inputs({ cpuid: cpuidOf("zen5-vm.cpuid.json"), measured: { ...measured, dramFromBytes: 64 * MiB } }));
  assert.equal(lastLevel(zen5)!.disagrees, undefined);
});
