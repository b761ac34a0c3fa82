/**
 * The results file format, schema "armbench/1": an environment block and records.
 * The zod schemas are the single definition; the TypeScript types derive from them.
 * The schema version is the file format's own, separate from the package version.
 */
import { z } from "zod";

export const SCHEMA = "armbench/1";

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const ParamValue = z.union([z.string(), finite, z.boolean(), z.null()]);

/** Where a machine fact came from, best first; "default" is a labelled guess. */
export const FactSource = z.enum(["sysfs", "cpuid", "documented", "measured", "default"]);

const CacheLevel = z.object({
  level: z.number().int().positive(),
  type: z.string(),
  sizeBytes: z.number().int().positive(),
  lineBytes: z.number().int().positive().nullable(),
  ways: z.number().int().nonnegative().nullable(),
  sharedByCpus: z.number().int().positive(),
  /** Files written before sources were recorded read their caches from sysfs. */
  source: FactSource.default("sysfs"),
  /** Another source's size for this level where it differs by more than 1.5x. */
  disagrees: z.array(z.object({ source: FactSource, sizeBytes: z.number().int().positive(), note: z.string().optional() })).optional(),
  /** Why this level may not be what it seems (e.g. a VM reporting a whole package's L3). */
  note: z.string().optional(),
});

/** A core-clock chain's median rate in GHz, one step per cycle assumed. */
const ClockChain = z.object({ name: z.string(), ghz: finite });

export const Env = z.looseObject({
  createdAt: z.string(),
  armbench: z.looseObject({
    version: z.string(),
    git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  }),
  machine: z.looseObject({
    hostname: z.string(),
    /** Hypervisor or container name, or null on bare metal / when unknown. */
    virtualization: z.string().nullable(),
    systemModel: z.string().nullable(),
  }),
  cpu: z.looseObject({
    vendor: z.string(),
    model: z.string(),
    microarch: z.looseObject({ name: z.string(), designer: z.string(), source: z.string(), seenIn: z.string().optional() }),
    /** Every distinct core type, for big.LITTLE parts. */
    coreTypes: z.array(z.string()),
    sockets: z.number().int().nonnegative().nullable(),
    cores: z.number().int().positive(),
    threads: z.number().int().positive(),
    numaNodes: z.number().int().positive().nullable(),
  }),
  isa: z.looseObject({
    arch: z.string(),
    features: z.record(z.string(), z.boolean()),
    sveVectorBytes: z.number().int().nonnegative(),
    smeVectorBytes: z.number().int().nonnegative(),
  }),
  caches: z.array(CacheLevel),
  memory: z.looseObject({
    totalBytes: z.number().nonnegative(),
    thp: z.string().nullable(),
    hugePageBytes: z.number().int().positive().nullable(),
  }),
  os: z.looseObject({ platform: z.string(), distro: z.string(), release: z.string(), kernel: z.string() }),
  clock: z.looseObject({
    /** Where cycle counts come from: a hardware counter, or time x the estimated clock. */
    cycleSource: z.enum(["perf", "estimate"]),
    perfUnavailable: z.string().nullable(),
    coreClockHz: finite,
    coreClockMethod: z.string(),
    /**
     * Where coreClockHz came from: "perf" (counted cycles over the chains' time) or
     * "estimate" (the chains' steps per second, one step per cycle assumed). Files
     * written before it: an estimate from one `add $1` chain.
     */
    coreClockSource: z.enum(["perf", "estimate"]).optional(),
    /** Each clock chain's median rate, one step per cycle assumed, and its measured steps per cycle where perf counts. */
    chains: z.array(ClockChain.extend({ insn: z.string(), stepsPerCycle: finite.nullable() })).optional(),
    /** The second chain's rate relative to the first's, minus 1 (median of side-by-side pairs); beyond +-0.03 they disagree. */
    chainAgreement: finite.optional(),
    chainsAgree: z.boolean().optional(),
    refCounter: z.object({ name: z.string(), hz: finite, invariant: z.boolean() }),
    monotonicResolutionNs: finite,
  }),
  governor: z.string().nullable(),
  loadAverage: z.array(finite),
  build: z.looseObject({ compiler: z.string(), buildType: z.string(), flags: z.string(), isaFlags: z.string() }),
  versions: z.looseObject({ node: z.string(), v8: z.string(), napi: z.string(), dependencies: z.record(z.string(), z.string()) }),
  warnings: z.array(z.string()),
});

export const Spread = z.object({
  n: z.number().int().positive(),
  min: finite,
  max: finite,
  p90: finite,
  mean: finite,
  mad: finite,
  ci: z.object({ low: finite, high: finite, level: finite }),
  outliers: z.number().int().nonnegative(),
});

