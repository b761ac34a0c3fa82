// AVX512_BF16 kernels: vdpbf16ps zmm (fp32 += two bf16 products per lane),
// accumulators zmm0..29. Compiled with -mavx512f -mavx512bf16; entered only after
// detection reports avx512f and avx512_bf16.
#if defined(__x86_64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// FULL reads the accumulator's own bits as the bf16 pair (low half, high half).
#define DPBF16_ACC(i) "vdpbf16ps %%zmm31, %%zmm30, %%zmm" #i "\n\t"
#define DPBF16_FULL(i) "vdpbf16ps %%zmm31, %%zmm" #i ", %%zmm" #i "\n\t"

ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, dpbf16_acc, DPBF16_ACC)
ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, dpbf16_full, DPBF16_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(30, kVdpbf16psZmm, dpbf16_acc, dpbf16_full)

}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__
