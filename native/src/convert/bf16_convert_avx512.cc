// fp32 <-> bf16 with 512-bit AVX-512 integer operations (-mavx512f -mavx512bw),
// sixteen lanes per vector: the reference's bit arithmetic done lane-wise, so the bits
// are the reference's. Tails are masked loads and stores (no scalar code); the word
// permute and masked word load of bf16 -> fp32 are what need AVX512BW.
//
// Deliberately not VCVTNEPS2BF16 (AVX512_BF16): it turns subnormal inputs into signed
// zeros whatever MXCSR says, so it cannot match the reference (its NaN rule, the
// upper half plus the quiet bit, happens to agree).
#if defined(__x86_64__)

#include <immintrin.h>
#include <stdint.h>

#include "bf16_internal.h"

namespace armbench {
namespace convert {
namespace {

constexpr size_t kW = 16;  // fp32 lanes per vector

__mmask16 tail_mask(size_t left) { return left >= kW ? 0xffff : static_cast<__mmask16>((1u << left) - 1); }

// GCC 12 warns falsely (-Wmaybe-uninitialized on '__Y') about unmasked intrinsics whose
// pass-through operand is _mm512_undefined_*; the zero-masked forms with every lane
// selected compile to the same unmasked instructions and warn about nothing.
constexpr __mmask16 kAll = 0xffff;
__m512i shift_right_16(__m512i x) { return _mm512_maskz_srli_epi32(kAll, x, 16); }
__m256i narrow(__m512i x) { return _mm512_maskz_cvtepi32_epi16(kAll, x); }

// The bf16 bits of sixteen fp32 patterns, in the low half of each 32-bit lane.
__m512i rne16(__m512i x) {
  const __m512i upper = shift_right_16(x);
  const __m512i bias = _mm512_add_epi32(_mm512_and_si512(upper, _mm512_set1_epi32(1)), _mm512_set1_epi32(0x7fff));
  const __m512i rounded = shift_right_16(_mm512_add_epi32(x, bias));
  const __m512i abs = _mm512_and_si512(x, _mm512_set1_epi32(0x7fffffff));
  const __mmask16 nan = _mm512_cmpgt_epi32_mask(abs, _mm512_set1_epi32(0x7f800000));
  // NaN lanes: the upper half with the quiet bit; the others: the rounded value.
  return _mm512_mask_or_epi32(rounded, nan, upper, _mm512_set1_epi32(0x0040));
}

__m512i truncate16(__m512i x) {
  const __m512i upper = shift_right_16(x);
  const __m512i abs = _mm512_and_si512(x, _mm512_set1_epi32(0x7fffffff));
  // A NaN whose payload lies only in the low half: its upper half alone reads as Inf.
  const __mmask16 nan = _mm512_cmpgt_epi32_mask(abs, _mm512_set1_epi32(0x7f800000));
  const __mmask16 lost = _mm512_mask_cmplt_epi32_mask(nan, abs, _mm512_set1_epi32(0x7f810000));
  return _mm512_mask_or_epi32(upper, lost, upper, _mm512_set1_epi32(0x0040));
}

template <bool kTruncate>
__m512i convert16(__m512i x) {
  return kTruncate ? truncate16(x) : rne16(x);
}

template <bool kTruncate>
void to_bf16_loop(const float* src, uint16_t* dst, size_t n) {
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    const __m512i a = convert16<kTruncate>(_mm512_loadu_si512(src + i));
    const __m512i b = convert16<kTruncate>(_mm512_loadu_si512(src + i + kW));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), narrow(a));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i + kW), narrow(b));
  }
  for (; i < n; i += kW) {
    const __mmask16 m = tail_mask(n - i);
    const __m512i a = convert16<kTruncate>(_mm512_maskz_loadu_epi32(m, src + i));
    _mm512_mask_cvtepi32_storeu_epi16(dst + i, m, a);
  }
}

void to_bf16_avx512(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  if (r == ARMBENCH_BF16_TRUNCATE) {
    to_bf16_loop<true>(src, dst, n);
  } else {
    to_bf16_loop<false>(src, dst, n);
  }
}

// bf16 -> fp32 as one word permute per sixteen lanes: word 2j+1 (the upper half of
// fp32 lane j) takes bf16 number j of the 32 loaded, the even words are zeroed by the
// mask. No widening, no shift, and the tail is one masked 16-bit load (AVX512BW).
alignas(64) constexpr uint16_t kWidenLow[32] = {0, 0, 0, 1, 0, 2,  0, 3,  0, 4,  0, 5,  0, 6,  0, 7,
                                                0, 8, 0, 9, 0, 10, 0, 11, 0, 12, 0, 13, 0, 14, 0, 15};
alignas(64) constexpr uint16_t kWidenHigh[32] = {0, 16, 0, 17, 0, 18, 0, 19, 0, 20, 0, 21, 0, 22, 0, 23,
                                                 0, 24, 0, 25, 0, 26, 0, 27, 0, 28, 0, 29, 0, 30, 0, 31};
constexpr __mmask32 kOddWords = 0xaaaaaaaau;

void to_f32_avx512(const uint16_t* src, float* dst, size_t n) {
  const __m512i low = _mm512_load_si512(kWidenLow), high = _mm512_load_si512(kWidenHigh);
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    const __m512i x = _mm512_loadu_si512(src + i);
    _mm512_storeu_si512(dst + i, _mm512_maskz_permutexvar_epi16(kOddWords, low, x));
    _mm512_storeu_si512(dst + i + kW, _mm512_maskz_permutexvar_epi16(kOddWords, high, x));
  }
  if (i < n) {
    const size_t left = n - i;  // 1..31
    const __mmask32 m = static_cast<__mmask32>((1u << left) - 1);
    const __m512i x = _mm512_maskz_loadu_epi16(m, src + i);  // masked-off words do not fault
    _mm512_mask_storeu_epi32(dst + i, static_cast<__mmask16>(m), _mm512_maskz_permutexvar_epi16(kOddWords, low, x));
    if (left > kW) {
      _mm512_mask_storeu_epi32(dst + i + kW, static_cast<__mmask16>(m >> 16),
                               _mm512_maskz_permutexvar_epi16(kOddWords, high, x));
    }
  }
}

}  // namespace

extern const Bf16Kernels kBf16Avx512 = {
    "avx512", {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_AVX512BW}, to_bf16_avx512, to_f32_avx512};

}  // namespace convert
}  // namespace armbench

#endif  // __x86_64__
