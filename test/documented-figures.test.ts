import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import type { FmaSummary } from "../src/micro/fma.js";
import type { LatencySummary } from "../src/micro/memory.js";
import { renderFma, renderLatency } from "../src/micro/render.js";
import { loadNative } from "../src/native.js";
import { cellText, type TableBlock } from "../src/report/blocks.js";
import { loadMachines } from "../src/report/build.js";
import { documentedBlocks } from "../src/report/sections/documented.js";
import { loadResults } from "../src/results/load.js";
import { okRecord } from "../src/results/record.js";
import { ResultRecord } from "../src/results/schema.js";
import { CORES_FILE, documentedCore, documentedCoreByName, documentedCores, parseCoresFile, type DocumentedCore } from "../src/sysinfo/cores.js";
import {
  compareCacheLatency,
  compareCacheSize,
  compareFigure,
  compareFmaLatency,
  compareFmaThroughput,
  DOCUMENTED_TOLERANCE,
  formOf,
  withDocumented,
} from "../src/sysinfo/documented-compare.js";
import { decodeX86Core } from "../src/sysinfo/microarch.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

const KiB = 1024;
const core = (name: string): DocumentedCore => {
  const c = documentedCoreByName(name);
  assert.ok(c, `no documented core ${name}`);
  return c;
};

test("the cores file names every core of the issue, and every figure names one of its core's documents", () => {
  const cores = documentedCores();
  const issue = ["Neoverse N1", "Neoverse V1", "Neoverse N2", "Neoverse V2", "Neoverse N3", "Neoverse V3", "A64FX", "TaiShan v110", "AmpereOne", "Zen 4", "Zen 5", "Ice Lake (server)", "Sapphire Rapids"];
  for (const name of issue) assert.ok(cores.some((c) => c.name === name), `no row for ${name}`);
  for (const c of cores) {
    const refs = [
      ...c.products.map((p) => p.source),
      ...c.caches.flatMap((x) => [x.source, ...(x.loadToUseSource ? [x.loadToUseSource] : [])]),
      ...(c.fmaPipes ? [c.fmaPipes.source] : []),
      ...Object.values(c.fma).flatMap((f) => [f.source, ...(f.rateSource ? [f.rateSource] : [])]),
    ];
    for (const r of refs) {
      assert.ok(c.documents[r.doc]!.title.length > 20, `${c.name}: ${r.doc} has no title`);
      assert.ok(r.where.length > 3, `${c.name}: a reference to ${r.doc} says not where`);
    }
    // A core with no FMA figures says why, instead of leaving the reader to guess.
    if (Object.keys(c.fma).length === 0) assert.ok(c.missing.some((m) => m.figure === "fma"), `${c.name} neither documents nor explains its FMA figures`);
    if (c.caches.length === 0) assert.ok(c.missing.some((m) => m.figure === "caches"), `${c.name} neither documents nor explains its caches`);
  }
  assert.match(core("AmpereOne").missing.find((m) => m.figure === "fma")!.status, /not-published/);
  const products = cores.flatMap((c) => c.products.map((p) => `${c.name}: ${p.name}`)).join("\n");
  for (const [coreName, product] of [
    ["Neoverse N1", "Graviton2"], ["Neoverse V1", "Graviton3"], ["Neoverse V2", "Graviton4"], ["Neoverse N2", "Yitian 710"], ["Neoverse N1", "Ampere Altra"],
    ["TaiShan v110", "Kunpeng 920"], ["Zen 4", "EPYC 9004"], ["Zen 5", "EPYC 9005"], ["Ice Lake (server)", "Xeon Scalable 3rd gen"], ["Sapphire Rapids", "Xeon Scalable 4th gen"],
  ] as [string, string][]) {
    assert.match(products, new RegExp(`${coreName.replace(/[()]/g, "\\$&")}: [^\\n]*${product}`), `${product} is not listed under ${coreName}`);
  }
});

