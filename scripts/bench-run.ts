/** What every bench script does first: run armbench with --json into a fresh folder and load what it wrote. */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import type { ResultsFile } from "../src/results/schema.js";

export const benchDir = mkdtempSync(path.join(os.tmpdir(), "armbench-bench-"));

/**
 * Runs `armbench ARGS --json FILE --quiet` plus the bench script's own extra arguments;
 * a failure is reported and what was measured before it is still returned.
 */
export function runArmbench(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): ResultsFile {
  const file = path.join(benchDir, `${name}.json`);
  const cli = path.join(packageRoot, "bin", "armbench.js");
  const r = spawnSync(process.execPath, [cli, ...args, "--json", file, "--quiet", ...process.argv.slice(2)], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
  if (r.status !== 0) console.error(`armbench ${args.join(" ")} exited with ${r.status}; the figures below are what it measured before that.`);
  return loadResults(file);
}
