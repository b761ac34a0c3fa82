/**
 * The child side of test/native-boundary.test.ts: `node addon-call.js <export>` calls
 * one export of the addon with one valid request (the control: it must succeed, so
 * the hostile calls below differ from a working call in one place only) and then
 * with every hostile variant of it, and prints one JSON line: the control's outcome
 * and, per variant, the error class it ended with and its message. Run in a child so
 * that a crash (a signal) is attributed to that export and ends nothing else.
 */
import os from "node:os";

import { loadNative, type Native, type NativeHandle } from "../../src/native.js";

type Addon = Record<string, unknown> & Native;

export interface Handles {
  pool: NativeHandle;
  engine: NativeHandle;
  /** null where no BLAS peer library could be opened here. */
  peer: NativeHandle | null;
}

export interface Ctx extends Handles {
  n: Addon;
  /** A CPU this process may run on. */
  cpu: number;
  /** A CPU number in range that this process may not run on. */
  forbiddenCpu: number;
  formIndex: number;
}

export type Expect = "TypeError" | "RangeError" | "Error";

/** How one argument (or options field) is mutated. */
export type Field =
  | { int: [number, number]; accepts?: unknown[] }
  | { string: true; accepts?: unknown[] }
  | { bool: true; accepts?: unknown[] }
  | { handle: keyof Handles; accepts?: unknown[] }
  | { cpus: true; emptyOk?: boolean; accepts?: unknown[] }
  | { cpu: true; accepts?: unknown[] }
  | { enumString: string[] }
  | { object: true; accepts?: unknown[] };

export interface Spec {
  /** Takes no arguments: junk arguments are ignored, a result is the right outcome. */
  noArgs?: true;
  /** The valid call: small enough to finish in milliseconds. */
  args?: (c: Ctx) => unknown[];
  /** Mutations: "0" is the first argument, "0.m" the field m of an options object in it. */
  fields?: Record<string, Field> | ((c: Ctx) => Record<string, Field>);
  /** Hand-made hostile calls: label -> [arguments, the error class expected]. */
  extra?: (c: Ctx) => Record<string, [unknown[], Expect]>;
}

export interface Outcome {
  label: string;
  expect: Expect | "ok";
  got: string;
  message: string;
}

const WRONG_TYPES: [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["a string", "1"],
  ["a boolean", true],
  ["an object", {}],
  ["an array", []],
  ["a bigint", 1n],
  ["a function", () => 1],
];

const shape = { n: 1, c: 2, h: 4, w: 4, k: 2, r: 3, s: 3, stride: 1, pad: 1, groups: 1 };
const shapeFields: Record<string, Field> = {
  "0.n": { int: [1, 2 ** 24] },
  "0.c": { int: [1, 2 ** 24] },
  "0.h": { int: [1, 2 ** 24] },
  "0.w": { int: [1, 2 ** 24] },
  "0.k": { int: [1, 2 ** 24] },
  "0.r": { int: [1, 1024] },
  "0.s": { int: [1, 1024] },
  "0.stride": { int: [1, 1024] },
  "0.pad": { int: [0, 1024] },
  "0.groups": { int: [1, 2 ** 24] },
};

function ref(offset: number, dims: number[]) {
  return { offset, dims, layout: "nchw" };
}
/** y = relu(x) over 4 values: the smallest program the engine runs. */
function reluProgram(): Record<string, unknown> {
  return {
    arenaBytes: 128,
    nchwcBlock: 0,
    inputs: [{ name: "x", ref: ref(0, [1, 4]) }],
    outputs: [{ name: "y", ref: ref(64, [1, 4]) }],
    steps: [{ op: "relu", name: "r", x: ref(0, [1, 4]), y: ref(64, [1, 4]) }],
  };
}
function gemmProgram(weights: unknown): Record<string, unknown> {
  return {
    arenaBytes: 128,
    nchwcBlock: 0,
    inputs: [{ name: "x", ref: ref(0, [1, 4]) }],
    outputs: [{ name: "y", ref: ref(64, [1, 2]) }],
    steps: [{ op: "gemm", name: "g", x: ref(0, [1, 4]), y: ref(64, [1, 2]), rows: 1, k: 4, n: 2, dtype: "fp32", weights, act: "none" }],
  };
}
/**
 * Cases whose sizes the addon bounds only by this machine's memory: where a size
 * would fit (a server with terabytes), they would really allocate, so they are left out.
 */
