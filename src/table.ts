/** Terminal tables: one compact style for every command. */
import Table from "cli-table3";

const compact = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

export interface TableOptions {
  colWidths?: number[];
  wordWrap?: boolean;
  /** Columns (by index) aligned right: numbers. */
  right?: number[];
}

export function renderTable(head: string[] | null, rows: string[][], opts: TableOptions = {}): string {
  const t = new Table({
    ...(head ? { head } : {}),
    style: { head: [], border: [] },
    chars: compact,
    ...(opts.colWidths ? { colWidths: opts.colWidths } : {}),
    wordWrap: opts.wordWrap ?? false,
    ...(opts.right ? { colAligns: (head ?? rows[0] ?? []).map((_, i) => (opts.right!.includes(i) ? "right" : "left")) } : {}),
  });
  t.push(...rows);
  return t.toString();
}

/** A number with `digits` decimals, or "-" when absent. */
export function num(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits);
}

/** A relative spread as a percentage. */
export function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
