import assert from "node:assert/strict";
import { test } from "node:test";

import { UserError } from "../src/errors.js";
import { countFlops, inferShapes, type Graph } from "../src/engine/ir.js";
import { BUILTIN_MODELS, builtinModel } from "../src/engine/models/index.js";
import { ConvSuite, loadSuite } from "../src/suites.js";
import { randomInputs, runGraph } from "./helpers/engine.js";

const within = (got: number, want: number, rel: number) => Math.abs(got - want) <= rel * want;

test("ResNet-50 v1.5 is 4.09 GMACs (8.2 GFLOP) at 224x224, counted from its graph", () => {
  const f = countFlops(builtinModel("resnet50"));
  assert.ok(within(f.macs, 4.09e9, 0.01), `${f.macs} MACs`);
  assert.equal(f.flops, 2 * f.macs);
  assert.equal(f.byNode.filter((n) => n.op === "Conv").length, 53);
});

test("the other built-in models match their published MAC counts", () => {
  // torchvision's figures (GMACs at 224x224, FC layers included).
  const published: Record<string, number> = { resnet18: 1.81, alexnet: 0.71, vgg16: 15.47, mobilenetv2: 0.30 };
  for (const [name, gmacs] of Object.entries(published)) {
    const macs = countFlops(builtinModel(name)).macs;
    assert.ok(within(macs, gmacs * 1e9, 0.02), `${name}: ${macs} MACs, published ${gmacs}e9`);
  }
});

test("batch and input size scale the graph: MACs grow with batch, shapes follow the input", () => {
  const one = countFlops(builtinModel("resnet18", { inputSize: 64 })).macs;
  const g = builtinModel("resnet18", { batch: 3, inputSize: 64 });
  assert.deepEqual(g.inputs[0]!.dims, [3, 3, 64, 64]);
  assert.equal(countFlops(g).macs, 3 * one);
  assert.deepEqual(inferShapes(g).get("output"), [3, 1000]);
});

/** Distinct conv shapes of a graph with how often each occurs, keyed as the conv suite writes them. */
function convShapes(g: Graph): Map<string, number> {
  const shapes = inferShapes(g);
  const out = new Map<string, number>();
  for (const n of g.nodes) {
    if (n.op !== "Conv") continue;
    const [, c, h, w] = shapes.get(n.inputs[0]!)!;
    const k = shapes.get(n.inputs[1]!)![0]!;
    const key = [c, h, w, k, n.attrs.kernel[0], n.attrs.kernel[1], n.attrs.strides[0], n.attrs.pads[0], n.attrs.group].join("x");
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

test("every conv of the built-in models is a layer of the conv suite, as often as the suite counts it", () => {
  const suite = loadSuite("conv", ConvSuite, false);
  for (const name of ["resnet50", "alexnet", "vgg16", "mobilenetv2"]) {
    const want = new Map<string, number>();
    for (const l of suite.nets[name]!) {
      const key = [l.c, l.h, l.w, l.k, l.r, l.s, l.stride, l.pad, l.groups].join("x");
      want.set(key, (want.get(key) ?? 0) + l.count);
    }
    assert.deepEqual(convShapes(builtinModel(name)), want, name);
  }
});

test("weights are seeded: the same seed builds the same model, another seed another", () => {
  const a = builtinModel("mobilenetv2", { inputSize: 32 });
  const b = builtinModel("mobilenetv2", { inputSize: 32 });
  const c = builtinModel("mobilenetv2", { inputSize: 32, seed: 2 });
  const w = (g: Graph) => g.initializers.get("features.0.conv.weight")!.data;
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
});

test("an unknown model or a bad option is refused in one sentence", () => {
  assert.throws(() => builtinModel("resnet51"), (e: unknown) => e instanceof UserError && /unknown model "resnet51"; the built-in models are resnet50, /.test(e.message));
  assert.throws(() => builtinModel("resnet18", { batch: 0 }), UserError);
  assert.throws(() => builtinModel("resnet18", { inputSize: 8 }), UserError);
});

/** Every value of the graph made a graph output, so onnxruntime returns them all. */
function everyValue(g: Graph): Graph {
  return { ...g, outputs: [...new Set([...g.outputs, ...g.nodes.map((n) => n.outputs[0]!)])] };
}

const SMALLEST_NORMAL = 2 ** -126;

test("activations stay healthy through every layer: finite, unit-scale, no dead layers, no denormals", async () => {
  for (const [name, inputSize] of [["resnet18", 64], ["mobilenetv2", 64], ["resnet50", 64], ["vgg16", 32]] as const) {
    const g = builtinModel(name, { inputSize });
    const out = await runGraph(everyValue(g), randomInputs(g));
    assert.equal(Object.keys(out).length, new Set(g.nodes.map((n) => n.outputs[0])).size);
    for (const [value, t] of Object.entries(out)) {
      let sq = 0;
      let nonzero = 0;
      for (const v of t.data) {
        assert.ok(Number.isFinite(v), `${name} ${value}: ${v}`);
        assert.ok(v === 0 || Math.abs(v) >= SMALLEST_NORMAL, `${name} ${value}: denormal ${v}`);
        sq += v * v;
        if (v !== 0) nonzero++;
      }
      const rms = Math.sqrt(sq / t.data.length);
      assert.ok(rms > 0.1 && rms < 100, `${name} ${value}: rms ${rms}`);
      assert.ok(nonzero / t.data.length > 0.2, `${name} ${value}: only ${nonzero} of ${t.data.length} nonzero`);
    }
  }
});

test("every built-in model is registered by name", () => {
  assert.deepEqual(Object.keys(BUILTIN_MODELS).sort(), ["alexnet", "bert-base", "bert-large", "distilbert", "mobilenetv2", "resnet18", "resnet50", "vgg16"]);
});
