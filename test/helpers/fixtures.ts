/** Shared test fixtures: a complete, valid environment block and temp folders. */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { Env } from "../../src/results/schema.js";

export function tempDir(prefix = "armbench-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sampleEnv(): Env {
  return {
    createdAt: "2026-11-21T12:00:00.000Z",
    armbench: { version: "0.1.0", git: null },
    machine: { hostname: "graviton-test", virtualization: null, systemModel: null },
    cpu: {
      vendor: "Arm",
      model: "Neoverse-N1",
      microarch: { name: "Neoverse N1", designer: "Arm", source: "MIDR implementer 0x41 part 0xd0c" },
      coreTypes: ["Neoverse N1"],
      sockets: 1,
      cores: 64,
      threads: 64,
      numaNodes: 1,
    },
    isa: { arch: "aarch64", features: { asimd: true, bf16: false }, sveVectorBytes: 0, smeVectorBytes: 0 },
    caches: [{ level: 1, type: "Data", sizeBytes: 65536, lineBytes: 64, ways: 4, sharedByCpus: 1, source: "sysfs" }],
    memory: { totalBytes: 2 ** 37, thp: "madvise", hugePageBytes: 2 ** 21 },
    os: { platform: "linux", distro: "Ubuntu 24.04", release: "24.04", kernel: "6.8.0" },
    clock: {
      cycleSource: "estimate",
      perfUnavailable: "no hardware cycle counter",
      coreClockHz: 2.5e9,
      coreClockMethod: "test",
      refCounter: { name: "cntvct", hz: 1.21e9, invariant: true },
      monotonicResolutionNs: 1,
    },
    governor: "performance",
    loadAverage: [0, 0, 0],
    build: { compiler: "GNU 12.2.0", buildType: "Release", flags: "-O3", isaFlags: "" },
    versions: { node: "20.0.0", v8: "11", napi: "9", dependencies: {} },
    warnings: [],
  };
}
