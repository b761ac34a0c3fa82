import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import onnxProto from "onnx-proto";

import { UserError } from "../src/errors.js";
import { countFlops, inferShapes, topoSort, type Graph, type Node } from "../src/engine/ir.js";
import { loadOnnxFile } from "../src/engine/onnx.js";
import { randomTensor } from "./helpers/engine.js";
import { tempDir } from "./helpers/fixtures.js";

const relu = (name: string, x: string, y: string): Node => ({ op: "Relu", name, inputs: [x], outputs: [y], attrs: {} });
const g = (nodes: Node[], outputs = ["y"]): Graph => ({ name: "t", inputs: [{ name: "x", dims: [1, 2] }], outputs, nodes, initializers: new Map() });

test("topoSort puts producers first, keeps a sorted graph's order, and refuses cycles and undefined values", () => {
  const nodes = [relu("c", "b", "y"), relu("b", "a", "b"), relu("a", "x", "a")];
  assert.deepEqual(topoSort(g(nodes)).nodes.map((n) => n.name), ["a", "b", "c"]);
  const sorted = [relu("a", "x", "a"), relu("z", "x", "z"), relu("b", "a", "y")];
  assert.deepEqual(topoSort(g(sorted, ["y", "z"])).nodes.map((n) => n.name), ["a", "z", "b"]);
  assert.throws(() => topoSort(g([relu("p", "q", "p2"), relu("q", "p2", "q")])), (e: unknown) => e instanceof UserError && /node "p" \(Relu\) reads "q", which no node/.test(e.message));
  assert.throws(() => topoSort(g([relu("a", "x", "a")], ["nowhere"])), /graph output "nowhere" is not produced/);
});

test("shape inference refuses a conv whose weights do not fit its input, naming the node", () => {
  const conv: Node = { op: "Conv", name: "c0", inputs: ["x", "w", ""], outputs: ["y"], attrs: { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 } };
  const graph: Graph = { name: "t", inputs: [{ name: "x", dims: [1, 3, 8, 8] }], outputs: ["y"], nodes: [conv], initializers: new Map([["w", randomTensor([4, 5, 3, 3])]]) };
  assert.throws(() => inferShapes(graph), (e: unknown) => e instanceof UserError && /node "c0" \(Conv\): input channels 3 do not match weights \[4, 5, 3, 3\] with group 1/.test(e.message));
});

test("FLOPs of a grouped, strided conv and a gemm, by hand", () => {
  const graph: Graph = {
    name: "t",
    inputs: [{ name: "x", dims: [2, 8, 10, 10] }],
    outputs: ["y"],
    nodes: [
      { op: "Conv", name: "c", inputs: ["x", "w", ""], outputs: ["c"], attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 4 } },
      { op: "Flatten", name: "f", inputs: ["c"], outputs: ["f"], attrs: { axis: 1 } },
      { op: "Gemm", name: "fc", inputs: ["f", "fw", ""], outputs: ["y"], attrs: { alpha: 1, beta: 1, transA: false, transB: true } },
    ],
    initializers: new Map([["w", randomTensor([12, 2, 3, 3])], ["fw", randomTensor([7, 12 * 5 * 5])]]),
  };
  const f = countFlops(graph);
  // conv: 2 x 12 x 5 x 5 outputs, each (8 / 4) x 3 x 3 MACs; gemm: 2 x 7 outputs of 300 MACs.
  assert.deepEqual(f.byNode.map((n) => n.macs), [2 * 12 * 5 * 5 * 2 * 9, 2 * 7 * 300]);
  assert.equal(f.flops, 2 * (10800 + 4200));
});

test("a model path that is not a regular file, or a FIFO as external data, is refused without blocking", () => {
  const dir = tempDir();
  assert.throws(() => loadOnnxFile(dir), (e: unknown) => e instanceof UserError && /is not a regular file/.test(e.message));
  execFileSync("mkfifo", [path.join(dir, "pipe.bin")]);
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      node: [{ name: "c", opType: "Conv", input: ["x", "w"], output: ["y"] }],
      initializer: [{ name: "w", dims: [1, 1, 1, 1], dataType: 1, dataLocation: 1, externalData: [{ key: "location", value: "pipe.bin" }] }],
      input: [{ name: "x", type: { tensorType: { elemType: 1, shape: { dim: [1, 1, 2, 2].map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: "y" }],
    },
  }).finish();
  writeFileSync(path.join(dir, "m.onnx"), model);
  assert.throws(() => loadOnnxFile(path.join(dir, "m.onnx")), /names the external file "pipe\.bin", which is not a regular file/);
});
