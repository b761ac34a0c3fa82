/** `armbench micro [parts..]`: the microarchitecture probes, each part on its own if asked. */
import { runBandwidth } from "../micro/bandwidth.js";
import type { MicroContext } from "../micro/context.js";
import { runFma } from "../micro/fma.js";
import { runLatency, runTlb } from "../micro/memory.js";
import { renderBandwidth, renderFma, renderLatency, renderTlb } from "../micro/render.js";
import { UserError } from "../errors.js";
import { loadNative } from "../native.js";
import { finishOutput, openWriter, resolveDestination, type GlobalOptions } from "../output.js";
import { openPeakBook } from "../micro/peak-book.js";
import { createProgress } from "../progress.js";
import type { ResultRecord } from "../results/schema.js";
import { relativeSpread } from "../stats.js";
import { loadSuite, MicroSuite } from "../suites.js";
import { measureEnv } from "../sysinfo/collect.js";
import { documentedCore } from "../sysinfo/cores.js";
import { notComparableWhy, withDocumented } from "../sysinfo/documented-compare.js";
import type { DocumentedView } from "../micro/render.js";

export const MICRO_PARTS = ["fma", "latency", "tlb", "bandwidth"] as const;
export type MicroPart = (typeof MICRO_PARTS)[number];

/** Figures whose relative spread (p90 - min) / median exceeds this get a warning. */
export const SPREAD_WARNING = 0.03;

const runners: Record<MicroPart, (ctx: MicroContext, doc: DocumentedView) => Promise<string>> = {
  fma: async (ctx, doc) => renderFma(await runFma(ctx), doc),
  latency: async (ctx, doc) => renderLatency(await runLatency(ctx), doc),
  tlb: async (ctx) => renderTlb(await runTlb(ctx)),
  bandwidth: async (ctx) => renderBandwidth(await runBandwidth(ctx)),
};

export interface MicroOptions extends GlobalOptions {
  parts: string[];
  clockGhz?: number | undefined;
  /** A suite file to use instead of suites/micro.json. */
  suiteFile?: string | undefined;
}

export function parseParts(parts: string[]): MicroPart[] {
  if (parts.length === 0) return [...MICRO_PARTS];
  for (const p of parts) {
    if (!(MICRO_PARTS as readonly string[]).includes(p)) {
      throw new UserError(`unknown micro part "${p}"; choose from ${MICRO_PARTS.join(", ")}.`);
    }
  }
  return MICRO_PARTS.filter((p) => parts.includes(p));
}

export async function runMicro(opts: MicroOptions): Promise<number> {
  const parts = parseParts(opts.parts);
  if (opts.clockGhz !== undefined && !(opts.clockGhz > 0.1 && opts.clockGhz < 20)) {
    throw new UserError(`--clock-ghz must be a core clock between 0.1 and 20 GHz, got ${opts.clockGhz}.`);
  }
  const native = loadNative();
  const suite = loadSuite("micro", MicroSuite, opts.quick, opts.suiteFile);
  const progress = createProgress(opts.quiet);
  progress.update("measuring the core clock and reading the system...");
  const { env, clockRecord } = await measureEnv(native, opts.quick);
  const dest = resolveDestination(opts, "micro", env.machine.hostname, new Date(env.createdAt), true);
  const writer = openWriter(dest, env);
  writer.add(clockRecord);

  const allowed = native.allowedCpus();
  const cpus = allowed.slice(0, opts.threads ?? allowed.length);
  if (opts.threads !== undefined && opts.threads > allowed.length) {
    throw new UserError(`--threads ${opts.threads} asks for more CPUs than this process may use (${allowed.length}).`);
  }
  const warnings: string[] = [];
  // Each micro figure carries the documented one beside it (or why there is none) in the results file too.
  const why = notComparableWhy(env);
  const doc: DocumentedView = { core: why ? null : documentedCore(env), coreName: env.cpu.microarch.name, why };
  const record = (r: ResultRecord) => writer.add(why ? r : withDocumented(doc.core, doc.coreName, r));
  const warn = (m: string) => warnings.push(m);
  const ctx: MicroContext = {
    native,
    suite,
    env,
    record,
    progress,
    cpus,
    userClockGhz: opts.clockGhz,
    warn,
    peaks: openPeakBook({ native, env, quick: opts.quick, peaksFiles: [], record, progress: (m) => progress.update(`micro fma: ${m}`), warn }),
  };

  const sections: string[] = [];
  let failed = 0;
  for (const part of parts) {
    const started = Date.now();
    try {
      sections.push(await runners[part](ctx, doc));
      if (!opts.quiet) process.stderr.write(`micro ${part}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      if (err instanceof UserError) throw err;
      failed++;
      warnings.push(`micro ${part} failed: ${(err as Error).message}; the other parts still ran.`);
    }
  }
  progress.done();

  const noisy = writer.results.records.filter((r) => r.status === "ok" && r.samples.length > 1 && relativeSpread({ ...r.spread, median: r.median }) > SPREAD_WARNING);
  if (noisy.length) {
    const names = [...new Set(noisy.map((r) => r.name))].join(", ");
    warnings.push(`${noisy.length} figures (${names}) have a spread (p90 - min) / median above ${SPREAD_WARNING * 100}%: the machine was noisy; compare medians, not single runs.`);
  }
  if (dest.kind !== "stdout") {
    process.stdout.write(`${sections.join("\n")}${warnings.length ? `\nWarnings:\n${warnings.map((w) => `  ! ${w}`).join("\n")}\n` : ""}`);
  }
  finishOutput(dest, writer, opts.quiet);
  return failed ? 1 : 0;
}
