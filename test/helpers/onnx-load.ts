/**
 * What `armbench model --onnx FILE` does before it measures anything, as a small script
 * for the hostile-input tests (a whole CLI start per case would take most of their time):
 * load, compile as the CLI does (NCHWc layout, default conv algorithms), create the
 * engine and run it once. Errors end the process as the CLI ends it: a UserError with one
 * line and its exit status, anything else is an internal error (exit 70).
 *
 *   node dist/test/helpers/onnx-load.js MODEL.onnx
 *   node dist/test/helpers/onnx-load.js --each A.onnx B.onnx ...   (one JSON line per model)
 */
import { UserError } from "../../src/errors.js";
import { loadAndRunModel } from "./onnx-run.js";

/** One model, as the CLI would end: the exit status and what it writes to stderr. */
async function loadAndRun(file: string): Promise<{ status: number; stderr: string }> {
  try {
    await loadAndRunModel(file);
    return { status: 0, stderr: "" };
  } catch (e) {
    if (e instanceof UserError) return { status: e.exitCode, stderr: `armbench: ${e.message}\n` };
    return { status: 70, stderr: `internal error: ${(e as Error).stack ?? String(e)}\n` };
  }
}

const args = process.argv.slice(2);
if (args[0] === "--each") {
  // Many models in one process (a process start costs more than most cases): one JSON
  // line per model on stdout, written before the next starts, so a signal is pinned to
  // the model after the last line.
  for (const file of args.slice(1)) {
    const r = await loadAndRun(file);
    process.stdout.write(`${JSON.stringify({ file, ...r })}\n`);
  }
} else {
  const r = await loadAndRun(args[0] ?? "");
  process.stderr.write(r.stderr);
  process.exitCode = r.status;
}
