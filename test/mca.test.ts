import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { asmRegions, branchTarget, innermostLoops, isFmaClass, kernelLoop } from "../src/mca/asm.js";
import { parseMcaReport } from "../src/mca/parse.js";
import { MCA_CORES, coreGated, coreRuns, predict, requiredFeatures } from "../src/mca/peak.js";
import { checkSentence } from "../src/commands/report.js";
import { MCA_FALLBACKS, belowFloor, fallbackOf, floorApplies, floorBasis, floorPct, floorStatus, mcaRecord, tileWidth, type McaRow } from "../src/mca/records.js";
import { layerTiles, nearEqual, netTiles } from "../src/mca/tiles.js";
import { packageRoot } from "../src/native.js";
import { cellText, type TableBlock } from "../src/report/blocks.js";
import { groupMachines } from "../src/report/machines.js";
import { mcaSection } from "../src/report/sections/mca.js";
import { OkRecord, SCHEMA, type ResultsFile } from "../src/results/schema.js";
import { sampleEnv } from "./helpers/fixtures.js";
import { machineResults } from "./helpers/report-fixtures.js";

const dir = path.join(packageRoot, "test", "fixtures", "mca");
const fixture = (name: string) => readFileSync(path.join(dir, name), "utf8");

test("the marked region of GCC's assembly is cut at its first END; comments and directives are dropped", () => {
  const regions = asmRegions(fixture("nchwc_row_f32_t3.s"));
  assert.deepEqual(regions.map((r) => r.name), ["nchwc.row_f32.t3"]);
  const lines = regions[0]!.lines;
  assert.equal(lines[0], "ldr\tx19, [x0, 64]");
  assert.equal(lines.at(-1), "bcc\t.L30");
  assert.ok(lines.every((l) => !l.startsWith("#") && !l.startsWith("//") && !l.startsWith(".p2align")));
});

test("the innermost loop with the multiply-adds is chosen out of three nested ones", () => {
  const region = asmRegions(fixture("nchwc_row_f32_t3.s"))[0]!;
  assert.deepEqual(innermostLoops(region.lines).map((l) => l.label), [".L32"]);
  const loop = kernelLoop(region);
  assert.equal(loop.label, ".L32");
  assert.equal(loop.lines[0], ".L32:");
  assert.equal(loop.lines.at(-1), "bhi\t.L32");
  assert.equal(loop.fmaOps, 12);
  assert.equal(loop.lines.length, 31); // the label and 30 instructions, as llvm-mca counts them below
});

test("regions are found in llvm-mc's expansion of a file's assembler macros, whose comments start with //", () => {
  // What llvm-mc -preserve-comments prints for an inline-assembly loop written with .irp:
  // the markers as // comments, the loop's local label and the expanded instructions.
  const text = [
    "\t// LLVM-MCA-BEGIN depthwise.row_f32.s1",
    ".Ldw1_4766:",
    "\tldur\tq16, [x9]",
    "\tfmul\tv0.4s, v16.4s, v29.s[0]",
    "\tfmla\tv0.4s, v17.4s, v29.s[1]",
    "\tsubs\tx1, x1, #1",
    "\tb.ne\t.Ldw1_4766",
    "\t// LLVM-MCA-END",
  ].join("\n");
  const [region] = asmRegions(text);
  assert.equal(region!.name, "depthwise.row_f32.s1");
  const loop = kernelLoop(region!);
  assert.equal(loop.label, ".Ldw1_4766");
  assert.equal(loop.fmaOps, 2);
  assert.equal(loop.lines.length, 6);
});

test("a region without a loop of FMA-class instructions, or never closed, is refused", () => {
  assert.throws(() => kernelLoop({ name: "r", lines: [".L1:", "add x0, x0, 1", "cbnz x0, .L1"] }), /no loop with FMA-class/);
  assert.throws(() => asmRegions("# LLVM-MCA-BEGIN a\n\tfmla v0.4s, v1.4s, v2.4s\n"), /no LLVM-MCA-END/);
  assert.throws(() => asmRegions("# LLVM-MCA-BEGIN a\n# LLVM-MCA-BEGIN b\n# LLVM-MCA-END\n"), /begins inside region a/);
});

