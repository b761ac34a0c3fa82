/**
 * Peak FLOP/s of an instruction form on a set of pinned CPUs: what `micro` reports
 * and what `gemm`, `conv` and `model` compare against.
 */
import type { Native, NativeFmaForm } from "../native.js";
import { median } from "../stats.js";

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

export interface DtypePeak {
  gflops: number;
  form: string;
}

/**
 * The measured peak of a dtype on `cpus`: the best median over the supported forms of
 * that dtype, each with all its chains (surely past saturation). null when no form of
 * the dtype runs here.
 */
export async function dtypePeak(native: Native, dtype: string, cpus: number[], steps: number, samples: number): Promise<DtypePeak | null> {
  let best: DtypePeak | null = null;
  for (const f of native.fmaForms()) {
    if (f.dtype !== dtype || f.unsupported !== null) continue;
    const { rates, checksOk } = await peakRates(native, f, f.maxChains, cpus, steps, samples);
    if (!checksOk || rates.length === 0) continue;
    const g = median(rates);
    if (!best || g > best.gflops) best = { gflops: g, form: f.name };
  }
  return best;
}
