// bf16 reference microkernel, 4x4 with k pairs interleaved (kr = 2, the layout of
// BFDOT / VDPBF16PS): bf16 widened exactly to fp32 (bits << 16), products exact in
// fp32, accumulated in fp32 in a fixed order (pairs, then the pair's two terms, rows,
// columns). The oracle of the bf16 kernels. Baseline flags.
#include <stdint.h>
#include <string.h>

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr unsigned kMr = 4, kNr = 4, kKr = 2;

float widen(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

void run(size_t kc, const void* ap, const void* bp, float* c, size_t ldc, float alpha, float beta) {
  const uint16_t* a = static_cast<const uint16_t*>(ap);
  const uint16_t* b = static_cast<const uint16_t*>(bp);
  float acc[kMr][kNr] = {};
  for (size_t q = 0; q < kc / kKr; ++q) {
    for (unsigned t = 0; t < kKr; ++t) {
      for (unsigned i = 0; i < kMr; ++i) {
        const float av = widen(a[(q * kMr + i) * kKr + t]);
        for (unsigned j = 0; j < kNr; ++j) acc[i][j] += av * widen(b[(q * kNr + j) * kKr + t]);
      }
    }
  }
  for (unsigned i = 0; i < kMr; ++i) {
    float* row = c + i * ldc;
    for (unsigned j = 0; j < kNr; ++j) row[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * row[j];
  }
}

const UkernelInfo kInfo = {
    {"bf16_ref_4x4", "ref", ARMBENCH_GEMM_BF16, kMr, kNr, kKr}, {}, 0, run, 0,
};

}  // namespace

const UkernelInfo* ukernel_bf16_ref() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench
