/**
 * ONNX test data sets (`test_data_set_N/input_K.pb`, `output_K.pb`: TensorProto files,
 * the layout of the ONNX model zoo and ONNX's backend tests), run through our engine and
 * compared element by element: |got - want| <= atol + rtol * |want| for floats, and
 * integer and bool outputs exactly (a tolerance would pass an off-by-one quantized value).
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

import { compileModel } from "../engine/compile.js";
import { inferTypes, isIntTensor, typeOf, type Graph } from "../engine/ir.js";
import type { AlgoChooser } from "../engine/lower.js";
import { readTestTensorFile } from "../engine/onnx.js";
import { UserError } from "../errors.js";
import type { Native } from "../native.js";

export interface TestSetResult {
  name: string;
  passed: boolean;
  /**
   * The worst element over the outputs: where, what, and by how much its bound was
   * exceeded (or met); exact: its output is integer or bool, compared without tolerance.
   */
  worst: { output: number; index: number; got: number; want: number; excess: number; exact: boolean } | null;
  /** The outputs compared exactly (integer and bool ones), by index. */
  exactOutputs: number[];
  error: string | null;
  /** int64 inputs whose values were taken as constants at load (shapes, axes). */
  bound?: string[];
}

const numbered = (dir: string, prefix: string) =>
  readdirSync(dir)
    .map((f) => ({ f, m: new RegExp(`^${prefix}_(\\d+)\\.pb$`).exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((x) => path.join(dir, x.f));

export function findTestSets(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new UserError(`--test-data ${dir} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const sets = entries.filter((f) => /^test_data_set_\d+$/.test(f) && statSync(path.join(dir, f)).isDirectory());
  if (sets.length === 0) throw new UserError(`--test-data ${dir} holds no test_data_set_N folders.`);
  return sets.sort((a, b) => Number(a.split("_").pop()) - Number(b.split("_").pop())).map((f) => path.join(dir, f));
}

/**
 * The model loaded as it is; `bind`: with these int64 inputs' values taken as constants.
 * Returns the graph or the load's refusal.
 */
export type ModelLoader = (bind?: Map<string, { dims: number[]; data: number[] }>) => Graph;

/**
 * Runs every test set. A model that needs an int64 input's values at load (a shape, axes
 * or a Slice's bounds given as an input, as the ONNX node tests do) and is refused without
 * them is loaded again per test set with its int64 inputs' values as constants, and the
 * result says so.
 */
export async function runTestSets(native: Native, load: ModelLoader, dir: string, chooseAlgo: AlgoChooser, rtol: number, atol: number): Promise<TestSetResult[]> {
  const sets = findTestSets(dir);
  let plain: { graph: Graph; engine: ReturnType<Native["engineCreate"]> } | null = null;
  let refusal: Error | null = null;
  try {
    const graph = load();
    plain = { graph, engine: native.engineCreate(compileModel(graph, { fpmath: "fp32", chooseAlgo, nchwcBlock: native.nchwcBlock() }).program) };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    refusal = e;
  }
  const results: TestSetResult[] = [];
  for (const set of sets) {
    const name = path.basename(set);
    try {
      // Read knowing the model's types where it loaded (older test data stores bfloat16 as uint16).
      const [inputFiles, outputFiles] = [numbered(set, "input"), numbered(set, "output")];
      let inputs = inputFiles.map((f, i) => readTestTensorFile(f, plain?.graph.inputs[i]?.dtype));
      let graph: Graph;
      let engine: ReturnType<Native["engineCreate"]>;
      let bound: string[] = [];
      if (plain) ({ graph, engine } = plain);
      else {
        // The model's int64 inputs are known from the wire only through the failed load; the test set's int64 tensors name them.
        const bind = new Map(inputs.filter((t) => t.dtype === "int64").map((t) => [t.name, { dims: t.dims, data: Array.from(t.data) }]));
        if (bind.size === 0) throw refusal!;
        try {
          graph = load(bind);
        } catch (e) {
          throw e instanceof UserError ? new UserError(`${refusal!.message.replace(/\.$/, "")}; with its int64 inputs as constants: ${e.message}`) : e;
        }
        engine = native.engineCreate(compileModel(graph, { fpmath: "fp32", chooseAlgo, nchwcBlock: native.nchwcBlock() }).program);
        bound = [...bind.keys()];
        inputs = inputs.filter((t) => !bind.has(t.name));
      }
      const outTypes = inferTypes(graph);
      const wants = outputFiles.map((f, i) => readTestTensorFile(f, outTypes.get(graph.outputs[i] ?? "")));
      if (inputs.length !== graph.inputs.length) {
        throw new UserError(`${name} has ${inputs.length} input files; the model takes ${graph.inputs.length} inputs.`);
      }
      inputs.forEach((t, i) => {
        const want = graph.inputs[i]!.dims;
        if (t.dims.join("x") !== want.join("x")) throw new UserError(`${name}: input_${i}.pb has dims [${t.dims}], the model's input has [${want}].`);
        const type = typeOf(t);
        if (type !== (graph.inputs[i]!.dtype ?? "float32")) throw new UserError(`${name}: input_${i}.pb is ${type}, the model's input is ${graph.inputs[i]!.dtype ?? "float32"}.`);
      });
      const { outputs } = await native.engineRun(engine, inputs.map((t) => t.data));
      let worst: TestSetResult["worst"] = null;
      let passed = wants.length === outputs.length;
      const exactOutputs = wants.flatMap((w, o) => (isIntTensor(w) || w.dtype === "bool" ? [o] : []));
      wants.forEach((want, o) => {
        const got = outputs[o];
        if (!got || got.length !== want.data.length) {
          passed = false;
          return;
        }
        const exact = exactOutputs.includes(o);
        for (let i = 0; i < got.length; i++) {
          const [g, w] = [got[i]!, want.data[i]!];
          // NaN where NaN is expected, and the same infinity, agree (numpy's allclose with equal_nan, as ONNX's runner checks).
          const excess = g === w || (Number.isNaN(g) && Number.isNaN(w)) ? -Infinity : exact ? Math.abs(g - w) : Math.abs(g - w) - (atol + rtol * Math.abs(w));
          if (!(excess <= 0)) passed = false;
          if (worst === null || !(excess <= worst.excess)) worst = { output: o, index: i, got: got[i]!, want: want.data[i]!, excess, exact };
        }
      });
      results.push({ name, passed, worst, exactOutputs, error: passed || worst ? null : "the outputs differ in number or size from the expected ones", ...(bound.length ? { bound } : {}) });
    } catch (e) {
      results.push({ name, passed: false, worst: null, exactOutputs: [], error: (e as Error).message });
    }
  }
  return results;
}
