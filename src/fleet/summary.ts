/**
 * fleet-summary.json: what happened on every host of one fleet run, written beside the
 * fetched results files, and read back (untrusted, like any results file) by `armbench
 * fleet report` and `armbench report` to label and price each host's column.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { writeFileAtomically } from "../atomic-write.js";
import { UserError } from "../errors.js";
import { oneLine } from "../format.js";
import { renderTable } from "../table.js";

export const FLEET_SCHEMA = "armbench-fleet/1";
export const SUMMARY_FILE = "fleet-summary.json";
/** A summary larger than this is not one armbench wrote (a thousand hosts take well under 1 MiB). */
const MAX_SUMMARY_BYTES = 16 << 20;

/** A file of the fleet folder: a bare name, so a summary cannot point a report outside its folder. */
const LocalFile = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/[/\\]/.test(s) && s !== "." && s !== "..", "must be a file name in the fleet folder");

export const HostSummary = z.object({
  name: z.string().min(1),
  stem: z.string().min(1),
  groups: z.array(z.string()),
  pricePerHour: z.number().positive().finite().nullable(),
  /** quick, full, or the run suite file's name. */
  suite: z.string(),
  reached: z.boolean(),
  installed: z.boolean(),
  ran: z.boolean(),
  seconds: z.number().nonnegative().nullable(),
  /** Seconds per phase (install, run, ...): what a larger fleet of such hosts should expect. */
  phaseSeconds: z.record(z.string(), z.number().nonnegative()),
  records: z.number().int().nonnegative(),
  results: LocalFile.nullable(),
  log: LocalFile.nullable(),
  installLog: LocalFile.nullable(),
  failure: z.object({ phase: z.string(), reason: z.string() }).nullable(),
});
export type HostSummary = z.infer<typeof HostSummary>;

export const FleetSummary = z.object({
  schema: z.literal(FLEET_SCHEMA),
  startedAt: z.string(),
  finishedAt: z.string(),
  seconds: z.number().nonnegative(),
  inventory: z.string(),
  limit: z.string().nullable(),
  armbench: z.object({ version: z.string(), git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable() }),
  hosts: z.array(HostSummary),
  report: LocalFile.nullable(),
});
export type FleetSummary = z.infer<typeof FleetSummary>;

export function writeSummary(dir: string, summary: FleetSummary): string {
  const file = path.join(dir, SUMMARY_FILE);
  writeFileAtomically(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

export function isFleetFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(path.join(dir, SUMMARY_FILE));
  } catch {
    return false;
  }
}

export function loadSummary(dir: string): FleetSummary {
  const file = path.join(dir, SUMMARY_FILE);
  if (!existsSync(file)) throw new UserError(`${dir} is not a fleet folder: it has no ${SUMMARY_FILE} (armbench fleet run writes one).`);
  if (statSync(file).size > MAX_SUMMARY_BYTES) throw new UserError(`${file} is larger than any fleet summary armbench writes; it is not one.`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`${file} is not valid JSON (${oneLine((err as Error).message)}).`);
  }
  const parsed = FleetSummary.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${file} is not a valid fleet summary: ${oneLine(`${issue.path.join(".") || "(top level)"}: ${issue.message}`)}.`);
  }
  return parsed.data;
}

/** A fleet folder's results files as report inputs: each labelled with its inventory name and priced from the inventory. */
export function fleetInputs(dir: string): { file: string; label: string; price: number | null }[] {
  const summary = loadSummary(dir);
  return summary.hosts
    .filter((h) => h.results !== null && existsSync(path.join(dir, h.results)))
    .map((h) => ({ file: path.join(dir, h.results!), label: h.name, price: h.pricePerHour }));
}

function status(h: HostSummary): string {
  if (!h.failure) return "ok";
  return h.reached ? `failed at ${h.failure.phase}` : "unreachable";
}

export function renderSummary(summary: FleetSummary): string {
  const secs = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(0));
  const rows = summary.hosts.map((h) => [
    h.name,
    status(h),
    h.seconds === null ? "-" : h.seconds.toFixed(0),
    secs(h.phaseSeconds.install),
    secs(h.phaseSeconds.run),
    String(h.records),
    h.failure ? oneLine(h.failure.reason, 120) : "",
  ]);
  return `${renderTable(["host", "status", "seconds", "install s", "run s", "records", "reason"], rows, { right: [2, 3, 4, 5], wordWrap: false })}\n`;
}
