// The transformer ops (armbench/ops.h): each kernel against a double-precision
// reference written here from the ONNX definitions, on odd sizes and BERT's shapes.
// erf, tanh, GELU (both forms) and sqrt per kernel set against their stated bounds
// over dense sweeps, specials and tails, in place; softmax and LogSoftmax rows per set
// and over a middle axis; LayerNorm per set with and without residual and bias, in
// place over x and over the residual; the reductions (mean, sum, max, min; NaN kept by
// max and min); broadcasting of every fn over the patterns transformer graphs use (a
// mask [1,1,1,128] over [1,12,128,128], a bias [768] over [128,768], a scalar, both
// sides repeated, ranks apart) bit for bit; the comparisons over fp32 and int32
// operands exactly (integers past 2^24, NaN, signed zeros); Where over each operand
// broadcast; exp and log against their double results rounded once;
// transposes of every permutation of ranks 1 to 4; gather with negative indices, on an
// inner axis and with out-of-range indices refused (-EINVAL, the position named,
// nothing written); the int32 -> fp32 cast. Every range-taking kernel split in pieces
// gives the bits of one call.
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "../src/ops/ops_internal.h"
#include "armbench/cpu_features.h"
#include "armbench/ops.h"
#include "check.h"
#include "test_data.h"

// aarch64-linux-gnu-g++ 12 crashes (internal compiler error in
// vect_transform_reduction) vectorizing this file's reduction loops, as test_ops.cc's;
// nothing here needs to be fast.
#if defined(__aarch64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-vectorize")
#endif

using armbench::ops::EltwiseKernels;

