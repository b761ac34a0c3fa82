// FMA3 kernels: VEX vfmadd231ps/pd on xmm and ymm. Accumulators 0..13 only, so the
// same kernels run on 16-register AVX2 CPUs. Compiled with -mavx2 -mfma; entered
// only after detection reports fma.
#if defined(__x86_64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// ACC: acc += m14 * m15. FULL: acc += acc * m15 (the result is a multiplicand too).
#define PS_XMM_ACC(i) "vfmadd231ps %%xmm15, %%xmm14, %%xmm" #i "\n\t"
#define PS_XMM_FULL(i) "vfmadd231ps %%xmm15, %%xmm" #i ", %%xmm" #i "\n\t"
#define PD_XMM_ACC(i) "vfmadd231pd %%xmm15, %%xmm14, %%xmm" #i "\n\t"
#define PD_XMM_FULL(i) "vfmadd231pd %%xmm15, %%xmm" #i ", %%xmm" #i "\n\t"
#define PS_YMM_ACC(i) "vfmadd231ps %%ymm15, %%ymm14, %%ymm" #i "\n\t"
#define PS_YMM_FULL(i) "vfmadd231ps %%ymm15, %%ymm" #i ", %%ymm" #i "\n\t"
#define PD_YMM_ACC(i) "vfmadd231pd %%ymm15, %%ymm14, %%ymm" #i "\n\t"
#define PD_YMM_FULL(i) "vfmadd231pd %%ymm15, %%ymm" #i ", %%ymm" #i "\n\t"

ARMBENCH_FOR_K14(ARMBENCH_XMM_KERNEL, ps_xmm_acc, PS_XMM_ACC)
ARMBENCH_FOR_K14(ARMBENCH_XMM_KERNEL, ps_xmm_full, PS_XMM_FULL)
ARMBENCH_FOR_K14(ARMBENCH_XMM_KERNEL, pd_xmm_acc, PD_XMM_ACC)
ARMBENCH_FOR_K14(ARMBENCH_XMM_KERNEL, pd_xmm_full, PD_XMM_FULL)
ARMBENCH_FOR_K14(ARMBENCH_YMM_KERNEL, ps_ymm_acc, PS_YMM_ACC)
ARMBENCH_FOR_K14(ARMBENCH_YMM_KERNEL, ps_ymm_full, PS_YMM_FULL)
ARMBENCH_FOR_K14(ARMBENCH_YMM_KERNEL, pd_ymm_acc, PD_YMM_ACC)
ARMBENCH_FOR_K14(ARMBENCH_YMM_KERNEL, pd_ymm_full, PD_YMM_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(14, kVfmadd231psXmm, ps_xmm_acc, ps_xmm_full)
ARMBENCH_FMA_TABLE(14, kVfmadd231pdXmm, pd_xmm_acc, pd_xmm_full)
ARMBENCH_FMA_TABLE(14, kVfmadd231psYmm, ps_ymm_acc, ps_ymm_full)
ARMBENCH_FMA_TABLE(14, kVfmadd231pdYmm, pd_ymm_acc, pd_ymm_full)

}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__
