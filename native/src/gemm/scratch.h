// Private to native/src/gemm: per-thread scratch memory for calls without a pool.
#ifndef ARMBENCH_SRC_GEMM_SCRATCH_H
#define ARMBENCH_SRC_GEMM_SCRATCH_H

#include <stddef.h>

namespace armbench {
namespace gemm {

// At least `bytes` of 4096-aligned memory owned by the calling thread, reused (and
// grown) across calls; nullptr when it cannot be had. One call at a time per thread
// uses it: the blocked driver and the direct GEMV path never run nested.
void* thread_scratch(size_t bytes);

}  // namespace gemm
}  // namespace armbench

#endif