function beyondMemory(bytes: number, cases: Record<string, [unknown[], Expect]>): Record<string, [unknown[], Expect]> {
  return bytes > os.totalmem() ? cases : {};
}
const x4 = () => [new Float32Array([1, -1, 2, -2])];
const inputsField: Field = { object: true };

function convAlgo(c: Ctx): number {
  return c.n.convAlgos({ ...shape }).find((a) => a.unsupported === null)!.id;
}

function gemmCase(c: Ctx) {
  const k = c.n.gemmKernels().find((g) => g.dtype === "fp32" && g.isDefault)!;
  return { dtype: "fp32", kernel: k.index, m: 8, n: 8, k: 8, transA: 0, transB: 0, warm: 1, seed: 1, samples: 1, minSampleNs: 0 };
}

/** Every export's cases. An export missing here fails the test. */
export const SPECS: Record<string, Spec> = {
  cpuFeatures: { noArgs: true },
  cpuId: { noArgs: true },
  allowedCpus: { noArgs: true },
  // null is the whole mask again; a CPU outside the process's mask is refused (cpus).
  confineProcess: {
    args: (c) => [[c.cpu]],
    fields: { "0": { cpus: true, accepts: [null] } },
  },
  cpuidCaches: { noArgs: true },
  cacheSizes: { noArgs: true },
  registerLineBytes: { noArgs: true },
  nowNs: { noArgs: true },
  clockResolutionNs: { noArgs: true },
  perfCycles: { noArgs: true },
  clockChains: { noArgs: true },
  buildInfo: { noArgs: true },
  fmaForms: { noArgs: true },
  bwKernels: { noArgs: true },
  gemmKernels: { noArgs: true },
  nchwcBlock: { noArgs: true },
  probeFeature: {
    args: (c) => [Object.keys(c.n.cpuFeatures().features)[0]],
    fields: { "0": { string: true } },
    extra: () => ({ "unknown feature": [["warp_drive"], "RangeError"], "NUL in the name": [["sse\0x"], "RangeError"] }),
  },
  decodeCpuidCaches: {
    args: () => [[[4, 0, 0x121, 0x1c0003f, 0x3f, 0]]],
    fields: { "0": { object: true } },
    extra: () => ({
      "a row that is not an array": [[[1]], "TypeError"],
      "a row of 5": [[[[4, 0, 0, 0, 0]]], "TypeError"],
      "a string register": [[[[4, 0, "x", 0, 0, 0]]], "TypeError"],
      "a negative register": [[[[4, 0, -1, 0, 0, 0]]], "RangeError"],
      "a 33-bit register": [[[[4, 0, 2 ** 32, 0, 0, 0]]], "RangeError"],
      "NaN register": [[[[4, 0, NaN, 0, 0, 0]]], "RangeError"],
      "4097 rows": [[Array.from({ length: 4097 }, () => [4, 0, 0, 0, 0, 0])], "RangeError"],
    }),
  },
  setCacheSizes: {
    args: (c) => {
      const s = c.n.cacheSizes();
      return [s.l1d, s.l2, s.l3];
    },
    fields: { "0": { int: [1024, 2 ** 36] }, "1": { int: [1024, 2 ** 36] }, "2": { int: [1024, 2 ** 36] } },
    extra: () => ({ "shrinking sizes": [[1 << 20, 1 << 15, 1 << 22], "RangeError"] }),
  },
  refCounter: {
    args: () => [0],
    fields: { "0": { int: [0, 1e10] } },
  },
  runClockChains: {
    args: (c) => [1, 1000, c.cpu],
    fields: { "0": { int: [1, 10000] }, "1": { int: [1000, 1e11] }, "2": { cpu: true, accepts: [undefined] } },
  },
  fmaCurve: {
    args: (c) => [{ form: c.formIndex, mode: "acc", chains: [1], steps: c.n.fmaStepQuantum, samples: 1, cpu: c.cpu, clockSteps: 0 }],
    fields: (c) => ({
      "0": { object: true },
      "0.form": { int: [0, c.n.fmaForms().length - 1] },
      "0.mode": { enumString: ["acc", "full"] },
      "0.steps": { int: [1, 2 ** 40] },
      "0.samples": { int: [1, 100000] },
      "0.cpu": { cpu: true },
      "0.clockSteps": { int: [0, 2 ** 40] },
    }),
    extra: (c) => {
      const base = { form: c.formIndex, mode: "acc", chains: [1], steps: 32, samples: 1, cpu: -1, clockSteps: 0 };
      const max = c.n.fmaForms()[c.formIndex]!.maxChains;
      return {
        "chains not an array": [[{ ...base, chains: 1 }], "TypeError"],
        "chains empty": [[{ ...base, chains: [] }], "RangeError"],
        "a chain count above the form's": [[{ ...base, chains: [max + 1] }], "RangeError"],
        "chains [NaN]": [[{ ...base, chains: [NaN] }], "RangeError"],
        "chains ['1']": [[{ ...base, chains: ["1"] }], "TypeError"],
        "1025 chain counts": [[{ ...base, chains: Array.from({ length: 1025 }, () => 1) }], "RangeError"],
        "chains x samples too many": [[{ ...base, chains: Array.from({ length: 1024 }, () => 1), samples: 100000 }], "RangeError"],
        "a form index past the end": [[{ ...base, form: c.n.fmaForms().length }], "RangeError"],
      };
    },
  },
  fmaPeak: {
    args: (c) => [{ form: c.formIndex, chains: 1, steps: c.n.fmaStepQuantum, samples: 1, cpus: [c.cpu] }],
    fields: (c) => ({
      "0": { object: true },
      "0.form": { int: [0, c.n.fmaForms().length - 1] },
      "0.chains": { int: [1, c.n.fmaForms()[c.formIndex]!.maxChains] },
      "0.steps": { int: [1, 2 ** 40] },
      "0.samples": { int: [1, 100000] },
      "0.cpus": { cpus: true },
    }),
    extra: (c) => ({
      "a form index past the end": [[{ form: c.n.fmaForms().length, chains: 1, steps: 32, samples: 1, cpus: [c.cpu] }], "RangeError"],
      "chains above the form's": [[{ form: c.formIndex, chains: 1025, steps: 32, samples: 1, cpus: [c.cpu] }], "RangeError"],
    }),
  },
  chaseLatency: {
    args: (c) => [{ bytes: 8192, huge: false, stride: 64, passes: 1, seed: 1, loads: 1000, samples: 1, cpu: c.cpu }],
    fields: {
      "0": { object: true },
      "0.bytes": { int: [64, 2 ** 40] },
      "0.huge": { bool: true },
      "0.stride": { int: [8, 4096] },
      "0.passes": { int: [1, 512] },
      "0.seed": { int: [0, 2 ** 53] },
      "0.loads": { int: [1, 2 ** 40] },
      "0.samples": { int: [1, 100000] },
      "0.cpu": { cpu: true },
    },
    extra: (c) =>
      beyondMemory(2 ** 40, {
        "a terabyte buffer": [[{ bytes: 2 ** 40, huge: false, stride: 64, passes: 1, seed: 1, loads: 1, samples: 1, cpu: c.cpu }], "RangeError"],
      }),
  },
  tlbChase: {
    args: (c) => [{ pages: 4, pageBytes: 4096, huge: false, seed: 1, loads: 1000, samples: 1, cpu: c.cpu }],
    fields: {
      "0": { object: true },
      "0.pages": { int: [1, 2 ** 28] },
      "0.pageBytes": { int: [256, 2 ** 30] },
      "0.huge": { bool: true },
      "0.seed": { int: [0, 2 ** 53] },
      "0.loads": { int: [1, 2 ** 40] },
      "0.samples": { int: [1, 100000] },
      "0.cpu": { cpu: true },
    },
    extra: (c) => ({
      "pages x pageBytes of 2^58 bytes": [[{ pages: 2 ** 28, pageBytes: 2 ** 30, huge: false, seed: 1, loads: 1, samples: 1, cpu: c.cpu }], "RangeError"],
    }),
  },
  bandwidth: {
    args: (c) => [{ kernel: 0, bytes: 65536, cpus: [c.cpu], repeats: 1, samples: 1 }],
    fields: (c) => ({
      "0": { object: true },
      "0.kernel": { int: [0, c.n.bwKernels().length - 1] },
      "0.bytes": { int: [4096, 2 ** 40] },
      "0.cpus": { cpus: true },
      "0.repeats": { int: [1, 2 ** 40] },
      "0.samples": { int: [1, 100000] },
    }),
    extra: (c) =>
      beyondMemory(2 ** 40, {
        "a terabyte per thread": [[{ kernel: 0, bytes: 2 ** 40, cpus: [c.cpu], repeats: 1, samples: 1 }], "RangeError"],
      }),
  },
  loadedLatency: {
    args: (c) => [{ chaseBytes: 65536, chaseCpu: c.cpu, streamCpus: [], streamBytes: 65536, pauseNs: 0, durationNs: 100000, seed: 1 }],
    fields: {
      "0": { object: true },
      "0.chaseBytes": { int: [4096, 2 ** 40] },
      "0.chaseCpu": { cpu: true },
      "0.streamCpus": { cpus: true, emptyOk: true },
      "0.streamBytes": { int: [65536, 2 ** 40] },
      "0.pauseNs": { int: [0, 2 ** 40] },
      "0.durationNs": { int: [1000, 2 ** 40] },
      "0.seed": { int: [0, 2 ** 53] },
    },
    extra: (c) =>
      beyondMemory(2 ** 41, {
        "streamers of a terabyte each": [
          [{ chaseBytes: 65536, chaseCpu: c.cpu, streamCpus: [c.cpu, c.cpu], streamBytes: 2 ** 40, pauseNs: 0, durationNs: 1000, seed: 1 }],
          "RangeError",
        ],
      }),
  },
  gemmPool: {
    args: (c) => [[c.cpu], false],
    fields: { "0": { cpus: true }, "1": { bool: true, accepts: [undefined] } },
  },
  gemmPath: {
    args: (c) => [{ kernel: gemmCase(c).kernel, m: 8, n: 8, k: 8, transA: 0, transB: 0 }],
    fields: (c) => ({
      "0": { object: true },
      "0.kernel": { int: [0, c.n.gemmKernels().length - 1] },
      "0.m": { int: [1, 2 ** 20] },
      "0.n": { int: [1, 2 ** 20] },
      "0.k": { int: [1, 2 ** 20] },
      "0.transA": { int: [0, 1] },
      "0.transB": { int: [0, 1] },
    }),
  },
  gemmMeasure: {
    args: (c) => [{ ...gemmCase(c), pool: c.pool }],
    fields: (c) => ({
      "0": { object: true },
      "0.dtype": { enumString: ["fp32", "bf16"] },
      "0.kernel": { int: [0, c.n.gemmKernels().length - 1] },
      "0.pool": { handle: "pool", accepts: [undefined] },
      "0.m": { int: [1, 2 ** 20] },
      "0.n": { int: [1, 2 ** 20] },
      "0.k": { int: [1, 2 ** 20] },
      "0.transA": { int: [0, 1] },
      "0.transB": { int: [0, 1] },
      "0.warm": { int: [0, 1] },
      "0.seed": { int: [0, 2 ** 53] },
      "0.samples": { int: [1, 100000] },
      "0.minSampleNs": { int: [0, 2 ** 40] },
    }),
    extra: (c) => {
      const base = gemmCase(c);
      const bf16 = c.n.gemmKernels().find((g) => g.dtype === "bf16");
      const out: Record<string, [unknown[], Expect]> = {
        "an engine as the peer": [[{ ...base, peer: c.engine }], "TypeError"],
        "a pool as the peer": [[{ ...base, peer: c.pool }], "TypeError"],
        "a number as the peer": [[{ ...base, peer: 1 }], "TypeError"],
        "operands of 2^20 x 2^20 x 2^20": [[{ ...base, m: 2 ** 20, n: 2 ** 20, k: 2 ** 20 }], "RangeError"],
      };
      if (bf16) out["a bf16 kernel for fp32"] = [[{ ...base, kernel: bf16.index }], "RangeError"];
      return out;
    },
  },
  peerOpen: {
    args: () => ["no-such-peer"],
    fields: { "0": { string: true }, "1": { string: true, accepts: [undefined] } },
    extra: () => ({ "NUL in the path": [["openblas", "/lib\0/x.so"], "RangeError"] }),
  },
  peerSetThreads: {
    // Without a peer library here, only the refusals can be tried (the control is skipped).
    args: (c) => [c.peer, 1],
    fields: { "0": { handle: "peer" }, "1": { int: [1, 4096] } },
  },
  convAlgos: { args: () => [{ ...shape }], fields: { "0": { object: true }, ...shapeFields } },
  convOutput: { args: () => [{ ...shape }], fields: { "0": { object: true }, ...shapeFields } },
  convMeasure: {
    args: (c) => [{ ...shape, dtype: "fp32", algo: convAlgo(c), bias: 0, act: 0, seed: 1, samples: 1, minSampleNs: 0, pool: c.pool }],
    fields: (c) => ({
      "0": { object: true },
      ...shapeFields,
      "0.dtype": { enumString: ["fp32", "bf16"] },
      "0.algo": { int: [0, c.n.convAlgos({ ...shape }).length - 1] },
      "0.bias": { int: [0, 1] },
      "0.act": { int: [0, 2] },
      "0.seed": { int: [0, 2 ** 53] },
      "0.samples": { int: [1, 100000] },
      "0.minSampleNs": { int: [0, 2 ** 40] },
      "0.pool": { handle: "pool", accepts: [undefined] },
    }),
    extra: (c) => {
      const base = { ...shape, dtype: "fp32", algo: convAlgo(c), bias: 0, act: 0, seed: 1, samples: 1, minSampleNs: 0 };
      return {
        "tensors too large to address": [[{ ...base, n: 2 ** 24, c: 2 ** 24, h: 2 ** 10, w: 2 ** 10, r: 1, s: 1, pad: 0 }], "RangeError"],
        "an input of 256 TiB": [[{ ...base, n: 2 ** 10, c: 2 ** 12, h: 2 ** 12, w: 2 ** 12, k: 1, r: 1, s: 1, pad: 0 }], "RangeError"],
        "a kernel larger than the input": [[{ ...base, r: 9, pad: 0 }], "RangeError"],
        "channels not divisible by groups": [[{ ...base, groups: 3 }], "RangeError"],
      };
    },
  },
  engineCreate: {
    args: (c) => [reluProgram(), c.pool],
    fields: {
      "0": { object: true },
      "0.arenaBytes": { int: [1, 2 ** 50] },
      "0.nchwcBlock": { int: [0, 1024] },
      "0.inputs": { object: true },
      "0.outputs": { object: true },
      "0.steps": { object: true },
      "1": { handle: "pool", accepts: [undefined, null] },
    },
    extra: (c) => {
      const p = reluProgram;
      const step = (patch: Record<string, unknown>) => ({ ...p(), steps: [{ op: "relu", name: "r", x: ref(0, [1, 4]), y: ref(64, [1, 4]), ...patch }] });
      return {
        "an arena of 2^49 bytes": [[{ ...p(), arenaBytes: 2 ** 49 }], "RangeError"],
        "a step that is not an object": [[{ ...p(), steps: [1] }], "TypeError"],
        "an unknown op": [[step({ op: "teleport" })], "TypeError"],
        "a tensor of five dims": [[step({ x: ref(0, [1, 1, 1, 1, 4]) })], "RangeError"],
        "a tensor dim of 2^31": [[step({ x: ref(0, [2 ** 31, 4]) })], "RangeError"],
        "dims of 2^30 x 2^30 x 2^30 x 2^30": [[step({ x: ref(0, [2 ** 30, 2 ** 30, 2 ** 30, 2 ** 30]) })], "Error"],
        "a tensor past the arena": [[step({ y: ref(2 ** 40, [1, 4]) })], "Error"],
        "a negative offset": [[step({ x: ref(-64, [1, 4]) })], "RangeError"],
        "a layout that does not exist": [[step({ x: { offset: 0, dims: [1, 4], layout: "nhwc" } })], "TypeError"],
        "gemm weights as a Float64Array": [[gemmProgram(new Float64Array(8))], "TypeError"],
        "gemm weights as a plain array": [[gemmProgram([1, 2, 3, 4, 5, 6, 7, 8])], "TypeError"],
        "gemm weights of the wrong length": [[gemmProgram(new Float32Array(7))], "Error"],
        "an input that is not an object": [[{ ...p(), inputs: [5] }], "TypeError"],
        "an engine where the pool belongs": [[p(), c.engine], "TypeError"],
        ...(c.peer ? { "a peer where the pool belongs": [[p(), c.peer], "TypeError"] as [unknown[], Expect] } : {}),
      };
    },
  },
  engineRun: {
    args: (c) => [c.engine, x4(), { profile: false }],
    fields: { "0": { handle: "engine" }, "1": inputsField, "2": { object: true, accepts: [undefined] }, "2.profile": { bool: true, accepts: [undefined] } },
    extra: (c) => inputExtras(c),
  },
  engineMeasure: {
    args: (c) => [c.engine, x4(), { warmup: 0, iterations: 1, profile: false }],
    fields: {
      "0": { handle: "engine" },
      "1": inputsField,
      "2": { object: true },
      "2.warmup": { int: [0, 1e6] },
      "2.iterations": { int: [1, 1e6] },
      "2.profile": { bool: true, accepts: [undefined] },
    },
    extra: (c) => ({ ...inputExtras(c), "profile of 2^24 + 1 step times": [[c.engine, x4(), { warmup: 0, iterations: 2 ** 24 + 1, profile: true }], "RangeError"] }),
  },
  engineInfo: { args: (c) => [c.engine], fields: { "0": { handle: "engine" } } },
};

