/**
 * Where a command's results go (--out DIR, --json [FILE]) and the shared global
 * options every command accepts.
 */
import path from "node:path";

import { DEFAULT_RESULTS_DIR } from "./constants.js";
import { resultsFileName, ResultsWriter, serializeResults } from "./results/write.js";
import type { Env } from "./results/schema.js";

export interface GlobalOptions {
  out?: string | undefined;
  /** "" or "-": JSON on stdout; any other string: a file path. */
  json?: string | undefined;
  threads?: number | undefined;
  quick: boolean;
  quiet: boolean;
}

export type Destination = { kind: "file"; file: string } | { kind: "stdout" } | { kind: "none" };

/**
 * `--json FILE` wins, then `--json` alone (stdout), then `--out DIR`; without either a
 * suite writes to results/, while `info` (which measures almost nothing) writes nothing.
 */
export function resolveDestination(
  opts: Pick<GlobalOptions, "out" | "json">,
  command: string,
  hostname: string,
  now: Date,
  writeByDefault: boolean,
): Destination {
  if (opts.json !== undefined) {
    return opts.json === "" || opts.json === "-" ? { kind: "stdout" } : { kind: "file", file: opts.json };
  }
  const dir = opts.out ?? (writeByDefault ? DEFAULT_RESULTS_DIR : undefined);
  if (dir === undefined) return { kind: "none" };
  return { kind: "file", file: path.join(dir, resultsFileName(command, hostname, now)) };
}

export function openWriter(dest: Destination, env: Env): ResultsWriter {
  return new ResultsWriter(dest.kind === "file" ? dest.file : null, env);
}

/** Prints the JSON for a stdout destination; otherwise says where the file is. */
export function finishOutput(dest: Destination, writer: ResultsWriter, quiet: boolean): void {
  if (dest.kind === "stdout") process.stdout.write(serializeResults(writer.results));
  else if (dest.kind === "file" && !quiet) process.stderr.write(`results written to ${dest.file}\n`);
}
