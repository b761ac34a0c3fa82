import assert from "node:assert/strict";
import { test } from "node:test";

import { cacheKey, type FastRunCache } from "../src/conv/cache.js";
import { cachedAlgoChooser, compileModel, nativeNchwcBlock } from "../src/engine/compile.js";
import { defaultAlgoChooser, nativeConvShape } from "../src/engine/lower.js";
import { builtinModel } from "../src/engine/models/index.js";
import { UserError } from "../src/errors.js";
import type { Native } from "../src/native.js";
import { sampleEnv } from "./helpers/fixtures.js";

test("compileModel runs passes, plan and lowering; FLOPs come from the graph as given", () => {
  const g = builtinModel("resnet18", { inputSize: 64 });
  const c = compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  assert.equal(c.graph, g);
  assert.equal(c.program.arenaBytes, c.plan.arenaBytes);
  assert.equal(c.program.steps.length, c.optimized.nodes.length - 1);
  assert.ok(c.flops.macs > 0 && c.flops.macs < 1.82e9);
});

test("the fast-run cache's winner is used for shapes it measured, the default rules elsewhere", () => {
  const env = sampleEnv();
  const c = compileModel(builtinModel("resnet18", { inputSize: 64 }), { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  const first = c.program.steps.find((s) => s.op === "conv")!;
  assert.ok(first.op === "conv");
  const cache: FastRunCache = { file: "", entries: { [cacheKey(env, 4, "fp32", nativeConvShape(first.shape)!)]: { algo: "winograd-f6", gflops: 1, measuredAt: "" } } };
  const choose = cachedAlgoChooser(cache, env, 4);
  assert.equal(choose(first.shape, "fp32"), "winograd-f6");
  assert.equal(choose(first.shape, "bf16"), defaultAlgoChooser(first.shape, "bf16"), "another dtype is another entry");
  assert.equal(cachedAlgoChooser(cache, env, 8)(first.shape, "fp32"), defaultAlgoChooser(first.shape, "fp32"), "another thread count too");
});

test("the NCHWc block comes from the addon when it reports one", () => {
  assert.equal(nativeNchwcBlock({ nchwcBlock: () => 16 } as unknown as Native), 16);
  assert.equal(nativeNchwcBlock({} as Native, 8), 8);
});

test("a model needing more memory than the machine has is refused before anything is allocated", () => {
  const g = builtinModel("resnet18", { inputSize: 64, batch: 2 });
  assert.throws(
    () => compileModel(g, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16, memoryBytes: 2 ** 20 }),
    (e: unknown) => e instanceof UserError && /^resnet18 needs 0\.\d+ GiB of activations and 0\.04 GiB of weights, more than the 0\.00 GiB of memory here/.test(e.message),
  );
});
