// AVX-512F kernels: EVEX vfmadd231ps/pd on zmm, accumulators zmm0..29. Compiled with
// -mavx512f; entered only after detection reports avx512f.
#if defined(__x86_64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// ACC: acc += m30 * m31. FULL: acc += acc * m31.
#define PS_ZMM_ACC(i) "vfmadd231ps %%zmm31, %%zmm30, %%zmm" #i "\n\t"
#define PS_ZMM_FULL(i) "vfmadd231ps %%zmm31, %%zmm" #i ", %%zmm" #i "\n\t"
#define PD_ZMM_ACC(i) "vfmadd231pd %%zmm31, %%zmm30, %%zmm" #i "\n\t"
#define PD_ZMM_FULL(i) "vfmadd231pd %%zmm31, %%zmm" #i ", %%zmm" #i "\n\t"

ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, ps_zmm_acc, PS_ZMM_ACC)
ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, ps_zmm_full, PS_ZMM_FULL)
ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, pd_zmm_acc, PD_ZMM_ACC)
ARMBENCH_FOR_K30(ARMBENCH_ZMM_KERNEL, pd_zmm_full, PD_ZMM_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(30, kVfmadd231psZmm, ps_zmm_acc, ps_zmm_full)
ARMBENCH_FMA_TABLE(30, kVfmadd231pdZmm, pd_zmm_acc, pd_zmm_full)

}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__
