// Advanced SIMD kernels: fmla .4s/.2d/.8h and sdot, accumulators v0..v29.
// Compiled with -march=armv8.2-a+fp16+dotprod; the .8h and sdot kernels are entered
// only after detection reports asimdhp / asimddp.
#if defined(__aarch64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// ACC: acc += v30 * v31. FULL: the accumulator is also the first multiplicand
// (for sdot: its own bytes).
#define FMLA4S_ACC(i) "fmla v" #i ".4s, v30.4s, v31.4s\n\t"
#define FMLA4S_FULL(i) "fmla v" #i ".4s, v" #i ".4s, v31.4s\n\t"
#define FMLA2D_ACC(i) "fmla v" #i ".2d, v30.2d, v31.2d\n\t"
#define FMLA2D_FULL(i) "fmla v" #i ".2d, v" #i ".2d, v31.2d\n\t"
#define FMLA8H_ACC(i) "fmla v" #i ".8h, v30.8h, v31.8h\n\t"
#define FMLA8H_FULL(i) "fmla v" #i ".8h, v" #i ".8h, v31.8h\n\t"
#define SDOT_ACC(i) "sdot v" #i ".4s, v30.16b, v31.16b\n\t"
#define SDOT_FULL(i) "sdot v" #i ".4s, v" #i ".16b, v31.16b\n\t"

ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, fmla4s_acc, FMLA4S_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, fmla4s_full, FMLA4S_FULL)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, fmla2d_acc, FMLA2D_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, fmla2d_full, FMLA2D_FULL)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, fmla8h_acc, FMLA8H_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, fmla8h_full, FMLA8H_FULL)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, sdot_acc, SDOT_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, sdot_full, SDOT_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(30, kNeonFmla4s, fmla4s_acc, fmla4s_full)
ARMBENCH_FMA_TABLE(30, kNeonFmla2d, fmla2d_acc, fmla2d_full)
ARMBENCH_FMA_TABLE(30, kNeonFmla8h, fmla8h_acc, fmla8h_full)
ARMBENCH_FMA_TABLE(30, kNeonSdot4s, sdot_acc, sdot_full)

}  // namespace micro
}  // namespace armbench

#endif  // __aarch64__
