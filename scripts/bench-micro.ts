/**
 * npm run bench:micro: runs `armbench micro fma latency` and prints, from the results
 * file it wrote, the latency / throughput / Little's-law table and the cache-level
 * table, every figure as median [min, p90] with its relative spread.
 * Extra arguments go to armbench (e.g. `npm run bench:micro -- --quick`).
 */
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { relativeSpread } from "../src/stats.js";
import { num, pct, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

const results = runArmbench("micro", ["micro", "fma", "latency"]);
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";

function figure(r: OkRecord | undefined, digits = 2): string {
  if (!r) return "-";
  return `${num(r.median, digits)} [${num(r.spread.min, digits)}, ${num(r.spread.p90, digits)}] ${pct(relativeSpread({ ...r.spread, median: r.median }))}`;
}

const key = (r: ResultRecord) => `${r.params.isa}|${r.params.insn}|${r.params.bits}|${r.params.dtype}|${r.params.chain}`;
const byName = (name: string) => new Map(results.records.filter(ok).filter((r) => r.name === name).map((r) => [key(r), r]));
const lat = byName("micro.fma.latency");
const thr = byName("micro.fma.throughput");
const par = byName("micro.fma.parallelism");
const fmaRows = [...lat.entries()].map(([k, l]) => {
  const p = par.get(k);
  return [
    `${l.params.isa} ${l.params.insn} ${l.params.bits}-bit ${l.params.dtype}`,
    String(l.params.chain),
    figure(l),
    figure(thr.get(k)),
    figure(p, 1),
    p?.derived ? `${p.derived.saturatesAt}${p.derived.littleLawAgrees ? "" : " (!)"}` : "-",
  ];
});
console.log(`clock: ${[...lat.values()][0]?.clock?.source ?? "?"}; figures are median [min, p90] and relative spread (p90 - min) / median`);
console.log(renderTable(["form", "chain", "latency cycles", "instr/cycle", "Little's law chains", "saturates at k"], fmaRows));

const levels = results.records.filter(ok).filter((r) => r.name === "micro.mem.level");
const levelRows = levels.map((r) => [
  String(r.params.page),
  String(r.params.level),
  figure(r, 1),
  num(Number(r.derived?.ns), 2),
  `${((r.params.bytes as number) / 1024).toFixed(0)} KiB`,
  r.params.sysfsBytes === null ? "-" : `${((r.params.sysfsBytes as number) / 1024).toFixed(0)} KiB`,
]);
console.log(renderTable(["pages", "level", "latency cycles", "ns", "inferred size", "sysfs size"], levelRows));
console.log(`results: ${benchDir}`);
