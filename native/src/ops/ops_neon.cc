// Elementwise ops with 128-bit NEON (-march=armv8-a), four lanes per vector; a tail
// (fewer than four elements) goes through a zero-padded vector on the stack, so every
// element takes the vector path. relu, clip and hardswish select with compares (FMAX
// and FMIN would turn -0 into +0 and differ on NaN from the reference), so they, add
// and mul give the scalar reference's bits (see ops_internal.h); sigmoid and the
// transformer ops run transformer_kernels.inc over the traits V below, as the x86
// sets do.
#if defined(__aarch64__)

#include <arm_neon.h>
#include <math.h>
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

// The vector traits of transformer_kernels.inc (see there for each function's
// contract); tails through a zero-padded vector on the stack.
struct V {
  using F = float32x4_t;
  using M = uint32x4_t;
  static constexpr size_t W = kW;
  static F load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, F v) { vst1q_f32(p, v); }
  static F load_part(const float* p, size_t n) {
    float buf[kW] = {};
    for (size_t j = 0; j < n; ++j) buf[j] = p[j];
    return vld1q_f32(buf);
  }
  static void store_part(float* p, F v, size_t n) {
    float buf[kW];
    vst1q_f32(buf, v);
    for (size_t j = 0; j < n; ++j) p[j] = buf[j];
  }
  static F set1(float f) { return vdupq_n_f32(f); }
  static F add(F a, F b) { return vaddq_f32(a, b); }
  static F sub(F a, F b) { return vsubq_f32(a, b); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F div(F a, F b) { return vdivq_f32(a, b); }
  static F fma(F a, F b, F c) { return vfmaq_f32(c, a, b); }
  static F fnma(F a, F b, F c) { return vfmsq_f32(c, a, b); }
  static F max(F a, F b) { return vmaxq_f32(a, b); }  // NaN if either is
  static F min(F a, F b) { return vbslq_f32(vcltq_f32(a, b), a, b); }  // b when a is NaN
  static F abs(F a) { return vabsq_f32(a); }
  static F sqrt(F a) { return vsqrtq_f32(a); }
  static F round(F a) { return vrndnq_f32(a); }
  static M lt(F a, F b) { return vcltq_f32(a, b); }
  static M gt(F a, F b) { return vcgtq_f32(a, b); }
  static M nan(F a) { return vmvnq_u32(vceqq_f32(a, a)); }
  static F select(M m, F t, F f) { return vbslq_f32(m, t, f); }
  static F or_sign(F mag, F x) {
    const uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(mag), sign));
  }
  static F scale2(F e, F n) {
    const int32x4_t k = vcvtq_s32_f32(n);  // n is integral; NaN gives 0
    const int32x4_t k1 = vshrq_n_s32(k, 1);
    return vmulq_f32(vmulq_f32(e, pow2(k1)), pow2(vsubq_s32(k, k1)));
  }
  static float hsum(F v) { return vaddvq_f32(v); }
  static float hmax(F v) { return vmaxvq_f32(v); }
};

#include "transformer_kernels.inc"
#include "pool_kernels.inc"

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
    "neon",             {ARMBENCH_FEATURE_ASIMD, ARMBENCH_FEATURE_COUNT},
    relu,               clip,
    sigmoid_k<V>,       hardswish,
    add,                mul,
    erf_k<V>,           tanh_k<V>,
    sqrt_k<V>,          gelu_k<V>,
    gelu_tanh_k<V>,     softmax_rows_v<V>,
    layernorm_rows_v<V>,
    V::W,               max_pool_plane_v<V>,
};

}  // namespace ops
}  // namespace armbench

#endif
