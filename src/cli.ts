/** The armbench command line: yargs declares every subcommand and the global options. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Argv } from "yargs";

import { runInfo } from "./commands/info.js";
import { MICRO_PARTS, runMicro } from "./commands/micro.js";
import { PEER_NAMES, runGemm } from "./commands/gemm.js";
import { runConv } from "./commands/conv.js";
import { runModel } from "./commands/model.js";
import { runCompare } from "./commands/compare.js";
import { runReport } from "./commands/report.js";
import { runRun } from "./commands/run.js";
import { runFleet, runFleetInit, runFleetReport } from "./commands/fleet.js";
import { UserError } from "./errors.js";
import { packageRoot } from "./native.js";
import type { GlobalOptions } from "./output.js";

// yargs' ESM entry renders help through cliui's ESM build, whose wrap cuts lines every N
// characters ("the fastes t picked", yargs issue 2112); the CommonJS entry wraps on word
// boundaries (wrap-ansi).
const requireHere = createRequire(import.meta.url);
const yargsPath = requireHere.resolve("yargs/yargs");
const yargs = requireHere(yargsPath) as typeof import("yargs/yargs");

interface CliuiLine {
  text: string;
  span?: boolean;
}
// cliui puts an option's "[string] [default: ...]" on the line of its description when it
// fits, but when the description ends exactly where the right-aligned types begin it joins
// them with no space ("(see --list)[string]", cliui issue 88). Such a line keeps its types
// on the next line instead, as when they do not fit.
const cliuiProto = Object.getPrototypeOf(createRequire(yargsPath)("cliui")({})) as {
  renderInline?: (source: string, previousLine: CliuiLine) => string;
};
const renderInline = cliuiProto.renderInline;
if (typeof renderInline === "function") {
  cliuiProto.renderInline = function (this: unknown, source: string, previousLine: CliuiLine): string {
    const indent = /^ */.exec(source)![0].length;
    if (previousLine.span && indent > 0 && indent === previousLine.text.trimEnd().length) return source;
    return renderInline.call(this, source, previousLine);
  };
}

const version = (JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;

function globalOptions(argv: Record<string, unknown>): GlobalOptions {
  const threads = argv.threads as number | undefined;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 4096)) {
    throw new UserError(`--threads must be a whole number from 1 to 4096, got ${JSON.stringify(argv.threads)}.`);
  }
  return {
    out: argv.out as string | undefined,
    json: argv.json as string | undefined,
    threads,
    quick: Boolean(argv.quick),
    quiet: Boolean(argv.quiet),
  };
}

/** The terminal's width; through a pipe, an exported COLUMNS as ls and man honour it, else 100. */
function helpWidth(): number {
  if (process.stdout.columns) return process.stdout.columns;
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : 100;
}

