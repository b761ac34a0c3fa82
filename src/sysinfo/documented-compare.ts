/**
 * Documented beside measured: which published figure (data/cores.json) pairs with which
 * micro record, and the one rule that flags a difference. The terminal tables, the
 * results file (derived fields of each micro record) and the report all go through here,
 * so they can never disagree about what was compared or what was flagged.
 */
import { formatBytes } from "../format.js";
import type { Env, ResultRecord } from "../results/schema.js";
import { sourceText, type DocumentedCore } from "./cores.js";
import { isEmulated } from "./emulation.js";

/** A measured figure further than this from the documented one (relative) is flagged. */
export const DOCUMENTED_TOLERANCE = 0.1;

export type FigureKind = "fma.latency" | "fma.throughput" | "cache.size" | "cache.latency";

/**
 * agrees / above / below: compared (above: measured larger than documented);
 * undocumented: the core is known but the sources give no such figure;
 * unknown-core: armbench has no documented figures for the machine's core.
 */
export type Verdict = "agrees" | "above" | "below" | "undocumented" | "unknown-core";

export interface Comparison {
  kind: FigureKind;
  measured: number;
  documented: number | null;
  /** The document and section of the documented figure. */
  source: string | null;
  /** measured / documented - 1, or null when nothing was compared. */
  deviation: number | null;
  verdict: Verdict;
  /** Why nothing was compared, or, past the tolerance, what the difference means; null when they agree. */
  note: string | null;
}

const UNITS: Record<FigureKind, { fmt: (v: number) => string; hint: string }> = {
  "fma.latency": { fmt: (v) => `${trim(v)} cycles`, hint: "check the clock estimate or the core detection" },
  "fma.throughput": { fmt: (v) => `${trim(v)}/cycle`, hint: "check the detection or the clock (a throttled or shared core reads low)" },
  "cache.size": { fmt: (v) => formatBytes(v), hint: "check the core detection or the size this product chose" },
  "cache.latency": { fmt: (v) => `${trim(v)} cycles`, hint: "check the clock estimate, the page size or the core detection" },
};

function trim(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v >= 10 ? 1 : 2).replace(/\.?0+$/, "");
}

/**
 * Why a machine's figures are compared with nothing even where its core is documented:
 * under user-mode emulation (src/sysinfo/emulation.ts) every timing is the emulator's.
 */
export function notComparableWhy(env: Pick<Env, "machine">): string | null {
  return isEmulated(env.machine.virtualization)
    ? "measured under user-mode emulation, where every timing is the emulator's: no documented figure is compared"
    : null;
}

/** The one line an unknown core gets in place of its documented figures. */
export function unknownCoreLine(coreName: string): string {
  const name = coreName === "unknown" ? "this core (its microarchitecture was not recognised)" : coreName;
  return `no documented figures exist for ${name}: measured figures only`;
}

/** The 10 % rule: a measured figure against a documented one. */
export function compareFigure(kind: FigureKind, measured: number, documented: number, source: string): Comparison {
  const deviation = measured / documented - 1;
  // The epsilon keeps a figure exactly 10 % away (4.4 against 4) on the side the rule says, whatever the rounding.
  const verdict: Verdict = Math.abs(deviation) <= DOCUMENTED_TOLERANCE + 1e-9 ? "agrees" : deviation > 0 ? "above" : "below";
  const u = UNITS[kind];
  const sign = deviation >= 0 ? "+" : "-";
  const note = verdict === "agrees" ? null : `measured ${u.fmt(measured)}, documented ${u.fmt(documented)}: ${sign}${Math.round(Math.abs(deviation) * 100)} %, ${u.hint}`;
  return { kind, measured, documented, source, deviation, verdict, note };
}

function notCompared(kind: FigureKind, measured: number, verdict: "undocumented" | "unknown-core", note: string): Comparison {
  return { kind, measured, documented: null, source: null, deviation: null, verdict, note };
}

/** Whether a `missing` entry's figure pattern ("fma", "fma.*.accLatencyCycles", "a, b") covers a key. */
function covers(pattern: string, key: string): boolean {
  return pattern.split(/,\s*/).some((p) => {
    const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^]*")}(\\..*)?$`);
    return re.test(key);
  });
}

/** Why the core's sources give no such figure (its missing list), or a plain "not documented". */
function whyMissing(core: DocumentedCore, key: string, what: string): string {
  const m = core.missing.find((x) => covers(x.figure, key));
  return m ? `${m.status === "not-published" ? "not published" : "not found"}: ${m.reason}` : `${core.name}'s sources give no ${what}`;
}

function undocumented(core: DocumentedCore | null, coreName: string, kind: FigureKind, measured: number, key: string, what: string): Comparison {
  if (core === null) return notCompared(kind, measured, "unknown-core", unknownCoreLine(coreName));
  return notCompared(kind, measured, "undocumented", whyMissing(core, key, what));
}

/**
 * An FMA form's latency. The accumulator-only chain ("acc") pairs with the forwarded
 * latency where the document gives one; the full chain with the latency from any input.
 */
export function compareFmaLatency(core: DocumentedCore | null, coreName: string, form: string, chain: string, measured: number): Comparison {
  const f = core?.fma[form];
  const documented = chain === "acc" ? f?.accLatencyCycles : chain === "full" ? f?.latencyCycles : undefined;
  if (!core || !f || documented === undefined) {
    const key = f && chain === "acc" ? `fma.${form}.accLatencyCycles` : `fma.${form}`;
    return undocumented(core, coreName, "fma.latency", measured, key, chain === "acc" ? `accumulator latency for ${form}` : `figure for ${form}`);
  }
  return compareFigure("fma.latency", measured, documented, sourceText(core, f.source));
}

