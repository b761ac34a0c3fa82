/**
 * The algorithm a layer gets without --fast-run: rules read off the measured winners
 * on ResNet-50 here (bench:conv), to be revisited as algorithms and machines are added.
 * The fast-run cache, when present, always wins over these rules.
 */
import type { NativeConvShape } from "../native.js";

/** Output rows and columns below which Winograd F(4x4) has too few tiles to pay. */
export const WINOGRAD_F4_MIN_OUTPUT = 14;
/** Channels below which the Winograd transforms cost more than they save. */
export const WINOGRAD_MIN_CHANNELS = 64;

export function defaultConvAlgo(s: NativeConvShape): string {
  if (s.groups > 1 && s.groups === s.c && s.c === s.k) return "depthwise";
  if (s.r === 1 && s.s === 1 && s.stride === 1 && s.pad === 0) return "gemm-1x1";
  const oh = Math.floor((s.h + 2 * s.pad - s.r) / s.stride) + 1;
  if (s.r === 3 && s.s === 3 && s.stride === 1 && s.groups === 1 && s.c >= WINOGRAD_MIN_CHANNELS && s.k >= WINOGRAD_MIN_CHANNELS) {
    return oh >= WINOGRAD_F4_MIN_OUTPUT ? "winograd-f4" : "winograd-f2";
  }
  return "im2col-tiled";
}
