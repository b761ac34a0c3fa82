/** Writing a file so that a reader sees the old contents or the new, never half of them. */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Writes `text` beside `file` and renames it over; creates the folder. Throws fs errors as they are. */
export function writeFileAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
