/**
 * The report's aggregates (issue 13, part 3): each suite's geometric mean and the
 * performance per dollar use headline records only, and the report lists them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import type { Section, TableBlock } from "../src/report/blocks.js";
import { buildSections } from "../src/report/build.js";
import { groupMachines } from "../src/report/machines.js";
import type { ResultRecord, ResultsFile } from "../src/results/schema.js";
import { summarize } from "../src/stats.js";
import { machineResults } from "./helpers/report-fixtures.js";

function table(s: Section, caption: RegExp): TableBlock {
  const t = s.blocks.find((b): b is TableBlock => b.kind === "table" && caption.test(b.caption));
  assert.ok(t, `no table ${caption} in ${s.id}`);
  return t;
}

/** Every non-headline ok record `factor` times as fast; headline records untouched. */
function sweepsFaster(file: ResultsFile, factor: number): ResultsFile {
  const records = file.records.map((r): ResultRecord => {
    if (r.status !== "ok" || r.headline) return r;
    const samples = r.samples.map((x) => (r.unit.endsWith("/s") || r.unit === "instr/cycle" ? x * factor : x / factor));
    const { median, ...spread } = summarize(samples);
    return { ...r, samples, median, spread };
  });
  return { ...file, records };
}

test("geometric means and performance per dollar use headline records only, and the report lists them", () => {
  // B: every headline figure 1.25x, every sweep point, per-algorithm and per-op row 3x.
  const b = sweepsFaster(machineResults("b", 1.25, { model: true }), 3 / 1.25);
  const machines = groupMachines([{ file: "a.json", results: machineResults("a", 1, { model: true }) }, { file: "b.json", results: b }]);
  machines[0]!.pricePerHour = 1;
  machines[1]!.pricePerHour = 2.5;
  const ratios = buildSections(machines).find((s) => s.id === "ratios")!;
  const geo = table(ratios, /Geometric-mean/);
  const bySuite = new Map(geo.rows.map((row) => [String(row[0]), row[1]]));
  for (const suite of ["micro", "gemm", "conv", "model"]) {
    const cell = bySuite.get(suite);
    assert.ok(cell && typeof cell !== "string" && Math.abs(cell.value! - 1.25) < 1e-9, `${suite}: ${JSON.stringify(cell)}`);
  }
  const perDollar = table(ratios, /Performance per dollar/);
  const cell = perDollar.rows[0]![3]!;
  // 1.25x the speed at 2.5x the price.
  assert.ok(typeof cell !== "string" && Math.abs(cell.value! - 0.5) < 1e-9, JSON.stringify(cell));
  const listed = table(ratios, /Records in the geometric means/);
  const names = new Set(listed.rows.map((row) => String(row[1]).split(" ")[0]));
  assert.deepEqual([...names].sort(), ["conv.winner", "gemm", "micro.dtype-peak", "model.latency"]);
  // Headline records with a direction that both machines hold: 2 peaks, 12 gemm (OpenBLAS bf16 unavailable), 1 winner, 2 latencies.
  assert.equal(listed.rows.length, 17);
});
