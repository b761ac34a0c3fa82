// Elementwise ops with 256-bit AVX2 and FMA (-mavx2 -mfma), eight lanes per vector;
// a tail (fewer than eight elements) goes through a zero-padded vector on the stack,
// so every element takes the vector path. relu, clip, hardswish, add and mul give the
// scalar reference's bits (see ops_internal.h; MAXPS and MINPS return their second
// operand on NaN, which is how the NaN rules are kept); sigmoid and the transformer
// ops run transformer_kernels.inc over the traits V below, as the other sets do.
#if defined(__x86_64__)

#include <immintrin.h>
#include <math.h>
#include <stddef.h>

#include "ops_internal.h"

namespace armbench {
namespace ops {
namespace {

constexpr size_t kW = 8;  // fp32 lanes per vector

// Applies f lane-wise over n floats: four vectors a step, then one, then the tail through a stack vector.
template <typename F>
inline void map1(const float* x, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m256 a = f(_mm256_loadu_ps(x + i)), b = f(_mm256_loadu_ps(x + i + kW));
    const __m256 c = f(_mm256_loadu_ps(x + i + 2 * kW)), d = f(_mm256_loadu_ps(x + i + 3 * kW));
    _mm256_storeu_ps(y + i, a);
    _mm256_storeu_ps(y + i + kW, b);
    _mm256_storeu_ps(y + i + 2 * kW, c);
    _mm256_storeu_ps(y + i + 3 * kW, d);
  }
  for (; i + kW <= n; i += kW) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) {
    float buf[kW] = {};
    for (size_t j = 0; j < n - i; ++j) buf[j] = x[i + j];
    _mm256_storeu_ps(buf, f(_mm256_loadu_ps(buf)));
    for (size_t j = 0; j < n - i; ++j) y[i + j] = buf[j];
  }
}

template <typename F>
inline void map2(const float* a, const float* b, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m256 r0 = f(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    const __m256 r1 = f(_mm256_loadu_ps(a + i + kW), _mm256_loadu_ps(b + i + kW));
    const __m256 r2 = f(_mm256_loadu_ps(a + i + 2 * kW), _mm256_loadu_ps(b + i + 2 * kW));
    const __m256 r3 = f(_mm256_loadu_ps(a + i + 3 * kW), _mm256_loadu_ps(b + i + 3 * kW));
    _mm256_storeu_ps(y + i, r0);
    _mm256_storeu_ps(y + i + kW, r1);
    _mm256_storeu_ps(y + i + 2 * kW, r2);
    _mm256_storeu_ps(y + i + 3 * kW, r3);
  }
  for (; i + kW <= n; i += kW) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  if (i < n) {
    float ba[kW] = {}, bb[kW] = {};
    for (size_t j = 0; j < n - i; ++j) ba[j] = a[i + j], bb[j] = b[i + j];
    _mm256_storeu_ps(ba, f(_mm256_loadu_ps(ba), _mm256_loadu_ps(bb)));
    for (size_t j = 0; j < n - i; ++j) y[i + j] = ba[j];
  }
}

// 2^k for integer k in [-126, 127] as floats.
__m256 pow2(__m256i k) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23)); }

// The vector traits of transformer_kernels.inc (see there for each function's
// contract); tails through a zero-padded vector on the stack.
struct V {
  using F = __m256;
  using M = __m256;
  static constexpr size_t W = kW;
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F load_part(const float* p, size_t n) {
    float buf[kW] = {};
    for (size_t j = 0; j < n; ++j) buf[j] = p[j];
    return _mm256_loadu_ps(buf);
  }
  static void store_part(float* p, F v, size_t n) {
    float buf[kW];
    _mm256_storeu_ps(buf, v);
    for (size_t j = 0; j < n; ++j) p[j] = buf[j];
  }
  static F set1(float f) { return _mm256_set1_ps(f); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F abs(F a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static F sqrt(F a) { return _mm256_sqrt_ps(a); }
  static F round(F a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static M lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M nan(F a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static F select(M m, F t, F f) { return _mm256_blendv_ps(f, t, m); }
  static F or_sign(F mag, F x) { return _mm256_or_ps(mag, _mm256_and_ps(x, _mm256_set1_ps(-0.0f))); }
  static F scale2(F e, F n) {
    const __m256i k = _mm256_cvtps_epi32(n);
    const __m256i k1 = _mm256_srai_epi32(k, 1);
    return _mm256_mul_ps(_mm256_mul_ps(e, pow2(k1)), pow2(_mm256_sub_epi32(k, k1)));
  }
  static float hsum(F v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
  static float hmax(F v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_movehdup_ps(s)));
  }
};

#include "transformer_kernels.inc"
#include "pool_kernels.inc"

void relu(const float* x, float* y, size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  map1(x, y, n, [zero](__m256 v) { return _mm256_max_ps(zero, v); });  // 0 > v ? 0 : v
}

void clip(const float* x, float* y, size_t n, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  map1(x, y, n, [vlo, vhi](__m256 v) { return _mm256_min_ps(vhi, _mm256_max_ps(vlo, v)); });
}

void hardswish(const float* x, float* y, size_t n) {
  const __m256 sixth = _mm256_set1_ps(1.0f / 6.0f), three = _mm256_set1_ps(3.0f);
  const __m256 zero = _mm256_setzero_ps(), six = _mm256_set1_ps(6.0f);
  map1(x, y, n, [=](__m256 v) {
    const __m256 c = _mm256_min_ps(six, _mm256_max_ps(zero, _mm256_add_ps(v, three)));
    return _mm256_mul_ps(v, _mm256_mul_ps(c, sixth));
  });
}

void add(const float* a, const float* b, float* y, size_t n) {
  map2(a, b, y, n, [](__m256 u, __m256 v) { return _mm256_add_ps(u, v); });
}

void mul(const float* a, const float* b, float* y, size_t n) {
  map2(a, b, y, n, [](__m256 u, __m256 v) { return _mm256_mul_ps(u, v); });
}

}  // namespace

extern const EltwiseKernels kOpsAvx2 = {
    "avx2",             {ARMBENCH_FEATURE_AVX2, ARMBENCH_FEATURE_FMA},
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
