// fp32 <-> bf16 with 128-bit NEON integer operations (-march=armv8-a), four fp32 lanes
// per vector, eight bf16 per store: the reference's bit arithmetic done lane-wise, so
// the bits are the reference's. ADDHN does the add-and-keep-the-upper-half in one
// instruction, SHLL the widening shift back.
//
// Deliberately not BFCVT/BFCVTN (FEAT_BF16): they follow FPCR, flushing subnormals
// to zero under FPCR.FZ, rounding by FPCR.RMode and returning the default NaN (payload
// lost) under FPCR.DN, and they need Armv8.6; integer operations give the reference's
// bits on every Armv8 core. Tails (fewer than four elements) go to the scalar reference.
#if defined(__aarch64__)

#include <arm_neon.h>
#include <stdint.h>

#include "bf16_internal.h"

namespace armbench {
namespace convert {
namespace {

constexpr size_t kW = 4;  // fp32 lanes per vector

uint16x4_t rne4(const float* src) {
  const uint32x4_t x = vreinterpretq_u32_f32(vld1q_f32(src));
  const uint32x4_t lsb = vandq_u32(vshrq_n_u32(x, 16), vdupq_n_u32(1));
  const uint16x4_t rounded = vaddhn_u32(x, vaddq_u32(lsb, vdupq_n_u32(0x7fff)));
  const uint32x4_t nan = vcgtq_u32(vandq_u32(x, vdupq_n_u32(0x7fffffff)), vdupq_n_u32(0x7f800000));
  const uint16x4_t quiet = vorr_u16(vshrn_n_u32(x, 16), vdup_n_u16(0x0040));
  return vbsl_u16(vmovn_u32(nan), quiet, rounded);
}

uint16x4_t truncate4(const float* src) {
  const uint32x4_t x = vreinterpretq_u32_f32(vld1q_f32(src));
  const uint32x4_t abs = vandq_u32(x, vdupq_n_u32(0x7fffffff));
  // A NaN whose payload lies only in the low half: its upper half alone reads as Inf.
  const uint32x4_t lost = vandq_u32(vcgtq_u32(abs, vdupq_n_u32(0x7f800000)), vcltq_u32(abs, vdupq_n_u32(0x7f810000)));
  return vorr_u16(vshrn_n_u32(x, 16), vand_u16(vmovn_u32(lost), vdup_n_u16(0x0040)));
}

template <bool kTruncate>
uint16x4_t convert4(const float* src) {
  return kTruncate ? truncate4(src) : rne4(src);
}

template <bool kTruncate>
void to_bf16_loop(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const uint16x8_t a = vcombine_u16(convert4<kTruncate>(src + i), convert4<kTruncate>(src + i + kW));
    const uint16x8_t b = vcombine_u16(convert4<kTruncate>(src + i + 2 * kW), convert4<kTruncate>(src + i + 3 * kW));
    vst1q_u16(dst + i, a);
    vst1q_u16(dst + i + 2 * kW, b);
  }
  for (; i + kW <= n; i += kW) vst1_u16(dst + i, convert4<kTruncate>(src + i));
  if (i < n) kBf16Scalar.to_bf16(src + i, dst + i, n - i, r);
}

void to_bf16_neon(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  if (r == ARMBENCH_BF16_TRUNCATE) {
    to_bf16_loop<true>(src, dst, n, r);
  } else {
    to_bf16_loop<false>(src, dst, n, r);
  }
}

void to_f32_neon(const uint16_t* src, float* dst, size_t n) {
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    const uint16x8_t x = vld1q_u16(src + i);
    vst1q_f32(dst + i, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(x), 16)));
    vst1q_f32(dst + i + kW, vreinterpretq_f32_u32(vshll_high_n_u16(x, 16)));
  }
  for (; i + kW <= n; i += kW) vst1q_f32(dst + i, vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(src + i), 16)));
  if (i < n) kBf16Scalar.to_f32(src + i, dst + i, n - i);
}

}  // namespace

extern const Bf16Kernels kBf16Neon = {
    "neon", {ARMBENCH_FEATURE_ASIMD, ARMBENCH_FEATURE_COUNT}, to_bf16_neon, to_f32_neon};

}  // namespace convert
}  // namespace armbench

#endif  // __aarch64__
