// LayerNormalization (with the residual add of onnxruntime's SkipLayerNormalization
// folded in) and the reductions (ReduceMean, ReduceSum, ReduceMax, ReduceMin): the
// scalar references, which are also the tests' oracle, and the C ABI. LayerNorm runs on
// every BERT layer's 128 x 768 activations twice, so the ABI runs the best set
// (ops_internal.h); the reductions are rare and stay scalar.
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

namespace {

// y[o][j] = finish(acc) with acc = x[o][0][j] stepped over x[o][1..n)[j] in Acc:
// columns a chunk at a time, reading x row by row (contiguously).
template <typename Acc, typename Step, typename Finish>
void reduce_columns(size_t outer, size_t n, size_t inner, const float* x, float* y, Step step, Finish finish) {
  constexpr size_t kChunk = 256;
  Acc acc[kChunk];
  for (size_t o = 0; o < outer; ++o) {
    const float* xo = x + o * n * inner;
    for (size_t j0 = 0; j0 < inner; j0 += kChunk) {
      const size_t w = inner - j0 < kChunk ? inner - j0 : kChunk;
      for (size_t j = 0; j < w; ++j) acc[j] = xo[j0 + j];
      for (size_t i = 1; i < n; ++i)
        for (size_t j = 0; j < w; ++j) acc[j] = step(acc[j], xo[i * inner + j0 + j]);
      for (size_t j = 0; j < w; ++j) y[o * inner + j0 + j] = finish(acc[j]);
    }
  }
}

}  // namespace

extern "C" int armbench_reduce(armbench_reduce_fn fn, size_t outer, size_t n, size_t inner, const float* x, float* y) {
  size_t elems;
  if (x == nullptr || y == nullptr || outer == 0 || n == 0 || inner == 0 ||
      static_cast<unsigned>(fn) >= ARMBENCH_REDUCE_FN_COUNT || !armbench::ops::volume(&elems, outer, n, inner, 1))
    return -EINVAL;
  const auto add = [](double a, float v) { return a + v; };
  const double count = static_cast<double>(n);
  // Max and min keep a NaN once met (a != a), as the broadcast Max and Min do.
  switch (fn) {
    case ARMBENCH_REDUCE_MEAN:
      reduce_columns<double>(outer, n, inner, x, y, add, [=](double a) { return static_cast<float>(a / count); });
      break;
    case ARMBENCH_REDUCE_SUM:
      reduce_columns<double>(outer, n, inner, x, y, add, [](double a) { return static_cast<float>(a); });
      break;
    case ARMBENCH_REDUCE_MAX:
      reduce_columns<float>(outer, n, inner, x, y, [](float a, float v) { return a > v || a != a ? a : v; },
                            [](float a) { return a; });
      break;
    case ARMBENCH_REDUCE_MIN:
      reduce_columns<float>(outer, n, inner, x, y, [](float a, float v) { return a < v || a != a ? a : v; },
                            [](float a) { return a; });
      break;
    default: return -EINVAL;
  }
  return 0;
}
