/**
 * The one measured peak per dtype and thread count that every "% of peak" in a results
 * file is against. Micro, gemm, conv and model ask the same book; it measures a dtype on
 * a thread count once (every supported instruction form of the dtype at its full chain
 * count, the best median wins), records what it measured (`micro.peak` per form and one
 * `micro.dtype-peak`), and answers every later question from that figure. Under
 * `armbench run` the later steps read the peaks earlier steps measured (`--peaks FILE`),
 * so the merged file holds each dtype and thread count's peak once.
 */
import path from "node:path";

import { UserError } from "../errors.js";
import type { Native, NativeFmaForm } from "../native.js";
import { cacheScope, scopeMismatch } from "../cache/store.js";
import { DTYPE_PEAK } from "../results/headline.js";
import { loadResults } from "../results/load.js";
import { failedRecord, okRecord, unavailableRecord, type RecordId } from "../results/record.js";
import type { Env, ResultRecord } from "../results/schema.js";
import { sampleShares } from "../passes.js";
import { median, relativeSpread, summarize } from "../stats.js";
import { loadSuite, PeakSuite } from "../suites.js";
import { peakRates } from "./peak.js";

export { DTYPE_PEAK };

export interface DtypePeak {
  gflops: number;
  /** The instruction form that reached it. */
  form: string;
  /** "measured here", or the name of the results file it was read from. */
  source: string;
}

/** One instruction form's peak, as micro's table shows it. */
export interface FormPeak {
  form: string;
  dtype: string;
  threads: number;
  unit: string;
  value: number;
  spread: number;
}

export interface PeakSettings {
  steps: number;
  samples: number;
  /** Rounds over the dtype's forms that the samples are split across (src/passes.ts); default 1. */
  passes?: number;
}

export interface PeakBookOptions {
  native: Native;
  settings: PeakSettings;
  record(r: ResultRecord): void;
  progress?(message: string): void;
  /** Peaks read from earlier results files, keyed by `dtype/threads` (null: no form of the dtype runs here). */
  known?: Map<string, DtypePeak | null>;
}

const CHECK = { method: "every accumulator lane exact after every run", passed: true };

const key = (dtype: string, threads: number) => `${dtype}/${threads}`;
/** What a dtype's rate counts: floating-point operations, or integer ones for int8. */
export const unitOf = (dtype: string) => (dtype === "int8" ? "GOP/s" : "GFLOP/s");

function formId(f: NativeFmaForm, threads: number): RecordId {
  return { suite: "micro", name: "micro.peak", impl: "armbench", params: { dtype: f.dtype, isa: f.isa, insn: f.insn, bits: f.bits, threads }, unit: unitOf(f.dtype) };
}

export class PeakBook {
  private readonly peaks = new Map<string, Promise<DtypePeak | null>>();
  /** Every form this book measured, in order. */
  readonly forms: FormPeak[] = [];

  constructor(private readonly opts: PeakBookOptions) {
    for (const [k, p] of opts.known ?? []) this.peaks.set(k, Promise.resolve(p));
  }

  /** The peak of `dtype` on `cpus` (pinned, one thread each); null when no form of the dtype runs here. */
  get(dtype: string, cpus: number[]): Promise<DtypePeak | null> {
    const k = key(dtype, cpus.length);
    let p = this.peaks.get(k);
    if (!p) {
      p = this.measure(dtype, cpus);
      this.peaks.set(k, p);
    }
    return p;
  }

