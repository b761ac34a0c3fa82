/**
 * The one cache hierarchy every consumer reads (info, micro's level names and
 * bandwidth levels, the kernels' blocking, the report), each level from the best
 * source this machine offers and labelled with it: sysfs, else CPUID (x86), else the
 * documented sizes of the detected core, else the levels a previous `armbench micro`
 * read off its latency curve, else labelled defaults. Where another source's size
 * differs by more than DISAGREE_RATIO, both are kept.
 */
import { formatBytes } from "../format.js";
import type { EnvCacheLevel, FactSource } from "../results/schema.js";
import { sourceText, type DocumentedCore } from "./cores.js";
import type { CacheLevel } from "./sysfs.js";
import type { MeasuredLevels } from "./measured-levels.js";

/** Two sources whose sizes differ by more than this factor are both shown. */
export const DISAGREE_RATIO = 1.5;

export interface CacheInputs {
  /** Levels from /sys/devices/system/cpu/cpu0/cache ([] where hidden). */
  sysfs: readonly CacheLevel[];
  /** Levels from CPUID's deterministic cache leaves ([] off x86 or where hidden). */
  cpuid: readonly CacheLevel[];
  /** The detected core's published figures, or null for an unknown core. */
  documented: DocumentedCore | null;
  /** Cache edges a previous micro run measured on this machine, or null. */
  measured: MeasuredLevels | null;
  /** The data cache line from a system register (Arm CTR_EL0), or null. */
  registerLineBytes: number | null;
  /** The kernels' built-in sizes for a machine that tells nothing. */
  defaults: { l1d: number; l2: number; l3: number };
  /** A hypervisor was detected: its L3 may be the whole package's. */
  virtualized: boolean;
}

const key = (c: { level: number; type: string }) => `${c.level}:${c.type === "Instruction" ? "i" : "d"}`;

function fromSource(levels: readonly CacheLevel[], source: FactSource): EnvCacheLevel[] {
  return levels.map((c) => ({ ...c, source }));
}

function fromDocumented(core: DocumentedCore): EnvCacheLevel[] {
  return core.caches.map((c) => {
    const options = c.configurableBytes;
    // Each level cites its own section, not the L1's.
    const cite = sourceText(core, c.source);
    const note = [
      options ? `${core.name} leaves this size to the chip's maker (${options.map(formatBytes).join(" or ")}); the largest is assumed` : null,
      c.note ?? null,
    ].filter((x): x is string => x !== null);
    return {
      level: c.level,
      type: c.type,
      sizeBytes: c.sizeBytes,
      lineBytes: c.lineBytes,
      ways: c.ways ?? null,
      sharedByCpus: c.sharedByCores,
      source: "documented" as const,
      note: note.length ? `${note.join("; ")} (${cite})` : cite,
    };
  });
}

function fromMeasured(m: MeasuredLevels, lineBytes: number | null): EnvCacheLevel[] {
  return m.levels.map((l) => ({
    level: l.level,
    type: l.level === 1 ? "Data" : "Unified",
    sizeBytes: l.edgeBytes,
    lineBytes,
    ways: null,
    sharedByCpus: 1,
    source: "measured" as const,
    note: `edge of the latency curve measured ${m.measuredAt.slice(0, 10)}; sharing unknown`,
  }));
}

function fromDefaults(d: CacheInputs["defaults"], lineBytes: number | null): EnvCacheLevel[] {
  const note = "no source on this machine; armbench's default";
  return [
    { level: 1, type: "Data", sizeBytes: d.l1d, lineBytes, ways: null, sharedByCpus: 1, source: "default", note },
    { level: 2, type: "Unified", sizeBytes: d.l2, lineBytes, ways: null, sharedByCpus: 1, source: "default", note },
    ...(d.l3 > d.l2 ? [{ level: 3, type: "Unified", sizeBytes: d.l3, lineBytes, ways: null, sharedByCpus: 1, source: "default" as const, note }] : []),
  ];
}

/**
 * Every level from the best source that has it; the others only to flag a
 * disagreement. Defaults fill in only when no real source names any data level.
 */
export function resolveCaches(inp: CacheInputs): EnvCacheLevel[] {
  const ranked: EnvCacheLevel[][] = [
    fromSource(inp.sysfs, "sysfs"),
    fromSource(inp.cpuid, "cpuid"),
    inp.documented ? fromDocumented(inp.documented) : [],
    inp.measured ? fromMeasured(inp.measured, inp.registerLineBytes) : [],
  ];
  const chosen = new Map<string, EnvCacheLevel>();
  for (const levels of ranked) {
    for (const c of levels) if (!chosen.has(key(c))) chosen.set(key(c), c);
  }
  if (![...chosen.values()].some((c) => c.type !== "Instruction")) {
    for (const c of fromDefaults(inp.defaults, inp.registerLineBytes)) chosen.set(key(c), c);
  }
  const out = [...chosen.values()].sort((a, b) => a.level - b.level || a.type.localeCompare(b.type));
  return annotate(out, ranked.flat(), inp.virtualized, inp.measured?.dramFromBytes);
}

