/**
 * The algorithm a layer gets without --fast-run: rules read off the measured winners
 * on ResNet-50 here (bench:conv, one thread, batch 1), to be revisited as algorithms
 * and machines are added. The fast-run cache, when present, always wins over these.
 */
import type { NativeConvShape } from "../native.js";

/** Output rows from which Winograd F(4x4) has enough tiles to pay (at 7x7, batch 1, its transformed weights stream from memory for 4 tiles and direct-nchwc wins). */
export const WINOGRAD_F4_MIN_OUTPUT = 14;
/** Channels from which Winograd's transforms pay for themselves (64 went to direct-nchwc). */
export const WINOGRAD_MIN_CHANNELS = 128;
/** Input channels below which NCHWc's channel blocks would mostly hold padding. */
export const NCHWC_MIN_CHANNELS = 16;

/**
 * bf16 never gets Winograd by default: its transforms run in fp32 whatever the dtype,
 * so it gains little, and rounding the transformed operands to bf16 costs F(4x4) most
 * of bf16's precision (see the conv table's error column); direct-nchwc's dot-product
 * kernel is the measured bf16 winner on 3x3 layers.
 */
export function defaultConvAlgo(s: NativeConvShape, dtype: "fp32" | "bf16" = "fp32"): string {
  if (s.groups > 1 && s.groups === s.c && s.c === s.k) return "depthwise";
  if (s.r === 1 && s.s === 1 && s.stride === 1 && s.pad === 0) return "gemm-1x1";
  const oh = Math.floor((s.h + 2 * s.pad - s.r) / s.stride) + 1;
  if (
    dtype === "fp32" && s.r === 3 && s.s === 3 && s.stride === 1 && s.groups === 1 &&
    s.c >= WINOGRAD_MIN_CHANNELS && s.k >= WINOGRAD_MIN_CHANNELS && oh >= WINOGRAD_F4_MIN_OUTPUT
  ) {
    return "winograd-f4";
  }
  if (s.groups === 1 && s.c >= NCHWC_MIN_CHANNELS && (s.r > 1 || s.s > 1)) return "direct-nchwc";
  return "im2col-tiled";
}
