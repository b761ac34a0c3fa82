import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { cacheScope } from "../src/cache/store.js";
import { tuningText } from "../src/commands/info.js";
import { cellText, type TableBlock } from "../src/report/blocks.js";
import { buildSections, loadMachines } from "../src/report/build.js";
import { UserError } from "../src/errors.js";
import { candidates, dtypeKernels, forcedKernel, loadTuneCache, parseBlocking, tuneOff } from "../src/gemm/tune.js";
import { loadNative, type NativeGemmKernel } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import type { OkRecord } from "../src/results/schema.js";
import { applyCacheHierarchy, collectEnv } from "../src/sysinfo/collect.js";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const native = loadNative();
// The kernels' default blockings as the CLI sees them: it blocks for the cache hierarchy
// its results file records (sysfs, CPUID or the documented sizes, whichever this machine
// offers), not for the addon's own fallback, which differs on a VM without sysfs caches.
applyCacheHierarchy(native, await collectEnv(native, sampleEnv().clock));
const kernels = native.gemmKernels();

const kernel = (over: Partial<NativeGemmKernel>): NativeGemmKernel => ({
  index: 0, name: "k", isa: "avx512", dtype: "fp32", mr: 12, nr: 32, kr: 1, unsupported: null, isDefault: true, blocking: { mc: 504, kc: 512, nc: 4096 }, ...over,
});

test("--blocking is three whole numbers; anything else is one sentence", () => {
  assert.deepEqual(parseBlocking("504,512,4096"), { mc: 504, kc: 512, nc: 4096 });
  assert.deepEqual(parseBlocking(" 8, 16 ,32"), { mc: 8, kc: 16, nc: 32 });
  for (const bad of ["", "1,2", "1,2,3,4", "0,1,1", "1.5,2,3", "a,b,c", "-1,2,3", `1,2,${2 ** 21}`]) {
    assert.throws(() => parseBlocking(bad), (e: unknown) => e instanceof UserError && /^--blocking takes MC,KC,NC/.test(e.message) && !e.message.includes("\n"), bad);
  }
  assert.equal(tuneOff(false, {}), false);
  assert.equal(tuneOff(true, {}), true);
  assert.equal(tuneOff(false, { ARMBENCH_TUNE: "off" }), true);
});

test("the candidates: each fast kernel of the dtype at its own blocking and its neighbours, the reference only when nothing else runs", () => {
  const a = kernel({ name: "a" });
  const b = kernel({ name: "b", isDefault: false, mr: 6, blocking: { mc: 510, kc: 512, nc: 4096 } });
  const ref = kernel({ name: "ref", isa: "ref", isDefault: false });
  const off = kernel({ name: "off", isDefault: false, unsupported: "needs avx512_bf16" });
  assert.deepEqual(dtypeKernels([a, b, ref, off], "fp32").map((k) => k.name), ["a", "b"]);
  assert.deepEqual(dtypeKernels([ref, off], "fp32").map((k) => k.name), ["ref"]);
  const c = candidates([a, b]);
  assert.deepEqual(c.filter((x) => x.kernel === a).map((x) => x.blocking), [
    { mc: 504, kc: 512, nc: 4096 }, { mc: 252, kc: 512, nc: 4096 }, { mc: 504, kc: 1024, nc: 4096 }, { mc: 252, kc: 1024, nc: 4096 },
  ]);
  // Half of 510 rounded down to a multiple of mr = 6.
  assert.equal(c.find((x) => x.kernel === b && x.blocking.kc === 512 && x.blocking.mc !== 510)!.blocking.mc, 252);
  assert.throws(() => forcedKernel([a], "nope"), (e: unknown) => e instanceof UserError && /--kernel nope: no such kernel in this build \(a\)/.test(e.message));
  assert.throws(() => forcedKernel([off], "off"), (e: unknown) => e instanceof UserError && /does not run on this CPU: needs avx512_bf16/.test(e.message));
});

