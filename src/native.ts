/**
 * The native addon's TypeScript interface, written down once. Nothing else in src/
 * loads the addon; everything goes through `loadNative()`.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { Program } from "./engine/program.js";
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

export interface NativeCacheLevel {
  level: number;
  type: "Data" | "Instruction" | "Unified";
  sizeBytes: number;
  lineBytes: number;
  /** 0: fully associative. */
  ways: number;
  sharedByCpus: number;
}

/** A core-clock chain: dependent one-cycle instructions (native/include/armbench/timer.h). */
export interface NativeClockChain {
  index: number;
  /** "add", "not-neg" (x86-64), "csinc" (aarch64). */
  name: string;
  insn: string;
}

/** One run of a clock chain. */
export interface NativeClockRun {
  /** Dependent instructions the chain's final value proves ran (0: the chain did not run). */
  steps: number;
  ns: number;
  /** perf cycles over the run; null without a hardware counter. */
  cycles: number | null;
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

export interface NativeFmaForm {
  /** Index into the native registry: what fmaCurve/fmaPeak take. */
  index: number;
  /** Unique, e.g. "avx512.vfmadd231ps.zmm". */
  name: string;
  isa: string;
  insn: string;
  dtype: string;
  /** Register width in bits (SVE: this CPU's vector length). */
  bits: number;
  /** FLOP (or integer OP) per instruction. */
  ops: number;
  maxChains: number;
  hasFullChain: boolean;
  /** Why this CPU cannot run it; null when it can. */
  unsupported: string | null;
}

export interface NativeFmaCurveRow {
  k: number;
  /** Elapsed ns for `steps` and `2 * steps` instructions per chain, one per sample. */
  nsN: number[];
  ns2N: number[];
  /** perf cycles for the same; null without a hardware counter. */
  cyclesN: (number | null)[] | null;
  cycles2N: (number | null)[] | null;
  /**
   * Per sample, the clock chains run beside it on the same thread: `first` ran just
   * before its two runs, the other just after; runs indexed by chain. null when the
   * request asked for no clock.
   */
  clock: { first: number; runs: NativeClockRun[] }[] | null;
}

export interface NativeFmaCurve {
  curve: NativeFmaCurveRow[];
  /** 0 when every accumulator was exact; else the first k that was not. */
  failedChains: number;
}

export interface NativeChaseSample {
  firstPassNs: number;
  firstPassLoads: number;
  nsN: number;
  ns2N: number;
}

export interface NativeChase {
  hugeRequested: boolean;
  hugePageBytes: number;
  hugeBytesObtained: number;
  bufferBytes: number;
  samples: NativeChaseSample[];
}

export interface NativeBwKernel {
  id: number;
  /** "read", "write", "copy", "triad", "write-nt", "copy-nt", "triad-nt". */
  name: string;
  /** Implementation that runs: "avx512", "avx2", "neon", "sve", "scalar". */
  isa: string;
  unsupported: string | null;
}

export interface NativeBwSample {
  nsN: number;
  ns2N: number;
  bytesPerPass: number;
}

export interface NativeGemmKernel {
  /** In the registry of its dtype: fp32 and bf16 share one, int8 has its own (armbench/igemm.h). */
  index: number;
  name: string;
  isa: string;
  dtype: "fp32" | "bf16" | "int8";
  mr: number;
  nr: number;
  kr: number;
  unsupported: string | null;
  /** What armbench uses for this dtype on this CPU. */
  isDefault: boolean;
  blocking: { mc: number; kc: number; nc: number };
  /** int8 only: the A its instruction takes (the other type is shifted by 128 while packed). */
  aType?: "u8" | "s8";
}

export interface NativeGemmCheck {
  checked: number;
  maxAbsErr: number;
  /** max |C - ref| / sum |a b| over the checked entries. */
  maxRelErr: number;
  bound: number;
  zeroFraction: number;
  /** bf16 only: relative distance from the product of the fp32 inputs. */
  bf16Drift: number;
  passed: boolean;
}

/**
 * Opaque handles owned by the addon: pools (gemmPool), peers (peerOpen) and engines
 * (engineCreate). Each carries a Node-API type tag for its kind: passing one kind where
 * another belongs (or any other value) is a TypeError. Calls that share a pool (or a
 * peer) run one at a time.
 */
export type NativeHandle = { readonly __handle: unique symbol };

export type NativePeer =
  | {
      ok: true;
      handle: NativeHandle;
      name: string;
      library: string;
      version: string;
      variant: string;
      unsupported: { fp32: string | null; bf16: string | null; int8: string | null };
    }
  | { ok: false; reason: string };

export interface NativeGemmCase {
  dtype: "fp32" | "bf16" | "int8";
  kernel?: number;
  /** int8 only, and required there: what A holds (B is int8, C int32). */
  aType?: "u8" | "s8";
  /** Our kernels only: this blocking instead of the kernel's own (rounded to its multiples, clamped to the problem). */
  blocking?: { mc: number; kc: number; nc: number };
  peer?: NativeHandle;
  pool?: NativeHandle;
  m: number;
  n: number;
  k: number;
  transA: 0 | 1;
  transB: 0 | 1;
  warm: 0 | 1;
  seed: number;
  samples: number;
  minSampleNs: number;
}

/** A convolution layer as the binding takes it (symmetric padding, no dilation). */
export interface NativeConvShape {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
  r: number;
  s: number;
  stride: number;
  pad: number;
  groups: number;
}

export interface NativeConvCheck {
  checked: number;
  maxAbsErr: number;
  maxRelErr: number;
  bound: number;
  passed: boolean;
}

export interface NativeEngineInfo {
  /** The activation arena, bytes (the program's arenaBytes). */
  arenaBytes: number;
  /** Weights, biases and BatchNorm parameters as held, in their dtype (bf16: 2 bytes each), before packing. */
  weightBytes: number;
  /** Executor-owned scratch: the bf16 copy of the largest bf16 conv/gemm input (0 without bf16 steps). */
  scratchBytes: number;
  steps: number;
  /** Per step, what runs it: "winograd-f4 fp32", the GEMM kernel or path ("gemv_f32_avx512"), "relu avx512", "maxpool". */
  kernels: string[];
}

export interface NativeEngineMeasurement {
  /** One per timed iteration: wall ns from writing the inputs into the arena to the end of the last step. */
  samplesNs: number[];
  /** With profile: stepNs[iteration][step], wall ns of each step (raw, no statistics). */
  stepNs?: number[][];
  /** The outputs of the last iteration, in the program's output order (Int32Array for an int32 one). */
  outputs: (Float32Array | Int32Array)[];
}

export interface Native {
  cpuFeatures(): NativeCpuFeatures;
  /**
   * Runs one instruction of the feature behind a SIGILL guard: "ran" (and computed the
   * right answer), "sigill", "wrong" (ran, wrong answer) or "none" (no probe exists).
   */
  probeFeature(name: string): "ran" | "sigill" | "wrong" | "none";
  cpuId(): NativeCpuId;
  /** This CPU's caches from CPUID's deterministic cache leaves ([] off x86 or where hidden). */
  cpuidCaches(): NativeCacheLevel[];
  /** Recorded CPUID answers ([leaf, subleaf, eax, ebx, ecx, edx]) decoded as on their machine. */
  decodeCpuidCaches(answers: number[][]): NativeCacheLevel[];
  /** The data cache line a system register gives (Arm CTR_EL0); 0 where none does. */
  registerLineBytes(): number;
  /** The sizes the GEMM and conv blocking use now, and where they came from. */
  cacheSizes(): {
    l1d: number;
    l2: number;
    l3: number;
    source: "sysfs" | "cpuid" | "default" | "caller";
    /** What a machine where nothing tells gets. */
    defaults: { l1d: number; l2: number; l3: number };
  };
  /** Hands the resolved hierarchy down to every kernel's blocking (l1d <= l2 <= l3). */
  setCacheSizes(l1d: number, l2: number, l3: number): void;
  nowNs(): bigint;
  clockResolutionNs(): number;
  /** Measures the TSC rate for about minNs; reads CNTFRQ_EL0 on aarch64. */
  refCounter(minNs: number): NativeRefCounter;
  perfCycles(): NativePerfCycles;
  /** The core-clock chains of this architecture, by index. */
  clockChains(): NativeClockChain[];
  /**
   * `rounds` rounds on a thread pinned to `cpu` (default -1: not pinned), each running
   * every chain once for `steps` (the order alternating by round); [round][chain].
   */
  runClockChains(rounds: number, steps: number, cpu?: number): Promise<NativeClockRun[][]>;
  buildInfo(): NativeBuildInfo;
  /** CPUs this process may run on, ascending. */
  allowedCpus(): number[];
  /**
   * Every thread of the process (Node's, onnxruntime's, ours) onto these CPUs, each one
   * the process could run on before its first confinement; null: back to that mask.
   */
  confineProcess(cpus: number[] | null): void;

