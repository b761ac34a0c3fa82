// int8 microkernel with Advanced SIMD SDOT by element (-march=armv8.2-a+dotprod): 8x12.
//
// SDOT adds, per 32-bit lane, the dot of 4 int8 pairs to an int32 (wrapping). With
// kr = 4 a B register is 4 columns x 4 k, an A register 4 rows x 4 k, and SDOT by
// element multiplies a B register by one row's 4 bytes: 8 rows x 3 column quads = 24
// accumulators + 3 B + 2 A = 29 of 32 registers, the fp32 NEON kernel's shape with 4 k
// per instruction. uint8 A arrives shifted to int8 by the driver (-128), compensated
// there. Written with intrinsics; not yet scheduled by hand as the bf16 kernels are.
#if defined(__aarch64__)

#include <arm_neon.h>
#include <stdint.h>

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 12;

// The lane of SDOT by element must be a constant, hence a macro per row.
#define ARMBENCH_SDOT_ROW(i, areg, lane)                         \
  do {                                                           \
    acc[i][0] = vdotq_laneq_s32(acc[i][0], b0, areg, lane);      \
    acc[i][1] = vdotq_laneq_s32(acc[i][1], b1, areg, lane);      \
    acc[i][2] = vdotq_laneq_s32(acc[i][2], b2, areg, lane);      \
  } while (0)

void run(size_t kc, const void* ap, const void* bp, int32_t* c, size_t ldc, int accumulate, const int32_t* bias) {
  const int8_t* a = static_cast<const int8_t*>(ap);
  const int8_t* b = static_cast<const int8_t*>(bp);
  int32x4_t acc[kMr][3];
  for (int i = 0; i < kMr; ++i) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_s32(0);
  for (size_t q = kc / 4; q != 0; --q) {
    const int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16);
    const int8x16_t b0 = vld1q_s8(b), b1 = vld1q_s8(b + 16), b2 = vld1q_s8(b + 32);
    ARMBENCH_SDOT_ROW(0, a0, 0);
    ARMBENCH_SDOT_ROW(1, a0, 1);
    ARMBENCH_SDOT_ROW(2, a0, 2);
    ARMBENCH_SDOT_ROW(3, a0, 3);
    ARMBENCH_SDOT_ROW(4, a1, 0);
    ARMBENCH_SDOT_ROW(5, a1, 1);
    ARMBENCH_SDOT_ROW(6, a1, 2);
    ARMBENCH_SDOT_ROW(7, a1, 3);
    a += 4 * kMr;
    b += 4 * kNr;
  }
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t bias0 = bias != nullptr ? vld1q_s32(bias) : zero;
  const int32x4_t bias1 = bias != nullptr ? vld1q_s32(bias + 4) : zero;
  const int32x4_t bias2 = bias != nullptr ? vld1q_s32(bias + 8) : zero;
  for (int i = 0; i < kMr; ++i) {
    int32_t* row = c + i * ldc;
    int32x4_t v0 = vaddq_s32(acc[i][0], bias0), v1 = vaddq_s32(acc[i][1], bias1), v2 = vaddq_s32(acc[i][2], bias2);
    if (accumulate) {
      v0 = vaddq_s32(v0, vld1q_s32(row));
      v1 = vaddq_s32(v1, vld1q_s32(row + 4));
      v2 = vaddq_s32(v2, vld1q_s32(row + 8));
    }
    vst1q_s32(row, v0);
    vst1q_s32(row + 4, v1);
    vst1q_s32(row + 8, v2);
  }
}

#undef ARMBENCH_SDOT_ROW

const IUkernelInfo kInfo = {
    {"s8_sdot_8x12", "sdot", kMr, kNr, 4, ARMBENCH_IGEMM_A_S8}, {ARMBENCH_FEATURE_ASIMDDP}, 1, run, 10,
};

}  // namespace

const IUkernelInfo* ukernel_s8_sdot() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
const IUkernelInfo* ukernel_s8_sdot() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
