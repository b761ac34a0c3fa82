// fp32 <-> bf16 with 256-bit AVX2 integer operations (-mavx2), eight lanes per vector:
// the reference's bit arithmetic done lane-wise, so the bits are the reference's.
//
// Deliberately not VCVTNEPS2BF16 (AVX512_BF16 / AVX-NE-CONVERT): it turns subnormal
// inputs into signed zeros whatever MXCSR says, so it cannot match the reference (its
// NaN rule, the upper half plus the quiet bit, happens to agree). Tails (fewer than
// eight elements) go to the scalar reference.
#if defined(__x86_64__)

#include <immintrin.h>
#include <stdint.h>

#include "bf16_internal.h"

namespace armbench {
namespace convert {
namespace {

constexpr size_t kW = 8;  // fp32 lanes per vector

// The bf16 bits of eight fp32 patterns, in the low half of each 32-bit lane (the
// upper halves are zero, so a saturating pack keeps them unchanged).
__m256i rne8(__m256i x) {
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
  const __m256i bias = _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff));
  const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(x, bias), 16);
  const __m256i abs = _mm256_and_si256(x, _mm256_set1_epi32(0x7fffffff));
  // Signed compare is right: both sides are non-negative as int32.
  const __m256i nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7f800000));
  const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(0x0040));
  return _mm256_blendv_epi8(rounded, quiet, nan);
}

__m256i truncate8(__m256i x) {
  const __m256i upper = _mm256_srli_epi32(x, 16);
  const __m256i abs = _mm256_and_si256(x, _mm256_set1_epi32(0x7fffffff));
  // A NaN whose payload lies only in the low half: its upper half alone reads as Inf.
  const __m256i lost = _mm256_and_si256(_mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7f800000)),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(0x7f810000), abs));
  return _mm256_or_si256(upper, _mm256_and_si256(lost, _mm256_set1_epi32(0x0040)));
}

template <bool kTruncate>
__m256i convert8(const float* src) {
  const __m256i x = _mm256_castps_si256(_mm256_loadu_ps(src));
  return kTruncate ? truncate8(x) : rne8(x);
}

template <bool kTruncate>
void to_bf16_loop(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    // packus interleaves 128-bit halves: [a0-3 b0-3 | a4-7 b4-7]; the permute restores order.
    const __m256i packed = _mm256_packus_epi32(convert8<kTruncate>(src + i), convert8<kTruncate>(src + i + kW));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_permute4x64_epi64(packed, 0xd8));
  }
  if (i + kW <= n) {
    const __m256i a = convert8<kTruncate>(src + i);
    const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), packed);
    i += kW;
  }
  if (i < n) kBf16Scalar.to_bf16(src + i, dst + i, n - i, r);
}

void to_bf16_avx2(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  if (r == ARMBENCH_BF16_TRUNCATE) {
    to_bf16_loop<true>(src, dst, n, r);
  } else {
    to_bf16_loop<false>(src, dst, n, r);
  }
}

__m256 widen8(const uint16_t* src) {
  const __m256i x = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(x, 16));
}

void to_f32_avx2(const uint16_t* src, float* dst, size_t n) {
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    const __m256 a = widen8(src + i), b = widen8(src + i + kW);
    _mm256_storeu_ps(dst + i, a);
    _mm256_storeu_ps(dst + i + kW, b);
  }
  if (i + kW <= n) {
    _mm256_storeu_ps(dst + i, widen8(src + i));
    i += kW;
  }
  if (i < n) kBf16Scalar.to_f32(src + i, dst + i, n - i);
}

}  // namespace

extern const Bf16Kernels kBf16Avx2 = {
    "avx2", {ARMBENCH_FEATURE_AVX2, ARMBENCH_FEATURE_COUNT}, to_bf16_avx2, to_f32_avx2};

}  // namespace convert
}  // namespace armbench

#endif  // __x86_64__
