import assert from "node:assert/strict";
import { test } from "node:test";

import { noiseWarnings, type NoiseFacts } from "../src/sysinfo/noise.js";

const quiet: NoiseFacts = { governor: "performance", loadAverage1: 0.1, logicalCpus: 8, virtualization: null, thp: "madvise" };

test("a quiet bare-metal host gets no warning", () => {
  assert.deepEqual(noiseWarnings(quiet), []);
  assert.deepEqual(noiseWarnings({ ...quiet, governor: null }), []);
});

test("each noise source gets its own warning", () => {
  assert.match(noiseWarnings({ ...quiet, governor: "ondemand" }).join(), /governor is "ondemand"/);
  assert.match(noiseWarnings({ ...quiet, loadAverage1: 6 }).join(), /load average is 6\.00 on 8 CPUs/);
  assert.match(noiseWarnings({ ...quiet, virtualization: "KVM" }).join(), /virtualized \(KVM\)/);
  assert.match(noiseWarnings({ ...quiet, thp: "never" }).join(), /huge pages are "never"/);
  assert.equal(noiseWarnings({ governor: "schedutil", loadAverage1: 9, logicalCpus: 2, virtualization: "KVM", thp: "never" }).length, 4);
});
