/**
 * Which records are headline figures: the one figure per benchmark that a CI gate may fail
 * on and a report may average. Everything else (sweep points, the per-algorithm search behind
 * a winner, per-op rows, checks, clocks, cycle-normalised units) informs but never gates:
 * a gate over hundreds of correlated sweep points fires on noise, and a geometric mean that
 * counts one benchmark several times (its latency and its throughput) weighs it twice.
 *
 * The rule, one line per suite:
 * - gemm: `gemm` in GFLOP/s or GOP/s, per case, dtype, threads and implementation (peers included);
 *   not `gemm.peak` (the reference for % of peak; micro's `micro.peak` is the headline peak).
 * - conv: `conv.winner` in GFLOP/s, per layer, batch, dtype and threads; not the per-algorithm `conv` rows.
 * - model: `model.latency` in ms, per model, engine, batch, threads and fpmath; not its throughput
 *   (the same samples inverted), `model.op` or `model.check`.
 * - micro: `micro.peak` in GFLOP/s or GOP/s, per instruction form and threads; not the FMA latency,
 *   throughput or chains (cycles), the latency, TLB or bandwidth sweeps, levels or clocks.
 */

/** Record name -> the units in which it is a headline figure. */
const HEADLINE: Readonly<Record<string, readonly string[]>> = {
  gemm: ["GFLOP/s", "GOP/s"],
  "conv.winner": ["GFLOP/s", "GOP/s"],
  "model.latency": ["ms"],
  "micro.peak": ["GFLOP/s", "GOP/s"],
};

/** Whether a record with this name and unit is its benchmark's headline figure. */
export function isHeadline(r: { name: string; unit: string }): boolean {
  return HEADLINE[r.name]?.includes(r.unit) ?? false;
}

/** The headline flag as a record stores it; a file written before the flag existed has none, read as false. */
export function headlineOf(r: { headline?: boolean | undefined }): boolean {
  return r.headline === true;
}
