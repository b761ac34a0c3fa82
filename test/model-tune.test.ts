import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { cacheScope } from "../src/cache/store.js";
import { modelTuningText } from "../src/commands/info.js";
import { cellText, type TableBlock } from "../src/report/blocks.js";
import { buildSections, loadMachines } from "../src/report/build.js";
import { candidatePrograms, loadModelTuneCache } from "../src/model/tune.js";
import { loadNative, packageRoot, type NativeConvShape } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { sampleEnv, tempDir } from "./helpers/fixtures.js";

const native = loadNative();
const tiny = path.join(packageRoot, "test", "fixtures", "model-tiny.json");
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";

const shape = (k: number, r = 1): NativeConvShape => ({ n: 1, c: 64, h: 14, w: 14, k, r, s: r, stride: 1, pad: (r - 1) / 2, groups: 1 });

test("the raced programs: the default rules, each layer's winner alone unless it leaves the default's layout for less than a threshold's gain, and direct-nchwc wherever it ran", () => {
  const a = { shape: shape(64), dtype: "fp32" as const, ms: new Map([["direct-nchwc", 10], ["gemm-1x1", 8]]) };
  const b = { shape: shape(128), dtype: "fp32" as const, ms: new Map([["direct-nchwc", 10], ["im2col", 5]]) };
  const c = { shape: shape(256, 3), dtype: "fp32" as const, ms: new Map([["winograd-f4", 10], ["im2col", 9], ["direct-nchwc", 7]]) };
  // d: nothing ran alone with a checked answer: every program keeps its default.
  const d = { shape: shape(512), dtype: "fp32" as const, ms: new Map<string, number>() };
  const defaults = new Map<unknown, string>([[a, "direct-nchwc"], [b, "direct-nchwc"], [c, "winograd-f4"], [d, "direct-nchwc"]]);
  const programs = candidatePrograms([a, b, c, d], (x) => defaults.get(x)!);
  const algos = (p: { algos: Record<string, string> }) => Object.values(p.algos);
  assert.deepEqual(programs.map((p) => p.name), [
    "default rules",
    "each conv's winner alone",
    // 15%: the same choices as every winner (a's 20% and c's 22% both clear it), so not raced twice.
    "winners, leaving the layout when 40% faster",
    "winners that keep the default layout",
    "direct-nchwc wherever it runs",
  ]);
  assert.deepEqual(programs.map(algos), [
    ["direct-nchwc", "direct-nchwc", "winograd-f4", "direct-nchwc"],
    ["gemm-1x1", "im2col", "direct-nchwc", "direct-nchwc"],
    ["direct-nchwc", "im2col", "im2col", "direct-nchwc"],
    ["direct-nchwc", "direct-nchwc", "im2col", "direct-nchwc"],
    // d: direct-nchwc did not run alone, so its default stays.
    ["direct-nchwc", "direct-nchwc", "direct-nchwc", "direct-nchwc"],
  ]);
});

