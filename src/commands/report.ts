/** `armbench report FILES...`: one self-contained HTML page, and on request PNG charts and a Markdown summary. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { DEFAULT_REPORT_FILE } from "../constants.js";
import { UserError } from "../errors.js";
import { charts } from "../report/blocks.js";
import { buildSections, loadMachines, parsePrices } from "../report/build.js";
import { renderHtml } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";
import type { Machine } from "../report/machines.js";
import { writePngs } from "../report/png.js";
import type { OkRecord } from "../results/schema.js";

export interface ReportOptions {
  files: string[];
  output?: string | undefined;
  png?: string | undefined;
  md?: string | undefined;
  price?: string[] | undefined;
}

export interface ReportWritten {
  html: string;
  pngs: string[];
  md: string | null;
}

function writeText(file: string, text: string, what: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (err) {
    throw new UserError(`cannot write the ${what} ${file}: ${(err as Error).message}.`);
  }
}

/**
 * What the footer may say of the answer checks: "every figure passed" only when every ok
 * record's check passed; otherwise how many compared nothing (static predictions, a
 * clock estimate), so the page never claims a check that was not made.
 */
export function checkSentence(machines: readonly Machine[]): string {
  const ok = machines.flatMap((m) => m.records).filter((r): r is OkRecord => r.status === "ok");
  const unchecked = ok.filter((r) => r.check.passed !== true).length;
  if (unchecked === 0) return "every figure passed its answer check before it was timed.";
  return `every figure with an answer to check passed that check before it was timed; ${unchecked} of ${ok.length} compared nothing (each record's check says why).`;
}

/** Builds and writes every output asked for; the caller says where they are. */
export function writeReport(opts: ReportOptions): ReportWritten {
  const machines = loadMachines(opts.files, parsePrices(opts.price ?? []));
  const sections = buildSections(machines);
  const fileCount = machines.reduce((n, m) => n + m.files.length, 0);
  const title = `armbench report: ${machines.map((m) => m.label).join(" vs ")}`;
  const html = opts.output ?? DEFAULT_REPORT_FILE;
  const generated = new Date().toISOString();
  writeText(
    html,
    renderHtml(sections, {
      title,
      subtitle: `${machines.length} machine${machines.length > 1 ? "s" : ""}, ${fileCount} results file${fileCount > 1 ? "s" : ""}; generated ${generated}`,
      footer: `Medians of raw samples; ${checkSentence(machines)} Tables sort by clicking a header.`,
    }),
    "report",
  );
  const pngs = opts.png ? writePngs(charts(sections), opts.png) : [];
  let md: string | null = null;
  if (opts.md) {
    const byId = new Map(charts(sections).map((c, i) => [c.id, pngs[i]!] as const).filter(([, f]) => f !== undefined));
    writeText(opts.md, renderMarkdown(sections, title, opts.md, byId), "Markdown summary");
    md = opts.md;
  }
  return { html, pngs, md };
}

export async function runReport(opts: ReportOptions): Promise<number> {
  const written = writeReport(opts);
  process.stdout.write(`report written to ${written.html}\n`);
  if (opts.png) process.stdout.write(`${written.pngs.length} PNG charts written to ${opts.png}\n`);
  if (written.md) process.stdout.write(`Markdown summary written to ${written.md}\n`);
  return 0;
}
