/** The machines side by side: what each result was measured on. */
import { formatBytes, formatHz, plural } from "../../format.js";
import type { Env } from "../../results/schema.js";
import type { Cell, Section } from "../blocks.js";
import type { Machine } from "../machines.js";

function caches(env: Env): string {
  return env.caches.map((c) => `L${c.level}${c.type === "Data" ? "d" : c.type === "Instruction" ? "i" : ""} ${formatBytes(c.sizeBytes)}${c.sharedByCpus > 1 ? ` /${c.sharedByCpus} CPUs` : ""}`).join(", ");
}

const ROWS: [string, (m: Machine) => string][] = [
  ["CPU", (m) => `${m.env.cpu.model} (${m.env.cpu.vendor})`],
  ["Microarchitecture", (m) => `${m.env.cpu.microarch.name} [${m.env.cpu.microarch.source}]`],
  ["Cores / threads", (m) => `${plural(m.env.cpu.cores, "core")}, ${plural(m.env.cpu.threads, "thread")}, ${m.env.cpu.numaNodes ?? "?"} NUMA`],
  ["ISA", (m) => `${m.env.isa.arch}: ${Object.entries(m.env.isa.features).filter(([, on]) => on).map(([k]) => k).join(" ")}${m.env.isa.sveVectorBytes ? ` (SVE ${m.env.isa.sveVectorBytes * 8} bits)` : ""}`],
  ["Caches", (m) => caches(m.env)],
  ["Memory", (m) => `${formatBytes(m.env.memory.totalBytes)}, THP ${m.env.memory.thp ?? "unknown"}`],
  ["OS", (m) => `${m.env.os.distro}, kernel ${m.env.os.kernel}`],
  ["Virtualization", (m) => m.env.machine.virtualization ?? "none detected"],
  ["Compiler", (m) => `${m.env.build.compiler} (${m.env.build.buildType})`],
  ["Clock", (m) => `~${formatHz(m.env.clock.coreClockHz)}; cycles from ${m.env.clock.cycleSource === "perf" ? "perf counter" : "time x clock estimate"}`],
  ["Governor", (m) => m.env.governor ?? "unknown"],
  ["armbench", (m) => `${m.env.armbench.version}${m.env.armbench.git ? ` ${m.env.armbench.git.commit.slice(0, 12)}${m.env.armbench.git.dirty ? " (modified)" : ""}` : ""}, measured ${m.env.createdAt}`],
  ["Noise warnings", (m) => (m.env.warnings.length ? m.env.warnings.join(" / ") : "none")],
  ["Records", (m) => (["ok", "failed", "unavailable"] as const).map((st) => `${m.records.filter((r) => r.status === st).length} ${st}`).join(", ")],
  ["Price", (m) => (m.pricePerHour === null ? "-" : `${m.pricePerHour} USD/h`)],
  ["Files", (m) => m.files.join(", ")],
];

export function systemsSection(machines: readonly Machine[]): Section {
  const rows: Cell[][] = ROWS.map(([name, f]) => [name, ...machines.map(f)]);
  return {
    id: "systems",
    title: "Systems",
    blocks: [{ kind: "table", caption: "The machines measured", head: ["", ...machines.map((m) => m.label)], rows, key: true }],
  };
}
