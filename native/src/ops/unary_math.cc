// The transformer ops' elementwise math (erf, tanh, sqrt, GELU in both forms, exp and
// log): the scalar references, which are also the tests' oracle, and the C ABI, which
// runs the best set (ops_internal.h; exp and log have no set but the scalar one). The references work in double and round once, in forms
// that keep the tails' digits: GELU through erfc (1 + erf(z) would lose them all for
// z below -3 or so) and the tanh form as x / (1 + exp(-2u)), the same value. At -Inf
// both GELUs give NaN, as ONNX's formula does (-Inf * 0; hardswish's rule too).
#include <math.h>
#include <stddef.h>

#include "armbench/bf16.h"
#include "armbench/ops.h"
#include "ops_internal.h"

namespace armbench {
namespace ops {

namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kSqrt2OverPi = 0.79788456080286535588;

}  // namespace

void erf_ref(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(erf(static_cast<double>(x[i])));
}

void tanh_ref(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(tanh(static_cast<double>(x[i])));
}

void sqrt_ref(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = sqrtf(x[i]);
}

void gelu_ref(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i];
    y[i] = static_cast<float>(0.5 * v * erfc(-v * kInvSqrt2));
  }
}

void gelu_tanh_ref(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const double v = x[i];
    const double u = kSqrt2OverPi * (v + 0.044715 * v * v * v);
    y[i] = static_cast<float>(v / (1.0 + exp(-2.0 * u)));
  }
}

}  // namespace ops
}  // namespace armbench

using armbench::ops::ops_best_kernels;

extern "C" void armbench_erf(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->erf(x, y, count);
}

extern "C" void armbench_tanh(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->tanh(x, y, count);
}

extern "C" void armbench_sqrt(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->sqrt(x, y, count);
}

extern "C" void armbench_gelu(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->gelu(x, y, count);
}

extern "C" void armbench_gelu_tanh(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->gelu_tanh(x, y, count);
}

// Rare in the graphs, so one scalar path: one rounding from the double result, and no
// vector approximation to hold to a bound.
extern "C" void armbench_exp(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = static_cast<float>(exp(static_cast<double>(x[i])));
}

// The compiler's _Float16 conversion is IEEE's (ties to even, overflow to infinity),
// F16C or FCVT where the target has them and libgcc's otherwise.
extern "C" void armbench_round_f16(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = static_cast<float>(static_cast<_Float16>(x[i]));
}

extern "C" void armbench_round_bf16(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = armbench_bf16_to_f32(armbench_f32_to_bf16(x[i], ARMBENCH_BF16_RNE));
}

extern "C" void armbench_log(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = static_cast<float>(log(static_cast<double>(x[i])));
}
