// int8 microkernel with Advanced SIMD SMMLA (-march=armv8.6-a+i8mm): 8x12.
//
// SMMLA multiplies a 2x8 int8 block of A by an 8x2 block of B into a 2x2 int32 tile
// held as [c00 c01 c10 c11] (wrapping). With kr = 8 the packed panels already hold
// those blocks: one q register of A is rows (2r, 2r+1) x 8 k, one of B is columns
// (2c, 2c+1) x 8 k. The 8x12 tile is 4 row pairs x 6 column pairs = 24 accumulators,
// 4 A registers and the B registers in flight, as the bf16 BFMMLA kernel; 24 SMMLAs
// (768 multiply-adds) per 10 loads. The epilogue de-interleaves row pairs with 64-bit
// zips: zip1 of tiles (r, 2p) and (r, 2p+1) is row 2r, columns 4p..4p+3; zip2 is row
// 2r+1. uint8 A arrives shifted to int8 by the driver (-128), compensated there.
// Written with intrinsics; not yet scheduled by hand as the bf16 kernels are.
#if defined(__aarch64__)

#include <arm_neon.h>
#include <stdint.h>

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 12;

inline int32x4_t zip1_64(int32x4_t x, int32x4_t y) {
  return vreinterpretq_s32_s64(vzip1q_s64(vreinterpretq_s64_s32(x), vreinterpretq_s64_s32(y)));
}

inline int32x4_t zip2_64(int32x4_t x, int32x4_t y) {
  return vreinterpretq_s32_s64(vzip2q_s64(vreinterpretq_s64_s32(x), vreinterpretq_s64_s32(y)));
}

inline void store4(int32_t* c, int32x4_t v, int32x4_t bias, int accumulate) {
  v = vaddq_s32(v, bias);
  if (accumulate) v = vaddq_s32(v, vld1q_s32(c));
  vst1q_s32(c, v);
}

void run(size_t kc, const void* ap, const void* bp, int32_t* c, size_t ldc, int accumulate, const int32_t* bias) {
  const int8_t* a = static_cast<const int8_t*>(ap);
  const int8_t* b = static_cast<const int8_t*>(bp);
  int32x4_t acc[4][6];  // row pair, column pair
  for (int r = 0; r < 4; ++r) {
    for (int p = 0; p < 6; ++p) acc[r][p] = vdupq_n_s32(0);
  }
  for (size_t q = kc / 8; q != 0; --q) {
    const int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16), a2 = vld1q_s8(a + 32), a3 = vld1q_s8(a + 48);
    for (int p = 0; p < 6; ++p) {
      const int8x16_t bq = vld1q_s8(b + 16 * p);
      acc[0][p] = vmmlaq_s32(acc[0][p], a0, bq);
      acc[1][p] = vmmlaq_s32(acc[1][p], a1, bq);
      acc[2][p] = vmmlaq_s32(acc[2][p], a2, bq);
      acc[3][p] = vmmlaq_s32(acc[3][p], a3, bq);
    }
    a += 8 * kMr;
    b += 8 * kNr;
  }
  int32x4_t bq[3];
  for (int g = 0; g < 3; ++g) bq[g] = bias != nullptr ? vld1q_s32(bias + 4 * g) : vdupq_n_s32(0);
  for (int r = 0; r < 4; ++r) {
    int32_t* row0 = c + (2 * r) * ldc;
    int32_t* row1 = row0 + ldc;
    for (int g = 0; g < 3; ++g) {
      store4(row0 + 4 * g, zip1_64(acc[r][2 * g], acc[r][2 * g + 1]), bq[g], accumulate);
      store4(row1 + 4 * g, zip2_64(acc[r][2 * g], acc[r][2 * g + 1]), bq[g], accumulate);
    }
  }
}

const IUkernelInfo kInfo = {
    {"s8_smmla_8x12", "smmla", kMr, kNr, 8, ARMBENCH_IGEMM_A_S8}, {ARMBENCH_FEATURE_I8MM}, 1, run, 20,
};

}  // namespace

const IUkernelInfo* ukernel_s8_smmla() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
const IUkernelInfo* ukernel_s8_smmla() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
