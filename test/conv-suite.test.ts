import assert from "node:assert/strict";
import { test } from "node:test";

import { ConvSuite, loadSuite, type ConvLayer } from "../src/suites.js";

const suite = loadSuite("conv", ConvSuite, false);

const out = (l: ConvLayer) => ({
  oh: Math.floor((l.h + 2 * l.pad - l.r) / l.stride) + 1,
  ow: Math.floor((l.w + 2 * l.pad - l.s) / l.stride) + 1,
});
const macs = (layers: ConvLayer[]) =>
  layers.reduce((t, l) => {
    const { oh, ow } = out(l);
    return t + l.count * l.k * (l.c / l.groups) * l.r * l.s * oh * ow;
  }, 0);

test("every layer of every net is a valid convolution", () => {
  for (const [net, layers] of Object.entries(suite.nets)) {
    for (const l of layers) {
      assert.equal(l.c % l.groups, 0, `${net} ${l.name}`);
      assert.equal(l.k % l.groups, 0, `${net} ${l.name}`);
      const { oh, ow } = out(l);
      assert.ok(oh > 0 && ow > 0, `${net} ${l.name}`);
    }
  }
});

test("the nets add up to their published multiply-accumulate counts", () => {
  // ResNet-50 v1.5 (stride in the 3x3): 4.09 GMACs with the 2.05 MMAC classifier.
  assert.ok(Math.abs((macs(suite.nets.resnet50!) + 2048 * 1000) / 1e9 - 4.09) < 0.01);
  // VGG-16 convolutions 15.35 GMACs, AlexNet's 0.66, MobileNet-v2 about 0.30.
  assert.ok(Math.abs(macs(suite.nets.vgg16!) / 1e9 - 15.35) < 0.05);
  assert.ok(Math.abs(macs(suite.nets.alexnet!) / 1e9 - 0.656) < 0.01);
  assert.ok(Math.abs(macs(suite.nets.mobilenetv2!) / 1e9 - 0.3) < 0.01);
  assert.ok(suite.nets.mobilenetv2!.some((l) => l.groups === l.c && l.c === l.k && l.groups > 1), "MobileNet-v2 has depthwise layers");
});

test("batches are 1 and 8, quick keeps batch 1", () => {
  assert.deepEqual(suite.batches, [1, 8]);
  assert.deepEqual(loadSuite("conv", ConvSuite, true).batches, [1]);
});
