import assert from "node:assert/strict";
import { test } from "node:test";

import { fmaFigures, type ChainPoint } from "../src/micro/analysis.js";

/** An ideal pipe: latency L cycles, T instructions per cycle, with optional noise. */
function idealCurve(latency: number, ipc: number, maxK: number, noise: number[] = [1, 1, 1]): ChainPoint[] {
  return Array.from({ length: maxK }, (_, i) => {
    const k = i + 1;
    // One step of every chain takes max(latency, k / ipc) cycles.
    const cycles = Math.max(latency, k / ipc);
    return { k, cyclesPerStep: noise.map((f) => cycles * f) };
  });
}

test("latency, throughput and Little's law come from the chain curve", () => {
  const fig = fmaFigures(idealCurve(4, 2, 24));
  assert.deepEqual(fig.latencySamples, [4, 4, 4]);
  assert.ok(Math.abs(fig.throughputSamples[0]! - 2) < 1e-12);
  assert.ok(Math.abs(fig.parallelismSamples[0]! - 8) < 1e-12);
  assert.equal(fig.saturatesAt, 8);
  assert.equal(fig.agrees, true);
});

test("a Neoverse-like accumulator chain: latency 2 on 4 pipes saturates at 8", () => {
  const fig = fmaFigures(idealCurve(2, 4, 30));
  assert.equal(fig.saturatesAt, 8);
  assert.ok(fig.agrees);
});

test("a curve that saturates far from latency x throughput is flagged", () => {
  // Throughput keeps creeping up to k = 20 although latency x throughput is 4.
  const pts: ChainPoint[] = Array.from({ length: 24 }, (_, i) => {
    const k = i + 1;
    const ipc = k < 4 ? k / 4 : k < 20 ? 0.8 + (k - 4) * 0.0125 : 1;
    return { k, cyclesPerStep: [k / ipc] };
  });
  const fig = fmaFigures(pts);
  // Plateau = median over k = 12..24 = 0.975; 0.8 + (k - 4) * 0.0125 first reaches
  // 93 % of that at k = 13, far above Little's law's 4.
  assert.equal(fig.saturatesAt, 13);
  assert.equal(fig.agrees, false);
});

test("one lucky fast k does not move the saturation point", () => {
  const pts = idealCurve(4, 1, 30);
  pts[20] = { k: 21, cyclesPerStep: [21 / 1.2, 21 / 1.2, 21 / 1.2] };
  const fig = fmaFigures(pts);
  assert.equal(fig.saturatesAt, 4);
  assert.equal(fig.bestK, 21);
  assert.ok(fig.agrees);
});

test("noise stays in the samples and the median is robust", () => {
  const fig = fmaFigures(idealCurve(4, 1, 16, [1, 1.02, 1.5]));
  assert.equal(fig.latencySamples.length, 3);
  assert.equal(fig.saturatesAt, 4);
});

test("a curve without k = 1 is refused", () => {
  assert.throws(() => fmaFigures([{ k: 2, cyclesPerStep: [4] }]), /k = 1/);
});