  fmaForms(): NativeFmaForm[];
  /** Steps per chain are rounded up to a multiple of this; ask for multiples to know the count. */
  fmaStepQuantum: number;
  /** clockSteps: steps of each clock chain run beside every sample (0: none). */
  fmaCurve(req: { form: number; mode: "acc" | "full"; chains: number[]; steps: number; samples: number; cpu: number; clockSteps: number }): Promise<NativeFmaCurve>;
  /** Wall ns per sample (2N - N) with one pinned thread per CPU. */
  fmaPeak(req: { form: number; chains: number; steps: number; samples: number; cpus: number[] }): Promise<{ ns: number[]; checksOk: boolean }>;

  chaseLatency(req: {
    bytes: number;
    huge: boolean;
    stride: number;
    passes: number;
    seed: number;
    loads: number;
    samples: number;
    cpu: number;
  }): Promise<NativeChase>;
  tlbChase(req: { pages: number; pageBytes: number; huge: boolean; seed: number; loads: number; samples: number; cpu: number }): Promise<NativeChase>;
  bwKernels(): NativeBwKernel[];
  bandwidth(req: { kernel: number; bytes: number; cpus: number[]; repeats: number; samples: number }): Promise<NativeBwSample[]>;
  gemmKernels(): NativeGemmKernel[];
  /**
   * Persistent GEMM workers, one pinned to each CPU given (each one this process may
   * run on; others are a RangeError); with callerJoins the calling thread runs share 0
   * itself (cpus[0] unused), as onnxruntime's intra-op pool does.
   */
  gemmPool(cpus: number[], callerJoins?: boolean): NativeHandle;
  /** Checks the case against a double reference, then times it (nothing timed if the check fails). */
  gemmMeasure(c: NativeGemmCase): Promise<{ check: NativeGemmCheck; samples: { ns: number; calls: number }[] }>;
  /** The kernel or direct path armbench_gemm runs for this shape (e.g. "gemv_f32_avx512"). */
  gemmPath(c: { kernel: number; m: number; n: number; k: number; transA: 0 | 1; transB: 0 | 1 }): string;
  peerOpen(name: string, path?: string): NativePeer;

