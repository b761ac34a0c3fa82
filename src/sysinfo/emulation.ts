/**
 * Whether this process runs under user-mode emulation (qemu-user and the like): the
 * process is of one architecture, the kernel it talks to of another. qemu-user before
 * 8.2 passes the host's /proc/cpuinfo and /sys through unchanged, so the kernel's own
 * files (deliberately the real ones, not ARMBENCH_PROC_ROOT/ARMBENCH_SYSFS_ROOT) tell.
 */
import { readFileSync } from "node:fs";

type Arch = "x86-64" | "aarch64";

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** The architecture /proc/cpuinfo describes, from its field names; null when it cannot tell. */
export function cpuinfoArch(text: string | null): Arch | null {
  if (text === null) return null;
  const x86 = /^(vendor_id|flags)\s*:/m.test(text);
  const arm = /^CPU implementer\s*:/m.test(text);
  return x86 === arm ? null : x86 ? "x86-64" : "aarch64";
}

/** The architecture of /sys/devices/system/cpu/modalias ("cpu:type:x86,..." or "cpu:type:aarch64:..."). */
export function modaliasArch(text: string | null): Arch | null {
  const m = text?.match(/^cpu:type:(x86|aarch64)/);
  return m ? (m[1] === "x86" ? "x86-64" : "aarch64") : null;
}

export function processArch(arch: string = process.arch): Arch | null {
  return arch === "x64" ? "x86-64" : arch === "arm64" ? "aarch64" : null;
}

/** The kernel's /proc/cpuinfo describes another architecture than the process's (what crashes CPU detectors that parse it). */
export function foreignCpuinfo(text: string | null = read("/proc/cpuinfo"), arch: string = process.arch): Arch | null {
  const own = processArch(arch);
  const seen = cpuinfoArch(text);
  return own && seen && seen !== own ? seen : null;
}

/** The host's architecture when this process is emulated, else null. */
export function emulationHost(): Arch | null {
  const own = processArch();
  if (!own) return null;
  for (const seen of [cpuinfoArch(read("/proc/cpuinfo")), modaliasArch(read("/sys/devices/system/cpu/modalias"))]) {
    if (seen && seen !== own) return seen;
  }
  return null;
}

/** How a results file's env.machine.virtualization begins when the process was emulated. */
const EMULATION = "user-mode emulation";

/** The virtualization line of an emulated process (the one place its wording lives). */
export function emulationLine(arch: string, host: Arch, hostVirtualization: string | null): string {
  return `${EMULATION}: this ${arch} process runs on an ${host} host's kernel (qemu-user or similar)${hostVirtualization ? `, itself ${hostVirtualization}` : ""}`;
}

/** Whether a recorded virtualization line says the process was emulated (every timing the emulator's). */
export function isEmulated(virtualization: string | null | undefined): boolean {
  return virtualization?.startsWith(EMULATION) ?? false;
}
