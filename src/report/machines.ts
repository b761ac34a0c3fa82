/**
 * The machines a report shows: results files grouped so that one machine's separate
 * suite files (micro.json, gemm.json, ...) form one column, while two runs of the same
 * suite, or two hosts, stay side by side.
 */
import type { Env, OkRecord, ResultRecord, ResultsFile } from "../results/schema.js";

export interface Machine {
  /** Position in the report: 0 is the baseline for ratios. */
  index: number;
  /** Hostname, numbered when two columns share one. */
  label: string;
  env: Env;
  files: string[];
  records: ResultRecord[];
  /** USD per hour, when --price named this machine. */
  pricePerHour: number | null;
}

export interface LoadedFile {
  file: string;
  results: ResultsFile;
  /** A name the file's host goes by (a fleet inventory's), over its hostname: files of two labels never share a column. */
  label?: string;
}

/** Suites that every command writes beside its own (the clock estimate): they never decide grouping. */
const SHARED_SUITES = new Set(["info"]);

function suitesOf(records: readonly ResultRecord[]): Set<string> {
  return new Set(records.map((r) => r.suite).filter((s) => !SHARED_SUITES.has(s)));
}

function sameMachine(a: Env, b: Env): boolean {
  return a.machine.hostname === b.machine.hostname && a.cpu.model === b.cpu.model && a.cpu.threads === b.cpu.threads;
}

export function groupMachines(files: readonly LoadedFile[]): Machine[] {
  const out: Machine[] = [];
  const labels: (string | undefined)[] = [];
  for (const { file, results, label } of files) {
    const suites = suitesOf(results.records);
    const home = out.find((m, i) => labels[i] === label && sameMachine(m.env, results.env) && ![...suites].some((s) => suitesOf(m.records).has(s)));
    if (home) {
      home.files.push(file);
      for (const r of results.records) home.records.push(r);
      continue;
    }
    labels.push(label);
    out.push({ index: out.length, label: label ?? results.env.machine.hostname, env: results.env, files: [file], records: [...results.records], pricePerHour: null });
  }
  const seen = new Map<string, number>();
  for (const m of out) {
    const n = (seen.get(m.label) ?? 0) + 1;
    seen.set(m.label, n);
    if (n > 1) m.label = `${m.label} #${n}`;
  }
  return out;
}

export function okRecords(m: Machine, name: string): OkRecord[] {
  return m.records.filter((r): r is OkRecord => r.status === "ok" && r.name === name);
}

/** A param as a number, or null. */
export function numParam(r: ResultRecord, key: string): number | null {
  const v = r.params[key];
  return typeof v === "number" ? v : null;
}

export function strParam(r: ResultRecord, key: string): string {
  const v = r.params[key];
  return v === undefined || v === null ? "" : String(v);
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
