import assert from "node:assert/strict";
import { test } from "node:test";

import { defaultConvAlgo } from "../src/conv/heuristic.js";
import { convShape } from "../src/conv/run.js";
import { ConvSuite, loadSuite } from "../src/suites.js";

const layer = (name: string) => loadSuite("conv", ConvSuite, false).nets.resnet50!.find((l) => l.name === name)!;

test("the default picks what measured fastest here on ResNet-50's kinds of layer", () => {
  assert.equal(defaultConvAlgo(convShape(layer("res2 1x1 64-64"), 1)), "direct-nchwc");
  // Winograd wins this layer alone but loses inside the network (heuristic.ts): no default.
  assert.equal(defaultConvAlgo(convShape(layer("res3 3x3 128"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res5 3x3 512"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res3 3x3/2 128"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res2 3x3 64"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res4 3x3 256"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res3 down 1x1/2 256-512"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("conv1 7x7/2 3-64"), 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("conv1 7x7/2 3-64"), 1), "bf16"), "direct-nchwc");
});

test("bf16 layers go to direct-nchwc (its bf16 dot-product kernels), never to Winograd", () => {
  assert.equal(defaultConvAlgo(convShape(layer("res3 3x3 128"), 1), "bf16"), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res5 3x3/2 512"), 1), "bf16"), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res2 1x1 64-64"), 1), "bf16"), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(layer("res3 down 1x1/2 256-512"), 1), "bf16"), "direct-nchwc");
});

test("depthwise layers go to direct-nchwc's depthwise kernel, so a network stays blocked", () => {
  const dw = loadSuite("conv", ConvSuite, false).nets.mobilenetv2!.find((l) => l.groups > 1)!;
  assert.equal(defaultConvAlgo(convShape(dw, 1)), "direct-nchwc");
  assert.equal(defaultConvAlgo(convShape(dw, 1), "bf16"), "direct-nchwc");
});
