/**
 * confineProcess: every thread of the process, not only the caller, runs on the CPUs
 * given while a model configuration is timed, and null gives the whole mask back.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { loadNative } from "../src/native.js";

const native = loadNative();

/** Each thread's CPUs as the kernel lists them ("0-1", "3"), by thread id. */
function threadMasks(): Map<string, string> {
  const out = new Map<string, string>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/self/task/${tid}/status`, "utf8"));
      if (m) out.set(tid, m[1]!);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return out;
}

/** The kernel's list form of ascending CPUs ("0-3,6"). */
function listForm(cpus: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    parts.push(j > i ? `${cpus[i]}-${cpus[j]}` : `${cpus[i]}`);
    i = j + 1;
  }
  return parts.join(",");
}

test("every thread of the process is confined to the CPUs given, and null gives the whole mask back", async () => {
  const all = native.allowedCpus();
  const last = all[all.length - 1]!;
  try {
    native.confineProcess([last]);
    assert.deepEqual(native.allowedCpus(), [last]);
    const masks = threadMasks();
    assert.ok(masks.size > 1, "node runs more than one thread");
    for (const [tid, m] of masks) assert.equal(m, String(last), `thread ${tid}`);
    // A thread started afterwards (the libuv pool's, by an async addon call) inherits it.
    await native.runClockChains(1, 1000);
    for (const [tid, m] of threadMasks()) assert.equal(m, String(last), `thread ${tid}`);
    // Back to a CPU of the original mask that the confined one left out: still allowed.
    native.confineProcess([all[0]!]);
    assert.deepEqual(native.allowedCpus(), [all[0]]);
  } finally {
    native.confineProcess(null);
  }
  assert.deepEqual(native.allowedCpus(), all);
  for (const [tid, m] of threadMasks()) assert.equal(m, listForm(all), `thread ${tid}`);
});

test("a CPU outside the process's mask, or none, is refused in one sentence", () => {
  assert.throws(() => native.confineProcess([]), /^RangeError: confineProcess: cpus must not be empty$/);
  const outside = Math.max(...native.allowedCpus()) + 1;
  assert.throws(() => native.confineProcess([outside]), (e: unknown) => e instanceof RangeError && /names CPU \d+, which this process may not run on/.test(e.message));
  assert.deepEqual(native.allowedCpus().length > 0, true);
});
