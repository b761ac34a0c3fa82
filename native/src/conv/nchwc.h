// Private to native/src/conv: the inner kernels of the direct NCHWc convolution
// (conv_nchwc.cc), one per ISA file (nchwc_avx512.cc, nchwc_avx2.cc, nchwc_neon.cc).
// Declarations only: the ISA files include this header, so it must hold no inline
// function a baseline file could share.
#ifndef ARMBENCH_SRC_CONV_NCHWC_H
#define ARMBENCH_SRC_CONV_NCHWC_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/conv.h"

namespace armbench {
namespace conv {

// One output row of one output-channel block: npix pixels, each blk floats (one per
// output channel of the block), written (not accumulated) to y[p * blk + o] =
//   sum over cb < cblocks, i < r, j < s, ci < blk of
//     x[p * pix_stride + cb * cb_stride + i * row_stride + j * col_stride + ci] *
//     w[(((cb * r + i) * s + j) * blk + ci) * blk + o]
// x is the zero-padded NCHWc input at the first pixel's top-left tap, so every read is
// in bounds and no tap is skipped. The kernel cuts the row into register tiles.
struct NchwcRow {
  const float* x;
  const float* w;     // the packed weights of this output block: [cblocks][r][s][blk][blk]
  float* y;
  size_t npix;
  size_t pix_stride;  // stride_w * blk
  size_t cb_stride;   // padded h * padded w * blk
  size_t row_stride;  // dilation_h * padded w * blk
  size_t col_stride;  // dilation_w * blk
  size_t cblocks, r, s;
};
typedef void (*NchwcRowKernel)(const NchwcRow& a);

// The ISA kernels (block 16, 8 and 4), or nullptr where the file was built for
// another architecture. Callers check the CPU first.
NchwcRowKernel nchwc_row_avx512();
NchwcRowKernel nchwc_row_avx2();
NchwcRowKernel nchwc_row_neon();

// The same sums over kMultiBlocks output blocks at once, so each broadcast input value
// feeds kMultiBlocks FMAs (the row kernel reloads the input once per output block and
// does one load per FMA; MLAS's NCHWc kernels take up to 4 filter blocks the same way).
// Same order of sums as NchwcRow, so the bits are the row kernel's (but for a -0 sum,
// which the row kernel's zero products from padding channels would turn into +0):
//   y[b * y_block_stride + p * blk + o] = sum over cb, i, j, ci (< cin_last in the last cb) of
//     x[p * pix_stride + cb * cb_stride + i * row_stride + j * col_stride + ci] *
//     w[(((cb * r + i) * s + j) * blk + ci) * kMultiBlocks * blk + b * blk + o]
// for b < kMultiBlocks, then the epilogue on the register tile before it is stored:
// y = act((y + bias) + residual), the sums and selects of apply_epilogue_blocked, so a
// fused epilogue gives the bits of the separate one. The caller runs the row kernel on
// a last group of fewer blocks, whose weights are then in the row kernel's layout.
constexpr size_t kMultiBlocks = 2;
// A stem (at most this many input channels, one block) is read from a frame of this
// many lanes per pixel, not a whole block: pix_stride and the other strides count them.
constexpr size_t kStemLanes = 4;
struct NchwcMulti {
  const float* x;
  const float* w;     // this group's packed weights: [cblocks][r][s][blk][kMultiBlocks * blk]
  float* y;
  size_t npix;
  size_t pix_stride, cb_stride, row_stride, col_stride;
  size_t cblocks, r, s;
  // Input channels of the last block that hold data (blk when c is whole blocks): the
  // rest are zero by the layout's promise, and skipping them spares a 3-channel stem
  // 13/16 of its FMAs.
  size_t cin_last;
  size_t y_block_stride;  // from one output block to the next in y (and in residual)
  // The fused epilogue; none when bias and residual are nullptr and act is NONE.
  const float* bias;      // kMultiBlocks * blk values, or nullptr
  const float* residual;  // at y's offsets, or nullptr
  armbench_conv_activation act;
  float lo, hi;           // ReLU: lo = 0; Clip: [lo, hi]
  // Output rows of the call (1 or kMultiRows): the same pixels of the next output row,
  // x_row_step further in x and y_row_step in y (and residual). Two rows in one register
  // tile double a narrow row's independent sums: a 7-pixel tile of two blocks has 14,
  // fewer than the 4-pipe cores' FMLA latency times pipes (16); two rows of 4 have 16.
  size_t rows = 1;
  size_t x_row_step = 0, y_row_step = 0;
  // Optional: cache lines a kernel may prefetch into L2 while it computes (the next
  // group's weights, which the first tile of that group would otherwise wait for).
  const char* prefetch = nullptr;
  size_t prefetch_lines = 0;
};
constexpr size_t kMultiRows = 2;
typedef void (*NchwcMultiKernel)(const NchwcMulti& a);

// Block 16, 8 and 4, or nullptr on the other architecture.
NchwcMultiKernel nchwc_multi_avx512();
NchwcMultiKernel nchwc_multi_avx2();
NchwcMultiKernel nchwc_multi_neon();

// Depthwise (groups == c == k) on NCHWc: `rows` consecutive output rows of one channel
// block, each lane its own channel, written (not accumulated): for k < rows,
//   y[k * y_row_step + p * blk + l] = sum over i < r, j < s of
//     x[k * x_row_step + p * pix_stride + i * row_stride + j * col_stride + l] * w[(i * s + j) * blk + l]
// summed in that order, one multiply-add per tap (a kernel may start a sum with its first
// product instead of adding it to zero: only a zero sum's sign can differ). x is the
// block's zero-padded frame at the first row's first pixel's top-left tap. Several rows let a kernel put pixels of
// different rows in one register tile: a 7-pixel row alone has 7 independent sums, fewer
// than the 4-pipe cores' FMLA latency times pipes (16); three rows of it have 21.
struct NchwcDepthwiseRow {
  const float* x;
  const float* w;  // this block's weights: [r][s][blk]
  float* y;
  size_t npix;
  size_t pix_stride, row_stride, col_stride;
  size_t r, s;
  size_t rows = 1;
  size_t x_row_step = 0;  // from one output row's inputs to the next's (stride_h padded rows)
  size_t y_row_step = 0;  // from one output row to the next in y
  // The epilogue, applied before the sums leave the kernel (none when bias and residual
  // are nullptr and act is NONE): y = act((sum + bias) + residual) in the sums and
  // selects of apply_epilogue_blocked, so the bits are the separate epilogue's, without
  // a second pass over the rows. bias holds this block's blk values; residual is at y's
  // offsets.
  const float* bias = nullptr;
  const float* residual = nullptr;
  armbench_conv_activation act = ARMBENCH_ACT_NONE;
  float lo = 0.0f, hi = 0.0f;  // ReLU: lo = 0; Clip: [lo, hi]
};
// Output rows a depthwise call takes at most (run_depthwise's groups of rows).
constexpr size_t kDepthwiseRows = 3;
typedef void (*NchwcDepthwiseKernel)(const NchwcDepthwiseRow& a);

// Block 16, 8 and 4, or nullptr on the other architecture.
NchwcDepthwiseKernel nchwc_depthwise_avx512();
NchwcDepthwiseKernel nchwc_depthwise_avx2();
NchwcDepthwiseKernel nchwc_depthwise_neon();

// apply_epilogue_blocked (conv_internal.h) on npix pixels of output block kb, in its sums
// and selects, so the bits are the same: the pass for the blocks a kernel does not fuse
// the epilogue into (a block holding padding channels, a row-kernel block).
typedef void (*NchwcEpilogue)(const armbench_conv_epilogue& e, float* y, const float* residual, size_t k, size_t kb,
                              size_t npix);

// Block 16 and 8, or nullptr on the other architecture (NEON's baseline build
// vectorizes the portable one).
NchwcEpilogue nchwc_epilogue_avx512();
NchwcEpilogue nchwc_epilogue_avx2();

// The bf16 row (below) over kMultiBlocks output blocks at once, as NchwcMulti is the
// fp32 row's: weights [cblocks][r][s][blk / 2][kMultiBlocks * blk][2], the pairs of
// the last block up to cin_last (rounded up to a pair), the same fused epilogue. The
// bits are the bf16 row kernel's.
struct NchwcMultiBf16 {
  const uint16_t* x;
  const uint16_t* w;
  float* y;
  size_t npix;
  size_t pix_stride, cb_stride, row_stride, col_stride;  // in bf16 elements
  size_t cblocks, r, s;
  size_t cin_last;
  size_t y_block_stride;
  const float* bias;
  const float* residual;
  armbench_conv_activation act;
  float lo, hi;
  size_t rows = 1;
  size_t x_row_step = 0, y_row_step = 0;  // in bf16 elements and floats
};
typedef void (*NchwcMultiBf16Kernel)(const NchwcMultiBf16& a);

// VDPBF16PS (block 16) and BFDOT (block 4), or nullptr on the other architecture.
NchwcMultiBf16Kernel nchwc_multi_bf16_avx512bf16();
NchwcMultiBf16Kernel nchwc_multi_bf16_bfdot();

// The bf16 row: the same sums with bf16 x and w and fp32 accumulation, by pairs of input
// channels (the dot-product instructions take two bf16 products per fp32 lane):
//   y[p * blk + o] = sum over cb, i, j, pair q < blk / 2, e < 2 of
//     x[p * pix_stride + cb * cb_stride + i * row_stride + j * col_stride + 2q + e] *
//     w[((((cb * r + i) * s + j) * blk / 2 + q) * blk + o) * 2 + e]
// Strides in bf16 elements.
struct NchwcRowBf16 {
  const uint16_t* x;
  const uint16_t* w;  // [cblocks][r][s][blk / 2][blk][2]
  float* y;
  size_t npix;
  size_t pix_stride, cb_stride, row_stride, col_stride;
  size_t cblocks, r, s;
};
typedef void (*NchwcRowBf16Kernel)(const NchwcRowBf16& a);

// VDPBF16PS (block 16) and BFDOT (block 4), or nullptr on the other architecture.
NchwcRowBf16Kernel nchwc_row_bf16_avx512bf16();
NchwcRowBf16Kernel nchwc_row_bf16_bfdot();

}  // namespace conv
}  // namespace armbench

#endif
