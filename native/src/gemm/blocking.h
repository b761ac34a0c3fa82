// Private to native/src/gemm: the blocking and threading helpers the GEMM drivers
// share (gemm_blocking.cc). Baseline flags.
#ifndef ARMBENCH_SRC_GEMM_BLOCKING_H
#define ARMBENCH_SRC_GEMM_BLOCKING_H

#include <stddef.h>

#include "armbench/gemm.h"
#include "pack.h"

namespace armbench {
namespace gemm {

// Cache blocking for an mr x nr tile whose panels interleave k by kr, of es-byte
// elements, from this CPU's caches; tiles: the kernel loads A as matrix tiles (AMX)
// rather than one broadcast per row and step.
armbench_gemm_blocking blocking_for_tile(size_t mr, size_t nr, size_t kr, size_t es, bool tiles);

// Thread grid: tm * tn == threads, minimizing the largest per-thread tile count; a
// split of N costs a little more (the A block is packed by each thread of a row).
void thread_grid(size_t threads, size_t mtiles, size_t ntiles, size_t* tm, size_t* tn);

// Thread t's share of a tm x tn grid: rows [m0, m1) of m, whole mr tiles (the last
// clipped to m), and its column of the grid, tj.
struct ThreadRows {
  size_t m0, m1, tj;
};
ThreadRows thread_rows(size_t t, size_t tm, size_t tn, size_t m, size_t mr);

// The depth of packed panels: every full kc block kc deep, the last one rounded up to kr.
inline size_t padded_depth(size_t k, size_t kc, size_t kr) { return k / kc * kc + round_up(k % kc, kr); }

// a * b into *out; false when it overflows size_t.
bool mul_ok(size_t a, size_t b, size_t* out);
// rows x cols with row stride ld of es-byte elements: ld >= max(cols, 1) and the
// span addressable.
bool matrix_ok(size_t rows, size_t cols, size_t ld, size_t es);

}  // namespace gemm
}  // namespace armbench

#endif
