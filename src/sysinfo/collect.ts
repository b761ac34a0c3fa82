/**
 * The environment block of a results file: systeminformation where it has the fact,
 * the native detector for the ISA, sysfs for kernel settings, and the cache hierarchy
 * from the best source this machine offers (src/sysinfo/caches.ts).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import si from "systeminformation";

import { clockWarnings, measureClock, type ClockEnv } from "../clock.js";
import { packageRoot, type Native } from "../native.js";
import type { Env, ResultRecord } from "../results/schema.js";
import { decodeArmCore, decodeX86Core, parseArmCpuinfo, splitMidr, type Microarch } from "./microarch.js";
import { resolveCaches } from "./caches.js";
import { documentedCoreByName } from "./cores.js";
import { loadMeasuredLevels, machineKey } from "./measured-levels.js";
import { noiseWarnings } from "./noise.js";
import { readCaches, readGovernor, readMidr, readNumaNodes, readProcCpuinfo, readThp } from "./sysfs.js";
import { readCpuidRecording } from "./cpuid-recording.js";
import { emulationHost, emulationLine } from "./emulation.js";

function readPackageJson(dir: string): { version?: string; dependencies?: Record<string, string> } | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    return null;
  }
}

/** Installed versions of armbench's own dependencies. */
function dependencyVersions(): Record<string, string> {
  const own = readPackageJson(packageRoot);
  const out: Record<string, string> = {};
  for (const name of Object.keys(own?.dependencies ?? {}).sort()) {
    out[name] = readPackageJson(path.join(packageRoot, "node_modules", name))?.version ?? "not installed";
  }
  return out;
}

/**
 * A packed tree (armbench fleet installs one on each host) has no .git; the fleet writes
 * the controller's commit beside it, and that is the commit it holds.
 */
export const PACKED_GIT_FILE = ".armbench-git.json";

function packedGitState(): Env["armbench"]["git"] {
  try {
    const data = JSON.parse(readFileSync(path.join(packageRoot, PACKED_GIT_FILE), "utf8")) as { commit?: unknown; dirty?: unknown };
    return typeof data.commit === "string" && /^[0-9a-f]{40,64}$/.test(data.commit) && typeof data.dirty === "boolean" ? { commit: data.commit, dirty: data.dirty } : null;
  } catch {
    return null;
  }
}

export function gitState(): Env["armbench"]["git"] {
  if (!existsSync(path.join(packageRoot, ".git"))) return packedGitState();
  try {
    const run = (...args: string[]) =>
      execFileSync("git", ["-C", packageRoot, ...args], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] }).trim();
    return { commit: run("rev-parse", "HEAD"), dirty: run("status", "--porcelain", "--untracked-files=no") !== "" };
  } catch {
    return null;
  }
}

interface CpuNaming {
  vendor: string;
  model: string;
  microarch: Microarch;
  coreTypes: string[];
}

/**
 * An aarch64 /proc/cpuinfo has no brand string: the name is the core's, from its MIDR.
 * (systeminformation's brand would be read from the kernel's files, which under
 * user-mode emulation describe the host, not the emulated core.)
 */
function nameArmCpu(native: Native): CpuNaming {
  const cpuinfo = readProcCpuinfo();
  const listed = cpuinfo ? parseArmCpuinfo(cpuinfo) : [];
  const midrValue = Number(native.cpuId().midr) || readMidr();
  const primary = midrValue ? splitMidr(midrValue) : listed[0];
  const microarch = primary
    ? decodeArmCore(primary.implementer, primary.part)
    : { name: "unknown", designer: "unknown", source: "no MIDR in sysfs or /proc/cpuinfo" };
  const coreTypes = listed.map((m) => decodeArmCore(m.implementer, m.part).name);
  const model = microarch.name === "unknown" ? `unknown core (${microarch.source})` : microarch.name;
  return { vendor: microarch.designer, model, microarch, coreTypes: coreTypes.length ? coreTypes : [microarch.name] };
}

function nameX86Cpu(native: Native, siCpu: si.Systeminformation.CpuData): CpuNaming {
  const id = native.cpuId();
  const microarch = decodeX86Core(id.vendor, id.family, id.model);
  const model = id.brand || [siCpu.manufacturer, siCpu.brand].filter(Boolean).join(" ");
  return { vendor: microarch.designer, model, microarch, coreTypes: [microarch.name] };
}

