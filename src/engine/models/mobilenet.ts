/** MobileNetV2 (torchvision, width 1.0): inverted residuals, depthwise 3x3, ReLU6 as Clip(0, 6). */
import type { Graph } from "../ir.js";
import { ModelBuilder, type ModelOptions, type Value } from "./builder.js";

/** expansion t, output channels c, repeats n, first stride s */
const SETTINGS = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;

function invertedResidual(b: ModelBuilder, x: Value, name: string, expand: number, out: number, stride: number): Value {
  const c = x.dims[1]!;
  const hidden = c * expand;
  let y = expand === 1 ? x : b.convBn(x, `${name}.expand`, hidden, 1, { act: "relu6" });
  y = b.convBn(y, `${name}.dw`, hidden, 3, { stride, groups: hidden, act: "relu6" });
  y = b.convBn(y, `${name}.project`, out, 1, { act: "none" });
  return stride === 1 && c === out ? b.add(y, x, `${name}.add`) : y;
}

export function mobilenetv2(opts: ModelOptions = {}): Graph {
  const b = new ModelBuilder("mobilenetv2", opts);
  const input = b.input();
  let x = b.convBn(input, "features.0", 32, 3, { stride: 2, act: "relu6" });
  let index = 1;
  for (const [t, c, n, s] of SETTINGS) {
    for (let i = 0; i < n; i++) x = invertedResidual(b, x, `features.${index++}`, t, c, i === 0 ? s : 1);
  }
  x = b.convBn(x, `features.${index}`, 1280, 1, { act: "relu6" });
  x = b.dropout(b.flatten(b.globalAvgPool(x, "avgpool"), "flatten"), "classifier.dropout");
  return b.finish(input, b.gemm(x, "classifier.fc", 1000));
}
