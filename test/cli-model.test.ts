import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { compileModel } from "../src/engine/compile.js";
import { seededInputs } from "../src/engine/inputs.js";
import { defaultAlgoChooser } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import { loadOnnxFile, readTensorFile, writeTensorFile } from "../src/engine/onnx.js";
import { runOrt } from "../src/engine/ort.js";
import { loadNative, packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

const tiny = path.join(packageRoot, "test", "fixtures", "model-tiny.json");
const native = loadNative();
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";

test("model runs ours and onnxruntime side by side, checks the answer, and writes every record", () => {
  const file = path.join(tempDir(), "model.json");
  const r = armbench(["model", "resnet18", "--suite", tiny, "--threads", "1", "--profile", "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  for (const batch of [1, 2]) {
    const ours = records.filter(ok).find((x) => x.name === "model.latency" && x.impl === "armbench" && x.params.batch === batch);
    const ort = records.filter(ok).find((x) => x.name === "model.latency" && x.impl === "onnxruntime" && x.params.batch === batch);
    assert.ok(ours && ort, `latency records for batch ${batch}`);
    assert.equal(ours.samples.length, 2);
    assert.deepEqual([ours.params.model, ours.params.threads, ours.params.fpmath], ["resnet18", 1, "fp32"]);
    assert.ok(Number(ours.params.flops) > 0);
    assert.ok(Number(ours.derived?.["peakActivationBytes"]) > 0 && Number(ours.derived?.["loadMs"]) > 0);
    const check = records.filter(ok).find((x) => x.name === "model.check" && x.params.batch === batch);
    assert.ok(check && Number(check.params.cosine) >= 0.9999, JSON.stringify(check));
    const thr = records.filter(ok).find((x) => x.name === "model.throughput" && x.impl === "armbench" && x.params.batch === batch);
    assert.ok(thr && Math.abs(thr.median - (batch * 1000) / ours.median) / thr.median < 0.5);
    // The profile: one record per executor step, shares adding up to 1.
    const ops = records.filter(ok).filter((x) => x.name === "model.op" && x.params.batch === batch);
    assert.ok(ops.some((x) => x.params.op === "conv"));
    const share = ops.reduce((a, x) => a + Number(x.params.share), 0);
    assert.ok(Math.abs(share - 1) < 1e-6, String(share));
  }
  assert.match(r.stdout, /Per-op profile/);
  assert.match(r.stdout, /vs onnxruntime/);
});

test("bf16 fast-math is checked against our fp32 answer", () => {
  const file = path.join(tempDir(), "bf16.json");
  const r = armbench(["model", "mobilenetv2", "--suite", tiny, "--threads", "1", "--batch", "1", "--fpmath", "bf16", "--no-peers", "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  const check = records.filter(ok).find((x) => x.name === "model.check");
  assert.ok(check && Number(check.params.cosine) >= 0.99 && check.params.fpmath === "bf16", JSON.stringify(check));
  assert.ok(!records.some((x) => x.impl === "onnxruntime"), "--no-peers runs no peer");
});

test("a model saved with --save loads back with --onnx, runs identically here, and onnxruntime accepts it", async () => {
  const dir = tempDir();
  const file = path.join(dir, "resnet18.onnx");
  const s = armbench(["model", "resnet18", "--suite", tiny, "--save", file, "--threads", "1", "--batch", "1", "--no-peers", "--json", path.join(dir, "r.json"), "--quiet"]);
  assert.equal(s.status, 0, s.stderr);
  assert.ok(existsSync(file));
  const built = builtinModel("resnet18", { batch: 1, inputSize: 32 });
  const loaded = loadOnnxFile(file);
  const inputs = seededInputs(built);
  const run = async (g: typeof built) => {
    const e = native.engineCreate(compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock() }).program);
    return (await native.engineRun(e, inputs.map((t) => t.data))).outputs[0]!;
  };
  assert.deepEqual(await run(loaded), await run(built));
  const ort = await runOrt(new Uint8Array(readFileSync(file)), { [loaded.inputs[0]!.name]: inputs[0]! });
  assert.equal(Object.values(ort)[0]!.data.length, (await run(built)).length);
});

const relu = "/usr/share/libonnx-testdata/data/node/test_relu";
// CI sets ARMBENCH_REQUIRE_ONNX_TESTDATA=1: there, a missing package fails instead of skipping.
const required = process.env.ARMBENCH_REQUIRE_ONNX_TESTDATA === "1";
test("--test-data passes the ONNX backend test for Relu and fails a tampered copy", { skip: existsSync(relu) || required ? false : `${relu} is absent (Debian package libonnx-testdata)` }, () => {
  assert.ok(existsSync(relu), `${relu} is absent: install Debian's libonnx-testdata`);
  const good = armbench(["model", "--onnx", path.join(relu, "model.onnx"), "--test-data", relu]);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /test_data_set_0\s*│\s*pass/);
  const dir = tempDir();
  cpSync(relu, dir, { recursive: true });
  const set = readdirSync(dir).find((f) => f.startsWith("test_data_set_"))!;
  const out = path.join(dir, set, "output_0.pb");
  const t = readTensorFile(out);
  t.data[3] = t.data[3]! + 1;
  writeTensorFile(out, t);
  const bad = armbench(["model", "--onnx", path.join(dir, "model.onnx"), "--test-data", dir]);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /FAIL/);
});

