/**
 * Cache edges read off `armbench micro`'s latency curve, kept per machine in the
 * armbench cache folder so that a machine with no other source (no sysfs cache files,
 * no CPUID, an undocumented core) names its levels from what it was measured to have.
 * The file is untrusted: anything malformed is ignored with one warning.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

import { writeFileAtomically } from "../atomic-write.js";
import { armbenchCacheDir } from "../cache-dir.js";

const FILE_SCHEMA = "armbench-cache-levels/1";
/** Far above what any number of machines writes; a larger file is not ours. */
const MAX_FILE_BYTES = 1 << 20;

const Entry = z.object({
  levels: z
    .array(z.object({ level: z.number().int().min(1).max(8), edgeBytes: z.number().int().min(1024).max(2 ** 40) }))
    .min(1)
    .max(8),
  /** Where the curve's DRAM plateau began: no cache holds more, whatever it reports. */
  dramFromBytes: z.number().int().min(1024).max(2 ** 42).optional(),
  measuredAt: z.string().min(10),
});

const LevelsFile = z.object({ schema: z.literal(FILE_SCHEMA), machines: z.record(z.string(), Entry) });

export type MeasuredLevels = z.infer<typeof Entry>;

export function measuredLevelsFile(): string {
  return path.join(armbenchCacheDir(), "cache-levels.json");
}

/** The machine a set of levels belongs to: a different CPU or core count measures again. */
export function machineKey(m: { arch: string; cpuModel: string; microarch: string; cores: number }): string {
  return `${m.arch}|${m.cpuModel}|${m.microarch}|${m.cores} cores`;
}

type Loaded = { machines: Record<string, MeasuredLevels>; warning: string | null };

function load(file: string): Loaded {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) return { machines: {}, warning: `ignored ${file}: larger than ${MAX_FILE_BYTES} bytes` };
    text = readFileSync(file, "utf8");
  } catch {
    return { machines: {}, warning: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { machines: {}, warning: `ignored ${file}: not valid JSON` };
  }
  const r = LevelsFile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { machines: {}, warning: `ignored ${file}: field ${issue.path.join(".") || "(root)"}: ${issue.message}` };
  }
  return { machines: r.data.machines, warning: null };
}

/** This machine's saved levels (or null), and a warning when the file was unusable. */
export function loadMeasuredLevels(key: string, file = measuredLevelsFile()): { levels: MeasuredLevels | null; warning: string | null } {
  const { machines, warning } = load(file);
  return { levels: Object.hasOwn(machines, key) ? machines[key]! : null, warning };
}

/** Saves this machine's levels, keeping the other machines' (an unusable file is replaced). */
export function saveMeasuredLevels(key: string, levels: MeasuredLevels, file = measuredLevelsFile()): void {
  const entry = Entry.parse(levels);
  const { machines } = load(file);
  machines[key] = entry;
  writeFileAtomically(file, `${JSON.stringify({ schema: FILE_SCHEMA, machines }, null, 1)}\n`);
}
