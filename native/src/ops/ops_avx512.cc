// Elementwise ops with 512-bit AVX-512F (-mavx512f), sixteen lanes per vector, tails by
// masked loads and stores, so every element takes the vector path. relu, clip,
// hardswish, add and mul give the scalar reference's bits (see ops_internal.h; MAXPS
// and MINPS return their second operand on NaN, which is how the NaN rules are kept);
// sigmoid uses the exp approximation described at sigmoid16.
#if defined(__x86_64__)

#include <immintrin.h>
#include <stddef.h>

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

// sigmoid(x) = (x >= 0 ? 1 : z) / (1 + z) with z = exp(-|x|), which never overflows and
// keeps tiny results exact to the last digits. exp(t), t = max(-|x|, -104) (below, the
// result rounds to zero anyway): t = n ln2 + r with n = round(t / ln2) and r from a
// two-constant (Cody-Waite) reduction, |r| <= ln2/2; e^r = 1 + r + r^2 P(r), Cephes'
// expf minimax polynomial; the scale 2^n (n >= -151) is applied as two factors 2^(n/2)
// so each stays a normal float and the product rounds once into the subnormals.
// NaN lanes return x.
__m512 sigmoid16(__m512 x) {
  const __m512 t = max16(_mm512_set1_ps(-104.0f), _mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(x)));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(t, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), t);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 e = _mm512_fmadd_ps(_mm512_mul_ps(r, r), p, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  const __m512i k = _mm512_cvtps_epi32(n);
  const __m512i k1 = _mm512_srai_epi32(k, 1);
  const __m512 z = _mm512_mul_ps(_mm512_mul_ps(e, pow2(k1)), pow2(_mm512_sub_epi32(k, k1)));
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 num = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ), z, one);
  const __m512 y = _mm512_div_ps(num, _mm512_add_ps(one, z));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}

void relu(const float* x, float* y, size_t n) {
  const __m512 zero = _mm512_setzero_ps();
  map1(x, y, n, [zero](__m512 v) { return max16(zero, v); });  // 0 > v ? 0 : v
}

void clip(const float* x, float* y, size_t n, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  map1(x, y, n, [vlo, vhi](__m512 v) { return min16(vhi, max16(vlo, v)); });
}

void sigmoid(const float* x, float* y, size_t n) { map1(x, y, n, sigmoid16); }

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
    "avx512", {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_COUNT}, relu, clip, sigmoid, hardswish, add, mul,
    erf_ref, tanh_ref, sqrt_ref, gelu_ref, gelu_tanh_ref, softmax_ref, layernorm_ref,
};

}  // namespace ops
}  // namespace armbench

#endif
