// Elementwise ops with 256-bit AVX2 and FMA (-mavx2 -mfma), eight lanes per vector;
// a tail (fewer than eight elements) goes through a zero-padded vector on the stack,
// so every element takes the vector path. relu, clip, hardswish, add and mul give the
// scalar reference's bits (see ops_internal.h; MAXPS and MINPS return their second
// operand on NaN, which is how the NaN rules are kept); sigmoid uses the exp
// approximation described at sigmoid8, the same as the AVX-512 set's.
#if defined(__x86_64__)

#include <immintrin.h>
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

// sigmoid(x) = (x >= 0 ? 1 : z) / (1 + z) with z = exp(-|x|), which never overflows and
// keeps tiny results exact to the last digits. exp(t), t = max(-|x|, -104) (below, the
// result rounds to zero anyway): t = n ln2 + r with n = round(t / ln2) and r from a
// two-constant (Cody-Waite) reduction, |r| <= ln2/2; e^r = 1 + r + r^2 P(r), Cephes'
// expf minimax polynomial; the scale 2^n (n >= -151) is applied as two factors 2^(n/2)
// so each stays a normal float and the product rounds once into the subnormals.
// NaN lanes return x.
__m256 sigmoid8(__m256 x) {
  const __m256 t = _mm256_max_ps(_mm256_set1_ps(-104.0f), _mm256_sub_ps(_mm256_setzero_ps(), _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x)));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(t, _mm256_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), t);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 e = _mm256_fmadd_ps(_mm256_mul_ps(r, r), p, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i k = _mm256_cvtps_epi32(n);
  const __m256i k1 = _mm256_srai_epi32(k, 1);
  const __m256 z = _mm256_mul_ps(_mm256_mul_ps(e, pow2(k1)), pow2(_mm256_sub_epi32(k, k1)));
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 num = _mm256_blendv_ps(z, one, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ));
  const __m256 y = _mm256_div_ps(num, _mm256_add_ps(one, z));
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

void relu(const float* x, float* y, size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  map1(x, y, n, [zero](__m256 v) { return _mm256_max_ps(zero, v); });  // 0 > v ? 0 : v
}

void clip(const float* x, float* y, size_t n, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  map1(x, y, n, [vlo, vhi](__m256 v) { return _mm256_min_ps(vhi, _mm256_max_ps(vlo, v)); });
}

void sigmoid(const float* x, float* y, size_t n) { map1(x, y, n, sigmoid8); }

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
    "avx2", {ARMBENCH_FEATURE_AVX2, ARMBENCH_FEATURE_FMA}, relu, clip, sigmoid, hardswish, add, mul,
    erf_ref, tanh_ref, sqrt_ref, gelu_ref, gelu_tanh_ref, softmax_ref, layernorm_ref,
};

}  // namespace ops
}  // namespace armbench

#endif
