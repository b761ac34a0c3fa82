/** Building records: statistics are computed here from raw samples, never by hand. */
import { summarize } from "../stats.js";
import { isHeadline } from "./headline.js";
import type { Check, FailedRecord, OkRecord, ParamValue, RecordClock, UnavailableRecord } from "./schema.js";

export interface RecordId {
  suite: string;
  name: string;
  impl: string;
  params: Record<string, ParamValue>;
  unit: string;
  clock?: RecordClock;
  derived?: Record<string, number | string | boolean | null>;
  /** Left out: the rule in headline.ts decides from the name and unit. */
  headline?: boolean;
}

/** Every record says whether it is a headline figure, by the one rule unless its builder says otherwise. */
function withHeadline<T extends RecordId>(id: T): T & { headline: boolean } {
  return { ...id, headline: id.headline ?? isHeadline(id) };
}

export function okRecord(id: RecordId, samples: readonly number[], check: Check): OkRecord {
  const { median, ...spread } = summarize(samples);
  return { ...withHeadline(id), status: "ok", samples: [...samples], median, spread, check };
}

export function failedRecord(id: RecordId, reason: string, check?: Check): FailedRecord {
  const base = withHeadline(id);
  return check ? { ...base, status: "failed", reason, check } : { ...base, status: "failed", reason };
}

export function unavailableRecord(id: RecordId, reason: string): UnavailableRecord {
  return { ...withHeadline(id), status: "unavailable", reason };
}

/** A check that compared nothing: `passed` is null, so no reader can take it for a pass. */
export function notChecked(reason: string, method = "not checked"): Check {
  return { method, passed: null, reason };
}

/** How a check reads in tables and reports: "passed", "not checked (why)" or "FAILED". */
export function checkText(check: Check | undefined): string {
  if (!check) return "-";
  if (check.passed === null) return `not checked (${check.reason ?? "no reason given"})`;
  return check.passed ? "passed" : "FAILED";
}
