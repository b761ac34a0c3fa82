/**
 * npm run bench:gate: does the CI gate fire on regressions and only on them, on this
 * machine? Two default `armbench run` files taken back to back (or two given:
 * `npm run bench:gate -- A.json B.json`), then `armbench compare --threshold 5%
 * --fail-on-regression` on: A against B (same build: should exit 0), A against itself
 * (must exit 0), and A against A with every gemm figure 10% slower (must exit 4).
 * Prints each comparison's summary lines and exit status.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

import { packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import { writeResults } from "../test/helpers/report-fixtures.js";
import { scaled } from "../test/helpers/scale.js";
import { benchDir } from "./bench-run.js";

const cli = path.join(packageRoot, "bin", "armbench.js");

function defaultRun(name: string): string {
  const file = path.join(benchDir, `${name}.json`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, "run", "--json", file, "--report", path.join(benchDir, `${name}.html`), "--quiet"], { stdio: ["ignore", "ignore", "inherit"] });
  console.log(`armbench run (${name}): exit ${r.status}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return file;
}

const given = process.argv.slice(2);
if (given.length !== 0 && given.length !== 2) {
  console.error("bench:gate takes no argument (two runs back to back) or two results files.");
  process.exit(2);
}
const [a, b] = given.length === 2 ? (given as [string, string]) : [defaultRun("a"), defaultRun("b")];
const slower = writeResults(benchDir, "a-gemm-10pct-slower.json", scaled(loadResults(a), (r) => r.name === "gemm", 0.9));

const cases: [what: string, x: string, y: string, want: number | null][] = [
  ["A vs B, back to back, same build (want 0)", a, b, 0],
  ["A vs A (want 0)", a, a, 0],
  ["A vs A with every gemm figure 10% slower (want 4)", a, slower, 4],
];
let met = 0;
for (const [what, x, y, want] of cases) {
  const r = spawnSync(process.execPath, [cli, "compare", x, y, "--threshold", "5%", "--fail-on-regression"], { encoding: "utf8" });
  // The summary: everything after the table, regressions and kernel changes listed.
  const out = r.stdout.split("\n");
  const tableEnd = out.map((l) => l.startsWith("└")).lastIndexOf(true);
  console.log(`\n== ${what}: exit ${r.status}${want !== null ? (r.status === want ? " (as wanted)" : " (NOT as wanted)") : ""}`);
  console.log(out.slice(tableEnd + 1).filter((l) => l && !l.startsWith("  kernel changed")).join("\n"));
  if (r.status === want) met++;
}
console.log(`\n${met} of ${cases.length} comparisons exited as wanted; files in ${benchDir}`);