/**
 * Each level with every other source's size for it that differs by more than
 * DISAGREE_RATIO, and, for a VM's last level larger than its latency curve shows, why.
 * Where the curve saw no step for the last level but reached DRAM latency well below
 * its size, that working set is the most the level was seen to hold.
 */
function annotate(caches: readonly EnvCacheLevel[], others: readonly EnvCacheLevel[], virtualized: boolean, dramFromBytes?: number): EnvCacheLevel[] {
  const llc = Math.max(0, ...caches.filter((c) => c.type !== "Instruction").map((c) => c.level));
  return caches.map((c) => {
    const disagrees = [...(c.disagrees ?? [])];
    const sawLevel = others.some((o) => key(o) === key(c) && o.source === "measured");
    const bound: EnvCacheLevel[] =
      c.level === llc && c.type !== "Instruction" && !sawLevel && dramFromBytes !== undefined && dramFromBytes * DISAGREE_RATIO < c.sizeBytes && c.source !== "measured"
        ? [{ ...c, source: "measured", sizeBytes: dramFromBytes, note: "the latency curve reached DRAM latency from this working set on; it showed no step for this level" }]
        : [];
    for (const other of [...others, ...bound]) {
      if (key(other) !== key(c) || other.source === c.source || disagrees.some((d) => d.source === other.source)) continue;
      const ratio = Math.max(other.sizeBytes, c.sizeBytes) / Math.min(other.sizeBytes, c.sizeBytes);
      if (ratio > DISAGREE_RATIO) disagrees.push({ source: other.source, sizeBytes: other.sizeBytes, ...(other.note ? { note: other.note } : {}) });
    }
    let note = c.note;
    const curve = disagrees.find((d) => d.source === "measured");
    const vmNote = "a VM may report a whole package's L3 as one level";
    if (virtualized && c.level === llc && c.level >= 3 && curve && curve.sizeBytes * DISAGREE_RATIO < c.sizeBytes && !note?.includes(vmNote)) {
      note = [note, `larger than the latency curve shows (${formatBytes(curve.sizeBytes)}): ${vmNote}`].filter(Boolean).join("; ");
    }
    return { ...c, ...(disagrees.length ? { disagrees } : {}), ...(note ? { note } : {}) };
  });
}

/** The hierarchy with the edges a latency curve has just measured, shown where they disagree. */
export function withMeasuredEdges(
  caches: readonly EnvCacheLevel[],
  edges: MeasuredLevels,
  lineBytes: number | null,
  virtualized: boolean,
): EnvCacheLevel[] {
  const fresh = caches.map((c) => ({ ...c, disagrees: c.disagrees?.filter((d) => d.source !== "measured") }));
  return annotate(
    fresh.map(({ disagrees, ...c }) => (disagrees?.length ? { ...c, disagrees } : c)),
    fromMeasured(edges, lineBytes),
    virtualized,
    edges.dramFromBytes,
  );
}

/**
 * The largest working set a level holds on this machine: its size, or the edge its
 * latency curve showed where that is clearly smaller (a VM's reported L3).
 */
export function reachableBytes(c: EnvCacheLevel): number {
  const curve = c.disagrees?.find((d) => d.source === "measured");
  return curve && curve.sizeBytes < c.sizeBytes ? curve.sizeBytes : c.sizeBytes;
}

/** The data and unified levels, innermost first: what blocking and level names use. */
export function dataLevels(caches: readonly EnvCacheLevel[]): EnvCacheLevel[] {
  return caches.filter((c) => c.type !== "Instruction").sort((a, b) => a.level - b.level);
}

/** The last-level cache, or null when no data level is known. */
export function lastLevel(caches: readonly EnvCacheLevel[]): EnvCacheLevel | null {
  const d = dataLevels(caches);
  return d[d.length - 1] ?? null;
}

/** "48 KiB (sysfs)", with any disagreeing source beside it. */
export function describeSize(c: EnvCacheLevel, format: (bytes: number) => string): string {
  const others = (c.disagrees ?? []).map((d) => `${d.source}: ${format(d.sizeBytes)}`);
  return `${format(c.sizeBytes)} (${c.source}${others.length ? `; ${others.join(", ")}` : ""})`;
}
