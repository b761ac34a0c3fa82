// The transformer ops' elementwise math (erf, tanh, sqrt, GELU in both forms, exp and
// log): the scalar references, which are also the tests' oracle, and the C ABI, which
// runs the best set (ops_internal.h; exp and log have no set but the scalar one). The references work in double and round once, in forms
// that keep the tails' digits: GELU through erfc (1 + erf(z) would lose them all for
// z below -3 or so) and the tanh form as x / (1 + exp(-2u)), the same value. At -Inf
// both GELUs give NaN, as ONNX's formula does (-Inf * 0; hardswish's rule too).
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

namespace {

// x to the nearest binary16 value, ties to even, in integer arithmetic: no compiler
// half type serves every target (GCC 12 has _Float16 in C++ on x86 but not on
// aarch64, __fp16 only on Arm), and the round trip must give the same bits on both.
float round_f16(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  const uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return x;  // NaN stays NaN
  const float sign = (u >> 31) != 0 ? -1.0f : 1.0f;
  if (a >= 0x47800000u) return sign * INFINITY;  // 65536 and past: beyond half an ulp of 65504
  if (a < 0x33000000u) return sign * 0.0f;       // below 2^-25, or exactly it (a tie to the even 0)
  const int e = static_cast<int>(a >> 23) - 127;
  const uint32_t m = (a & 0x7fffffu) | 0x800000u;  // 24 significant bits
  // Keep 11 bits of a normal half, fewer of a subnormal one (whose unit is 2^-24).
  const int drop = e >= -14 ? 13 : 13 + (-14 - e);
  uint32_t kept = m >> drop;
  const uint32_t rest = m & ((1u << drop) - 1), half = 1u << (drop - 1);
  if (rest > half || (rest == half && (kept & 1u) != 0)) ++kept;
  // kept carried to 2048 is the next binade's 1024, exact through ldexpf; past 65504 that is infinity.
  const float r = ldexpf(static_cast<float>(kept), e >= -14 ? e - 10 : -24);
  return sign * (r > 65504.0f ? INFINITY : r);
}

}  // namespace

extern "C" void armbench_round_f16(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = round_f16(x[i]);
}

extern "C" void armbench_round_bf16(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = armbench_bf16_to_f32(armbench_f32_to_bf16(x[i], ARMBENCH_BF16_RNE));
}

extern "C" void armbench_log(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = static_cast<float>(log(static_cast<double>(x[i])));
}

// nearbyintf in the default rounding mode: ties to even, as ONNX Round.
extern "C" void armbench_round_even(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  for (size_t i = 0; i < count; ++i) y[i] = nearbyintf(x[i]);
}
