/** llvm-mca predictions as results-file records (suite "mca"), and the floor check over them. */
import { notChecked, okRecord } from "../results/record.js";
import type { OkRecord } from "../results/schema.js";
import { MCA_MIN_PCT, type McaPrediction } from "./peak.js";

export const MCA_UNIT = "% of pipe peak";

export interface McaRow {
  kernel: string;
  cpu: string;
  /** The source file and the -march it was compiled with, for the record. */
  source: string;
  march: string;
  prediction: McaPrediction;
}

export function mcaRecord(row: McaRow, llvmMca: string): OkRecord {
  const p = row.prediction;
  return okRecord(
    {
      suite: "mca",
      name: "mca.kernel",
      impl: llvmMca,
      params: { kernel: row.kernel, cpu: row.cpu },
      unit: MCA_UNIT,
      derived: {
        instrPerIter: p.instrPerIter,
        fmaPerIter: p.fmaPerIter,
        cyclesPerIter: p.cyclesPerIter,
        peakCyclesPerIter: p.peakCyclesPerIter,
        peakFmaPerCycle: p.peakFmaPerCycle,
        peakSource: "llvm-mca Instruction Info: each FMA-class instruction's reciprocal throughput",
        bottleneck: p.bottleneck,
        busiestUnitCyclesPerIter: p.busiest,
        source: row.source,
        march: row.march,
      },
    },
    [p.pctOfPeak],
    notChecked("a static prediction: no answer is computed", "llvm-mca simulation"),
  );
}

/** One line per kernel and core below the floor, empty when every one reaches it. */
export function belowFloor(rows: readonly McaRow[], floor = MCA_MIN_PCT): string[] {
  return rows
    .filter((r) => !(r.prediction.pctOfPeak >= floor))
    .map((r) => `${r.kernel} on ${r.cpu}: ${r.prediction.pctOfPeak.toFixed(1)}% of pipe peak, below ${floor}% (${r.prediction.bottleneck})`);
}
