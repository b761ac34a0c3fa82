/**
 * The controller's Ansible: found on PATH, never required by any other command. Its
 * tools are run with a fixed environment: no colour, no retry files, host key checking
 * left as the user has it (on by default).
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

import { UserError } from "../errors.js";
import { oneLine } from "../format.js";

/** The one sentence for a controller without Ansible. */
export const ANSIBLE_MISSING =
  "armbench fleet needs Ansible on this machine, and ansible-playbook is not on PATH; install it with `sudo apt-get install ansible` (Debian, Ubuntu) or `python3 -m pip install --user ansible-core`.";

/** The full path of `tool` on PATH, or null. */
export function onPath(tool: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, tool);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

export interface AnsibleTools {
  playbook: string;
  inventory: string;
  adhoc: string;
}

export function findAnsible(env: NodeJS.ProcessEnv = process.env): AnsibleTools {
  const playbook = onPath("ansible-playbook", env);
  const inventory = onPath("ansible-inventory", env);
  const adhoc = onPath("ansible", env);
  if (!playbook || !inventory || !adhoc) throw new UserError(ANSIBLE_MISSING);
  return { playbook, inventory, adhoc };
}

/** The environment every Ansible tool of a fleet run gets. */
export function ansibleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_FORCE_COLOR: "0",
    ANSIBLE_RETRY_FILES_ENABLED: "0",
    ANSIBLE_DEPRECATION_WARNINGS: "0",
    ...extra,
  };
}

/** Runs a short Ansible tool to completion; its failure is the user's inventory's, in one sentence. */
export function runAnsibleTool(file: string, args: string[], what: string): string {
  const r = spawnSync(file, args, { encoding: "utf8", env: ansibleEnv(), maxBuffer: 256 << 20, timeout: 120_000 });
  if (r.error) throw new UserError(`${what} could not run ${path.basename(file)}: ${r.error.message}.`);
  if (r.status !== 0) {
    const why = oneLine((r.stderr || r.stdout || `exit ${r.status}`).replace(/^\s*(\[WARNING\]|ERROR!)\s*:?\s*/gm, "").trim(), 300);
    throw new UserError(`${what} failed: ${why.replace(/\.$/, "")}.`);
  }
  return r.stdout;
}