function buildParser(args: string[]): Argv {
  let parser = yargs(args)
    .scriptName("armbench")
    .usage(
      "armbench: CPU AI-inference benchmarks and microarchitecture probes for Arm servers and x86.\n\n" +
        "Usage: $0 <command> [options]",
    )
    .option("out", { type: "string", describe: "folder for results files (suites default to results/)", global: true })
    .option("json", {
      type: "string",
      describe: "write the results as JSON to FILE, or to stdout when given no FILE (or -)",
      global: true,
    })
    .option("threads", { type: "number", describe: "worker threads for suites that run in parallel (default: one per core)", global: true })
    .option("quick", { type: "boolean", default: false, describe: "fewer sizes and samples: a fast look, not a final figure", global: true })
    .option("quiet", { type: "boolean", default: false, describe: "no progress or notes on stderr", global: true })
    .option("debug", { type: "boolean", default: false, describe: "on an internal error, print its stack trace too", global: true })
    .command(
      "info",
      "the machine: CPU, core type, ISA features, caches, clock, noise warnings",
      (y) => y.example("$0 info --json", "the same facts as JSON (the env block of every results file)"),
      async (argv) => {
        process.exitCode = await runInfo(globalOptions(argv));
      },
    )
    .command(
      "micro [parts..]",
      "FMA latency and throughput, Little's law, peak FLOPS, cache/TLB latency, bandwidth",
      (y) =>
        y
          .positional("parts", { describe: `which probes to run (default: all): ${MICRO_PARTS.join(", ")}`, type: "string", array: true })
          .option("clock-ghz", { type: "number", describe: "the core clock to turn ns into cycles, instead of the add-chain estimate" })
          .option("suite", { type: "string", describe: "a suite file to use instead of suites/micro.json (sizes, samples, kernels)" })
          .example("$0 micro --quick", "every probe, fast (under a minute on a small machine)")
          .example("$0 micro fma", "only the FMA latency and throughput table and the peaks")
          .example("$0 micro latency tlb --json out.json", "memory latency and TLB reach, results to out.json"),
      async (argv) => {
        process.exitCode = await runMicro({
          ...globalOptions(argv),
          parts: (argv.parts as string[] | undefined) ?? [],
          clockGhz: argv["clock-ghz"] as number | undefined,
          suiteFile: argv.suite as string | undefined,
        });
      },
    );
  parser = parser.command(
    "gemm",
    "our sgemm, sbgemm and int8 GEMM against the installed BLAS libraries (OpenBLAS, BLIS, oneDNN), % of measured peak",
    (y) =>
      y
        .option("dtype", {
          type: "string",
          default: "fp32",
          describe:
            "fp32 (sgemm), bf16 (sbgemm: bf16 inputs, fp32 accumulation), int8 (8-bit A and B, exact int32 sums, GOP/s; A is uint8 where the CPU's dot product takes it (VPDPBUSD, AMX), else int8) or all",
        })
        .option("sizes", { type: "string", describe: "square sizes, comma-separated (e.g. 256,1024,2048); alone, only these" })
        .option("shape-set", { type: "string", array: true, describe: "square, resnet50, bert, deepbench or all (default: the suite's list)" })
        .option("peers", { type: "string", describe: `peer libraries to run beside ours: ${PEER_NAMES.join(",")} (default: all); --no-peers for none` })
        .option("peer-path", { type: "string", array: true, describe: "NAME=PATH: load a peer from this file instead of its usual soname" })
        .option("warm", { type: "boolean", default: false, describe: "keep operands cached between repetitions (default: cold, rotated through copies larger than the LLC)" })
        .option("suite", { type: "string", describe: "a suite file to use instead of suites/gemm.json" })
        .option("peaks", { type: "string", array: true, describe: "take the measured peak per dtype and thread count from these results files of this machine and build (e.g. armbench micro's) instead of measuring it" })
        .option("tune", { type: "boolean", default: true, describe: "choose our kernel and blocking per dtype and thread count by timing a few candidates on first use, cached; --no-tune (or ARMBENCH_TUNE=off): the kernel's defaults from the cache sizes" })
        .option("kernel", { type: "string", describe: "run this kernel of ours for its dtype (e.g. f32_avx2_6x16), untuned" })
        .option("blocking", { type: "string", describe: "MC,KC,NC: this blocking for our kernels instead of a tuned or default one" })
        .option("tune-cache", { type: "string", describe: "the GEMM tuning cache file", defaultDescription: "~/.cache/armbench/gemm-tune.json" })
        .example("$0 gemm --dtype bf16", "sbgemm: ours and every peer with bf16 support")
        .example("$0 gemm --dtype int8 --shape-set bert", "int8 GEMM on BERT's shapes, ours against oneDNN's int8 matmul")
        .example("$0 gemm --sizes 1024,2048 --threads 1 --no-peers", "our sgemm only, two sizes, one thread"),
    async (argv) => {
      process.exitCode = await runGemm({
        ...globalOptions(argv),
        dtype: argv.dtype as string,
        sizes: argv.sizes as string | undefined,
        shapeSet: argv["shape-set"] as string[] | undefined,
        peers: argv.peers as string | false | undefined,
        peerPath: argv["peer-path"] as string[] | undefined,
        warm: Boolean(argv.warm),
        suiteFile: argv.suite as string | undefined,
        peaks: argv.peaks as string[] | undefined,
        noTune: argv.tune === false,
        kernel: argv.kernel as string | undefined,
        blocking: argv.blocking as string | undefined,
        tuneCache: argv["tune-cache"] as string | undefined,
      });
    },
  );
  parser = parser.command(
    "conv",
    "convolution algorithms per layer of a network, each checked, the fastest picked",
    (y) =>
      y
        .option("net", { type: "string", default: "resnet50", describe: "resnet50, alexnet, vgg16 or mobilenetv2 (every distinct layer)" })
        .option("algo", { type: "string", describe: "algorithms to run, comma-separated (default: every one that supports the layer)" })
        .option("dtype", { type: "string", default: "fp32", describe: "fp32, bf16 (bf16 inputs, fp32 accumulation) or all" })
        .option("batch", { type: "number", describe: "one batch size instead of the suite's (1 and 8)" })
        .option("suite", { type: "string", describe: "a suite file to use instead of suites/conv.json" })
        .option("peaks", { type: "string", array: true, describe: "take the measured peak per dtype and thread count from these results files of this machine and build (e.g. armbench micro's) instead of measuring it" })
        .option("fast-run", {
          type: "boolean",
          default: false,
          describe: "keep each layer's fastest algorithm in a cache on disk; later runs time only the cached choice",
        })
        .option("cache", { type: "string", describe: "the fast-run cache file", defaultDescription: "~/.cache/armbench/conv-fast-run.json" })
        .example("$0 conv --net resnet50 --quick", "every ResNet-50 layer, batch 1")
        .example("$0 conv --net resnet50 --fast-run", "time every algorithm once and cache the winners")
        .example("$0 conv --net mobilenetv2 --algo depthwise,im2col", "two algorithms on MobileNet-v2"),
    async (argv) => {
      process.exitCode = await runConv({
        ...globalOptions(argv),
        net: argv.net as string,
        algo: argv.algo as string | undefined,
        dtype: argv.dtype as string,
        batch: argv.batch as number | undefined,
        suiteFile: argv.suite as string | undefined,
        fastRun: Boolean(argv["fast-run"]),
        cacheFile: argv.cache as string | undefined,
        peaks: argv.peaks as string[] | undefined,
      });
    },
  );
  parser = parser.command(
    "model [name]",
    "whole-model inference: our engine against onnxruntime on the same graph, latency, throughput, % of peak",
    (y) =>
      y
        .positional("name", { type: "string", describe: "a built-in model: resnet50, resnet18, alexnet, vgg16, mobilenetv2, bert-base, bert-large, distilbert (see --list)" })
        .option("list", { type: "boolean", default: false, describe: "list the built-in models with their size and MACs" })
        .option("onnx", { type: "string", describe: "run this ONNX file (opset 1+, supported ops only) instead of a built-in model" })
        .option("fpmath", { type: "string", default: "fp32", describe: "fp32, or bf16: weights rounded once, activations at conv/GEMM inputs, fp32 accumulation" })
        .option("quantize", { type: "string", describe: "dynamic: int8 weights per output column and activations quantized on every call for every MatMul and Gemm (as onnxruntime's quantize_dynamic), both engines on that graph, accuracy against our fp32 over 64 seeded inputs" })
        .option("layout", { type: "string", default: "nchwc", describe: "nchwc: direct-nchwc convs chain on channel-blocked tensors (reorders only at layout changes); nchw: every tensor NCHW" })
        .option("batch", { type: "number", describe: "one batch size instead of the suite's (1 and 8)" })
        .option("input-size", { type: "number", describe: "square input height and width of a built-in image model (default 224)" })
        .option("seq", { type: "number", describe: "tokens per sequence of a built-in transformer (bert-base, bert-large, distilbert; default 128)" })
        .option("iterations", { type: "number", describe: "timed inferences per case (default 20; 5 with --quick)" })
        .option("warmup", { type: "number", describe: "untimed inferences before timing (default 3)" })
        .option("profile", { type: "boolean", default: false, describe: "time every node: per-op and per-op-type shares, top layers first" })
        .option("save", { type: "string", describe: "save the model as ONNX to FILE (any engine can run the very same graph)" })
        .option("peers", { type: "boolean", default: true, describe: "run onnxruntime on the same graph beside ours (--no-peers: ours only)" })
        .option("test-data", { type: "string", describe: "run the test_data_set_N folders of DIR (input_K.pb / output_K.pb) and compare" })
        .option("rtol", { type: "number", default: 1e-3, describe: "relative tolerance for --test-data" })
        .option("atol", { type: "number", default: 1e-5, describe: "absolute tolerance for --test-data" })
        .option("tune", {
          type: "boolean",
          default: true,
          describe: "choose each conv's algorithm per graph and thread count by timing them on first use (each alone, then whole programs raced), and the GEMM kernel and blocking per dtype and thread count as armbench gemm does, both cached; --no-tune (or ARMBENCH_TUNE=off): the default rules and each GEMM kernel's defaults",
        })
        .option("tune-cache", { type: "string", describe: "the model tuning cache file", defaultDescription: "~/.cache/armbench/model-tune.json" })
        .option("cache", { type: "string", describe: "take each conv's algorithm from this conv fast-run cache (armbench conv --fast-run's winners alone) instead of tuning" })
        .option("suite", { type: "string", describe: "a suite file to use instead of suites/model.json" })
        .option("peaks", { type: "string", array: true, describe: "take the measured peak per dtype and thread count from these results files of this machine and build (e.g. armbench micro's) instead of measuring it" })
        .example("$0 model resnet50", "fp32, batch 1 and 8, 1 thread and every core, against onnxruntime")
        .example("$0 model resnet50 --fpmath bf16 --profile", "bf16 fast-math with a per-op profile")
        .example("$0 model --onnx model.onnx --test-data model/", "check an ONNX model against its test data sets")
        .example("$0 model resnet18 --save resnet18.onnx --quick", "save the graph as ONNX, then a quick run"),
    async (argv) => {
      process.exitCode = await runModel({
        ...globalOptions(argv),
        name: argv.name as string | undefined,
        list: Boolean(argv.list),
        onnx: argv.onnx as string | undefined,
        fpmath: argv.fpmath as string,
        quantize: argv.quantize as string | undefined,
        layout: argv.layout as string,
        batch: argv.batch as number | undefined,
        inputSize: argv["input-size"] as number | undefined,
        seq: argv.seq as number | undefined,
        iterations: argv.iterations as number | undefined,
        warmup: argv.warmup as number | undefined,
        profile: Boolean(argv.profile),
        save: argv.save as string | undefined,
        peers: argv.peers !== false,
        testData: argv["test-data"] as string | undefined,
        rtol: argv.rtol as number,
        atol: argv.atol as number,
        cacheFile: argv.cache as string | undefined,
        noTune: argv.tune === false,
        tuneCache: argv["tune-cache"] as string | undefined,
        suiteFile: argv.suite as string | undefined,
        peaks: argv.peaks as string[] | undefined,
      });
    },
  );
  parser = parser.command(
    "run",
    "the default suite (info, micro, gemm, conv, model; quick unless --full) into one results file, then the HTML report",
    (y) =>
      y
        .option("full", { type: "boolean", default: false, describe: "every suite at full length instead of the quick suite" })
        .option("report", { type: "string", describe: "the HTML report (default reports/out/<results file name>.html)" })
        .option("suite", { type: "string", describe: "a run suite file (steps and their arguments) instead of suites/run.json" })
        .example("$0 run", "the quick suite (a few minutes), results in results/, report in reports/out/")
        .example("$0 run --full --out results/graviton", "the long version")
        .example("$0 run --suite my-run.json", "your own steps (same shape as suites/run.json)"),
    async (argv) => {
      process.exitCode = await runRun({
        ...globalOptions(argv),
        full: Boolean(argv.full),
        report: argv.report as string | undefined,
        suiteFile: argv.suite as string | undefined,
      });
    },
  );
  parser = parser.command(
    "report [files..]",
    "one self-contained HTML page from results files, machines side by side; PNG charts and a Markdown summary on request",
    (y) =>
      y
        .positional("files", { type: "string", array: true, describe: "results files (one machine's suite files are merged into one column) and fleet folders (each host a column, named as in its inventory)" })
        .option("output", { alias: "o", type: "string", describe: "the HTML file", defaultDescription: "reports/out/report.html" })
        .option("png", { type: "string", describe: "also write every chart as PNG into DIR" })
        .option("md", { type: "string", describe: "also write a Markdown summary (key tables, links to the PNGs) to FILE" })
        .option("price", { type: "string", array: true, describe: "NAME=USD_PER_HOUR for a machine (hostname): adds performance per dollar" })
        .example("$0 report results/*.json -o report.html", "every results file in one page")
        .example("$0 report a.json b.json --price a-host=1.36 --price b-host=1.63 --png charts --md summary.md", "two machines, cost, PNGs and Markdown"),
    async (argv) => {
      process.exitCode = await runReport({
        files: (argv.files as string[] | undefined) ?? [],
        output: argv.output as string | undefined,
        png: argv.png as string | undefined,
        md: argv.md as string | undefined,
        price: argv.price as string[] | undefined,
      });
    },
  );
  parser = parser.command(
    "fleet",
    "many machines through Ansible: run the suite on each host of an inventory, fetch every results file, one report",
    (y) =>
      y
        .command(
          "init",
          "write a commented example inventory (fleet.yml) to start from",
          (c) =>
            c
              .option("output", { alias: "o", type: "string", default: "fleet.yml", describe: "the inventory file to write" })
              .option("force", { type: "boolean", default: false, describe: "replace the file if it exists" }),
          async (argv) => {
            process.exitCode = await runFleetInit(argv.output as string, Boolean(argv.force), Boolean(argv.quiet));
          },
        )
        .command(
          "run",
          "pack this armbench, install it on every host (npm ci), run the suite there, fetch results and logs, write the summary and the report",
          (c) =>
            c
              .option("inventory", { alias: "i", type: "string", describe: "the Ansible inventory (YAML or INI) of the hosts (required)" })
              .option("suite", { type: "string", describe: "quick, full or a run suite file, for every host (default: each host's armbench_suite, else quick)" })
              .option("limit", { alias: "l", type: "string", describe: "an Ansible host pattern: only these hosts or groups (e.g. graviton3,x86)" })
              .option("forks", { type: "number", describe: "hosts at work at once (default: all of them, up to 64)" })
              .option("install-deps", { type: "boolean", default: false, describe: "install a host's missing Node.js, npm, CMake, compiler or make with its package manager (with sudo only on hosts whose inventory allows it)" })
              .option("allow-partial", { type: "boolean", default: false, describe: "exit 0 when some hosts failed but at least one results file came back" })
              .example("$0 fleet run --inventory fleet.yml", "every host, the quick suite, into a new fleet folder under results")
              .example("$0 fleet run -i fleet.yml --limit graviton3 --suite full --out fleets", "one group, the full suite"),
          async (argv) => {
            const g = globalOptions(argv);
            if (typeof argv.inventory !== "string" || argv.inventory === "") {
              throw new UserError("fleet run needs the Ansible inventory: --inventory FILE (`armbench fleet init` writes an example).");
            }
            process.exitCode = await runFleet({
              inventory: argv.inventory,
              threads: g.threads,
              suite: argv.suite as string | undefined,
              limit: argv.limit as string | undefined,
              out: g.out,
              forks: argv.forks as number | undefined,
              installDeps: Boolean(argv["install-deps"]),
              allowPartial: Boolean(argv["allow-partial"]),
              quiet: g.quiet,
              json: g.json,
            });
          },
        )
        .command(
          "report <dir>",
          "rebuild the report of a fleet folder (hosts named and priced from its inventory)",
          (c) =>
            c
              .positional("dir", { type: "string", describe: "a fleet-<UTC time> folder written by armbench fleet run" })
              .option("output", { alias: "o", type: "string", describe: "the HTML file", defaultDescription: "DIR/report.html" })
              .option("price", { type: "string", array: true, describe: "NAME=USD_PER_HOUR: a price over the inventory's for host NAME" }),
          async (argv) => {
            process.exitCode = await runFleetReport(argv.dir as string, argv.output as string | undefined, argv.price as string[] | undefined);
          },
        )
        .demandCommand(1, "name a fleet command: init, run or report; `armbench fleet --help` explains them.")
        .example("$0 fleet init", "write fleet.yml, an example inventory to edit")
        .example("$0 fleet run --inventory fleet.yml", "benchmark every host, fetch, summarise, report")
        .example("$0 fleet report DIR", "rebuild the report of the fleet folder DIR"),
    () => {},
  );
  parser = parser.command(
    "compare [a] [b]",
    "matching records of two results files: both medians, the speedup of B, a Mann-Whitney U test on the samples",
    (y) =>
      y
        .positional("a", { type: "string", describe: "the baseline results file" })
        .positional("b", { type: "string", describe: "the results file to judge against it" })
        .option("threshold", { type: "string", describe: "slowdown that counts as a regression (default 5%)" })
        .option("fail-on-regression", { type: "boolean", default: false, describe: "exit 4 when B is significantly slower by more than the threshold" })
        .example("$0 compare base.json new.json --threshold 5% --fail-on-regression", "a CI gate"),
    async (argv) => {
      process.exitCode = await runCompare({
        a: argv.a as string | undefined,
        b: argv.b as string | undefined,
        threshold: argv.threshold as string | undefined,
        failOnRegression: Boolean(argv["fail-on-regression"]),
      });
    },
  );
  return parser
    .demandCommand(1, "name a command; `armbench --help` lists them.")
    .strict()
    .recommendCommands()
    .version(version)
    .help("help", "show help (-h works too)")
    .wrap(Math.min(110, helpWidth()))
    .epilogue("Results files use schema armbench/1; see README.md for their layout.")
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      const sentence = /[.!?]$/.test(msg) ? msg : `${msg}; \`armbench --help\` lists commands and options.`;
      throw new UserError(sentence);
    });
}

