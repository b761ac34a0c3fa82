import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { createCanvas, loadImage } from "@napi-rs/canvas";

import { writeReport } from "../src/commands/report.js";
import { failedRecord, unavailableRecord } from "../src/results/record.js";
import type { OkRecord } from "../src/results/schema.js";
import { charts, type Cell, type NoteBlock, type Section, type TableBlock } from "../src/report/blocks.js";
import { buildSections } from "../src/report/build.js";
import { escapeHtml, jsonForScript } from "../src/report/escape.js";
import { groupMachines } from "../src/report/machines.js";
import { fmaFamily } from "../src/report/sections/micro.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";
import { machineResults, ok, writeResults } from "./helpers/report-fixtures.js";

const HOSTILE_HOST = `<script>alert("host")</script>`;
const HOSTILE_MODEL = `<img src=x onerror=alert(1)>`;

function hostileReport(): { html: string; dir: string } {
  const dir = tempDir();
  const results = machineResults(HOSTILE_HOST, 1, { model: true });
  results.env.cpu.model = HOSTILE_MODEL;
  for (const r of results.records) if (r.params.model !== undefined) r.params.model = `</script><script>alert("model")</script>`;
  const file = writeResults(dir, "a.json", results);
  const out = path.join(dir, "report.html");
  writeReport({ files: [file], output: out });
  return { html: readFileSync(out, "utf8"), dir };
}

test("escapeHtml and jsonForScript leave no markup behind", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const json = jsonForScript({ s: "</script><!-- \u2028" });
  assert.ok(!json.includes("<") && !json.includes(">") && !json.includes("\u2028"));
  assert.deepEqual(JSON.parse(json), { s: "</script><!-- \u2028" });
});

test("hostile strings from a results file show as text in the page", () => {
  const { html } = hostileReport();
  assert.ok(html.includes(escapeHtml(HOSTILE_HOST)), "the hostname is shown, escaped");
  assert.ok(html.includes(escapeHtml(HOSTILE_MODEL)), "the CPU model is shown, escaped");
  assert.ok(!html.includes(HOSTILE_HOST), "the raw hostname markup is absent");
  assert.ok(!html.includes(HOSTILE_MODEL), "the raw CPU model markup is absent");
  assert.ok(!html.includes(`<script>alert("model")`), "the model name cannot open a script");
  // Exactly the template's three script elements: the chart data, Chart.js, and ours.
  assert.equal(html.match(/<script\b/gi)?.length, 3);
});

