import assert from "node:assert/strict";
import { test } from "node:test";

import { detectPlateaus, detectTlbLevels, edgeDisagrees, labelPlateaus, segment, sweep } from "../src/micro/analysis.js";

const KiB = 1024;
const MiB = 1024 * KiB;

test("segmentation finds piecewise-constant runs", () => {
  assert.deepEqual(segment([1, 1.01, 0.99, 5, 5.02, 4.98], 0.5), [
    [0, 2],
    [3, 5],
  ]);
  assert.deepEqual(segment([3, 3, 3], 0.5), [[0, 2]]);
  assert.deepEqual(segment([], 1), []);
});

/**
 * A latency curve with levels L1 32K 1 ns, L2 1M 3.5 ns, L3 32M 12 ns, DRAM 90 ns,
 * and a rising transition from L3 to DRAM as a victim L3 starts to miss.
 */
function syntheticCurve(): { bytes: number; ns: number }[] {
  const sizes = sweep(4 * KiB, 128 * MiB, 2, 4096);
  return sizes.map((bytes) => {
    const ns = bytes <= 32 * KiB ? 1 : bytes <= MiB ? 3.5 : bytes <= 16 * MiB ? 12 : bytes < 64 * MiB ? 12 * Math.pow(bytes / (16 * MiB), 1.5) : 90;
    return { bytes, ns: ns * (1 + 0.02 * Math.sin(bytes)) };
  });
}

test("plateaus of a latency curve, named after the hierarchy's levels", () => {
  const plateaus = detectPlateaus(syntheticCurve());
  assert.equal(plateaus.length, 4);
  const caches = [
    { level: 1, sizeBytes: 32 * KiB, source: "sysfs" as const },
    { level: 2, sizeBytes: MiB, source: "sysfs" as const },
    { level: 3, sizeBytes: 32 * MiB, source: "sysfs" as const },
  ];
  const labelled = labelPlateaus(plateaus, caches);
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "L2", "L3", "DRAM"]);
  assert.equal(labelled[0]!.lastBytes, 32 * KiB);
  assert.equal(labelled[1]!.lastBytes, MiB);
  // The edge lies between the last flat point and the first point of the next level.
  assert.ok(labelled[0]!.edgeBytes > 32 * KiB && labelled[0]!.edgeBytes < 45 * KiB);
  for (const l of labelled.slice(0, 3)) assert.ok(l.edgeBytes / l.cacheBytes! <= 2 && l.cacheBytes! / l.edgeBytes <= 2);
  assert.ok(Math.abs(labelled[3]!.ns - 90) < 5);
});

test("a steadily rising stretch is a transition, not a level", () => {
  const curve = [1, 1, 1, 2, 4, 8, 8, 8].map((ns, i) => ({ bytes: 4096 << i, ns }));
  assert.equal(detectPlateaus(curve).length, 2);
});

test("TLB levels from the 4K-minus-huge cost curve", () => {
  // 64 entries free, then 4 ns until 2048 pages, then 25 ns.
  const cost = sweep(8, 16384, 2, 1).map((pages) => ({ pages, ns: pages <= 64 ? 0.1 : pages <= 2048 ? 4 : pages <= 2896 ? 12 : 25 }));
  const levels = detectTlbLevels(cost);
  assert.equal(levels.length, 2);
  assert.equal(levels[0]!.entries, 64);
  assert.ok(Math.abs(levels[0]!.stepNs - 3.9) < 0.2);
  assert.equal(levels[1]!.entries, 2048);
});

test("a flat TLB cost curve has no levels", () => {
  assert.deepEqual(detectTlbLevels([8, 16, 32, 64].map((pages) => ({ pages, ns: 0.2 }))), []);
});

test("sweeps are geometric, aligned and include both ends", () => {
  assert.deepEqual(sweep(4096, 65536, 1, 4096), [4096, 8192, 16384, 32768, 65536]);
  const half = sweep(16384, 16 * MiB, 0.5, 4096);
  assert.equal(half[0], 16384);
  assert.equal(half[half.length - 1], 16 * MiB);
  assert.equal(half.length, 6);
});

