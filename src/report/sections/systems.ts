/** The machines side by side: what each result was measured on. */
import { formatBytes, formatHz, plural } from "../../format.js";
import type { Cell, Section } from "../blocks.js";
import { cacheCell, cacheName } from "../caches.js";
import type { Machine } from "../machines.js";

/** One row per cache level any machine has, each size with its source: machines differ in levels, and a level's provenance needs room. */
function cacheRows(machines: readonly Machine[]): Cell[][] {
  const levels = machines.flatMap((m) => m.env.caches).sort((a, b) => a.level - b.level || cacheName(a).localeCompare(cacheName(b)));
  const names = [...new Set(levels.map(cacheName))];
  if (names.length === 0) return [["Caches", ...machines.map(() => "none reported")]];
  return names.map((name) => [`${name} cache`, ...machines.map((m) => {
    const c = m.env.caches.find((x) => cacheName(x) === name);
    return c ? cacheCell(c) : "-";
  })]);
}

const CACHE_SOURCES =
  "Each cache size names its source in parentheses: sysfs (the Linux kernel), cpuid (the processor itself), documented (the core's published figures), measured (the edge of an earlier latency curve on this machine) or default (armbench's guess where the machine tells nothing). Where another source reports a clearly different size, that size and its source follow.";

/** "caches" stands for the cache rows, which depend on every machine at once. */
const ROWS: ([string, (m: Machine) => string] | "caches")[] = [
  ["CPU", (m) => `${m.env.cpu.model} (${m.env.cpu.vendor})`],
  ["Microarchitecture", (m) => `${m.env.cpu.microarch.name} [${m.env.cpu.microarch.source}]`],
  ["Cores / threads", (m) => `${plural(m.env.cpu.cores, "core")}, ${plural(m.env.cpu.threads, "thread")}, ${m.env.cpu.numaNodes ?? "?"} NUMA`],
  ["ISA", (m) => `${m.env.isa.arch}: ${Object.entries(m.env.isa.features).filter(([, on]) => on).map(([k]) => k).join(" ")}${m.env.isa.sveVectorBytes ? ` (SVE ${m.env.isa.sveVectorBytes * 8} bits)` : ""}`],
  "caches",
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
  const rows: Cell[][] = ROWS.flatMap((row) => (row === "caches" ? cacheRows(machines) : [[row[0], ...machines.map(row[1])]]));
  return {
    id: "systems",
    title: "Systems",
    blocks: [
      { kind: "table", caption: "The machines measured", head: ["", ...machines.map((m) => m.label)], rows, key: true },
      { kind: "note", text: CACHE_SOURCES },
    ],
  };
}
