/**
 * The fuzz harness behind the fuzz test and `npm run fuzz`: cases run in a child process
 * (a V8 heap of 1 GiB, a hang guard), restarted after the case that killed it, and every
 * case must end in a correct result or a one-sentence refusal (a UserError), never an
 * internal error, a signal or a hang.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { FUZZ_TARGETS } from "./fuzz-targets.js";

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), "fuzz-worker.js");

export interface FuzzFailure {
  target: string;
  seed: number;
  index: number;
  what: string;
  why: string;
}

export interface FuzzReport {
  cases: number;
  ok: number;
  refused: number;
  failures: FuzzFailure[];
}

export interface FuzzOptions {
  target: string;
  seed: number;
  count: number;
  /** Hang guard for one worker run, ms: far above what its cases need. */
  timeoutMs: number;
  heapMb?: number;
}

export function runFuzz(opts: FuzzOptions): FuzzReport {
  const target = FUZZ_TARGETS[opts.target];
  if (!target) throw new Error(`no fuzz target ${opts.target}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "armbench-fuzz-"));
  const report: FuzzReport = { cases: 0, ok: 0, refused: 0, failures: [] };
  const fail = (index: number, why: string) => report.failures.push({ target: opts.target, seed: opts.seed, index, what: target.make(opts.seed, index).what, why });
  try {
    let start = 0;
    while (start < opts.count) {
      const r = spawnSync(process.execPath, [`--max-old-space-size=${opts.heapMb ?? 1024}`, worker, opts.target, String(opts.seed), String(start), String(opts.count), scratch], {
        encoding: "utf8",
        timeout: opts.timeoutMs,
        maxBuffer: 64 << 20,
      });
      let current = -1;
      for (const line of (r.stdout ?? "").split("\n")) {
        if (!line) continue;
        const e = JSON.parse(line) as { start?: number; done?: number; outcome?: string; message?: string };
        if (e.start !== undefined) {
          current = e.start;
          continue;
        }
        report.cases++;
        current = -1;
        if (e.outcome === "ok") report.ok++;
        else if (e.outcome === "refused" && !/[\n\r]/.test(e.message!)) report.refused++;
        else fail(e.done!, e.outcome === "refused" ? `a refusal of several lines: ${e.message}` : `internal error: ${e.message}`);
        start = e.done! + 1;
      }
      if (current >= 0) {
        // The worker died inside a case: a signal, an exit, or the hang guard.
        report.cases++;
        const how = r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `hung past ${opts.timeoutMs} ms` : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
        fail(current, `${how}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`);
        start = current + 1;
      } else if (r.status !== 0 || r.signal) {
        throw new Error(`fuzz worker failed outside any case (${r.signal ?? `exit ${r.status}`}): ${r.stderr}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}
