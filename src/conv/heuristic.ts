/**
 * The algorithm a layer gets without --fast-run: rules read off the measured winners
 * on ResNet-50 here (bench:conv, one thread, batch 1), to be revisited as algorithms
 * and machines are added. The fast-run cache, when present, always wins over these.
 */
import type { NativeConvShape } from "../native.js";

/** Output rows below which Winograd F(4x4) has too few tiles to pay (F(2x2) still does). */
export const WINOGRAD_F4_MIN_OUTPUT = 14;
/** Channels from which Winograd's transforms pay for themselves (64 went to direct-nchwc). */
export const WINOGRAD_MIN_CHANNELS = 128;
/** Input channels below which NCHWc's channel blocks would mostly hold padding. */
export const NCHWC_MIN_CHANNELS = 16;

export function defaultConvAlgo(s: NativeConvShape): string {
  if (s.groups > 1 && s.groups === s.c && s.c === s.k) return "depthwise";
  if (s.r === 1 && s.s === 1 && s.stride === 1 && s.pad === 0) return "gemm-1x1";
  const oh = Math.floor((s.h + 2 * s.pad - s.r) / s.stride) + 1;
  if (s.r === 3 && s.s === 3 && s.stride === 1 && s.groups === 1 && s.c >= WINOGRAD_MIN_CHANNELS && s.k >= WINOGRAD_MIN_CHANNELS) {
    return oh >= WINOGRAD_F4_MIN_OUTPUT ? "winograd-f4" : "winograd-f2";
  }
  if (s.groups === 1 && s.c >= NCHWC_MIN_CHANNELS && (s.r > 1 || s.s > 1)) return "direct-nchwc";
  return "im2col-tiled";
}
