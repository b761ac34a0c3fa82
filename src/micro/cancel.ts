/**
 * Loop and timer overhead cancel in the difference between a run of 2N and a run of
 * N. A preemption inside the N run can make that difference zero or negative: such a
 * sample measured nothing and is dropped, never turned into an infinite rate.
 */
export function overheadFree(nsN: readonly number[], ns2N: readonly number[]): { deltas: number[]; dropped: number[] } {
  const deltas: number[] = [];
  const dropped: number[] = [];
  nsN.forEach((n, i) => {
    const d = ns2N[i]! - n;
    if (d > 0) deltas.push(d);
    else dropped.push(i);
  });
  return { deltas, dropped };
}
