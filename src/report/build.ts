/** From results files to report sections: the list of sections is data, each later suite adds one line. */
import { existsSync, statSync } from "node:fs";
import path from "node:path";

import { UserError } from "../errors.js";
import { fleetInputs, isFleetFolder } from "../fleet/summary.js";
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

/**
 * A report's arguments as results files: a fleet folder (armbench fleet run's) stands for
 * its hosts' files, each labelled with its inventory name and priced from the inventory;
 * any other folder is a mistake, named.
 */
export function expandInputs(args: readonly string[]): { inputs: { file: string; label?: string }[]; prices: Map<string, number> } {
  const inputs: { file: string; label?: string }[] = [];
  const prices = new Map<string, number>();
  for (const arg of args) {
    if (isFleetFolder(arg)) {
      const hosts = fleetInputs(arg);
      if (hosts.length === 0) throw new UserError(`fleet folder ${arg} holds no results file (no host got as far as fetching one; see its fleet-summary.json).`);
      for (const h of hosts) {
        inputs.push({ file: h.file, label: h.label });
        if (h.price !== null) prices.set(h.label, h.price);
      }
    } else if (existsSync(arg) && statSync(arg).isDirectory()) {
      throw new UserError(`${arg} is a folder but not a fleet folder (no fleet-summary.json); give results files, e.g. ${path.join(arg, "*.json")}.`);
    } else {
      inputs.push({ file: arg });
    }
  }
  return { inputs, prices };
}

/** Machines from results files and fleet folders; --price (`prices`) wins over an inventory's price. */
export function loadMachines(args: readonly string[], prices: Map<string, number> = new Map()): Machine[] {
  if (args.length === 0) throw new UserError("report needs at least one results file: `armbench report results/*.json`.");
  const expanded = expandInputs(args);
  const machines = groupMachines(expanded.inputs.map(({ file, label }) => ({ file, results: loadResults(file), ...(label !== undefined ? { label } : {}) })));
  for (const [name, price] of expanded.prices) {
    const m = machines.find((x) => x.label === name);
    if (m && !prices.has(name) && !prices.has(m.env.machine.hostname)) m.pricePerHour = price;
  }
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