/** CPUID's caches: this CPU's, or those of a recording named by ARMBENCH_CPUID_RECORDING. */
function cpuidCaches(native: Native): ReturnType<Native["cpuidCaches"]> {
  const file = process.env.ARMBENCH_CPUID_RECORDING;
  return file ? native.decodeCpuidCaches(readCpuidRecording(file)) : native.cpuidCaches();
}

export async function collectEnv(native: Native, clock: ClockEnv): Promise<Env> {
  const [cpu, mem, osInfo, system] = await Promise.all([si.cpu(), si.mem(), si.osInfo(), si.system()]);
  const isa = native.cpuFeatures();
  const naming = isa.arch === "aarch64" ? nameArmCpu(native) : nameX86Cpu(native, cpu);
  const hypervisorBit = isa.arch === "x86_64" ? native.cpuId().hypervisor : null;
  const hostVirtualization = system.virtual ? system.virtualHost || "virtual machine" : hypervisorBit ? "hypervisor (CPUID bit)" : null;
  const emulatedOn = emulationHost();
  const virtualization = emulatedOn ? emulationLine(isa.arch, emulatedOn, hostVirtualization) : hostVirtualization;
  const thp = readThp();
  const governor = readGovernor();
  const loadAverage = os.loadavg();
  const threads = cpu.cores || os.availableParallelism();
  const build = native.buildInfo();
  const cores = cpu.physicalCores || threads;
  const measured = loadMeasuredLevels(machineKey({ arch: isa.arch, cpuModel: naming.model, microarch: naming.microarch.name, cores }));
  const caches = resolveCaches({
    // Under user-mode emulation the kernel's /sys describes the host's caches, not the core's.
    sysfs: emulatedOn && !process.env.ARMBENCH_SYSFS_ROOT ? [] : readCaches(),
    cpuid: cpuidCaches(native).map((c) => ({ ...c, ways: c.ways || null })),
    documented: documentedCoreByName(naming.microarch.name),
    measured: measured.levels,
    registerLineBytes: native.registerLineBytes() || null,
    defaults: native.cacheSizes().defaults,
    virtualized: virtualization !== null,
  });

  return {
    createdAt: new Date().toISOString(),
    armbench: { version: readPackageJson(packageRoot)?.version ?? "unknown", git: gitState() },
    machine: { hostname: os.hostname(), virtualization, systemModel: system.model || null },
    cpu: {
      vendor: naming.vendor,
      model: naming.model,
      microarch: naming.microarch,
      coreTypes: naming.coreTypes,
      sockets: cpu.processors || null,
      cores,
      threads,
      numaNodes: readNumaNodes(),
      ...(isa.arch === "x86_64" ? { family: cpu.family, modelNumber: cpu.model, stepping: cpu.stepping } : {}),
    },
    isa,
    caches,
    memory: { totalBytes: mem.total, thp: thp.enabled, hugePageBytes: thp.pmdBytes },
    os: { platform: osInfo.platform, distro: `${osInfo.distro} ${osInfo.release}`.trim(), release: osInfo.release, kernel: osInfo.kernel },
    clock,
    governor,
    loadAverage,
    build,
    versions: {
      node: process.versions.node,
      v8: process.versions.v8,
      napi: process.versions.napi ?? "unknown",
      dependencies: dependencyVersions(),
    },
    warnings: [
      ...noiseWarnings({ governor, loadAverage1: loadAverage[0] ?? 0, logicalCpus: threads, virtualization, thp: thp.enabled }),
      ...clockWarnings(clock),
      ...(measured.warning ? [measured.warning] : []),
    ],
  };
}

/** The clock measurement and the environment block every command starts from. */
export async function measureEnv(native: Native, quick: boolean): Promise<{ env: Env; clockRecord: ResultRecord }> {
  const { clock, record } = await measureClock(native, quick);
  const env = await collectEnv(native, clock);
  applyCacheHierarchy(native, env);
  return { env, clockRecord: record };
}

/** Every kernel family blocks for the hierarchy the results file records. */
export function applyCacheHierarchy(native: Native, env: Env): void {
  const data = env.caches.filter((c) => c.type !== "Instruction").sort((a, b) => a.level - b.level);
  const l1d = data.find((c) => c.level === 1)?.sizeBytes;
  const l2 = data.find((c) => c.level === 2)?.sizeBytes;
  if (l1d === undefined || l2 === undefined || l1d > l2) return;
  const l3 = Math.max(l2, data.find((c) => c.level === 3)?.sizeBytes ?? l2);
  native.setCacheSizes(l1d, l2, l3);
}
