// uint8 x int8 microkernel with AVX512-VNNI VPDPBUSD (-mavx512f -mavx512vnni): 12x32.
//
// VPDPBUSD adds, per 32-bit lane, the dot of 4 unsigned bytes with 4 signed bytes to
// an int32, wrapping (not the saturating VPDPBUSDS: a wrapped partial sum is still
// exact modulo 2^32, a saturated one is not). With kr = 4 one lane of a B register is
// one column's 4 k, and A(i, 4q..4q+3) is one 32-bit broadcast. The 12x32 tile is the
// fp32 kernel's shape and its very k loop (ukernel_12x32_avx512_loop.h): 24
// accumulators, 24 VPDPBUSDs (1536 multiply-adds) per 2 loads and 12 broadcasts from
// memory (VPBROADCASTD from a general register would take the port VPDPBUSD needs).
// Written with intrinsics, GCC spilled accumulators inside the loop: 389 GOP/s on
// L1-resident panels, 47% of the measured peak (Intel VM). int8 A arrives shifted to
// uint8 by the driver (+128), compensated there.
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include "igemm_ukernel.h"
#include "ukernel_12x32_avx512_loop.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 12;
constexpr int kNr = 32;

void run(size_t kc, const void* ap, const void* bp, int32_t* c, size_t ldc, int accumulate, const int32_t* bias) {
  // One k step is 4 k: 32-bit broadcasts of A's 4 bytes, VPDPBUSD with B's two vectors.
  __m512 r[2 * kMr];
  ARMBENCH_12X32_KLOOP("", "vpbroadcastd", "vpdpbusd", ap, bp, kc / 4, r);
  __m512i acc[kMr][2];
  for (int i = 0; i < kMr; ++i) acc[i][0] = _mm512_castps_si512(r[2 * i]), acc[i][1] = _mm512_castps_si512(r[2 * i + 1]);
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
