/** `armbench info`: the machine, as every results file records it. */
import { describeCoreClock } from "../clock.js";
import { formatBytes, formatHz, plural } from "../format.js";
import { defaultTuneCacheFile, loadTuneCache, TUNE_SIZE, tuneOff } from "../gemm/tune.js";
import { defaultModelTuneCacheFile, loadModelTuneCache } from "../model/tune.js";
import { loadNative, type Native } from "../native.js";
import { finishOutput, openWriter, resolveDestination, type GlobalOptions } from "../output.js";
import { createProgress } from "../progress.js";
import { renderTable } from "../table.js";
import type { Env } from "../results/schema.js";
import { describeSize } from "../sysinfo/caches.js";
import { measureEnv } from "../sysinfo/collect.js";

const cacheNames: Record<string, string> = { Data: "d", Instruction: "i", Unified: "" };

function cacheRows(env: Env): [string, string][] {
  return env.caches.map((c) => {
    const parts = [
      describeSize(c, formatBytes),
      c.ways ? `${c.ways}-way` : null,
      c.lineBytes ? `${c.lineBytes} B lines` : null,
      `shared by ${plural(c.sharedByCpus, "CPU")}`,
    ];
    const notes = [c.note, ...(c.disagrees ?? []).map((d) => (d.note ? `${d.source}: ${d.note}` : null))].filter(Boolean);
    return [`L${c.level}${cacheNames[c.type] ?? ` ${c.type}`}`, parts.filter(Boolean).join(", ") + (notes.length ? `\n${notes.join("\n")}` : "")];
  });
}

function isaText(env: Env): string {
  const on = Object.entries(env.isa.features).filter(([, v]) => v).map(([k]) => k);
  const off = Object.entries(env.isa.features).filter(([, v]) => !v).map(([k]) => k);
  const lines = [`${env.isa.arch}: ${on.join(" ") || "(none of the tracked features)"}`];
  if (off.length) lines.push(`absent: ${off.join(" ")}`);
  if (env.isa.sveVectorBytes) lines.push(`SVE vector length ${env.isa.sveVectorBytes * 8} bits`);
  if (env.isa.smeVectorBytes) lines.push(`SME streaming vector length ${env.isa.smeVectorBytes * 8} bits`);
  return lines.join("\n");
}

/**
 * The GEMM tuning cache's entries for this machine and build, a line each, or why there
 * are none; what the cache held for other machines or builds is counted, not shown.
 */
export function tuningText(env: Env, native: Pick<Native, "gemmKernels">, file = defaultTuneCacheFile(), processEnv: NodeJS.ProcessEnv = process.env): string {
  const ignored: string[] = [];
  const cache = loadTuneCache(file, env, native.gemmKernels(), (m) => ignored.push(m));
  const lines = [...cache.entries].map(([key, v]) => {
    const [t, dtype] = key.split("|");
    const threads = Number(t!.slice(1));
    return `${dtype}, ${plural(threads, "thread")}: ${v.kernel} mc ${v.blocking.mc} kc ${v.blocking.kc} nc ${v.blocking.nc} (${v.gflops.toFixed(1)} GFLOP/s at ${TUNE_SIZE}^3, best of ${v.candidates}, ${v.measuredAt.slice(0, 10)})`;
  });
  if (lines.length === 0) lines.push("nothing cached for this machine and build: the next armbench gemm tunes");
  if (tuneOff(false, processEnv)) lines.push("ARMBENCH_TUNE=off: each kernel's defaults run, the cache is not used");
  if (ignored.length) lines.push(`(${ignored.length === 1 ? "a warning" : `${ignored.length} warnings`} about entries of other machines or builds: armbench gemm prints them)`);
  lines.push(`cache: ${file}`);
  return lines.join("\n");
}

/** The model-tune cache's choices for this machine and build, a line per graph, thread count and fpmath. */
export function modelTuningText(env: Env, native: Pick<Native, "convAlgos">, file = defaultModelTuneCacheFile(), processEnv: NodeJS.ProcessEnv = process.env): string {
  const ignored: string[] = [];
  const cache = loadModelTuneCache(file, env, native, (m) => ignored.push(m));
  const lines = [...cache.entries].map(([key, v]) => {
    const [t, fpmath, ...item] = key.split("|");
    const [graph, layout] = item.join("|").split("/");
    const won = v.raced.find((r) => r.program === v.program);
    return `${graph} ${layout} ${fpmath}, ${plural(Number(t!.slice(1)), "thread")}: "${v.program}"${won ? ` ${won.ms.toFixed(2)} ms` : ""} (best of ${v.raced.length} programs, tuned in ${(v.tuneMs / 1000).toFixed(1)} s, ${v.measuredAt.slice(0, 10)})`;
  });
  if (lines.length === 0) lines.push("nothing cached for this machine and build: the next armbench model tunes its convs");
  if (tuneOff(false, processEnv)) lines.push("ARMBENCH_TUNE=off: the default rules choose, the cache is not used");
  if (ignored.length) lines.push(`(${ignored.length === 1 ? "a warning" : `${ignored.length} warnings`} about entries of other machines or builds: armbench model prints them)`);
  lines.push(`cache: ${file}`);
  return lines.join("\n");
}

