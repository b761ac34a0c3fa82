// bf16 microkernel with Advanced SIMD BFDOT (-march=armv8.6-a+bf16): BFDOT by
// element, 8x12.
//
// Per k pair (kr = 2) the B panel holds 12 column pairs (three q registers of four
// pairs) and the A panel 8 row pairs (two q registers); BFDOT by element multiplies
// a B register by one A pair broadcast and adds each column's two products into its
// fp32 lane: 24 accumulators (C rows x three column quads) + 3 B + 2 A = 29 of 32
// registers, the same shape as the fp32 NEON kernel with twice the depth per
// instruction. Used where BFMMLA (the higher-ranked kernel) is not chosen.
//
// Without FEAT_EBF16 (or with FPCR.EBF clear) BFDOT rounds to odd after the pair sum
// and after the accumulation, and flushes denormals: at most one ulp per k step.
#if defined(__aarch64__)

#include <arm_neon.h>
#include <stdint.h>

#include "../runtime/mca_region.h"
#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 12;

inline bfloat16x8_t load_bf16(const uint16_t* p) { return vreinterpretq_bf16_u16(vld1q_u16(p)); }

inline void store_row(float* c, float32x4_t x0, float32x4_t x1, float32x4_t x2, float alpha, float beta,
                      bool read_c) {
  x0 = vmulq_n_f32(x0, alpha);
  x1 = vmulq_n_f32(x1, alpha);
  x2 = vmulq_n_f32(x2, alpha);
  if (read_c) {
    x0 = vfmaq_n_f32(x0, vld1q_f32(c), beta);
    x1 = vfmaq_n_f32(x1, vld1q_f32(c + 4), beta);
    x2 = vfmaq_n_f32(x2, vld1q_f32(c + 8), beta);
  }
  vst1q_f32(c, x0);
  vst1q_f32(c + 4, x1);
  vst1q_f32(c + 8, x2);
}

void run(size_t kc, const void* a_panel, const void* b_panel, float* c, size_t ldc, float alpha, float beta) {
  const uint16_t* a = static_cast<const uint16_t*>(a_panel);
  const uint16_t* b = static_cast<const uint16_t*>(b_panel);

  float32x4_t c00 = vdupq_n_f32(0), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
  float32x4_t c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
  float32x4_t c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
  float32x4_t c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;

  ARMBENCH_MCA_BEGIN("gemm.bf16_bfdot_8x12");
  for (size_t q = kc / 2; q != 0; --q) {
    const bfloat16x8_t a0 = load_bf16(a), a1 = load_bf16(a + 8);
    const bfloat16x8_t b0 = load_bf16(b), b1 = load_bf16(b + 8), b2 = load_bf16(b + 16);
#define ARMBENCH_ROW(i, av, lane)                    \
  c##i##0 = vbfdotq_laneq_f32(c##i##0, b0, av, lane); \
  c##i##1 = vbfdotq_laneq_f32(c##i##1, b1, av, lane); \
  c##i##2 = vbfdotq_laneq_f32(c##i##2, b2, av, lane);
    ARMBENCH_ROW(0, a0, 0)
    ARMBENCH_ROW(1, a0, 1)
    ARMBENCH_ROW(2, a0, 2)
    ARMBENCH_ROW(3, a0, 3)
    ARMBENCH_ROW(4, a1, 0)
    ARMBENCH_ROW(5, a1, 1)
    ARMBENCH_ROW(6, a1, 2)
    ARMBENCH_ROW(7, a1, 3)
#undef ARMBENCH_ROW
    a += 2 * kMr;
    b += 2 * kNr;
  }
  ARMBENCH_MCA_END();

  const bool read_c = beta != 0.0f;
  store_row(c + 0 * ldc, c00, c01, c02, alpha, beta, read_c);
  store_row(c + 1 * ldc, c10, c11, c12, alpha, beta, read_c);
  store_row(c + 2 * ldc, c20, c21, c22, alpha, beta, read_c);
  store_row(c + 3 * ldc, c30, c31, c32, alpha, beta, read_c);
  store_row(c + 4 * ldc, c40, c41, c42, alpha, beta, read_c);
  store_row(c + 5 * ldc, c50, c51, c52, alpha, beta, read_c);
  store_row(c + 6 * ldc, c60, c61, c62, alpha, beta, read_c);
  store_row(c + 7 * ldc, c70, c71, c72, alpha, beta, read_c);
}

const UkernelInfo kInfo = {
    {"bf16_bfdot_8x12", "bfdot", ARMBENCH_GEMM_BF16, kMr, kNr, 2},
    {ARMBENCH_FEATURE_BF16},
    1,
    run,
    10,
};

}  // namespace

const UkernelInfo* ukernel_bf16_bfdot() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_bf16_bfdot() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
