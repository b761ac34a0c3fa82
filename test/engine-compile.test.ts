import assert from "node:assert/strict";
import { test } from "node:test";

import { cacheScope } from "../src/cache/store.js";
import { storeWinner, type FastRunCache } from "../src/conv/cache.js";
import { cachedAlgoPolicy, compileModel, convChoiceFields, convChoices, nativeNchwcBlock } from "../src/engine/compile.js";
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

test("the fast-run cache's winner is used for shapes it measured at this thread count, the default rules elsewhere", () => {
  const c = compileModel(builtinModel("resnet18", { inputSize: 64 }), { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: 16 });
  const first = c.program.steps.find((s) => s.op === "conv")!;
  assert.ok(first.op === "conv");
  const cache: FastRunCache = { file: "f.json", kind: "conv-fast-run", scope: cacheScope(sampleEnv()), entries: new Map(), changed: false };
  storeWinner(cache, 4, "fp32", nativeConvShape(first.shape)!, { algo: "winograd-f6", gflops: 1, measuredAt: "" });
  const policy = cachedAlgoPolicy(cache, 4);
  assert.equal(policy.choose(first.shape, "fp32"), "winograd-f6");
  assert.equal(policy.sourceOf(first.shape, "fp32"), "cache");
  assert.equal(policy.choose(first.shape, "bf16"), defaultAlgoChooser(first.shape, "bf16"), "another dtype is another entry");
  assert.equal(policy.sourceOf(first.shape, "bf16"), "default-rules");
  const eight = cachedAlgoPolicy(cache, 8);
  assert.equal(eight.choose(first.shape, "fp32"), defaultAlgoChooser(first.shape, "fp32"), "another thread count too");
  assert.equal(eight.sourceOf(first.shape, "fp32"), "default-rules");

  const compiled = compileModel(builtinModel("resnet18", { inputSize: 64 }), { fpmath: "fp32", chooseAlgo: policy.choose, nchwcBlock: 16 });
  const choices = convChoices(compiled.program, policy);
  assert.deepEqual(choices[0], { node: first.name, algo: "winograd-f6", source: "cache" });
  const fields = convChoiceFields(choices);
  assert.equal(fields.algoSource, "cache+default-rules");
  assert.equal(fields.convsFromCache, choices.filter((x) => x.source === "cache").length);
  assert.equal(Number(fields.convsFromCache) + Number(fields.convsFromDefaultRules), choices.length);
  assert.ok(String(fields.convAlgos).startsWith(`${first.name}=winograd-f6(cache); `), String(fields.convAlgos));
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
