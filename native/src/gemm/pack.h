// Private to native/src/gemm: packing op(A) and op(B) into the microkernel
// contract's panel layout (gemm_ukernel.h). Baseline flags; generic in the tile
// (mr / nr), the k interleave kr and the element size (4: fp32, 2: bf16).
#ifndef ARMBENCH_SRC_GEMM_PACK_H
#define ARMBENCH_SRC_GEMM_PACK_H

#include <stddef.h>

namespace armbench {
namespace gemm {

inline size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }
inline size_t ceil_div(size_t v, size_t d) { return (v + d - 1) / d; }

// One operand seen as "rows" (of A, or columns of B) by depth: element (r, p) is at
// src[r * row_stride + p * depth_stride] (in elements).
struct PackSource {
  const void* src;
  size_t row_stride;
  size_t depth_stride;
  size_t elem_bytes;  // 4 or 2
};

// op(A) block (rows x depth starting at A(i0, p0)) and op(B) block (depth x cols
// starting at B(p0, j0)) as a PackSource.
PackSource pack_source_a(const void* a, size_t lda, bool trans, size_t elem_bytes, size_t i0, size_t p0);
PackSource pack_source_b(const void* b, size_t ldb, bool trans, size_t elem_bytes, size_t p0, size_t j0);

// Packs panels [panel0, panel1) of a rows x depth block into dst, panel q of width w
// (mr for A, nr for B) at dst + q * w * round_up(depth, kr) elements:
//   dst_panel[(s * w + r) * kr + t] = src(q * w + r, s * kr + t)
// with zeros past `rows` and past `depth`.
void pack_panels(const PackSource& s, size_t rows, size_t depth, size_t w, size_t kr, size_t panel0, size_t panel1,
                 void* dst);

}  // namespace gemm
}  // namespace armbench

#endif
