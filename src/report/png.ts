/** The report's charts as PNG files: the same Chart.js configurations, drawn by @napi-rs/canvas. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { createCanvas } from "@napi-rs/canvas";
import { Chart, registerables, type ChartConfiguration, type Plugin } from "chart.js";

import { UserError } from "../errors.js";
import type { ChartSpec } from "./charts.js";

Chart.register(...registerables);

const WIDTH = 1000;
const HEIGHT = 560;

/** A canvas starts transparent; a PNG viewer should show the chart on white, as the page does. */
const whiteBackground: Plugin = {
  id: "armbench-white-background",
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

export function renderPng(spec: ChartSpec): Buffer {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const config = structuredClone(spec.config) as unknown as ChartConfiguration;
  config.options = { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 };
  config.plugins = [whiteBackground];
  // Chart.js draws on any 2D context; @napi-rs/canvas implements the one it needs.
  const chart = new Chart(canvas.getContext("2d") as unknown as ConstructorParameters<typeof Chart>[0], config);
  try {
    return canvas.toBuffer("image/png");
  } finally {
    chart.destroy();
  }
}

/** Writes `<id>.png` per chart into `dir`; returns the files in chart order. */
export function writePngs(specs: readonly ChartSpec[], dir: string): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create the PNG folder ${dir}: ${(err as Error).message}.`);
  }
  return specs.map((spec) => {
    const file = path.join(dir, `${spec.id}.png`);
    writeFileSync(file, renderPng(spec));
    return file;
  });
}
