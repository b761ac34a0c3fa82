// int8 reference microkernel: plain loops over the packed panels, written for any
// mr, nr and kr (one instance is registered), the oracle the ISA kernels are tested
// against. Sums are taken in uint32_t: they wrap modulo 2^32 as the vector
// instructions do, where int32_t overflow would be undefined. Baseline flags.
#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

template <unsigned kMr, unsigned kNr, unsigned kKr>
void run(size_t kc, const void* ap, const void* bp, int32_t* c, size_t ldc, int accumulate, const int32_t* bias) {
  const int8_t* a = static_cast<const int8_t*>(ap);
  const int8_t* b = static_cast<const int8_t*>(bp);
  uint32_t acc[kMr][kNr] = {};
  for (size_t q = 0; q < kc / kKr; ++q) {
    for (unsigned i = 0; i < kMr; ++i) {
      for (unsigned j = 0; j < kNr; ++j) {
        for (unsigned t = 0; t < kKr; ++t) {
          const int32_t prod = int32_t{a[(q * kMr + i) * kKr + t]} * int32_t{b[(q * kNr + j) * kKr + t]};
          acc[i][j] += static_cast<uint32_t>(prod);
        }
      }
    }
  }
  for (unsigned i = 0; i < kMr; ++i) {
    int32_t* row = c + i * ldc;
    for (unsigned j = 0; j < kNr; ++j) {
      uint32_t v = acc[i][j];
      if (bias != nullptr) v += static_cast<uint32_t>(bias[j]);
      if (accumulate) v += static_cast<uint32_t>(row[j]);
      row[j] = static_cast<int32_t>(v);
    }
  }
}

// kr = 4 as the dot-product kernels, so the reference walks the same padded panels.
const IUkernelInfo kInfo = {
    {"s8_ref_4x4", "ref", 4, 4, 4, ARMBENCH_IGEMM_A_S8}, {}, 0, run<4, 4, 4>, 0,
};

}  // namespace

const IUkernelInfo* ukernel_s8_ref() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench
