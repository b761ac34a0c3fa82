/**
 * Writing results files. The file is rewritten atomically after every record, so a
 * run that fails half-way still leaves everything measured before the failure.
 */

import { writeFileAtomically } from "../atomic-write.js";

import { UserError } from "../errors.js";
import { SCHEMA, type Env, type ResultRecord, type ResultsFile } from "./schema.js";

export function serializeResults(results: ResultsFile): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

function writeAtomically(file: string, text: string): void {
  try {
    writeFileAtomically(file, text);
  } catch (err) {
    throw new UserError(`cannot write results file ${file}: ${(err as Error).message}.`);
  }
}

/** `yyyymmdd-hhmmss` in UTC: the time in every file and folder name armbench makes. */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** `<command>-<host>-<UTC yyyymmdd-hhmmss>.json`, safe on every filesystem. */
export function resultsFileName(command: string, hostname: string, date: Date): string {
  const host = hostname.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 64) || "host";
  return `${command}-${host}-${utcStamp(date)}.json`;
}

export class ResultsWriter {
  private readonly records: ResultRecord[] = [];

  /** `file` null: keep records in memory only (for JSON on stdout). */
  constructor(
    readonly file: string | null,
    readonly env: Env,
  ) {
    this.flush();
  }

  add(record: ResultRecord): void {
    this.records.push(record);
    this.flush();
  }

  /** Adds records measured elsewhere (another process's file) with one write. */
  addAll(records: readonly ResultRecord[]): void {
    for (const r of records) this.records.push(r);
    this.flush();
  }

  get results(): ResultsFile {
    return { schema: SCHEMA, env: this.env, records: [...this.records] };
  }

  private flush(): void {
    if (this.file) writeAtomically(this.file, serializeResults(this.results));
  }
}