namespace {

using test_data::random_floats;
using test_data::splitmix;

bool same(float a, float b) { return (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0; }

bool same_all(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

// Distance from the exact value in units of the float spacing there (2^-149 among
// subnormals); NaN against NaN is 0, NaN against a number is huge.
double ulps(float got, double want) {
  if (want != want) return got != got ? 0.0 : 1e30;
  if (got != got) return 1e30;
  if (isinf(want)) return static_cast<double>(got) == want ? 0.0 : 1e30;
  const int e = want == 0.0 ? -126 : ilogb(want) < -126 ? -126 : ilogb(want);
  return fabs(static_cast<double>(got) - want) / ldexp(1.0, e - 23);
}

// The float spacing at v (2^-149 among subnormals).
double ulp_of(double v) {
  const int e = v == 0.0 || ilogb(v) < -126 ? -126 : ilogb(v);
  return ldexp(1.0, e - 23);
}

std::vector<const EltwiseKernels*> usable_sets() {
  size_t n;
  const EltwiseKernels* const* sets = armbench::ops::ops_kernel_sets(&n);
  std::vector<const EltwiseKernels*> out;
  for (size_t i = 0; i < n; ++i) {
    if (armbench::ops::ops_kernels_usable(sets[i])) {
      out.push_back(sets[i]);
    } else {
      printf("set %s: skipped (needs %s)\n", sets[i]->isa, armbench_feature_name(sets[i]->needs[0]));
    }
  }
  return out;
}

bool is_scalar(const EltwiseKernels* k) { return k == &armbench::ops::kOpsScalar; }

// ---- erf, tanh, sqrt, GELU ----

double erf_ref(float x) { return erf(static_cast<double>(x)); }
double tanh_ref(float x) { return tanh(static_cast<double>(x)); }
double gelu_ref(float x) { return 0.5 * x * erfc(-static_cast<double>(x) / sqrt(2.0)); }
double gelu_tanh_ref(float x) {
  const double v = x, u = sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v);
  return v / (1.0 + exp(-2.0 * u));
}

// A dense sweep of [-lo, lo], powers of two down to the subnormals both signs, and
// specials.
std::vector<float> sweep(float lo, size_t steps) {
  std::vector<float> x;
  for (size_t i = 0; i <= steps; ++i) x.push_back(-lo + 2.0f * lo * static_cast<float>(i) / static_cast<float>(steps));
  for (int e = -149; e <= 6; ++e) x.push_back(ldexpf(1.0f, e)), x.push_back(-ldexpf(1.0f, e));
  for (float s : {0.0f, -0.0f, 1e-30f, -1e-30f, FLT_MIN, -FLT_MIN, 0.5f, -0.5f, 0.84375f, -0.84375f, 0.921875f, 3.9f,
                  -3.9f, 4.0f, -4.0f, 9.0f, -9.0f, 20.0f, -20.0f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX})
    x.push_back(s);
  return x;
}

struct UnaryCase {
  const char* name;
  void (*EltwiseKernels::*fn)(const float*, float*, size_t);
  double (*ref)(float);
  double max_ulps;     // vector sets
  double abs_per_x;    // plus this times |x| (GELU's 1 + erf rounding)
};

void test_unary_bounds() {
  const UnaryCase cases[] = {
      {"erf", &EltwiseKernels::erf, erf_ref, armbench::ops::kErfMaxUlps, 0.0},
      {"tanh", &EltwiseKernels::tanh, tanh_ref, armbench::ops::kTanhMaxUlps, 0.0},
      {"gelu", &EltwiseKernels::gelu, gelu_ref, armbench::ops::kGeluMaxUlps, armbench::ops::kGeluAbsPerX},
      {"gelu-tanh", &EltwiseKernels::gelu_tanh, gelu_tanh_ref, armbench::ops::kGeluMaxUlps, armbench::ops::kGeluAbsPerX},
  };
  const std::vector<float> x = sweep(12.0f, emulated() ? 60000 : 600000);
  std::vector<float> y(x.size());
  for (const EltwiseKernels* k : usable_sets()) {
    for (const UnaryCase& c : cases) {
      (k->*c.fn)(x.data(), y.data(), x.size());
      // The scalar references round a double once: within 1 ulp. The vector sets:
      // max_ulps, and for GELU max_ulps of the result plus abs_per_x |x|.
      const double max_ulps = is_scalar(k) ? 1.0 : c.max_ulps, per_x = is_scalar(k) ? 0.0 : c.abs_per_x;
      double worst = 0, worst_abs = 0;
      float at = 0;
      size_t beyond = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const double want = c.ref(x[i]);
        const double e = ulps(y[i], want);
        if (e > worst) worst = e, at = x[i];
        if (fabsf(x[i]) >= 1e-6f && !isinf(x[i]) && want == want)  // tiny x: the ulp measure says it
          worst_abs = fmax(worst_abs, fabs(static_cast<double>(y[i]) - want) / fabs(static_cast<double>(x[i])));
        if (e <= max_ulps) continue;
        const double allowed = max_ulps * ulp_of(want) + per_x * fabs(static_cast<double>(x[i]));
        if (!(fabs(static_cast<double>(y[i]) - want) <= allowed) && beyond++ < 5)
          fprintf(stderr, "    %s %s(%.9g) = %.9g, want %.9g\n", k->isa, c.name, x[i], y[i], want);
      }
      printf("%s %s: max error %.2f ulp (at x = %g), max |error| / |x| %.3g; bound %.1f ulp + %g |x|\n", c.name,
             k->isa, worst, at, worst_abs, max_ulps, per_x);
      CHECK_MSG(beyond == 0, "%s %s: %zu values beyond the bound", c.name, k->isa, beyond);
      // Special values.
      const float sp[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f};
      float o[5];
      (k->*c.fn)(sp, o, 5);
      CHECK_MSG(o[0] != o[0], "%s %s(NaN) = %g", c.name, k->isa, o[0]);
      if (strcmp(c.name, "erf") == 0 || strcmp(c.name, "tanh") == 0) {
        CHECK_MSG(o[1] == 1.0f && o[2] == -1.0f && o[3] == 0.0f && o[4] == 0.0f && signbit(o[4]),
                  "%s %s at +-Inf, +-0: %g %g %g %g", c.name, k->isa, o[1], o[2], o[3], o[4]);
      } else {
        // GELU: +Inf at +Inf, NaN at -Inf (-Inf * 0, as ONNX's formula), 0 at 0.
        CHECK_MSG(o[1] == INFINITY && o[2] != o[2] && o[3] == 0.0f && o[4] == 0.0f, "%s %s at +-Inf, +-0: %g %g %g %g",
                  c.name, k->isa, o[1], o[2], o[3], o[4]);
      }
    }
    // sqrt: IEEE, so the bits of sqrtf.
    size_t bad = 0;
    std::vector<float> sx = random_floats(1031, 0.0f, 1000.0f, 7);
    sx[3] = -1.0f, sx[5] = INFINITY, sx[7] = -0.0f, sx[9] = NAN, sx[11] = 1e-40f;
    std::vector<float> sy(sx.size());
    k->sqrt(sx.data(), sy.data(), sx.size());
    for (size_t i = 0; i < sx.size(); ++i) bad += !same(sy[i], sqrtf(sx[i]));
    CHECK_MSG(bad == 0, "sqrt %s: %zu values differ from sqrtf", k->isa, bad);
  }
}

// Tails and alignment: every size 0..70 at offsets 0 and 1, in place equal to out of
// place, nothing written past the end.
void test_unary_tails() {
  const std::vector<float> src = random_floats(80, -6.0f, 6.0f, 11);
  for (const EltwiseKernels* k : usable_sets()) {
    size_t bad = 0;
    for (auto fn : {&EltwiseKernels::erf, &EltwiseKernels::tanh, &EltwiseKernels::sqrt, &EltwiseKernels::gelu,
                    &EltwiseKernels::gelu_tanh}) {
      for (size_t n = 0; n <= 70; ++n) {
        for (size_t off = 0; off < 2; ++off) {
          std::vector<float> out(n + 4, 42.0f), in(src.begin(), src.begin() + n + off);
          (k->*fn)(src.data() + off, out.data() + off, n);
          (k->*fn)(in.data() + off, in.data() + off, n);
          for (size_t i = 0; i < n; ++i) bad += !same(out[off + i], in[off + i]);
          bad += out[off + n] != 42.0f || (off == 1 && out[0] != 42.0f);
        }
      }
    }
    CHECK_MSG(bad == 0, "set %s: %zu tail or in-place mismatches", k->isa, bad);
  }
  // The C ABI runs the best set.
  const float x[3] = {-1.0f, 0.5f, 2.0f};
  float y[3];
  armbench_gelu(x, y, 3);
  CHECK(fabs(y[2] - gelu_ref(2.0f)) < 1e-6 && fabs(y[0] - gelu_ref(-1.0f)) < 1e-6);
  armbench_erf(x, y, 3);
  CHECK(fabs(y[1] - erf(0.5)) < 1e-7);
}

// ---- softmax ----

// Softmax or LogSoftmax of one line in double.
void softmax_line_ref(const float* x, size_t n, size_t stride, bool log_sm, double* out) {
  double m = -INFINITY, s = 0;
  for (size_t i = 0; i < n; ++i) m = fmax(m, x[i * stride]);
  for (size_t i = 0; i < n; ++i) s += exp(x[i * stride] - m);
  for (size_t i = 0; i < n; ++i) out[i] = log_sm ? (x[i * stride] - m) - log(s) : exp(x[i * stride] - m) / s;
}

void test_softmax_rows() {
  for (const EltwiseKernels* k : usable_sets()) {
    for (int log_sm = 0; log_sm < 2; ++log_sm) {
      double worst = 0;
      size_t bad = 0;
      for (size_t cols : {1, 3, 16, 17, 128, 1000, 1003, 3072}) {
        const size_t rows = 5;
        std::vector<float> x = random_floats(rows * cols, -20, 20, cols + log_sm);
        x[0] = 80.0f;  // exp would overflow without the max subtracted
        std::vector<float> y(x.size()), w = x;
        k->softmax(rows, cols, x.data(), y.data(), log_sm);
        k->softmax(rows, cols, w.data(), w.data(), log_sm);
        bad += !same_all(w, y);
        std::vector<double> ref(cols);
        for (size_t r = 0; r < rows; ++r) {
          softmax_line_ref(&x[r * cols], cols, 1, log_sm, ref.data());
          double sum = 0;
          for (size_t i = 0; i < cols; ++i) {
            const float g = y[r * cols + i];
            // Probabilities relative to themselves (down to 1e-30: a smaller one is
            // a few ulp of the row's sum, however it rounds); logs relative to max(|y|, 1).
            const double err = log_sm ? fabs(g - ref[i]) / fmax(fabs(ref[i]), 1.0)
                                      : fabs(g - ref[i]) / fmax(ref[i], 1e-30);
            worst = fmax(worst, err);
            sum += g;
          }
          if (!log_sm && fabs(sum - 1.0) > 1e-5) ++bad;
        }
      }
      const double bound = is_scalar(k) ? 1e-7 : armbench::ops::kRowOpsMaxRelErr;
      printf("%s %s: max relative error %.3g (bound %.3g)\n", log_sm ? "logsoftmax" : "softmax", k->isa, worst, bound);
      CHECK_MSG(worst <= bound && bad == 0, "%s %s: error %.3g, %zu bad rows", log_sm ? "logsoftmax" : "softmax", k->isa,
                worst, bad);
    }
    // NaN and Inf rules, both forms.
    for (int log_sm = 0; log_sm < 2; ++log_sm) {
      const float x[] = {1, NAN, 2, 1, INFINITY, 2, -INFINITY, -INFINITY, -INFINITY, 0, -INFINITY, 0};
      float y[12];
      k->softmax(4, 3, x, y, log_sm);
      CHECK(y[0] != y[0] && y[1] != y[1] && y[2] != y[2]);  // NaN in a row: the row is NaN
      CHECK(y[3] != y[3] && y[5] != y[5]);                  // +Inf: NaN, as onnxruntime
      CHECK(y[6] != y[6]);                                  // only -Inf: NaN
      if (log_sm) {
        CHECK(fabs(y[9] + logf(2.0f)) < 1e-6 && y[10] == -INFINITY && fabs(y[11] + logf(2.0f)) < 1e-6);
      } else {
        CHECK(y[9] == 0.5f && y[10] == 0.0f && y[11] == 0.5f);
      }
    }
  }
}

void test_softmax_axis() {
  const size_t outer = 3, n = 7, inner = 5;
  const std::vector<float> x = random_floats(outer * n * inner, -10, 10, 5);
  for (int log_sm = 0; log_sm < 2; ++log_sm) {
    std::vector<float> y(x.size());
    CHECK(armbench_softmax_axis(outer, n, inner, x.data(), y.data(), log_sm) == 0);
    std::vector<double> ref(n);
    double worst = 0;
    for (size_t o = 0; o < outer; ++o) {
      for (size_t j = 0; j < inner; ++j) {
        softmax_line_ref(&x[o * n * inner + j], n, inner, log_sm, ref.data());
        for (size_t i = 0; i < n; ++i) worst = fmax(worst, ulps(y[(o * n + i) * inner + j], ref[i]));
      }
    }
    CHECK_MSG(worst <= 1.0, "softmax over a middle axis (log %d): %.2f ulp", log_sm, worst);
    std::vector<float> w = x;
    CHECK(armbench_softmax_axis(outer, n, inner, w.data(), w.data(), log_sm) == 0 && same_all(w, y));
  }
  // inner 1 is armbench_softmax.
  std::vector<float> a(21), b(21);
  CHECK(armbench_softmax_axis(3, 7, 1, x.data(), a.data(), 0) == 0 && armbench_softmax(3, 7, x.data(), b.data()) == 0);
  CHECK(same_all(a, b));
  CHECK(armbench_softmax_axis(0, 7, 1, x.data(), a.data(), 0) == -EINVAL);
  CHECK(armbench_softmax_axis(1, 7, 0, x.data(), a.data(), 0) == -EINVAL);
  CHECK(armbench_softmax_axis(1, 7, 1, nullptr, a.data(), 0) == -EINVAL);
}

// ---- LayerNorm, ReduceMean ----

// x + residual is the float sum the graph would hold (Add, then LayerNormalization).
void layernorm_row_ref(const float* x, const float* r, const float* scale, const float* bias, size_t cols, float eps,
                       double* out) {
  std::vector<double> s(cols);
  double mean = 0, var = 0;
  for (size_t i = 0; i < cols; ++i) s[i] = r ? x[i] + r[i] : x[i], mean += s[i];
  mean /= cols;
  for (size_t i = 0; i < cols; ++i) var += (s[i] - mean) * (s[i] - mean);
  var /= cols;
  for (size_t i = 0; i < cols; ++i) out[i] = (s[i] - mean) / sqrt(var + eps) * scale[i] + (bias ? bias[i] : 0.0);
}

void test_layernorm() {
  for (const EltwiseKernels* k : usable_sets()) {
    double worst = 0;
    size_t bad = 0;
    for (size_t cols : {1, 2, 3, 15, 17, 64, 768, 1001}) {
      const size_t rows = 4;
      // An offset mean, as residual streams have: the variance must not cancel.
      std::vector<float> x = random_floats(rows * cols, 2.0f, 6.0f, cols), r = random_floats(rows * cols, -1, 1, cols + 1);
      const std::vector<float> scale = random_floats(cols, 0.5f, 1.5f, cols + 2), bias = random_floats(cols, -1, 1, cols + 3);
      for (int variant = 0; variant < 4; ++variant) {
        const float* rp = variant & 1 ? r.data() : nullptr;
        const float* bp = variant & 2 ? bias.data() : nullptr;
        std::vector<float> y(x.size());
        k->layernorm(rows, cols, x.data(), rp, scale.data(), bp, 1e-5f, y.data());
        std::vector<double> ref(cols);
        for (size_t row = 0; row < rows; ++row) {
          layernorm_row_ref(&x[row * cols], rp ? rp + row * cols : nullptr, scale.data(), bp, cols, 1e-5f, ref.data());
          for (size_t i = 0; i < cols; ++i) worst = fmax(worst, fabs(y[row * cols + i] - ref[i]) / fmax(fabs(ref[i]), 1.0));
        }
        // In place over x, and over the residual.
        std::vector<float> w = x;
        k->layernorm(rows, cols, w.data(), rp, scale.data(), bp, 1e-5f, w.data());
        bad += !same_all(w, y);
        if (rp) {
          std::vector<float> rr = r;
          k->layernorm(rows, cols, x.data(), rr.data(), scale.data(), bp, 1e-5f, rr.data());
          bad += !same_all(rr, y);
        }
      }
    }
    const double bound = is_scalar(k) ? 1e-7 : armbench::ops::kRowOpsMaxRelErr;
    printf("layernorm %s: max error %.3g relative to max(|y|, 1) (bound %.3g)\n", k->isa, worst, bound);
    CHECK_MSG(worst <= bound && bad == 0, "layernorm %s: error %.3g, %zu in-place mismatches", k->isa, worst, bad);
  }
  const float x[4] = {1, 2, 3, 4}, s[2] = {1, 1};
  float y[4];
  CHECK(armbench_layernorm(2, 2, x, nullptr, s, nullptr, 0.0f, y) == 0);
  CHECK(y[0] == -1.0f && y[1] == 1.0f && y[2] == -1.0f && y[3] == 1.0f);
  CHECK(armbench_layernorm(2, 2, x, nullptr, nullptr, nullptr, 0.0f, y) == -EINVAL);
  CHECK(armbench_layernorm(2, 2, x, nullptr, s, nullptr, -1.0f, y) == -EINVAL);
  CHECK(armbench_layernorm(0, 2, x, nullptr, s, nullptr, 0.0f, y) == -EINVAL);
}

// ---- reductions ----

void test_reduce() {
  const char* names[ARMBENCH_REDUCE_FN_COUNT] = {"mean", "sum", "max", "min"};
  for (int f = 0; f < ARMBENCH_REDUCE_FN_COUNT; ++f) {
    const armbench_reduce_fn fn = static_cast<armbench_reduce_fn>(f);
    for (size_t inner : {1, 3, 300}) {
      const size_t outer = 3, n = 11;
      const std::vector<float> x = random_floats(outer * n * inner, -5, 5, inner + 7 * f);
      std::vector<float> y(outer * inner, NAN);
      CHECK(armbench_reduce(fn, outer, n, inner, x.data(), y.data()) == 0);
      double worst = 0;
      for (size_t o = 0; o < outer; ++o) {
        for (size_t j = 0; j < inner; ++j) {
          double s = 0, hi = -INFINITY, lo = INFINITY;
          for (size_t i = 0; i < n; ++i) {
            const double v = x[(o * n + i) * inner + j];
            s += v, hi = fmax(hi, v), lo = fmin(lo, v);
          }
          const double want = fn == ARMBENCH_REDUCE_MEAN ? s / n : fn == ARMBENCH_REDUCE_SUM ? s
                              : fn == ARMBENCH_REDUCE_MAX ? hi : lo;
          worst = fmax(worst, ulps(y[o * inner + j], want));
        }
      }
      // Max and min are exact; mean and sum one rounding of the double sum.
      const double bound = fn == ARMBENCH_REDUCE_MAX || fn == ARMBENCH_REDUCE_MIN ? 0.0 : 0.5;
      CHECK_MSG(worst <= bound, "reduce %s inner %zu: %.2f ulp", names[f], inner, worst);
    }
  }
  // A NaN anywhere in a column is the column's max and min (first, middle, last row);
  // the other columns are untouched by it. Mean and sum carry it by IEEE arithmetic.
  for (size_t at : {0, 2, 4}) {
    std::vector<float> x = {1, -2, 3, 4, -5, 6, 7, 8, -9, 10};  // 5 x 2, reduced over the 5
    x[at * 2] = NAN;
    for (int f = 0; f < ARMBENCH_REDUCE_FN_COUNT; ++f) {
      float y[2] = {0, 0};
      CHECK(armbench_reduce(static_cast<armbench_reduce_fn>(f), 1, 5, 2, x.data(), y) == 0);
      CHECK_MSG(y[0] != y[0], "reduce %s: NaN in row %zu gives %g", names[f], at, y[0]);
      const float want[4] = {26.0f / 5, 26, 10, -2};
      CHECK_MSG(y[1] == want[f], "reduce %s: column 1 %g, expected %g", names[f], y[1], want[f]);
    }
  }
  // Infinities: max of -inf and finite values, min of +inf ones.
  const float inf[4] = {-INFINITY, -3, INFINITY, 2};
  float y[2];
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MAX, 1, 2, 2, inf, y) == 0 && y[0] == INFINITY && y[1] == 2);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MIN, 1, 2, 2, inf, y) == 0 && y[0] == -INFINITY && y[1] == -3);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_SUM, 1, 2, 2, inf, y) == 0 && y[0] != y[0] && y[1] == -1);
  // One row: the values themselves.
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MEAN, 1, 1, 2, inf, y) == 0 && y[0] == -INFINITY && y[1] == -3);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MEAN, 1, 0, 1, inf, y) == -EINVAL);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_SUM, 0, 1, 1, inf, y) == -EINVAL);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MAX, 1, 1, 1, nullptr, y) == -EINVAL);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MIN, 1, 1, 1, inf, nullptr) == -EINVAL);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_FN_COUNT, 1, 1, 1, inf, y) == -EINVAL);
  CHECK(armbench_reduce(static_cast<armbench_reduce_fn>(-1), 1, 1, 1, inf, y) == -EINVAL);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_SUM, SIZE_MAX / 2, 4, 1, inf, y) == -EINVAL);
}

