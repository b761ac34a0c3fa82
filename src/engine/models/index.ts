/** The built-in models by name: what `armbench model <name>` can run without a file. */
import { UserError } from "../../errors.js";
import type { Graph } from "../ir.js";
import type { ModelOptions } from "./builder.js";
import { bert } from "./bert.js";
import { mobilenetv2 } from "./mobilenet.js";
import { alexnet, vgg16 } from "./plain.js";
import { resnet18, resnet50 } from "./resnet.js";

export type { ModelOptions } from "./builder.js";

export const BUILTIN_MODELS: Record<string, (opts?: ModelOptions) => Graph> = {
  resnet50, resnet18, alexnet, vgg16, mobilenetv2,
  "bert-base": (o) => bert("bert-base", o),
  "bert-large": (o) => bert("bert-large", o),
  distilbert: (o) => bert("distilbert", o),
};

/** Built-in models whose input is a token sequence (--seq), not an image (--input-size). */
export const SEQUENCE_MODELS: readonly string[] = ["bert-base", "bert-large", "distilbert"];

export function builtinModel(name: string, opts: ModelOptions = {}): Graph {
  const build = BUILTIN_MODELS[name];
  if (!build) throw new UserError(`unknown model "${name}"; the built-in models are ${Object.keys(BUILTIN_MODELS).join(", ")} (or give an .onnx file).`);
  return build(opts);
}
