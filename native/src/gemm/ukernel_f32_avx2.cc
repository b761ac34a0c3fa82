// fp32 AVX2/FMA microkernel, 6x16: 12 ymm accumulators (6 rows x 2 vectors of B),
// A broadcast one element at a time, k unrolled by 4. Built with -mavx2 -mfma and run
// only when the CPU has both.
#include "gemm_ukernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace armbench {
namespace gemm {
namespace {

constexpr unsigned kMr = 6, kNr = 16;

#define ARMBENCH_AVX2_STEP(p)                                      \
  do {                                                             \
    const __m256 b0 = _mm256_loadu_ps(b + (p) * kNr);               \
    const __m256 b1 = _mm256_loadu_ps(b + (p) * kNr + 8);           \
    __m256 av = _mm256_broadcast_ss(a + (p) * kMr + 0);            \
    c00 = _mm256_fmadd_ps(av, b0, c00);                            \
    c01 = _mm256_fmadd_ps(av, b1, c01);                            \
    av = _mm256_broadcast_ss(a + (p) * kMr + 1);                   \
    c10 = _mm256_fmadd_ps(av, b0, c10);                            \
    c11 = _mm256_fmadd_ps(av, b1, c11);                            \
    av = _mm256_broadcast_ss(a + (p) * kMr + 2);                   \
    c20 = _mm256_fmadd_ps(av, b0, c20);                            \
    c21 = _mm256_fmadd_ps(av, b1, c21);                            \
    av = _mm256_broadcast_ss(a + (p) * kMr + 3);                   \
    c30 = _mm256_fmadd_ps(av, b0, c30);                            \
    c31 = _mm256_fmadd_ps(av, b1, c31);                            \
    av = _mm256_broadcast_ss(a + (p) * kMr + 4);                   \
    c40 = _mm256_fmadd_ps(av, b0, c40);                            \
    c41 = _mm256_fmadd_ps(av, b1, c41);                            \
    av = _mm256_broadcast_ss(a + (p) * kMr + 5);                   \
    c50 = _mm256_fmadd_ps(av, b0, c50);                            \
    c51 = _mm256_fmadd_ps(av, b1, c51);                            \
  } while (0)

inline void store_row(float* c, __m256 v0, __m256 v1, __m256 va, __m256 vb, bool zero_beta) {
  v0 = _mm256_mul_ps(v0, va);
  v1 = _mm256_mul_ps(v1, va);
  if (!zero_beta) {
    v0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), v0);
    v1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + 8), v1);
  }
  _mm256_storeu_ps(c, v0);
  _mm256_storeu_ps(c + 8, v1);
}

void run(size_t kc, const void* ap, const void* bp, float* c, size_t ldc, float alpha, float beta) {
  const float* a = static_cast<const float*>(ap);
  const float* b = static_cast<const float*>(bp);
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(),
         c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
         c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(),
         c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  size_t p = 0;
  for (; p + 4 <= kc; p += 4) {
    ARMBENCH_AVX2_STEP(0);
    ARMBENCH_AVX2_STEP(1);
    ARMBENCH_AVX2_STEP(2);
    ARMBENCH_AVX2_STEP(3);
    a += 4 * kMr;
    b += 4 * kNr;
  }
  for (; p < kc; ++p) {
    ARMBENCH_AVX2_STEP(0);
    a += kMr;
    b += kNr;
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const bool z = beta == 0.0f;
  store_row(c + 0 * ldc, c00, c01, va, vb, z);
  store_row(c + 1 * ldc, c10, c11, va, vb, z);
  store_row(c + 2 * ldc, c20, c21, va, vb, z);
  store_row(c + 3 * ldc, c30, c31, va, vb, z);
  store_row(c + 4 * ldc, c40, c41, va, vb, z);
  store_row(c + 5 * ldc, c50, c51, va, vb, z);
}

#undef ARMBENCH_AVX2_STEP

const UkernelInfo kInfo = {
    {"f32_avx2_6x16", "avx2", ARMBENCH_GEMM_F32, kMr, kNr, 1},
    {ARMBENCH_FEATURE_AVX2, ARMBENCH_FEATURE_FMA},
    2,
    run,
    10,
};

}  // namespace

const UkernelInfo* ukernel_f32_avx2() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_f32_avx2() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
