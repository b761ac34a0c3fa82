// Private to native/src/conv: the vector kernels of the depthwise convolution
// (conv_depthwise.cc), one per ISA file (depthwise_avx512.cc, depthwise_neon.cc).
// Declarations only: the ISA files include this header, so it must hold no inline
// function a baseline file could share.
#ifndef ARMBENCH_SRC_CONV_DEPTHWISE_H
#define ARMBENCH_SRC_CONV_DEPTHWISE_H

#include <stddef.h>
#include <stdint.h>

namespace armbench {
namespace conv {

// Output rows one call may take: rows that share input rows (each input row feeds up to
// three output rows at vertical stride 1) let the kernel load an input vector once for
// all of them, and give it rows x vectors independent accumulator chains.
constexpr size_t kDepthwiseMaxRows = 4;

// A run of n output columns of `rows` consecutive output rows of one channel, 3x3 taps,
// dilation 1, horizontal stride 1 or 2, written (not accumulated) to
//   y[k * y_stride + t] = sum over i < 3 with x[k * row_step + i] != nullptr, j < 3 of
//                         w[i * 3 + j] * X(k * row_step + i, t * stride + j)
// summed in that order (one fused multiply-add per tap), for k < rows. x[r] is input row
// r (the rows of output row 0's first tap row on), nullptr where that row lies in the
// padding; fp32 (bf16 inputs are widened by the caller, once per plane, not once per tap).
// At stride 1, X(r, e) = x[r][e]; at stride 2 each row is stored de-interleaved, its even
// elements first and its odd ones from x[r] + half (X(r, 2q) = x[r][q], X(r, 2q + 1) =
// x[r][half + q]), so every tap of a run of columns is one contiguous load. Every tap is
// in bounds. w: the 9 weights in an array of 12 (the kernels load whole vectors).
struct DepthwiseRow {
  const float* x[(kDepthwiseMaxRows - 1) * 2 + 3];
  const float* w;
  float* y;
  size_t y_stride;
  size_t rows;      // 1 to kDepthwiseMaxRows
  size_t row_step;  // the vertical stride, 1 or 2
  size_t n;
  size_t stride;    // 1 or 2
  size_t half;      // stride 2: where each row's odd elements start
};
typedef void (*DepthwiseRowKernel)(const DepthwiseRow& a);

// The kernel, or nullptr where the file was built for another architecture. Callers
// check the CPU first (AVX-512F and BW, the file's flags; ASIMD).
DepthwiseRowKernel depthwise_row_avx512();
DepthwiseRowKernel depthwise_row_neon();

// Rows of w elements (src, one after another) into their rows of len elements of the
// stride-2 copy DepthwiseRow reads (dst): the element at padded position q = pad_left + e
// (e < w) to dst[q / 2] when q is even, to dst[half + q / 2] when odd; bf16 widened
// exactly (its bits as an fp32's upper half). Nothing else of dst is written (the
// caller's zeros stay). At stride 2 the input is four times the layer's output, so this
// copy is most of the layer unless it runs at vector speed, which baseline-flag loops
// with a stride-2 read do not reach. Many rows per call (a refill of the caller's ring):
// MobileNet's 14-element rows would pay a call each.
struct DepthwiseSplit {
  void (*f32)(const float* src, size_t rows, size_t w, float* dst, size_t len, size_t pad_left, size_t half);
  void (*bf16)(const uint16_t* src, size_t rows, size_t w, float* dst, size_t len, size_t pad_left, size_t half);
};

// The portable loops (conv_depthwise.cc): the fallback and the tests' reference.
DepthwiseSplit depthwise_split_portable();
// The vector ones, both nullptr where the file was built for another architecture; the
// same CPU checks as the row kernel of the file.
DepthwiseSplit depthwise_split_avx512();
DepthwiseSplit depthwise_split_neon();

}  // namespace conv
}  // namespace armbench

#endif
