/**
 * Which records are headline figures: the one figure per benchmark that a CI gate may fail
 * on and a report may average. Everything else (sweep points, the per-algorithm search behind
 * a winner, per-op rows, checks, clocks, cycle-normalised units) informs but never gates:
 * a gate over hundreds of correlated sweep points fires on noise, and a geometric mean that
 * counts one benchmark several times (its latency and its throughput) weighs it twice.
 *
 * The rule, one line per suite:
 * - gemm: `gemm` in GFLOP/s or GOP/s, per case, dtype, threads and implementation (peers included).
 * - conv: `conv.winner` in GFLOP/s, per layer, batch, dtype and threads; not the per-algorithm `conv` rows.
 * - model: `model.latency` in ms, per model, engine, batch, threads and fpmath; not its throughput
 *   (the same samples inverted), `model.op` or `model.check`.
 * - micro: `micro.dtype-peak` in GFLOP/s or GOP/s, per dtype and threads (the one peak every % of
 *   peak in the file is against); not each instruction form's `micro.peak` (the search behind it),
 *   the FMA latency, throughput or chains (cycles), the latency, TLB or bandwidth sweeps, levels or clocks.
 */

/** The record of the one measured peak per dtype and thread count in a results file. */
export const DTYPE_PEAK = "micro.dtype-peak";

/** Record name -> the units in which it is a headline figure. */
const HEADLINE: Readonly<Record<string, readonly string[]>> = {
  gemm: ["GFLOP/s", "GOP/s"],
  "conv.winner": ["GFLOP/s", "GOP/s"],
  "model.latency": ["ms"],
  [DTYPE_PEAK]: ["GFLOP/s", "GOP/s"],
};

/** Whether a record with this name and unit is its benchmark's headline figure. */
export function isHeadline(r: { name: string; unit: string }): boolean {
  // Own keys only: a record named "__proto__" or "constructor" (a hostile file) is no headline.
  return Object.hasOwn(HEADLINE, r.name) && HEADLINE[r.name]!.includes(r.unit);
}

/** The headline flag as a record stores it; a file written before the flag existed has none, read as false. */
export function headlineOf(r: { headline?: boolean | undefined }): boolean {
  return r.headline === true;
}
