// bf16 microkernel with Advanced SIMD BFMMLA (-march=armv8.6-a+bf16): 8x12.
//
// BFMMLA multiplies a 2x4 bf16 block of A by a 4x2 block of B into a 2x2 fp32 tile
// held as [c00 c01 c10 c11]. With kr = 4 the packed panels already hold those
// blocks: one q register of A is rows (2r, 2r+1) x 4 k, one of B is columns
// (2c, 2c+1) x 4 k. The 8x12 tile is 4 row pairs x 6 column pairs = 24 accumulators;
// per 4 k, 4 A registers stay live and each B register is loaded, used by 4 BFMMLAs
// and dropped (two in flight), so 24 + 4 + 2 registers suffice: 24 BFMMLAs (384
// multiply-adds) per 10 loads, and 24 independent accumulators cover the BFMMLA
// latency on two pipes. The epilogue de-interleaves row pairs with 64-bit zips: zip1
// of tiles (r, 2p) and (r, 2p+1) is row 2r, columns 4p..4p+3; zip2 is row 2r+1.
//
// Each BFMMLA is two BFDOT steps per output (pair sum, then accumulate), rounding to
// odd without FEAT_EBF16: the same error per k as the BFDOT kernel.
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

inline float32x4_t zip1_64(float32x4_t x, float32x4_t y) {
  return vreinterpretq_f32_f64(vzip1q_f64(vreinterpretq_f64_f32(x), vreinterpretq_f64_f32(y)));
}

inline float32x4_t zip2_64(float32x4_t x, float32x4_t y) {
  return vreinterpretq_f32_f64(vzip2q_f64(vreinterpretq_f64_f32(x), vreinterpretq_f64_f32(y)));
}

inline void store4(float* c, float32x4_t x, float alpha, float beta, bool read_c) {
  x = vmulq_n_f32(x, alpha);
  if (read_c) x = vfmaq_n_f32(x, vld1q_f32(c), beta);
  vst1q_f32(c, x);
}

// Row pair r: tiles t0..t5 (column pairs) to C rows 2r and 2r+1.
inline void store_row_pair(float* c, size_t ldc, float32x4_t t0, float32x4_t t1, float32x4_t t2, float32x4_t t3,
                           float32x4_t t4, float32x4_t t5, float alpha, float beta, bool read_c) {
  store4(c, zip1_64(t0, t1), alpha, beta, read_c);
  store4(c + 4, zip1_64(t2, t3), alpha, beta, read_c);
  store4(c + 8, zip1_64(t4, t5), alpha, beta, read_c);
  store4(c + ldc, zip2_64(t0, t1), alpha, beta, read_c);
  store4(c + ldc + 4, zip2_64(t2, t3), alpha, beta, read_c);
  store4(c + ldc + 8, zip2_64(t4, t5), alpha, beta, read_c);
}

