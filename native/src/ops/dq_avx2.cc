// armbench_dq_matmul's loops (dq_internal.h) with AVX2: eight floats a step, the
// rounding by VROUNDPS (nearest, ties to even, as the portable set's), the bytes by two
// unsigned-saturating packs of 128-bit halves; tails through the portable set
// (kDqPortable). For CPUs without AVX-512 (Zen 2 and 3, Intel client cores).
#include "dq_internal.h"

#if defined(__AVX2__)
#include <immintrin.h>

namespace armbench {
namespace ops {
namespace {

void range(const float* x, size_t count, float* lo_out, float* hi_out, bool* nan_out) {
  // MINPS and MAXPS return their second operand when one is NaN: the running values
  // never become NaN, and the NaNs are counted apart.
  __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    lo = _mm256_min_ps(v, lo);
    hi = _mm256_max_ps(v, hi);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  float l = 0.0f, h = 0.0f;
  bool n = false;
  kDqPortable.range(x + i, count - i, &l, &h, &n);
  alignas(32) float los[8], his[8];
  _mm256_store_ps(los, lo);
  _mm256_store_ps(his, hi);
  for (int j = 0; j < 8; ++j) {
    l = los[j] < l ? los[j] : l;
    h = his[j] > h ? his[j] : h;
  }
  *lo_out = l, *hi_out = h, *nan_out = n || _mm256_movemask_ps(nan) != 0;
}

void quantize(const float* x, size_t count, float scale, float zero, uint8_t* xq) {
  const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zero), top = _mm256_set1_ps(255.0f);
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256 q = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + i), s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    q = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(q, z), _mm256_setzero_ps()), top);
    // Whole numbers in [0, 255]: the conversion is exact and the packs never saturate.
    const __m256i w = _mm256_cvttps_epi32(q);
    const __m128i half = _mm_packus_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(xq + i), _mm_packus_epi16(half, half));
  }
  kDqPortable.quantize(x + i, count - i, scale, zero, xq + i);
}

void dequantize(const int32_t* acc, size_t m, size_t n, uint32_t zero, const int32_t* colsum, const float* comb, float* y) {
  const __m256i z = _mm256_set1_epi32(static_cast<int32_t>(zero));
  for (size_t i = 0; i < m; ++i) {
    const int32_t* a = acc + i * n;
    float* out = y + i * n;
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
      const __m256i sums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + j));
      const __m256i cols = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(colsum + j));
      const __m256i c = _mm256_sub_epi32(sums, _mm256_mullo_epi32(z, cols));
      _mm256_storeu_ps(out + j, _mm256_mul_ps(_mm256_cvtepi32_ps(c), _mm256_loadu_ps(comb + j)));
    }
    if (j < n) kDqPortable.dequantize(a + j, 1, n - j, zero, colsum + j, comb + j, out + j);
  }
}

const DqLoops kLoops = {range, quantize, dequantize};

}  // namespace

const DqLoops* dq_loops_avx2() { return &kLoops; }

}  // namespace ops
}  // namespace armbench

#else

namespace armbench {
namespace ops {
const DqLoops* dq_loops_avx2() { return nullptr; }
}  // namespace ops
}  // namespace armbench

#endif
