/** The Markdown summary: each section's key tables and links to the PNG charts. */
import path from "node:path";

import { cellText, type Section, type TableBlock } from "./blocks.js";
import { escapeMarkdownCell } from "./escape.js";

function tableMd(t: TableBlock): string {
  const row = (cells: string[]) => `| ${cells.map(escapeMarkdownCell).join(" | ")} |`;
  return [`**${escapeMarkdownCell(t.caption)}**`, "", row(t.head), `|${t.head.map(() => " --- ").join("|")}|`, ...t.rows.map((r) => row(r.map(cellText)))].join("\n");
}

/**
 * `pngs`: chart id -> PNG file, linked relative to the Markdown file's folder;
 * charts without a PNG are only named.
 */
export function renderMarkdown(sections: readonly Section[], title: string, mdFile: string, pngs: ReadonlyMap<string, string>): string {
  const out = [`# ${escapeMarkdownCell(title)}`, ""];
  for (const s of sections) {
    out.push(`## ${escapeMarkdownCell(s.title)}`, "");
    for (const b of s.blocks) {
      if (b.kind === "table" && b.key) out.push(tableMd(b), "");
      if (b.kind === "note") out.push(`_${escapeMarkdownCell(b.text)}_`, "");
      if (b.kind === "chart") {
        const png = pngs.get(b.chart.id);
        const rel = png ? path.relative(path.dirname(path.resolve(mdFile)), path.resolve(png)).split(path.sep).join("/") : null;
        out.push(rel ? `![${escapeMarkdownCell(b.chart.title)}](${encodeURI(rel)})` : `- chart: ${escapeMarkdownCell(b.chart.title)} (in the HTML report)`, "");
      }
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}