test("bad model input gets one sentence and a non-zero exit, before anything is measured", () => {
  const dir = tempDir();
  const junk = path.join(dir, "junk.onnx");
  writeFileSync(junk, Buffer.from([0x0a, 0xff, 0xff, 0x01]));
  mkdirSync(path.join(dir, "empty"));
  const cases: [string[], RegExp][] = [
    [["model", "resnet51"], /unknown model "resnet51"/],
    [["model"], /name a built-in model/],
    [["model", "resnet18", "--onnx", junk], /either a built-in model name or --onnx/],
    [["model", "resnet18", "--fpmath", "fp16"], /unknown --fpmath "fp16"/],
    [["model", "resnet18", "--batch", "0"], /--batch must be a whole number/],
    [["model", "--onnx", junk], /not (a valid )?(an )?ONNX model/],
    [["model", "--onnx", path.join(dir, "missing.onnx")], /missing\.onnx/],
    [["model", "resnet18", "--suite", tiny, "--test-data", path.join(dir, "empty")], /no test_data_set_N folders/],
  ];
  for (const [args, want] of cases) {
    const r = armbench([...args, "--quiet"]);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, want, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, `one sentence for ${args.join(" ")}: ${r.stderr}`);
  }
});

test("model --list shows every built-in model with its MACs", () => {
  const r = armbench(["model", "--list"]);
  assert.equal(r.status, 0, r.stderr);
  for (const m of ["resnet50", "resnet18", "alexnet", "vgg16", "mobilenetv2"]) assert.match(r.stdout, new RegExp(m));
});

test("a built-in transformer runs against onnxruntime: both outputs checked, tokens/s, a profile by part of the block", () => {
  const file = path.join(tempDir(), "bert.json");
  const r = armbench(["model", "distilbert", "--seq", "16", "--suite", tiny, "--threads", "1", "--batch", "2", "--profile", "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  const ours = records.filter(ok).find((x) => x.name === "model.latency" && x.impl === "armbench");
  assert.ok(ours, "our latency record");
  assert.ok(Math.abs(Number(ours.derived?.["tokensPerS"]) - (2 * 16 * 1000) / ours.median) < 1e-6 * Number(ours.derived?.["tokensPerS"]));
  const check = records.filter(ok).find((x) => x.name === "model.check");
  assert.ok(check && Number(check.params.cosine) >= 0.9999, JSON.stringify(check));
  assert.ok(records.some((x) => x.name === "model.throughput" && x.unit === "sequences/s"));
  const parts = new Set(records.filter(ok).filter((x) => x.name === "model.op").map((x) => x.params.part));
  for (const p of ["attention", "FFN", "layer norm"]) assert.ok(parts.has(p), `profile part ${p}`);
  assert.match(r.stdout, /by part of the transformer block/);
  assert.match(r.stdout, /tokens\/s/);
});

test("--seq belongs to transformers and --input-size to image models", () => {
  const a = armbench(["model", "resnet18", "--seq", "64", "--quick"]);
  assert.equal(a.status, 1);
  assert.match(a.stderr, /--seq applies to the built-in transformers/);
  const b = armbench(["model", "distilbert", "--seq", "600", "--quick"]);
  assert.equal(b.status, 1);
  assert.match(b.stderr, /--seq must be a whole number from 1 to 512/);
});
