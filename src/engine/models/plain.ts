/** AlexNet and VGG-16 as in torchvision: conv + bias + ReLU stacks, no BatchNormalization. */
import type { Graph } from "../ir.js";
import { ModelBuilder, type ModelOptions, type Value } from "./builder.js";

/**
 * The classifier of both: torchvision's adaptive average pool is an identity at 224x224,
 * and at other sizes the first fully connected layer takes whatever the features hold.
 */
function classifier(b: ModelBuilder, x: Value): Value {
  let y = b.dropout(b.flatten(x, "flatten"), "classifier.dropout0");
  y = b.relu(b.gemm(y, "classifier.fc0", 4096), "classifier.relu0");
  y = b.dropout(y, "classifier.dropout1");
  y = b.relu(b.gemm(y, "classifier.fc1", 4096), "classifier.relu1");
  return b.gemm(y, "classifier.fc2", 1000);
}

function convRelu(b: ModelBuilder, x: Value, name: string, k: number, kernel: number, stride = 1, pad = Math.floor(kernel / 2)): Value {
  return b.relu(b.conv(x, `${name}.conv`, k, kernel, { stride, pad, bias: true }), `${name}.relu`);
}

export function alexnet(opts: ModelOptions = {}): Graph {
  const b = new ModelBuilder("alexnet", opts);
  const input = b.input();
  let x = convRelu(b, input, "features.0", 64, 11, 4, 2);
  x = b.pool(x, "features.pool0", "MaxPool", 3, 2);
  x = convRelu(b, x, "features.1", 192, 5);
  x = b.pool(x, "features.pool1", "MaxPool", 3, 2);
  x = convRelu(b, x, "features.2", 384, 3);
  x = convRelu(b, x, "features.3", 256, 3);
  x = convRelu(b, x, "features.4", 256, 3);
  x = b.pool(x, "features.pool2", "MaxPool", 3, 2);
  return b.finish(input, classifier(b, x));
}

const VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"] as const;

export function vgg16(opts: ModelOptions = {}): Graph {
  const b = new ModelBuilder("vgg16", opts);
  const input = b.input();
  let x = input;
  VGG16.forEach((v, i) => {
    x = v === "M" ? b.pool(x, `features.${i}.pool`, "MaxPool", 2, 2) : convRelu(b, x, `features.${i}`, v, 3);
  });
  return b.finish(input, classifier(b, x));
}