// ---- broadcast ----

// The comparisons on values widened to long double, exact for every int32 and float.
template <typename A, typename B>
float compare_ref(armbench_binary_fn fn, A a, B b) {
  const long double x = a, y = b;
  switch (fn) {
    case ARMBENCH_BINARY_EQUAL: return x == y;
    case ARMBENCH_BINARY_NOT_EQUAL: return x != y;
    case ARMBENCH_BINARY_LESS: return x < y;
    case ARMBENCH_BINARY_LESS_EQUAL: return x <= y;
    case ARMBENCH_BINARY_GREATER: return x > y;
    case ARMBENCH_BINARY_GREATER_EQUAL: return x >= y;
    default: return NAN;
  }
}

float apply(armbench_binary_fn fn, float a, float b) {
  if (fn >= ARMBENCH_BINARY_EQUAL) return compare_ref(fn, a, b);
  switch (fn) {
    case ARMBENCH_BINARY_ADD: return a + b;
    case ARMBENCH_BINARY_SUB: return a - b;
    case ARMBENCH_BINARY_MUL: return a * b;
    case ARMBENCH_BINARY_DIV: return a / b;
    case ARMBENCH_BINARY_MAX: return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
    case ARMBENCH_BINARY_MIN: return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
    default: return powf(a, b);
  }
}

