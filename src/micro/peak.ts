/**
 * Peak FLOP/s of an instruction form on a set of pinned CPUs, the probe behind the one
 * peak per dtype and thread count (peak-book.ts) that every step compares against.
 */
import type { Native, NativeFmaForm } from "../native.js";

/** Steps rounded up to what the native kernels run exactly. */
export function exactSteps(native: Native, steps: number): number {
  const q = native.fmaStepQuantum;
  return Math.ceil(steps / q) * q;
}

/** GFLOP/s (GOP/s for integer forms) of every undisturbed sample; checksOk false means none counts. */
export async function peakRates(
  native: Native,
  form: NativeFmaForm,
  chains: number,
  cpus: number[],
  steps: number,
  samples: number,
): Promise<{ rates: number[]; checksOk: boolean }> {
  const exact = exactSteps(native, steps);
  const r = await native.fmaPeak({ form: form.index, chains, steps: exact, samples, cpus });
  const opsPerRun = form.ops * exact * chains * cpus.length;
  // A sample whose 2N - N difference is not positive was disturbed: dropped.
  return { rates: r.ns.filter((ns) => ns > 0).map((ns) => opsPerRun / ns), checksOk: r.checksOk };
}
