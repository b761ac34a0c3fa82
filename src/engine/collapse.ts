/**
 * The same computation over fewer axes, for the executor's four: neighbouring axes that
 * every operand steps over alike are merged (as the native broadcast walk does with its
 * own four), so a 5-D or 6-D graph value (a Swin window partition, a packed QKV split)
 * runs wherever its steps need no more than four distinct axes.
 */

const product = (d: readonly number[]) => d.reduce((p, v) => p * v, 1);

/** Leading axes merged until `rank` remain: for steps that see only the element count and order. */
export function mergeLeading(dims: readonly number[], rank: number): number[] {
  if (dims.length <= rank) return [...dims];
  const cut = dims.length - rank + 1;
  return [product(dims.slice(0, cut)), ...dims.slice(cut)];
}

/**
 * numpy broadcasting of `operands` (right-aligned) to `out`, in the fewest axes: axes
 * where out is 1 dropped, neighbours merged where each operand is whole on both or 1 on
 * both. Returns the new out dims and each operand's, of the new out's rank ([1] for none).
 */
export function collapseBroadcast(out: readonly number[], operands: readonly (readonly number[])[]): { out: number[]; operands: number[][] } {
  const r = out.length;
  const padded = operands.map((d) => [...Array<number>(r - d.length).fill(1), ...d]);
  const keep = out.map((_, i) => i).filter((i) => out[i]! !== 1);
  const groups: number[][] = [];
  for (const i of keep) {
    const last = groups[groups.length - 1];
    const j = last?.[last.length - 1];
    const alike = j !== undefined && j === i - 1 && padded.every((d) => (d[j] === 1) === (d[i] === 1));
    if (alike) last!.push(i);
    else groups.push([i]);
  }
  if (groups.length === 0) return { out: [1], operands: operands.map(() => [1]) };
  const along = (d: number[]) => groups.map((g) => product(g.map((i) => d[i]!)));
  return { out: along([...out]), operands: padded.map(along) };
}

/**
 * A transpose in the fewest axes: axes of extent 1 dropped, and input axes that stay
 * neighbours in the same order in the output merged. Returns the input dims and the
 * permutation over them.
 */
export function collapseTranspose(dims: readonly number[], perm: readonly number[]): { dims: number[]; perm: number[] } {
  const kept = dims.map((_, i) => i).filter((i) => dims[i]! !== 1);
  const renumber = new Map(kept.map((a, i) => [a, i]));
  const p = perm.filter((a) => dims[a]! !== 1).map((a) => renumber.get(a)!);
  const d = kept.map((a) => dims[a]!);
  if (p.length === 0) return { dims: [1], perm: [0] };
  // Output runs whose input axes are consecutive and increasing: one axis each.
  const runs: number[][] = [];
  for (const a of p) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else runs.push([a]);
  }
  const byInput = [...runs].sort((x, y) => x[0]! - y[0]!);
  return { dims: byInput.map((run) => product(run.map((a) => d[a]!))), perm: runs.map((run) => byInput.indexOf(run)) };
}
