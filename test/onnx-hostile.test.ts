/**
 * Hostile model files end in a clear refusal or a correct run, never a signal or an
 * internal error: every case from test/helpers/onnx-mutations.ts (hand-made hostile
 * structures and seeded byte mutations of small valid models) is loaded, compiled, and
 * run in its own child process with a 1 GiB heap, as `armbench model --onnx` would.
 * Time limits are hang guards only, far above what any case takes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { packageRoot } from "../src/native.js";
import { tempDir } from "./helpers/fixtures.js";
import { hostileCases, writeHugePackedModel, type HostileCase } from "./helpers/onnx-mutations.js";

const LOADER = fileURLToPath(new URL("./helpers/onnx-load.js", import.meta.url));
const SEED = 20261207;
const MUTATIONS = 260;
/** Cases per child process: a process start costs more than most cases. */
const PER_CHILD = 16;
/** Hang guards: a case takes well under a second, a child of PER_CHILD cases a few. */
const HANG_GUARD_MS = 30_000;
const BATCH_GUARD_MS = 120_000;

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
}

function run(cmd: string[], cwd: string, timeoutMs: number): Promise<Outcome & { stdout: string }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--max-old-space-size=1024", ...cmd], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr, stdout, ms: Date.now() - t0 });
    });
  });
}

/**
 * Runs the cases in one child; any case without a result line (the child died or hung on
 * it or on one before it) runs again alone, so a signal is pinned to its own case.
 */
async function runBatch(dirs: string[]): Promise<Outcome[]> {
  const files = dirs.map((d) => path.join(d, "model.onnx"));
  const all = await run([LOADER, "--each", ...files], os.tmpdir(), BATCH_GUARD_MS);
  const got = new Map<string, Outcome>();
  for (const line of all.stdout.split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line) as { file: string; status: number; stderr: string };
    got.set(r.file, { status: r.status, signal: null, stderr: r.stderr, ms: 0 });
  }
  const out: Outcome[] = [];
  for (const [i, f] of files.entries()) out.push(got.get(f) ?? (await run([LOADER, "model.onnx"], dirs[i]!, HANG_GUARD_MS)));
  return out;
}

function writeCase(dir: string, c: HostileCase): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, f] of Object.entries(c.files)) {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    if (f instanceof Uint8Array) writeFileSync(p, f);
    else symlinkSync(f.link, p);
  }
}

/** Why an outcome breaks the case's contract, or null when it keeps it. */
function violation(c: HostileCase, o: Outcome): string | null {
  if (o.signal !== null || o.status === null) return `ended by signal ${o.signal} after ${o.ms} ms (hang guard ${HANG_GUARD_MS} ms)`;
  const lines = o.stderr.split("\n").filter((l) => l !== "");
  if (o.status === 0) return c.expect === "refused" ? "loaded and ran, but must be refused" : null;
  if (o.status !== 1 && o.status !== 2) return `exit ${o.status}: ${o.stderr.slice(0, 400)}`;
  if (c.expect === "loads") return `refused, but must load: ${o.stderr.trim()}`;
  if (lines.length !== 1) return `${lines.length} lines on stderr, not one: ${o.stderr.slice(0, 400)}`;
  if (c.message && !c.message.test(lines[0]!)) return `the sentence does not match ${c.message}: ${lines[0]}`;
  return null;
}

test("hostile ONNX files: every case a clear refusal or a correct run, never a signal or an internal error", async (t) => {
  const root = tempDir("armbench-onnx-hostile-");
  try {
    const cases = hostileCases(SEED, MUTATIONS);
    assert.ok(cases.length >= 300, `only ${cases.length} cases`);
    const failures: string[] = [];
    const counts = { ok: 0, refused: 0 };
    let next = 0;
    const worker = async () => {
      for (let start = next; start < cases.length; start = next) {
        next += PER_CHILD;
        const batch = cases.slice(start, start + PER_CHILD);
        const dirs = batch.map((c, j) => {
          const dir = path.join(root, `case-${start + j}`);
          writeCase(dir, c);
          return dir;
        });
        const outcomes = await runBatch(dirs);
        batch.forEach((c, j) => {
          const o = outcomes[j]!;
          const why = violation(c, o);
          if (why) failures.push(`${c.name}: ${why}`);
          else counts[o.status === 0 ? "ok" : "refused"]++;
          rmSync(dirs[j]!, { recursive: true, force: true });
        });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(4, os.availableParallelism())) }, worker));
    t.diagnostic(`${cases.length} cases: ${counts.ok} ran, ${counts.refused} refused in one sentence`);
    assert.deepEqual(failures, []);
    // The mutations must reach both outcomes, or they test nothing of one of them.
    assert.ok(counts.ok > 2 && counts.refused > 50, `${counts.ok} ran, ${counts.refused} refused`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a 150 MB model of one packed int64 field is refused by the CLI in one sentence naming the file and tensor, without a signal", async (t) => {
  const root = tempDir("armbench-onnx-huge-");
  try {
    const file = path.join(root, "huge.onnx");
    writeHugePackedModel(file, 150_000_000);
    assert.ok(statSync(file).size > 150_000_000);
    const args = [path.join(packageRoot, "bin", "armbench.js"), "model", "--onnx", file, "--quick", "--threads", "1", "--batch", "1", "--no-peers",
      "--iterations", "1", "--warmup", "0", "--json", path.join(root, "out.json"), "--quiet"];
    const o = await run(args, root, 120_000);
    t.diagnostic(`refused in ${o.ms} ms`);
    assert.equal(o.signal, null, `signal ${o.signal}: ${o.stderr.slice(0, 400)}`);
    assert.equal(o.status, 1, o.stderr.slice(0, 400));
    const lines = o.stderr.trim().split("\n");
    assert.equal(lines.length, 1, o.stderr.slice(0, 400));
    assert.match(lines[0]!, /huge\.onnx/);
    assert.match(lines[0]!, /initializer "big".*150000000 values in int64_data/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
