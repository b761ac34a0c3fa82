// AVX512_VNNI kernels: EVEX vpdpbusd zmm (int32 += four u8 x s8 products per lane),
// accumulators zmm0..29. Compiled with -mavx512f -mavx512vnni; entered only after
// detection reports avx512f and avx512_vnni.
#if defined(__x86_64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// The unsigned bytes come from the middle operand: m30 in ACC, the accumulator in FULL.
#define DPBUSD_ACC(i) "vpdpbusd %%zmm31, %%zmm30, %%zmm" #i "\n\t"
#define DPBUSD_FULL(i) "vpdpbusd %%zmm31, %%zmm" #i ", %%zmm" #i "\n\t"

ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, dpbusd_acc, DPBUSD_ACC)
ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, dpbusd_full, DPBUSD_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(30, kVpdpbusdZmm, dpbusd_acc, dpbusd_full)

}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__
