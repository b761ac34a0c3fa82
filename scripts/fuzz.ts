/**
 * npm run fuzz -- [--seconds N] [--target results|...]: the fuzz test's harness for longer,
 * with random seeds. Each failing input is saved under fuzz-failures/ (ignored by git) with
 * its seed, index, what was done to it and how it failed; the run exits 1 when any failed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { packageRoot } from "../src/native.js";
import { runFuzz } from "../test/helpers/fuzz-harness.js";
import { FUZZ_TARGETS } from "../test/helpers/fuzz-targets.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = Number(option("seconds") ?? 60);
const only = option("target");
if (!(seconds > 0) || (only !== undefined && !(only in FUZZ_TARGETS))) {
  console.error(`usage: npm run fuzz -- [--seconds N] [--target ${Object.keys(FUZZ_TARGETS).join("|")}]`);
  process.exit(2);
}
const targets = only ? [only] : Object.keys(FUZZ_TARGETS);
const outDir = path.join(packageRoot, "fuzz-failures");
const end = Date.now() + seconds * 1000;
const totals = new Map(targets.map((t) => [t, { cases: 0, ok: 0, refused: 0, failed: 0 }]));
let round = 0;
while (Date.now() < end) {
  const target = targets[round++ % targets.length]!;
  const seed = Math.floor(Math.random() * 2 ** 31);
  const r = runFuzz({ target, seed, count: 50, timeoutMs: 600_000 });
  const t = totals.get(target)!;
  t.cases += r.cases;
  t.ok += r.ok;
  t.refused += r.refused;
  t.failed += r.failures.length;
  for (const f of r.failures) {
    mkdirSync(outDir, { recursive: true });
    const name = `${f.target}-seed${f.seed}-case${f.index}`;
    writeFileSync(path.join(outDir, `${name}.${FUZZ_TARGETS[f.target]!.ext}`), FUZZ_TARGETS[f.target]!.make(f.seed, f.index).bytes);
    writeFileSync(path.join(outDir, `${name}.txt`), `${f.what}\n${f.why}\n`);
    console.log(`FAILED ${name}: ${f.what}: ${f.why}`);
  }
}
for (const [target, t] of totals) console.log(`${target}: ${t.cases} cases, ${t.ok} ok, ${t.refused} refused in one sentence, ${t.failed} failed`);
const failed = [...totals.values()].reduce((s, t) => s + t.failed, 0);
if (failed) console.log(`${failed} failing inputs saved under ${outDir}`);
process.exit(failed ? 1 : 0);
