// uint8 x int8 microkernel with AVX512-VNNI VPDPBUSD (-mavx512f -mavx512vnni): 12x32.
//
// VPDPBUSD adds, per 32-bit lane, the dot of 4 unsigned bytes with 4 signed bytes to
// an int32, wrapping (not the saturating VPDPBUSDS: a wrapped partial sum is still
// exact modulo 2^32, a saturated one is not). With kr = 4 one lane of a B register is
// one column's 4 k, and A(i, 4q..4q+3) is one 32-bit broadcast. The 12x32 tile is the
// fp32 kernel's shape: 12 rows x 2 registers = 24 accumulators, 2 B registers and one
// broadcast, 27 of 32 zmm; 24 VPDPBUSDs (1536 multiply-adds) per 2 loads and 12
// broadcasts. int8 A arrives shifted to uint8 by the driver (+128), compensated there.
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>
#include <string.h>

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 12;
constexpr int kNr = 32;

void run(size_t kc, const void* ap, const void* bp, int32_t* c, size_t ldc, int accumulate, const int32_t* bias) {
  const uint8_t* a = static_cast<const uint8_t*>(ap);
  const int8_t* b = static_cast<const int8_t*>(bp);
  __m512i acc[kMr][2];
  for (int i = 0; i < kMr; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_si512();
  for (size_t q = kc / 4; q != 0; --q) {
    const __m512i b0 = _mm512_loadu_si512(b);
    const __m512i b1 = _mm512_loadu_si512(b + 64);
    for (int i = 0; i < kMr; ++i) {
      int32_t word;
      memcpy(&word, a + 4 * i, 4);
      const __m512i ai = _mm512_set1_epi32(word);
      acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], ai, b0);
      acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], ai, b1);
    }
    a += 4 * kMr;
    b += 4 * kNr;
  }
  const __m512i bias0 = bias != nullptr ? _mm512_loadu_si512(bias) : _mm512_setzero_si512();
  const __m512i bias1 = bias != nullptr ? _mm512_loadu_si512(bias + 16) : _mm512_setzero_si512();
  for (int i = 0; i < kMr; ++i) {
    int32_t* row = c + i * ldc;
    __m512i v0 = _mm512_add_epi32(acc[i][0], bias0), v1 = _mm512_add_epi32(acc[i][1], bias1);
    if (accumulate) {
      v0 = _mm512_add_epi32(v0, _mm512_loadu_si512(row));
      v1 = _mm512_add_epi32(v1, _mm512_loadu_si512(row + 16));
    }
    _mm512_storeu_si512(row, v0);
    _mm512_storeu_si512(row + 16, v1);
  }
}

const IUkernelInfo kInfo = {
    {"u8s8_avx512vnni_12x32", "avx512vnni", kMr, kNr, 4, ARMBENCH_IGEMM_A_U8},
    {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_AVX512_VNNI},
    2,
    run,
    10,
};

}  // namespace

const IUkernelInfo* ukernel_u8s8_avx512vnni() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
const IUkernelInfo* ukernel_u8s8_avx512vnni() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