test("branches and FMA-class instructions are told apart from their look-alikes", () => {
  assert.equal(branchTarget("b.ne\t.L3"), ".L3");
  assert.equal(branchTarget("bhi\t.L32"), ".L32");
  assert.equal(branchTarget("cbnz\tx3, .L7"), ".L7");
  assert.equal(branchTarget("tbz\tw0, #0, .L5"), ".L5");
  assert.equal(branchTarget("bl\tmemcpy"), null);
  assert.equal(branchTarget("bfdot\tv0.4s, v1.8h, v2.2h[0]"), null);
  for (const f of ["fmla\tv0.4s, v1.4s, v2.s[0]", "fmla z0.s, z1.s, z2.s[1]", "bfmmla v0.4s, v1.8h, v2.8h", "bfdot v0.4s, v1.8h, v2.2h[1]", "fmadd s0, s1, s2, s3", "sdot v0.4s, v1.16b, v2.16b", "fmul v0.4s, v1.4s, v2.s[0]"]) {
    assert.ok(isFmaClass(f), f); // FMUL: a sum's first product on the same pipes (asm.ts)
  }
  for (const f of ["fadd v0.4s, v1.4s, v2.4s", "ldr q0, [x0]", "mla v0.4s, v1.4s, v2.4s"]) assert.ok(!isFmaClass(f), f);
});

test("llvm-mca's report is read: summary, instruction info, resource pressure, bottleneck analysis", () => {
  const short = parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.100.txt"));
  const long = parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.300.txt"));
  assert.equal(short.iterations, 100);
  assert.equal(short.instructions, 3000);
  assert.equal(short.totalCycles, 1614);
  assert.equal(long.totalCycles, 4814);
  assert.equal(short.instrs.length, 30);
  const fmla = short.instrs.filter((i) => isFmaClass(i.text));
  assert.equal(fmla.length, 12);
  assert.ok(fmla.every((i) => i.rthroughput === 0.25 && i.latency === 4));
  assert.equal(short.instrs[0]!.text, "madd\tx0, x1, x13, x9");
  // MayLoad: the five ldr and the ldp, not the FMLAs that read registers only.
  assert.deepEqual(short.instrs.filter((i) => i.mayLoad).map((i) => i.text.split("\t")[0]), ["ldr", "ldr", "ldr", "ldr", "ldp", "ldr"]);
  assert.equal(short.bottleneck, null); // made without -bottleneck-analysis
  assert.ok(long.bottleneck);
  assert.equal(long.bottleneck.backendPressurePct, 30.66);
  assert.ok(long.bottleneck.registerPct > long.bottleneck.resourcePct);
  const v = long.pressure.filter((p) => /^V1UnitV[0-3]$/.test(p.name));
  assert.equal(v.length, 4);
  assert.equal(v.reduce((s, p) => s + p.cycles, 0), 12); // 12 FMLAs per iteration on the four V pipes
  assert.throws(() => parseMcaReport("not llvm-mca"), /no "Iterations:" line/);
});

test("the steady state and the % of pipe peak come from the two runs and the model's throughputs", () => {
  const p = predict(parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.100.txt")), parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.300.txt")));
  assert.equal(p.cyclesPerIter, (4814 - 1614) / 200); // 16: four dependent FMLAs of 4 cycles per pixel and tap
  assert.equal(p.instrPerIter, 30);
  assert.equal(p.fmaPerIter, 12);
  assert.equal(p.peakCyclesPerIter, 3); // 12 x 0.25
  assert.equal(p.peakFmaPerCycle, 4);
  assert.equal(p.pctOfPeak, 18.75);
  // Its six loads on V1: five ldr q of 1/3 cycle (3 load pipes) and an ldp of 2/3.
  assert.equal(p.loadCyclesPerIter.toFixed(2), (5 * 0.33 + 0.67).toFixed(2));
  assert.equal(p.pctOfBound, 18.75); // the FMA peak is the larger bound here
  assert.match(p.bottleneck, /^register dependencies/);
  const short = parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.100.txt"));
  assert.throws(() => predict(short, short), /more iterations/);
});

