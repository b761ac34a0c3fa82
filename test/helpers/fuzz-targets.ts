/**
 * What the fuzz harness feeds and to what: each target turns (seed, index) into an input
 * file and runs it through the path a user's file takes. Ending in a UserError is a clean
 * refusal; any other exception, a signal or a hang is a defect.
 */
import path from "node:path";

import { writeReport } from "../../src/commands/report.js";
import { compareResults } from "../../src/compare/compare.js";
import { loadResults } from "../../src/results/load.js";
import { mutationCases } from "./onnx-mutations.js";
import { loadAndRunModel } from "./onnx-run.js";
import { resultsCase, type FuzzCase } from "./results-mutations.js";

export interface FuzzTarget {
  /** The input of case `index` of `seed`. */
  make(seed: number, index: number): FuzzCase;
  /** The file's extension, so a saved failure opens as what it is. */
  ext: string;
  /** Runs the input at `file` as a user's file; throws what the user would see. */
  run(file: string, index: number, scratch: string): Promise<void>;
}

export const FUZZ_TARGETS: Record<string, FuzzTarget> = {
  results: {
    make: resultsCase,
    ext: "json",
    async run(file, index, scratch) {
      const results = loadResults(file);
      compareResults(results, results, 0.05);
      // The report is the slow part: every fourth loadable case.
      if (index % 4 === 0) writeReport({ files: [file], output: path.join(scratch, "report.html") });
    },
  },
  onnx: {
    // Byte mutations of the hand-written and the built-in model, alternately (test/helpers/onnx-mutations.ts).
    make(seed, index) {
      const c = mutationCases(seed * 100_003 + index, 2)[index % 2]!;
      return { what: c.name, bytes: Buffer.from(c.files["model.onnx"] as Uint8Array) };
    },
    ext: "onnx",
    run: (file) => loadAndRunModel(file),
  },
};
