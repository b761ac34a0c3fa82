import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { cacheScope, MAX_CACHE_FILE_BYTES, quoteDifference } from "../src/cache/store.js";
import { cachedWinner, loadCache, saveCache, storeWinner, type FastRunCache } from "../src/conv/cache.js";
import { cachedAlgoPolicy, compileModel } from "../src/engine/compile.js";
import { defaultAlgoChooser, nativeConvShape } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import { PeakBook } from "../src/micro/peak-book.js";
import { runModelPlan } from "../src/model/run.js";
import { loadNative, packageRoot, type NativeConvShape } from "../src/native.js";
import { createProgress } from "../src/progress.js";
import { loadResults } from "../src/results/load.js";
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const native = loadNative();
const convTiny = path.join(packageRoot, "test", "fixtures", "conv-tiny.json");
const modelTiny = path.join(packageRoot, "test", "fixtures", "model-tiny.json");
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";
const shape: NativeConvShape = { n: 1, c: 16, h: 8, w: 8, k: 16, r: 3, s: 3, stride: 1, pad: 1, groups: 1 };

interface FileEntry { cpu: string; isa: string; version: string; build: string; threads: number; dtype: string; item: string; value: { algo: unknown } }
const entriesOf = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { entries: FileEntry[] }).entries;

/** A cache of `env`'s scope holding `algo` for `shape` at one thread, saved to a fresh file. */
function savedCache(env = sampleEnv(), algo = "im2col-tiled"): string {
  const file = path.join(tempDir(), "conv-fast-run.json");
  const cache: FastRunCache = { file, kind: "conv-fast-run", scope: cacheScope(env), entries: new Map(), changed: false };
  storeWinner(cache, 1, "fp32", shape, { algo, gflops: 10, measuredAt: "2026-12-01T00:00:00Z" });
  saveCache(cache);
  return file;
}

function load(file: string, env = sampleEnv()) {
  const warnings: string[] = [];
  const cache = loadCache(file, env, native, (m) => warnings.push(m));
  return { cache, warnings };
}

test("every entry carries its whole key, and one saved by this build is read back", () => {
  const file = savedCache();
  const [e] = entriesOf(file);
  const scope = cacheScope(sampleEnv());
  assert.deepEqual([e!.cpu, e!.isa, e!.version, e!.build, e!.threads, e!.dtype], [scope.cpu, scope.isa, scope.version, scope.build, 1, "fp32"]);
  assert.match(e!.build, /GNU 12\.2\.0 Release \[-O3\]/);
  const { cache, warnings } = load(file);
  assert.deepEqual(warnings, []);
  assert.equal(cachedWinner(cache, 1, "fp32", shape)?.algo, "im2col-tiled");
  assert.equal(cachedWinner(cache, 2, "fp32", shape), undefined, "another thread count is another entry");
  assert.equal(cachedWinner(cache, 1, "bf16", shape), undefined, "another dtype is another entry");
});

