/** ResNet-18 and ResNet-50 v1.5 in torchvision's layout (ResNet-50: the stride sits in each bottleneck's 3x3 conv). */
import type { Graph } from "../ir.js";
import { ModelBuilder, type ModelOptions, type Value } from "./builder.js";

const WIDTHS = [64, 128, 256, 512];

function stem(b: ModelBuilder, x: Value): Value {
  const y = b.convBn(x, "conv1", 64, 7, { stride: 2, pad: 3 });
  return b.pool(y, "maxpool", "MaxPool", 3, 2, 1);
}

function head(b: ModelBuilder, x: Value): Value {
  return b.gemm(b.flatten(b.globalAvgPool(x, "avgpool"), "flatten"), "fc", 1000);
}

function downsample(b: ModelBuilder, x: Value, name: string, k: number, stride: number): Value {
  return x.dims[1] === k && stride === 1 ? x : b.convBn(x, `${name}.downsample`, k, 1, { stride, act: "none" });
}

function basic(b: ModelBuilder, x: Value, name: string, width: number, stride: number): Value {
  const y1 = b.convBn(x, `${name}.1`, width, 3, { stride });
  const y2 = b.convBn(y1, `${name}.2`, width, 3, { act: "none" });
  const sum = b.add(y2, downsample(b, x, name, width, stride), `${name}.add`);
  return b.relu(sum, `${name}.relu`);
}

function bottleneck(b: ModelBuilder, x: Value, name: string, width: number, stride: number): Value {
  const y1 = b.convBn(x, `${name}.1`, width, 1);
  const y2 = b.convBn(y1, `${name}.2`, width, 3, { stride });
  const y3 = b.convBn(y2, `${name}.3`, 4 * width, 1, { act: "none" });
  const sum = b.add(y3, downsample(b, x, name, 4 * width, stride), `${name}.add`);
  return b.relu(sum, `${name}.relu`);
}

function resnet(name: string, blocks: number[], block: typeof basic, opts: ModelOptions): Graph {
  const b = new ModelBuilder(name, opts);
  const input = b.input();
  let x = stem(b, input);
  blocks.forEach((count, stage) => {
    for (let i = 0; i < count; i++) {
      x = block(b, x, `layer${stage + 1}.${i}`, WIDTHS[stage]!, i === 0 && stage > 0 ? 2 : 1);
    }
  });
  return b.finish(input, head(b, x));
}

export const resnet18 = (opts: ModelOptions = {}) => resnet("resnet18", [2, 2, 2, 2], basic, opts);
export const resnet50 = (opts: ModelOptions = {}) => resnet("resnet50", [3, 4, 6, 3], bottleneck, opts);
