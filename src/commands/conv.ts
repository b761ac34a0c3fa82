/** `armbench conv`: convolution algorithms per layer of a network, the fastest picked. */
import { defaultCacheFile, loadCache } from "../conv/cache.js";
import { renderConv } from "../conv/render.js";
import { runConvPlan, type ConvContext, type ConvDtype } from "../conv/run.js";
import { UserError } from "../errors.js";
import { threadCounts } from "../gemm/cases.js";
import { loadNative } from "../native.js";
import { finishOutput, openWriter, resolveDestination, type GlobalOptions } from "../output.js";
import { openPeakBook } from "../micro/peak-book.js";
import { createProgress } from "../progress.js";
import type { ResultRecord } from "../results/schema.js";
import { ConvSuite, loadSuite } from "../suites.js";
import { measureEnv } from "../sysinfo/collect.js";

export interface ConvOptions extends GlobalOptions {
  net: string;
  algo?: string | undefined;
  dtype: string;
  batch?: number | undefined;
  suiteFile?: string | undefined;
  fastRun: boolean;
  cacheFile?: string | undefined;
  /** --peaks: results files whose measured peaks this run uses instead of measuring them. */
  peaks?: string[] | undefined;
}

export function parseConvDtypes(dtype: string): ConvDtype[] {
  if (dtype === "all") return ["fp32", "bf16"];
  if (dtype === "fp32" || dtype === "bf16") return [dtype];
  throw new UserError(`unknown --dtype "${dtype}"; choose fp32, bf16 or all.`);
}

export async function runConv(opts: ConvOptions): Promise<number> {
  const suite = loadSuite("conv", ConvSuite, opts.quick, opts.suiteFile);
  const layers = suite.nets[opts.net];
  if (!layers) throw new UserError(`unknown --net "${opts.net}"; choose from ${Object.keys(suite.nets).join(", ")}.`);
  const dtypes = parseConvDtypes(opts.dtype);
  if (opts.batch !== undefined && !(Number.isInteger(opts.batch) && opts.batch >= 1 && opts.batch <= 1024)) {
    throw new UserError(`--batch must be a whole number from 1 to 1024, got ${opts.batch}.`);
  }
  const native = loadNative();
  const known = native.convAlgos({ n: 1, c: 1, h: 1, w: 1, k: 1, r: 1, s: 1, stride: 1, pad: 0, groups: 1 }).map((a) => a.name);
  const algos = opts.algo ? opts.algo.split(",").map((a) => a.trim()).filter(Boolean) : null;
  for (const a of algos ?? []) {
    if (!known.includes(a)) throw new UserError(`unknown --algo "${a}"; choose from ${known.filter((k) => k !== "reference").join(", ")}.`);
  }
  const allowed = native.allowedCpus();
  if (opts.threads !== undefined && opts.threads > allowed.length) {
    throw new UserError(`--threads ${opts.threads} asks for more CPUs than this process may use (${allowed.length}).`);
  }
  const progress = createProgress(opts.quiet);
  progress.update("measuring the core clock and reading the system...");
  const { env, clockRecord } = await measureEnv(native, opts.quick);
  const dest = resolveDestination(opts, "conv", env.machine.hostname, new Date(env.createdAt), true);
  const writer = openWriter(dest, env);
  writer.add(clockRecord);
  const warnings: string[] = [];
  const record = (r: ResultRecord) => writer.add(r);
  const warn = (m: string) => warnings.push(m);
  const peaks = openPeakBook({ native, env, quick: opts.quick, peaksFiles: opts.peaks, record, warn });
  const ctx: ConvContext = { native, suite, env, record, progress, cpus: allowed, warn, peaks };
  const cache = opts.fastRun ? loadCache(opts.cacheFile ?? defaultCacheFile(), env, native, ctx.warn) : null;
  const summary = await runConvPlan(ctx, {
    net: opts.net,
    layers,
    batches: opts.batch !== undefined ? [opts.batch] : suite.batches,
    dtypes,
    threads: threadCounts(allowed.length, opts.threads),
    algos,
    cache,
  });
  progress.done();
  if (dest.kind !== "stdout") {
    process.stdout.write(`${renderConv(summary)}${warnings.length ? `\nWarnings:\n${warnings.map((w) => `  ! ${w}`).join("\n")}\n` : ""}`);
  }
  if (cache && !opts.quiet) process.stderr.write(`fast-run cache: ${cache.file} (${summary.fromCache} layer cases reused)\n`);
  finishOutput(dest, writer, opts.quiet);
  return writer.results.records.some((r) => r.suite === "conv" && r.status === "failed") ? 1 : 0;
}
