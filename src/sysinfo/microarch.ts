/**
 * Naming the microarchitecture: Arm from MIDR_EL1 (implementer, part), x86 from the
 * CPUID vendor, family and model. Tables are data; unknown ids are reported as such.
 */

export interface Midr {
  implementer: number;
  variant: number;
  architecture: number;
  part: number;
  revision: number;
}

export type Microarch = {
  /** e.g. "Neoverse N1", "Zen 4"; "unknown" when the table has no entry. */
  name: string;
  /** Who designed the core (the MIDR implementer or the x86 vendor). */
  designer: string;
  /** Where the name came from, e.g. "MIDR 0x41:0xd0c" or "CPUID family 0x19 model 0x11". */
  source: string;
  /** Products known to use this core, to help a reader place it. */
  seenIn?: string;
};

const armImplementers: Record<number, string> = {
  // The Arm ARM reserves implementer 0 for software use; QEMU's "max" CPU reports it.
  0x00: "software-defined (implementer 0)",
  0x41: "Arm",
  0x42: "Broadcom",
  0x43: "Cavium",
  0x46: "Fujitsu",
  0x48: "HiSilicon",
  0x4e: "NVIDIA",
  0x50: "Applied Micro",
  0x51: "Qualcomm",
  0x61: "Apple",
  0xc0: "Ampere",
};

/** [implementer, part] -> [core name, products seen with it]. */
const armParts: ReadonlyArray<readonly [number, number, string, string?]> = [
  // Not a core: QEMU's "max" model (every feature QEMU emulates) has MIDR 0x000f0510.
  [0x00, 0x051, "QEMU max CPU", "qemu-aarch64 -cpu max (an emulator, not silicon)"],
  [0x41, 0xd03, "Cortex-A53"],
  [0x41, 0xd05, "Cortex-A55"],
  [0x41, 0xd07, "Cortex-A57"],
  [0x41, 0xd08, "Cortex-A72", "AWS Graviton (first generation), Raspberry Pi 4"],
  [0x41, 0xd0b, "Cortex-A76"],
  [0x41, 0xd0c, "Neoverse N1", "AWS Graviton2, Ampere Altra / Altra Max"],
  [0x41, 0xd0d, "Cortex-A77"],
  [0x41, 0xd40, "Neoverse V1", "AWS Graviton3"],
  [0x41, 0xd41, "Cortex-A78"],
  [0x41, 0xd44, "Cortex-X1"],
  [0x41, 0xd46, "Cortex-A510"],
  [0x41, 0xd47, "Cortex-A710"],
  [0x41, 0xd48, "Cortex-X2"],
  [0x41, 0xd49, "Neoverse N2", "Alibaba Yitian 710, Microsoft Cobalt 100"],
  [0x41, 0xd4a, "Neoverse E1"],
  [0x41, 0xd4f, "Neoverse V2", "AWS Graviton4, NVIDIA Grace, Google Axion"],
  [0x41, 0xd83, "Neoverse V3AE"],
  [0x41, 0xd84, "Neoverse V3"],
  [0x41, 0xd8e, "Neoverse N3"],
  [0x46, 0x001, "A64FX", "Fujitsu Fugaku"],
  [0x48, 0xd01, "TaiShan v110", "Huawei Kunpeng 920"],
  [0x50, 0x000, "X-Gene", "Ampere eMAG"],
  [0xc0, 0xac3, "AmpereOne", "AmpereOne"],
  [0xc0, 0xac4, "AmpereOne", "AmpereOne M"],
];

const hex = (n: number, width = 0) => `0x${n.toString(16).padStart(width, "0")}`;

export function splitMidr(midr: bigint | number): Midr {
  const v = Number(BigInt(midr) & 0xffffffffn);
  return {
    implementer: (v >>> 24) & 0xff,
    variant: (v >>> 20) & 0xf,
    architecture: (v >>> 16) & 0xf,
    part: (v >>> 4) & 0xfff,
    revision: v & 0xf,
  };
}

export function decodeArmCore(implementer: number, part: number): Microarch {
  const designer = armImplementers[implementer] ?? `implementer ${hex(implementer, 2)}`;
  const entry = armParts.find(([i, p]) => i === implementer && p === part);
  const source = `MIDR implementer ${hex(implementer, 2)} part ${hex(part, 3)}`;
  if (!entry) return { name: "unknown", designer, source };
  const [, , name, seenIn] = entry;
  return seenIn ? { name, designer, source, seenIn } : { name, designer, source };
}

/**
 * Every distinct (implementer, part, variant, revision) in an aarch64 /proc/cpuinfo,
 * in order of first appearance (big.LITTLE systems list several).
 */