/**
 * -h as --help. Not a yargs alias: an alias makes yargs indent every long option by the
 * width of "-h, ", and in a 40-column terminal "--fail-on-regression" then no longer fits
 * its column and is cut in two.
 */
function longHelpFlag(args: string[]): string[] {
  const end = args.indexOf("--");
  return args.map((arg, i) => (arg === "-h" && (end < 0 || i < end) ? "--help" : arg));
}

/** Exit status of an internal error (EX_SOFTWARE): a bug in armbench, not the user's input. */
export const EXIT_INTERNAL = 70;

/** Whether --debug (or ARMBENCH_DEBUG=1) asks for stack traces: read from the raw arguments, so it works when parsing is what failed. */
function debugWanted(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return args.slice(0, end < 0 ? undefined : end).some((a) => a === "--debug" || a === "--debug=true") || process.env.ARMBENCH_DEBUG === "1";
}

/**
 * One line for a bug: what failed and how to report it; the stack only with --debug, so a
 * user is not handed a trace for armbench's mistake, and a report can still carry one.
 */
export function internalErrorText(err: unknown, debug: boolean): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const what = (e.message.split("\n")[0] ?? "").trim().replace(/\.+$/, "") || e.name;
  const line = `armbench: internal error (${e.name}): ${what}. This is a bug in armbench, not in your input; run again with --debug for the stack trace and report both with \`armbench info --json\`.`;
  return debug && e.stack ? `${line}\n${e.stack}\n` : `${line}\n`;
}

/** Runs the CLI; returns the process exit status. */
export async function main(args: string[]): Promise<number> {
  process.exitCode = 0;
  try {
    await buildParser(longHelpFlag(args)).parseAsync();
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`armbench: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(internalErrorText(err, debugWanted(args)));
    return EXIT_INTERNAL;
  }
}
