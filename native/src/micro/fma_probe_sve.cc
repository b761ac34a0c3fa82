// SVE kernels: predicated fmla z.s / z.d (governed by an all-true p0) and fmmla z.s,
// accumulators z0..z29, at whatever vector length the thread runs with. Compiled with
// -march=armv8.6-a+sve+f32mm; entered only after detection reports sve (and
// svef32mm for fmmla).
#if defined(__aarch64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

#define FMLAS_ACC(i) "fmla z" #i ".s, p0/m, z30.s, z31.s\n\t"
#define FMLAS_FULL(i) "fmla z" #i ".s, p0/m, z" #i ".s, z31.s\n\t"
#define FMLAD_ACC(i) "fmla z" #i ".d, p0/m, z30.d, z31.d\n\t"
#define FMLAD_FULL(i) "fmla z" #i ".d, p0/m, z" #i ".d, z31.d\n\t"
#define FMMLA_ACC(i) "fmmla z" #i ".s, z30.s, z31.s\n\t"
#define FMMLA_FULL(i) "fmmla z" #i ".s, z" #i ".s, z31.s\n\t"

ARMBENCH_FOR_K30(ARMBENCH_SVE_KERNEL, fmlas_acc, FMLAS_ACC)
ARMBENCH_FOR_K30(ARMBENCH_SVE_KERNEL, fmlas_full, FMLAS_FULL)
ARMBENCH_FOR_K30(ARMBENCH_SVE_KERNEL, fmlad_acc, FMLAD_ACC)
ARMBENCH_FOR_K30(ARMBENCH_SVE_KERNEL, fmlad_full, FMLAD_FULL)
ARMBENCH_FOR_K30(ARMBENCH_SVE_KERNEL, fmmla_acc, FMMLA_ACC)
ARMBENCH_FOR_K30(ARMBENCH_SVE_KERNEL, fmmla_full, FMMLA_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(30, kSveFmlaS, fmlas_acc, fmlas_full)
ARMBENCH_FMA_TABLE(30, kSveFmlaD, fmlad_acc, fmlad_full)
ARMBENCH_FMA_TABLE(30, kSveFmmlaS, fmmla_acc, fmmla_full)

}  // namespace micro
}  // namespace armbench

#endif  // __aarch64__
