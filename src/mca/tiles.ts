/**
 * Which register tiles the built-in nets' layers run on Arm, so `npm run mca -- --check`
 * holds every tile a full row of a layer runs to the floor, not only each family's widest.
 *
 * This mirrors the NEON dispatch of native/src/conv (conv_nchwc.cc's run_multi and
 * run_depthwise, nchwc_neon.cc's multi() and depthwise(), nchwc_bf16_bfdot.cc's multi(),
 * nchwc_split.inc's split_row and split_full); a change there must change this too
 * (test/mca.test.ts pins the tiles of a few MobileNet and ResNet layers). A tile that
 * only pixels or rows left over run (the last tile of split_full, the plane's last row
 * or two after whole groups of rows) is not listed: at T pixels it has its T chains and
 * no more, which no code changes without changing each pixel's order of sums.
 */
import type { ConvLayer } from "../suites.js";

/** nchwc_neon.cc and nchwc_bf16_bfdot.cc's widths. */
const MULTI_MAX_T = 8;
const MULTI_ROWS_MAX_T = 4;
const MULTI_ROWS = 2;
/** conv_nchwc.cc: chunks of at most 48 pixels, cut at multiples of 8. */
const MULTI_CHUNK = 48;
const MULTI_CHUNK_ALIGN = 8;
const DW_FIXED_MAX_T = 16;
const DW_ROWS_MAX_T = 7;
const DW_STRIP_MAX_T = 8;
const DW_ROWS = 3;

/** split_row's near-equal tiles of a row of n pixels, at most maxT each. */
export function nearEqual(n: number, maxT: number): number[] {
  const tiles = Math.ceil(n / maxT);
  const out: number[] = [];
  let p = 0;
  for (let t = 0; t < tiles; t++) {
    const w = Math.floor((n - p) / (tiles - t));
    out.push(w);
    p += w;
  }
  return out;
}

/** split_full's whole tiles of maxT pixels (the leftover tile is not counted). */
function whole(n: number, maxT: number): number[] {
  return Array.from({ length: Math.floor(n / maxT) }, () => maxT);
}

function outSize(size: number, window: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - window) / stride) + 1;
}

/**
 * The kernels ("family.tN") full rows of a layer run on NEON: multi-block tiles for
 * groups 1 (fp32 and bf16 alike), depthwise tiles for groups == c == k. Other grouped
 * convolutions take im2col and no tile here.
 */
export function layerTiles(layer: ConvLayer): string[] {
  const oh = outSize(layer.h, layer.r, layer.stride, layer.pad);
  const ow = outSize(layer.w, layer.s, layer.stride, layer.pad);
  if (oh < 1 || ow < 1) return [];
  const out = new Set<string>();
  if (layer.groups === 1) {
    const flat = layer.r === 1 && layer.s === 1 && layer.stride === 1 && layer.pad === 0;
    const width = flat ? oh * ow : ow;
    const perSpan = Math.ceil(width / MULTI_CHUNK);
    const chunkW = Math.ceil(Math.ceil(width / perSpan) / MULTI_CHUNK_ALIGN) * MULTI_CHUNK_ALIGN;
    // Non-flat spans pair rows; a plane's odd last row is a leftover row.
    const paired = !flat && oh >= MULTI_ROWS;
    for (let q0 = 0; q0 < width; q0 += chunkW) {
      const n = Math.min(chunkW, width - q0);
      // Two-row tiles where the chunk is not whole 8-pixel tiles, else 8-pixel tiles a row at a time.
      const rows = paired && n % MULTI_MAX_T !== 0;
      for (const t of rows ? whole(n, MULTI_ROWS_MAX_T) : whole(n, MULTI_MAX_T)) {
        for (const dtype of ["f32", "bf16"]) out.add(`nchwc.multi_${dtype}${rows ? `_r${MULTI_ROWS}` : ""}.t${t}`);
      }
    }
    return [...out];
  }
  if (layer.groups !== layer.c || layer.c !== layer.k) return [];
  const fixed = (layer.s === 3 || layer.s === 5) && (layer.stride === 1 || layer.stride === 2);
  if (!fixed) return []; // the fallback (MCA_FALLBACKS), which no built-in layer takes
  const base = `nchwc.depthwise_f32_s${layer.stride}_k${layer.s}`;
  const single = () => nearEqual(ow, DW_FIXED_MAX_T).forEach((t) => out.add(`${base}.t${t}`));
  if (ow % DW_FIXED_MAX_T === 0) {
    single();
  } else if (layer.stride === 1 || layer.s === 5) {
    // groups of DW_ROWS rows; a plane's last one or two rows are leftover rows
    if (oh >= DW_ROWS) nearEqual(ow, DW_ROWS_MAX_T).forEach((t) => out.add(`${base}_r${DW_ROWS}.t${t}`));
    else single();
  } else if (layer.s === 3 && layer.r === 3) {
    // strips down every call of two rows or more; a lone last row is a leftover row
    if (oh >= 2) nearEqual(ow, DW_STRIP_MAX_T).forEach((t) => out.add(`${base}_strip.t${t}`));
    else single();
  } else {
    single();
  }
  return [...out];
}

/** Every kernel a full row of some layer runs, with the first such layer's name. */
export function netTiles(nets: Record<string, readonly ConvLayer[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [net, layers] of Object.entries(nets)) {
    for (const layer of layers) {
      for (const k of layerTiles(layer)) if (!out.has(k)) out.set(k, `${net} ${layer.name}`);
    }
  }
  return out;
}
