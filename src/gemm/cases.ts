/** The GEMM cases of a run, from the suite and the command line. */
import { UserError } from "../errors.js";
import type { GemmShape, GemmSuite } from "../suites.js";

/** int8: A uint8 or int8 (the kernel's own type), B int8, C int32, exact. */
export type GemmDtype = "fp32" | "bf16" | "int8";

export const GEMM_DTYPES: readonly GemmDtype[] = ["fp32", "bf16", "int8"];

export interface GemmCase {
  /** Which shape set it came from: "square", "resnet50", ... */
  set: string;
  name: string;
  m: number;
  n: number;
  k: number;
}

/** Operations of a GEMM: a multiply and an add per term (FLOP, or integer OP for int8). */
export const flops = (c: { m: number; n: number; k: number }) => 2 * c.m * c.n * c.k;

export function parseDtypes(dtype: string): GemmDtype[] {
  if (dtype === "all") return [...GEMM_DTYPES];
  const d = GEMM_DTYPES.find((x) => x === dtype);
  if (d) return [d];
  throw new UserError(`unknown --dtype "${dtype}"; choose fp32, bf16, int8 or all.`);
}

/** "256,1024" -> [256, 1024]; each a whole number from 1 to 65536. */
export function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((t) => t.trim()).filter(Boolean);
  if (sizes.length === 0) throw new UserError(`--sizes needs a comma-separated list of sizes, got "${text}".`);
  return sizes.map((t) => {
    const v = Number(t);
    if (!Number.isInteger(v) || v < 1 || v > 65536) throw new UserError(`--sizes: "${t}" is not a whole number from 1 to 65536.`);
    return v;
  });
}

/**
 * Square sizes (--sizes or the suite's) plus the named shape sets. --sizes alone
 * means only those squares; --shape-set alone only those sets.
 */
export function buildCases(suite: GemmSuite, sizes: number[] | undefined, shapeSets: string[] | undefined): GemmCase[] {
  const sets = shapeSets ?? (sizes ? ["square"] : suite.defaultShapeSets);
  const out: GemmCase[] = [];
  for (const set of sets) {
    if (set === "all") return buildCases(suite, sizes, ["square", ...Object.keys(suite.shapeSets)]);
    if (set === "square") {
      for (const s of sizes ?? suite.square) out.push({ set, name: `${s}^3`, m: s, n: s, k: s });
      continue;
    }
    const shapes: GemmShape[] | undefined = suite.shapeSets[set];
    if (!shapes) {
      throw new UserError(`unknown --shape-set "${set}"; choose from square, ${Object.keys(suite.shapeSets).join(", ")}, all.`);
    }
    for (const s of shapes) out.push({ set, name: s.name, m: s.m, n: s.n, k: s.k });
  }
  return out;
}

/** 1, 2, 4, ... up to the CPU count, and the CPU count itself. */
export function threadCounts(cpus: number, only?: number): number[] {
  if (only !== undefined) return [only];
  const out: number[] = [];
  for (let t = 1; t < cpus; t *= 2) out.push(t);
  out.push(cpus);
  return out;
}