test("the page loads no remote resource", () => {
  const { html } = hostileReport();
  assert.doesNotMatch(html, /\b(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /@import|url\(\s*["']?(?:https?:)?\/\//i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test("a results file of another schema is refused with one sentence", () => {
  const dir = tempDir();
  const old = { ...machineResults("old-host", 1), schema: "armbench/0" };
  const file = writeResults(dir, "old.json", old as never);
  const r = armbench(["report", file, "-o", path.join(dir, "r.html")]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^armbench: .*old\.json uses results schema "armbench\/0", which this armbench \(reads "armbench\/1"\) does not know; use the armbench version that wrote it\.\n$/);
  assert.ok(!existsSync(path.join(dir, "r.html")));
  const foreign = writeResults(dir, "foreign.json", { schema: "other-tool/2", records: [] } as never);
  const f = armbench(["report", foreign]);
  assert.equal(f.status, 1);
  assert.match(f.stderr, /is not an armbench results file/);
});

test("PNG charts and the Markdown summary are written, drawn and linked", async () => {
  const dir = tempDir();
  const a = writeResults(dir, "a.json", machineResults("arm-host", 1, { model: true }));
  const b = writeResults(dir, "b.json", machineResults("x86-host", 1.25, { model: true }));
  const r = armbench(["report", a, b, "-o", path.join(dir, "r.html"), "--png", path.join(dir, "png"), "--md", path.join(dir, "summary.md"), "--price", "arm-host=1.0", "--price", "x86-host=2.0"]);
  assert.equal(r.status, 0, r.stderr);
  const md = readFileSync(path.join(dir, "summary.md"), "utf8");
  assert.match(md, /^# armbench report: arm-host vs x86-host\n/);
  assert.match(md, /## Systems/);
  assert.match(md, /Performance per dollar/);
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length >= 5, `${links.length} PNG links`);
  for (const link of links) assert.ok(existsSync(path.join(dir, decodeURI(link))), link);
  // The FMA chains split by family in the PNGs and the summary, as on the page; one per machine and family.
  assert.deepEqual(links.filter((l) => /\/fma-/.test(l)).sort(), ["png/fma-0-arm-neon-dot-product-and-matrix.png", "png/fma-0-arm-neon-fma.png", "png/fma-1-arm-neon-dot-product-and-matrix.png", "png/fma-1-arm-neon-fma.png"]);
  assert.match(md, /\| L3 cache \| 256 MiB \(sysfs; cpuid: 32 MiB\), shared by 2 CPUs/);
  for (const link of links.slice(0, 3)) {
    const file = path.join(dir, decodeURI(link));
    assert.ok(statSync(file).size > 2000);
    const img = await loadImage(readFileSync(file));
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) inked++;
    assert.ok(inked > 1000, `${link}: only ${inked} drawn pixels`);
  }
});

function section(sections: Section[], id: string): Section {
  const s = sections.find((x) => x.id === id);
  assert.ok(s, `no ${id} section`);
  return s;
}

function table(s: Section, caption: RegExp): TableBlock {
  const t = s.blocks.find((b): b is TableBlock => b.kind === "table" && caption.test(b.caption));
  assert.ok(t, `no table ${caption} in ${s.id}`);
  return t;
}

test("the model section shows latency, engines, the check and per-op shares", () => {
  const results = machineResults("arm-host", 1, { model: true });
  const sections = buildSections(groupMachines([{ file: "a.json", results }]));
  const model = section(sections, "model");
  const engines = table(model, /Engines/);
  assert.equal(engines.rows.length, 1);
  const ours = results.records.find((r) => r.name === "model.latency" && r.impl === "armbench")!;
  const ort = results.records.find((r) => r.name === "model.latency" && r.impl === "onnxruntime")!;
  assert.ok(ours.status === "ok" && ort.status === "ok");
  const speedCell = engines.rows[0]![4]!;
  assert.ok(typeof speedCell !== "string" && Math.abs(speedCell.value! - ort.median / ours.median) < 1e-12);
  const ops = table(model, /Per-op/);
  assert.deepEqual(ops.rows.map((r) => r[0]), ["Conv", "Relu", "Add"]);
  const shares = ops.rows.map((r) => (typeof r[2] === "string" ? 0 : r[2]!.value!));
  assert.ok(Math.abs(shares.reduce((s, x) => s + x, 0) - 100) < 1e-9);
  const hist = charts([model]).find((c) => c.id.startsWith("model-latency"))!;
  const datasets = (hist.config.data as { datasets: { label: string; data: number[] }[] }).datasets;
  assert.equal(datasets.length, 2);
  for (const d of datasets) assert.equal(d.data.reduce((s, x) => s + x, 0), 30, `${d.label}: every iteration in a bin`);
  assert.ok(table(model, /Answer check/).rows.length === 1);
});

test("sections appear only for data that exists; several machines get ratios and a geometric mean", () => {
  const micro = machineResults("solo", 1);
  micro.records = micro.records.filter((r) => r.suite === "micro");
  const solo = buildSections(groupMachines([{ file: "m.json", results: micro }])).map((s) => s.id);
  assert.deepEqual(solo, ["systems", "micro", "roofline"]);

  const two = buildSections(groupMachines([{ file: "a.json", results: machineResults("a", 1) }, { file: "b.json", results: machineResults("b", 1.25) }]));
  const ratios = section(two, "ratios");
  const geo = table(ratios, /Geometric-mean/);
  // Every shared rate is 1.25x and every time 1/1.25: each suite's geometric mean is 1.25.
  for (const row of geo.rows) {
    const cell = row[1]!;
    assert.ok(typeof cell !== "string" && Math.abs(cell.value! - 1.25) < 1e-9, `${String(row[0])}: ${JSON.stringify(cell)}`);
  }
});

test("one machine's separate suite files become one column, two runs of a suite two", () => {
  const gemm = machineResults("host", 1);
  gemm.records = gemm.records.filter((r) => r.suite === "gemm");
  const conv = machineResults("host", 1);
  conv.records = conv.records.filter((r) => r.suite === "conv");
  const merged = groupMachines([{ file: "g.json", results: gemm }, { file: "c.json", results: conv }]);
  assert.equal(merged.length, 1);
  assert.deepEqual(merged[0]!.files, ["g.json", "c.json"]);
  const twice = groupMachines([{ file: "g1.json", results: gemm }, { file: "g2.json", results: gemm }]);
  assert.deepEqual(twice.map((m) => m.label), ["host", "host #2"]);
});

test("report without files, or with a price for a machine it does not show, says so in one sentence", () => {
  const none = armbench(["report"]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^armbench: report needs at least one results file/);
  const dir = tempDir();
  const file = writeResults(dir, "a.json", machineResults("arm-host", 1));
  const price = armbench(["report", file, "-o", path.join(dir, "r.html"), "--price", "nowhere=1.5"]);
  assert.equal(price.status, 1);
  assert.match(price.stderr, /^armbench: --price names "nowhere", which is none of the machines in the report \(arm-host\)\.\n$/);
  const bad = armbench(["report", file, "-o", path.join(dir, "r.html"), "--price", "arm-host=cheap"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--price takes NAME=USD_PER_HOUR/);
});

test("a model is placed on the roofline only when it says how many bytes it moves", () => {
  const results = machineResults("arm-host", 1, { model: true });
  const without = section(buildSections(groupMachines([{ file: "a.json", results }])), "roofline");
  assert.ok(without.blocks.some((b) => b.kind === "note" && /not placed on the roofline of arm-host/.test(b.text)));
  for (const r of results.records) if (r.name === "model.throughput") r.params.bytes = 1e8;
  const placed = section(buildSections(groupMachines([{ file: "a.json", results }])), "roofline");
  assert.ok(!placed.blocks.some((b) => b.kind === "note"));
  const chart = charts([placed])[0]!;
  const models = (chart.config.data as { datasets: { label: string; data: { x: number; y: number }[] }[] }).datasets.find((d) => d.label === "models")!;
  const ours = results.records.find((r) => r.name === "model.throughput" && r.impl === "armbench")!;
  assert.ok(ours.status === "ok");
  // 8.2 GFLOP per image over 100 MB per image: 82 FLOP/byte; images/s x GFLOP per image.
  assert.ok(models.data.some((p) => Math.abs(p.x - 82) < 1e-9 && Math.abs(p.y - ours.median * 8.2) < 1e-9));
});

test("chart ids stay unique when names from results files sanitize alike", () => {
  const results = machineResults("arm-host", 1, { model: true });
  const extra = results.records.filter((r) => r.name === "model.latency").map((r) => ({ ...r, params: { ...r.params, model: "ResNet_50" } }));
  for (const r of results.records) if (r.params.model === "resnet50") r.params.model = "resnet-50";
  results.records.push(...extra);
  const ids = charts(buildSections(groupMachines([{ file: "a.json", results }]))).map((c) => c.id);
  assert.ok(ids.includes("model-latency-resnet-50") && ids.includes("model-latency-resnet-50-2"), ids.join(" "));
  assert.equal(new Set(ids).size, ids.length);
});

test("GEMM compares armbench with the best peer of each case", () => {
  const results = machineResults("arm-host", 1);
  const gemm = section(buildSections(groupMachines([{ file: "a.json", results }])), "gemm");
  const peers = table(gemm, /best peer/);
  // openblas ran fp32 only (its bf16 is unavailable): three sizes, each 0.8 / 0.7 of the peak.
  assert.equal(peers.rows.length, 3);
  for (const row of peers.rows) {
    assert.equal(row[5], "openblas (SkylakeX, forced)");
    const ratio = row[7]!;
    assert.ok(typeof ratio !== "string" && Math.abs(ratio.value! - 0.8 / 0.7) < 1e-9);
  }
});

type Dataset = { label: string; data: { x: number; y: number }[] };

function datasets(s: Section, id: string): Dataset[] {
  const chart = charts([s]).find((c) => c.id === id);
  assert.ok(chart, `no chart ${id} in ${s.id}: ${charts([s]).map((c) => c.id).join(" ")}`);
  return (chart.config.data as { datasets: Dataset[] }).datasets;
}

function text(c: Cell): string {
  return typeof c === "string" ? c : c.text;
}

test("GEMM cases that did not run: one line per reason, with the count and the cases it covers", () => {
  const results = machineResults("arm-host", 1);
  results.records.push(failedRecord({ suite: "gemm", name: "gemm", impl: "blis", params: { m: 64, n: 64, k: 64, shape: "64^3", dtype: "fp32", threads: 1, run: "forced" }, unit: "GFLOP/s" }, "wrong answer"));
  const gemm = section(buildSections(groupMachines([{ file: "a.json", results }])), "gemm");
  const failed = table(gemm, /did not run/);
  assert.deepEqual(failed.head, ["machine", "impl", "status", "cases", "which cases", "reason"]);
  // openblas's bf16: three sizes, two variants, one reason.
  assert.equal(failed.rows.length, 2);
  const [missing, wrong] = failed.rows as [Cell[], Cell[]];
  assert.deepEqual([missing[1], missing[2], text(missing[3]!), missing[5]], ["openblas", "unavailable", "6", "cblas_sbgemm missing"]);
  assert.match(text(missing[4]!), /^shape 64\^3, 256\^3, 1024\^3; dtype bf16; threads 2; .*run as-detected, forced/);
  assert.deepEqual([wrong[1], wrong[2], text(wrong[3]!), wrong[5]], ["blis", "failed", "1", "wrong answer"]);
  assert.match(text(wrong[4]!), /^shape 64\^3; dtype fp32; threads 1; run forced$/);
});

test("a library that did not start stands for every case, in one line", () => {
  const results = machineResults("arm-host", 1);
  for (const run of ["as-detected", "forced"]) results.records.push(unavailableRecord({ suite: "gemm", name: "gemm", impl: "blis", params: { run }, unit: "GFLOP/s" }, "libblis.so.4 not found"));
  const failed = table(section(buildSections(groupMachines([{ file: "a.json", results }])), "gemm"), /did not run/);
  const row = failed.rows.find((r) => r[5] === "libblis.so.4 not found");
  assert.ok(row, JSON.stringify(failed.rows));
  assert.equal(text(row[3]!), "2");
  assert.equal(text(row[4]!), "every case; run as-detected, forced");
});

test("FMA chains get one chart per instruction family, each holding only its family's forms", () => {
  const micro = section(buildSections(groupMachines([{ file: "a.json", results: machineResults("arm-host", 1) }])), "micro");
  const ids = charts([micro]).map((c) => c.id).filter((id) => id.startsWith("fma-"));
  assert.deepEqual(ids, ["fma-0-arm-neon-fma", "fma-0-arm-neon-dot-product-and-matrix"]);
  const curves = (id: string) => datasets(micro, id).map((d) => d.label).filter((l) => !/Little/.test(l));
  assert.deepEqual(curves("fma-0-arm-neon-fma"), ["neon fmla 128-bit fp32"]);
  assert.deepEqual(curves("fma-0-arm-neon-dot-product-and-matrix"), ["neon bfmmla 128-bit bf16"]);
  // The x86 and SVE forms of native/src/micro/fma_forms.cc.
  const family = (isa: string, insn: string) => fmaFamily({ params: { isa, insn } } as unknown as OkRecord);
  assert.equal(family("fma", "vfmadd231ps"), "x86 FMA (AVX2)");
  assert.equal(family("avx512", "vfmadd231pd"), "x86 AVX-512");
  assert.equal(family("avx512_bf16", "vdpbf16ps"), family("avx_vnni", "vpdpbusd"));
  assert.equal(family("avx512_vnni", "vpdpbusd"), family("avx_vnni", "vpdpbusd"));
  assert.equal(family("amx_bf16", "tdpbf16ps"), "x86 AMX");
  assert.equal(family("neon", "sdot"), "Arm NEON dot product and matrix");
  assert.equal(family("sve", "fmmla"), "Arm SVE");
});

test("Arm FMLA in fp32 and fp64 (one mnemonic) are two curves, and each row pairs with its own dtype's throughput", () => {
  const results = machineResults("arm-host", 1);
  const form = { isa: "neon", insn: "fmla", bits: 128, dtype: "fp64", chain: "acc" };
  for (const k of [1, 2, 4, 8]) results.records.push(ok("micro", "micro.fma.chains", "armbench", { ...form, k }, "cycles/instr", Math.max(4 / k, 1)));
  results.records.push(ok("micro", "micro.fma.latency", "armbench", form, "cycles", 4));
  results.records.push(ok("micro", "micro.fma.throughput", "armbench", form, "instr/cycle", 1));
  const micro = section(buildSections(groupMachines([{ file: "a.json", results }])), "micro");
  const curves = datasets(micro, "fma-0-arm-neon-fma").map((d) => d.label).filter((l) => !/Little/.test(l));
  assert.deepEqual(curves.sort(), ["neon fmla 128-bit fp32", "neon fmla 128-bit fp64"]);
  const fma = table(micro, /FMA latency/);
  const fp64 = fma.rows.find((r) => r[2] === "fp64")!;
  const fp32 = fma.rows.find((r) => r[2] === "fp32")!;
  assert.notEqual(text(fp64[5]!), text(fp32[5]!), "fp64's throughput is fp64's own record");
});

test("the GEMM size chart draws one line per peer variant, whatever field names the variant", () => {
  for (const field of ["run", "peerEnv"]) {
    const results = machineResults("arm-host", 1);
    for (const r of results.records) {
      if (r.params.run === undefined) continue;
      r.params[field] = r.params.run;
      if (field !== "run") delete r.params.run;
    }
    const gemm = section(buildSections(groupMachines([{ file: "a.json", results }])), "gemm");
    const lines = datasets(gemm, "gemm-size-fp32").filter((d) => /openblas/.test(d.label));
    assert.deepEqual(lines.map((d) => d.label), ["arm-host openblas (Haswell, as-detected)", "arm-host openblas (SkylakeX, forced)"], field);
    for (const d of lines) {
      // One point per size: a line that joined two variants would hold each size twice.
      assert.deepEqual(d.data.map((p) => p.x), [64, 256, 1024], `${field}: ${d.label}`);
    }
    const detected = lines[0]!.data.map((p) => p.y);
    const forced = lines[1]!.data.map((p) => p.y);
    assert.ok(detected.every((y, i) => y < forced[i]!), "the forced variant ran at 0.7 of the peak, the detected one at 0.5");
  }
});

test("every cache size the report names carries its source, both sizes where sources disagree", () => {
  const sections = buildSections(groupMachines([{ file: "a.json", results: machineResults("arm-host", 1) }]));
  const systems = table(section(sections, "systems"), /machines measured/);
  const row = (name: string) => systems.rows.find((r) => r[0] === name)?.[1];
  assert.equal(row("L1d cache"), "64 KiB (sysfs)");
  assert.equal(row("L2 cache"), "1 MiB (cpuid)");
  assert.equal(row("L3 cache"), "256 MiB (sysfs; cpuid: 32 MiB), shared by 2 CPUs. Note: the hypervisor reports the whole package's L3 as one level");
  assert.equal(systems.rows.some((r) => r[0] === "Caches"), false);

  const micro = section(sections, "micro");
  const levels = table(micro, /Detected cache levels/);
  assert.equal(levels.head[4], "reported size (source)");
  assert.deepEqual(levels.rows.map((r) => text(r[4]!)), ["64 KiB (sysfs)", "64 KiB (sysfs)"]);
  // A level's own size is the one its edge was set beside; a file from before sources were recorded used sysfs.
  const mixed = machineResults("arm-host", 1);
  const [huge, small] = mixed.records.filter((r) => r.name === "micro.mem.level");
  huge!.params = { level: "L1", bytes: 65536, cacheBytes: 49152, cacheSource: "documented", page: "huge" };
  small!.params = { level: "L1", bytes: 65536, sysfsBytes: 65536, page: "4k" };
  const mixedLevels = table(section(buildSections(groupMachines([{ file: "m.json", results: mixed }])), "micro"), /Detected cache levels/);
  assert.deepEqual(mixedLevels.rows.map((r) => text(r[4]!)), ["48 KiB (documented)", "64 KiB (sysfs)"]);
  const latency = datasets(micro, "mem-latency").map((d) => d.label);
  assert.ok(latency.includes("arm-host L1 edge measured at 64 KiB; the machine reports 64 KiB (sysfs)"), latency.join(" | "));
  assert.ok(latency.includes("arm-host L3 size 256 MiB (sysfs; cpuid: 32 MiB)"), latency.join(" | "));

  const bw = table(micro, /Bandwidth per memory level/);
  const reads = bw.rows.filter((r) => r[1] === "read" && text(r[4]!) === "2");
  assert.deepEqual(reads.map((r) => [r[2], text(r[3]!), text(r[5]!)]), [["L1", "64 KiB (sysfs)", "1"], ["L2", "1 MiB (cpuid)", "1"], ["L3", "256 MiB (sysfs; cpuid: 32 MiB)", "0"], ["DRAM", "-", "1"]]);
  // The fixture's L3 has no working set: its figure is missing, not borrowed from a neighbour.
  assert.equal(text(reads[2]![6]!), "missing");
});

test("the roofline draws a DRAM roof only from working sets labelled DRAM", () => {
  const results = machineResults("arm-host", 1);
  const roofline = (r: typeof results) => section(buildSections(groupMachines([{ file: "a.json", results: r }])), "roofline");
  const withDram = roofline(results);
  // The fixture's one DRAM working set read with both threads, not its faster L1 or L2 ones.
  const dram = results.records.filter((r): r is OkRecord => r.status === "ok" && r.name === "micro.bandwidth" && r.derived?.level === "DRAM" && r.params.threads === 2);
  assert.equal(dram.length, 1);
  const fp32 = datasets(withDram, "roofline-0").find((d) => d.label.startsWith("fp32 roof"))!;
  assert.equal(fp32.label, `fp32 roof (80 GFLOP/s, ${dram[0]!.median.toFixed(1)} GB/s)`);
  const ridge = fp32.data[1]!;
  assert.ok(Math.abs(ridge.x - ridge.y / dram[0]!.median) < 1e-9, "the ridge sits at peak / DRAM bandwidth");
  assert.ok(!withDram.blocks.some((b) => b.kind === "note" && /No DRAM roof/.test(b.text)));

  // The same machine whose largest working sets fell short of DRAM: its cache figures must not stand in.
  for (const r of results.records) if (r.status === "ok" && r.derived?.level === "DRAM") r.derived.level = "-";
  const without = roofline(results);
  const roofs = datasets(without, "roofline-0").filter((d) => /peak|roof/.test(d.label));
  assert.ok(roofs.length >= 2);
  for (const d of roofs) {
    assert.ok(d.data.every((p) => p.y === d.data[0]!.y), `${d.label} has a slope`);
    assert.doesNotMatch(d.label, /GB\/s/);
  }
  const notes = without.blocks.filter((b): b is NoteBlock => b.kind === "note" && /No DRAM roof/.test(b.text));
  assert.deepEqual(notes.map((n) => n.text), ["No DRAM roof for arm-host: none of its read-bandwidth working sets was large enough to count as DRAM, so only the compute peaks are drawn."]);
  const chartAt = without.blocks.findIndex((b) => b.kind === "chart");
  assert.equal(without.blocks[chartAt + 1], notes[0], "the note sits under the chart");
  const roofTable = table(without, /Roofs/);
  assert.ok(roofTable.rows.every((r) => text(r[3]!) === "no DRAM figure" && text(r[4]!) === "-"));
});

test("cache notes and failure reasons from a results file stay text in the page", () => {
  const dir = tempDir();
  const results = machineResults("arm-host", 1);
  const hostile = `<img src=x onerror=alert("cache")>`;
  results.env.caches[2]!.note = hostile;
  results.env.caches[2]!.disagrees = [{ source: "cpuid", sizeBytes: 1 << 25, note: hostile }];
  results.records.push(unavailableRecord({ suite: "gemm", name: "gemm", impl: "blis", params: { run: hostile }, unit: "GFLOP/s" }, hostile));
  const out = path.join(dir, "r.html");
  writeReport({ files: [writeResults(dir, "a.json", results)], output: out });
  const html = readFileSync(out, "utf8");
  assert.ok(!html.includes(hostile));
  assert.ok(html.includes(escapeHtml(hostile)));
});
