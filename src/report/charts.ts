/**
 * The one chart configuration module: every chart in the HTML page and in the PNG files
 * is a Chart.js configuration built here, as plain JSON (no functions), so the browser
 * and @napi-rs/canvas draw the same thing.
 */

/** A Chart.js configuration reduced to JSON. */
export type ChartConfig = Record<string, unknown>;

export interface ChartSpec {
  /** Unique in the report: the canvas id and the PNG file name. */
  id: string;
  title: string;
  config: ChartConfig;
}

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
  /** Marks drawn as a dashed line (peaks, cache edges, roofs). */
  dashed?: boolean;
  /** Points only, no line between them. */
  scatter?: boolean;
  /** Index into the palette; by default the series' position. */
  color?: number;
  /** Line dash pattern (px on, px off), e.g. to tell machines apart when colours mean implementations. */
  dash?: number[];
  /** Point shape for marks that must stand out from the curves. */
  marker?: "triangle" | "rectRot" | "star";
}

/** Dash patterns per machine: the first solid, then dotted, then dash-dot. */
export function machineDash(index: number): number[] {
  return [[], [2, 3], [8, 3, 2, 3], [12, 4]][index % 4]!;
}

export interface Axis {
  title: string;
  log?: boolean;
}

/** The colour-blind-safe Okabe-Ito colours first, then a few more, cycled. */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#882255", "#44AA99", "#117733"];

export function color(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

function axis(a: Axis, stacked = false): Record<string, unknown> {
  // Unrotated ticks make Chart.js skip the crowded minor labels of a log axis.
  return { type: a.log ? "logarithmic" : "linear", title: { display: true, text: a.title }, stacked, ticks: { maxRotation: 0, autoSkipPadding: 10 }, ...(a.log ? {} : { beginAtZero: true }) };
}

function options(title: string, scales: Record<string, unknown>): Record<string, unknown> {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: true,
    plugins: { title: { display: true, text: title, font: { size: 14 } }, legend: { display: true, position: "bottom" } },
    scales,
  };
}

/** Lines (or points) over numeric x, e.g. latency vs working set. */
export function xyChart(id: string, title: string, x: Axis, y: Axis, series: readonly Series[]): ChartSpec {
  const datasets = series.map((s, i) => {
    const c = color(s.color ?? i);
    return {
      label: s.label,
      data: [...s.points].sort((p, q) => p.x - q.x),
      borderColor: c,
      backgroundColor: c,
      borderWidth: s.dashed ? 1.5 : 2,
      borderDash: s.dash ?? (s.dashed ? [6, 4] : []),
      pointRadius: s.marker ? 7 : s.scatter ? 5 : s.dashed ? 0 : 2,
      pointStyle: s.marker ?? "circle",
      showLine: !s.scatter,
      fill: false,
    };
  });
  return { id, title, config: { type: "scatter", data: { datasets }, options: options(title, { x: axis(x), y: axis(y) }) } };
}

export interface BarSeries {
  label: string;
  values: (number | null)[];
  color?: number;
}

/** Bars per category (layer, shape, machine), one colour per series. */
export function barChart(id: string, title: string, categories: readonly string[], x: Axis, y: Axis, series: readonly BarSeries[], stacked = false): ChartSpec {
  const datasets = series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: color(s.color ?? i), borderColor: color(s.color ?? i) }));
  return {
    id,
    title,
    config: {
      type: "bar",
      data: { labels: [...categories], datasets },
      options: options(title, { x: { type: "category", title: { display: true, text: x.title }, stacked }, y: axis(y, stacked) }),
    },
  };
}

/** Chart ids become file names and element ids: letters, digits and dashes only. */
export function chartId(...parts: (string | number)[]): string {
  return parts
    .map((p) => String(p).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""))
    .filter(Boolean)
    .join("-");
}