void run(size_t kc, const void* a_panel, const void* b_panel, float* c, size_t ldc, float alpha, float beta) {
  const uint16_t* a = static_cast<const uint16_t*>(a_panel);
  const uint16_t* b = static_cast<const uint16_t*>(b_panel);

  // cRC: row pair R, column pair C.
  float32x4_t c00 = vdupq_n_f32(0), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
  float32x4_t c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
  float32x4_t c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00;
  float32x4_t c30 = c00, c31 = c00, c32 = c00, c33 = c00, c34 = c00, c35 = c00;

  // The step is written in assembly: from intrinsics, compilers hoist all six B
  // loads above the BFMMLAs and spill accumulators (GCC 12 spills three). A stays in
  // four registers; B goes through v30 and v31, each loaded one group of four
  // BFMMLAs before its use. Two statements of three column pairs each, since one asm
  // takes at most 30 operands.
  ARMBENCH_MCA_BEGIN("gemm.bf16_bfmmla_8x12");
  for (size_t q = kc / 4; q != 0; --q) {
    const bfloat16x8_t a0 = load_bf16(a), a1 = load_bf16(a + 8), a2 = load_bf16(a + 16), a3 = load_bf16(a + 24);
    asm("ldp q30, q31, [%[b], #0]\n\t"
        "bfmmla %0.4s, %[a0].8h, v30.8h\n\t"
        "bfmmla %1.4s, %[a1].8h, v30.8h\n\t"
        "bfmmla %2.4s, %[a2].8h, v30.8h\n\t"
        "bfmmla %3.4s, %[a3].8h, v30.8h\n\t"
        "ldr q30, [%[b], #32]\n\t"
        "bfmmla %4.4s, %[a0].8h, v31.8h\n\t"
        "bfmmla %5.4s, %[a1].8h, v31.8h\n\t"
        "bfmmla %6.4s, %[a2].8h, v31.8h\n\t"
        "bfmmla %7.4s, %[a3].8h, v31.8h\n\t"
        "bfmmla %8.4s, %[a0].8h, v30.8h\n\t"
        "bfmmla %9.4s, %[a1].8h, v30.8h\n\t"
        "bfmmla %10.4s, %[a2].8h, v30.8h\n\t"
        "bfmmla %11.4s, %[a3].8h, v30.8h\n\t"
        : "+w"(c00), "+w"(c10), "+w"(c20), "+w"(c30), "+w"(c01), "+w"(c11),
          "+w"(c21), "+w"(c31), "+w"(c02), "+w"(c12), "+w"(c22), "+w"(c32)
        : [a0] "w"(a0), [a1] "w"(a1), [a2] "w"(a2), [a3] "w"(a3), [b] "r"(b)
        : "v30", "v31", "memory");
    asm("ldp q30, q31, [%[b], #48]\n\t"
        "bfmmla %0.4s, %[a0].8h, v30.8h\n\t"
        "bfmmla %1.4s, %[a1].8h, v30.8h\n\t"
        "bfmmla %2.4s, %[a2].8h, v30.8h\n\t"
        "bfmmla %3.4s, %[a3].8h, v30.8h\n\t"
        "ldr q30, [%[b], #80]\n\t"
        "bfmmla %4.4s, %[a0].8h, v31.8h\n\t"
        "bfmmla %5.4s, %[a1].8h, v31.8h\n\t"
        "bfmmla %6.4s, %[a2].8h, v31.8h\n\t"
        "bfmmla %7.4s, %[a3].8h, v31.8h\n\t"
        "bfmmla %8.4s, %[a0].8h, v30.8h\n\t"
        "bfmmla %9.4s, %[a1].8h, v30.8h\n\t"
        "bfmmla %10.4s, %[a2].8h, v30.8h\n\t"
        "bfmmla %11.4s, %[a3].8h, v30.8h\n\t"
        : "+w"(c03), "+w"(c13), "+w"(c23), "+w"(c33), "+w"(c04), "+w"(c14),
          "+w"(c24), "+w"(c34), "+w"(c05), "+w"(c15), "+w"(c25), "+w"(c35)
        : [a0] "w"(a0), [a1] "w"(a1), [a2] "w"(a2), [a3] "w"(a3), [b] "r"(b)
        : "v30", "v31", "memory");
    a += 4 * kMr;
    b += 4 * kNr;
  }
  ARMBENCH_MCA_END();

  const bool read_c = beta != 0.0f;
  store_row_pair(c + 0 * ldc, ldc, c00, c01, c02, c03, c04, c05, alpha, beta, read_c);
  store_row_pair(c + 2 * ldc, ldc, c10, c11, c12, c13, c14, c15, alpha, beta, read_c);
  store_row_pair(c + 4 * ldc, ldc, c20, c21, c22, c23, c24, c25, alpha, beta, read_c);
  store_row_pair(c + 6 * ldc, ldc, c30, c31, c32, c33, c34, c35, alpha, beta, read_c);
}

const UkernelInfo kInfo = {
    {"bf16_bfmmla_8x12", "bfmmla", ARMBENCH_GEMM_BF16, kMr, kNr, 4},
    {ARMBENCH_FEATURE_BF16},
    1,
    run,
    20,
};

}  // namespace

const UkernelInfo* ukernel_bf16_bfmmla() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_bf16_bfmmla() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
