import assert from "node:assert/strict";
import { test } from "node:test";

import type { Graph } from "../src/engine/ir.js";
import { builtinModel } from "../src/engine/models/index.js";
import { optimize } from "../src/engine/passes.js";
import { ALIGN, planMemory, type MemoryPlan } from "../src/engine/plan.js";

/** The invariants any plan must keep, checked pair by pair. */
function checkPlan(g: Graph, p: MemoryPlan): void {
  for (const b of p.buffers) {
    assert.equal(b.offset % ALIGN, 0, `${b.values[0]} at ${b.offset}`);
    assert.ok(b.offset + b.bytes <= p.arenaBytes);
  }
  for (let i = 0; i < p.buffers.length; i++) {
    for (let j = i + 1; j < p.buffers.length; j++) {
      const a = p.buffers[i]!;
      const b = p.buffers[j]!;
      const liveTogether = a.first <= b.last && b.first <= a.last;
      const shareBytes = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
      assert.ok(!(liveTogether && shareBytes), `${a.values.join("/")} [${a.first}, ${a.last}] and ${b.values.join("/")} [${b.first}, ${b.last}] overlap in the arena`);
    }
  }
  // Every read happens while the value's buffer is live, residuals included.
  g.nodes.forEach((n, i) => {
    for (const v of n.inputs) {
      if (v === "" || g.initializers.has(v)) continue;
      const b = p.bufferOf.get(v)!;
      assert.ok(b.first <= i && i <= b.last, `${n.name} reads ${v} outside its lifetime`);
    }
    const y = p.bufferOf.get(n.outputs[0]!)!;
    assert.ok(y.first <= i && i <= y.last);
  });
  for (const o of g.outputs) assert.equal(p.bufferOf.get(o)!.last, g.nodes.length);
}

test("ResNet-50 batch 1 fits its activations in under 50 MB, and no two live tensors overlap", () => {
  const g = optimize(builtinModel("resnet50"));
  const p = planMemory(g);
  checkPlan(g, p);
  assert.ok(p.arenaBytes < 50e6, `arena ${p.arenaBytes} bytes`);
  assert.ok(p.arenaBytes >= p.peakLiveBytes && p.arenaBytes <= 1.5 * p.peakLiveBytes, `arena ${p.arenaBytes}, peak live ${p.peakLiveBytes}`);
  const everything = p.buffers.reduce((s, b) => s + b.bytes, 0);
  assert.ok(p.arenaBytes < everything / 5, `buffers are reused: arena ${p.arenaBytes} of ${everything}`);
  let params = 0;
  for (const t of g.initializers.values()) params += t.data.length;
  assert.equal(p.weightBytes, 4 * params);
});

test("a fused conv's residual stays live until that conv, in bytes apart from its output", () => {
  const g = optimize(builtinModel("resnet18", { inputSize: 64 }));
  const p = planMemory(g);
  checkPlan(g, p);
  const fused = g.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.op === "FusedConv" && n.inputs[3]);
  assert.equal(fused.length, 8);
  for (const [n, i] of fused) {
    const r = p.bufferOf.get(n.inputs[3]!)!;
    const y = p.bufferOf.get(n.outputs[0]!)!;
    assert.ok(r.last >= i);
    assert.ok(r.offset + r.bytes <= y.offset || y.offset + y.bytes <= r.offset);
  }
});

test("Flatten is a view: its output shares its input's buffer, which lives as long as either name", () => {
  const g = optimize(builtinModel("mobilenetv2", { inputSize: 64 }));
  const p = planMemory(g);
  checkPlan(g, p);
  const flatten = g.nodes.find((n) => n.op === "Flatten")!;
  const b = p.bufferOf.get(flatten.outputs[0]!)!;
  assert.equal(p.bufferOf.get(flatten.inputs[0]!), b);
  assert.deepEqual(b.values.sort(), [flatten.inputs[0]!, flatten.outputs[0]!].sort());
  const gemmAt = g.nodes.findIndex((n) => n.inputs[0] === flatten.outputs[0]);
  assert.ok(b.last >= gemmAt);
});

test("unoptimised graphs plan too (every intermediate its own value)", () => {
  for (const [name, inputSize] of [["resnet18", 32], ["alexnet", 96], ["vgg16", 32]] as const) {
    const g = builtinModel(name, { inputSize });
    checkPlan(g, planMemory(g));
  }
});
