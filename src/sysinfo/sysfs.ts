/**
 * Facts read from Linux sysfs and procfs. Every reader takes the root folder so tests
 * can point it at a fixture tree; a missing file is `null`, never an exception.
 * ARMBENCH_SYSFS_ROOT and ARMBENCH_PROC_ROOT stand in for /sys and /proc, so a whole
 * command can run against another machine's recorded tree (an emulator passes the
 * host's own files through).
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

/** The folder read as /sys. */
export function sysRoot(): string {
  return process.env.ARMBENCH_SYSFS_ROOT || "/sys";
}

/** The folder read as /proc. */
export function procRoot(): string {
  return process.env.ARMBENCH_PROC_ROOT || "/proc";
}

const cpuDir0 = () => path.join(sysRoot(), "devices/system/cpu/cpu0");

export interface CacheLevel {
  level: number;
  /** "Data", "Instruction" or "Unified". */
  type: string;
  /** Size of one instance, in bytes. */
  sizeBytes: number;
  lineBytes: number | null;
  ways: number | null;
  /** How many logical CPUs share one instance. */
  sharedByCpus: number;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

function readInt(file: string): number | null {
  const t = readText(file);
  if (t === null || !/^\d+$/.test(t)) return null;
  return Number(t);
}

/** "32K", "1024K", "32M" or plain bytes -> bytes. */
export function parseSize(text: string): number | null {
  const m = text.trim().match(/^(\d+)\s*([KMG]?)B?$/i);
  if (!m) return null;
  const scale = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * scale;
}

/** "0-3,8,10-11" -> number of CPUs listed. */
export function countCpuList(text: string): number {
  let n = 0;
  for (const part of text.trim().split(",")) {
    if (!part) continue;
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    n += b === undefined || Number.isNaN(b) ? 1 : b - a + 1;
  }
  return n;
}

/** Caches seen by one CPU, from /sys/devices/system/cpu/cpuN/cache/index*. */
export function readCaches(cpuDir = cpuDir0()): CacheLevel[] {
  const cacheDir = path.join(cpuDir, "cache");
  let entries: string[];
  try {
    entries = readdirSync(cacheDir).filter((e) => /^index\d+$/.test(e));
  } catch {
    return [];
  }
  const out: CacheLevel[] = [];
  for (const e of entries.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))) {
    const dir = path.join(cacheDir, e);
    const level = readInt(path.join(dir, "level"));
    const type = readText(path.join(dir, "type"));
    const size = readText(path.join(dir, "size"));
    const sizeBytes = size === null ? null : parseSize(size);
    if (level === null || type === null || sizeBytes === null) continue;
    const shared = readText(path.join(dir, "shared_cpu_list"));
    out.push({
      level,
      type,
      sizeBytes,
      lineBytes: readInt(path.join(dir, "coherency_line_size")),
      ways: readInt(path.join(dir, "ways_of_associativity")),
      sharedByCpus: shared === null ? 1 : Math.max(1, countCpuList(shared)),
    });
  }
  return out;
}

/** The bracketed choice of a sysfs selector such as "always [madvise] never". */
export function parseSelector(text: string): string | null {
  const m = text.match(/\[([^\]]+)\]/);
  return m ? m[1]! : null;
}

/** Transparent huge pages mode: "always", "madvise", "never", or null if unknown. */
export function readThp(root = path.join(sysRoot(), "kernel/mm/transparent_hugepage")): { enabled: string | null; pmdBytes: number | null } {
  const enabled = readText(path.join(root, "enabled"));
  return {
    enabled: enabled === null ? null : parseSelector(enabled),
    pmdBytes: readInt(path.join(root, "hpage_pmd_size")),
  };
}

/** cpufreq scaling governor of CPU 0, or null where cpufreq is absent (common in VMs). */
export function readGovernor(cpuDir = cpuDir0()): string | null {
  return readText(path.join(cpuDir, "cpufreq", "scaling_governor"));
}

export function readNumaNodes(nodeDir = path.join(sysRoot(), "devices/system/node")): number | null {
  try {
    const n = readdirSync(nodeDir).filter((e) => /^node\d+$/.test(e)).length;
    return n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** MIDR_EL1 of a CPU from sysfs (aarch64 only), as a number. */
export function readMidr(cpuDir = cpuDir0()): number | null {
  const t = readText(path.join(cpuDir, "regs", "identification", "midr_el1"));
  if (t === null || !/^0x[0-9a-f]+$/i.test(t)) return null;
  return Number(t);
}

export function readProcCpuinfo(file = path.join(procRoot(), "cpuinfo")): string | null {
  return readText(file);
}

export function readPerfParanoid(file = path.join(procRoot(), "sys/kernel/perf_event_paranoid")): number | null {
  const t = readText(file);
  return t !== null && /^-?\d+$/.test(t) ? Number(t) : null;
}

/** Current frequency cpufreq reports for a CPU, in Hz; null where cpufreq is absent. */
export function readCurFreqHz(cpu: number, cpuRoot = path.join(sysRoot(), "devices/system/cpu")): number | null {
  const khz = readInt(path.join(cpuRoot, `cpu${cpu}`, "cpufreq", "scaling_cur_freq"));
  return khz === null ? null : khz * 1000;
}
