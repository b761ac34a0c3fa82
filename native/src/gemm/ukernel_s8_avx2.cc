// int8 microkernel for AVX2 without VNNI (-mavx2): 6x16, k pairs (kr = 2).
//
// Both operands are widened to int16 and multiplied with VPMADDWD, which adds each
// pair of int16 products into an int32: exact, since |a * b| <= 128 * 128 and two of
// them never reach the one input it saturates (-32768 * -32768 twice). VPMADDUBSW,
// the usual uint8 x int8 step, is avoided: it adds pairs of products into a
// saturating int16, and 255 * 127 * 2 = 64770 does not fit. With kr = 2 one 16-byte
// load of B is 8 columns x 2 k, sign-extended to 8 int16 pairs, and row i's pair of A
// is one 32-bit broadcast: 6 rows x 2 registers = 12 accumulators + 2 B + 1 A = 15 of
// 16 ymm. uint8 A arrives shifted to int8 by the driver (-128), compensated there.
// Chosen only where the CPU has neither AVX512-VNNI nor anything better.
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

void run(size_t kc, const void* ap, const void* bp, int32_t* c, size_t ldc, int accumulate, const int32_t* bias) {
  const int8_t* a = static_cast<const int8_t*>(ap);
  const int8_t* b = static_cast<const int8_t*>(bp);
  __m256i acc[kMr][2];
  for (int i = 0; i < kMr; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  for (size_t q = kc / 2; q != 0; --q) {
    const __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
    const __m256i b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16)));
    for (int i = 0; i < kMr; ++i) {
      const uint32_t pair = static_cast<uint16_t>(a[2 * i]) | static_cast<uint32_t>(static_cast<uint16_t>(a[2 * i + 1])) << 16;
      const __m256i ai = _mm256_set1_epi32(static_cast<int32_t>(pair));
      acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(ai, b0));
      acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(ai, b1));
    }
    a += 2 * kMr;
    b += 2 * kNr;
  }
  const __m256i zero = _mm256_setzero_si256();
  const __m256i bias0 = bias != nullptr ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias)) : zero;
  const __m256i bias1 = bias != nullptr ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8)) : zero;
  for (int i = 0; i < kMr; ++i) {
    __m256i* row = reinterpret_cast<__m256i*>(c + i * ldc);
    __m256i v0 = _mm256_add_epi32(acc[i][0], bias0), v1 = _mm256_add_epi32(acc[i][1], bias1);
    if (accumulate) {
      v0 = _mm256_add_epi32(v0, _mm256_loadu_si256(row));
      v1 = _mm256_add_epi32(v1, _mm256_loadu_si256(row + 1));
    }
    _mm256_storeu_si256(row, v0);
    _mm256_storeu_si256(row + 1, v1);
  }
}

const IUkernelInfo kInfo = {
    {"s8_avx2_6x16", "avx2", kMr, kNr, 2, ARMBENCH_IGEMM_A_S8}, {ARMBENCH_FEATURE_AVX2}, 1, run, 5,
};

}  // namespace

const IUkernelInfo* ukernel_s8_avx2() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
const IUkernelInfo* ukernel_s8_avx2() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
