/**
 * npm run mca: the Arm microkernels' inner loops on paper. Cross-compiles every native
 * file that marks a region (ARMBENCH_MCA_BEGIN, native/src/runtime/mca_region.h) with the
 * flags CMake gives it for aarch64, cuts each region's inner loop out of the assembly,
 * and runs llvm-mca 19 on it for every modelled core that has the file's extensions.
 *
 *   npm run mca                        the table
 *   npm run mca -- --json FILE         the same as a results file (records mca.kernel)
 *   npm run mca -- --check             exit 1 naming each kernel/core below 90 % of pipe peak
 *   npm run mca -- --kernel depthwise --cpu neoverse-v1   only those (substring matches)
 *
 * Exit 2 when llvm-mca 19 or the aarch64 cross compiler is missing: the caller decides.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { kernelLoop, asmRegions } from "../src/mca/asm.js";
import { parseMcaReport } from "../src/mca/parse.js";
import { MCA_CORES, MCA_MIN_PCT, coreGated, coreRuns, predict, requiredFeatures } from "../src/mca/peak.js";
import { MCA_FALLBACKS, belowFloor, fallbackOf, floorApplies, floorBasis, floorPct, floorStatus, mcaRecord, type McaRow } from "../src/mca/records.js";
import { netTiles } from "../src/mca/tiles.js";
import { ConvSuite, loadSuite } from "../src/suites.js";
import { loadNative, packageRoot } from "../src/native.js";
import { ResultsWriter } from "../src/results/write.js";
import { measureEnv } from "../src/sysinfo/collect.js";
import { num, renderTable } from "../src/table.js";

const run = promisify(execFile);

/** Iteration counts of the two runs whose difference is the steady state. */
const SHORT_ITERATIONS = 100;
const LONG_ITERATIONS = 300;

interface Args {
  json: string | null;
  check: boolean;
  kernel: string | null;
  cpu: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: null, check: false, kernel: null, cpu: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) fail(`${arg} needs a value.`, 1);
      return v;
    };
    if (arg === "--json") a.json = value();
    else if (arg === "--check") a.check = true;
    else if (arg === "--kernel") a.kernel = value();
    else if (arg === "--cpu") a.cpu = value();
    else fail(`unknown argument ${arg} (known: --json FILE, --check, --kernel TEXT, --cpu TEXT).`, 1);
  }
  return a;
}

function fail(message: string, code: number): never {
  console.error(`mca: ${message}`);
  process.exit(code);
}

/** llvm-mca of LLVM 19 or later: ARMBENCH_LLVM_MCA, llvm-mca-19 on PATH, or Debian's llvm-19 directory. */
function findLlvmMca(): { bin: string; version: string } | null {
  const candidates = [process.env.ARMBENCH_LLVM_MCA, "llvm-mca-19", "/usr/lib/llvm-19/bin/llvm-mca"].filter((c): c is string => !!c);
  for (const bin of candidates) {
    try {
      const out = execFileSync(bin, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const m = /LLVM version (\d+)\.(\d+)\.(\d+)/.exec(out);
      if (m && Number(m[1]) >= 19) return { bin, version: `${m[1]}.${m[2]}.${m[3]}` };
    } catch {
      // not this one
    }
  }
  return null;
}

/** A compile_commands.json command line as arguments (CMake quotes paths with spaces). */
function splitCommand(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!);
  return out;
}

interface KernelFile {
  file: string;
  args: string[];
  directory: string;
}

