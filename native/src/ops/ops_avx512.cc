// Elementwise ops with 512-bit AVX-512F (-mavx512f), sixteen lanes per vector, tails by
// masked loads and stores, so every element takes the vector path. relu, clip,
// hardswish, add and mul give the scalar reference's bits (see ops_internal.h; MAXPS
// and MINPS return their second operand on NaN, which is how the NaN rules are kept);
// sigmoid and the transformer ops run transformer_kernels.inc over the traits V below.
#if defined(__x86_64__)

#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "ops_internal.h"

// GCC 12's AVX-512 headers pass _mm512_undefined_*() as the merge source of unmasked
// operations, which -Wmaybe-uninitialized reports once inlined; nothing is read from it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace armbench {
namespace ops {
namespace {

constexpr size_t kW = 16;  // fp32 lanes per vector

__mmask16 tail_mask(size_t left) { return static_cast<__mmask16>((1u << left) - 1u); }

// Applies f lane-wise over n floats: four vectors a step, then one, then a masked tail.
template <typename F>
inline void map1(const float* x, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m512 a = f(_mm512_loadu_ps(x + i)), b = f(_mm512_loadu_ps(x + i + kW));
    const __m512 c = f(_mm512_loadu_ps(x + i + 2 * kW)), d = f(_mm512_loadu_ps(x + i + 3 * kW));
    _mm512_storeu_ps(y + i, a);
    _mm512_storeu_ps(y + i + kW, b);
    _mm512_storeu_ps(y + i + 2 * kW, c);
    _mm512_storeu_ps(y + i + 3 * kW, d);
  }
  for (; i + kW <= n; i += kW) _mm512_storeu_ps(y + i, f(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(y + i, m, f(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

template <typename F>
inline void map2(const float* a, const float* b, float* y, size_t n, F f) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m512 r0 = f(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    const __m512 r1 = f(_mm512_loadu_ps(a + i + kW), _mm512_loadu_ps(b + i + kW));
    const __m512 r2 = f(_mm512_loadu_ps(a + i + 2 * kW), _mm512_loadu_ps(b + i + 2 * kW));
    const __m512 r3 = f(_mm512_loadu_ps(a + i + 3 * kW), _mm512_loadu_ps(b + i + 3 * kW));
    _mm512_storeu_ps(y + i, r0);
    _mm512_storeu_ps(y + i + kW, r1);
    _mm512_storeu_ps(y + i + 2 * kW, r2);
    _mm512_storeu_ps(y + i + 3 * kW, r3);
  }
  for (; i + kW <= n; i += kW) _mm512_storeu_ps(y + i, f(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(y + i, m, f(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i)));
  }
}

// VMAXPS/VMINPS: a > b ? a : b and a < b ? a : b, so b on NaN.
__m512 max16(__m512 a, __m512 b) { return _mm512_max_ps(a, b); }
__m512 min16(__m512 a, __m512 b) { return _mm512_min_ps(a, b); }

// 2^k for integer k in [-126, 127] as floats.
__m512 pow2(__m512i k) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k, _mm512_set1_epi32(127)), 23)); }

// The vector traits of transformer_kernels.inc (see there for each function's contract).
struct V {
  using F = __m512;
  using M = __mmask16;
  static constexpr size_t W = kW;
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F load_part(const float* p, size_t n) { return _mm512_maskz_loadu_ps(tail_mask(n), p); }
  static void store_part(float* p, F v, size_t n) { _mm512_mask_storeu_ps(p, tail_mask(n), v); }
  static F set1(float f) { return _mm512_set1_ps(f); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F abs(F a) { return _mm512_abs_ps(a); }
  static F sqrt(F a) { return _mm512_sqrt_ps(a); }
  static F round(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static M lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M nan(F a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static F select(M m, F t, F f) { return _mm512_mask_blend_ps(m, f, t); }
  static F or_sign(F mag, F x) {
    const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(mag), sign));
  }
  static F scale2(F e, F n) {
    const __m512i k = _mm512_cvtps_epi32(n);
    const __m512i k1 = _mm512_srai_epi32(k, 1);
    return _mm512_mul_ps(_mm512_mul_ps(e, pow2(k1)), pow2(_mm512_sub_epi32(k, k1)));
  }
  static float hsum(F v) { return _mm512_reduce_add_ps(v); }
  static float hmax(F v) { return _mm512_reduce_max_ps(v); }
};

#include "transformer_kernels.inc"
#include "pool_kernels.inc"

void relu(const float* x, float* y, size_t n) {
  const __m512 zero = _mm512_setzero_ps();
  map1(x, y, n, [zero](__m512 v) { return max16(zero, v); });  // 0 > v ? 0 : v
}

void clip(const float* x, float* y, size_t n, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  map1(x, y, n, [vlo, vhi](__m512 v) { return min16(vhi, max16(vlo, v)); });
}

void hardswish(const float* x, float* y, size_t n) {
  const __m512 sixth = _mm512_set1_ps(1.0f / 6.0f), three = _mm512_set1_ps(3.0f);
  const __m512 zero = _mm512_setzero_ps(), six = _mm512_set1_ps(6.0f);
  map1(x, y, n, [=](__m512 v) {
    const __m512 c = min16(six, max16(zero, _mm512_add_ps(v, three)));
    return _mm512_mul_ps(v, _mm512_mul_ps(c, sixth));
  });
}

void add(const float* a, const float* b, float* y, size_t n) {
  map2(a, b, y, n, [](__m512 u, __m512 v) { return _mm512_add_ps(u, v); });
}

void mul(const float* a, const float* b, float* y, size_t n) {
  map2(a, b, y, n, [](__m512 u, __m512 v) { return _mm512_mul_ps(u, v); });
}

}  // namespace

extern const EltwiseKernels kOpsAvx512 = {
    "avx512",           {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_COUNT},
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