test("the tuning cache: another CPU's entries and unknown kernels are ignored with a warning, this machine's kept", () => {
  const dir = tempDir();
  const file = path.join(dir, "gemm-tune.json");
  const env = sampleEnv();
  const here = cacheScope(env);
  const fp32 = kernels.find((k) => k.dtype === "fp32" && k.isDefault)!;
  const value = (k: string) => ({ kernel: k, blocking: { mc: 24, kc: 64, nc: 128 }, gflops: 10, candidates: 4, measuredAt: "2026-12-07T00:00:00Z" });
  const entries = [
    { ...here, threads: 1, dtype: "fp32", item: "square768", value: value(fp32.name) },
    { ...here, cpu: "Neoverse-V2", threads: 2, dtype: "fp32", item: "square768", value: value(fp32.name) },
    { ...here, threads: 3, dtype: "fp32", item: "square768", value: value("f32_from_another_build") },
    { ...here, threads: 4, dtype: "bf16", item: "square768", value: value(fp32.name) },
  ];
  writeFileSync(file, JSON.stringify({ schema: "armbench-cache/1", kind: "gemm-tune", entries }));
  const warnings: string[] = [];
  const cache = loadTuneCache(file, env, kernels, (m) => warnings.push(m));
  assert.deepEqual([...cache.entries.keys()], ["t1|fp32|square768"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /1 entry \(field entries\.1\.cpu: "Neoverse-V2"/);
  // One line per reason: the unknown kernel and the kernel of another dtype are both value.kernel.
  assert.match(warnings[0]!, /2 entries \(field entries\.2\.value\.kernel: unknown kernel "f32_from_another_build"\)/);
});

test("info lists this machine's tuned choices, counts the rest, and says when tuning is off", () => {
  const dir = tempDir();
  const file = path.join(dir, "gemm-tune.json");
  const env = sampleEnv();
  const fp32 = kernels.find((k) => k.dtype === "fp32" && k.isDefault)!;
  const value = { kernel: fp32.name, blocking: { mc: 24, kc: 64, nc: 128 }, gflops: 12.34, candidates: 8, measuredAt: "2026-12-07T08:00:00Z" };
  writeFileSync(file, JSON.stringify({ schema: "armbench-cache/1", kind: "gemm-tune", entries: [
    { ...cacheScope(env), threads: 2, dtype: "fp32", item: "square768", value },
    { ...cacheScope(env), cpu: "Zen 5", threads: 1, dtype: "fp32", item: "square768", value },
  ] }));
  const text = tuningText(env, native, file, {});
  assert.deepEqual(text.split("\n"), [
    `fp32, 2 threads: ${fp32.name} mc 24 kc 64 nc 128 (12.3 GFLOP/s at 768^3, best of 8, 2026-12-07)`,
    "(a warning about entries of other machines or builds: armbench gemm prints them)",
    `cache: ${file}`,
  ]);
  const none = tuningText(env, native, path.join(dir, "missing.json"), { ARMBENCH_TUNE: "off" }).split("\n");
  assert.deepEqual(none.slice(0, 2), ["nothing cached for this machine and build: the next armbench gemm tunes", "ARMBENCH_TUNE=off: each kernel's defaults run, the cache is not used"]);
});

function ourGemm(file: string): OkRecord[] {
  return loadResults(file).records.filter((r): r is OkRecord => r.status === "ok" && r.name === "gemm" && r.impl === "armbench");
}

test("armbench gemm tunes on first use, reuses the cache after, and a forced kernel or blocking or --no-tune times nothing; every answer checked", { timeout: 300_000 }, () => {
  const dir = tempDir();
  const env = { ...process.env, ARMBENCH_CACHE_DIR: dir, ARMBENCH_TUNE: "" };
  const run = (name: string, extra: string[]) => {
    const file = path.join(dir, `${name}.json`);
    const r = armbench(["gemm", "--sizes", "96", "--threads", "1", "--no-peers", "--quick", "--json", file, "--quiet", ...extra], undefined, env);
    assert.equal(r.status, 0, r.stderr);
    return ourGemm(file);
  };
  const fp32 = dtypeKernels(kernels, "fp32");
  const first = run("first", []);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.derived?.tuning, "measured");
  assert.ok(existsSync(path.join(dir, "gemm-tune.json")));
  const stored = JSON.parse(readFileSync(path.join(dir, "gemm-tune.json"), "utf8")) as { entries: { value: { kernel: string; blocking: { mc: number; kc: number; nc: number } } }[] };
  assert.equal(stored.entries.length, 1);
  const won = stored.entries[0]!.value;
  assert.ok(candidates(fp32).some((c) => c.kernel.name === won.kernel && c.blocking.mc === won.blocking.mc && c.blocking.kc === won.blocking.kc), "the winner is a candidate");
  assert.equal(first[0]!.derived?.blocking, `${won.blocking.mc},${won.blocking.kc},${won.blocking.nc}`);

  // The report's table of every case says which blocking ran and where it came from.
  const sections = buildSections(loadMachines([path.join(dir, "first.json")]));
  const every = sections.find((x) => x.id === "gemm")!.blocks.find((b): b is TableBlock => b.kind === "table" && b.caption === "Every GEMM case")!;
  const ours = every.rows.find((r) => r[1] === "armbench")!;
  assert.match(cellText(ours[3]!), new RegExp(`\\[mc,kc,nc ${won.blocking.mc},${won.blocking.kc},${won.blocking.nc}, measured\\]$`));

  const second = run("second", []);
  assert.equal(second[0]!.derived?.tuning, "cache");
  assert.equal(second[0]!.derived?.blocking, first[0]!.derived?.blocking);

  const def = fp32.find((k) => k.isDefault)!;
  const off = run("off", ["--no-tune"]);
  assert.equal(off[0]!.derived?.tuning, "default");
  assert.equal(off[0]!.derived?.blocking, `${def.blocking.mc},${def.blocking.kc},${def.blocking.nc}`);

  // A kernel forced for fp32 under --dtype all: bf16 runs its defaults, nothing is timed.
  const bothFile = path.join(dir, "both.json");
  const both = armbench(["gemm", "--sizes", "96", "--threads", "1", "--no-peers", "--quick", "--dtype", "all", "--kernel", def.name, "--json", bothFile, "--quiet"], undefined, env);
  assert.equal(both.status, 0, both.stderr);
  const byDtype = new Map(ourGemm(bothFile).map((r) => [r.params.dtype, r.derived?.tuning]));
  assert.equal(byDtype.get("fp32"), "forced");
  if (byDtype.has("bf16")) assert.equal(byDtype.get("bf16"), "default");

  // Every fp32 kernel this CPU runs, forced, and a small blocking that splits 96 into
  // several blocks of each loop: each answer checked against the double reference.
  for (const k of dtypeKernels(kernels, "fp32")) {
    const forced = run(`kernel-${k.name}`, ["--kernel", k.name, "--blocking", `${2 * k.mr},32,${2 * k.nr}`]);
    assert.equal(forced[0]!.derived?.tuning, "forced");
    assert.ok(String(forced[0]!.params.kernel).startsWith(k.name), String(forced[0]!.params.kernel));
    assert.equal(forced[0]!.check.passed, true);
  }
});

test("a bad --kernel or --blocking is one sentence and a non-zero exit", () => {
  for (const [args, want] of [
    [["--kernel", "f32_nope"], /--kernel f32_nope: no such kernel in this build/],
    [["--blocking", "1,2"], /--blocking takes MC,KC,NC/],
    [["--kernel", "bf16_ref_4x4"], /--kernel bf16_ref_4x4 computes bf16, which --dtype fp32 does not run\./],
  ] as const) {
    const r = armbench(["gemm", "--sizes", "32", "--threads", "1", "--no-peers", "--quick", ...args]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
