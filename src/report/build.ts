/** From results files to report sections: the list of sections is data, each later suite adds one line. */
import { UserError } from "../errors.js";
import { loadResults } from "../results/load.js";
import type { Section } from "./blocks.js";
import { groupMachines, type Machine } from "./machines.js";
import { convSection } from "./sections/conv.js";
import { gemmSection } from "./sections/gemm.js";
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

export function buildSections(machines: readonly Machine[]): Section[] {
  return SECTIONS.map((s) => s(machines)).filter((s): s is Section => s !== null);
}