/** Configures a cross build that only exports its compile commands, and returns those of marked files. */
function markedFiles(buildDir: string): KernelFile[] {
  const toolchain = path.join(packageRoot, "native", "cmake", "aarch64-linux-gnu.cmake");
  try {
    execFileSync(
      "cmake",
      ["-S", path.join(packageRoot, "native"), "-B", buildDir, `-DCMAKE_TOOLCHAIN_FILE=${toolchain}`,
        "-DARMBENCH_BUILD_ADDON=OFF", "-DARMBENCH_BUILD_TESTS=OFF", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } catch (err) {
    fail(`cmake could not configure the aarch64 cross build in ${buildDir}: ${String((err as { stderr?: Buffer }).stderr ?? err).trim().split("\n")[0]}`, 1);
  }
  const db = JSON.parse(readFileSync(path.join(buildDir, "compile_commands.json"), "utf8")) as { file: string; command?: string; arguments?: string[]; directory: string }[];
  return db
    .filter((e) => e.file.endsWith(".cc") && existsSync(e.file) && readFileSync(e.file, "utf8").includes("ARMBENCH_MCA_BEGIN("))
    .map((e) => ({ file: e.file, args: e.arguments ?? splitCommand(e.command ?? ""), directory: e.directory }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** The file's own compile command, with the markers on and assembly out instead of an object. */
async function compileToAsm(k: KernelFile, asmDir: string): Promise<string> {
  const out = path.join(asmDir, `${path.basename(k.file, ".cc")}.s`);
  const args: string[] = [];
  for (let i = 1; i < k.args.length; i++) {
    const a = k.args[i]!;
    if (a === "-o" || a === "-c") {
      i++;
      continue;
    }
    args.push(a);
  }
  await run(k.args[0]!, [...args, "-DARMBENCH_MCA_REGIONS", "-S", "-o", out, "-c", k.file], { cwd: k.directory });
  const text = readFileSync(out, "utf8");
  if (!ASSEMBLER_MACROS.test(text)) return text;
  // A kernel written as one inline-assembly loop with assembler macros (.irp, .macro,
  // .req): LLVM's own assembler expands them, keeping the region comments, so the loop
  // is cut and counted from the instructions the assembler emits.
  const expanded = path.join(asmDir, `${path.basename(k.file, ".cc")}.expanded.s`);
  const features = requiredFeatures(k.args).map((f) => `+${f}`);
  await run(llvmMc, ["-triple=aarch64-linux-gnu", ...(features.length ? [`-mattr=${features.join(",")}`] : []), "-preserve-comments", out, "-o", expanded]);
  return readFileSync(expanded, "utf8");
}

const ASSEMBLER_MACROS = /^\s*\.(?:irp|rept|macro)\b/m;
/** llvm-mc beside the llvm-mca found (set by main). */
let llvmMc = "llvm-mc-19";

async function mca(bin: string, cpu: string, asm: string, iterations: number, views: boolean): Promise<string> {
  const args = [`-mtriple=aarch64-linux-gnu`, `-mcpu=${cpu}`, `-iterations=${iterations}`, ...(views ? ["-bottleneck-analysis"] : [])];
  const child = execFile(bin, args, { maxBuffer: 64 << 20 });
  const done = new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`llvm-mca -mcpu=${cpu} failed: ${err.trim().split("\n").slice(0, 3).join(" ")}`))));
    child.on("error", reject);
  });
  child.stdin!.end(asm);
  return done;
}

