/**
 * A roofline per machine: the measured peak per dtype and the measured DRAM bandwidth,
 * with GEMM cases, conv layers and models placed by arithmetic intensity (FLOP per byte
 * of operands that must come from memory at least once).
 */
import type { OkRecord } from "../../results/schema.js";
import { median } from "../../stats.js";
import { numCell, type Block, type Cell, type Section } from "../blocks.js";
import { chartId, xyChart, type Point, type Series } from "../charts.js";
import { DTYPE_PEAK } from "../../results/headline.js";
import { numParam, okRecords, strParam, type Machine } from "../machines.js";

/** Bytes per input element; outputs are fp32 for every dtype armbench runs. */
const INPUT_BYTES: Record<string, number> = { fp32: 4, bf16: 2 };
const AI_RANGE = [0.05, 2000] as const;

/**
 * The all-thread peak per dtype: the file's one dtype peak, or in files written before it
 * the best instruction form's, or the GEMM suite's copy.
 */
export function peaks(m: Machine): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of [DTYPE_PEAK, "micro.peak", "gemm.peak"]) {
    const recs = okRecords(m, name).filter((r) => r.unit === "GFLOP/s");
    const top = Math.max(0, ...recs.map((r) => numParam(r, "threads") ?? 1));
    const found = new Map<string, number>();
    for (const r of recs.filter((x) => numParam(x, "threads") === top)) {
      const dtype = strParam(r, "dtype");
      found.set(dtype, Math.max(found.get(dtype) ?? 0, r.median));
    }
    for (const [dtype, g] of found) if (!out.has(dtype)) out.set(dtype, g);
  }
  return out;
}

/**
 * DRAM read bandwidth with every thread, GB/s, from working sets the bandwidth probe
 * labelled DRAM and no others: a cache level's higher figure would put the ridge too far left.
 */
export function dramBandwidth(m: Machine): number | null {
  const reads = okRecords(m, "micro.bandwidth").filter((r) => r.params.kernel === "read" && r.derived?.level === "DRAM");
  if (reads.length === 0) return null;
  const top = Math.max(...reads.map((r) => numParam(r, "threads") ?? 1));
  return median(reads.filter((r) => numParam(r, "threads") === top).map((r) => r.median));
}

function gemmPoint(r: OkRecord): Point | null {
  const [m, n, k] = [numParam(r, "m"), numParam(r, "n"), numParam(r, "k")];
  const e = INPUT_BYTES[strParam(r, "dtype")];
  if (!m || !n || !k || !e) return null;
  return { x: (2 * m * n * k) / ((m * k + k * n) * e + m * n * 4), y: r.median };
}

function convPoint(r: OkRecord): Point | null {
  const p = (k: string) => numParam(r, k);
  const [n, c, h, w, k, rr, s, stride, pad, groups] = ["n", "c", "h", "w", "k", "r", "s", "stride", "pad", "groups"].map(p);
  const e = INPUT_BYTES[strParam(r, "dtype")];
  if (!n || !c || !h || !w || !k || !rr || !s || !stride || pad === null || pad === undefined || !groups || !e) return null;
  const oh = Math.floor((h + 2 * pad - rr) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - s) / stride) + 1;
  const flops = 2 * n * k * oh * ow * (c / groups) * rr * s;
  const bytes = (n * c * h * w + k * (c / groups) * rr * s) * e + n * k * oh * ow * 4;
  return { x: flops / bytes, y: r.median };
}

/**
 * A model is placed when its params give FLOPs and bytes moved per inference of its
 * batch (its record is images/s); without a byte count its intensity is unknown and it is
 * left off, with a note.
 */
function modelPoint(r: OkRecord): Point | null {
  const flops = numParam(r, "flops");
  const bytes = numParam(r, "bytes");
  const batch = numParam(r, "batch") ?? 1;
  if (!flops || !bytes || !batch) return null;
  return { x: flops / bytes, y: ((flops / batch) * r.median) / 1e9 };
}

export function rooflineSection(machines: readonly Machine[]): Section | null {
  const blocks: Block[] = [];
  const rows: Cell[][] = [];
  const unplaced = new Set<string>();
  for (const m of machines) {
    const bw = dramBandwidth(m);
    const roofs = peaks(m);
    if (roofs.size === 0) continue;
    const series: Series[] = [];
    let colour = 0;
    for (const [dtype, peak] of roofs) {
      if (bw === null) {
        // No DRAM figure, no slope: the compute peaks still say what the machine can do.
        rows.push([m.label, dtype, numCell(peak, 1), { value: null, text: "no DRAM figure" }, numCell(null)]);
        series.push({ label: `${dtype} peak (${peak.toFixed(0)} GFLOP/s), no DRAM roof`, points: [{ x: AI_RANGE[0], y: peak }, { x: AI_RANGE[1], y: peak }], dashed: true, color: colour++ });
        continue;
      }
      const ridge = peak / bw;
      rows.push([m.label, dtype, numCell(peak, 1), numCell(bw, 1), numCell(ridge, 1)]);
      series.push({ label: `${dtype} roof (${peak.toFixed(0)} GFLOP/s, ${bw.toFixed(1)} GB/s)`, points: [{ x: AI_RANGE[0], y: AI_RANGE[0] * bw }, { x: ridge, y: peak }, { x: AI_RANGE[1], y: peak }], dashed: true, color: colour++ });
    }
    const place = (label: string, recs: OkRecord[], at: (r: OkRecord) => Point | null) => {
      const points = recs.map(at).filter((p): p is Point => p !== null);
      if (points.length) series.push({ label, points, scatter: true, color: colour++ });
    };
    const gemm = okRecords(m, "gemm").filter((r) => r.impl === "armbench");
    for (const dtype of new Set(gemm.map((r) => strParam(r, "dtype")))) place(`GEMM ${dtype}`, gemm.filter((r) => r.params.dtype === dtype), gemmPoint);
    place("conv layers (winners)", okRecords(m, "conv.winner"), convPoint);
    const models = okRecords(m, "model.throughput");
    place("models", models, modelPoint);
    if (models.some((r) => modelPoint(r) === null)) unplaced.add(m.label);
    blocks.push({ kind: "chart", chart: xyChart(chartId("roofline", m.index), `Roofline of ${m.label}`, { title: "arithmetic intensity (FLOP/byte)", log: true }, { title: "GFLOP/s", log: true }, series) });
    if (bw === null) blocks.push({ kind: "note", text: `No DRAM roof for ${m.label}: none of its read-bandwidth working sets was large enough to count as DRAM, so only the compute peaks are drawn.` });
  }
  if (unplaced.size) blocks.push({ kind: "note", text: `Models without "flops" and "bytes" params are not placed on the roofline of ${[...unplaced].join(", ")}.` });
  if (rows.length) blocks.unshift({ kind: "table", caption: "Roofs: measured peak and DRAM bandwidth (all threads)", head: ["machine", "dtype", "peak GFLOP/s", "DRAM GB/s", "ridge (FLOP/byte)"], rows, key: true });
  return blocks.length ? { id: "roofline", title: "Roofline", blocks } : null;
}