  /** Every algorithm, with why it cannot run this shape (null when it can). */
  convAlgos(shape: NativeConvShape): { id: number; name: string; unsupported: string | null }[];
  convOutput(shape: NativeConvShape): { oh: number; ow: number } | { error: string };
  /** Checks sampled outputs against direct double sums, then times (nothing timed if the check fails). */
  convMeasure(
    c: NativeConvShape & {
      dtype: "fp32" | "bf16";
      algo: number;
      bias: 0 | 1;
      /** 0 none, 1 ReLU, 2 ReLU6. */
      act: 0 | 1 | 2;
      seed: number;
      samples: number;
      minSampleNs: number;
      pool?: NativeHandle;
    },
  ): Promise<{ check: NativeConvCheck; samples: { ns: number; calls: number }[] }>;
  /** threads in [1, 4096]; an Error while a gemmMeasure on this peer is running. */
  peerSetThreads(peer: NativeHandle, threads: number): void;

  /**
   * Validates and prepares a compiled program once (weights copied, conv plans made,
   * GEMM weights packed, bf16 rounding). Throws an Error whose message names the step
   * ("engineCreate: step 3 \"conv1\" (conv): ...") and whose `errno` is EINVAL (22)
   * for a bad program or ENOTSUP (95) for a step this executor cannot run (a conv with
   * x and y in different layouts, a conv on nchwc tensors with an algorithm other than
   * "direct-nchwc", an algorithm that cannot run the shape). Conv and GEMM steps run on
   * `pool` (omitted: the calling worker thread alone).
   */
  engineCreate(program: Program, pool?: NativeHandle): NativeHandle;
  /** One inference off the JavaScript thread; inputs in the program's order, each of its element count. */
  engineRun(engine: NativeHandle, inputs: (Float32Array | Int32Array)[], opts?: { profile?: boolean }): Promise<{ outputs: (Float32Array | Int32Array)[]; stepNs?: number[] }>;
  /** warmup untimed then `iterations` timed inferences in one native loop (no JavaScript between them). */
  engineMeasure(
    engine: NativeHandle,
    inputs: (Float32Array | Int32Array)[],
    opts: { warmup: number; iterations: number; profile?: boolean },
  ): Promise<NativeEngineMeasurement>;
  engineInfo(engine: NativeHandle): NativeEngineInfo;
  /** This CPU's NCHWc channel block: what a Program's nchwcBlock must be when it uses nchwc tensors. */
  nchwcBlock(): number;

  loadedLatency(req: {
    chaseBytes: number;
    chaseCpu: number;
    streamCpus: number[];
    streamBytes: number;
    pauseNs: number;
    durationNs: number;
    seed: number;
  }): Promise<{ chaseNsPerLoad: number; streamBytesPerS: number }>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The package root, whether running from src/ (tests via dist) or dist/src/. */
export const packageRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");

/**
 * ARMBENCH_ADDON names a build of another architecture's addon (the aarch64 lane runs
 * Node for arm64 under qemu-aarch64 with a cross-built addon beside the host's build).
 */
const addonCandidates = process.env.ARMBENCH_ADDON
  ? [path.resolve(process.env.ARMBENCH_ADDON)]
  : [
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