  private async measure(dtype: string, cpus: number[]): Promise<DtypePeak | null> {
    const { native, settings, record } = this.opts;
    const threads = cpus.length;
    const dtypeId: RecordId = { suite: "micro", name: DTYPE_PEAK, impl: "armbench", params: { dtype, threads }, unit: unitOf(dtype) };
    const forms = native.fmaForms().filter((f) => f.dtype === dtype && f.unsupported === null);
    if (forms.length === 0) {
      record(unavailableRecord(dtypeId, `no ${dtype} instruction form runs on this CPU`));
      return null;
    }
    // The forms take turns, a share of the samples each per round, so a slow phase of the
    // machine lands on every form alike instead of on one form's every sample.
    const rates = new Map<NativeFmaForm, number[]>(forms.map((f) => [f, []]));
    const failed = new Set<NativeFmaForm>();
    for (const share of sampleShares(settings.samples, settings.passes ?? 1)) {
      for (const f of forms) {
        if (failed.has(f)) continue;
        this.opts.progress?.(`peak: ${f.name} on ${threads} thread${threads > 1 ? "s" : ""}`);
        try {
          const r = await peakRates(native, f, f.maxChains, cpus, settings.steps, share);
          if (!r.checksOk) {
            record(failedRecord(formId(f, threads), "accumulators were wrong after the peak run", { ...CHECK, passed: false }));
            failed.add(f);
            continue;
          }
          rates.get(f)!.push(...r.rates);
        } catch (err) {
          record(failedRecord(formId(f, threads), (err as Error).message));
          failed.add(f);
        }
      }
    }
    let best: { form: NativeFmaForm; rates: number[]; median: number } | null = null;
    for (const f of forms) {
      if (failed.has(f)) continue;
      const id = formId(f, threads);
      const got = rates.get(f)!;
      if (got.length === 0) {
        record(failedRecord(id, "every sample was disturbed (2N run not slower than N)"));
        continue;
      }
      const rec = okRecord({ ...id, derived: { chains: f.maxChains } }, got, CHECK);
      record(rec);
      this.forms.push({ form: f.name, dtype, threads, unit: id.unit, value: rec.median, spread: relativeSpread(summarize(got)) });
      if (!best || rec.median > best.median) best = { form: f, rates: got, median: rec.median };
    }
    if (!best) {
      record(failedRecord(dtypeId, `no ${dtype} instruction form gave a checked peak`));
      return null;
    }
    record(okRecord({ ...dtypeId, derived: { form: best.form.name, chains: best.form.maxChains } }, best.rates, CHECK));
    return { gflops: median(best.rates), form: best.form.name, source: "measured here" };
  }
}

/** What a record with a "% of peak" says about the peak it used. */
export function peakDerived(peak: DtypePeak | null): Record<string, string | number | null> {
  return { peakGflops: peak?.gflops ?? null, peakForm: peak?.form ?? null, peakSource: peak?.source ?? null };
}

/**
 * The dtype peaks in results files given with --peaks, and the dtypes they found no form
 * of (null: an earlier step recorded that already, so a later one does not again). A file
 * from another CPU, ISA or build says nothing about this run's peak: it is ignored with a
 * warning and the peaks are measured again. A file that cannot be read is the user's
 * mistake: one sentence.
 */
export function readKnownPeaks(files: readonly string[], env: Env, warn: (message: string) => void): Map<string, DtypePeak | null> {
  const known = new Map<string, DtypePeak | null>();
  const here = cacheScope(env);
  for (const file of files) {
    let results;
    try {
      results = loadResults(file);
    } catch (err) {
      throw new UserError(`--peaks ${file}: ${(err as Error).message.replace(/\.$/, "")}.`);
    }
    const there = cacheScope(results.env);
    const differs = scopeMismatch(there, here);
    if (differs) {
      warn(`--peaks ${file}: measured with another ${differs} (${there[differs]}), so its peaks are measured again here.`);
      continue;
    }
    for (const r of results.records) {
      if (r.name !== DTYPE_PEAK) continue;
      const dtype = r.params.dtype;
      const threads = r.params.threads;
      if (r.status === "unavailable" && typeof dtype === "string" && typeof threads === "number") {
        if (!known.has(key(dtype, threads))) known.set(key(dtype, threads), null);
        continue;
      }
      if (r.status !== "ok") continue;
      const form = r.derived?.form;
      if (typeof dtype !== "string" || typeof threads !== "number" || typeof form !== "string") continue;
      // The file's name, not its path: under `armbench run` it is a step's file in a temporary folder.
      if (!known.has(key(dtype, threads))) known.set(key(dtype, threads), { gflops: r.median, form, source: path.basename(file) });
    }
  }
  return known;
}

/** The book a command uses: suites/peak.json's settings, and the peaks of any --peaks files. */
export function openPeakBook(args: {
  native: Native;
  env: Env;
  quick: boolean;
  peaksFiles: readonly string[] | undefined;
  record(r: ResultRecord): void;
  progress?(message: string): void;
  warn(message: string): void;
}): PeakBook {
  const settings = loadSuite("peak", PeakSuite, args.quick);
  const known = readKnownPeaks(args.peaksFiles ?? [], args.env, args.warn);
  return new PeakBook({ native: args.native, settings, record: args.record, progress: args.progress, known });
}
