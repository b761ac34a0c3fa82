/**
 * Published per-core figures (data/cores.json): cache sizes and load-to-use latencies,
 * FMA latency and rate per instruction form, FP/SIMD pipes and the products that use
 * each core. Every figure names a document of its core and the table or section it came
 * from; what the sources do not give is listed under `missing` with the reason. Matched
 * by the microarchitecture name src/sysinfo/microarch.ts decodes (or an alias); an
 * unknown core has none.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { packageRoot } from "../native.js";
import type { Env } from "../results/schema.js";

const positiveInt = z.number().int().positive();
const positive = z.number().positive();

/** A document of the core (a key of its `documents`) and where in it. */
const SourceRef = z.object({ doc: z.string().min(1), where: z.string().min(1) });

const DocumentSchema = z.object({
  title: z.string().min(10),
  /** "vendor": the designer's own manual or page; "llvm-model": a compiler scheduling model; "library": another project's table. */
  kind: z.enum(["vendor", "llvm-model", "library"]),
  /** Whether the document itself was read where the figures were written down (false: carried over, or quoted by readVia). */
  reachedHere: z.boolean(),
  readVia: z.string().optional(),
});

const DocumentedCache = z
  .object({
    level: positiveInt,
    type: z.enum(["Data", "Instruction", "Unified"]),
    sizeBytes: positiveInt,
    /** Sizes the core leaves to the implementer; sizeBytes is the largest. */
    configurableBytes: z.array(positiveInt).min(2).optional(),
    /** Null where the sources do not give it. */
    lineBytes: positiveInt.nullable(),
    ways: positiveInt.optional(),
    /** Cores sharing one instance (not logical CPUs: SMT is the product's choice). */
    sharedByCores: positiveInt,
    note: z.string().optional(),
    source: SourceRef,
    /** Cycles from a load's issue to a dependent load's, on a hit (integer loads). */
    loadToUseCycles: positive.optional(),
    loadToUseSource: SourceRef.optional(),
  })
  .refine((c) => (c.loadToUseCycles === undefined) === (c.loadToUseSource === undefined), {
    message: "loadToUseCycles and loadToUseSource come together",
    path: ["loadToUseSource"],
  });

const DocumentedFma = z.object({
  /** Latency from any input to the result. */
  latencyCycles: positive,
  /** Latency when only the accumulator depends on the previous result (late forwarding); absent where no source gives one. */
  accLatencyCycles: positive.optional(),
  /** Instructions per cycle per core; null where the sources give none. */
  perCycle: positive.nullable(),
  note: z.string().optional(),
  source: SourceRef,
  /** Where perCycle came from, when another document than `source`. */
  rateSource: SourceRef.optional(),
});

const Missing = z.object({
  /** The figure or group, e.g. "fma", "caches.L2.loadToUseCycles", "fma.sve.fmmla.s". */
  figure: z.string().min(1),
  status: z.enum(["not-published", "not-found"]),
  reason: z.string().min(10),
});

const DocumentedCoreSchema = z
  .object({
    name: z.string().min(1),
    designer: z.string().min(1),
    /** Other microarchitecture names (microarch.ts) that share these figures. */
    aliases: z.array(z.string().min(1)).optional(),
    products: z.array(z.object({ name: z.string().min(1), source: SourceRef })),
    documents: z.record(z.string(), DocumentSchema),
    caches: z.array(DocumentedCache),
    fmaPipes: z.object({ count: positiveInt, widthBits: positiveInt, note: z.string().optional(), source: SourceRef }).optional(),
    /** Keyed by the FMA form names of native/src/micro/fma_forms.cc. */
    fma: z.record(z.string(), DocumentedFma),
    missing: z.array(Missing),
  })
  .superRefine((core, ctx) => {
    // Every reference must name one of the core's own documents, so no figure is sourceless.
    const check = (ref: { doc: string } | undefined, where: (string | number)[]) => {
      if (ref && !Object.hasOwn(core.documents, ref.doc)) ctx.addIssue({ code: "custom", message: `names document "${ref.doc}", which the core's documents do not list`, path: [...where, "doc"] });
    };
    core.products.forEach((p, i) => check(p.source, ["products", i, "source"]));
    core.caches.forEach((c, i) => {
      check(c.source, ["caches", i, "source"]);
      check(c.loadToUseSource, ["caches", i, "loadToUseSource"]);
    });
    check(core.fmaPipes?.source, ["fmaPipes", "source"]);
    for (const [form, f] of Object.entries(core.fma)) {
      check(f.source, ["fma", form, "source"]);
      check(f.rateSource, ["fma", form, "rateSource"]);
    }
  });

const CoresFile = z.object({
  schema: z.literal("armbench-cores/2"),
  about: z.string().optional(),
  cores: z.array(DocumentedCoreSchema),
});

type ParsedCore = z.infer<typeof DocumentedCoreSchema>;
export type DocumentedCacheLevel = ParsedCore["caches"][number];
export type DocumentedFma = z.infer<typeof DocumentedFma>;
export type SourceRef = z.infer<typeof SourceRef>;
export type DocumentedCore = ParsedCore & {
  /** The cache figures' document and section, in words (what a documented cache size cites). */
  source: string;
};

export const CORES_FILE = path.join(packageRoot, "data", "cores.json");

let loaded: DocumentedCore[] | null = null;

/** A source reference in words: "<document title>: <where>". */
export function sourceText(core: Pick<ParsedCore, "documents">, ref: SourceRef): string {
  const doc = core.documents[ref.doc];
  return doc ? `${doc.title}: ${ref.where}` : ref.where;
}

/** Parses a cores file; a malformed one is refused naming the file and the field. */
export function parseCoresFile(text: string, file: string): DocumentedCore[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const r = CoresFile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${file}: field ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return r.data.cores.map((core) => {
    const l1 = core.caches.find((c) => c.type !== "Instruction") ?? core.caches[0];
    const source = l1 ? sourceText(core, l1.source) : `${core.name}: no documented cache figures`;
    return { ...core, source };
  });
}

/** Every documented core (the package's own data file, read once). */
export function documentedCores(): DocumentedCore[] {
  loaded ??= parseCoresFile(readFileSync(CORES_FILE, "utf8"), CORES_FILE);
  return loaded;
}

/** The documented figures of a microarchitecture by name or alias, or null. */
export function documentedCoreByName(name: string, cores: readonly DocumentedCore[] = documentedCores()): DocumentedCore | null {
  return cores.find((c) => c.name === name) ?? cores.find((c) => c.aliases?.includes(name)) ?? null;
}

/** The documented figures of the machine's core, or null for an unknown core. */
export function documentedCore(env: Pick<Env, "cpu">): DocumentedCore | null {
  return documentedCoreByName(env.cpu.microarch.name);
}
