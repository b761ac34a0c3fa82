/**
 * The native addon's TypeScript interface, written down once. Nothing else in src/
 * loads the addon; everything goes through `loadNative()`.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { UserError } from "./errors.js";

export type NativeCpuFeatures = {
  /** "x86_64", "aarch64" or "other": the architecture the addon was built for. */
  arch: string;
  /** This architecture's features, keyed by their Linux /proc/cpuinfo names. */
  features: Record<string, boolean>;
  /** SVE vector length in bytes; 0 without SVE. */
  sveVectorBytes: number;
  /** SME streaming vector length in bytes; 0 without SME. */
  smeVectorBytes: number;
};

export interface NativeCpuId {
  vendor: string;
  brand: string;
  family: number;
  model: number;
  stepping: number;
  /** x86 CPUID hypervisor bit; null where the architecture cannot tell. */
  hypervisor: boolean | null;
  /** aarch64 MIDR_EL1; 0n when unreadable or not aarch64. */
  midr: bigint;
}

export interface NativeRefCounter {
  /** "tsc", "cntvct" or "none". */
  name: string;
  /** Counter rate in Hz (0 for "none"). */
  hz: number;
  invariant: boolean;
}

export type NativePerfCycles = { available: true } | { available: false; reason: string };

export type NativeBuildInfo = {
  compiler: string;
  buildType: string;
  flags: string;
  /** "file: flags; file: flags" for every per-ISA source file. */
  isaFlags: string;
  targetArch: string;
  napiVersion: number;
};

export interface Native {
  cpuFeatures(): NativeCpuFeatures;
  /**
   * Runs one instruction of the feature behind a SIGILL guard: "ran" (and computed the
   * right answer), "sigill", "wrong" (ran, wrong answer) or "none" (no probe exists).
   */
  probeFeature(name: string): "ran" | "sigill" | "wrong" | "none";
  cpuId(): NativeCpuId;
  nowNs(): bigint;
  clockResolutionNs(): number;
  /** Measures the TSC rate for about minNs; reads CNTFRQ_EL0 on aarch64. */
  refCounter(minNs: number): NativeRefCounter;
  perfCycles(): NativePerfCycles;
  /** One core-clock estimate in Hz per sample, from a dependent chain of `adds` adds. */
  estimateCoreClock(samples: number, adds: number): Promise<number[]>;
  buildInfo(): NativeBuildInfo;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The package root, whether running from src/ (tests via dist) or dist/src/. */
export const packageRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");

const addonCandidates = [
  path.join(packageRoot, "build", "native", "Release", "armbench.node"),
  path.join(packageRoot, "build", "native", "Debug", "armbench.node"),
];

let cached: Native | undefined;

/** Loads the addon once; a missing build gets one sentence saying how to build it. */
export function loadNative(): Native {
  if (cached) return cached;
  const file = addonCandidates.find((p) => existsSync(p));
  if (!file) {
    throw new UserError(
      `the native addon is not built (looked for ${addonCandidates[0]}); run \`npm run build:native\` in ${packageRoot}.`,
    );
  }
  const require = createRequire(import.meta.url);
  cached = require(file) as Native;
  return cached;
}
