/**
 * Published per-core figures (data/cores.json): cache sizes, FMA latency and rate per
 * instruction form, each core with the document it came from. Matched by the
 * microarchitecture name src/sysinfo/microarch.ts decodes; an unknown core has none.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { packageRoot } from "../native.js";
import type { Env } from "../results/schema.js";

const positiveInt = z.number().int().positive();

const DocumentedCache = z.object({
  level: positiveInt,
  type: z.enum(["Data", "Instruction", "Unified"]),
  sizeBytes: positiveInt,
  /** Sizes the core leaves to the implementer; sizeBytes is the largest. */
  configurableBytes: z.array(positiveInt).min(2).optional(),
  lineBytes: positiveInt,
  ways: positiveInt.optional(),
  /** Cores sharing one instance (not logical CPUs: SMT is the product's choice). */
  sharedByCores: positiveInt,
  loadToUseCycles: positiveInt.optional(),
  note: z.string().optional(),
});

const DocumentedFma = z.object({
  latencyCycles: z.number().positive(),
  /** Instructions per cycle per core; null where the document gives none. */
  perCycle: z.number().positive().nullable(),
});

const DocumentedCoreSchema = z.object({
  name: z.string().min(1),
  designer: z.string().min(1),
  products: z.string().optional(),
  /** The document (and section or table) every figure of this row comes from. */
  source: z.string().min(1),
  caches: z.array(DocumentedCache),
  fmaPipes: z.object({ count: positiveInt, widthBits: positiveInt, note: z.string().optional() }).optional(),
  /** Keyed by the FMA form names of native/src/micro/fma_forms.cc. */
  fma: z.record(z.string(), DocumentedFma),
});

const CoresFile = z.object({
  schema: z.literal("armbench-cores/1"),
  about: z.string().optional(),
  cores: z.array(DocumentedCoreSchema),
});

export type DocumentedCacheLevel = z.infer<typeof DocumentedCache>;
export type DocumentedCore = z.infer<typeof DocumentedCoreSchema>;

export const CORES_FILE = path.join(packageRoot, "data", "cores.json");

let loaded: DocumentedCore[] | null = null;

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
  return r.data.cores;
}

/** Every documented core (the package's own data file, read once). */
export function documentedCores(): DocumentedCore[] {
  loaded ??= parseCoresFile(readFileSync(CORES_FILE, "utf8"), CORES_FILE);
  return loaded;
}

/** The documented figures of a microarchitecture by name, or null. */
export function documentedCoreByName(name: string, cores: readonly DocumentedCore[] = documentedCores()): DocumentedCore | null {
  return cores.find((c) => c.name === name) ?? null;
}

/** The documented figures of the machine's core, or null for an unknown core. */
export function documentedCore(env: Pick<Env, "cpu">): DocumentedCore | null {
  return documentedCoreByName(env.cpu.microarch.name);
}
