/** Runs the installed CLI entry point as a user would. */
import { spawnSync } from "node:child_process";
import path from "node:path";

import { packageRoot } from "../../src/native.js";

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function armbench(args: string[], cwd = packageRoot, env: NodeJS.ProcessEnv = process.env): CliRun {
  const r = spawnSync(process.execPath, [path.join(packageRoot, "bin", "armbench.js"), ...args], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
