/** Which way is better for a unit: the one place that knows rates rise and times fall. */

const HIGHER = new Set(["GFLOP/s", "GOP/s", "TFLOP/s", "GB/s", "MB/s", "images/s", "sequences/s", "samples/s", "tokens/s", "instr/cycle", "ops/s"]);
const LOWER = new Set(["ns", "us", "ms", "s", "cycles", "cycles/instr"]);

/** true: higher is better; false: lower is better; null: not a speed (clocks, counts, chains). */
export function higherIsBetter(unit: string): boolean | null {
  if (HIGHER.has(unit)) return true;
  if (LOWER.has(unit)) return false;
  return null;
}

/**
 * How many times faster `b` is than `a` (> 1: b is faster), for a unit with a direction;
 * null when the unit has none or a figure is not positive.
 */
export function speedup(unit: string, a: number, b: number): number | null {
  const higher = higherIsBetter(unit);
  if (higher === null || !(a > 0) || !(b > 0)) return null;
  return higher ? b / a : a / b;
}
