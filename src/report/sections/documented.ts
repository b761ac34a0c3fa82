/**
 * Documented beside measured, per machine: each micro figure that has a published
 * counterpart (FMA latency and rate per form, cache load-to-use latency and size),
 * paired and flagged by the same module the terminal uses (sysinfo/documented-compare).
 */
import { formatBytes } from "../../format.js";
import { documentedCoreByName, sourceText } from "../../sysinfo/cores.js";
import { DOCUMENTED_TOLERANCE, formOf, notComparableWhy, recordComparisons, unknownCoreLine, type Comparison } from "../../sysinfo/documented-compare.js";
import { numCell, type Block, type Cell } from "../blocks.js";
import { okRecords, strParam, type Machine } from "../machines.js";

const FIGURE_NAMES: Record<Comparison["kind"], string> = {
  "fma.latency": "latency (cycles)",
  "fma.throughput": "instructions per cycle",
  "cache.latency": "load-to-use (cycles)",
  "cache.size": "size (edge of the latency curve)",
};

function valueCell(c: Comparison, v: number | null): Cell {
  if (v === null) return "-";
  return c.kind === "cache.size" ? { value: v, text: formatBytes(v) } : numCell(v, 2);
}

/** "+3 %", "-12 %", "0 %": rounded first, so a tiny negative never reads "-0 %". */
function signedPercent(deviation: number): string {
  const p = Math.round(deviation * 100);
  return `${p > 0 ? "+" : ""}${p} %`;
}

function verdictText(c: Comparison): string {
  if (c.verdict === "agrees") return `within ${DOCUMENTED_TOLERANCE * 100} %`;
  if (c.verdict === "above" || c.verdict === "below") return `FLAG: ${c.note}`;
  return c.note ?? "not documented";
}

function machineRows(m: Machine): { rows: Cell[][]; note: string | null } {
  const coreName = m.env.cpu.microarch.name;
  const why = notComparableWhy(m.env);
  if (why) return { rows: [], note: `${m.label}: ${why}.` };
  const core = documentedCoreByName(coreName);
  if (core === null) return { rows: [], note: `${m.label}: ${unknownCoreLine(coreName)}.` };
  const rows: Cell[][] = [];
  const records = ["micro.fma.latency", "micro.fma.throughput", "micro.mem.level"].flatMap((n) => okRecords(m, n));
  for (const r of records) {
    const subject = r.name === "micro.mem.level" ? `${strParam(r, "level")} (${strParam(r, "page")} pages)` : `${formOf(r) ?? strParam(r, "insn")} (${strParam(r, "chain")} chain)`;
    for (const { comparison: c } of recordComparisons(core, coreName, r)) {
      rows.push([
        m.label,
        subject,
        FIGURE_NAMES[c.kind],
        valueCell(c, c.measured),
        valueCell(c, c.documented),
        c.deviation === null ? "-" : { value: c.deviation * 100, text: signedPercent(c.deviation) },
        verdictText(c),
        c.source ?? "-",
      ]);
    }
  }
  const products = core.products.map((p) => p.name).join("; ");
  const pipes = core.fmaPipes ? `${core.fmaPipes.count} FP/SIMD pipes of ${core.fmaPipes.widthBits} bits (${sourceText(core, core.fmaPipes.source)})` : "FP/SIMD pipes not documented";
  return { rows, note: `${m.label}: ${core.name}${products ? `, used in ${products}` : ""}; ${pipes}.` };
}

/** The documented-beside-measured blocks of the micro section (none without micro figures). */
export function documentedBlocks(machines: readonly Machine[]): Block[] {
  const rows: Cell[][] = [];
  const notes: string[] = [];
  let anyMicro = false;
  for (const m of machines) {
    if (!["micro.fma.latency", "micro.fma.throughput", "micro.mem.level"].some((n) => okRecords(m, n).length)) continue;
    anyMicro = true;
    const r = machineRows(m);
    rows.push(...r.rows);
    if (r.note) notes.push(r.note);
  }
  if (!anyMicro) return [];
  const blocks: Block[] = [
    {
      kind: "note",
      text: `Published per-core figures (data/cores.json) beside the measured ones. A difference above ${DOCUMENTED_TOLERANCE * 100} % is flagged: a throttled, misconfigured or mis-detected machine shows up here first. Each documented figure names its document and section.`,
    },
    ...notes.map((text): Block => ({ kind: "note", text })),
  ];
  if (rows.length) {
    blocks.push({
      kind: "table",
      caption: "Documented beside measured",
      head: ["machine", "subject", "figure", "measured", "documented", "difference", "verdict", "documented in"],
      rows,
      key: true,
    });
  }
  return blocks;
}
