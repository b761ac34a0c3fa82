// Private to native/src/conv: the vector kernels of the depthwise convolution
// (conv_depthwise.cc), one per ISA file (depthwise_avx512.cc, depthwise_neon.cc).
// Declarations only: the ISA files include this header, so it must hold no inline
// function a baseline file could share.
#ifndef ARMBENCH_SRC_CONV_DEPTHWISE_H
#define ARMBENCH_SRC_CONV_DEPTHWISE_H

#include <stddef.h>

namespace armbench {
namespace conv {

// A run of n interior output columns of one output row of one channel, 3x3 taps,
// dilation 1, horizontal stride 1 or 2, written (not accumulated) to
//   y[t] = sum over i < 3 with x[i] != nullptr, j < 3 of w[i * 3 + j] * x[i][t * stride + j]
// summed in that order (one fused multiply-add per tap). x[i] is the input row of kernel
// row i at the first column's leftmost tap, nullptr where that row lies in the padding;
// elements are fp32 or bf16 (uint16_t) by the kernel. Every tap is in bounds, and the
// kernel may also read stride - 1 elements past the last tap of the last column (the
// caller guarantees them), so stride 2 can load whole pairs of vectors.
struct DepthwiseRow {
  const void* x[3];
  const float* w;  // 9 fp32 weights (bf16 weights widened by the caller)
  float* y;
  size_t n;
  size_t stride;
};
typedef void (*DepthwiseRowKernel)(const DepthwiseRow& a);

// fp32 and bf16 inputs, or nullptr where the file was built for another architecture.
// Callers check the CPU first (AVX-512F and BW; ASIMD).
DepthwiseRowKernel depthwise_row_avx512();
DepthwiseRowKernel depthwise_row_bf16_avx512();
DepthwiseRowKernel depthwise_row_neon();
DepthwiseRowKernel depthwise_row_bf16_neon();

}  // namespace conv
}  // namespace armbench

#endif