test("documented FMA forms are forms armbench measures, and every measured form maps to its name", () => {
  // The Arm forms of native/src/micro/fma_forms.cc, with the params their records carry.
  const arm: [string, string, string, string][] = [
    ["neon.fmla.4s", "neon", "fmla", "fp32"], ["neon.fmla.2d", "neon", "fmla", "fp64"], ["neon.fmla.8h", "neon", "fmla", "fp16"],
    ["neon.sdot.4s", "neon", "sdot", "int8"], ["neon.bfdot.4s", "neon", "bfdot", "bf16"], ["neon.bfmmla.4s", "neon", "bfmmla", "bf16"],
    ["neon.smmla.4s", "neon", "smmla", "int8"], ["neon.ummla.4s", "neon", "ummla", "int8"],
    ["sve.fmla.s", "sve", "fmla", "fp32"], ["sve.fmla.d", "sve", "fmla", "fp64"], ["sve.fmmla.s", "sve", "fmmla", "fp32"],
  ];
  const names = new Set(arm.map(([n]) => n));
  for (const [name, isa, insn, dtype] of arm) assert.equal(formOf({ params: { isa, insn, dtype, bits: 128 } }), name);
  for (const f of loadNative().fmaForms()) {
    names.add(f.name);
    assert.equal(formOf({ params: { isa: f.isa, insn: f.insn, bits: f.bits, dtype: f.dtype } }), f.name);
  }
  if (loadNative().cpuFeatures().arch === "x86_64") {
    for (const c of documentedCores()) for (const form of Object.keys(c.fma)) assert.ok(names.has(form) || form.startsWith("neon.") || form.startsWith("sve."), `${c.name}: ${form}`);
  }
});

test("a malformed cores file is refused in one sentence naming the field", () => {
  const good = JSON.parse(readFileSync(CORES_FILE, "utf8"));
  const refuse = (mutate: (j: any) => void, field: RegExp) => {
    const j = structuredClone(good);
    mutate(j);
    assert.throws(() => parseCoresFile(JSON.stringify(j), "c.json"), (e: Error) => field.test(e.message) && !e.message.includes("\n"));
  };
  refuse((j) => (j.cores[0].fma["neon.fmla.4s"].source.doc = "nowhere"), /^c\.json: field cores\.0\.fma\.neon\.fmla\.4s\.source\.doc: names document "nowhere"/);
  refuse((j) => delete j.cores[0].fma["neon.fmla.4s"].source, /^c\.json: field cores\.0\.fma\.neon\.fmla\.4s\.source:/);
  refuse((j) => delete j.cores[0].caches[0].loadToUseSource, /^c\.json: field cores\.0\.caches\.0\.loadToUseSource: loadToUseCycles and loadToUseSource come together/);
  refuse((j) => (j.cores[0].missing = [{ figure: "fma", status: "unknown", reason: "because it is so" }]), /^c\.json: field cores\.0\.missing\.0\.status/);
  refuse((j) => (j.schema = "armbench-cores/1"), /^c\.json: field schema/);
});

test("the 10 % rule: within, above, below, at the edge", () => {
  assert.equal(DOCUMENTED_TOLERANCE, 0.1);
  const within = compareFigure("fma.latency", 4.3, 4, "doc");
  assert.equal(within.verdict, "agrees");
  assert.equal(within.note, null);
  assert.equal(compareFigure("fma.latency", 4.4, 4, "doc").verdict, "agrees", "exactly 10 % is within");
  const above = compareFigure("fma.throughput", 2.0, 1, "doc");
  assert.equal(above.verdict, "above");
  assert.equal(above.deviation, 1);
  assert.match(above.note!, /^measured 2\/cycle, documented 1\/cycle: \+100 %, check the detection or the clock/);
  const below = compareFigure("fma.throughput", 1.5, 2, "doc");
  assert.equal(below.verdict, "below");
  assert.match(below.note!, /measured 1\.5\/cycle, documented 2\/cycle: -25 %/);
  assert.match(compareFigure("cache.size", 48 * KiB, 32 * KiB, "doc").note!, /measured 48 KiB, documented 32 KiB: \+50 %/);
});

