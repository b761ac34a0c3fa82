/**
 * `armbench run`: the default suite, one step after another, each a child process of
 * the CLI so that a step that fails (or crashes in native code) cannot stop the rest;
 * every record ends up in one results file, then in the HTML report.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { UserError } from "../errors.js";
import { packageRoot } from "../native.js";
import { nodeCommand } from "../node-child.js";
import { finishOutput, resolveDestination, type GlobalOptions } from "../output.js";
import { loadResults } from "../results/load.js";
import type { ResultsFile } from "../results/schema.js";
import { ResultsWriter } from "../results/write.js";
import { loadSuite, RunSuite } from "../suites.js";
import { renderTable } from "../table.js";
import { writeReport } from "./report.js";

export interface RunStep {
  name: string;
  /** Arguments for the quick suite (the default) and for --full. */
  quick: string[];
  full: string[];
  /** The step reports % of peak: it takes the peaks earlier steps measured (--peaks), so the file holds each once. */
  usesPeaks?: boolean;
}

/** The steps of a run suite (suites/run.json, or the file given with --suite). */
export function loadRunSteps(file?: string): RunStep[] {
  return loadSuite("run", RunSuite, false, file).steps;
}

export interface RunOptions extends GlobalOptions {
  full: boolean;
  /** The HTML report; default: reports/out/ beside the results file's name. */
  report?: string | undefined;
  /** A run suite file instead of suites/run.json. */
  suiteFile?: string | undefined;
}

export type StepOutcome = { step: string; status: "ok" | "failed"; exitCode: number | null; seconds: number; records: number; note: string };

/** Runs `armbench ARGS --json FILE --quiet`, its tables shown as they come; resolves with its exit status. */
function runChild(args: string[], stdout: "inherit" | "stderr"): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const node = nodeCommand([path.join(packageRoot, "bin", "armbench.js"), ...args]);
    const child = spawn(node.command, node.args, { stdio: ["ignore", stdout === "inherit" ? "inherit" : "pipe", "inherit"] });
    if (stdout === "stderr") child.stdout?.pipe(process.stderr);
    child.on("error", () => resolve({ code: null, signal: "spawn failed" }));
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
}

function stepArgs(step: RunStep, opts: RunOptions, file: string, earlier: readonly string[]): string[] {
  const args = [...(opts.full ? step.full : step.quick), "--json", file, "--quiet"];
  const own = args.some((a) => a === "--threads" || a.startsWith("--threads="));
  if (opts.threads !== undefined && !own) args.push("--threads", String(opts.threads));
  if (step.usesPeaks && earlier.length) args.push("--peaks", ...earlier);
  return args;
}

/**
 * Runs the steps; returns their outcomes and the results they wrote (even a failed step's
 * partial file). `onResults` sees each step's file as soon as the step ends, so a run
 * killed later still leaves what the earlier steps measured.
 */
export async function runSteps(
  steps: readonly RunStep[],
  opts: RunOptions,
  workDir: string,
  onResults: (results: ResultsFile) => void = () => {},
): Promise<{ outcomes: StepOutcome[]; files: ResultsFile[] }> {
  const outcomes: StepOutcome[] = [];
  const files: ResultsFile[] = [];
  const written: string[] = [];
  for (const step of steps) {
    const file = path.join(workDir, `${step.name}.json`);
    if (!opts.quiet) process.stderr.write(`armbench run: ${step.name} (armbench ${(opts.full ? step.full : step.quick).join(" ")})\n`);
    const started = Date.now();
    const { code, signal } = await runChild(stepArgs(step, opts, file, written), opts.json === "" || opts.json === "-" ? "stderr" : "inherit");
    const seconds = (Date.now() - started) / 1000;
    let results: ResultsFile | null = null;
    let note = "";
    if (existsSync(file)) {
      try {
        results = loadResults(file);
        files.push(results);
        written.push(file);
        onResults(results);
      } catch (err) {
        note = (err as Error).message;
      }
    }
    const records = results?.records.length ?? 0;
    if (code === 0) {
      outcomes.push({ step: step.name, status: "ok", exitCode: code, seconds, records, note });
    } else {
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      outcomes.push({ step: step.name, status: "failed", exitCode: code, seconds, records, note: note || `${why}; ${records} records it wrote are kept` });
    }
  }
  return { outcomes, files };
}

export function renderOutcomes(outcomes: readonly StepOutcome[]): string {
  const rows = outcomes.map((o) => [o.step, o.status, o.seconds.toFixed(1), String(o.records), o.note]);
  return `${renderTable(["step", "status", "seconds", "records", "note"], rows, { right: [2, 3] })}\n`;
}

export async function runRun(opts: RunOptions, steps: readonly RunStep[] = loadRunSteps(opts.suiteFile)): Promise<number> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "armbench-run-"));
  try {
    // The results file is opened with the first step's environment and grows after each step.
    let writer: ResultsWriter | null = null;
    let dest: ReturnType<typeof resolveDestination> = { kind: "none" };
    let resultsFile = "";
    const { outcomes } = await runSteps(steps, opts, workDir, (results) => {
      if (!writer) {
        dest = resolveDestination(opts, "run", results.env.machine.hostname, new Date(results.env.createdAt), true);
        resultsFile = dest.kind === "file" ? dest.file : path.join(workDir, "run.json");
        writer = new ResultsWriter(resultsFile, results.env);
      }
      writer.addAll(results.records);
    });
    if (!writer) throw new UserError(`every step of armbench run failed before writing results; see the messages above.`);
    process.stderr.write(renderOutcomes(outcomes));
    const reportFile = opts.report ?? path.join("reports", "out", `${path.basename(resultsFile, ".json")}.html`);
    writeReport({ files: [resultsFile], output: reportFile });
    finishOutput(dest, writer, false);
    process.stderr.write(`report written to ${reportFile}\n`);
    return outcomes.some((o) => o.status === "failed") ? 1 : 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
