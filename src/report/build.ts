/** From results files to report sections: the list of sections is data, each later suite adds one line. */
import { UserError } from "../errors.js";
import { loadResults } from "../results/load.js";
import { charts, type Section } from "./blocks.js";
import { groupMachines, type Machine } from "./machines.js";
import { convSection } from "./sections/conv.js";
import { gemmSection } from "./sections/gemm.js";
import { mcaSection } from "./sections/mca.js";
import { microSection } from "./sections/micro.js";
import { modelSection } from "./sections/model.js";
import { ratiosSection } from "./sections/ratios.js";
import { rooflineSection } from "./sections/roofline.js";
import { systemsSection } from "./sections/systems.js";

/** In page order; a section with no data for any machine returns null and is left out. */
export const SECTIONS: readonly ((machines: readonly Machine[]) => Section | null)[] = [
  systemsSection,
  ratiosSection,
  microSection,
  mcaSection,
  gemmSection,
  rooflineSection,
  convSection,
  modelSection,
];

/** "graviton=1.23" -> name and USD per hour. */
export function parsePrices(items: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const eq = item.lastIndexOf("=");
    const price = Number(item.slice(eq + 1));
    if (eq <= 0 || !(price > 0) || !Number.isFinite(price)) throw new UserError(`--price takes NAME=USD_PER_HOUR with a positive price, got "${item}".`);
    out.set(item.slice(0, eq), price);
  }
  return out;
}

export function loadMachines(files: readonly string[], prices: Map<string, number> = new Map()): Machine[] {
  if (files.length === 0) throw new UserError("report needs at least one results file: `armbench report results/*.json`.");
  const machines = groupMachines(files.map((file) => ({ file, results: loadResults(file) })));
  for (const [name, price] of prices) {
    const m = machines.find((x) => x.label === name) ?? machines.find((x) => x.env.machine.hostname === name);
    if (!m) throw new UserError(`--price names "${name}", which is none of the machines in the report (${machines.map((x) => x.label).join(", ")}).`);
    m.pricePerHour = price;
  }
  return machines;
}

/** Chart ids name canvases and PNG files; names from results files can sanitize to the same id, so later ones get a number. */
function uniqueChartIds(sections: readonly Section[]): void {
  const seen = new Map<string, number>();
  for (const chart of charts(sections)) {
    const n = (seen.get(chart.id) ?? 0) + 1;
    seen.set(chart.id, n);
    if (n > 1) chart.id = `${chart.id}-${n}`;
  }
}

export function buildSections(machines: readonly Machine[]): Section[] {
  const sections = SECTIONS.map((s) => s(machines)).filter((s): s is Section => s !== null);
  uniqueChartIds(sections);
  return sections;
}
