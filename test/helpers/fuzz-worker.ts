/**
 * Runs fuzz cases [start, end) of one target and seed in this process, one JSON line per
 * event on stdout: {"start": i} before a case, {"done": i, "outcome", "message"} after it.
 * A signal or a hang kills the process mid-case; the harness then knows which case did it.
 * Usage: node fuzz-worker.js TARGET SEED START END SCRATCH_DIR
 */
import { writeFileSync } from "node:fs";
import path from "node:path";

import { UserError } from "../../src/errors.js";
import { FUZZ_TARGETS } from "./fuzz-targets.js";

const [targetName, seedText, startText, endText, scratch] = process.argv.slice(2);
const target = FUZZ_TARGETS[targetName ?? ""];
if (!target || !scratch) {
  process.stderr.write("usage: fuzz-worker TARGET SEED START END SCRATCH_DIR\n");
  process.exit(2);
}
const seed = Number(seedText);
for (let i = Number(startText); i < Number(endText); i++) {
  process.stdout.write(`${JSON.stringify({ start: i })}\n`);
  const file = path.join(scratch, `case.${target.ext}`);
  writeFileSync(file, target.make(seed, i).bytes);
  let outcome: "ok" | "refused" | "internal" = "ok";
  let message = "";
  try {
    await target.run(file, i, scratch);
  } catch (err) {
    outcome = err instanceof UserError ? "refused" : "internal";
    message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  process.stdout.write(`${JSON.stringify({ done: i, outcome, message })}\n`);
}
