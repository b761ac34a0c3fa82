/**
 * The Arm microkernels on paper: `npm run mca -- --json FILE` records (mca.kernel), one
 * row per checked kernel and a column per modelled core, each cell the predicted % of
 * that core's FMA-pipe peak. Remainder tiles ("rem") stay in the file, not on the page.
 */
import type { Block, Cell, Section } from "../blocks.js";
import { okRecords, strParam, type Machine } from "../machines.js";

function cell(r: { median: number; derived?: Record<string, unknown> }): Cell {
  const d = r.derived ?? {};
  let text = `${r.median.toFixed(1)}%`;
  if (d.floorBasis === "load bound" && typeof d.pctOfBound === "number") text += ` (${d.pctOfBound.toFixed(0)}% of loads' bound)`;
  if (d.floor === "LOW") text += " LOW";
  else if (typeof d.floor === "string" && d.floor.startsWith("info")) text += " (info)";
  return { value: r.median, text };
}

export function mcaSection(machines: readonly Machine[]): Section | null {
  const blocks: Block[] = [];
  for (const m of machines) {
    const recs = okRecords(m, "mca.kernel").filter((r) => r.derived?.floor !== "rem");
    if (recs.length === 0) continue;
    const cpus = [...new Set(recs.map((r) => strParam(r, "cpu")))];
    const kernels = [...new Set(recs.map((r) => strParam(r, "kernel")))];
    const rows = kernels.map((k) => [
      k,
      ...cpus.map((c): Cell => {
        const r = recs.find((x) => x.params.kernel === k && x.params.cpu === c);
        return r ? cell(r) : "-";
      }),
    ]);
    blocks.push({
      kind: "table",
      caption: `Predicted % of FMA-pipe peak per Arm microkernel and core (${recs[0]!.impl}, static: no Arm machine ran these; from ${m.label})`,
      head: ["kernel", ...cpus],
      rows,
    });
  }
  if (blocks.length === 0) return null;
  blocks.push({
    kind: "note",
    text: "llvm-mca's steady state of each kernel's inner loop on the core's scheduling model, against the peak of the FMA-class instructions in the same model. The floor is 90 % on Neoverse N1, N2, V1 and V2; a fallback kernel is held to the larger of its FMA peak and its loads' cycles; '(info)' marks a core printed but not checked; '-' a core without the kernel's extensions. Tiles that only run the pixels left over after whole tiles are in the results file, not here.",
  });
  return { id: "mca", title: "Arm microkernels on paper (llvm-mca)", blocks };
}
