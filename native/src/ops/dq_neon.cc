// armbench_dq_matmul's loops (dq_internal.h) with Advanced SIMD: four floats a step
// (eight for the quantization, whose bytes narrow from two vectors), the rounding by FRINTN (nearest, ties to even, as the portable set's), the bytes by
// two narrowing moves of whole numbers in [0, 255]; tails through the portable set
// (kDqPortable).
#include "dq_internal.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace armbench {
namespace ops {
namespace {

void range(const float* x, size_t count, float* lo_out, float* hi_out, bool* nan_out) {
  // FMIN and FMAX would carry a NaN into the running values; the NaNs are counted apart
  // (and lo and hi are not used then), so the selects below keep them out.
  float32x4_t lo = vdupq_n_f32(0.0f), hi = vdupq_n_f32(0.0f);
  uint32x4_t nan = vdupq_n_u32(0);
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    lo = vbslq_f32(vcltq_f32(v, lo), v, lo);
    hi = vbslq_f32(vcgtq_f32(v, hi), v, hi);
    nan = vorrq_u32(nan, vmvnq_u32(vceqq_f32(v, v)));
  }
  float l = 0.0f, h = 0.0f;
  bool n = false;
  kDqPortable.range(x + i, count - i, &l, &h, &n);
  const float vl = vminvq_f32(lo), vh = vmaxvq_f32(hi);
  *lo_out = vl < l ? vl : l, *hi_out = vh > h ? vh : h, *nan_out = n || vmaxvq_u32(nan) != 0;
}

void quantize(const float* x, size_t count, float scale, float zero, uint8_t* xq) {
  const float32x4_t s = vdupq_n_f32(scale), z = vdupq_n_f32(zero), top = vdupq_n_f32(255.0f), bottom = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    uint16x4_t halves[2];
    for (int h = 0; h < 2; ++h) {
      float32x4_t q = vrndnq_f32(vdivq_f32(vld1q_f32(x + i + 4 * h), s));
      q = vminq_f32(vmaxq_f32(vaddq_f32(q, z), bottom), top);
      halves[h] = vmovn_u32(vcvtq_u32_f32(q));
    }
    vst1_u8(xq + i, vmovn_u16(vcombine_u16(halves[0], halves[1])));
  }
  kDqPortable.quantize(x + i, count - i, scale, zero, xq + i);
}

void dequantize(const int32_t* acc, size_t m, size_t n, uint32_t zero, const int32_t* colsum, const float* comb, float* y) {
  const uint32x4_t z = vdupq_n_u32(zero);
  for (size_t i = 0; i < m; ++i) {
    const int32_t* a = acc + i * n;
    float* out = y + i * n;
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
      // Modulo 2^32, as the portable set's unsigned sums.
      const uint32x4_t c = vmlsq_u32(vreinterpretq_u32_s32(vld1q_s32(a + j)), z, vreinterpretq_u32_s32(vld1q_s32(colsum + j)));
      vst1q_f32(out + j, vmulq_f32(vcvtq_f32_s32(vreinterpretq_s32_u32(c)), vld1q_f32(comb + j)));
    }
    if (j < n) kDqPortable.dequantize(a + j, 1, n - j, zero, colsum + j, comb + j, out + j);
  }
}

const DqLoops kLoops = {range, quantize, dequantize};

}  // namespace

const DqLoops* dq_loops_neon() { return &kLoops; }

}  // namespace ops
}  // namespace armbench

#else

namespace armbench {
namespace ops {
const DqLoops* dq_loops_neon() { return nullptr; }
}  // namespace ops
}  // namespace armbench

#endif
