// LayerNormalization (with the residual add of onnxruntime's SkipLayerNormalization
// folded in) and ReduceMean: the scalar references, which are also the tests' oracle,
// and the C ABI. LayerNorm runs on every BERT layer's 128 x 768 activations twice, so
// the ABI runs the best set (ops_internal.h); ReduceMean is rare and stays scalar.
//
// The reference per row: s = x + residual in float (the sum the graph would hold), its
// mean and population variance in double from two passes (no cancellation of E[s^2] -
// E[s]^2), then each y = (s - mean) * (1 / sqrt(var + eps)) * scale + bias rounded once.
#include <errno.h>
#include <math.h>
#include <stddef.h>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace armbench {
namespace ops {

void layernorm_ref(size_t rows, size_t cols, const float* x, const float* residual, const float* scale,
                   const float* bias, float epsilon, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    const float* rr = residual != nullptr ? residual + r * cols : nullptr;
    float* yr = y + r * cols;
    double sum = 0.0;
    for (size_t i = 0; i < cols; ++i) sum += rr != nullptr ? xr[i] + rr[i] : xr[i];
    const double mean = sum / static_cast<double>(cols);
    double sq = 0.0;
    for (size_t i = 0; i < cols; ++i) {
      const double d = (rr != nullptr ? xr[i] + rr[i] : xr[i]) - mean;
      sq += d * d;
    }
    const double inv = 1.0 / sqrt(sq / static_cast<double>(cols) + static_cast<double>(epsilon));
    // y may be x or the residual: both are read before y[i] is written.
    for (size_t i = 0; i < cols; ++i) {
      const double d = (rr != nullptr ? xr[i] + rr[i] : xr[i]) - mean;
      yr[i] = static_cast<float>(d * inv * scale[i] + (bias != nullptr ? bias[i] : 0.0f));
    }
  }
}

}  // namespace ops
}  // namespace armbench

extern "C" int armbench_layernorm(size_t rows, size_t cols, const float* x, const float* residual, const float* scale,
                                  const float* bias, float epsilon, float* y) {
  size_t elems;
  if (x == nullptr || y == nullptr || scale == nullptr || rows == 0 || cols == 0 || !(epsilon >= 0.0f) ||
      !armbench::ops::volume(&elems, rows, cols, 1, 1))
    return -EINVAL;
  armbench::ops::ops_best_kernels()->layernorm(rows, cols, x, residual, scale, bias, epsilon, y);
  return 0;
}

extern "C" int armbench_reducemean(size_t outer, size_t n, size_t inner, const float* x, float* y) {
  size_t elems;
  if (x == nullptr || y == nullptr || outer == 0 || n == 0 || inner == 0 ||
      !armbench::ops::volume(&elems, outer, n, inner, 1))
    return -EINVAL;
  // Columns a chunk at a time, in double, reading x row by row (contiguously).
  constexpr size_t kChunk = 256;
  double acc[kChunk];
  for (size_t o = 0; o < outer; ++o) {
    const float* xo = x + o * n * inner;
    for (size_t j0 = 0; j0 < inner; j0 += kChunk) {
      const size_t w = inner - j0 < kChunk ? inner - j0 : kChunk;
      for (size_t j = 0; j < w; ++j) acc[j] = 0.0;
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < w; ++j) acc[j] += xo[i * inner + j0 + j];
      for (size_t j = 0; j < w; ++j) y[o * inner + j0 + j] = static_cast<float>(acc[j] / static_cast<double>(n));
    }
  }
  return 0;
}
