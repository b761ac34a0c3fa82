/**
 * Subcommands declared in the CLI but not built in this version: they explain
 * themselves in --help and refuse to run with a clear message and a non-zero exit.
 */
import { EXIT_NOT_BUILT, UserError } from "../errors.js";

export interface PendingCommand {
  command: string;
  describe: string;
  example: string;
}

export const pendingCommands: readonly PendingCommand[] = [
  { command: "model [name]", describe: "whole-model inference against onnxruntime on the same graph", example: "armbench model resnet50" },
];

export function notBuilt(name: string, version: string): never {
  throw new UserError(`\`armbench ${name}\` is not available in armbench ${version} yet; nothing was measured.`, EXIT_NOT_BUILT);
}
