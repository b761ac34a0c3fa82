/** Suites are data (suites/*.json): read, validated and merged with their quick overrides here. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { UserError } from "./errors.js";
import { packageRoot } from "./native.js";

const positive = z.number().positive();
const count = z.number().int().positive();

// Upper bounds: what the addon accepts (native/binding), so a suite file can never reach
// it with a value it refuses; such a value is the suite's mistake, named with its field.
const sampleCount = count.max(100_000);
const nanos = z.number().int().nonnegative().max(2 ** 40);
const seedValue = z.number().int().nonnegative().max(2 ** 53);
const stepCount = count.max(2 ** 40);
const byteCount = count.max(2 ** 40);
const ratio = positive.max(1024);
const passCount = count.max(100);

const FmaSuite = z.object({
  steps: stepCount,
  samples: sampleCount,
  modes: z.array(z.enum(["acc", "full"])).min(1),
  /** Core-clock chain steps timed beside each sample (default CLOCK_STEPS_BESIDE); an emulator's suite makes it small. */
  clockSteps: stepCount.optional(),
});

const LatencySuite = z.object({
  minBytes: byteCount,
  llcMultiple: ratio,
  pointsPerOctave: ratio,
  stride: z.number().int().min(8).max(4096),
  passes: passCount,
  loads: stepCount,
  samples: sampleCount,
  seed: seedValue,
});

const TlbSuite = z.object({
  pageBytes: z.number().int().min(256).max(2 ** 30),
  minPages: count.max(2 ** 28),
  maxPages: count.max(2 ** 28),
  pointsPerOctave: ratio,
  loads: stepCount,
  samples: sampleCount,
  seed: seedValue,
});

const BandwidthSuite = z.object({
  kernels: z.array(z.string()).min(1),
  minBytes: byteCount,
  llcMultiple: ratio,
  pointsPerOctave: ratio,
  bytesPerSample: byteCount,
  samples: sampleCount,
});

const LoadedSuite = z.object({
  pausesNs: z.array(z.number().int().nonnegative()).min(1),
  streamBytes: byteCount,
  durationNs: nanos.refine((n) => n > 0, "must be positive"),
  seed: seedValue,
});

export const MicroSuite = z.object({
  fma: FmaSuite,
  latency: LatencySuite,
  tlb: TlbSuite,
  bandwidth: BandwidthSuite,
  loaded: LoadedSuite,
});
export type MicroSuite = z.infer<typeof MicroSuite>;

type Json = { [key: string]: unknown };

/** Deep-merges `quick` overrides of every section into the section. */
function applyQuick(section: Json, quick: boolean): Json {
  const { quick: overrides, $comment: _comment, ...base } = section;
  if (!quick || typeof overrides !== "object" || overrides === null) return base;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(overrides as Json)) {
    const b = out[k];
    out[k] = typeof v === "object" && v !== null && !Array.isArray(v) && typeof b === "object" && b !== null ? { ...(b as Json), ...(v as Json) } : v;
  }
  return out;
}

/**
 * The suite file a command uses by default: $ARMBENCH_SUITES_DIR/NAME.json where that
 * folder has one (a whole set of suites resized at once, e.g. for an emulator), else
 * the package's suites/NAME.json.
 */
export function defaultSuiteFile(name: string): string {
  const dir = process.env.ARMBENCH_SUITES_DIR;
  const own = dir ? path.resolve(dir, `${name}.json`) : null;
  return own && existsSync(own) ? own : path.join(packageRoot, "suites", `${name}.json`);
}

export function loadSuite<T>(name: string, schema: z.ZodType<T>, quick: boolean, file: string = defaultSuiteFile(name)): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`cannot read suite ${file}: ${(err as Error).message}.`);
  }
  if (typeof raw !== "object" || raw === null) throw new UserError(`suite ${file} must hold a JSON object.`);
  // "quick" overrides may sit at the top (the whole suite) or inside each section.
  const merged: Json = {};
  for (const [k, v] of Object.entries(applyQuick(raw as Json, quick))) {
    merged[k] = typeof v === "object" && v !== null && !Array.isArray(v) ? applyQuick(v as Json, quick) : v;
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`suite ${file} is invalid at ${issue.path.join(".") || "(top level)"}: ${issue.message}.`);
  }
  return parsed.data;
}

