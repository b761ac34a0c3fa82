/**
 * The self-contained HTML page: the template and stylesheet from reports/, Chart.js
 * inlined from node_modules, chart configurations as JSON. It loads nothing remote
 * (a Content-Security-Policy forbids it) and opens from disk.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { packageRoot } from "../native.js";
import { charts, type Block, type Cell, type Section, type TableBlock } from "./blocks.js";
import { escapeHtml, jsonForScript } from "./escape.js";

const TEMPLATES = path.join(packageRoot, "reports");

function template(name: string): string {
  return readFileSync(path.join(TEMPLATES, name), "utf8");
}

/**
 * Chart.js's UMD bundle. Text that would end the <script> element early cannot be
 * rewritten without knowing the JavaScript around it, so a bundle holding it is refused.
 */
function chartJsSource(): string {
  // The package exports no path to its browser bundle, which sits beside the CommonJS entry.
  const entry = createRequire(path.join(packageRoot, "package.json")).resolve("chart.js");
  const file = path.join(path.dirname(entry), "chart.umd.min.js");
  const source = readFileSync(file, "utf8");
  if (/<\/script|<!--/i.test(source)) throw new Error(`${file} holds "</script" or "<!--", so it cannot be inlined in the report`);
  return source;
}

function cellHtml(c: Cell, header = false): string {
  const tag = header ? "th" : "td";
  if (typeof c === "string") return `<${tag}>${escapeHtml(c)}</${tag}>`;
  return `<${tag} class="num" data-v="${c.value === null ? "" : String(c.value)}">${escapeHtml(c.text)}</${tag}>`;
}

export function tableHtml(t: TableBlock, id?: string): string {
  const head = `<thead><tr>${t.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("")}</tr></thead>`;
  const body = `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => cellHtml(c)).join("")}</tr>`).join("\n")}</tbody>`;
  return `<div class="table-wrap"><table class="sortable"${id ? ` id="${escapeHtml(id)}"` : ""}><caption>${escapeHtml(t.caption)}</caption>${head}${body}</table></div>`;
}

function blockHtml(b: Block, sectionId: string, index: number): string {
  switch (b.kind) {
    case "table":
      return tableHtml(b, `${sectionId}-table-${index}`);
    case "chart":
      return `<div class="chart"><canvas id="chart-${escapeHtml(b.chart.id)}" role="img" aria-label="${escapeHtml(b.chart.title)}"></canvas></div>`;
    case "note":
      return `<p class="note">${escapeHtml(b.text)}</p>`;
  }
}

export function sectionHtml(s: Section): string {
  return `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map((b, i) => blockHtml(b, s.id, i)).join("\n")}\n</section>`;
}

export interface PageText {
  title: string;
  subtitle: string;
  footer: string;
}

export function renderHtml(sections: readonly Section[], text: PageText): string {
  const values: Record<string, string> = {
    title: escapeHtml(text.title),
    subtitle: escapeHtml(text.subtitle),
    footer: escapeHtml(text.footer),
    nav: sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join(""),
    body: sections.map(sectionHtml).join("\n"),
    charts: jsonForScript(charts(sections)),
    style: template("report.css"),
    chartjs: chartJsSource(),
    script: template("report.js"),
  };
  // One pass, so nothing inserted is ever read as a placeholder.
  return template("template.html").replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`reports/template.html names an unknown placeholder {{${name}}}`);
    return v;
  });
}
