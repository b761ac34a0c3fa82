/** Reading results files: the one place a file from disk becomes a ResultsFile. */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

import { UserError } from "../errors.js";
import { oneLine } from "../format.js";
import { summarize } from "../stats.js";
import { ResultsFile, SCHEMA, type OkRecord } from "./schema.js";

/**
 * The largest results file armbench reads: the default quick run writes about 2 MB and a
 * --full run on a 2-core VM about 10 MB; a 64-core machine's full run stays far below.
 * Beyond it a file is not one armbench wrote, and reading it whole would only exhaust memory.
 */
export const MAX_RESULTS_FILE_BYTES = 256 << 20;

/** Relative agreement a stored statistic must have with the one its samples give. */
const STAT_TOLERANCE = 1e-9;

/**
 * Every statistic a record stores, recomputed from its raw samples: a file whose median,
 * spread or interval disagrees with its samples was edited or corrupted, and a report or a
 * gate built on it would repeat a figure nothing measured. Returns the first disagreeing
 * field, or null.
 */
export function statisticsMismatch(r: OkRecord): { field: string; stored: number; recomputed: number } | null {
  const { median, ...spread } = summarize(r.samples);
  const pairs: [string, number, number][] = [
    ["median", r.median, median],
    ["spread.n", r.spread.n, spread.n],
    ["spread.min", r.spread.min, spread.min],
    ["spread.max", r.spread.max, spread.max],
    ["spread.p90", r.spread.p90, spread.p90],
    ["spread.mean", r.spread.mean, spread.mean],
    ["spread.mad", r.spread.mad, spread.mad],
    ["spread.ci.low", r.spread.ci.low, spread.ci.low],
    ["spread.ci.high", r.spread.ci.high, spread.ci.high],
    ["spread.ci.level", r.spread.ci.level, spread.ci.level],
    ["spread.outliers", r.spread.outliers, spread.outliers],
  ];
  for (const [field, stored, recomputed] of pairs) {
    const scale = Math.max(1, Math.abs(recomputed));
    if (!(Math.abs(stored - recomputed) <= STAT_TOLERANCE * scale)) return { field, stored, recomputed };
  }
  return null;
}

/** Formats a zod issue path as `records[3].samples`. */
function formatPath(pathParts: readonly PropertyKey[]): string {
  let out = "";
  for (const p of pathParts) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(top level)";
}

/** Parses and validates results JSON; `source` names the file in every error. */
export function parseResults(text: string, source: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source} is not valid JSON (${oneLine((err as Error).message)}); the file may be truncated or corrupted.`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UserError(`${source} is not an armbench results file: it holds a JSON ${Array.isArray(data) ? "array" : typeof data}, not an object.`);
  }
  const schema = (data as { schema?: unknown }).schema;
  if (schema === undefined) {
    throw new UserError(`${source} is not an armbench results file: it has no "schema" field.`);
  }
  if (typeof schema !== "string" || !schema.startsWith("armbench/")) {
    throw new UserError(`${source} is not an armbench results file: its schema is ${oneLine(JSON.stringify(schema) ?? String(schema), 80)}, expected "${SCHEMA}".`);
  }
  if (schema !== SCHEMA) {
    throw new UserError(`${source} uses results schema "${oneLine(schema, 80)}", which this armbench (reads "${SCHEMA}") does not know; use the armbench version that wrote it.`);
  }
  const parsed = ResultsFile.safeParse(data);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
    throw new UserError(`${source} is not a valid armbench results file: ${oneLine(`${formatPath(first!.path)}: ${first!.message}`)}${more}.`);
  }
  parsed.data.records.forEach((r, i) => {
    if (r.status !== "ok") return;
    const bad = statisticsMismatch(r);
    if (bad) throw new UserError(`${source} is corrupted: records[${i}].${bad.field} is ${bad.stored} but its ${r.samples.length} samples give ${bad.recomputed}.`);
  });
  return parsed.data;
}

/** The file's text, refused before reading when it is larger than any results file armbench writes. */
function readCapped(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (err as Error).message;
    throw new UserError(`cannot read results file ${file}: ${why}.`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`cannot read results file ${file}: it is a folder.`);
    if (st.size > MAX_RESULTS_FILE_BYTES) {
      throw new UserError(`${file} holds ${st.size} bytes, more than the ${MAX_RESULTS_FILE_BYTES / 2 ** 20} MiB of any results file armbench writes; it is not one.`);
    }
    // Read in chunks and stop past the cap: a file that grows while read (a FIFO, /dev/zero) cannot exhaust memory.
    const chunk = Buffer.alloc(1 << 20);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_RESULTS_FILE_BYTES) throw new UserError(`${file} is larger than the ${MAX_RESULTS_FILE_BYTES / 2 ** 20} MiB of any results file armbench writes; it is not one.`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read results file ${file}: ${(err as Error).message}.`);
  } finally {
    closeSync(fd);
  }
}

export function loadResults(file: string): ResultsFile {
  return parseResults(readCapped(file), file);
}
