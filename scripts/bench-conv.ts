/**
 * npm run bench:conv: the conv performance goals as ratios from one run of
 * `armbench conv --net resnet50 --batch 1 --threads 1 --dtype all` (every algorithm
 * timed on every layer). Extra arguments go to armbench.
 */
import type { OkRecord, ResultRecord } from "../src/results/schema.js";
import { num, renderTable } from "../src/table.js";
import { benchDir, runArmbench } from "./bench-run.js";

const { records } = runArmbench("resnet50", ["conv", "--net", "resnet50", "--batch", "1", "--threads", "1", "--dtype", "all"]);
const ok = (r: ResultRecord): r is OkRecord => r.status === "ok";
const convs = records.filter(ok).filter((r) => r.name === "conv");
const winners = records.filter(ok).filter((r) => r.name === "conv.winner");
const algo = (layer: unknown, dtype: string, name: string) => convs.find((r) => r.params.layer === layer && r.params.dtype === dtype && r.params.algo === name);

const rows: string[][] = [];
const goal = (what: string, value: number | null, target: number, detail: string) =>
  rows.push([what, value === null ? "-" : num(value), `>= ${target}`, value === null ? "not measured" : value >= target ? "met" : "not met", detail]);

for (const w of winners.filter((x) => x.params.dtype === "fp32")) {
  const layer = w.params.layer;
  const im2col = algo(layer, "fp32", "im2col");
  const threeByThree = w.params.r === 3;
  if (threeByThree) goal(`${layer}: winner share of fp32 peak`, Number(w.params.pctPeak ?? NaN) / 100 || null, 0.75, `${w.params.algo}, ${num(w.median, 1)} GFLOP/s`);
  goal(`${layer}: winner / im2col`, im2col ? w.median / im2col.median : null, 1.0, String(w.params.algo));
  if (threeByThree && w.params.stride === 1 && Number(w.params.c) >= 64) {
    const f4 = algo(layer, "fp32", "winograd-f4");
    goal(`${layer}: winograd-f4 / im2col`, f4 && im2col ? f4.median / im2col.median : null, 1.0, f4 ? `${num(f4.median, 1)} GFLOP/s` : "winograd-f4 not measured");
  }
  const bf = winners.find((x) => x.params.layer === layer && x.params.dtype === "bf16");
  goal(`${layer}: bf16 winner / fp32 winner`, bf ? bf.median / w.median : null, 1.6, bf ? String(bf.params.algo) : "no bf16 result");
}
console.log(renderTable(["goal", "measured", "target", "", "detail"], rows, { right: [1] }));
console.log(`results: ${benchDir}`);