test("entries of another build, version, CPU or ISA are ignored with one warning naming the file and field", () => {
  const file = savedCache();
  const cases: [Partial<ReturnType<typeof sampleEnv>>, string][] = [
    [{ build: { compiler: "Clang 18.1.0", buildType: "Release", flags: "-O3", isaFlags: "" } }, "build"],
    [{ armbench: { version: "0.2.0", git: null } }, "version"],
    [{ armbench: { version: "0.1.0", git: { commit: "0123abc", dirty: false } } }, "build"],
  ];
  for (const [change, field] of cases) {
    const { cache, warnings } = load(file, { ...sampleEnv(), ...change });
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.ok(warnings[0]!.includes(file), warnings[0]);
    assert.match(warnings[0]!, new RegExp(`1 entry \\(field entries\\.0\\.${field}: `));
    assert.equal(cachedWinner(cache, 1, "fp32", shape), undefined, `a cache of another ${field} is never used`);
    assert.ok(cache.changed, "the next save drops it");
  }
  const other = sampleEnv();
  other.cpu = { ...other.cpu, model: "Neoverse-V2" };
  const { warnings } = load(file, other);
  assert.match(warnings[0] ?? "", /field entries\.0\.cpu: "Neoverse-N1", this run's is "Neoverse-V2"/);
  const isa = sampleEnv();
  isa.isa = { ...isa.isa, features: { asimd: true, bf16: true } };
  assert.match(load(file, isa).warnings[0] ?? "", /field entries\.0\.isa: /);
});

test("an entry with a non-string, unknown or unusable algorithm is ignored with a warning naming the field; the good ones stay", () => {
  const file = savedCache();
  const [good] = entriesOf(file);
  const other = { ...good!, dtype: "bf16" };
  const bad = (algo: unknown, item = good!.item) => ({ ...good!, threads: 2, item, value: { ...good!.value, algo } });
  for (const [entry, pattern] of [
    [bad(42), /1 entry \(field entries\.1\.value\.algo: .*expected string/],
    [bad("winograd-f9"), /1 entry \(field entries\.1\.value\.algo: unknown algorithm "winograd-f9"\)/],
    [bad("reference"), /field entries\.1\.value\.algo: unknown algorithm "reference"/],
    // A 3x3 layer can not run as a 1x1 GEMM.
    [bad("gemm-1x1"), /field entries\.1\.value\.algo: "gemm-1x1" does not run this shape/],
    [bad("im2col-tiled", "1x2x3"), /field entries\.1\.item: "1x2x3" is not a layer shape/],
    [{ ...good!, threads: 0 }, /field entries\.1\.threads: /],
  ] as const) {
    writeFileSync(file, JSON.stringify({ schema: "armbench-cache/1", kind: "conv-fast-run", entries: [good, entry, other] }));
    const { cache, warnings } = load(file);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.ok(warnings[0]!.startsWith(`ignored in the conv-fast-run cache ${file}: `), warnings[0]);
    assert.match(warnings[0]!, pattern);
    assert.equal(cache.entries.size, 2, "the valid entries are still used");
    assert.equal(cachedWinner(cache, 2, "fp32", shape), undefined);
  }
});

test("a malformed cache file is an empty cache with one warning, never fatal, and the next save replaces it", () => {
  const file = savedCache();
  const cases: [string, RegExp][] = [
    ["{ not json", /not valid JSON/],
    [JSON.stringify({ schema: "armbench-cache/1", kind: "conv-fast-run", entries: {} }), /field entries: /],
    [JSON.stringify({ schema: "armbench-conv-fast-run/1", entries: {} }), /field schema: /],
    [JSON.stringify({ schema: "armbench-cache/1", kind: "gemm-tuning", entries: [] }), /field kind: "gemm-tuning", expected "conv-fast-run"/],
    [" ".repeat(MAX_CACHE_FILE_BYTES + 1), /larger than/],
  ];
  for (const [text, why] of cases) {
    writeFileSync(file, text);
    const { cache, warnings } = load(file);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.includes(file));
    assert.match(warnings[0]!, why);
    assert.equal(cache.entries.size, 0);
    storeWinner(cache, 1, "fp32", shape, { algo: "im2col-tiled", gflops: 1, measuredAt: "" });
    saveCache(cache);
    assert.equal(load(file).warnings.length, 0, "the save replaced it");
    assert.equal(entriesOf(file).length, 1);
  }
  assert.deepEqual(load(path.join(tempDir(), "absent.json")).warnings, [], "no cache yet says nothing");
});

test("conv --fast-run: another build's winners and bad entries are measured again with one warning, and records say where each algorithm came from", () => {
  const dir = tempDir();
  const cache = path.join(dir, "cache.json");
  const args = ["conv", "--net", "tiny", "--threads", "1", "--batch", "1", "--suite", convTiny, "--fast-run", "--cache", cache];
  const first = armbench([...args, "--json", path.join(dir, "a.json")]);
  assert.equal(first.status, 0, first.stderr);
  const firstRecords = loadResults(path.join(dir, "a.json")).records;
  for (const w of firstRecords.filter((x) => x.name === "conv.winner")) assert.equal(w.derived?.algoSource, "measured");
  for (const c of firstRecords.filter((x) => x.name === "conv")) assert.equal(c.derived?.algoSource, "all-algorithms");
  const written = entriesOf(cache);
  assert.equal(written.length, 5);

  // Written by another build: ignored, everything timed again, and the cache rewritten.
  writeFileSync(cache, JSON.stringify({ schema: "armbench-cache/1", kind: "conv-fast-run", entries: written.map((e) => ({ ...e, build: "another compiler" })) }));
  const second = armbench([...args, "--json", path.join(dir, "b.json")]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /\(0 layer cases reused\)/);
  assert.equal(second.stdout.split(cache).length - 1, 1, "one warning names the file");
  assert.match(second.stdout, /5 entries \(field entries\.0\.build: "another compiler", this run's is /);
  const b = loadResults(path.join(dir, "b.json")).records;
  assert.ok(b.filter((x) => x.name === "conv" && x.status === "ok").length > 5, "every algorithm timed again");
  assert.deepEqual(entriesOf(cache).map((e) => e.build), written.map((e) => e.build), "rewritten by this build");

  // A non-string and an unknown algorithm: ignored (never an internal error), the rest reused.
  const now = entriesOf(cache);
  now[0]!.value.algo = 42;
  now[1]!.value.algo = "winograd-f9";
  writeFileSync(cache, JSON.stringify({ schema: "armbench-cache/1", kind: "conv-fast-run", entries: now }));
  const third = armbench([...args, "--json", path.join(dir, "c.json")]);
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, /2 entries \(field entries\.0\.value\.algo: /);
  assert.match(third.stderr, /\(3 layer cases reused\)/);
  const c = loadResults(path.join(dir, "c.json")).records;
  const sources = c.filter((x) => x.name === "conv.winner").map((x) => x.derived?.algoSource).sort();
  assert.deepEqual(sources, ["cache", "cache", "cache", "measured", "measured"]);
  assert.ok(entriesOf(cache).every((e) => typeof e.value.algo === "string" && e.value.algo !== "winograd-f9"));

  // --algo times a subset: the cache is used only where its winner is in it, and the
  // subset's fastest never replaces a layer's winner.
  const winners = entriesOf(cache).map((e) => [e.item, e.value.algo]);
  const only = String(winners[0]![1]);
  const fourth = armbench([...args, "--algo", only, "--json", path.join(dir, "d.json")]);
  assert.equal(fourth.status, 0, fourth.stderr);
  const d = loadResults(path.join(dir, "d.json")).records;
  for (const x of d.filter((r) => r.name === "conv")) {
    assert.equal(x.params.algo, only);
    const cachedHere = winners.some(([item, algo]) => algo === only && item === [x.params.n, x.params.c, x.params.h, x.params.w, x.params.k, x.params.r, x.params.s, x.params.stride, x.params.pad, x.params.groups].join("x"));
    assert.equal(x.derived?.algoSource, cachedHere ? "cache" : "requested");
  }
  assert.deepEqual(entriesOf(cache).map((e) => [e.item, e.value.algo]), winners);
});

test("the model uses the fast-run winners of its own thread count, and its records say where each conv's algorithm came from", (t) => {
  const dir = tempDir();
  const env = { ...process.env, ARMBENCH_CACHE_DIR: dir };
  const base = ["model", "resnet18", "--suite", modelTiny, "--batch", "1", "--no-peers", "--profile", "--quiet"];
  const plain = armbench([...base, "--threads", "1", "--json", path.join(dir, "plain.json")], packageRoot, env);
  assert.equal(plain.status, 0, plain.stderr);
  const results = loadResults(path.join(dir, "plain.json"));
  const latencyOf = (records: ResultRecord[]) => records.filter(ok).find((x) => x.name === "model.latency" && x.impl === "armbench")!;
  const before = latencyOf(results.records);
  assert.equal(before.derived?.algoSource, "default-rules", "no cache: the default rules");
  assert.equal(before.derived?.convsFromCache, 0);

  // 1-thread winners that differ from the default rules, for every conv of this model.
  const g = builtinModel("resnet18", { batch: 1, inputSize: 32 });
  const program = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() }).program;
  const file = path.join(dir, "winners.json");
  const cache: FastRunCache = { file, kind: "conv-fast-run", scope: cacheScope(results.env), entries: new Map(), changed: false };
  const shapeOf = new Map<string, NativeConvShape>();
  for (const st of program.steps) {
    if (st.op !== "conv") continue;
    const s = nativeConvShape(st.shape)!;
    shapeOf.set(st.name, s);
    const algo = native.convAlgos(s).find((a) => a.unsupported === null && a.name !== "reference" && a.name !== st.algo)!.name;
    storeWinner(cache, 1, "fp32", s, { algo, gflops: 1, measuredAt: "" });
  }
  saveCache(cache);

  const one = armbench([...base, "--threads", "1", "--cache", file, "--json", path.join(dir, "one.json")], packageRoot, env);
  assert.equal(one.status, 0, one.stderr);
  const r1 = loadResults(path.join(dir, "one.json")).records;
  const l1 = latencyOf(r1);
  assert.equal(l1.derived?.algoSource, "cache");
  assert.equal(l1.derived?.convsFromCache, shapeOf.size);
  for (const op of r1.filter(ok).filter((x) => x.name === "model.op" && x.params.op === "conv")) {
    assert.equal(op.derived?.algoSource, "cache");
    assert.equal(op.derived?.algo, cachedWinner(cache, 1, "fp32", shapeOf.get(String(op.params.node))!)?.algo, String(op.params.node));
  }

  if (native.allowedCpus().length < 2) {
    t.skip("one CPU here: the 2-thread half needs two");
    return;
  }
  const two = armbench([...base, "--threads", "2", "--cache", file, "--json", path.join(dir, "two.json")], packageRoot, env);
  assert.equal(two.status, 0, two.stderr);
  const r2 = loadResults(path.join(dir, "two.json")).records;
  const l2 = latencyOf(r2);
  assert.equal(l2.params.threads, 2);
  assert.equal(l2.derived?.algoSource, "default-rules", "1-thread winners are not used at 2 threads");
  assert.equal(l2.derived?.convsFromCache, 0);
  assert.equal(l2.derived?.convAlgos, before.derived?.convAlgos, "the default rules' choices, layer by layer");
  for (const op of r2.filter(ok).filter((x) => x.name === "model.op" && x.params.op === "conv")) assert.equal(op.derived?.algoSource, "default-rules");
});

test("one model run over 1 and 2 threads compiles each thread count with its own winners", async (t) => {
  const cpus = native.allowedCpus();
  if (cpus.length < 2) {
    t.skip("one CPU here: two thread counts need two");
    return;
  }
  const g = builtinModel("resnet18", { batch: 1, inputSize: 32 });
  const program = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() }).program;
  const cache: FastRunCache = { file: "winners.json", kind: "conv-fast-run", scope: cacheScope(sampleEnv()), entries: new Map(), changed: false };
  const conv = program.steps.find((s) => s.op === "conv")!;
  assert.ok(conv.op === "conv");
  const s = nativeConvShape(conv.shape)!;
  const other = native.convAlgos(s).find((a) => a.unsupported === null && a.name !== "reference" && a.name !== conv.algo)!.name;
  storeWinner(cache, 1, "fp32", s, { algo: other, gflops: 1, measuredAt: "" });
  const records: ResultRecord[] = [];
  const record = (r: ResultRecord) => records.push(r);
  const peaks = new PeakBook({ native, settings: { steps: 100000, samples: 2 }, record });
  const summary = await runModelPlan(
    { native, record, progress: createProgress(true), cpus, peaks, warn: () => {} },
    {
      model: "resnet18", graphAt: () => g, batches: [1], threads: [1, 2], fpmath: "fp32",
      algosFor: (threads) => cachedAlgoPolicy(cache, threads), warmup: 0, iterations: 2, profile: false, peers: false, layout: "nchwc",
    },
  );
  const latency = (threads: number) => records.filter(ok).find((x) => x.name === "model.latency" && x.params.threads === threads)!;
  assert.equal(latency(1).derived?.convsFromCache, 1);
  assert.ok(String(latency(1).derived?.convAlgos).startsWith(`${conv.name}=${other}(cache); `));
  assert.equal(latency(2).derived?.convsFromCache, 0, "the 1-thread winner is not used at 2 threads");
  assert.ok(String(latency(2).derived?.convAlgos).startsWith(`${conv.name}=${conv.algo}(default-rules); `));
  assert.deepEqual(summary.convAlgos.map((c) => [c.threads, c.choices[0]!.algo, c.choices[0]!.source]), [[1, other, "cache"], [2, conv.algo, "default-rules"]]);
});

test("a warning quotes two long scope values from where they differ, short ones whole", () => {
  const flags = "GNU 12.2.0 Release [" + "-mavx512f ".repeat(100) + "]";
  const [theirs, ours] = quoteDifference(`${flags} da476bf`, `${flags} e187092`);
  assert.ok(theirs.length < 60 && ours.length < 60, `${theirs} / ${ours}`);
  assert.match(theirs, /^\.\.\..* da476bf$/);
  assert.match(ours, /^\.\.\..* e187092$/);
  assert.deepEqual(quoteDifference("Neoverse-N1", "Neoverse-V2"), ["Neoverse-N1", "Neoverse-V2"]);
});
