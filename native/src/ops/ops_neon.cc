// Elementwise ops with 128-bit NEON (-march=armv8-a), four lanes per vector; a tail
// (fewer than four elements) goes through a zero-padded vector on the stack, so every
// element takes the vector path. relu, clip and hardswish select with compares (FMAX
// and FMIN would turn -0 into +0 and differ on NaN from the reference), so they, add
// and mul give the scalar reference's bits (see ops_internal.h); sigmoid uses the exp
// approximation described at sigmoid4, the same as the x86 sets'.
#if defined(__aarch64__)

#include <arm_neon.h>
#include <stddef.h>

#include "ops_internal.h"

namespace armbench {
namespace ops {
namespace {

constexpr size_t kW = 4;  // fp32 lanes per vector

// Applies f lane-wise over n floats: four vectors a step, then one, then the tail
// through a stack vector.
template <typename F>
inline void map1(const float* x, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const float32x4_t a = f(vld1q_f32(x + i)), b = f(vld1q_f32(x + i + kW));
    const float32x4_t c = f(vld1q_f32(x + i + 2 * kW)), d = f(vld1q_f32(x + i + 3 * kW));
    vst1q_f32(y + i, a);
    vst1q_f32(y + i + kW, b);
    vst1q_f32(y + i + 2 * kW, c);
    vst1q_f32(y + i + 3 * kW, d);
  }
  for (; i + kW <= n; i += kW) vst1q_f32(y + i, f(vld1q_f32(x + i)));
  if (i < n) {
    float buf[kW] = {};
    for (size_t j = 0; j < n - i; ++j) buf[j] = x[i + j];
    vst1q_f32(buf, f(vld1q_f32(buf)));
    for (size_t j = 0; j < n - i; ++j) y[i + j] = buf[j];
  }
}

template <typename F>
inline void map2(const float* a, const float* b, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const float32x4_t r0 = f(vld1q_f32(a + i), vld1q_f32(b + i));
    const float32x4_t r1 = f(vld1q_f32(a + i + kW), vld1q_f32(b + i + kW));
    const float32x4_t r2 = f(vld1q_f32(a + i + 2 * kW), vld1q_f32(b + i + 2 * kW));
    const float32x4_t r3 = f(vld1q_f32(a + i + 3 * kW), vld1q_f32(b + i + 3 * kW));
    vst1q_f32(y + i, r0);
    vst1q_f32(y + i + kW, r1);
    vst1q_f32(y + i + 2 * kW, r2);
    vst1q_f32(y + i + 3 * kW, r3);
  }
  for (; i + kW <= n; i += kW) vst1q_f32(y + i, f(vld1q_f32(a + i), vld1q_f32(b + i)));
  if (i < n) {
    float ba[kW] = {}, bb[kW] = {};
    for (size_t j = 0; j < n - i; ++j) ba[j] = a[i + j], bb[j] = b[i + j];
    vst1q_f32(ba, f(vld1q_f32(ba), vld1q_f32(bb)));
    for (size_t j = 0; j < n - i; ++j) y[i + j] = ba[j];
  }
}

// 2^k for integer k in [-126, 127] as floats.
float32x4_t pow2(int32x4_t k) { return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k, vdupq_n_s32(127)), 23)); }

// sigmoid(x) = (x >= 0 ? 1 : z) / (1 + z) with z = exp(-|x|), which never overflows and
// keeps tiny results exact to the last digits. exp(t), t = max(-|x|, -104) (below, the
// result rounds to zero anyway): t = n ln2 + r with n = round(t / ln2) and r from a
// two-constant (Cody-Waite) reduction, |r| <= ln2/2; e^r = 1 + r + r^2 P(r), Cephes'
// expf minimax polynomial; the scale 2^n (n >= -151) is applied as two factors 2^(n/2)
// so each stays a normal float and the product rounds once into the subnormals.
// NaN lanes return x.
float32x4_t sigmoid4(float32x4_t x) {
  const float32x4_t t = vmaxq_f32(vdupq_n_f32(-104.0f), vnegq_f32(vabsq_f32(x)));
  const float32x4_t n = vrndnq_f32(vmulq_f32(t, vdupq_n_f32(1.44269504088896341f)));
  float32x4_t r = vfmsq_f32(t, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = vfmaq_f32(vaddq_f32(r, one), vmulq_f32(r, r), p);
  const int32x4_t k = vcvtq_s32_f32(n);  // n is integral; NaN gives 0
  const int32x4_t k1 = vshrq_n_s32(k, 1);
  const float32x4_t z = vmulq_f32(vmulq_f32(e, pow2(k1)), pow2(vsubq_s32(k, k1)));
  const float32x4_t num = vbslq_f32(vcgeq_f32(x, vdupq_n_f32(0.0f)), one, z);
  const float32x4_t y = vdivq_f32(num, vaddq_f32(one, z));
  return vbslq_f32(vceqq_f32(x, x), y, x);
}

void relu(const float* x, float* y, size_t n) {
  map1(x, y, n, [](float32x4_t v) {
    const uint32x4_t neg = vcltq_f32(v, vdupq_n_f32(0.0f));
    return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v), neg));
  });
}

void clip(const float* x, float* y, size_t n, float lo, float hi) {
  const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
  map1(x, y, n, [vlo, vhi](float32x4_t v) {
    const float32x4_t t = vbslq_f32(vcltq_f32(v, vlo), vlo, v);
    return vbslq_f32(vcgtq_f32(t, vhi), vhi, t);
  });
}

void sigmoid(const float* x, float* y, size_t n) { map1(x, y, n, sigmoid4); }

void hardswish(const float* x, float* y, size_t n) {
  const float32x4_t sixth = vdupq_n_f32(1.0f / 6.0f), three = vdupq_n_f32(3.0f);
  const float32x4_t zero = vdupq_n_f32(0.0f), six = vdupq_n_f32(6.0f);
  map1(x, y, n, [=](float32x4_t v) {
    float32x4_t c = vaddq_f32(v, three);
    c = vbslq_f32(vcltq_f32(c, zero), zero, c);
    c = vbslq_f32(vcgtq_f32(c, six), six, c);
    return vmulq_f32(v, vmulq_f32(c, sixth));
  });
}

void add(const float* a, const float* b, float* y, size_t n) {
  map2(a, b, y, n, [](float32x4_t u, float32x4_t v) { return vaddq_f32(u, v); });
}

void mul(const float* a, const float* b, float* y, size_t n) {
  map2(a, b, y, n, [](float32x4_t u, float32x4_t v) { return vmulq_f32(u, v); });
}

}  // namespace

extern const EltwiseKernels kOpsNeon = {
    "neon", {ARMBENCH_FEATURE_ASIMD, ARMBENCH_FEATURE_COUNT}, relu, clip, sigmoid, hardswish, add, mul,
    erf_ref, tanh_ref, sqrt_ref, gelu_ref, gelu_tanh_ref, softmax_ref, layernorm_ref,
};

}  // namespace ops
}  // namespace armbench

#endif
