/**
 * What `armbench model --onnx FILE` does with a file before it measures anything: load,
 * compile as the CLI does (NCHWc layout, default conv algorithms), create the engine and
 * run it once. Throws what the CLI would meet: a UserError for the file's mistakes.
 */
import { compileModel } from "../../src/engine/compile.js";
import { seededInputs } from "../../src/engine/inputs.js";
import type { OpType } from "../../src/engine/ir.js";
import { defaultAlgoChooser } from "../../src/engine/lower.js";
import { loadOnnxFile } from "../../src/engine/onnx.js";
import { loadNative } from "../../src/native.js";

/** The ops src/model/run.ts keeps in NCHWc under --layout nchwc (the default). */
const BLOCKED_OPS: OpType[] = ["MaxPool", "AveragePool", "GlobalAveragePool"];

export async function loadAndRunModel(file: string): Promise<void> {
  const graph = loadOnnxFile(file, { batch: 1 });
  const native = loadNative();
  const { program } = compileModel(graph, { fpmath: "fp32", chooseAlgo: defaultAlgoChooser, nchwcBlock: native.nchwcBlock(), nchwc: { blockedOps: BLOCKED_OPS } });
  const engine = native.engineCreate(program);
  await native.engineRun(engine, seededInputs(graph).map((t) => t.data));
}