/**
 * The answer check a measurement passed before it was timed (or failed), or why it was
 * not checked. Not checked is `passed: null` with a reason, never a boolean, so no reader
 * that tests `passed` (or its truthiness) can take it for a pass.
 */
export const Check = z
  .looseObject({
    /** How the answer was checked, e.g. "max-rel-err vs fp64 reference". */
    method: z.string().min(1),
    passed: z.boolean().nullable(),
    /** Why nothing was compared; required when `passed` is null. */
    reason: z.string().optional(),
  })
  .refine((c) => c.passed !== null || (c.reason !== undefined && c.reason.trim() !== ""), {
    message: "a check that was not made (passed: null) must say why in reason",
    path: ["reason"],
  })
  // Files written before `passed: null` existed marked model records that compared nothing as
  // passed, with these two methods: they load as what they were, not checked.
  .transform((c) => {
    if (c.passed !== true) return c;
    if (c.method === "not checked: no reference engine ran") return { ...c, passed: null, reason: "no reference engine ran" };
    if (c.method === "the reference engine (nothing to check it against)") return { ...c, passed: null, reason: "the reference engine: nothing checked it" };
    return c;
  });

/** The clock a cycle figure was converted with, and where that clock came from. */
export const RecordClock = z.object({
  /** The median of the clocks the figure's samples were converted with. */
  ghz: finite,
  /**
   * "perf": the GHz is counted cycles over the probe's own time; "user": --clock-ghz;
   * "estimate": the clock chains' rate on the pinned core.
   */
  source: z.enum(["perf", "user", "estimate"]),
  /**
   * For an estimate, when the chains ran: "sample" (beside every sample), "point"
   * (beside every working set of a sweep), "probe" (before and after the whole probe).
   * An estimate written before this field: "probe", with one `add $1` chain.
   */
  beside: z.enum(["sample", "point", "probe"]).optional(),
  /** For an estimate, each chain's rate beside the probe. */
  chains: z.array(ClockChain).optional(),
  /** For an estimate, the second chain's rate relative to the first's, minus 1 (median of side-by-side pairs). */
  agreement: finite.optional(),
});

const RecordBase = {
  suite: z.string().min(1),
  name: z.string().min(1),
  impl: z.string().min(1),
  params: z.record(z.string(), ParamValue),
  unit: z.string().min(1),
  clock: RecordClock.optional(),
  /** Figures derived beside the main one (e.g. ns beside cycles), each with its unit in the key. */
  derived: z.record(z.string(), z.union([finite, z.string(), z.boolean(), z.null()])).optional(),
  /**
   * Whether this is its benchmark's headline figure (src/results/headline.ts): only these
   * gate `compare --fail-on-regression` and enter the report's aggregates. Absent (files
   * written before the flag): false.
   */
  headline: z.boolean().optional(),
};

export const OkRecord = z.object({
  ...RecordBase,
  status: z.literal("ok"),
  samples: z.array(finite).min(1),
  median: finite,
  spread: Spread,
  /** Passed, or not checked (with the reason); a failed check makes a failed record, never an ok one. */
  check: Check.refine((c) => c.passed !== false, { message: "an ok record cannot carry a failed check", path: ["passed"] }),
});

export const FailedRecord = z.object({
  ...RecordBase,
  status: z.literal("failed"),
  reason: z.string().min(1),
  check: Check.optional(),
});

export const UnavailableRecord = z.object({
  ...RecordBase,
  status: z.literal("unavailable"),
  reason: z.string().min(1),
});

/** A tagged union, so nothing can read statistics from a failed or unavailable case. */
export const ResultRecord = z.discriminatedUnion("status", [OkRecord, FailedRecord, UnavailableRecord]);

export const ResultsFile = z.object({
  schema: z.literal(SCHEMA),
  env: Env,
  records: z.array(ResultRecord),
});

export type Env = z.infer<typeof Env>;
export type EnvCacheLevel = z.infer<typeof CacheLevel>;
export type FactSource = z.infer<typeof FactSource>;
export type Spread = z.infer<typeof Spread>;
export type RecordClock = z.infer<typeof RecordClock>;
export type Check = z.infer<typeof Check>;
export type ParamValue = z.infer<typeof ParamValue>;
export type OkRecord = z.infer<typeof OkRecord>;
export type FailedRecord = z.infer<typeof FailedRecord>;
export type UnavailableRecord = z.infer<typeof UnavailableRecord>;
export type ResultRecord = z.infer<typeof ResultRecord>;
export type ResultsFile = z.infer<typeof ResultsFile>;
