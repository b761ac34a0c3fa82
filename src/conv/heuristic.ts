/**
 * The algorithm a layer gets without tuning or --fast-run: rules read off the measured
 * winners (bench:conv, one thread, batch 1) and the model tuner's whole-network races,
 * kept per machine in data/measured/ by `npm run bench:rules`, to be revisited as
 * algorithms and machines are added. A fast-run or tuning cache always wins over these.
 */
import type { NativeConvShape } from "../native.js";

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
 * No layer gets Winograd by default. Alone, F(4x4) wins ResNet-50's 28x28 3x3 layers
 * with 128 channels on both machines measured (data/measured/), but inside a network it
 * leaves NCHWc, and the reorders on each side cost more than it saves: in the model
 * tuner's races, the rules with Winograd on those layers against direct-nchwc there
 * (median ms, batch 1, 1 and 2 threads) were ResNet-50 63.2 / 61.9 and 35.6 / 34.3,
 * ResNet-18 28.8 / 27.3 and 15.9 / 14.9 on an Intel Xeon VM (AMX); ResNet-50 45.7 / 45.0
 * and 27.4 / 25.7, ResNet-18 23.7 / 21.3 and 14.6 / 11.9 on Zen 5. The model tuner still
 * races Winograd wherever it wins alone. bf16 gains least from it anyway: its
 * transforms run in fp32, and rounding the transformed operands to bf16 costs F(4x4)
 * most of bf16's precision (see the conv table's error column).
 *
 * The rules take the dtype because they are a choice per (shape, dtype); since
 * Winograd left them, fp32 and bf16 get the same answers.
 */
export function defaultConvAlgo(s: NativeConvShape, dtype: "fp32" | "bf16" = "fp32"): string {
  if (s.groups > 1 && s.groups === s.c && s.c === s.k) return "direct-nchwc";
  if (s.groups === 1 && s.c >= NCHWC_MIN_CHANNELS && s.r === 1 && s.s === 1) return "direct-nchwc";
  if (s.r === 1 && s.s === 1 && s.stride === 1 && s.pad === 0) return "gemm-1x1";
  if (s.groups === 1 && (s.r > 1 || s.s > 1)) return "direct-nchwc";
  return "im2col-tiled";
}
