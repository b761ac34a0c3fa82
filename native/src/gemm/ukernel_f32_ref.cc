// fp32 reference microkernel, 4x4, plain loops in a fixed order (k outer, then rows,
// then columns): the oracle the ISA kernels are tested against. Baseline flags.
#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr unsigned kMr = 4, kNr = 4;

void run(size_t kc, const void* ap, const void* bp, float* c, size_t ldc, float alpha, float beta) {
  const float* a = static_cast<const float*>(ap);
  const float* b = static_cast<const float*>(bp);
  float acc[kMr][kNr] = {};
  for (size_t p = 0; p < kc; ++p) {
    for (unsigned i = 0; i < kMr; ++i) {
      for (unsigned j = 0; j < kNr; ++j) acc[i][j] += a[p * kMr + i] * b[p * kNr + j];
    }
  }
  for (unsigned i = 0; i < kMr; ++i) {
    float* row = c + i * ldc;
    for (unsigned j = 0; j < kNr; ++j) row[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * row[j];
  }
}

const UkernelInfo kInfo = {
    {"f32_ref_4x4", "ref", ARMBENCH_GEMM_F32, kMr, kNr, 1}, {}, 0, run, 0,
};

}  // namespace

const UkernelInfo* ukernel_f32_ref() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench
