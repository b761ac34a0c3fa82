/**
 * The memory plan: every activation gets an offset in one arena. A value lives from
 * the step that writes it to the last step that reads it (graph inputs from before the
 * first step, graph outputs to after the last); values whose lifetimes overlap never
 * share bytes. Flatten, Reshape, Unsqueeze and Squeeze outputs alias their input, so their buffer lives as
 * long as any of the names does. Placement is greedy by size, best fit into the gaps
 * left by overlapping tensors (as TFLite's arena planner), offsets 64-byte aligned.
 */
import { elementCount, inferShapes, type Graph, type Layout } from "./ir.js";

export const ALIGN = 64;

export interface Buffer {
  offset: number;
  bytes: number;
  /** Index of the node writing it; -1 for a graph input. */
  first: number;
  /** Index of the last node reading it; nodes.length for a graph output. */
  last: number;
  /** The value names held in it (more than one where Flatten/Reshape alias). */
  values: string[];
}

export interface MemoryPlan {
  arenaBytes: number;
  /** The most bytes live at any step: the arena's lower bound. */
  peakLiveBytes: number;
  buffers: Buffer[];
  /** Each activation's buffer. */
  bufferOf: Map<string, Buffer>;
  weightBytes: number;
  shapes: Map<string, number[]>;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** Ops whose output is a view of their input. */
export const isAlias = (op: string) => op === "Flatten" || op === "Reshape" || op === "Unsqueeze" || op === "Squeeze";

/** Blocked values take their padded size: n x ceil(c / block) x block x h x w. */
export interface PlanLayouts {
  layouts: Map<string, Layout>;
  block: number;
}

function bytesOf(dims: number[], layout: Layout, block: number): number {
  if (layout === "nchwc") {
    const [n, c, h, w] = dims as [number, number, number, number];
    return 4 * n * Math.ceil(c / block) * block * h * w;
  }
  return 4 * elementCount(dims);
}

export function planMemory(g: Graph, blocked?: PlanLayouts): MemoryPlan {
  const shapes = inferShapes(g);
  const root = new Map<string, string>();
  const find = (v: string): string => {
    const r = root.get(v);
    return r === undefined || r === v ? v : find(r);
  };
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const touch = (v: string, i: number) => {
    const r = find(v);
    if (!first.has(r)) first.set(r, i);
    last.set(r, Math.max(last.get(r) ?? i, i));
  };
  for (const v of g.inputs) touch(v.name, -1);
  g.nodes.forEach((n, i) => {
    for (const x of n.inputs) if (x !== "" && !g.initializers.has(x)) touch(x, i);
    const y = n.outputs[0]!;
    if (isAlias(n.op) && !g.initializers.has(n.inputs[0]!)) {
      root.set(y, find(n.inputs[0]!));
      touch(y, i);
    } else touch(y, i);
  });
  for (const o of g.outputs) if (!g.initializers.has(o)) touch(o, g.nodes.length);

  const buffers = new Map<string, Buffer>();
  for (const [r, f] of first) {
    const layout = blocked?.layouts.get(r) ?? "nchw";
    buffers.set(r, { offset: 0, bytes: align(bytesOf(shapes.get(r)!, layout, blocked?.block ?? 0)), first: f, last: last.get(r)!, values: [] });
  }
  const bufferOf = new Map<string, Buffer>();
  for (const v of [...first.keys(), ...root.keys()]) {
    const b = buffers.get(find(v))!;
    if (!bufferOf.has(v)) {
      bufferOf.set(v, b);
      b.values.push(v);
    }
  }

  const overlaps = (a: Buffer, b: Buffer) => a.first <= b.last && b.first <= a.last;
  const placed: Buffer[] = [];
  let arenaBytes = 0;
  for (const b of [...buffers.values()].sort((x, y) => y.bytes - x.bytes || x.first - y.first)) {
    const live = placed.filter((p) => overlaps(p, b)).sort((x, y) => x.offset - y.offset);
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const p of live) {
      const gap = p.offset - cursor;
      if (gap >= b.bytes && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor = Math.max(cursor, p.offset + p.bytes);
    }
    b.offset = best >= 0 ? best : cursor;
    placed.push(b);
    arenaBytes = Math.max(arenaBytes, b.offset + b.bytes);
  }

  let peakLiveBytes = 0;
  for (let i = -1; i <= g.nodes.length; i++) {
    let live = 0;
    for (const b of placed) if (b.first <= i && i <= b.last) live += b.bytes;
    peakLiveBytes = Math.max(peakLiveBytes, live);
  }
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  let weightBytes = 0;
  for (const [k, t] of g.initializers) if (used.has(k)) weightBytes += 4 * t.data.length;
  return { arenaBytes, peakLiveBytes, buffers: placed, bufferOf, weightBytes, shapes };
}
