// Private to native/src: the GEMM pool's work hand-off, used by the GEMM driver.
// The pool itself (armbench_gemm_pool_*) is the C ABI of armbench/gemm.h.
#ifndef ARMBENCH_SRC_RUNTIME_POOL_H
#define ARMBENCH_SRC_RUNTIME_POOL_H

#include <stddef.h>

#include "armbench/gemm.h"

namespace armbench {
namespace runtime {

typedef void (*PoolTask)(void* ctx, int index, int threads);

// Runs task(ctx, i, n) on every worker i < n of pool, each on its pinned thread, and
// returns when all have returned; the calling thread only waits, or, in a pool whose
// caller joins, runs i = 0 itself. pool nullptr: runs
// task(ctx, 0, 1) on the calling thread. Calls on one pool are serialized.
void pool_run(armbench_gemm_pool* pool, PoolTask task, void* ctx);

// Inside a task: worker `index` of `threads`'s contiguous share [*begin, *end) of
// `count` items, the shares balanced to within one item.
void pool_share(size_t count, int index, int threads, size_t* begin, size_t* end);
// Inside a task: blocks until every worker of the pool has reached it (reusable).
// No-op for pool nullptr or a one-thread pool.
void pool_barrier(armbench_gemm_pool* pool);

// Scratch memory owned by the pool, for the duration of one pool_run (the driver's
// packed blocks): at least bytes, 4096-aligned, kept between calls, grown on demand.
// nullptr when allocation fails. Only valid between pool_run calls made by one
// caller, i.e. call it before pool_run, from the calling thread.
void* pool_scratch(armbench_gemm_pool* pool, size_t bytes);

}  // namespace runtime
}  // namespace armbench

#endif
