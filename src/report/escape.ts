/**
 * Escaping for the HTML page: every string from a results file (hostnames, model names,
 * reasons) comes from another machine or person and must stay text.
 */

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * JSON safe inside a <script> element: no "</script>", no "<!--", and no line
 * separators that end a JavaScript string early.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Text safe in a Markdown table cell: pipes and line breaks would split the row, and raw HTML stays text. */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
