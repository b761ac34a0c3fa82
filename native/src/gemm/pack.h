// Private to native/src/gemm: packing op(A) and op(B) into the microkernel
// contract's panel layout (gemm_ukernel.h). Baseline flags; generic in the tile
// (mr / nr), the k interleave kr and the element size (4: fp32, 2: bf16).
#ifndef ARMBENCH_SRC_GEMM_PACK_H
#define ARMBENCH_SRC_GEMM_PACK_H

#include <stddef.h>
#include <stdint.h>

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

// An ISA loop for the bf16 kr = 2 panel with rows contiguous (src(r, p) at
// src[r + p * ps]), w a multiple of 32, all w rows valid, the first npairs depth pairs:
//   dst[(q * w + r) * 2 + t] = src[r + (2 * q + t) * ps]
typedef void (*PackPairsFn)(const uint16_t* src, size_t ps, size_t w, size_t npairs, uint16_t* dst);
// 32-bit elements, depth contiguous (src(r, p) at src[r * rs + p]), w <= 16, rv rows
// valid (the rest zero), one panel: dst[p * w + r] = src(r, p) for p < depth.
typedef void (*PackTransposeFn)(const uint32_t* src, size_t rs, size_t rv, size_t w, size_t depth, uint32_t* dst);
// 32-bit elements, rows contiguous (src(r, p) at src[r + p * ps]), w a multiple of 16,
// panels [panel0, panel1) of a rows-row block, panel q at dst + q * panel_elems:
//   dst[q * panel_elems + p * w + r] = src(q * w + r, p), zero past rows.
typedef void (*PackRowsFn)(const uint32_t* src, size_t ps, size_t rows, size_t w, size_t depth, size_t panel0,
                           size_t panel1, size_t panel_elems, uint32_t* dst);
// nullptr when built for another architecture (the caller checks the CPU's features).
PackPairsFn pack_bf16_pairs_avx512();
PackTransposeFn pack_transpose32_avx512();
PackRowsFn pack_rows32_avx512();

}  // namespace gemm
}  // namespace armbench

#endif