test("the curve this VM gives: a small usable L3 still yields four levels in order", () => {
  // Measured here (huge pages, ns): the host's L3 is shared, so DRAM starts near 8 MiB.
  const ns = [1.11, 1.07, 1.21, 1.24, 3.29, 3.79, 3.87, 5.03, 7.95, 12.99, 15.04, 133.77, 134.68, 145.35, 157.13, 158.88];
  const curve = ns.map((v, i) => ({ bytes: 4 * KiB * 2 ** i, ns: v }));
  const caches = [
    { level: 1, sizeBytes: 32 * KiB, source: "sysfs" as const },
    { level: 2, sizeBytes: MiB, source: "sysfs" as const },
    { level: 3, sizeBytes: 32 * MiB, source: "sysfs" as const },
  ];
  const labelled = labelPlateaus(detectPlateaus(curve), caches);
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "L2", "L3", "DRAM"]);
  assert.equal(labelled[0]!.lastBytes, 32 * KiB);
  assert.ok(labelled[1]!.edgeBytes > 512 * KiB && labelled[1]!.edgeBytes < MiB);
});

test("fewer plateaus than levels keep their order", () => {
  const labelled = labelPlateaus(
    [
      { firstBytes: 4 * KiB, lastBytes: 32 * KiB, edgeBytes: 40 * KiB, ns: 1, points: 4 },
      { firstBytes: 4 * MiB, lastBytes: 16 * MiB, edgeBytes: 20 * MiB, ns: 12, points: 3 },
    ],
    [
      { level: 1, sizeBytes: 32 * KiB, source: "sysfs" as const },
      { level: 2, sizeBytes: MiB, source: "sysfs" as const },
      { level: 3, sizeBytes: 32 * MiB, source: "sysfs" as const },
    ],
  );
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "L3"]);
});

test("the last TLB level ends where page walks start, even when walks keep rising", () => {
  // Measured here: one line per page minus the dense chase (ns).
  const ns = [0.09, 0, -0.03, -0.02, 1.92, 1.78, 2.11, 2.11, 2.39, 12.69, 20.57, 29.91];
  const levels = detectTlbLevels(ns.map((v, i) => ({ pages: 8 * 2 ** i, ns: v })));
  assert.deepEqual(levels.map((l) => l.entries), [64, 2048]);
});

test("one noisy point after a plateau is not a TLB level", () => {
  const ns = [0, 0, 0, 0, 3, 0, 0, 0];
  assert.deepEqual(detectTlbLevels(ns.map((v, i) => ({ pages: 8 * 2 ** i, ns: v }))), []);
});

test("a finely sampled gradual transition does not add levels", () => {
  // Measured here with two points per octave (huge pages): L2 to L3 rises over 364K-2M
  // and this VM's L3 itself climbs, as the host shares it.
  const bytes = [4, 8, 12, 16, 24, 32, 44, 64, 92, 128, 180, 256, 364, 512, 724, 1024, 1448, 2048, 2896, 4096, 5793, 8192, 11585, 16384, 23170, 32768, 46341, 65536, 92682, 131072];
  const ns = [1.12, 1.09, 1.12, 1.13, 1.12, 1.14, 2.67, 3.35, 3.64, 3.75, 3.82, 3.84, 4.32, 5.01, 5.63, 8.76, 11.1, 12.98, 14.07, 15.47, 68.82, 126.32, 134.16, 140.61, 145.85, 150.13, 153.56, 153.17, 156.31, 159.8];
  const curve = bytes.map((kib, i) => ({ bytes: Math.round(kib * KiB), ns: ns[i]! }));
  const labelled = labelPlateaus(detectPlateaus(curve), [
    { level: 1, sizeBytes: 32 * KiB, source: "sysfs" as const },
    { level: 2, sizeBytes: MiB, source: "sysfs" as const },
    { level: 3, sizeBytes: 32 * MiB, source: "sysfs" as const },
  ]);
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "L2", "L3", "DRAM"]);
  assert.ok(labelled[0]!.edgeBytes > 32 * KiB && labelled[0]!.edgeBytes < 64 * KiB);
  assert.ok(labelled[1]!.edgeBytes > 512 * KiB && labelled[1]!.edgeBytes < 2 * MiB);
});

test("an extra step that fits no cache level is left unnamed", () => {
  const plateau = (edgeKiB: number) => ({ firstBytes: 4 * KiB, lastBytes: edgeKiB * KiB, edgeBytes: edgeKiB * KiB, ns: 1, points: 2 });
  const labelled = labelPlateaus([plateau(46), plateau(184), plateau(1005), plateau(9824), { ...plateau(131072), firstBytes: 16 * MiB }], [
    { level: 1, sizeBytes: 32 * KiB, source: "sysfs" as const },
    { level: 2, sizeBytes: MiB, source: "sysfs" as const },
    { level: 3, sizeBytes: 32 * MiB, source: "sysfs" as const },
  ]);
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "?", "L2", "L3", "DRAM"]);
});

