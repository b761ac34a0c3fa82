/** Running a peer library in a child process and reading back what it measured. */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { PeerEvent, PeerJob } from "./peer-child.js";

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "peer-child.js");

export interface PeerRun {
  open: Extract<PeerEvent, { type: "open" }> | null;
  results: Map<number, Extract<PeerEvent, { type: "result" | "error" }>>;
  /** Why the child ended early (a signal or an exit status), or null when it finished. */
  died: string | null;
}

/** Runs `job` in a fresh process with `env` added (library overrides read at load). */
export function runPeer(job: PeerJob, env: Record<string, string>, onEvent: (e: PeerEvent) => void = () => {}): Promise<PeerRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [childScript], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const run: PeerRun = { open: null, results: new Map(), died: null };
    let buffered = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as PeerEvent;
        if (e.type === "open") run.open = e;
        else run.results.set(e.index, e);
        onEvent(e);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => {
      stderr = (stderr + c).slice(-2000);
    });
    child.on("close", (code, signal) => {
      if (signal) run.died = `the ${job.peer} process was killed by ${signal}`;
      else if (code !== 0) run.died = `the ${job.peer} process exited with status ${code}${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}`;
      resolve(run);
    });
    child.stdin.end(JSON.stringify(job));
  });
}
