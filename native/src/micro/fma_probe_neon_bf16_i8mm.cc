// Advanced SIMD BF16 and I8MM kernels: bfdot, bfmmla (bf16) and smmla, ummla (int8),
// accumulators v0..v29. Compiled with -march=armv8.6-a+bf16+i8mm; entered only
// after detection reports bf16 / i8mm.
#if defined(__aarch64__)

#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// FULL reads the accumulator's own bits as the first source (bf16 pairs or bytes).
#define BFDOT_ACC(i) "bfdot v" #i ".4s, v30.8h, v31.8h\n\t"
#define BFDOT_FULL(i) "bfdot v" #i ".4s, v" #i ".8h, v31.8h\n\t"
#define BFMMLA_ACC(i) "bfmmla v" #i ".4s, v30.8h, v31.8h\n\t"
#define BFMMLA_FULL(i) "bfmmla v" #i ".4s, v" #i ".8h, v31.8h\n\t"
#define SMMLA_ACC(i) "smmla v" #i ".4s, v30.16b, v31.16b\n\t"
#define SMMLA_FULL(i) "smmla v" #i ".4s, v" #i ".16b, v31.16b\n\t"
#define UMMLA_ACC(i) "ummla v" #i ".4s, v30.16b, v31.16b\n\t"
#define UMMLA_FULL(i) "ummla v" #i ".4s, v" #i ".16b, v31.16b\n\t"

ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, bfdot_acc, BFDOT_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, bfdot_full, BFDOT_FULL)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, bfmmla_acc, BFMMLA_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, bfmmla_full, BFMMLA_FULL)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, smmla_acc, SMMLA_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, smmla_full, SMMLA_FULL)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, ummla_acc, UMMLA_ACC)
ARMBENCH_FOR_K30(ARMBENCH_NEON_KERNEL, ummla_full, UMMLA_FULL)

}  // namespace

ARMBENCH_FMA_TABLE(30, kNeonBfdot4s, bfdot_acc, bfdot_full)
ARMBENCH_FMA_TABLE(30, kNeonBfmmla4s, bfmmla_acc, bfmmla_full)
ARMBENCH_FMA_TABLE(30, kNeonSmmla4s, smmla_acc, smmla_full)
ARMBENCH_FMA_TABLE(30, kNeonUmmla4s, ummla_acc, ummla_full)

}  // namespace micro
}  // namespace armbench

#endif  // __aarch64__