// y by index arithmetic: each y index mapped to each operand's (1-extent axes repeat),
// y[e] = f(those indices); *yd the broadcast dims (rank the largest).
template <typename F>
std::vector<float> broadcast_ref(const std::vector<std::vector<size_t>>& dims, F f, std::vector<size_t>* yd) {
  size_t n = 0;
  for (const auto& d : dims) n = std::max(n, d.size());
  std::vector<std::vector<size_t>> D;
  std::vector<size_t> Y(n, 1);
  for (const auto& d : dims) {
    D.emplace_back(n, 1);
    std::copy(d.begin(), d.end(), D.back().begin() + (n - d.size()));
    for (size_t i = 0; i < n; ++i) Y[i] = std::max(Y[i], D.back()[i]);
  }
  size_t total = 1;
  for (size_t v : Y) total *= v;
  std::vector<float> y(total);
  std::vector<size_t> idx(n), at(dims.size());
  for (size_t e = 0; e < total; ++e) {
    size_t rem = e;
    for (size_t i = n; i-- > 0;) idx[i] = rem % Y[i], rem /= Y[i];
    for (size_t k = 0; k < D.size(); ++k) {
      at[k] = 0;
      for (size_t i = 0; i < n; ++i) at[k] = at[k] * D[k][i] + (D[k][i] == 1 ? 0 : idx[i]);
    }
    y[e] = f(at.data());
  }
  *yd = Y;
  return y;
}

std::vector<float> broadcast_ref(armbench_binary_fn fn, const std::vector<size_t>& ad, const std::vector<float>& a,
                                 const std::vector<size_t>& bd, const std::vector<float>& b, std::vector<size_t>* yd) {
  return broadcast_ref({ad, bd}, [&](const size_t* at) { return apply(fn, a[at[0]], b[at[1]]); }, yd);
}

