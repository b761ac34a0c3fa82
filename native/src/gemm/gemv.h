// Private to native/src/gemm: the direct (unpacked) path for GEMV-like shapes
// (m == 1 or n == 1). Types and declarations only (ISA files include it).
//
// Two loops cover every transposition; both read the large operand once, in place:
//   dot:  y[i] = sum_p r(i, p) * x[p], r(i, p) = r[i * ld + p]   (rows contiguous in p)
//   axpy: y[j] = sum_p x[p] * r(p, j), r(p, j) = r[p * ld + j]   (rows contiguous in j)
// x is contiguous (the driver copies a strided vector first). Element type float (fp32)
// or uint16_t (bf16 bit patterns, products formed exactly in fp32).
//
// The summation order of one output depends only on k (dot: a fixed split of p into
// lanes and a fixed reduction tree; axpy: one multiply-add chain over p, in order,
// fused where the loop uses FMA), never on which rows or columns a call covers, so
// any split of the outputs among threads gives the same bits.
#ifndef ARMBENCH_SRC_GEMM_GEMV_H
#define ARMBENCH_SRC_GEMM_GEMV_H

#include <stddef.h>

#include "armbench/gemm.h"

namespace armbench {
namespace gemm {

struct GemvOps {
  // y[i] for i in [0, rows).
  void (*dot)(size_t rows, size_t k, const void* r, size_t ld, const void* x, float* y);
  // y[j] for j in [0, cols).
  void (*axpy)(size_t cols, size_t k, const void* r, size_t ld, const void* x, float* y);
};

// nullptr when the file was built for another architecture.
const GemvOps* gemv_f32_avx512();
const GemvOps* gemv_bf16_avx512();

// The direct path takes the call: m == 1 or n == 1. With a packed B it takes n == 1
// only (op(B)'s one column is read back from the panels: the same x, the same bits);
// m == 1 over a packed B runs the blocked loops (its B is already packed).
bool gemv_applies(size_t m, size_t n);
// Name of the direct path that runs here, e.g. "gemv_f32_avx512", "gemv_bf16_ref".
const char* gemv_name(bool bf16);
bool gemv_applies_packed(size_t m, size_t n);

// A packed op(B) of one column (n == 1): kc blocks of nr-wide panels, k interleaved by kr.
struct GemvPackedColumn {
  const void* data;
  size_t nr, kr, kc;
};

// Runs one checked call (m, n, k > 0, alpha != 0) on the direct path; 0 or -ENOMEM.
// packed: nullptr, or op(B) when n == 1 (args->b and ldb are then ignored).
int gemv_run(armbench_gemm_pool* pool, const armbench_gemm_args* args, bool bf16, const GemvPackedColumn* packed);

}  // namespace gemm
}  // namespace armbench

#endif
