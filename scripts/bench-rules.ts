/**
 * npm run bench:rules: how the default conv rules (src/conv/heuristic.ts) fare on this
 * machine, as the table issue 16 asks to keep per microarchitecture:
 *  - every ResNet-50 layer alone (`armbench conv --net resnet50 --batch 1 --threads 1`):
 *    each algorithm's GFLOP/s, the rules' choice, the winner, and the rules' time over the
 *    winner's. Alone means NCHW in and out: direct-nchwc pays its layout transforms there,
 *    which inside a model it does not, and the others pay none of the reorders a change
 *    of layout adds inside one; so this table alone never decides;
 *  - the whole-model race of the model tuner (ResNet-50, ResNet-18, MobileNet-v2, batch 1,
 *    one thread and every core): each raced program's latency and the default rules' over
 *    the best, which does count the reorders.
 * The runs use a cache folder of their own that starts empty, so every model is tuned.
 * With ARMBENCH_SAVE_TABLE=1 the table is also written to data/measured/<cpu>.json, the
 * measured tables kept in the repository so another machine's can be checked against it.
 * Extra arguments go to armbench.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { defaultConvAlgo } from "../src/conv/heuristic.js";
import { packageRoot } from "../src/native.js";
import type { OkRecord, ResultRecord, ResultsFile } from "../src/results/schema.js";
import { num, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

/** A layer whose rules' choice is more than this much slower than its winner is flagged. */
const TOLERANCE = 1.15;

const env = { ...process.env, ARMBENCH_CACHE_DIR: path.join(benchDir, "cache"), ARMBENCH_TUNE: "" };
mkdirSync(env.ARMBENCH_CACHE_DIR, { recursive: true });
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";

const conv: ResultsFile = runArmbench("conv-resnet50", ["conv", "--net", "resnet50", "--batch", "1", "--threads", "1"], env);
const layers = [...new Set(conv.records.filter(ok).filter((r) => r.name === "conv").map((r) => String(r.params.layer)))].map((layer) => {
  const timed = conv.records.filter(ok).filter((r) => r.name === "conv" && r.params.layer === layer && r.params.dtype === "fp32");
  const p = timed[0]!.params;
  const shape = { n: 1, c: Number(p.c), h: Number(p.h), w: Number(p.w), k: Number(p.k), r: Number(p.r), s: Number(p.s), stride: Number(p.stride), pad: Number(p.pad), groups: Number(p.groups) };
  const algos = Object.fromEntries(timed.map((r) => [String(r.params.algo), Number(r.median.toFixed(1))]));
  const winner = Object.entries(algos).reduce((a, b) => (b[1] > a[1] ? b : a));
  const rule = defaultConvAlgo(shape, "fp32");
  const ruleGflops = algos[rule];
  return { layer, shape, algos, rule, winner: winner[0], ruleOverWinner: ruleGflops ? Number((winner[1] / ruleGflops).toFixed(3)) : null };
});

const models = ["resnet50", "resnet18", "mobilenetv2"].flatMap((model) => {
  const rs = runArmbench(`model-${model}`, ["model", model, "--batch", "1", "--no-peers"], env).records;
  return rs.filter(ok).filter((r) => r.name === "model.latency" && r.impl === "armbench").map((r) => {
    const programs = Object.fromEntries(String(r.derived?.["convRace"] ?? "").split("; ").filter(Boolean).map((x) => {
      const at = x.lastIndexOf("=");
      return [x.slice(0, at), Number(x.slice(at + 1))];
    }));
    const best = Math.min(...Object.values(programs));
    const rules = programs["default rules"];
    return { model, threads: Number(r.params.threads), programs, winner: String(r.derived?.["convProgram"] ?? "-"), rulesOverBest: rules ? Number((rules / best).toFixed(3)) : null };
  });
});

console.log(renderTable(
  ["ResNet-50 layer alone (NCHW in and out), 1 thread", "rules", "winner", "rules time / winner's", ""],
  layers.map((l) => [l.layer, l.rule, l.winner, l.ruleOverWinner === null ? "-" : num(l.ruleOverWinner, 3), l.ruleOverWinner !== null && l.ruleOverWinner > TOLERANCE ? `> ${TOLERANCE}` : ""]),
  { right: [3] },
));
console.log(renderTable(
  ["model race, batch 1", "threads", "won", "default rules / best", "programs (ms)"],
  models.map((m) => [m.model, String(m.threads), m.winner, m.rulesOverBest === null ? "-" : num(m.rulesOverBest, 3), Object.entries(m.programs).map(([k, v]) => `${k} ${num(v, 2)}`).join("; ")]),
  { right: [1, 3] },
));

const e = conv.env;
const table = {
  schema: "armbench-measured-rules/1",
  about: "bench:rules on one machine: each ResNet-50 layer alone, NCHW in and out (GFLOP/s per algorithm, one thread, batch 1; direct-nchwc pays its layout transforms there, not inside a model), and the model tuner's whole-program races (median ms), which count the reorders. Figures from one run on a shared machine: compare ratios, not absolute times.",
  machine: {
    cpu: e.cpu.model,
    microarch: `${e.cpu.microarch.name} [${e.cpu.microarch.source}]`,
    isa: Object.entries(e.isa.features).filter(([, on]) => on).map(([f]) => f).sort().join(","),
    caches: e.caches.map((c) => `L${c.level}${c.type === "Data" ? "d" : c.type === "Instruction" ? "i" : ""} ${c.sizeBytes ?? "?"} (${c.source})`).join(", "),
    virtualization: e.machine.virtualization,
    armbench: `${e.armbench.version} ${e.armbench.git?.commit ?? ""}`.trim(),
    measuredAt: e.createdAt,
  },
  layers,
  models,
};
const out = path.join(benchDir, "rules-table.json");
writeFileSync(out, `${JSON.stringify(table, null, 1)}\n`);
if (process.env.ARMBENCH_SAVE_TABLE === "1") {
  const slug = `${e.cpu.model}-${e.cpu.microarch.name}`.replace(/\((r|tm)\)/gi, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const kept = path.join(packageRoot, "data", "measured", `${slug}.json`);
  mkdirSync(path.dirname(kept), { recursive: true });
  writeFileSync(kept, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`table kept in ${kept}`);
}
console.log(`results: ${benchDir}`);
