// AVX-VNNI kernels: the VEX vpdpbusd ymm, forced by {vex} (CPUs with only
// AVX512_VNNI lack this encoding). Accumulators ymm0..13. Compiled with -mavx2
// -mavxvnni; entered only after detection reports avx_vnni.
#if defined(__x86_64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// {vex} is written %{vex%}: braces are asm dialect syntax in GCC templates.
#define VEX_DPBUSD_ACC(i) "%{vex%} vpdpbusd %%ymm15, %%ymm14, %%ymm" #i "\n\t"
#define VEX_DPBUSD_FULL(i) "%{vex%} vpdpbusd %%ymm15, %%ymm" #i ", %%ymm" #i "\n\t"

ARMBENCH_FOR_K14(ARMBENCH_YMM_KERNEL, vex_dpbusd_acc, VEX_DPBUSD_ACC)
ARMBENCH_FOR_K14(ARMBENCH_YMM_KERNEL, vex_dpbusd_full, VEX_DPBUSD_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(14, kVpdpbusdYmm, vex_dpbusd_acc, vex_dpbusd_full)

}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__
