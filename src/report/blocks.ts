/**
 * What a report section is made of, independent of the output format: tables, charts
 * and notes. The HTML page, the PNG files and the Markdown summary all render these.
 */
import type { ChartSpec } from "./charts.js";

/** A table cell: text, or a number with how to show it (the number itself sorts the column). */
export type Cell = string | { value: number | null; text: string };

export interface TableBlock {
  kind: "table";
  caption: string;
  head: string[];
  rows: Cell[][];
  /** Part of the Markdown summary (the key tables), not only the page. */
  key?: boolean;
}

export interface ChartBlock {
  kind: "chart";
  chart: ChartSpec;
}

export interface NoteBlock {
  kind: "note";
  text: string;
}

export type Block = TableBlock | ChartBlock | NoteBlock;

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

/** A number cell shown with `digits` decimals (or "-" when absent). */
export function numCell(value: number | null | undefined, digits = 2, suffix = ""): Cell {
  if (value === null || value === undefined || !Number.isFinite(value)) return { value: null, text: "-" };
  return { value, text: `${value.toFixed(digits)}${suffix}` };
}

export function cellText(c: Cell): string {
  return typeof c === "string" ? c : c.text;
}

export function charts(sections: readonly Section[]): ChartSpec[] {
  return sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === "chart" ? [b.chart] : [])));
}
