#!/usr/bin/env node
// Runs the ONNX backend node tests (Debian's libonnx-testdata) of the ops armbench's
// model runner supports, then every model of the package's pytorch-converted and
// pytorch-operator folders (PyTorch's opset-6 exports), through the same path as
// `armbench model --onnx M --test-data D`, and prints one line per test: pass, FAIL
// (worst element), or refused (the loader's or executor's one sentence). Which tests
// pass is a fact of this build, not a speed goal.
//   npm run onnx:node-tests [-- --all] [-- PREFIX ...]
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => path.join(root, "dist", "src", p);
const { loadOnnxFile } = await import(dist("engine/onnx.js"));
const { ONNX_OPS } = await import(dist("engine/ir.js"));
const { defaultAlgoChooser } = await import(dist("engine/lower.js"));
const { runTestSets } = await import(dist("model/testdata.js"));
const { loadNative } = await import(dist("native.js"));

const BACKEND = process.env.ONNX_NODE_TESTS ?? "/usr/share/libonnx-testdata/data/node";
// The opset-6 exports sit beside the node tests; run whole (each is one small model).
const PYTORCH = ["pytorch-converted", "pytorch-operator"].map((d) => path.join(path.dirname(BACKEND), d)).filter((d) => existsSync(d));
if (!existsSync(BACKEND)) {
  console.error(`${BACKEND} is missing: install libonnx-testdata (or set ONNX_NODE_TESTS).`);
  process.exit(1);
}
// Ops the loader folds at load (Slice and Expand also run on run-time data): not all of their tests can pass.
const FOLDED = ["Shape", "Size", "ConstantOfShape", "Expand", "Range", "Slice"];
const args = process.argv.slice(2);
const all = args.includes("--all");
const prefixes = args.filter((a) => !a.startsWith("--"));
// Test folders name the op in lower case, with or without underscores (test_reduce_mean_*, test_logsoftmax_*).
const ALIASES = { BatchNormalization: "batchnorm" };
// DynamicQuantizeLinear is rewritten at load (into reductions and QuantizeLinear); ConvInteger's tests also read "test_basic_convinteger".
// Pad (read into Gathers; its tests are named by mode), Neg and Reciprocal (a Mul and a Div) are rewritten at load.
const ours = [...ONNX_OPS, ...FOLDED].map((op) => ALIASES[op] ?? op.toLowerCase()).concat(["constantpad", "edgepad", "reflectpad", "neg", "reciprocal", "dynamicquantizelinear", "basicconvinteger"]);
const key = (d) => d.slice("test_".length).replace(/_/g, "");
const dirs = [
  ...readdirSync(BACKEND)
    .filter((d) => (prefixes.length ? prefixes.some((p) => d.startsWith(p)) : all || ours.some((op) => key(d).startsWith(op))))
    .sort()
    .map((d) => ({ label: d, dir: path.join(BACKEND, d) })),
  ...PYTORCH.flatMap((root) =>
    readdirSync(root)
      .filter((d) => !prefixes.length || prefixes.some((p) => d.startsWith(p) || `${path.basename(root)}/${d}`.startsWith(p)))
      .sort()
      .map((d) => ({ label: `${path.basename(root)}/${d}`, dir: path.join(root, d) })),
  ),
];

const native = loadNative();
const counts = { pass: 0, fail: 0, refused: 0 };
for (const { label, dir } of dirs) {
  let line;
  try {
    const file = path.join(dir, "model.onnx");
    const results = await runTestSets(native, (bind) => loadOnnxFile(file, bind ? { bind } : {}), dir, defaultAlgoChooser, 1e-3, 1e-5);
    const bad = results.find((r) => !r.passed);
    if (!bad) {
      counts.pass++;
      const notes = [
        ...(results.some((r) => r.bound) ? [`${results.find((r) => r.bound).bound.join(", ")} taken as constants`] : []),
        ...(results.some((r) => r.exactOutputs.length) ? ["integer outputs exact"] : []),
      ];
      line = notes.length ? `pass (${notes.join("; ")})` : "pass";
    } else if (bad.worst) {
      counts.fail++;
      line = `FAIL ${bad.name}: output ${bad.worst.output}[${bad.worst.index}] ${bad.worst.got} vs ${bad.worst.want}${bad.worst.exact ? " (exact)" : ""}`;
    } else {
      counts.refused++;
      line = `refused: ${bad.error}`;
    }
  } catch (e) {
    counts.refused++;
    line = `refused: ${e.message}`;
  }
  console.log(`${label.padEnd(52)} ${line}`);
}
console.log(`\n${dirs.length} tests: ${counts.pass} pass, ${counts.fail} fail, ${counts.refused} refused (rtol 1e-3, atol 1e-5; integer and bool outputs exact).`);
