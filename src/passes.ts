/**
 * Headline samples taken in passes. On a shared VM the machine itself drifts for seconds
 * to tens of seconds at a time (back-to-back runs of one build here: a GEMM case 0.83x in
 * one run and OpenBLAS's neighbouring case 0.85x with it, oneDNN 1.17x moments later), so
 * seven samples taken in one stretch can all land in one slow phase, and the comparison of
 * two runs reads that phase as a regression. Taken in several passes over the whole case
 * list, minutes apart in all, one slow phase holds only one pass's share: the median of
 * the pooled samples barely moves, and the test of two files sees noise, not a shift.
 */

/** `samples` split over `passes` as evenly as possible, larger shares first (7 over 3: 3, 2, 2); no empty pass. */
export function sampleShares(samples: number, passes: number): number[] {
  const n = Math.max(1, Math.min(passes, samples));
  const base = Math.floor(samples / n);
  return Array.from({ length: n }, (_, i) => base + (i < samples % n ? 1 : 0));
}
