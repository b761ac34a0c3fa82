/** Reading results files: the one place a file from disk becomes a ResultsFile. */
import { readFileSync } from "node:fs";

import { UserError } from "../errors.js";
import { median } from "../stats.js";
import { ResultsFile, SCHEMA } from "./schema.js";

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
    throw new UserError(`${source} is not valid JSON (${(err as Error).message}); the file may be truncated or corrupted.`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UserError(`${source} is not an armbench results file: it holds a JSON ${Array.isArray(data) ? "array" : typeof data}, not an object.`);
  }
  const schema = (data as { schema?: unknown }).schema;
  if (schema === undefined) {
    throw new UserError(`${source} is not an armbench results file: it has no "schema" field.`);
  }
  if (typeof schema !== "string" || !schema.startsWith("armbench/")) {
    throw new UserError(`${source} is not an armbench results file: its schema is ${JSON.stringify(schema)}, expected "${SCHEMA}".`);
  }
  if (schema !== SCHEMA) {
    throw new UserError(`${source} uses results schema "${schema}", which this armbench (reads "${SCHEMA}") does not know; use the armbench version that wrote it.`);
  }
  const parsed = ResultsFile.safeParse(data);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
    throw new UserError(`${source} is not a valid armbench results file: ${formatPath(first!.path)}: ${first!.message}${more}.`);
  }
  parsed.data.records.forEach((r, i) => {
    if (r.status !== "ok") return;
    const m = median(r.samples);
    if (Math.abs(m - r.median) > 1e-9 * Math.max(1, Math.abs(m))) {
      throw new UserError(`${source} is corrupted: records[${i}].median is ${r.median} but its samples give ${m}.`);
    }
    if (r.spread.n !== r.samples.length) {
      throw new UserError(`${source} is corrupted: records[${i}].spread.n is ${r.spread.n} but it holds ${r.samples.length} samples.`);
    }
  });
  return parsed.data;
}

export function loadResults(file: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (err as Error).message;
    throw new UserError(`cannot read results file ${file}: ${why}.`);
  }
  return parseResults(text, file);
}