/** An FMA form's instructions per cycle (either chain: both saturate the pipes). */
export function compareFmaThroughput(core: DocumentedCore | null, coreName: string, form: string, measured: number): Comparison {
  const f = core?.fma[form];
  if (!core || !f || f.perCycle === null) return undocumented(core, coreName, "fma.throughput", measured, f ? `fma.${form}.perCycle` : `fma.${form}`, `rate for ${form}`);
  return compareFigure("fma.throughput", measured, f.perCycle, sourceText(core, f.rateSource ?? f.source));
}

function dataCacheOf(core: DocumentedCore, level: number) {
  return core.caches.find((c) => c.level === level && c.type !== "Instruction") ?? null;
}

/** A cache level read off the latency curve ("L1", "L2", ...): its edge against the documented size. */
export function compareCacheSize(core: DocumentedCore | null, coreName: string, label: string, edgeBytes: number): Comparison {
  const level = Number(label.replace(/^L/, ""));
  const c = core && Number.isInteger(level) ? dataCacheOf(core, level) : null;
  if (!core || !c) return undocumented(core, coreName, "cache.size", edgeBytes, `caches.${label}.sizeBytes`, `${label} size`);
  // A size the core leaves to the implementer: the option nearest the edge is the one this product may have chosen.
  const options = c.configurableBytes ?? [c.sizeBytes];
  const nearest = options.reduce((a, b) => (Math.abs(Math.log(b / edgeBytes)) < Math.abs(Math.log(a / edgeBytes)) ? b : a));
  return compareFigure("cache.size", edgeBytes, nearest, sourceText(core, c.source));
}

/** A cache level's load-to-use latency in cycles against the documented one. */
export function compareCacheLatency(core: DocumentedCore | null, coreName: string, label: string, cycles: number): Comparison {
  const level = Number(label.replace(/^L/, ""));
  const c = core && Number.isInteger(level) ? dataCacheOf(core, level) : null;
  if (!core || !c || c.loadToUseCycles === undefined || !c.loadToUseSource) {
    return undocumented(core, coreName, "cache.latency", cycles, `caches.${label}.loadToUseCycles`, `${label} load-to-use latency`);
  }
  return compareFigure("cache.latency", cycles, c.loadToUseCycles, sourceText(core, c.loadToUseSource));
}

type Derived = Record<string, number | string | boolean | null>;

function derivedOf(c: Comparison, prefix: string): Derived {
  return {
    [prefix]: c.documented,
    [`${prefix}Deviation`]: c.deviation,
    [`${prefix}Verdict`]: c.verdict,
    [`${prefix}Source`]: c.source,
    [`${prefix}Note`]: c.note,
  };
}

/** The comparisons a micro record carries (latency, throughput, cache level), or none. */
export function recordComparisons(core: DocumentedCore | null, coreName: string, r: ResultRecord): { prefix: string; comparison: Comparison }[] {
  if (r.status !== "ok" || r.suite !== "micro") return [];
  const form = formOf(r);
  const chain = String(r.params.chain ?? "");
  if (r.name === "micro.fma.latency" && form) return [{ prefix: "documented", comparison: compareFmaLatency(core, coreName, form, chain, r.median) }];
  if (r.name === "micro.fma.throughput" && form) return [{ prefix: "documented", comparison: compareFmaThroughput(core, coreName, form, r.median) }];
  if (r.name === "micro.mem.level" && typeof r.params.level === "string" && /^L\d+$/.test(r.params.level)) {
    const out = [{ prefix: "documented", comparison: compareCacheLatency(core, coreName, r.params.level, r.median) }];
    if (typeof r.params.bytes === "number") out.push({ prefix: "documentedBytes", comparison: compareCacheSize(core, coreName, r.params.level, r.params.bytes) });
    return out;
  }
  return [];
}

/** The record with its documented comparisons in its derived fields (what --json and the results file keep). */
export function withDocumented(core: DocumentedCore | null, coreName: string, r: ResultRecord): ResultRecord {
  const list = recordComparisons(core, coreName, r);
  if (list.length === 0) return r;
  const derived: Derived = { ...(r.derived ?? {}) };
  for (const { prefix, comparison } of list) Object.assign(derived, derivedOf(comparison, prefix));
  return { ...r, derived };
}

/**
 * The FMA form name (native/src/micro/fma_forms.cc) of a micro record: "<isa>.<insn>.<suffix>",
 * the suffix being the register (x86) or the arrangement (NEON) or the element (SVE).
 */
export function formOf(r: Pick<ResultRecord, "params">): string | null {
  const { isa, insn, bits, dtype } = r.params;
  if (typeof isa !== "string" || typeof insn !== "string") return null;
  if (isa === "amx_bf16" || isa === "amx_int8") return `amx.${insn}`;
  if (isa === "neon") {
    const lanes: Record<string, string> = { fmla: { fp32: "4s", fp64: "2d", fp16: "8h" }[String(dtype)] ?? "", sdot: "4s", bfdot: "4s", bfmmla: "4s", smmla: "4s", ummla: "4s" };
    return lanes[insn] ? `neon.${insn}.${lanes[insn]}` : null;
  }
  if (isa === "sve") {
    const el = insn === "fmmla" ? "s" : ({ fp32: "s", fp64: "d" } as Record<string, string>)[String(dtype)];
    return el ? `sve.${insn}.${el}` : null;
  }
  const reg = ({ 128: "xmm", 256: "ymm", 512: "zmm" } as Record<string, string>)[String(bits)];
  return reg ? `${isa}.${insn}.${reg}` : null;
}
