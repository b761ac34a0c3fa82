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
  { command: "run", describe: "the default suite, then an HTML report", example: "armbench run" },
  { command: "report [files..]", describe: "one self-contained HTML page, machines side by side", example: "armbench report results/*.json -o report.html" },
  { command: "compare [a] [b]", describe: "ratios and significance of two results files in the terminal", example: "armbench compare a.json b.json" },
];

export function notBuilt(name: string, version: string): never {
  throw new UserError(`\`armbench ${name}\` is not available in armbench ${version} yet; nothing was measured.`, EXIT_NOT_BUILT);
}
