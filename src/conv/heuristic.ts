/**
 * The algorithm a layer gets without --fast-run: rules read off the measured winners
 * on ResNet-50 here (bench:conv, one thread, batch 1), to be revisited as algorithms
 * and machines are added. The fast-run cache, when present, always wins over these.
 */
import type { NativeConvShape } from "../native.js";

/**
 * Output rows from which Winograd F(4x4) pays against the two-block direct-nchwc kernel
 * (in ResNet-50 here, one thread: 28x28 with 128 channels 1.65-1.72 ms against 2.08 ms
 * direct; 14x14 with 256 channels 2.2 ms against 2.08; a 7x7 map has 4 tiles, too few).
 */
export const WINOGRAD_F4_MIN_OUTPUT = 28;
/** Input channels from which Winograd's transforms pay for themselves. */
export const WINOGRAD_MIN_CHANNELS = 64;
/**
 * Output channels from which they pay: with 64 the output transform costs too much per
 * multiply saved (ResNet-50's 56x56 64->64 layers: 2.4 ms Winograd, 2.1 ms direct;
 * VGG-16's 224x224 64->64: 58 against 84 GFLOP/s), with 128 Winograd wins (VGG-16's
 * 112x112 64->128: 131 against 96).
 */
export const WINOGRAD_MIN_OUTPUT_CHANNELS = 128;
/** Input channels below which a 1x1 layer's NCHWc blocks would mostly hold padding (GEMM there). */
export const NCHWC_MIN_CHANNELS = 16;

/**
 * fp32 1x1 layers go to direct-nchwc, whose two-block kernel computes 32 output channels
 * per broadcast input value with the epilogue fused into its stores, and which keeps the
 * network in NCHWc: on ResNet-50 here (one thread, batch 1) its 1x1 layers took 0.95-1.1
 * ms where gemm-1x1 took 1.1-1.45 ms, and the stride-2 downsamples 2.1-2.3 ms where
 * im2col-tiled took 2.4-3.0 ms. bf16 likewise, on the two-block VDPBF16PS/BFDOT kernel:
 * ResNet-50 bf16 went from 50 ms (bf16 GEMM for the 1x1 layers) to 40 ms.
 *
 * Layers with few input channels (a 3-channel stem) go to direct-nchwc too: the
 * two-block kernel skips the zero channels of a partial input block, and a stem of at
 * most 4 channels reads the image as given into a 4-lane frame (ResNet-50's 7x7/2 stem:
 * 4.1 ms im2col-tiled, 2.3 ms direct-nchwc).
 *
 * Depthwise layers go to direct-nchwc's depthwise kernel (a lane per channel), so a
 * MobileNet stays in NCHWc: MobileNet-v2 here went from 12.1 ms (the NCHW depthwise
 * algorithm, with a reorder on each side of every depthwise layer) to 9.4 ms.
 *
 * bf16 never gets Winograd by default: its transforms run in fp32 whatever the dtype,
 * so it gains little, and rounding the transformed operands to bf16 costs F(4x4) most
 * of bf16's precision (see the conv table's error column); direct-nchwc's dot-product
 * kernel is the measured bf16 winner on 3x3 layers.
 */
export function defaultConvAlgo(s: NativeConvShape, dtype: "fp32" | "bf16" = "fp32"): string {
  if (s.groups > 1 && s.groups === s.c && s.c === s.k) return "direct-nchwc";
  if (s.groups === 1 && s.c >= NCHWC_MIN_CHANNELS && s.r === 1 && s.s === 1) return "direct-nchwc";
  if (s.r === 1 && s.s === 1 && s.stride === 1 && s.pad === 0) return "gemm-1x1";
  const oh = Math.floor((s.h + 2 * s.pad - s.r) / s.stride) + 1;
  if (
    dtype === "fp32" && s.r === 3 && s.s === 3 && s.stride === 1 && s.groups === 1 &&
    s.c >= WINOGRAD_MIN_CHANNELS && s.k >= WINOGRAD_MIN_OUTPUT_CHANNELS && oh >= WINOGRAD_F4_MIN_OUTPUT
  ) {
    return "winograd-f4";
  }
  if (s.groups === 1 && (s.r > 1 || s.s > 1)) return "direct-nchwc";
  return "im2col-tiled";
}