test("a file's extensions pick the cores that run it", () => {
  assert.deepEqual(requiredFeatures(["-O3", "-march=armv8.6-a+bf16"]), ["bf16"]);
  assert.deepEqual(requiredFeatures(["-march=armv8-a"]), []);
  assert.deepEqual(requiredFeatures(["-march=armv8.2-a+sve+nofp16"]), ["sve"]);
  const runs = (req: string[]) => MCA_CORES.filter((c) => coreRuns(c, req)).map((c) => c.cpu);
  assert.deepEqual(runs(["bf16"]), ["neoverse-n2", "neoverse-v1", "neoverse-v2"]);
  assert.deepEqual(runs(["sve"]), ["neoverse-n2", "neoverse-v1", "neoverse-v2", "a64fx"]);
  assert.deepEqual(runs([]), ["neoverse-n1", "neoverse-n2", "neoverse-v1", "neoverse-v2", "a64fx"]);
  assert.deepEqual(runs(["sme"]), []);
});

test("the floor check names each checked kernel below 90 % and skips remainder tiles; records are valid results", () => {
  const p = predict(parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.100.txt")), parseMcaReport(fixture("nchwc_row_f32_t3.neoverse-v1.300.txt")));
  const row = (kernel: string, pct: number): McaRow => ({ kernel, cpu: "neoverse-v1", source: "x.cc", march: "-march=armv8-a", prediction: { ...p, pctOfPeak: pct } });
  assert.equal(tileWidth("nchwc.row_f32.t12"), 12);
  assert.equal(tileWidth("gemm.f32_neon_8x12"), null);
  const names = ["nchwc.row_f32.t3", "nchwc.row_f32.t12", "gemm.f32_neon_8x12"];
  assert.equal(floorApplies("nchwc.row_f32.t3", names), false);
  assert.equal(floorApplies("nchwc.row_f32.t12", names), true);
  assert.equal(floorApplies("gemm.f32_neon_8x12", names), true);
  const low = belowFloor([row("nchwc.row_f32.t3", 18.75), row("nchwc.row_f32.t12", 89.9), row("gemm.f32_neon_8x12", 90)]);
  assert.deepEqual(low.length, 1);
  assert.match(low[0]!, /^nchwc\.row_f32\.t12 on neoverse-v1: 89\.9% of pipe peak, below 90%/);
  assert.deepEqual(belowFloor([row("gemm.f32_neon_8x12", Number.NaN)]).length, 1);
  // N1, N2, V1 and V2 are gated; A64FX is printed with its reason, not checked.
  assert.deepEqual(MCA_CORES.filter((c) => coreGated(c.cpu)).map((c) => c.cpu), ["neoverse-n1", "neoverse-n2", "neoverse-v1", "neoverse-v2"]);
  assert.match(MCA_CORES.find((c) => c.cpu === "a64fx")!.informational ?? "", /18 independent chains/);
  assert.deepEqual(belowFloor([{ ...row("gemm.f32_neon_8x12", 50), cpu: "a64fx" }]), []);
  assert.deepEqual(belowFloor([{ ...row("gemm.f32_neon_8x12", 50), cpu: "neoverse-n1" }]).length, 1);

  const rec = mcaRecord(row("nchwc.row_f32.t3", p.pctOfPeak), "llvm-mca 19.1.7", "rem");
  assert.equal(OkRecord.safeParse(rec).success, true);
  assert.deepEqual(rec.params, { kernel: "nchwc.row_f32.t3", cpu: "neoverse-v1" });
  assert.equal(rec.unit, "% of pipe peak");
  assert.equal(rec.median, 18.75);
  assert.deepEqual(rec.samples, [18.75]);
  assert.equal(rec.derived?.cyclesPerIter, 16);
  assert.equal(rec.check.passed, null);
});

test("a fallback kernel is held to the bound its loads set, and no depthwise layer of the conv suite takes it", () => {
  assert.match(fallbackOf("nchwc.depthwise_f32_any.t12") ?? "", /dilat/);
  assert.equal(fallbackOf("nchwc.depthwise_f32_s1_k3.t16"), null);
  assert.equal(floorBasis("nchwc.depthwise_f32_any.t12"), "load bound");
  assert.equal(floorBasis("nchwc.depthwise_f32_s1_k3.t16"), "pipe peak");
  const names = ["nchwc.depthwise_f32_any.t12", "nchwc.depthwise_f32_any.t3"];
  assert.equal(floorApplies("nchwc.depthwise_f32_any.t12", names), true);
  assert.equal(floorApplies("nchwc.depthwise_f32_any.t3", names), false);
  // 12 FMLAs and 13 loads on V1: 3 cycles of FMA pipes, 4.33 of load pipes. At 4.33
  // predicted cycles it is 69 % of pipe peak and all its loads allow: it passes; the
  // same figures on a kernel held to the pipe peak fail.
  const p = { instrPerIter: 29, fmaPerIter: 12, cyclesPerIter: 13 / 3, peakCyclesPerIter: 3, peakFmaPerCycle: 4, pctOfPeak: 900 / 13,
    loadCyclesPerIter: 13 / 3, pctOfBound: 100, bottleneck: "-", busiest: "-" };
  const at = (kernel: string, prediction: typeof p): McaRow => ({ kernel, cpu: "neoverse-v1", source: "", march: "", prediction });
  assert.equal(floorPct("nchwc.depthwise_f32_any.t12", p), 100);
  assert.deepEqual(belowFloor([at("nchwc.depthwise_f32_any.t12", p)]), []);
  assert.equal(belowFloor([at("nchwc.depthwise_f32_s1_k3.t16", p)]).length, 1);
  // Slower than its loads allow (address arithmetic in the loop, say): it fails, named.
  const slow = { ...p, cyclesPerIter: 6.5, pctOfPeak: 300 / 6.5, pctOfBound: (100 * 13) / 3 / 6.5 };
  const low = belowFloor([at("nchwc.depthwise_f32_any.t12", slow)]);
  assert.equal(low.length, 1);
  assert.match(low[0]!, /^nchwc\.depthwise_f32_any\.t12 on neoverse-v1: 66\.7% of load bound, below 90%/);
  assert.ok(MCA_FALLBACKS.every((f) => f.why.length > 0));
  // nchwc_neon.cc's depthwise() takes the fixed 3x3/5x5 tiles at dilation 1 and a
  // horizontal stride of 1 or 2; anything else is the fallback, which no net may need.
  const suite = JSON.parse(readFileSync(path.join(packageRoot, "suites", "conv.json"), "utf8")) as {
    nets: Record<string, { name: string; c: number; k: number; s: number; stride: number; groups: number; dilation?: number }[]>;
  };
  const depthwise = Object.values(suite.nets).flat().filter((l) => l.groups > 1 && l.groups === l.c && l.c === l.k);
  assert.ok(depthwise.length > 0);
  for (const l of depthwise) {
    assert.ok((l.s === 3 || l.s === 5) && (l.dilation ?? 1) === 1 && (l.stride === 1 || l.stride === 2), `${l.name} would take the fallback`);
  }
});

test("the tiles full rows of built-in layers run, as the NEON dispatch cuts them", () => {
  const layer = (name: string, c: number, hw: number, k: number, r: number, stride: number, pad: number, groups: number) =>
    ({ name, c, h: hw, w: hw, k, r, s: r, stride, pad, groups, count: 1 });
  assert.deepEqual(nearEqual(56, 16), [14, 14, 14, 14]);
  assert.deepEqual(nearEqual(28, 8), [7, 7, 7, 7]);
  // Depthwise: 112-pixel rows in 16-pixel tiles a row at a time; 56 at stride 1 in 3-row
  // tiles of 7; stride 2 in strips (56 -> 8 pixels, 7 -> 7).
  assert.deepEqual(layerTiles(layer("dw 3x3 32", 32, 112, 32, 3, 1, 1, 32)), ["nchwc.depthwise_f32_s1_k3.t16"]);
  assert.deepEqual(layerTiles(layer("dw 3x3 144", 144, 56, 144, 3, 1, 1, 144)), ["nchwc.depthwise_f32_s1_k3_r3.t7"]);
  assert.deepEqual(layerTiles(layer("dw 3x3/2 96", 96, 112, 96, 3, 2, 1, 96)), ["nchwc.depthwise_f32_s2_k3_strip.t8"]);
  assert.deepEqual(layerTiles(layer("dw 3x3/2 576", 576, 14, 576, 3, 2, 1, 576)), ["nchwc.depthwise_f32_s2_k3_strip.t7"]);
  assert.deepEqual(layerTiles(layer("dw 5x5/2", 32, 28, 32, 5, 2, 2, 32)), ["nchwc.depthwise_f32_s2_k5_r3.t7"]);
  // Multi-block: a 7x7 3x3 layer pairs rows into 2-row tiles of 4 (the 3 left over not
  // listed); a 56x56 1x1 layer is one flat span of 8-pixel tiles.
  assert.deepEqual(layerTiles(layer("res5 3x3", 512, 7, 512, 3, 1, 1, 1)).sort(), ["nchwc.multi_bf16_r2.t4", "nchwc.multi_f32_r2.t4"]);
  assert.deepEqual(layerTiles(layer("res2 1x1", 64, 56, 64, 1, 1, 0, 1)).sort(), ["nchwc.multi_bf16.t8", "nchwc.multi_f32.t8"]);
  assert.deepEqual(layerTiles(layer("dilated or grouped", 64, 56, 64, 3, 1, 1, 2)), []);
  // A tile a layer runs is checked though narrower than its family's widest.
  const names = ["nchwc.depthwise_f32_s1_k3_r3.t6", "nchwc.depthwise_f32_s1_k3_r3.t7"];
  assert.equal(floorApplies("nchwc.depthwise_f32_s1_k3_r3.t6", names), false);
  assert.equal(floorApplies("nchwc.depthwise_f32_s1_k3_r3.t6", names, new Set(["nchwc.depthwise_f32_s1_k3_r3.t6"])), true);
  const nets = netTiles({ mobilenetv2: [layer("dw 3x3 144", 144, 56, 144, 3, 1, 1, 144)] });
  assert.equal(nets.get("nchwc.depthwise_f32_s1_k3_r3.t7"), "mobilenetv2 dw 3x3 144");
});

test("the report's mca section: a row per checked kernel, a column per core, remainder tiles left out; the footer names what compared nothing", () => {
  const base = { instrPerIter: 29, fmaPerIter: 12, cyclesPerIter: 3, peakCyclesPerIter: 3, peakFmaPerCycle: 4, pctOfPeak: 100, loadCyclesPerIter: 2, pctOfBound: 100, bottleneck: "-", busiest: "-" };
  const at = (kernel: string, cpu: string, pctOfPeak: number, pctOfBound = pctOfPeak): McaRow => ({ kernel, cpu, source: "x.cc", march: "-march=armv8-a", prediction: { ...base, pctOfPeak, pctOfBound } });
  const rows = [
    at("nchwc.row_f32.t16", "neoverse-n1", 100),
    at("nchwc.row_f32.t16", "neoverse-v1", 85),
    at("nchwc.row_f32.t16", "a64fx", 80),
    at("nchwc.row_f32.t3", "neoverse-n1", 37.5),
    at("nchwc.depthwise_f32_any.t12", "neoverse-v1", 69.2, 99.5),
  ];
  const kernels = [...new Set(rows.map((r) => r.kernel))];
  assert.deepEqual(rows.map((r) => floorStatus(r, kernels)), ["ok", "LOW", "info", "rem", "ok"]);
  const results: ResultsFile = { schema: SCHEMA, env: sampleEnv(), records: rows.map((r) => mcaRecord(r, "llvm-mca 19.1.7", floorStatus(r, kernels))) };
  const machines = groupMachines([{ file: "mca.json", results }]);
  const s = mcaSection(machines);
  assert.ok(s);
  const t = s.blocks.find((b): b is TableBlock => b.kind === "table")!;
  assert.deepEqual(t.head, ["kernel", "neoverse-n1", "neoverse-v1", "a64fx"]);
  assert.deepEqual(t.rows.map((r) => r.map(cellText)), [
    ["nchwc.row_f32.t16", "100.0%", "85.0% LOW", "80.0% (info)"],
    ["nchwc.depthwise_f32_any.t12", "-", "69.2% (100% of loads' bound)", "-"],
  ]);
  assert.equal(mcaSection(groupMachines([{ file: "m.json", results: machineResults("x", 1) }])), null);
  // Static predictions compare no answer: the footer must not say every figure passed a check.
  assert.match(checkSentence(machines), /^every figure with an answer to check passed that check before it was timed; 5 of 5 compared nothing/);
});
