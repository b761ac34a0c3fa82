/**
 * The addon's boundary: every export, called with wrong types, missing arguments,
 * handles of the wrong kind, NaN, -1, 2^53, sizes larger than the machine and typed
 * arrays of the wrong type or length, must end with a TypeError, RangeError or Error
 * naming the function, never with a signal. Each export runs in its own child (a
 * crash is attributed to it and ends nothing else), under a 1 GiB heap limit and a
 * hang guard far above the time it takes. test/helpers/addon-call.ts holds the cases.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { loadNative } from "../src/native.js";
import { SPECS, type Outcome } from "./helpers/addon-call.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const helper = path.join(here, "helpers", "addon-call.js");
const native = loadNative() as unknown as Record<string, unknown>;
const exported = Object.keys(native).filter((k) => typeof native[k] === "function");

// Each child takes well under a second on 2 cores; 60 s only catches a hang.
const HANG_GUARD_MS = 60_000;

test("every function the addon exports has boundary cases", () => {
  assert.ok(exported.length > 30, `only ${exported.length} functions exported`);
  const missing = exported.filter((k) => !SPECS[k]);
  assert.deepEqual(missing, [], `exports with no case in test/helpers/addon-call.ts: ${missing.join(", ")}`);
  const stale = Object.keys(SPECS).filter((k) => !exported.includes(k));
  assert.deepEqual(stale, [], `cases for functions the addon no longer exports: ${stale.join(", ")}`);
});

for (const fn of exported) {
  test(`${fn}: hostile arguments end in an error naming it, never a signal`, () => {
    const r = spawnSync(process.execPath, ["--max-old-space-size=1024", helper, fn], {
      encoding: "utf8",
      timeout: HANG_GUARD_MS,
      maxBuffer: 64 << 20,
    });
    assert.equal(r.signal, null, `${fn}: the child ended with ${r.signal}\n${r.stderr}`);
    assert.equal(r.status, 0, `${fn}: the child exited ${r.status}\n${r.stderr}`);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    const out = JSON.parse(line) as { missing?: boolean; harnessError?: string; results?: Outcome[] };
    assert.equal(out.harnessError, undefined, out.harnessError);
    assert.notEqual(out.missing, true, `${fn}: no cases`);
    const results = out.results ?? [];
    assert.ok(results.length > 0);
    const wrong = results.filter((c) => {
      if (c.got !== c.expect) return true;
      // Every refusal is one sentence that names the function.
      return c.expect !== "ok" && !c.message.startsWith(`${fn}: `);
    });
    assert.deepEqual(
      wrong.map((c) => `${c.label}: expected ${c.expect}, got ${c.got}${c.message ? ` (${c.message})` : ""}`),
      [],
    );
  });
}

test("calls that share a pool may overlap: the binding serializes them, each result is right", () => {
  const r = spawnSync(process.execPath, ["--max-old-space-size=1024", helper, "--overlap"], { encoding: "utf8", timeout: HANG_GUARD_MS });
  assert.equal(r.signal, null, `the child ended with ${r.signal}\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { results?: string[]; harnessError?: string };
  assert.equal(out.harnessError, undefined, out.harnessError);
  assert.equal(out.results?.length, 32);
  assert.deepEqual(out.results?.filter((x) => x !== "ok"), []);
});