/** suites/peak.json: how the one peak per dtype and thread count is measured, for every step. */
export const PeakSuite = z.object({ steps: stepCount, samples: sampleCount, passes: passCount.default(1) });
export type PeakSuite = z.infer<typeof PeakSuite>;

const gemmDim = count.max(2 ** 20);
const GemmShape = z.object({ name: z.string().min(1), m: gemmDim, n: gemmDim, k: gemmDim });

const PeerOverride = z.object({
  /** Environment variable the library reads at load time. */
  variable: z.string().min(1),
  /** Variants that already use the CPU's widest vectors: no override needed. */
  fullSpeed: z.array(z.string()),
  /** The value that selects the AVX-512 (and AVX-512 BF16) kernels. */
  avx512: z.string().optional(),
  avx512_bf16: z.string().optional(),
});

export const GemmSuite = z.object({
  square: z.array(gemmDim).min(1),
  shapeSets: z.record(z.string(), z.array(GemmShape).min(1)),
  defaultShapeSets: z.array(z.string()).min(1),
  samples: sampleCount,
  /** Passes over the case list that armbench's own samples are split across (src/passes.ts). */
  passes: passCount.default(1),
  minSampleNs: nanos,
  seed: seedValue,
  peers: z.array(z.string()),
  overrides: z.record(z.string(), PeerOverride),
});
export type GemmSuite = z.infer<typeof GemmSuite>;
export type GemmShape = z.infer<typeof GemmShape>;
export type PeerOverride = z.infer<typeof PeerOverride>;

const convSize = count.max(2 ** 24);
const convWindow = count.max(1024);

const ConvLayer = z.object({
  name: z.string().min(1),
  c: convSize,
  h: convSize,
  w: convSize,
  k: convSize,
  r: convWindow,
  s: convWindow,
  stride: convWindow,
  /** Symmetric padding on every side. */
  pad: z.number().int().nonnegative().max(1024),
  groups: convSize,
  /** How many times the layer occurs in the network. */
  count: count.max(1_000_000),
});

export const ConvSuite = z.object({
  batches: z.array(count.max(1024)).min(1),
  samples: sampleCount,
  /** 1: each layer's winner keeps its selection samples; more: its samples are taken again in passes - 1 later passes over the layers. */
  passes: passCount.default(1),
  minSampleNs: nanos,
  seed: seedValue,
  nets: z.record(z.string(), z.array(ConvLayer).min(1)),
});
export type ConvSuite = z.infer<typeof ConvSuite>;
export type ConvLayer = z.infer<typeof ConvLayer>;

export const ModelSuite = z.object({
  /** The built-in models `armbench model` and `armbench run` know (src/engine/models). */
  models: z.array(z.string().min(1)).min(1),
  batches: z.array(count.max(1024)).min(1),
  inputSize: count.max(4096),
  /** Tokens per sequence of the built-in transformers. */
  seq: count.max(512).default(128),
  warmup: z.number().int().nonnegative().max(100_000),
  iterations: sampleCount,
});
export type ModelSuite = z.infer<typeof ModelSuite>;

/** The commands a run step may start (run itself, report and compare are not measurements). */
export const RUN_STEP_COMMANDS = ["info", "micro", "gemm", "conv", "model"] as const;
/** Options run sets on every step itself; a suite that sets them would fight it (--threads: a step's own wins over run's). */
const RUN_OWNED_OPTIONS = ["--json", "--quiet", "--peaks", "--out"];

const runArgs = z
  .array(z.string().min(1).max(4096))
  .min(1)
  .max(64)
  .refine((a) => (RUN_STEP_COMMANDS as readonly string[]).includes(a[0]!), `must start with one of ${RUN_STEP_COMMANDS.join(", ")}`)
  .refine((a) => !a.some((x) => RUN_OWNED_OPTIONS.includes(x.split("=")[0]!)), `must not set ${RUN_OWNED_OPTIONS.join(", ")} (run sets them)`);

const RunStepSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be 1-40 lower-case letters, digits or dashes"),
    quick: runArgs,
    full: runArgs.optional(),
    usesPeaks: z.boolean().optional(),
  })
  .transform((s) => ({ ...s, full: s.full ?? s.quick }));

/** suites/run.json: the steps of armbench run. */
export const RunSuite = z.object({
  steps: z
    .array(RunStepSchema)
    .min(1)
    .max(64)
    .refine((steps) => new Set(steps.map((s) => s.name)).size === steps.length, "step names must be unique"),
});
export type RunSuite = z.infer<typeof RunSuite>;