export function renderInfo(env: Env, tuning?: { gemm: string; model: string }): string {
  const c = env.cpu;
  const ua = c.microarch;
  const clock = env.clock;
  const rows: [string, string][] = [
    ["CPU", `${c.model} (${c.vendor})`],
    ["Microarchitecture", `${ua.name} [${ua.source}]${ua.seenIn ? `\nseen in: ${ua.seenIn}` : ""}${c.coreTypes.length > 1 ? `\ncore types: ${c.coreTypes.join(", ")}` : ""}`],
    ["Topology", `${plural(c.cores, "core")}, ${plural(c.threads, "thread")}, ${c.sockets === null ? "? sockets" : plural(c.sockets, "socket")}, ${c.numaNodes === null ? "NUMA unknown" : plural(c.numaNodes, "NUMA node")}`],
    ["ISA", isaText(env)],
    ...cacheRows(env),
    ["Memory", `${formatBytes(env.memory.totalBytes)}; transparent huge pages: ${env.memory.thp ?? "unknown"}${env.memory.hugePageBytes ? ` (${formatBytes(env.memory.hugePageBytes)} pages)` : ""}`],
    ["OS", `${env.os.distro}, kernel ${env.os.kernel}`],
    ["Virtualization", env.machine.virtualization ?? "none detected"],
    ["Governor", env.governor ?? "unavailable (no cpufreq in sysfs)"],
    ["Load average", env.loadAverage.map((x) => x.toFixed(2)).join(" ")],
    [
      "Clock",
      [
        ...describeCoreClock(clock, formatHz),
        `cycles from: ${clock.cycleSource === "perf" ? "perf_event_open hardware counter" : `time x core-clock estimate (perf: ${clock.perfUnavailable})`}`,
        `reference counter: ${clock.refCounter.name}${clock.refCounter.hz ? ` at ${formatHz(clock.refCounter.hz)}` : ""}${clock.refCounter.invariant ? ", invariant" : ""}`,
        `monotonic clock resolution: ${clock.monotonicResolutionNs} ns`,
      ].join("\n"),
    ],
    ["Build", `${env.build.compiler}, ${env.build.buildType} ${env.build.flags}\nper-ISA files: ${env.build.isaFlags || "none"}`],
    ...(tuning !== undefined ? [["GEMM tuning", tuning.gemm], ["Model tuning", tuning.model]] as [string, string][] : []),
    [
      "Versions",
      `armbench ${env.armbench.version}${env.armbench.git ? ` (${env.armbench.git.commit.slice(0, 12)}${env.armbench.git.dirty ? ", modified" : ""})` : ""}, ` +
        `Node ${env.versions.node}, N-API ${env.versions.napi}\n` +
        Object.entries(env.versions.dependencies).map(([k, v]) => `${k} ${v}`).join(", "),
    ],
  ];
  const width = Math.max(40, Math.min(process.stdout.columns ?? 100, 120) - 24);
  const table = renderTable(null, rows, { colWidths: [20, width], wordWrap: true });
  const warnings = env.warnings.length ? `\nWarnings:\n${env.warnings.map((w) => `  ! ${w}`).join("\n")}\n` : "";
  return `armbench info: ${env.machine.hostname}, ${env.createdAt}\n${table}\n${warnings}`;
}

export async function runInfo(opts: GlobalOptions): Promise<number> {
  const native = loadNative();
  const progress = createProgress(opts.quiet);
  progress.update("measuring the core clock and reading the system...");
  const { env, clockRecord } = await measureEnv(native, opts.quick);
  progress.done();

  const dest = resolveDestination(opts, "info", env.machine.hostname, new Date(env.createdAt), false);
  const writer = openWriter(dest, env);
  writer.add(clockRecord);
  if (dest.kind !== "stdout") process.stdout.write(renderInfo(env, { gemm: tuningText(env, native), model: modelTuningText(env, native) }));
  finishOutput(dest, writer, opts.quiet);
  return 0;
}
