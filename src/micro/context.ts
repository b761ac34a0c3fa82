/** What every micro probe needs: the addon, its suite, where records go, and the CPUs. */
import type { PeakBook } from "./peak-book.js";
import type { Native } from "../native.js";
import type { Progress } from "../progress.js";
import type { Env, ResultRecord } from "../results/schema.js";
import type { MicroSuite } from "../suites.js";

export interface MicroContext {
  native: Native;
  suite: MicroSuite;
  env: Env;
  /** Adds a record to the results file (written at once). */
  record(r: ResultRecord): void;
  progress: Progress;
  /** CPUs used for all-core runs, one pinned thread each; the first runs single-core probes. */
  cpus: number[];
  /** --clock-ghz: the user's core clock, overriding the estimate. */
  userClockGhz: number | undefined;
  /** One-line notes for the end of the run (spread, clock drift, fallbacks). */
  warn(message: string): void;
  /** The one peak per dtype and thread count (every form of the dtype measured once). */
  peaks: PeakBook;
}

/** The CPU single-threaded probes are pinned to. */
export function primaryCpu(ctx: MicroContext): number {
  return ctx.cpus[0] ?? -1;
}