/** Runs the jobs with at most `width` at a time, keeping their order. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const llvm = findLlvmMca();
  if (!llvm) fail("llvm-mca 19 was not found (Debian: apt-get install llvm-19, or set ARMBENCH_LLVM_MCA).", 2);
  llvmMc = path.join(path.dirname(llvm.bin), path.basename(llvm.bin).replace("llvm-mca", "llvm-mc"));
  if (!llvm.bin.includes("/")) llvmMc = llvm.bin.replace("llvm-mca", "llvm-mc");
  try {
    execFileSync("aarch64-linux-gnu-g++", ["--version"], { stdio: "ignore" });
  } catch {
    fail("the aarch64 cross compiler aarch64-linux-gnu-g++ was not found (Debian: apt-get install g++-aarch64-linux-gnu).", 2);
  }

  const buildDir = path.join(packageRoot, "build", "mca");
  const asmDir = path.join(buildDir, "asm");
  mkdirSync(asmDir, { recursive: true });
  const width = Math.max(1, os.availableParallelism());
  const files = markedFiles(buildDir);
  if (files.length === 0) fail("no native file marks a region (ARMBENCH_MCA_BEGIN).", 1);
  const asms = await pool(files.map((f) => () => compileToAsm(f, asmDir)), width);

  interface Job {
    kernel: string;
    cpu: string;
    source: string;
    march: string;
    loop: string;
  }
  const jobs: Job[] = [];
  const skipped = new Map<string, string[]>();
  const seen = new Set<string>();
  files.forEach((f, i) => {
    const required = requiredFeatures(f.args);
    const march = f.args.filter((a) => a.startsWith("-march=")).pop() ?? "(baseline)";
    for (const region of asmRegions(asms[i]!)) {
      if (seen.has(region.name)) continue; // a template copy GCC emitted twice is the same loop
      seen.add(region.name);
      if (args.kernel && !region.name.includes(args.kernel)) continue;
      const loop = kernelLoop(region);
      const input = `${loop.lines.join("\n")}\n`;
      writeFileSync(path.join(asmDir, `${region.name}.s`), input);
      for (const core of MCA_CORES) {
        if (args.cpu && !core.cpu.includes(args.cpu)) continue;
        if (!coreRuns(core, required)) {
          skipped.set(core.cpu, [...(skipped.get(core.cpu) ?? []), region.name]);
          continue;
        }
        jobs.push({ kernel: region.name, cpu: core.cpu, source: path.relative(packageRoot, f.file), march, loop: input });
      }
    }
  });
  if (jobs.length === 0) fail("no kernel and core matched.", 1);

  const rows: McaRow[] = await pool(
    jobs.map((j) => async () => {
      const [short, long] = await Promise.all([mca(llvm.bin, j.cpu, j.loop, SHORT_ITERATIONS, false), mca(llvm.bin, j.cpu, j.loop, LONG_ITERATIONS, true)]);
      return { kernel: j.kernel, cpu: j.cpu, source: j.source, march: j.march, prediction: predict(parseMcaReport(short), parseMcaReport(long)) };
    }),
    width,
  );

  const order = new Map(MCA_CORES.map((c, i) => [c.cpu, i]));
  rows.sort((a, b) => a.kernel.localeCompare(b.kernel, "en", { numeric: true }) || order.get(a.cpu)! - order.get(b.cpu)!);
  const kernels = [...new Set(rows.map((r) => r.kernel))];
  // The tiles the built-in nets' layers (suites/conv.json as shipped) run on full rows.
  const nets = netTiles(loadSuite("conv", ConvSuite, false, path.join(packageRoot, "suites", "conv.json")).nets);
  const main = new Set(nets.keys());
  const floors = rows.map((r) => floorStatus(r, kernels, main));
  const table = rows.map((r, i) => {
    const p = r.prediction;
    const loads = floorBasis(r.kernel) === "load bound" ? ` (${num(floorPct(r.kernel, p), 0)}% of loads' bound)` : "";
    return [r.kernel, r.cpu, num(p.instrPerIter, 0), num(p.fmaPerIter, 0), num(p.cyclesPerIter, 2), num(p.peakCyclesPerIter, 2),
      num(p.pctOfPeak, 1), `${floors[i]}${loads}`, p.bottleneck, p.busiest];
  });
  console.log(`llvm-mca ${llvm.version} (${llvm.bin}), steady state of each kernel's inner loop; pipe peak from llvm-mca's model (each FMA-class instruction's reciprocal throughput).`);
  console.log(renderTable(["kernel", "cpu", "instr/iter", "FMA/iter", "cycles/iter", "peak cycles", "% peak", `>= ${MCA_MIN_PCT}%`, "bottleneck (llvm-mca)", "busiest unit (cycles/iter)"], table, { right: [2, 3, 4, 5, 6] }));
  console.log(`checked tiles: each family's widest, and every tile a full row of a built-in net's layer runs (suites/conv.json; src/mca/tiles.ts mirrors the NEON dispatch): ${[...nets].map(([k, layer]) => `${k} (${layer})`).join(", ")}.`);
  console.log(`rem: a tile only the pixels or rows left over after whole tiles and row groups run, printed and not checked: its T pixels are its only independent accumulator chains.`);
  for (const f of MCA_FALLBACKS) {
    if (kernels.some((k) => fallbackOf(k) === f.why)) {
      console.log(`fallback: ${f.family}.* (${f.why}; no layer of a built-in net runs it) is checked against the larger of its FMA peak and the cycles its loads take, not the pipe peak alone: where a core loads fewer vectors a cycle than it multiply-adds (V1, V2), a loop with one load per multiply-add cannot reach the pipe peak.`);
    }
  }
  for (const core of MCA_CORES) {
    if (core.informational) console.log(`info: ${core.cpu} is printed, not checked: ${core.informational}.`);
  }
  for (const [cpu, names] of skipped) console.log(`not on ${cpu} (lacks the file's extensions): ${names.join(", ")}`);

  if (args.json) {
    const native = loadNative();
    const { env } = await measureEnv(native, true);
    const writer = new ResultsWriter(args.json, env);
    writer.addAll(rows.map((r, i) => mcaRecord(r, `llvm-mca ${llvm.version}`, floors[i]!)));
    console.log(`results: ${args.json}`);
  }
  if (args.check) {
    // A tile the mirror of the dispatch names but no compiled region has: the mirror is stale.
    const missing = [...nets.keys()].filter((k) => !kernels.includes(k) && !(args.kernel || args.cpu));
    if (missing.length > 0) {
      console.error(`mca check: src/mca/tiles.ts says built-in layers run ${missing.join(", ")}, which no marked region defines; update it with the dispatch.`);
      return 1;
    }
    const low = belowFloor(rows, MCA_MIN_PCT, main);
    if (low.length > 0) {
      console.error(`mca check (gated cores: ${MCA_CORES.filter((c) => coreGated(c.cpu)).map((c) => c.cpu).join(", ")}): ${low.length} kernel/core pairs predict below ${MCA_MIN_PCT}% of pipe peak:\n${low.map((l) => `  ${l}`).join("\n")}`);
      return 1;
    }
    const gated = rows.filter((r) => coreGated(r.cpu) && floorApplies(r.kernel, kernels, main)).length;
    console.log(`mca check: every checked kernel/core pair of ${gated} on ${MCA_CORES.filter((c) => coreGated(c.cpu)).map((c) => c.cpu).join(", ")} predicts at least ${MCA_MIN_PCT}% of pipe peak (fallbacks: of the bound their loads set; rem tiles and informational cores printed, not checked).`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => fail((err as Error).message, 1),
);
