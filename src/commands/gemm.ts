/** `armbench gemm`: sgemm, sbgemm and int8 GEMM, ours beside the peer libraries, % of measured peak. */
import { UserError } from "../errors.js";
import { buildCases, parseDtypes, parseSizes, threadCounts } from "../gemm/cases.js";
import { renderGemm, renderTuning } from "../gemm/render.js";
import { runGemmPlan, type GemmContext } from "../gemm/run.js";
import { defaultTuneCacheFile, forcedKernel, loadTuneCache, parseBlocking, saveTuneCache, tuneOff, type TunedChoice, type TuneRequest } from "../gemm/tune.js";
import { loadNative } from "../native.js";
import { finishOutput, openWriter, resolveDestination, type GlobalOptions } from "../output.js";
import { openPeakBook } from "../micro/peak-book.js";
import { createProgress } from "../progress.js";
import type { ResultRecord } from "../results/schema.js";
import { GemmSuite, loadSuite } from "../suites.js";
import { measureEnv } from "../sysinfo/collect.js";
import { isEmulated } from "../sysinfo/emulation.js";

export const PEER_NAMES = ["openblas", "blis", "onednn"] as const;

export interface GemmOptions extends GlobalOptions {
  dtype: string;
  sizes?: string | undefined;
  shapeSet?: string[] | undefined;
  /** false: --no-peers. */
  peers: string | false | undefined;
  peerPath?: string[] | undefined;
  warm: boolean;
  suiteFile?: string | undefined;
  /** --peaks: results files whose measured peaks this run uses instead of measuring them. */
  peaks?: string[] | undefined;
  /** --no-tune; ARMBENCH_TUNE=off does the same. */
  noTune?: boolean;
  kernel?: string | undefined;
  blocking?: string | undefined;
  tuneCache?: string | undefined;
}

export function parsePeers(peers: string | false | undefined, suiteDefault: string[]): string[] {
  if (peers === false) return [];
  if (peers === undefined) return suiteDefault;
  const list = peers.split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of list) {
    if (!(PEER_NAMES as readonly string[]).includes(p)) throw new UserError(`unknown peer "${p}"; choose from ${PEER_NAMES.join(", ")}.`);
  }
  return list;
}

/** ["openblas=/opt/lib/libopenblas.so"] -> { openblas: "/opt/..." } */
export function parsePeerPaths(items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    const name = item.slice(0, eq);
    if (eq <= 0 || !(PEER_NAMES as readonly string[]).includes(name) || eq === item.length - 1) {
      throw new UserError(`--peer-path takes NAME=PATH with NAME one of ${PEER_NAMES.join(", ")}, got "${item}".`);
    }
    out[name] = item.slice(eq + 1);
  }
  return out;
}

export async function runGemm(opts: GemmOptions): Promise<number> {
  const dtypes = parseDtypes(opts.dtype);
  const suite = loadSuite("gemm", GemmSuite, opts.quick, opts.suiteFile);
  const cases = buildCases(suite, opts.sizes ? parseSizes(opts.sizes) : undefined, opts.shapeSet);
  const peers = parsePeers(opts.peers, suite.peers);
  const peerPaths = parsePeerPaths(opts.peerPath);
  const blocking = opts.blocking !== undefined ? parseBlocking(opts.blocking) : null;
  const native = loadNative();
  const kernels = native.gemmKernels();
  if (opts.kernel !== undefined) {
    const k = forcedKernel(kernels, opts.kernel);
    if (!dtypes.includes(k.dtype)) throw new UserError(`--kernel ${k.name} computes ${k.dtype}, which --dtype ${opts.dtype} does not run.`);
  }
  const request: TuneRequest = { kernel: opts.kernel ?? null, blocking, off: tuneOff(opts.noTune ?? false) };
  const allowed = native.allowedCpus();
  if (opts.threads !== undefined && opts.threads > allowed.length) {
    throw new UserError(`--threads ${opts.threads} asks for more CPUs than this process may use (${allowed.length}).`);
  }
  const progress = createProgress(opts.quiet);
  progress.update("measuring the core clock and reading the system...");
  const { env, clockRecord } = await measureEnv(native, opts.quick);
  const dest = resolveDestination(opts, "gemm", env.machine.hostname, new Date(env.createdAt), true);
  const writer = openWriter(dest, env);
  writer.add(clockRecord);
  const warnings: string[] = [];
  const record = (r: ResultRecord) => writer.add(r);
  const warn = (m: string) => warnings.push(m);
  const peaks = openPeakBook({ native, env, quick: opts.quick, peaksFiles: opts.peaks, record, warn });
  // Under user-mode emulation the emulator's timings would pick the kernel: the defaults run.
  if (!request.off && isEmulated(env.machine.virtualization)) {
    request.off = true;
    warn("GEMM tuning is off under user-mode emulation (its timings are the emulator's): each kernel's default blocking runs.");
  }
  // Forced or off: nothing is timed, so the cache is neither read nor written.
  const tuning = request.kernel === null && request.blocking === null && !request.off;
  const tuneFile = opts.tuneCache ?? defaultTuneCacheFile();
  const cache = tuning ? loadTuneCache(tuneFile, env, kernels, warn) : null;
  const tuned: TunedChoice[] = [];
  const ctx: GemmContext = { native, suite, env, record, progress, cpus: allowed, warn, peaks, tune: { request, cache }, tuned };
  const summary = await runGemmPlan(ctx, {
    cases,
    dtypes,
    threads: threadCounts(allowed.length, opts.threads),
    peers,
    peerPaths,
    warm: opts.warm,
  });
  progress.done();
  try {
    saveTuneCache(cache);
  } catch (err) {
    warn(`the GEMM tuning cache ${tuneFile} could not be written (${(err as Error).message}); the next run tunes again.`);
  }
  if (dest.kind !== "stdout") {
    process.stdout.write(`${renderTuning(tuned, cache ? tuneFile : null)}${renderGemm(summary)}${warnings.length ? `\nWarnings:\n${warnings.map((w) => `  ! ${w}`).join("\n")}\n` : ""}`);
  }
  finishOutput(dest, writer, opts.quiet);
  const failed = writer.results.records.some((r) => r.suite === "gemm" && r.impl === "armbench" && r.status === "failed");
  return failed ? 1 : 0;
}
