/** `armbench fleet init | run | report`: many machines through Ansible, one report. */
import path from "node:path";

import { writeExampleInventory } from "../fleet/init.js";
import { runFleet, type FleetRunOptions } from "../fleet/run.js";
import { loadSummary, renderSummary } from "../fleet/summary.js";
import { writeReport } from "./report.js";

export async function runFleetInit(file: string, force: boolean, quiet: boolean): Promise<number> {
  writeExampleInventory(file, force);
  if (!quiet) process.stderr.write(`example inventory written to ${file}; edit its hosts, then \`armbench fleet run --inventory ${file}\`\n`);
  return 0;
}

export { runFleet, type FleetRunOptions };

/** Rebuilds a fleet folder's report (its labels and prices from fleet-summary.json). */
export async function runFleetReport(dir: string, output: string | undefined, price: string[] | undefined): Promise<number> {
  const summary = loadSummary(dir);
  process.stderr.write(renderSummary(summary));
  const written = writeReport({ files: [dir], output: output ?? path.join(dir, "report.html"), price });
  process.stdout.write(`report written to ${written.html}\n`);
  return 0;
}
