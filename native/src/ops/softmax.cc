// Softmax and LogSoftmax: the scalar reference over rows (also the tests' oracle), the
// strided form over a middle axis, and the C ABI. Rows of the last axis, the form
// attention runs (12 x 128 rows of 128 per BERT layer), go to the best set; a middle
// axis (inner > 1) is rare and runs the strided reference.
//
// Per row (or column): m = max, s = sum exp(x - m), y = exp(x - m) / s or (x - m) -
// log s, in double, where x - m is exact, so each result is rounded once. A NaN or
// +Inf in a row, or a row of only -Inf, gives NaN for the whole row (as onnxruntime):
// x - m is then NaN for some element, and so is s.
#include <errno.h>
#include <math.h>
#include <stddef.h>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace armbench {
namespace ops {

namespace {

// One row or column of n values, stride apart.
void softmax_line(size_t n, size_t stride, const float* x, float* y, int log_softmax) {
  double m = -INFINITY;
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i * stride];
    if (v > m || v != v) m = v;
    if (m != m) break;
  }
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += exp(static_cast<double>(x[i * stride]) - m);
  // y may be x: each x is read before its y is written.
  if (log_softmax) {
    const double ls = log(s);
    for (size_t i = 0; i < n; ++i) y[i * stride] = static_cast<float>((static_cast<double>(x[i * stride]) - m) - ls);
  } else {
    for (size_t i = 0; i < n; ++i) y[i * stride] = static_cast<float>(exp(static_cast<double>(x[i * stride]) - m) / s);
  }
}

}  // namespace

void softmax_ref(size_t rows, size_t cols, const float* x, float* y, int log_softmax) {
  for (size_t r = 0; r < rows; ++r) softmax_line(cols, 1, x + r * cols, y + r * cols, log_softmax);
}

}  // namespace ops
}  // namespace armbench

extern "C" int armbench_softmax_axis(size_t outer, size_t n, size_t inner, const float* x, float* y, int log_softmax) {
  size_t elems;
  if (x == nullptr || y == nullptr || outer == 0 || n == 0 || inner == 0 ||
      !armbench::ops::volume(&elems, outer, n, inner, 1))
    return -EINVAL;
  if (inner == 1) {
    armbench::ops::ops_best_kernels()->softmax(outer, n, x, y, log_softmax);
    return 0;
  }
  for (size_t o = 0; o < outer; ++o)
    for (size_t j = 0; j < inner; ++j)
      armbench::ops::softmax_line(n, inner, x + o * n * inner + j, y + o * n * inner + j, log_softmax);
  return 0;
}

extern "C" int armbench_softmax(size_t rows, size_t cols, const float* x, float* y) {
  return armbench_softmax_axis(rows, cols, 1, x, y, 0);
}