test("which documented figure pairs with which measurement", () => {
  const v2 = core("Neoverse V2");
  // The accumulator-only chain meets the forwarded latency; the full chain the latency from any input.
  assert.equal(compareFmaLatency(v2, "Neoverse V2", "neon.fmla.4s", "acc", 2.05).documented, 2);
  assert.equal(compareFmaLatency(v2, "Neoverse V2", "neon.fmla.4s", "full", 4).documented, 4);
  assert.equal(compareFmaThroughput(v2, "Neoverse V2", "sve.fmla.s", 2).verdict, "below");
  // A document without a forwarded latency compares the accumulator chain with nothing, and says why.
  const n1acc = compareFmaLatency(core("Neoverse N1"), "Neoverse N1", "neon.fmla.4s", "acc", 4);
  assert.equal(n1acc.verdict, "undocumented");
  assert.match(n1acc.note!, /^not found: .*accumulator forwarding/);
  // A form the document lacks gets the reason from the file's missing list.
  const bf16 = compareFmaLatency(core("Zen 4"), "Zen 4", "avx512_bf16.vdpbf16ps.zmm", "acc", 6);
  assert.equal(bf16.verdict, "undocumented");
  assert.equal(bf16.documented, null);
  assert.match(bf16.note!, /^not found: AMD's instruction latency table/);
  assert.match(compareFmaThroughput(core("AmpereOne"), "AmpereOne", "neon.fmla.4s", 2).note!, /^not published: Ampere publishes no optimization guide/);
  // A size the core leaves to the chip's maker: the nearest option is the documented one.
  const l2 = compareCacheSize(core("Neoverse N1"), "Neoverse N1", "L2", 500 * KiB);
  assert.equal(l2.documented, 512 * KiB);
  assert.equal(l2.verdict, "agrees");
  assert.equal(compareCacheLatency(core("Zen 5"), "Zen 5", "L2", 14.5).verdict, "agrees");
  assert.equal(compareCacheLatency(core("Zen 5"), "Zen 5", "L3", 50).verdict, "undocumented");
  // Ice Lake's server parts decode under their own names and find the one documented core.
  assert.equal(documentedCore({ cpu: { microarch: decodeX86Core("GenuineIntel", 6, 0x6a) } } as never)?.name, "Ice Lake (server)");
  assert.equal(documentedCore({ cpu: { microarch: decodeX86Core("GenuineIntel", 6, 0x6c) } } as never)?.name, "Ice Lake (server)");
});

test("an unknown core is compared with nothing and says so", () => {
  const c = compareFmaThroughput(null, "unknown", "fma.vfmadd231ps.ymm", 2);
  assert.equal(c.verdict, "unknown-core");
  assert.equal(c.documented, null);
  assert.match(c.note!, /no documented figures exist for this core/);
  assert.match(compareCacheLatency(null, "Raptor Lake", "L1", 5).note!, /no documented figures exist for Raptor Lake/);
});

test("a micro record carries its comparison in derived fields and stays a valid record", () => {
  const check = { method: "exact", passed: true };
  const thr = okRecord({ suite: "micro", name: "micro.fma.throughput", impl: "armbench", params: { isa: "fma", insn: "vfmadd231ps", bits: 256, dtype: "fp32", chain: "acc" }, unit: "instr/cycle", derived: { fromK: 8, bestK: 9 } }, [2.6, 2.6, 2.6], check);
  const z4 = withDocumented(core("Zen 4"), "Zen 4", thr);
  assert.equal(z4.derived?.fromK, 8, "earlier derived fields are kept");
  assert.equal(z4.derived?.documented, 2);
  assert.equal(z4.derived?.documentedVerdict, "above");
  assert.match(String(z4.derived?.documentedNote), /\+30 %/);
  assert.match(String(z4.derived?.documentedSource), /Zen4 Microarchitecture, publication 57647/);
  ResultRecord.parse(z4);
  const level = okRecord({ suite: "micro", name: "micro.mem.level", impl: "armbench", params: { level: "L1", bytes: 48 * KiB, page: "huge" }, unit: "cycles" }, [4, 4], check);
  const lz = withDocumented(core("Zen 4"), "Zen 4", level);
  assert.equal(lz.derived?.documentedVerdict, "agrees");
  assert.equal(lz.derived?.documentedBytes, 32 * KiB);
  assert.equal(lz.derived?.documentedBytesVerdict, "above");
  assert.equal(withDocumented(null, "unknown", level).derived?.documentedVerdict, "unknown-core");
  const chains = okRecord({ suite: "micro", name: "micro.fma.chains", impl: "armbench", params: { k: 1 }, unit: "cycles/instr" }, [4], check);
  assert.equal(withDocumented(core("Zen 4"), "Zen 4", chains), chains, "records without a documented counterpart are left alone");
});

const fmaSummary: FmaSummary = {
  rows: [
    { form: "fma.vfmadd231ps.ymm", chain: "acc", latency: 4.02, throughput: 1.98, parallelism: 8, saturatesAt: 8, agrees: true, spread: 0.01 },
    { form: "avx512.vfmadd231ps.zmm", chain: "acc", latency: 4.1, throughput: 0.98, parallelism: 4, saturatesAt: 4, agrees: true, spread: 0.01 },
    { form: "avx512_bf16.vdpbf16ps.zmm", chain: "acc", latency: 6.0, throughput: 1, parallelism: 6, saturatesAt: 6, agrees: true, spread: 0.01 },
  ],
  peaks: [],
  skipped: [],
};

test("micro's FMA table shows documented beside measured for a known core, and measured only for an unknown one", () => {
  const zen5 = renderFma(fmaSummary, { core: core("Zen 5"), coreName: "Zen 5" });
  assert.match(zen5, /│ latency cyc │ documented │ instr\/cycle │ documented │/);
  assert.match(zen5, /│ fma\.vfmadd231ps\.ymm\s+│ acc\s+│\s+4\.02 │\s+4 │\s+1\.98 │\s+2 │/);
  // Zen 5 documents two 512-bit FMAs per cycle: a machine doing one is flagged in words.
  assert.match(zen5, /│ avx512\.vfmadd231ps\.zmm\s+│ acc\s+│\s+4\.10 │\s+4 │\s+0\.98 │\s+2 \(!\) │/);
  assert.match(zen5, /\(!\) avx512\.vfmadd231ps\.zmm acc rate: measured 0\.98\/cycle, documented 2\/cycle: -51 %, check the detection or the clock/);
  assert.match(zen5, /not compared: avx512_bf16\.vdpbf16ps\.zmm acc latency, avx512_bf16\.vdpbf16ps\.zmm acc rate \(not found: /);
  const unknown = renderFma(fmaSummary, { core: null, coreName: "unknown" });
  assert.doesNotMatch(unknown, /│ documented │/);
  assert.match(unknown, /│ latency cyc │ instr\/cycle │ Little's law chains │/);
  assert.equal(unknown.match(/no documented figures exist for this core/g)?.length, 1);
});

test("micro's cache-level table shows documented load-to-use and size beside the measured ones", () => {
  const lat: LatencySummary = {
    points: [],
    levels: [
      { page: "huge", label: "L1", ns: 1, cycles: 4.1, edgeBytes: 48 * KiB, firstBytes: 4 * KiB, lastBytes: 32 * KiB, cacheBytes: 48 * KiB, cacheSource: "sysfs", tlbShareNs: 0 },
      { page: "huge", label: "L2", ns: 4, cycles: 19, edgeBytes: 1024 * KiB, firstBytes: 64 * KiB, lastBytes: 512 * KiB, cacheBytes: 1024 * KiB, cacheSource: "sysfs", tlbShareNs: 0 },
      { page: "huge", label: "DRAM", ns: 90, cycles: 300, edgeBytes: 64 << 20, firstBytes: 64 << 20, lastBytes: 128 << 20, cacheBytes: null, cacheSource: null, tlbShareNs: 0 },
    ],
  } as unknown as LatencySummary;
  const out = renderLatency(lat, { core: core("Zen 5"), coreName: "Zen 5" });
  assert.match(out, /│ huge\s+│ L1\s+│\s+1\.00 │\s+4\.1 │\s+4 │\s+48 KiB │\s+48 KiB │/);
  assert.match(out, /\(!\) L2 load-to-use \(huge pages\): measured 19 cycles, documented 14 cycles: \+36 %/);
  assert.match(renderLatency(lat, { core: null, coreName: "Raptor Lake" }), /no documented figures exist for Raptor Lake: measured figures only/);
});

test("micro on this machine records the comparison, and the report shows it for a replayed Zen 5", () => {
  const file = path.join(tempDir(), "micro.json");
  const r = armbench(["micro", "fma", "--suite", path.join("test", "fixtures", "micro-tiny.json"), "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const results = loadResults(file);
  const known = documentedCore(results.env);
  const figures = results.records.filter((x) => x.status === "ok" && (x.name === "micro.fma.latency" || x.name === "micro.fma.throughput"));
  assert.ok(figures.length > 0);
  for (const x of figures) {
    const verdict = x.derived?.documentedVerdict;
    if (known === null) assert.equal(verdict, "unknown-core");
    else assert.ok(["agrees", "above", "below", "undocumented"].includes(String(verdict)), `${x.name} ${JSON.stringify(x.params)}: ${verdict}`);
  }
  if (known === null) assert.match(r.stdout, /no documented figures exist for /);
  else assert.match(r.stdout, new RegExp(`documented: ${known.name}'s published figures`));

  // The same records replayed as a Zen 5 machine: the report pairs them with Zen 5's documents.
  const replay = JSON.parse(readFileSync(file, "utf8"));
  replay.env.cpu.microarch = { name: "Zen 5", designer: "AMD", source: "CPUID family 0x1a model 0x02 (replayed)" };
  const replayed = path.join(tempDir(), "zen5.json");
  writeFileSync(replayed, JSON.stringify(replay));
  const blocks = documentedBlocks(loadMachines([replayed]));
  const table = blocks.find((b): b is TableBlock => b.kind === "table" && b.caption === "Documented beside measured");
  if (loadNative().fmaForms().some((f) => f.name === "fma.vfmadd231ps.ymm" && f.unsupported === null)) {
    assert.ok(table, "no documented table");
    const row = table.rows.find((x) => cellText(x[1]!) === "fma.vfmadd231ps.ymm (acc chain)" && cellText(x[2]!) === "instructions per cycle");
    assert.ok(row, "no row for the ymm FMA rate");
    assert.equal(cellText(row[4]!), "2.00");
    assert.match(cellText(row[6]!), /^(within 10 %|FLAG: measured .*documented 2\/cycle)/);
    assert.match(cellText(row[7]!), /Zen5 Microarchitecture, publication 58455/);
  }
  assert.ok(blocks.some((b) => b.kind === "note" && /Zen 5, used in AMD EPYC 9005/.test(b.text)));

  replay.env.cpu.microarch = { name: "unknown", designer: "Intel", source: "CPUID family 0x06 model 0xa7" };
  writeFileSync(replayed, JSON.stringify(replay));
  const unknown = documentedBlocks(loadMachines([replayed]));
  assert.equal(unknown.filter((b) => b.kind === "table").length, 0);
  assert.ok(unknown.some((b) => b.kind === "note" && /no documented figures exist for this core/.test(b.text)));
});