test("a level the curve skips does not drag the edge of the level below it", () => {
  // Measured here: L3 climbed without a flat stretch, so L2's next plateau is DRAM.
  const bytes = [4, 8, 16, 32, 44, 64, 128, 256, 364, 512, 724, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];
  const ns = [1.11, 1.1, 1.1, 1.09, 2.63, 3.37, 3.74, 3.8, 4.32, 4.97, 5.74, 7.89, 12.73, 16.59, 26.15, 133.84, 145.91, 150.75, 158.19];
  const curve = bytes.map((kib, i) => ({ bytes: kib * KiB, ns: ns[i]! }));
  const labelled = labelPlateaus(detectPlateaus(curve), [
    { level: 1, sizeBytes: 32 * KiB, source: "sysfs" as const },
    { level: 2, sizeBytes: MiB, source: "sysfs" as const },
    { level: 3, sizeBytes: 32 * MiB, source: "sysfs" as const },
  ]);
  assert.equal(labelled[1]!.label, "L2");
  assert.ok(labelled[1]!.edgeBytes > 512 * KiB && labelled[1]!.edgeBytes < 2 * MiB, String(labelled[1]!.edgeBytes));
  assert.equal(labelled[labelled.length - 1]!.label, "DRAM");
});

test("with only labelled default sizes, plateaus are named in order and the last is DRAM", () => {
  const plateau = (edgeKiB: number) => ({ firstBytes: 4 * KiB, lastBytes: edgeKiB * KiB, edgeBytes: edgeKiB * KiB, ns: 1, points: 2 });
  const labelled = labelPlateaus([plateau(48), plateau(1000), plateau(30000), plateau(500000)], [
    { level: 1, sizeBytes: 32 * KiB, source: "default" as const },
    { level: 2, sizeBytes: 512 * KiB, source: "default" as const },
  ]);
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "L2", "L3", "DRAM"]);
  assert.ok(labelled.every((l) => l.cacheBytes === null && l.cacheSource === null));
});

test("a curve edge far from the hierarchy's size is flagged, a close one is not", () => {
  assert.equal(edgeDisagrees({ edgeBytes: 40 * KiB, cacheBytes: 48 * KiB }), false);
  assert.equal(edgeDisagrees({ edgeBytes: 64 * MiB, cacheBytes: 480 * MiB }), true);
  assert.equal(edgeDisagrees({ edgeBytes: 64 * MiB, cacheBytes: null }), false);
});

test("a quick sweep's near-octave steps still find every level, and a VM's over-reported L3 matches its curve's step", () => {
  // Measured on an Intel KVM guest (huge pages, ns) whose CPUID and sysfs report a 480 MiB
  // L3: the sweep to 4x that steps by a little under an octave (64K, 124K, 252K, ...).
  const kib = [4, 8, 16, 32, 64, 124, 252, 500, 996, 1988, 3960, 7892, 15728, 31352, 62492, 124560, 248276, 494872, 986384, 1966080];
  const ns = [1.61, 1.36, 1.19, 1.4, 3, 4.49, 4.53, 4.93, 5.82, 16.71, 41.31, 49.05, 110.33, 173.09, 174.47, 183.24, 189.46, 198.91, 231.97, 298.91];
  const curve = kib.map((k, i) => ({ bytes: k * KiB, ns: ns[i]! }));
  const labelled = labelPlateaus(detectPlateaus(curve), [
    { level: 1, sizeBytes: 48 * KiB, source: "cpuid" as const },
    { level: 2, sizeBytes: 2 * MiB, source: "cpuid" as const },
    { level: 3, sizeBytes: 480 * MiB, source: "cpuid" as const },
  ]);
  assert.deepEqual(labelled.map((l) => l.label), ["L1", "L2", "L3", "DRAM"]);
  const l3 = labelled[2]!;
  assert.ok(l3.edgeBytes > 8 * MiB && l3.edgeBytes < 32 * MiB, `L3 edge ${l3.edgeBytes}`);
  assert.equal(edgeDisagrees(l3), true);
});