/** Engine inputs of the wrong kind, for engineRun and engineMeasure. */
function inputExtras(c: Ctx): Record<string, [unknown[], Expect]> {
  const opts = { warmup: 0, iterations: 1 };
  const e = c.engine;
  return {
    "no inputs": [[e, [], opts], "RangeError"],
    "two inputs for one": [[e, [...x4(), ...x4()], opts], "RangeError"],
    "a Float64Array input": [[e, [new Float64Array(4)], opts], "TypeError"],
    "an Int32Array input": [[e, [new Int32Array(4)], opts], "TypeError"],
    "a plain array input": [[e, [[1, 2, 3, 4]], opts], "TypeError"],
    "a short input": [[e, [new Float32Array(3)], opts], "RangeError"],
    "a long input": [[e, [new Float32Array(5)], opts], "RangeError"],
    "a Float32Array where the array of inputs belongs": [[e, new Float32Array(4), opts], "TypeError"],
    "a pool where the engine belongs": [[c.pool, x4(), opts], "TypeError"],
  };
}

/** The values a field is replaced with, each with the error class it must raise. */
function variants(f: Field, c: Ctx): [string, unknown, Expect][] {
  const out: [string, unknown, Expect][] = [];
  const handles: [string, unknown][] = [
    ["a pool handle", c.pool],
    ["an engine handle", c.engine],
    ...(c.peer ? ([["a peer handle", c.peer]] as [string, unknown][]) : []),
  ];
  if ("int" in f) {
    const [lo, hi] = f.int;
    for (const [l, v] of [...WRONG_TYPES, ...handles]) out.push([l, v, "TypeError"]);
    const nums: [string, number][] = [
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["-Infinity", -Infinity],
      [`lo - 1 (${lo - 1})`, lo - 1],
      [`hi + 1 (${hi + 1})`, hi + 1],
      ["-1", -1],
      ["2^53", 2 ** 53 + (hi >= 2 ** 53 ? 2 : 0)],
      ["-2^53", -(2 ** 53)],
      ["1e300", 1e300],
      ["lo + 0.5", lo + 0.5],
    ];
    for (const [l, v] of nums) if (!(v >= lo && v <= hi && Number.isInteger(v))) out.push([l, v, "RangeError"]);
  } else if ("string" in f) {
    for (const [l, v] of [...WRONG_TYPES.filter(([, v]) => typeof v !== "string"), ["a number", 42], ...handles] as [string, unknown][])
      out.push([l, v, "TypeError"]);
  } else if ("bool" in f) {
    for (const [l, v] of [...WRONG_TYPES.filter(([, v]) => typeof v !== "boolean"), ["0", 0], ["1", 1], ...handles] as [string, unknown][])
      out.push([l, v, "TypeError"]);
  } else if ("handle" in f) {
    for (const [l, v] of [...WRONG_TYPES, ["0", 0], ["-1", -1], ["NaN", NaN], ...handles] as [string, unknown][]) {
      if ((c as unknown as Record<string, unknown>)[f.handle] === v) continue;
      out.push([l, v, "TypeError"]);
    }
  } else if ("cpus" in f) {
    for (const [l, v] of [...WRONG_TYPES.filter(([, v]) => !Array.isArray(v)), ["an Int32Array", new Int32Array([c.cpu])], ["a pool handle", c.pool]] as [string, unknown][])
      out.push([l, v, "TypeError"]);
    out.push(["['0']", ["0"], "TypeError"], ["[null]", [null], "TypeError"]);
    for (const [l, v] of [
      ["[NaN]", [NaN]],
      ["[-1]", [-1]],
      ["[0.5]", [0.5]],
      ["[2^53]", [2 ** 53]],
      ["[65537]", [65537]],
      [`[a CPU this process may not use (${c.forbiddenCpu})]`, [c.forbiddenCpu]],
      ["4097 CPUs", Array.from({ length: 4097 }, () => c.cpu)],
    ] as [string, unknown][])
      out.push([l, v, "RangeError"]);
    if (!f.emptyOk) out.push(["[]", [], "RangeError"]);
  } else if ("cpu" in f) {
    for (const [l, v] of [...WRONG_TYPES, ...handles]) out.push([l, v, "TypeError"]);
    for (const [l, v] of [["NaN", NaN], ["-2", -2], ["0.5", 0.5], ["2^53", 2 ** 53], ["65537", 65537], [`${c.forbiddenCpu} (not ours)`, c.forbiddenCpu]] as [string, number][])
      out.push([l, v, "RangeError"]);
  } else if ("enumString" in f) {
    for (const [l, v] of [...WRONG_TYPES, ["a number", 1], ["an unknown name", "fp64"]] as [string, unknown][]) out.push([l, v, "TypeError"]);
  } else {
    // An options object, an array of inputs, or a program: anything else is a type error.
    for (const [l, v] of [["undefined", undefined], ["null", null], ["a number", 1], ["a string", "x"], ["a boolean", false], ...handles] as [string, unknown][])
      out.push([l, v, "TypeError"]);
  }
  const accepts = "accepts" in f ? (f.accepts ?? []) : [];
  return out.filter(([, v]) => !accepts.some((a) => Object.is(a, v)));
}

