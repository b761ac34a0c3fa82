// armbench_dq_matmul's loops (dq_internal.h) with AVX-512: sixteen floats a step, the
// rounding by VRNDSCALEPS (nearest, ties to even, as the portable set's), the bytes by
// VPMOVUSDB; tails through the portable set (kDqPortable).
#include "dq_internal.h"

#if defined(__AVX512F__) && defined(__AVX512BW__)
#include <immintrin.h>

// GCC 12's AVX-512 headers pass _mm512_undefined_*() as the merge source of unmasked
// operations, which -W(maybe-)uninitialized reports once inlined; nothing is read from it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace armbench {
namespace ops {
namespace {

void range(const float* x, size_t count, float* lo_out, float* hi_out, bool* nan_out) {
  __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
  __mmask16 nan = 0;
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    lo = _mm512_min_ps(v, lo);
    hi = _mm512_max_ps(v, hi);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  }
  float l = 0.0f, h = 0.0f;
  bool n = false;
  kDqPortable.range(x + i, count - i, &l, &h, &n);
  const float vl = _mm512_reduce_min_ps(lo), vh = _mm512_reduce_max_ps(hi);
  *lo_out = vl < l ? vl : l, *hi_out = vh > h ? vh : h, *nan_out = n || nan != 0;
}

void quantize(const float* x, size_t count, float scale, float zero, uint8_t* xq) {
  const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zero), top = _mm512_set1_ps(255.0f);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    __m512 q = _mm512_roundscale_ps(_mm512_div_ps(_mm512_loadu_ps(x + i), s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    q = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(q, z), _mm512_setzero_ps()), top);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(xq + i), _mm512_cvtusepi32_epi8(_mm512_cvttps_epi32(q)));
  }
  kDqPortable.quantize(x + i, count - i, scale, zero, xq + i);
}

void dequantize(const int32_t* acc, size_t m, size_t n, uint32_t zero, const int32_t* colsum, const float* comb, float* y) {
  const __m512i z = _mm512_set1_epi32(static_cast<int32_t>(zero));
  for (size_t i = 0; i < m; ++i) {
    const int32_t* a = acc + i * n;
    float* out = y + i * n;
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
      const __m512i c = _mm512_sub_epi32(_mm512_loadu_si512(a + j), _mm512_mullo_epi32(z, _mm512_loadu_si512(colsum + j)));
      _mm512_storeu_ps(out + j, _mm512_mul_ps(_mm512_cvtepi32_ps(c), _mm512_loadu_ps(comb + j)));
    }
    if (j < n) kDqPortable.dequantize(a + j, 1, n - j, zero, colsum + j, comb + j, out + j);
  }
}

const DqLoops kLoops = {range, quantize, dequantize};

}  // namespace

const DqLoops* dq_loops_avx512() { return &kLoops; }

}  // namespace ops
}  // namespace armbench

#else

namespace armbench {
namespace ops {
const DqLoops* dq_loops_avx512() { return nullptr; }
}  // namespace ops
}  // namespace armbench

#endif
