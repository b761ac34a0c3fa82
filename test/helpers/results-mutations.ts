/**
 * Hostile results files for the fuzz test and `npm run fuzz`: a small valid file, then
 * truncations, byte flips, wrong types, out-of-range and enormous values, huge arrays and
 * deep nesting, each case reproducible from (seed, index).
 */
import { SCHEMA } from "../../src/results/schema.js";
import { serializeResults } from "../../src/results/write.js";
import { between, pickOne, rng } from "./fuzz-rng.js";
import { machineResults } from "./report-fixtures.js";

export interface FuzzCase {
  /** What was done to the input, for the failure report. */
  what: string;
  bytes: Buffer;
}

const base = (): string => serializeResults(machineResults("fuzz", 1, { model: true }));

const HOSTILE_VALUES: readonly unknown[] = [null, -1, 0, 1e308, -1e308, 2 ** 53 + 1, "", "x".repeat(1 << 16), [], {}, [[[[]]]], true, { $proto: 1 }, "__proto__"];

/** The value at a random path of `data` replaced by a hostile one (objects and arrays walked at random). */
function replaceSomewhere(data: unknown, r: () => number, value: unknown): string {
  let node = data as Record<string, unknown> | unknown[];
  let label = "";
  for (let depth = 0; depth < 6; depth++) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    const k = pickOne(r, keys);
    label += `.${String(k)}`;
    const child = (node as Record<string, unknown>)[k as never];
    if (child === null || typeof child !== "object" || r() < 0.25) {
      (node as Record<string, unknown>)[k as never] = value as never;
      return label;
    }
    node = child as Record<string, unknown> | unknown[];
  }
  return `${label} (too deep, unchanged)`;
}

export function resultsCase(seed: number, index: number): FuzzCase {
  const r = rng(seed * 100_003 + index);
  const text = base();
  const kind = between(r, 0, 9);
  switch (kind) {
    case 0: {
      const at = between(r, 0, text.length - 1);
      return { what: `truncated at byte ${at} of ${text.length}`, bytes: Buffer.from(text.slice(0, at)) };
    }
    case 1: {
      const buf = Buffer.from(text);
      const flips = between(r, 1, 8);
      for (let i = 0; i < flips; i++) {
        const at = between(r, 0, buf.length - 1);
        buf[at] = buf[at]! ^ (1 << between(r, 0, 7));
      }
      return { what: `${flips} bit flips`, bytes: buf };
    }
    case 2: {
      const buf = Buffer.from(text);
      const at = between(r, 0, buf.length - 1);
      buf[at] = between(r, 0, 255);
      return { what: `byte ${at} set at random`, bytes: buf };
    }
    case 3:
    case 4: {
      const data = JSON.parse(text) as unknown;
      const value = pickOne(r, HOSTILE_VALUES);
      const where = replaceSomewhere(data, r, value);
      return { what: `${where} = ${JSON.stringify(value).slice(0, 40)}`, bytes: Buffer.from(JSON.stringify(data)) };
    }
    case 5: {
      // A record with very many samples (valid statistics): nothing may spread them into a call.
      const data = JSON.parse(text) as { records: { status: string; samples?: number[] }[] };
      const rec = data.records.find((x) => x.status === "ok")!;
      const n = between(r, 100_000, 300_000);
      rec.samples = Array.from({ length: n }, (_, i) => 1 + (i % 97) / 97);
      return { what: `a record with ${n} samples and stale statistics`, bytes: Buffer.from(JSON.stringify(data)) };
    }
    case 6: {
      const depth = between(r, 1000, 200_000);
      return { what: `nesting ${depth} deep`, bytes: Buffer.from(`{"schema":"${SCHEMA}","env":${"[".repeat(depth)}${"]".repeat(depth)},"records":[]}`) };
    }
    case 7: {
      const data = JSON.parse(text) as { records: unknown[] };
      const copies = between(r, 2, 2000);
      const one = data.records[between(r, 0, data.records.length - 1)];
      for (let i = 0; i < copies; i++) data.records.push(one);
      return { what: `one record ${copies} more times`, bytes: Buffer.from(JSON.stringify(data)) };
    }
    case 8: {
      const junk = pickOne(r, ["", "null", "[]", "42", '"armbench/1"', '{"schema":"armbench/9"}', '{"schema":"armbench/1"}', "\u0000\u0001\u0002", "\ufeff{}"]);
      return { what: `the whole file is ${JSON.stringify(junk)}`, bytes: Buffer.from(junk) };
    }
    default: {
      const data = JSON.parse(text) as { records: { status: string; samples?: unknown[] }[] };
      const rec = pickOne(r, data.records.filter((x) => x.status === "ok"));
      const value = pickOne(r, [Number.MAX_VALUE, -0, 1e-320, "1", null, -5]);
      rec.samples![between(r, 0, rec.samples!.length - 1)] = value;
      return { what: `a sample set to ${JSON.stringify(value)}`, bytes: Buffer.from(JSON.stringify(data)) };
    }
  }
}