function clone(args: unknown[]): unknown[] {
  return args.map((a) => (a && typeof a === "object" && !ArrayBuffer.isView(a) && !Array.isArray(a) && Object.getPrototypeOf(a) === Object.prototype ? { ...a } : a));
}

async function outcome(call: () => unknown): Promise<{ got: string; message: string }> {
  try {
    const r = call();
    if (r instanceof Promise) await r;
    return { got: "ok", message: "" };
  } catch (e) {
    const err = e as Error;
    return { got: err?.constructor?.name ?? typeof e, message: String(err?.message ?? e) };
  }
}

async function main(name: string): Promise<void> {
  const n = loadNative() as Addon;
  const fn = n[name];
  const spec = SPECS[name];
  if (typeof fn !== "function" || !spec) {
    console.log(JSON.stringify({ fn: name, missing: true }));
    return;
  }
  const call = (args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(n, args);
  const allowed = n.allowedCpus();
  const cpu = allowed[0]!;
  let forbiddenCpu = 0;
  while (allowed.includes(forbiddenCpu)) forbiddenCpu++;
  const formIndex = n.fmaForms().findIndex((f) => f.unsupported === null);
  const pool = n.gemmPool([cpu]);
  const engine = n.engineCreate(reluProgram() as never);
  const peers = ["openblas", "blis", "onednn"].map((p) => n.peerOpen(p)).find((p) => p.ok);
  const ctx: Ctx = { n, cpu, forbiddenCpu, formIndex, pool, engine, peer: peers && peers.ok ? peers.handle : null };
  const results: Outcome[] = [];
  if (spec.noArgs) {
    for (const [label, args] of [["no arguments", []], ["junk arguments", [NaN, pool, "x", {}]]] as [string, unknown[]][]) {
      results.push({ label, expect: "ok", ...(await outcome(() => call(args))) });
    }
  } else {
    const valid = spec.args!(ctx);
    // peerSetThreads without a peer library here: only its handle checks can be tried.
    const noPeer = name === "peerSetThreads" && ctx.peer === null;
    if (!noPeer) results.push({ label: "control (a valid call)", expect: "ok", ...(await outcome(() => call(clone(valid)))) });
    results.push({ label: "no arguments", expect: "TypeError", ...(await outcome(() => call([])) ) });
    const fields = typeof spec.fields === "function" ? spec.fields(ctx) : (spec.fields ?? {});
    for (const [path, field] of Object.entries(fields)) {
      const [i, key] = path.split(".") as [string, string | undefined];
      if (noPeer && path !== "0") continue;
      for (const [label, v, expect] of variants(field, ctx)) {
        const args = clone(valid);
        if (key) {
          const o = args[Number(i)] as Record<string, unknown>;
          if (v === undefined) delete o[key];
          else o[key] = v;
        } else {
          args[Number(i)] = v;
        }
        results.push({ label: `${path} = ${label}`, expect, ...(await outcome(() => call(args))) });
      }
    }
    for (const [label, [args, expect]] of Object.entries(spec.extra?.(ctx) ?? {})) {
      results.push({ label, expect, ...(await outcome(() => call(args))) });
    }
  }
  console.log(JSON.stringify({ fn: name, peer: ctx.peer !== null, results }));
}

const arg = process.argv[2];
if (arg && process.argv[1]?.endsWith("addon-call.js")) {
  (arg === "--overlap" ? overlap() : main(arg)).catch((e: unknown) => {
    console.log(JSON.stringify({ fn: arg, harnessError: String((e as Error)?.stack ?? e) }));
  });
}

/**
 * `node addon-call.js --overlap`: calls that share a pool overlap (unawaited promises,
 * different sizes, so the pool's scratch grows while another call could use it). Before
 * the binding serialized them this ended in SIGSEGV. Prints { results: ["ok" | message] }.
 */
async function overlap(): Promise<void> {
  const n = loadNative() as Addon;
  const cpus = n.allowedCpus().slice(0, 2);
  const pool = n.gemmPool(cpus);
  const k = n.gemmKernels().find((g) => g.dtype === "fp32" && g.isDefault)!.index;
  const engine = n.engineCreate(gemmProgram(new Float32Array(8).fill(0.5)) as never, pool);
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < 16; i++) {
    const s = 64 + ((i * 97) % 7) * 96;
    jobs.push(
      n
        .gemmMeasure({ dtype: "fp32", kernel: k, pool, m: s, n: s, k: 3 * s, transA: 0, transB: 0, warm: 1, seed: i, samples: 2, minSampleNs: 0 })
        .then((r) => (r.check.passed ? "ok" : "the check failed")),
    );
    jobs.push(n.engineRun(engine, x4()).then((r) => (r.outputs[0]![0] === 0 && r.outputs[0]![1] === 0 ? "ok" : `wrong output ${r.outputs[0]}`)));
  }
  const results = await Promise.all(jobs.map((j) => j.catch((e: Error) => e.message)));
  console.log(JSON.stringify({ results }));
}