test("the model-tune cache: another CPU's entries and algorithms this build does not run are ignored with a warning", () => {
  const dir = tempDir();
  const file = path.join(dir, "model-tune.json");
  const env = sampleEnv();
  const here = cacheScope(env);
  const key = "1x64x14x14x64x1x1x1x0x1/fp32";
  const value = (algo: string) => ({ algos: { [key]: algo }, program: "default rules", raced: [{ program: "default rules", ms: 1.5 }], tuneMs: 900, measuredAt: "2026-12-07T00:00:00Z" });
  writeFileSync(file, JSON.stringify({ schema: "armbench-cache/1", kind: "model-tune", entries: [
    { ...here, threads: 1, dtype: "fp32", item: "resnet18/nchwc/0123456789abcdef", value: value("direct-nchwc") },
    { ...here, cpu: "Neoverse-V2", threads: 2, dtype: "fp32", item: "resnet18/nchwc/0123456789abcdef", value: value("direct-nchwc") },
    { ...here, threads: 3, dtype: "fp32", item: "resnet18/nchwc/0123456789abcdef", value: value("winograd-f9") },
    { ...here, threads: 4, dtype: "fp32", item: "resnet18/nchwc/0123456789abcdef", value: { ...value("im2col"), algos: { "1x2x3/fp32": "im2col" } } },
  ] }));
  const warnings: string[] = [];
  const cache = loadModelTuneCache(file, env, native, (m) => warnings.push(m));
  assert.deepEqual([...cache.entries.keys()], ["t1|fp32|resnet18/nchwc/0123456789abcdef"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /1 entry \(field entries\.1\.cpu: "Neoverse-V2"/);
  assert.match(warnings[0]!, /field entries\.2\.value\.algos\.1x64x14x14x64x1x1x1x0x1\/fp32: "winograd-f9" does not run this shape here/);
  assert.match(warnings[0]!, /field entries\.3\.value\.algos\.1x2x3\/fp32: not a conv shape and dtype/);
  const text = modelTuningText(env, native, file, {}).split("\n");
  assert.equal(text[0], 'resnet18 nchwc fp32, 1 thread: "default rules" 1.50 ms (best of 1 programs, tuned in 0.9 s, 2026-12-07)');
});

test("armbench model tunes its convs on first use, reuses the cache after, re-measures a stale one, and --no-tune takes the default rules; every answer checked", { timeout: 300_000 }, () => {
  const dir = tempDir();
  const env = { ...process.env, ARMBENCH_CACHE_DIR: dir, ARMBENCH_TUNE: "" };
  const cacheFile = path.join(dir, "model-tune.json");
  const run = (name: string, extra: string[] = []) => {
    const file = path.join(dir, `${name}.json`);
    const r = armbench(["model", "resnet18", "--suite", tiny, "--threads", "1", "--batch", "1", "--json", file, ...extra], undefined, env);
    assert.equal(r.status, 0, r.stderr);
    const records = loadResults(file).records;
    const latency = records.filter(ok).find((x) => x.name === "model.latency" && x.impl === "armbench");
    const check = records.find((x) => x.name === "model.check" && x.impl === "armbench");
    assert.ok(latency, `${name}: a latency record`);
    assert.ok(check && check.status === "ok" && check.check.passed === true, `${name}: the answer agrees with onnxruntime`);
    return { latency, stdout: r.stdout };
  };

  const first = run("first");
  assert.match(String(first.latency.derived?.convPolicy), /^tuned here in \d+\.\d s: "[^"]+" \(raced: default rules \d/);
  assert.equal(first.latency.derived?.algoSource, "measured");
  const stored = JSON.parse(readFileSync(cacheFile, "utf8")) as { entries: { threads: number; dtype: string; item: string; value: { algos: Record<string, string>; program: string; raced: { program: string }[] } }[] };
  assert.equal(stored.entries.length, 1);
  const e = stored.entries[0]!;
  assert.deepEqual([e.threads, e.dtype], [1, "fp32"]);
  assert.match(e.item, /^resnet18\/nchwc\/[0-9a-f]{16}$/);
  assert.ok(e.value.raced.some((r) => r.program === e.value.program), "the winner is one of the raced programs");
  // Every conv of the program ran the stored choice.
  for (const choice of String(first.latency.derived?.convAlgos).split("; ")) {
    const [, algo] = /=([^(]+)\(/.exec(choice)!;
    assert.ok(Object.values(e.value.algos).includes(algo!), choice);
  }

  // The report says where the convs' algorithms came from, with the race.
  const sections = buildSections(loadMachines([path.join(dir, "first.json")]));
  const where = sections.find((x) => x.id === "model")!.blocks.find((b): b is TableBlock => b.kind === "table" && b.caption === "Where our conv algorithms came from")!;
  assert.equal(where.rows.length, 1);
  assert.match(cellText(where.rows[0]![2]!), /^tuned here in \d+\.\d s: "/);
  assert.match(cellText(where.rows[0]![3]!), /^default rules \d+\.\d+ ms/);

  const second = run("second");
  assert.match(String(second.latency.derived?.convPolicy), /^the model-tune cache /);
  assert.equal(second.latency.derived?.algoSource, "cache");
  assert.equal(second.latency.derived?.convAlgos, String(first.latency.derived?.convAlgos).replaceAll("(measured)", "(cache)"));

  // Another build's entry is not used: said once, measured again, replaced.
  writeFileSync(cacheFile, JSON.stringify({ ...stored, schema: "armbench-cache/1", kind: "model-tune", entries: stored.entries.map((x) => ({ ...x, build: "another build" })) }));
  const stale = run("stale");
  assert.match(stale.stdout, /ignored in the model-tune cache .*field entries\.0\.build: "another build"/);
  assert.equal(stale.latency.derived?.algoSource, "measured");
  const rewritten = JSON.parse(readFileSync(cacheFile, "utf8")) as { entries: { build: string }[] };
  assert.equal(rewritten.entries.length, 1);
  assert.notEqual(rewritten.entries[0]!.build, "another build");

  const off = run("off", ["--no-tune"]);
  assert.equal(off.latency.derived?.algoSource, "default-rules");
  assert.equal(off.latency.derived?.convPolicy, "the default rules");
});