export function parseArmCpuinfo(text: string): Midr[] {
  const out: Midr[] = [];
  const seen = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const field = (key: string): number | undefined => {
      const m = block.match(new RegExp(`^${key}\\s*:\\s*(\\S+)`, "m"));
      return m ? Number(m[1]) : undefined;
    };
    const implementer = field("CPU implementer");
    const part = field("CPU part");
    if (implementer === undefined || part === undefined || Number.isNaN(implementer) || Number.isNaN(part)) continue;
    const midr: Midr = {
      implementer,
      part,
      variant: field("CPU variant") ?? 0,
      architecture: field("CPU architecture") === 8 ? 0xf : 0,
      revision: field("CPU revision") ?? 0,
    };
    const key = `${midr.implementer}:${midr.part}:${midr.variant}:${midr.revision}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(midr);
    }
  }
  return out;
}

/** [vendor, family, first model, last model, name, products]. */
const x86Models: ReadonlyArray<readonly [string, number, number, number, string, string?]> = [
  ["AuthenticAMD", 0x17, 0x00, 0x2f, "Zen / Zen+", "EPYC 7001 (Naples)"],
  ["AuthenticAMD", 0x17, 0x30, 0x3f, "Zen 2", "EPYC 7002 (Rome)"],
  ["AuthenticAMD", 0x17, 0x40, 0xff, "Zen 2"],
  ["AuthenticAMD", 0x19, 0x00, 0x0f, "Zen 3", "EPYC 7003 (Milan)"],
  ["AuthenticAMD", 0x19, 0x10, 0x1f, "Zen 4", "EPYC 9004 (Genoa, Genoa-X)"],
  ["AuthenticAMD", 0x19, 0x20, 0x5f, "Zen 3"],
  ["AuthenticAMD", 0x19, 0x60, 0x7f, "Zen 4"],
  ["AuthenticAMD", 0x19, 0xa0, 0xaf, "Zen 4c", "EPYC 97x4 (Bergamo), EPYC 8004 (Siena)"],
  ["AuthenticAMD", 0x1a, 0x00, 0x1f, "Zen 5", "EPYC 9005 (Turin)"],
  ["AuthenticAMD", 0x1a, 0x20, 0x7f, "Zen 5"],
  ["GenuineIntel", 6, 0x3c, 0x3c, "Haswell"],
  ["GenuineIntel", 6, 0x3f, 0x3f, "Haswell-EP"],
  ["GenuineIntel", 6, 0x45, 0x46, "Haswell"],
  ["GenuineIntel", 6, 0x3d, 0x3d, "Broadwell"],
  ["GenuineIntel", 6, 0x47, 0x47, "Broadwell"],
  ["GenuineIntel", 6, 0x4f, 0x4f, "Broadwell-EP"],
  ["GenuineIntel", 6, 0x56, 0x56, "Broadwell-DE"],
  ["GenuineIntel", 6, 0x4e, 0x4e, "Skylake"],
  ["GenuineIntel", 6, 0x5e, 0x5e, "Skylake"],
  ["GenuineIntel", 6, 0x55, 0x55, "Skylake-SP / Cascade Lake / Cooper Lake", "Xeon Scalable 1st-3rd gen"],
  ["GenuineIntel", 6, 0x8e, 0x8e, "Kaby Lake / Coffee Lake"],
  ["GenuineIntel", 6, 0x9e, 0x9e, "Kaby Lake / Coffee Lake"],
  ["GenuineIntel", 6, 0x6a, 0x6a, "Ice Lake-SP", "Xeon Scalable 3rd gen"],
  ["GenuineIntel", 6, 0x6c, 0x6c, "Ice Lake-D"],
  ["GenuineIntel", 6, 0x7d, 0x7e, "Ice Lake"],
  ["GenuineIntel", 6, 0x8c, 0x8d, "Tiger Lake"],
  ["GenuineIntel", 6, 0x8f, 0x8f, "Sapphire Rapids", "Xeon Scalable 4th gen"],
  ["GenuineIntel", 6, 0x97, 0x97, "Alder Lake"],
  ["GenuineIntel", 6, 0x9a, 0x9a, "Alder Lake"],
  ["GenuineIntel", 6, 0xaa, 0xaa, "Meteor Lake"],
  ["GenuineIntel", 6, 0xac, 0xac, "Meteor Lake"],
  ["GenuineIntel", 6, 0xad, 0xae, "Granite Rapids", "Xeon 6 (P-cores)"],
  ["GenuineIntel", 6, 0xaf, 0xaf, "Sierra Forest", "Xeon 6 (E-cores)"],
  ["GenuineIntel", 6, 0xb7, 0xb7, "Raptor Lake"],
  ["GenuineIntel", 6, 0xba, 0xba, "Raptor Lake"],
  ["GenuineIntel", 6, 0xbf, 0xbf, "Raptor Lake"],
  ["GenuineIntel", 6, 0xcf, 0xcf, "Emerald Rapids", "Xeon Scalable 5th gen"],
];

const x86Designers: Record<string, string> = { AuthenticAMD: "AMD", GenuineIntel: "Intel", HygonGenuine: "Hygon" };

export function decodeX86Core(vendor: string, family: number, model: number): Microarch {
  const designer = x86Designers[vendor] ?? (vendor || "unknown vendor");
  const source = `CPUID family ${hex(family, 2)} model ${hex(model, 2)}`;
  const entry = x86Models.find(([v, f, lo, hi]) => v === vendor && f === family && model >= lo && model <= hi);
  if (!entry) return { name: "unknown", designer, source };
  const [, , , , name, seenIn] = entry;
  return seenIn ? { name, designer, source, seenIn } : { name, designer, source };
}
