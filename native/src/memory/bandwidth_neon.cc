// Bandwidth kernels with 128-bit NEON (-march=armv8-a). Each loop touches adjacent
// vectors so the compiler pairs them into LDP/STP, the widest transfers base Armv8
// has. The non-temporal kernels store with STNP, a hint that the data will not be
// read again soon (no C intrinsic exists for it, hence the inline asm).
#if defined(__aarch64__)

#include <arm_neon.h>

#include "bandwidth_internal.h"

namespace armbench {
namespace memory {
namespace {

constexpr size_t kW = 4;  // floats per vector

// Eight accumulators: FP add latency (2-4 cycles) times up to three loads per cycle.
double read_neon(const float* a, size_t n) {
  float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  size_t i = 0;
  for (; i + 8 * kW <= n; i += 8 * kW) {
    s0 = vaddq_f32(s0, vld1q_f32(a + i));
    s1 = vaddq_f32(s1, vld1q_f32(a + i + kW));
    s2 = vaddq_f32(s2, vld1q_f32(a + i + 2 * kW));
    s3 = vaddq_f32(s3, vld1q_f32(a + i + 3 * kW));
    s4 = vaddq_f32(s4, vld1q_f32(a + i + 4 * kW));
    s5 = vaddq_f32(s5, vld1q_f32(a + i + 5 * kW));
    s6 = vaddq_f32(s6, vld1q_f32(a + i + 6 * kW));
    s7 = vaddq_f32(s7, vld1q_f32(a + i + 7 * kW));
  }
  for (; i + kW <= n; i += kW) s0 = vaddq_f32(s0, vld1q_f32(a + i));
  s0 = vaddq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)), vaddq_f32(vaddq_f32(s4, s5), vaddq_f32(s6, s7)));
  double sum = static_cast<double>(vgetq_lane_f32(s0, 0)) + vgetq_lane_f32(s0, 1) + vgetq_lane_f32(s0, 2) +
               vgetq_lane_f32(s0, 3);
  for (; i < n; ++i) sum += a[i];
  return sum;
}

void write_neon(float* a, size_t n, float v) {
  const float32x4_t x = vdupq_n_f32(v);
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    vst1q_f32(a + i, x);
    vst1q_f32(a + i + kW, x);
    vst1q_f32(a + i + 2 * kW, x);
    vst1q_f32(a + i + 3 * kW, x);
  }
  for (; i < n; ++i) a[i] = v;
}

void copy_neon(float* dst, const float* src, size_t n) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const float32x4_t x0 = vld1q_f32(src + i), x1 = vld1q_f32(src + i + kW);
    const float32x4_t x2 = vld1q_f32(src + i + 2 * kW), x3 = vld1q_f32(src + i + 3 * kW);
    vst1q_f32(dst + i, x0);
    vst1q_f32(dst + i + kW, x1);
    vst1q_f32(dst + i + 2 * kW, x2);
    vst1q_f32(dst + i + 3 * kW, x3);
  }
  for (; i < n; ++i) dst[i] = src[i];
}

// Multiply then add, not vfmaq: the same rounding as the scalar reference.
float32x4_t triad4(const float* b, const float* c, float32x4_t s) {
  return vaddq_f32(vld1q_f32(b), vmulq_f32(s, vld1q_f32(c)));
}

void triad_neon(float* a, const float* b, const float* c, float s, size_t n) {
  const float32x4_t k = vdupq_n_f32(s);
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const float32x4_t x0 = triad4(b + i, c + i, k), x1 = triad4(b + i + kW, c + i + kW, k);
    const float32x4_t x2 = triad4(b + i + 2 * kW, c + i + 2 * kW, k);
    const float32x4_t x3 = triad4(b + i + 3 * kW, c + i + 3 * kW, k);
    vst1q_f32(a + i, x0);
    vst1q_f32(a + i + kW, x1);
    vst1q_f32(a + i + 2 * kW, x2);
    vst1q_f32(a + i + 3 * kW, x3);
  }
  for (; i < n; ++i) a[i] = b[i] + s * c[i];
}

// 32 bytes with one STNP; it needs no alignment. The memory operand ("Q": a bare
// base register, the only form STNP takes here) tells the compiler exactly what is
// written, so no blanket "memory" clobber stops it scheduling the loads.
void stnp(float* p, float32x4_t x, float32x4_t y) {
  __asm__ volatile("stnp %q1, %q2, %0" : "=Q"(*reinterpret_cast<float(*)[8]>(p)) : "w"(x), "w"(y));
}

void write_nt_neon(float* a, size_t n, float v) {
  const float32x4_t x = vdupq_n_f32(v);
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    stnp(a + i, x, x);
    stnp(a + i + 2 * kW, x, x);
  }
  for (; i < n; ++i) a[i] = v;
}

void copy_nt_neon(float* dst, const float* src, size_t n) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const float32x4_t x0 = vld1q_f32(src + i), x1 = vld1q_f32(src + i + kW);
    const float32x4_t x2 = vld1q_f32(src + i + 2 * kW), x3 = vld1q_f32(src + i + 3 * kW);
    stnp(dst + i, x0, x1);
    stnp(dst + i + 2 * kW, x2, x3);
  }
  for (; i < n; ++i) dst[i] = src[i];
}

void triad_nt_neon(float* a, const float* b, const float* c, float s, size_t n) {
  const float32x4_t k = vdupq_n_f32(s);
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const float32x4_t x0 = triad4(b + i, c + i, k), x1 = triad4(b + i + kW, c + i + kW, k);
    const float32x4_t x2 = triad4(b + i + 2 * kW, c + i + 2 * kW, k);
    const float32x4_t x3 = triad4(b + i + 3 * kW, c + i + 3 * kW, k);
    stnp(a + i, x0, x1);
    stnp(a + i + 2 * kW, x2, x3);
  }
  for (; i < n; ++i) a[i] = b[i] + s * c[i];
}

}  // namespace

extern const BwKernels kBwNeon = {
    "neon",        ARMBENCH_FEATURE_ASIMD, read_neon,     write_neon, copy_neon, triad_neon,
    write_nt_neon, copy_nt_neon,           triad_nt_neon,
};

}  // namespace memory
}  // namespace armbench

#endif  // __aarch64__
