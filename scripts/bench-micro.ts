/**
 * npm run bench:micro: runs `armbench micro fma latency` and prints, from the results
 * file it wrote, the latency / throughput / Little's-law table and the cache-level
 * table, every figure as median [min, p90] with its relative spread; then every sample
 * of the fp32 FMA latency of the widest vector form against the latency documented for
 * this core (data/cores.json), within 5 % or not, sample by sample.
 * Extra arguments go to armbench (e.g. `npm run bench:micro -- --quick`).
 */
import { loadNative } from "../src/native.js";
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { relativeSpread } from "../src/stats.js";
import { documentedCore } from "../src/sysinfo/cores.js";
import { num, pct, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

/** A measured sample this close (relative) to the documented latency agrees with it. */
const DOCUMENTED_TOLERANCE = 0.05;

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
const clock = [...lat.values()][0]?.clock;
const chainsText = clock?.chains ? `; chains ${clock.chains.map((c) => `${c.name} ${num(c.ghz, 3)} GHz`).join(", ")}${clock.agreement === undefined ? "" : ` (${pct(clock.agreement)} apart)`}` : "";
console.log(`clock: ${clock?.source ?? "?"}, timed beside every ${clock?.beside ?? "probe"}${chainsText}; figures are median [min, p90] and relative spread (p90 - min) / median`);
console.log(renderTable(["form", "chain", "latency cycles", "instr/cycle", "Little's law chains", "saturates at k"], fmaRows));

/**
 * Every latency sample of the widest fp32 form against its documented latency. The
 * records name the form by isa, instruction and width; the registry of the addon that
 * measured them (this machine's) gives its name, the key of the documented figures.
 */
function documentedCheck(): void {
  const fp32 = [...lat.values()].filter((r) => r.params.dtype === "fp32");
  if (fp32.length === 0) {
    console.log("fp32 FMA latency: no fp32 form was measured.");
    return;
  }
  const widest = Math.max(...fp32.map((r) => Number(r.params.bits)));
  const rows = fp32.filter((r) => Number(r.params.bits) === widest);
  const form = loadNative()
    .fmaForms()
    .find((f) => f.isa === rows[0]!.params.isa && f.insn === rows[0]!.params.insn && f.bits === widest && f.dtype === "fp32");
  const name = form?.name ?? `${rows[0]!.params.isa} ${rows[0]!.params.insn} ${widest}-bit`;
  const core = documentedCore(results.env);
  const doc = core?.fma[name];
  if (!core || !doc) {
    const why = core ? `${core.name} documents no latency for ${name}` : `no documented figure for this core (${results.env.cpu.microarch.name})`;
    console.log(`${name} latency samples: ${why}; nothing compared.`);
    for (const r of rows) console.log(`  ${r.params.chain}: ${r.samples.map((x) => num(x, 2)).join(" ")} cycles`);
    return;
  }
  console.log(`${name} latency samples against ${core.name}'s documented ${doc.latencyCycles} cycles (within ${DOCUMENTED_TOLERANCE * 100}%; ${core.source}):`);
  for (const r of rows) {
    const within = r.samples.map((x) => Math.abs(x - doc.latencyCycles) <= DOCUMENTED_TOLERANCE * doc.latencyCycles);
    const text = r.samples.map((x, i) => `${num(x, 2)} ${within[i] ? "ok" : "OFF"}`).join(", ");
    console.log(`  ${r.params.chain}: ${within.filter(Boolean).length}/${r.samples.length} within: ${text}`);
  }
}
documentedCheck();

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