void test_broadcast() {
  struct Pattern {
    std::vector<size_t> a, b;
  };
  const Pattern patterns[] = {
      {{1, 12, 128, 128}, {1, 1, 1, 128}},  // attention mask over the scores
      {{128, 768}, {768}},                 // a bias over rows
      {{3, 5, 7}, {1}},                    // a scalar
      {{1}, {3, 5, 7}},                    // a scalar first
      {{3, 1, 5}, {1, 4, 1}},              // both repeated
      {{2, 3, 4, 5}, {5}},                 // ranks apart
      {{4, 1}, {1, 4}},
      {{2, 3, 4, 5}, {2, 3, 4, 5}},        // no broadcasting
      {{2, 1, 4, 1}, {3, 1, 6}},
      {{1}, {1}},
      {{7, 1, 1}, {1, 1}},
  };
  size_t bad = 0;
  for (const Pattern& p : patterns) {
    size_t ae = 1, be = 1;
    for (size_t d : p.a) ae *= d;
    for (size_t d : p.b) be *= d;
    std::vector<float> a = random_floats(ae, -3, 3, ae), b = random_floats(be, 0.5f, 2.0f, be + 1);
    a[0] = -0.0f;
    for (int f = 0; f < ARMBENCH_BINARY_FN_COUNT; ++f) {
      const armbench_binary_fn fn = static_cast<armbench_binary_fn>(f);
      std::vector<size_t> yd;
      const std::vector<float> want = broadcast_ref(fn, p.a, a, p.b, b, &yd);
      size_t gn = 0, gd[4] = {9, 9, 9, 9};
      CHECK(armbench_broadcast_dims(p.a.size(), p.a.data(), p.b.size(), p.b.data(), &gn, gd) == 0);
      bad += gn != yd.size() || !std::equal(yd.begin(), yd.end(), gd);
      std::vector<float> y(want.size(), NAN);
      CHECK(armbench_broadcast(fn, p.a.size(), p.a.data(), a.data(), p.b.size(), p.b.data(), b.data(), y.data(), 0,
                               SIZE_MAX) == 0);
      bad += !same_all(y, want);
      // In pieces of 13 (rows cut anywhere): the same bits.
      std::vector<float> z(want.size(), NAN);
      for (size_t s = 0; s < z.size(); s += 13)
        armbench_broadcast(fn, p.a.size(), p.a.data(), a.data(), p.b.size(), p.b.data(), b.data(), z.data(), s, s + 13);
      bad += !same_all(z, want);
      // In place over an operand with y's dims.
      if (ae == want.size()) {
        std::vector<float> w = a;
        armbench_broadcast(fn, p.a.size(), p.a.data(), w.data(), p.b.size(), p.b.data(), b.data(), w.data(), 0, SIZE_MAX);
        bad += !same_all(w, want);
      }
    }
  }
  CHECK_MSG(bad == 0, "broadcast: %zu mismatches", bad);
  // IEEE division by zero and powf's rules.
  const size_t one = 1;
  const float num[4] = {1, -1, 0, 2}, zero = 0.0f, half = 0.5f, neg[1] = {-4};
  size_t four = 4;
  float y[4];
  armbench_broadcast(ARMBENCH_BINARY_DIV, 1, &four, num, 1, &one, &zero, y, 0, SIZE_MAX);
  CHECK(y[0] == INFINITY && y[1] == -INFINITY && y[2] != y[2] && y[3] == INFINITY);
  armbench_broadcast(ARMBENCH_BINARY_POW, 1, &one, neg, 1, &one, &half, y, 0, SIZE_MAX);
  CHECK(y[0] != y[0]);
  // Max and Min keep a NaN from either side (ONNX's, not fmaxf's, rule).
  const float with_nan[4] = {1, NAN, -2, 3}, nan_b = NAN;
  armbench_broadcast(ARMBENCH_BINARY_MAX, 1, &four, with_nan, 1, &one, &zero, y, 0, SIZE_MAX);
  CHECK(y[0] == 1 && y[1] != y[1] && y[2] == 0 && y[3] == 3);
  armbench_broadcast(ARMBENCH_BINARY_MIN, 1, &four, with_nan, 1, &one, &nan_b, y, 0, SIZE_MAX);
  CHECK(y[0] != y[0] && y[1] != y[1] && y[2] != y[2] && y[3] != y[3]);
  // Dims that do not broadcast, bad ranks and zeros.
  const size_t d34[2] = {3, 4}, d5[1] = {5}, d0[1] = {0}, d14[5] = {1, 1, 1, 1, 4};
  size_t yn, yd[4];
  CHECK(armbench_broadcast_dims(2, d34, 1, d5, &yn, yd) == -EINVAL);
  CHECK(armbench_broadcast_dims(1, d0, 1, d5, &yn, yd) == -EINVAL);
  CHECK(armbench_broadcast_dims(5, d14, 1, d5, &yn, yd) == -EINVAL);
  CHECK(armbench_broadcast(ARMBENCH_BINARY_ADD, 2, d34, num, 1, d5, num, y, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_broadcast(ARMBENCH_BINARY_FN_COUNT, 1, d5, num, 1, d5, num, y, 0, SIZE_MAX) == -EINVAL);
}

// The comparisons over each pairing of fp32 and int32 operands, broadcast, on the
// values that tell an exact comparison from a rounded one (integers past 2^24, near
// 2^31), NaN and signed zeros; in pieces and in place over an operand (y's floats over
// its ints, as the engine allows).
template <typename A, typename B>
size_t comparisons_of(const std::vector<A>& pa, const std::vector<B>& pb) {
  const int ai = std::is_same<A, int32_t>::value, bi = std::is_same<B, int32_t>::value;
  struct Pattern {
    std::vector<size_t> a, b;
  };
  const Pattern patterns[] = {
      {{pa.size(), 1}, {pb.size()}},  // every pair
      {{2, 3, 4}, {2, 3, 4}},         // no broadcasting
      {{1}, {3, 5}},                  // a scalar
      {{3, 5}, {1}},
      {{3, 1, 5}, {1, 4, 1}},         // both repeated
      {{2, 1, 4, 1}, {3, 1, 6}},      // ranks apart
  };
  size_t bad = 0;
  for (const Pattern& p : patterns) {
    size_t ae = 1, be = 1;
    for (size_t d : p.a) ae *= d;
    for (size_t d : p.b) be *= d;
    std::vector<A> a(ae);
    std::vector<B> b(be);
    for (size_t i = 0; i < ae; ++i) a[i] = pa[i % pa.size()];
    for (size_t i = 0; i < be; ++i) b[i] = pb[(i + 3) % pb.size()];
    for (int f = ARMBENCH_BINARY_EQUAL; f <= ARMBENCH_BINARY_GREATER_EQUAL; ++f) {
      const armbench_binary_fn fn = static_cast<armbench_binary_fn>(f);
      std::vector<size_t> yd;
      const std::vector<float> want =
          broadcast_ref({p.a, p.b}, [&](const size_t* at) { return compare_ref(fn, a[at[0]], b[at[1]]); }, &yd);
      std::vector<float> y(want.size(), 7.0f), z(want.size(), 7.0f);
      bad += armbench_broadcast_typed(fn, p.a.size(), p.a.data(), a.data(), ai, p.b.size(), p.b.data(), b.data(), bi,
                                      y.data(), 0, SIZE_MAX) != 0;
      bad += !same_all(y, want);
      for (size_t at = 0; at < z.size(); at += 5)
        armbench_broadcast_typed(fn, p.a.size(), p.a.data(), a.data(), ai, p.b.size(), p.b.data(), b.data(), bi,
                                 z.data(), at, at + 5);
      bad += !same_all(z, want);
      if (ae == want.size()) {
        std::vector<float> w(ae);
        memcpy(w.data(), a.data(), ae * sizeof(float));
        armbench_broadcast_typed(fn, p.a.size(), p.a.data(), w.data(), ai, p.b.size(), p.b.data(), b.data(), bi,
                                 w.data(), 0, SIZE_MAX);
        bad += !same_all(w, want);
      }
    }
  }
  return bad;
}

void test_comparisons() {
  const std::vector<float> fv = {0.0f,        -0.0f,         NAN,   INFINITY, -INFINITY, 1.0f,  -1.0f,
                                 16777216.0f, 16777218.0f,   2147483648.0f, -2147483648.0f, 0.5f,  3.0f, -7.25f};
  const std::vector<int32_t> iv = {0,        -1,        1,         16777216,      16777217, -16777217,
                                   INT32_MAX, INT32_MIN, INT32_MAX - 1, 3,          -7};
  CHECK_MSG(comparisons_of(fv, fv) == 0, "fp32 / fp32 comparisons differ");
  CHECK_MSG(comparisons_of(iv, fv) == 0, "int32 / fp32 comparisons differ");
  CHECK_MSG(comparisons_of(fv, iv) == 0, "fp32 / int32 comparisons differ");
  CHECK_MSG(comparisons_of(iv, iv) == 0, "int32 / int32 comparisons differ");

  // The cases a comparison in float would get wrong, spelled out.
  const size_t one = 1;
  auto cmp = [&](armbench_binary_fn fn, const void* a, int ai, const void* b, int bi) {
    float y = 7.0f;
    const int rc = armbench_broadcast_typed(fn, 1, &one, a, ai, 1, &one, b, bi, &y, 0, SIZE_MAX);
    return rc == 0 ? y : -1.0f;
  };
  const int32_t i24 = 16777217, i24m = 16777216, imax = INT32_MAX, izero = 0;
  const float f24 = 16777216.0f, f31 = 2147483648.0f, nan = NAN, pz = 0.0f, nz = -0.0f;
  CHECK(cmp(ARMBENCH_BINARY_EQUAL, &i24, 1, &f24, 0) == 0.0f);
  CHECK(cmp(ARMBENCH_BINARY_NOT_EQUAL, &i24, 1, &f24, 0) == 1.0f);
  CHECK(cmp(ARMBENCH_BINARY_GREATER, &i24, 1, &f24, 0) == 1.0f);
  CHECK(cmp(ARMBENCH_BINARY_LESS_EQUAL, &i24, 1, &f24, 0) == 0.0f);
  CHECK(cmp(ARMBENCH_BINARY_LESS, &f24, 0, &i24, 1) == 1.0f);
  CHECK(cmp(ARMBENCH_BINARY_GREATER_EQUAL, &f24, 0, &i24, 1) == 0.0f);
  CHECK(cmp(ARMBENCH_BINARY_EQUAL, &i24m, 1, &f24, 0) == 1.0f);
  CHECK(cmp(ARMBENCH_BINARY_LESS, &imax, 1, &f31, 0) == 1.0f);  // INT32_MAX as a float is 2^31
  CHECK(cmp(ARMBENCH_BINARY_GREATER, &i24, 1, &i24m, 1) == 1.0f);
  CHECK(cmp(ARMBENCH_BINARY_EQUAL, &i24, 1, &i24m, 1) == 0.0f);
  for (int f = ARMBENCH_BINARY_EQUAL; f <= ARMBENCH_BINARY_GREATER_EQUAL; ++f) {
    const armbench_binary_fn fn = static_cast<armbench_binary_fn>(f);
    const float want = fn == ARMBENCH_BINARY_NOT_EQUAL ? 1.0f : 0.0f;
    CHECK_MSG(cmp(fn, &nan, 0, &nan, 0) == want && cmp(fn, &nan, 0, &izero, 1) == want &&
                  cmp(fn, &izero, 1, &nan, 0) == want && cmp(fn, &pz, 0, &nan, 0) == want,
              "fn %d with a NaN", f);
  }
  CHECK(cmp(ARMBENCH_BINARY_EQUAL, &nz, 0, &pz, 0) == 1.0f && cmp(ARMBENCH_BINARY_LESS, &nz, 0, &pz, 0) == 0.0f);
  CHECK(cmp(ARMBENCH_BINARY_EQUAL, &nz, 0, &izero, 1) == 1.0f && cmp(ARMBENCH_BINARY_GREATER, &izero, 1, &nz, 0) == 0.0f);
  // The untyped entry compares floats the same way.
  float y = 7.0f;
  CHECK(armbench_broadcast(ARMBENCH_BINARY_LESS_EQUAL, 1, &one, &nz, 1, &one, &pz, &y, 0, SIZE_MAX) == 0 && y == 1.0f);

  // int32 operands only for the comparisons; nothing written when refused.
  const size_t d3[1] = {3}, d2[1] = {2};
  const int32_t ints[3] = {1, 2, 3};
  const float floats[3] = {1, 2, 3};
  float out[3] = {7, 7, 7};
  for (int f = 0; f < ARMBENCH_BINARY_EQUAL; ++f) {
    const armbench_binary_fn fn = static_cast<armbench_binary_fn>(f);
    CHECK(armbench_broadcast_typed(fn, 1, d3, ints, 1, 1, d3, floats, 0, out, 0, SIZE_MAX) == -EINVAL);
    CHECK(armbench_broadcast_typed(fn, 1, d3, floats, 0, 1, d3, ints, 1, out, 0, SIZE_MAX) == -EINVAL);
  }
  CHECK(armbench_broadcast_typed(ARMBENCH_BINARY_LESS, 1, d3, ints, 1, 1, d2, floats, 0, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_broadcast_typed(ARMBENCH_BINARY_LESS, 1, d3, nullptr, 1, 1, d3, floats, 0, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_broadcast_typed(ARMBENCH_BINARY_LESS, 1, d3, ints, 1, 1, d3, floats, 0, nullptr, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_broadcast_typed(ARMBENCH_BINARY_FN_COUNT, 1, d3, ints, 1, 1, d3, ints, 1, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(out[0] == 7 && out[1] == 7 && out[2] == 7);
}

// ---- where ----

void test_where() {
  struct Pattern {
    std::vector<size_t> c, x, v;
  };
  const Pattern patterns[] = {
      {{2, 3, 4}, {2, 3, 4}, {2, 3, 4}},        // no broadcasting
      {{1}, {3, 5}, {5}},                       // a scalar condition
      {{3, 5}, {1}, {1}},                       // scalar values (a masked fill)
      {{1, 12, 1, 16}, {1}, {1, 12, 16, 16}},   // a mask over attention scores
      {{3, 1}, {1, 4}, {3, 4}},
      {{2, 1, 4, 1}, {3, 1, 6}, {1}},           // ranks apart
      {{4, 1}, {1}, {2, 4, 5}},
      {{5}, {2, 1, 5}, {3, 1}},
      {{1}, {1}, {1}},
      {{7, 1, 1}, {1, 1}, {1}},
  };
  // Conditions: zeros of both signs are false; NaN, a subnormal and negatives are true.
  const float conds[] = {0, 1, 0, -0.0f, NAN, 2.5f, 0, 1, -1, 0, 1e-45f, 1, 0};
  const size_t kConds = sizeof conds / sizeof conds[0];
  size_t bad = 0;
  for (const Pattern& p : patterns) {
    size_t ce = 1, xe = 1, ve = 1;
    for (size_t d : p.c) ce *= d;
    for (size_t d : p.x) xe *= d;
    for (size_t d : p.v) ve *= d;
    std::vector<float> c(ce);
    for (size_t i = 0; i < ce; ++i) c[i] = conds[(i * 5 + ce) % kConds];
    const std::vector<float> x = random_floats(xe, -3, 3, xe), v = random_floats(ve, 10, 20, ve + 1);
    std::vector<size_t> yd;
    const std::vector<float> want = broadcast_ref(
        {p.c, p.x, p.v}, [&](const size_t* at) { return c[at[0]] != 0.0f ? x[at[1]] : v[at[2]]; }, &yd);
    size_t tn, td[4], yn, gd[4];
    CHECK(armbench_broadcast_dims(p.c.size(), p.c.data(), p.x.size(), p.x.data(), &tn, td) == 0 &&
          armbench_broadcast_dims(tn, td, p.v.size(), p.v.data(), &yn, gd) == 0);
    bad += yn != yd.size() || !std::equal(yd.begin(), yd.end(), gd);
    std::vector<float> y(want.size(), 7.0f), z(want.size(), 7.0f);
    bad += armbench_where(p.c.size(), p.c.data(), c.data(), p.x.size(), p.x.data(), x.data(), p.v.size(), p.v.data(),
                          v.data(), y.data(), 0, SIZE_MAX) != 0;
    bad += !same_all(y, want);
    // In pieces of 7 (rows cut anywhere): the same bits.
    for (size_t at = 0; at < z.size(); at += 7)
      armbench_where(p.c.size(), p.c.data(), c.data(), p.x.size(), p.x.data(), x.data(), p.v.size(), p.v.data(),
                     v.data(), z.data(), at, at + 7);
    bad += !same_all(z, want);
    // In place over each operand with y's dims.
    for (int k = 0; k < 3; ++k) {
      std::vector<float> w = k == 0 ? c : k == 1 ? x : v;
      if (w.size() != want.size()) continue;
      armbench_where(p.c.size(), p.c.data(), k == 0 ? w.data() : c.data(), p.x.size(), p.x.data(),
                     k == 1 ? w.data() : x.data(), p.v.size(), p.v.data(), k == 2 ? w.data() : v.data(), w.data(), 0,
                     SIZE_MAX);
      bad += !same_all(w, want);
    }
  }
  CHECK_MSG(bad == 0, "where: %zu mismatches", bad);
  // The condition's rule spelled out: only zeros (of either sign) are false.
  const size_t five = 5, one = 1;
  const float c5[5] = {0.0f, -0.0f, NAN, 1e-45f, -1.0f}, x5[5] = {1, 2, 3, 4, 5}, v1 = -9;
  float y5[5];
  CHECK(armbench_where(1, &five, c5, 1, &five, x5, 1, &one, &v1, y5, 0, SIZE_MAX) == 0);
  CHECK(y5[0] == -9 && y5[1] == -9 && y5[2] == 3 && y5[3] == 4 && y5[4] == 5);
  // Refused, nothing written: dims that do not broadcast (each pairing), NULLs, bad ranks.
  const size_t d3[1] = {3}, d4[1] = {4}, d0[1] = {0}, d5[5] = {1, 1, 1, 1, 5}, d34[2] = {3, 4};
  const float vals[12] = {0};
  float out[12] = {7};
  CHECK(armbench_where(1, d3, vals, 1, d4, vals, 1, &one, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, &one, vals, 1, d4, vals, 1, d3, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(2, d34, vals, 1, d4, vals, 1, d3, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, d0, vals, 1, d4, vals, 1, d4, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(5, d5, vals, 1, d4, vals, 1, d4, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, d4, nullptr, 1, d4, vals, 1, d4, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, d4, vals, 1, d4, nullptr, 1, d4, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, d4, vals, 1, d4, vals, 1, d4, nullptr, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, d4, vals, 1, d4, vals, 1, d4, vals, nullptr, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_where(1, nullptr, vals, 1, d4, vals, 1, d4, vals, out, 0, SIZE_MAX) == -EINVAL);
  CHECK(out[0] == 7);
}

// ---- exp, log ----

// Each against its double result rounded once, bit for bit, over a sweep, the
// overflow and underflow edges and the specials; in place too.
void test_exp_log() {
  std::vector<float> x = sweep(110.0f, 40000);
  for (float s : {88.72f, 88.73f, 89.0f, -87.33f, -103.97f, -104.0f, -150.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN})
    x.push_back(s);
  struct Case {
    const char* name;
    void (*fn)(const float*, float*, size_t);
    double (*ref)(double);
  };
  const Case cases[] = {{"exp", armbench_exp, exp}, {"log", armbench_log, log}};
  for (const Case& c : cases) {
    std::vector<float> y(x.size(), 7.0f), z(x);
    c.fn(x.data(), y.data(), x.size());
    c.fn(z.data(), z.data(), z.size());
    size_t bad = 0, first = SIZE_MAX;
    for (size_t i = 0; i < x.size(); ++i) {
      const float want = static_cast<float>(c.ref(static_cast<double>(x[i])));
      if (!same(y[i], want) || !same(z[i], want)) bad += 1, first = std::min(first, i);
    }
    CHECK_MSG(bad == 0, "%s: %zu values differ from the rounded double, first at x = %.9g", c.name, bad,
              first < x.size() ? x[first] : 0.0f);
  }
  float y[8];
  const float ex[6] = {0.0f, -0.0f, -INFINITY, INFINITY, 89.0f, -200.0f};
  armbench_exp(ex, y, 6);
  CHECK(y[0] == 1.0f && y[1] == 1.0f && y[2] == 0.0f && !std::signbit(y[2]) && y[3] == INFINITY && y[4] == INFINITY &&
        y[5] == 0.0f);
  const float lx[8] = {0.0f, -0.0f, -1.0f, 1.0f, INFINITY, -INFINITY, NAN, 1e-45f};
  armbench_log(lx, y, 8);
  CHECK(y[0] == -INFINITY && y[1] == -INFINITY && y[2] != y[2] && y[3] == 0.0f && !std::signbit(y[3]) &&
        y[4] == INFINITY && y[5] != y[5] && y[6] != y[6] && y[7] == static_cast<float>(log(static_cast<double>(1e-45f))));
  // Nothing to do, nothing touched.
  armbench_exp(nullptr, y, 4);
  armbench_log(ex, nullptr, 4);
  armbench_exp(ex, y, 0);
}

// ---- round-f16, round-bf16 ----

// The nearest value of a format given as its finite non-negative values in bit order
// (bits 0 .. top) and the value its infinity stands for in IEEE's unbounded-exponent
// rounding (the next power of two), ties to the even bit pattern; decoded here from
// the bits, independently of the conversions under test.
struct Format {
  const char* name;
  void (*fn)(const float*, float*, size_t);
  uint32_t top;  // the largest finite pattern; top + 1 is the infinity's
  double (*decode)(uint32_t bits);
  double beyond;  // what the infinity's pattern stands for when rounding
};

double decode_f16(uint32_t b) {
  const uint32_t e = (b >> 10) & 31, m = b & 1023;
  return e == 0 ? ldexp(m, -24) : ldexp(1024 + m, static_cast<int>(e) - 25);
}

double decode_bf16(uint32_t b) {
  const uint32_t bits = b << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

float round_ref(const Format& f, float x) {
  if (x != x) return x;
  const double a = fabs(static_cast<double>(x));
  uint32_t lo = 0, hi = f.top + 1;  // largest pattern <= a, in [0, top] or top + 1 for beyond
  auto value = [&](uint32_t b) { return b > f.top ? f.beyond : f.decode(b); };
  if (a >= f.beyond) {
    lo = f.top + 1;
  } else {
    while (hi - lo > 1) {
      const uint32_t mid = (lo + hi) / 2;
      (value(mid) <= a ? lo : hi) = mid;
    }
  }
  uint32_t pick = lo;
  if (value(lo) != a && lo <= f.top) {
    const double dl = a - value(lo), dh = value(lo + 1) - a;
    pick = dh < dl || (dh == dl && ((lo + 1) & 1) == 0) ? lo + 1 : lo;
  }
  const double r = pick > f.top ? INFINITY : f.decode(pick);
  return static_cast<float>(std::signbit(x) ? -r : r);
}

// Random patterns over the whole float range, every tie between neighbours of the
// format (each a float), the overflow edge and the specials; in place too.
void test_round_precision() {
  const Format formats[] = {{"round-f16", armbench_round_f16, 0x7BFF, decode_f16, 65536.0},
                            {"round-bf16", armbench_round_bf16, 0x7F7F, decode_bf16, ldexp(1.0, 128)}};
  for (const Format& f : formats) {
    std::vector<float> x;
    uint64_t r = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 60000; ++i) {
      r ^= r << 13, r ^= r >> 7, r ^= r << 17;
      const uint32_t bits = static_cast<uint32_t>(r);
      float v;
      memcpy(&v, &bits, sizeof v);
      if (v == v) x.push_back(v);
    }
    for (uint32_t b = 0; b < f.top; b += 7) {
      const float mid = static_cast<float>((f.decode(b) + f.decode(b + 1)) / 2);
      x.push_back(mid);
      x.push_back(-mid);
      x.push_back(std::nextafter(mid, 0.0f));
      x.push_back(std::nextafter(mid, INFINITY));
    }
    const double top = f.decode(f.top);
    for (double v : {top, (top + f.beyond) / 2, std::nextafter((top + f.beyond) / 2, 0.0), f.beyond, 0.0, -0.0})
      x.push_back(static_cast<float>(v));
    for (float v : {INFINITY, -INFINITY, NAN, 1e-45f, -1e-45f, 3.4028235e38f}) x.push_back(v);
    std::vector<float> y(x.size(), 7.0f), z(x);
    f.fn(x.data(), y.data(), x.size());
    f.fn(z.data(), z.data(), z.size());
    size_t bad = 0, first = SIZE_MAX;
    for (size_t i = 0; i < x.size(); ++i) {
      const float want = round_ref(f, x[i]);
      if (!same(y[i], want) || !same(z[i], want)) bad += 1, first = std::min(first, i);
    }
    CHECK_MSG(bad == 0, "%s: %zu of %zu values differ from the nearest-even reference, first at x = %.9g", f.name, bad,
              x.size(), first < x.size() ? x[first] : 0.0f);
  }
  float y[3];
  const float edge[3] = {65519.996f, 65520.0f, -65520.0f};
  armbench_round_f16(edge, y, 3);
  CHECK(y[0] == 65504.0f && y[1] == INFINITY && y[2] == -INFINITY);
  armbench_round_f16(nullptr, y, 3);
  armbench_round_bf16(edge, nullptr, 3);
}

// ---- transpose ----

std::vector<float> transpose_ref(const std::vector<size_t>& xd, const std::vector<size_t>& perm, const std::vector<float>& x) {
  const size_t n = xd.size();
  std::vector<size_t> yd(n), xs(n);
  size_t st = 1;
  for (size_t i = n; i-- > 0;) xs[i] = st, st *= xd[i];
  for (size_t i = 0; i < n; ++i) yd[i] = xd[perm[i]];
  std::vector<float> y(x.size());
  std::vector<size_t> idx(n);
  for (size_t e = 0; e < y.size(); ++e) {
    size_t rem = e, xo = 0;
    for (size_t i = n; i-- > 0;) idx[i] = rem % yd[i], rem /= yd[i];
    for (size_t i = 0; i < n; ++i) xo += idx[i] * xs[perm[i]];
    y[e] = x[xo];
  }
  return y;
}

void test_transpose() {
  size_t bad = 0, cases = 0;
  const std::vector<std::vector<size_t>> shapes = {{7}, {3, 5}, {2, 3, 5}, {2, 3, 4, 5}, {1, 3, 1, 5}, {3, 1, 4, 1}};
  for (const auto& xd : shapes) {
    size_t total = 1;
    for (size_t d : xd) total *= d;
    const std::vector<float> x = random_floats(total, -1, 1, total);
    std::vector<size_t> perm(xd.size());
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
    do {
      const std::vector<float> want = transpose_ref(xd, perm, x);
      std::vector<float> y(total, NAN), z(total, NAN);
      CHECK(armbench_transpose(xd.size(), xd.data(), perm.data(), x.data(), y.data(), 0, SIZE_MAX) == 0);
      for (size_t s = 0; s < total; s += 7) armbench_transpose(xd.size(), xd.data(), perm.data(), x.data(), z.data(), s, s + 7);
      bad += !same_all(y, want) + !same_all(z, want);
      ++cases;
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
  // BERT's: heads apart ([1,128,12,64] -> [1,12,128,64]) and K transposed for Q K^T.
  const std::vector<size_t> bert = {1, 128, 12, 64};
  const std::vector<float> x = random_floats(128 * 12 * 64, -1, 1, 3);
  for (const std::vector<size_t>& perm : {std::vector<size_t>{0, 2, 1, 3}, std::vector<size_t>{0, 2, 3, 1}}) {
    std::vector<float> y(x.size());
    CHECK(armbench_transpose(4, bert.data(), perm.data(), x.data(), y.data(), 0, SIZE_MAX) == 0);
    const std::vector<float> want = transpose_ref(bert, perm, x);
    bad += !same_all(y, want);
    // Split as threads split it: ranges cutting rows anywhere, so the blocked path meets
    // partial rows at both ends and groups cut short.
    for (size_t piece : {size_t{1000}, size_t{128 * 5 + 3}, size_t{128 * 17}}) {
      std::vector<float> z(x.size(), NAN);
      for (size_t s = 0; s < z.size(); s += piece)
        armbench_transpose(4, bert.data(), perm.data(), x.data(), z.data(), s, s + piece);
      bad += !same_all(z, want);
    }
    ++cases;
  }
  CHECK_MSG(bad == 0, "transpose: %zu mismatches in %zu cases", bad, cases);
  const size_t d[2] = {2, 3}, dup[2] = {0, 0}, out[2] = {0, 2};
  float y[6];
  CHECK(armbench_transpose(2, d, dup, x.data(), y, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_transpose(2, d, out, x.data(), y, 0, SIZE_MAX) == -EINVAL);
  CHECK(armbench_transpose(5, d, out, x.data(), y, 0, SIZE_MAX) == -EINVAL);
}

// ---- gather, cast ----

void test_gather() {
  // An embedding table: axis 0 of [50, 9].
  const size_t vocab = 50, dim = 9;
  const std::vector<float> table = random_floats(vocab * dim, -1, 1, 1);
  const int32_t idx[6] = {0, 49, -1, -50, 7, 7};
  std::vector<float> y(6 * dim, NAN);
  CHECK(armbench_gather(1, vocab, dim, table.data(), idx, 6, y.data(), 0, SIZE_MAX, nullptr) == 0);
  size_t bad = 0;
  for (size_t i = 0; i < 6; ++i) {
    const size_t row = idx[i] < 0 ? idx[i] + vocab : idx[i];
    bad += memcmp(&y[i * dim], &table[row * dim], dim * sizeof(float)) != 0;
  }
  // An inner axis: axis 1 of [3, 5, 4], in pieces.
  const std::vector<float> d = random_floats(3 * 5 * 4, -1, 1, 2);
  const int32_t id2[2] = {-1, 2};
  std::vector<float> z(3 * 2 * 4, NAN);
  for (size_t r = 0; r < 6; r += 4)
    CHECK(armbench_gather(3, 5, 4, d.data(), id2, 2, z.data(), r, r + 4, nullptr) == 0);
  for (size_t o = 0; o < 3; ++o)
    for (size_t i = 0; i < 2; ++i)
      for (size_t j = 0; j < 4; ++j) bad += z[(o * 2 + i) * 4 + j] != d[(o * 5 + (i == 0 ? 4 : 2)) * 4 + j];
  CHECK_MSG(bad == 0, "gather: %zu mismatches", bad);
  // Out of range either side: -EINVAL, the first bad position, nothing written.
  for (int32_t badv : {50, -51, INT32_MAX, INT32_MIN}) {
    const int32_t ids[3] = {1, badv, 99};
    std::vector<float> w(3 * dim, 42.0f);
    size_t at = 77;
    CHECK(armbench_gather(1, vocab, dim, table.data(), ids, 3, w.data(), 0, SIZE_MAX, &at) == -EINVAL);
    CHECK_MSG(at == 1, "bad index %d reported at %zu", badv, at);
    CHECK(std::all_of(w.begin(), w.end(), [](float v) { return v == 42.0f; }));
  }
  CHECK(armbench_gather(1, vocab, dim, table.data(), nullptr, 3, y.data(), 0, SIZE_MAX, nullptr) == -EINVAL);
  CHECK(armbench_gather(1, 0, dim, table.data(), idx, 3, y.data(), 0, SIZE_MAX, nullptr) == -EINVAL);
  // zero_row: axis_len itself is a row of zeros, even where the table holds infinities;
  // one past it is still out of range.
  std::vector<float> inf_table(vocab * dim, INFINITY);
  const int32_t zr[4] = {3, 50, -2, 50};
  std::vector<float> zy(4 * dim, NAN);
  CHECK(armbench_gather_zero_row(1, vocab, dim, inf_table.data(), zr, 4, zy.data(), 0, SIZE_MAX, nullptr) == 0);
  size_t zbad = 0;
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < dim; ++j) zbad += zy[i * dim + j] != (zr[i] == 50 ? 0.0f : INFINITY) || std::signbit(zy[i * dim + j]);
  CHECK_MSG(zbad == 0, "gather_zero_row: %zu mismatches", zbad);
  const int32_t past[2] = {50, 51};
  size_t at = 9;
  CHECK(armbench_gather_zero_row(1, vocab, dim, table.data(), past, 2, zy.data(), 0, SIZE_MAX, &at) == -EINVAL && at == 1);
  CHECK(armbench_gather(1, vocab, dim, table.data(), past, 2, zy.data(), 0, SIZE_MAX, &at) == -EINVAL && at == 0);
}

void test_cast() {
  const int32_t x[6] = {0, -1, 123456, (1 << 24) + 1, INT32_MAX, INT32_MIN};
  float y[6];
  armbench_cast_i32_f32(x, y, 6);
  for (int i = 0; i < 6; ++i) CHECK(y[i] == static_cast<float>(x[i]));
  CHECK(y[3] == 16777216.0f);  // rounded to nearest even
  // In place: the floats over their ints.
  union {
    int32_t i[6];
    float f[6];
  } u;
  memcpy(u.i, x, sizeof x);
  armbench_cast_i32_f32(u.i, u.f, 6);
  CHECK(memcmp(u.f, y, sizeof y) == 0);
}

}  // namespace

int main() {
  printf("ops isa: %s\n", armbench_ops_isa());
  test_unary_bounds();
  test_unary_tails();
  test_softmax_rows();
  test_softmax_axis();
  test_layernorm();
  test_reduce();
  test_broadcast();
  test_comparisons();
  test_where();
  test_exp_log();
  test_round_precision();
  test_transpose();
  test_gather();
  test_cast();
  return check::summary("test_transformer_ops");
}
