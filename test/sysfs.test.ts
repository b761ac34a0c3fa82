import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import {
  countCpuList,
  parseSelector,
  parseSize,
  readCaches,
  readGovernor,
  readMidr,
  readNumaNodes,
  readThp,
} from "../src/sysinfo/sysfs.js";
import { tempDir } from "./helpers/fixtures.js";

function put(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${text}\n`);
}

test("cache sizes and CPU lists parse as sysfs writes them", () => {
  assert.equal(parseSize("32K"), 32768);
  assert.equal(parseSize("32768K"), 32 * 2 ** 20);
  assert.equal(parseSize("2M"), 2 ** 21);
  assert.equal(parseSize("64"), 64);
  assert.equal(parseSize("lots"), null);
  assert.equal(countCpuList("0-3,8,10-11"), 7);
  assert.equal(countCpuList("5"), 1);
});

test("caches are read per level from a sysfs tree", () => {
  const cpu = tempDir();
  const levels: [string, string, string, string, string, string][] = [
    ["index0", "1", "Data", "64K", "4", "0"],
    ["index1", "1", "Instruction", "64K", "4", "0"],
    ["index2", "2", "Unified", "1024K", "8", "0"],
    ["index3", "3", "Unified", "32768K", "16", "0-63"],
  ];
  for (const [idx, level, type, size, ways, shared] of levels) {
    put(cpu, `cache/${idx}/level`, level);
    put(cpu, `cache/${idx}/type`, type);
    put(cpu, `cache/${idx}/size`, size);
    put(cpu, `cache/${idx}/ways_of_associativity`, ways);
    put(cpu, `cache/${idx}/coherency_line_size`, "64");
    put(cpu, `cache/${idx}/shared_cpu_list`, shared);
  }
  const caches = readCaches(cpu);
  assert.equal(caches.length, 4);
  assert.deepEqual(caches[3], { level: 3, type: "Unified", sizeBytes: 32 * 2 ** 20, lineBytes: 64, ways: 16, sharedByCpus: 64 });
  assert.deepEqual(readCaches(path.join(cpu, "missing")), []);
});

test("THP, governor, NUMA and MIDR are read, and missing files are null", () => {
  const root = tempDir();
  put(root, "thp/enabled", "always madvise [never]");
  put(root, "thp/hpage_pmd_size", "2097152");
  put(root, "cpu0/cpufreq/scaling_governor", "powersave");
  put(root, "cpu0/regs/identification/midr_el1", "0x00000000413fd0c1");
  mkdirSync(path.join(root, "node/node0"), { recursive: true });
  mkdirSync(path.join(root, "node/node1"), { recursive: true });
  assert.deepEqual(readThp(path.join(root, "thp")), { enabled: "never", pmdBytes: 2097152 });
  assert.equal(readGovernor(path.join(root, "cpu0")), "powersave");
  assert.equal(readNumaNodes(path.join(root, "node")), 2);
  assert.equal(readMidr(path.join(root, "cpu0")), 0x413fd0c1);
  assert.equal(readGovernor(path.join(root, "nope")), null);
  assert.deepEqual(readThp(path.join(root, "nope")), { enabled: null, pmdBytes: null });
  assert.equal(readNumaNodes(path.join(root, "nope")), null);
  assert.equal(parseSelector("[always] madvise never"), "always");
});
