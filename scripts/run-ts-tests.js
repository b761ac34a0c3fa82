#!/usr/bin/env node
// Runs node's built-in test runner over the compiled tests (dist/test/**/*.test.js).
// Node 20's runner takes no globs, so the files are listed here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const testDir = path.join(root, "dist", "test");

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

let files;
try {
  files = collect(testDir);
} catch {
  console.error(`no compiled tests in ${testDir}: run \`npm run build:ts\` first.`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`no *.test.js files in ${testDir}.`);
  process.exit(1);
}
// What armbench learns about a machine (fast-run winners, measured cache levels) goes
// to a folder of the run's own: tests neither read nor leave a user's cache. GEMM tuning
// is off (ARMBENCH_TUNE=off) so no test depends on what a tuning run picked; the tuning
// tests turn it on for themselves.
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "armbench-test-cache-"));
const result = spawnSync(process.execPath, ["--test", ...process.argv.slice(2), ...files], {
  stdio: "inherit",
  cwd: root,
  env: { ...process.env, ARMBENCH_CACHE_DIR: cacheDir, ARMBENCH_TUNE: "off" },
});
rmSync(cacheDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
