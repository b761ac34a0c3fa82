// The op set (armbench/ops.h): every op against a double-precision reference written
// here from the ONNX definitions, on odd sizes; pools with strides, asymmetric pads,
// kernels larger than strides, 1x1 images and count_include_pad both ways; argument
// checks and their reasons; NaN/Inf rules; every elementwise kernel set this CPU can
// run against the scalar reference (bit for bit, sigmoid within its measured bound),
// in place and from misaligned pointers. Under an emulator (ARMBENCH_EMULATED=1) the
// sigmoid sweep is thinner; nothing else is left out.
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "../src/ops/ops_internal.h"
#include "armbench/conv.h"
#include "armbench/cpu_features.h"
#include "armbench/ops.h"
#include "check.h"
#include "test_data.h"

// aarch64-linux-gnu-g++ 12 crashes (internal compiler error in
// vect_transform_reduction) vectorizing one of this file's reduction loops; nothing here
// needs to be fast.
#if defined(__aarch64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-vectorize")
#endif

using armbench::ops::EltwiseKernels;

namespace {

using test_data::random_floats;
using test_data::splitmix;

uint32_t bits_of(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

// Same bits, or both NaN.
bool same(float a, float b) { return (a != a && b != b) || bits_of(a) == bits_of(b); }

// Distance from the exact value in units of the float spacing there (2^-149 among
// subnormals); NaN against NaN is 0, NaN against a number is huge.
double ulps(float got, double want) {
  if (want != want) return got != got ? 0.0 : 1e30;
  if (got != got) return 1e30;
  if (isinf(want)) return static_cast<double>(got) == want ? 0.0 : 1e30;
  const int e = want == 0.0 ? -126 : ilogb(want) < -126 ? -126 : ilogb(want);
  return fabs(static_cast<double>(got) - want) / ldexp(1.0, e - 23);
}

const float kSpecials[] = {0.0f, -0.0f, 1.0f, -1.0f, 3.0f, -3.0f, 2.9999998f, -2.9999998f, 6.0f, -6.0f,
                           0.5f, -0.5f, 1e-30f, -1e-30f, 1e-45f, -1e-45f, FLT_MIN, -FLT_MIN, 1e30f, -1e30f,
                           FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN, -NAN, 88.0f, -88.0f, 100.0f, -100.0f,
                           -104.0f, -110.0f, 17.0f, -17.0f, 7.5f};

// Specials first, then random values in [-12, 12]: n floats.
std::vector<float> test_input(size_t n, uint64_t seed) {
  std::vector<float> v = random_floats(n, -12.0f, 12.0f, seed);
  const size_t ns = sizeof kSpecials / sizeof kSpecials[0];
  for (size_t i = 0; i < n && i < ns; ++i) v[(i * 7) % n] = kSpecials[i];
  return v;
}

constexpr size_t kSizes[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 1000, 1003, 1024, 1031};

// ---- the semantics, stated once more in double, from ONNX ----

double relu_ref(float x) { return x < 0.0f ? 0.0 : x; }
double clip_ref(float x, float lo, float hi) { return fmin(fmax(x, lo), hi); }
double hardswish_ref(float x) {
  const double c = static_cast<double>(x) / 6.0 + 0.5;
  return x * (c < 0.0 ? 0.0 : c > 1.0 ? 1.0 : c);
}
double sigmoid_ref(float x) { return 1.0 / (1.0 + exp(-static_cast<double>(x))); }

void test_dispatch() {
  const char* isa = armbench_ops_isa();
#if defined(__x86_64__)
  const char* want = armbench_cpu_has(ARMBENCH_FEATURE_AVX512F)                                         ? "avx512"
                     : armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench_cpu_has(ARMBENCH_FEATURE_FMA) ? "avx2"
                                                                                                          : "scalar";
#elif defined(__aarch64__)
  const char* want = armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) ? "neon" : "scalar";
#else
  const char* want = "scalar";
#endif
  CHECK_MSG(isa != nullptr && strcmp(isa, want) == 0, "isa %s, want %s", isa ? isa : "(null)", want);
  printf("ops isa: %s\n", isa);
}

// The scalar reference against the double-precision semantics.
void test_scalar_semantics() {
  const EltwiseKernels& s = armbench::ops::kOpsScalar;
  const std::vector<float> x = test_input(1031, 1), b = test_input(1031, 2);
  std::vector<float> y(x.size());
  s.relu(x.data(), y.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) CHECK_MSG(same(y[i], static_cast<float>(relu_ref(x[i]))) || (x[i] != x[i] && y[i] != y[i]), "relu(%g)=%g", x[i], y[i]);
  s.clip(x.data(), y.data(), x.size(), -1.5f, 2.5f);
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] != x[i]) continue;  // fmin/fmax drop NaN; the NaN rule is checked below
    CHECK_MSG(y[i] == clip_ref(x[i], -1.5f, 2.5f), "clip(%g)=%g", x[i], y[i]);
  }
  s.hardswish(x.data(), y.data(), x.size());
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (isinf(x[i]) || x[i] != x[i]) continue;
    worst = fmax(worst, ulps(y[i], hardswish_ref(x[i])));
  }
  CHECK_MSG(worst <= 2.0, "hardswish %.2f ulp from exact", worst);
  s.add(x.data(), b.data(), y.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) CHECK(same(y[i], static_cast<float>(static_cast<double>(x[i]) + b[i])));
  s.mul(x.data(), b.data(), y.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) CHECK(same(y[i], static_cast<float>(static_cast<double>(x[i]) * b[i])));

  // NaN/Inf rules, through the C ABI (the dispatched set) and the reference.
  for (const EltwiseKernels* k : {&s, armbench::ops::ops_best_kernels()}) {
    const float in[] = {NAN, -0.0f, INFINITY, -INFINITY, -2.0f, 0.25f, 4.0f};
    float out[7];
    k->relu(in, out, 7);
    CHECK(out[0] != out[0]);                                       // relu(NaN) = NaN
    CHECK(out[1] == 0.0f && signbit(out[1]));                      // -0 stays -0
    CHECK(out[2] == INFINITY && out[3] == 0.0f && out[4] == 0.0f && out[5] == 0.25f && out[6] == 4.0f);
    k->clip(in, out, 7, -1.0f, 1.0f);
    CHECK(out[0] != out[0]);                                       // clip(NaN) = NaN
    CHECK(out[2] == 1.0f && out[3] == -1.0f && out[4] == -1.0f && out[5] == 0.25f && out[6] == 1.0f);
    k->clip(in, out, 7, 2.0f, 1.0f);                               // lo > hi: hi everywhere but NaN
    for (int i = 1; i < 7; ++i) CHECK(out[i] == 1.0f);
    k->clip(in, out, 7, -INFINITY, NAN);                           // NaN bound: no clamp
    for (int i = 1; i < 7; ++i) CHECK(same(out[i], in[i]));
    k->hardswish(in, out, 7);
    CHECK(out[0] != out[0] && out[2] == INFINITY && out[3] != out[3]);  // -Inf * 0 = NaN, as ONNX's formula
    CHECK(fabsf(out[4] + 2.0f / 6.0f) < 1e-7f && out[6] == 4.0f);
    const float edges[] = {-3.0f, 3.0f, -3.5f, 1e30f};
    k->hardswish(edges, out, 4);
    CHECK(out[0] == 0.0f && out[1] == 3.0f && out[2] == 0.0f && out[3] == 1e30f);  // exact at the knees
    k->sigmoid(in, out, 7);
    CHECK(out[0] != out[0] && out[1] == 0.5f && out[2] == 1.0f && out[3] == 0.0f);
  }
}

// Every set against the scalar reference, bit for bit, at every size, misaligned,
// out of place and in place.
void test_sets_match_reference() {
  size_t count;
  const EltwiseKernels* const* sets = armbench::ops::ops_kernel_sets(&count);
  const EltwiseKernels& s = armbench::ops::kOpsScalar;
  for (size_t si = 0; si < count; ++si) {
    const EltwiseKernels* k = sets[si];
    if (!armbench::ops::ops_kernels_usable(k)) {
      printf("set %s: skipped (needs %s)\n", k->isa, armbench_feature_name(k->needs[0]));
      continue;
    }
    size_t bad = 0;
    for (size_t n : kSizes) {
      for (size_t off = 0; off < 2; ++off) {
        const std::vector<float> xa = test_input(n + off + 1, n * 3 + off), ba = test_input(n + off + 1, n * 5 + off);
        const float* x = xa.data() + off;
        const float* b = ba.data() + off;
        std::vector<float> want(n + 2), got(n + 2, 42.0f), inplace;
        auto cmp = [&](const char* op) {
          for (size_t i = 0; i < n; ++i) {
            if (!same(got[i + off], want[i])) {
              if (bad++ < 5) fprintf(stderr, "    %s %s n=%zu i=%zu: %g gives %g, want %g\n", k->isa, op, n, i, x[i], got[i + off], want[i]);
            }
          }
          if (got[n + off] != 42.0f) {  // the element after the output stays untouched
            if (bad++ < 5) fprintf(stderr, "    %s %s n=%zu wrote past the end\n", k->isa, op, n);
          }
          if (off == 1 && got[0] != 42.0f) ++bad;
        };
        float* y = got.data() + off;
        s.relu(x, want.data(), n), k->relu(x, y, n), cmp("relu");
        s.clip(x, want.data(), n, -0.5f, 6.0f), k->clip(x, y, n, -0.5f, 6.0f), cmp("clip");
        s.hardswish(x, want.data(), n), k->hardswish(x, y, n), cmp("hardswish");
        s.add(x, b, want.data(), n), k->add(x, b, y, n), cmp("add");
        s.mul(x, b, want.data(), n), k->mul(x, b, y, n), cmp("mul");
        // In place: y == x (and y == a for the binary ops).
        auto in_place = [&](const char* op, auto run) {
          inplace.assign(x, x + n);
          run(inplace.data());
          for (size_t i = 0; i < n; ++i) {
            if (!same(inplace[i], want[i]) && bad++ < 5) fprintf(stderr, "    %s %s in place n=%zu i=%zu\n", k->isa, op, n, i);
          }
        };
        s.relu(x, want.data(), n), in_place("relu", [&](float* p) { k->relu(p, p, n); });
        s.clip(x, want.data(), n, -0.5f, 6.0f), in_place("clip", [&](float* p) { k->clip(p, p, n, -0.5f, 6.0f); });
        s.hardswish(x, want.data(), n), in_place("hardswish", [&](float* p) { k->hardswish(p, p, n); });
        s.add(x, b, want.data(), n), in_place("add", [&](float* p) { k->add(p, b, p, n); });
        s.mul(x, b, want.data(), n), in_place("mul", [&](float* p) { k->mul(p, b, p, n); });
        s.add(x, x, want.data(), n), in_place("add x+x", [&](float* p) { k->add(p, p, p, n); });
        // Sigmoid in place and out of place give the same bits, within the bound.
        k->sigmoid(x, y, n);
        inplace.assign(x, x + n);
        k->sigmoid(inplace.data(), inplace.data(), n);
        for (size_t i = 0; i < n; ++i) {
          if (!same(inplace[i], y[i])) ++bad;
          if (ulps(y[i], sigmoid_ref(x[i])) > armbench::ops::kSigmoidMaxUlps && bad++ < 5)
            fprintf(stderr, "    %s sigmoid(%g) = %g, want %.9g\n", k->isa, x[i], y[i], sigmoid_ref(x[i]));
        }
      }
    }
    CHECK_MSG(bad == 0, "set %s: %zu mismatches", k->isa, bad);
  }
}

// Sigmoid's error over a dense sweep, every set: measured and bounded.
void test_sigmoid_bound() {
  const size_t steps = emulated() ? 40000 : 400000;
  std::vector<float> x(steps + 64);
  for (size_t i = 0; i < steps; ++i) x[i] = -110.0f + 130.0f * static_cast<float>(i) / static_cast<float>(steps);
  // Around zero and the subnormal edge, where relative error is hardest.
  for (size_t i = 0; i < 32; ++i) x[steps + i] = ldexpf(1.0f, -static_cast<int>(i));
  for (size_t i = 0; i < 32; ++i) x[steps + 32 + i] = -87.0f - 0.5f * static_cast<float>(i);
  std::vector<float> y(x.size());
  size_t count;
  const EltwiseKernels* const* sets = armbench::ops::ops_kernel_sets(&count);
  for (size_t si = 0; si < count; ++si) {
    const EltwiseKernels* k = sets[si];
    if (!armbench::ops::ops_kernels_usable(k)) continue;
    k->sigmoid(x.data(), y.data(), x.size());
    double worst = 0;
    float at = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double e = ulps(y[i], sigmoid_ref(x[i]));
      if (e > worst) worst = e, at = x[i];
    }
    const double bound = k == &armbench::ops::kOpsScalar ? 3.0 : armbench::ops::kSigmoidMaxUlps;
    printf("sigmoid %s: max error %.2f ulp (at x = %g), bound %.1f\n", k->isa, worst, at, bound);
    CHECK_MSG(worst <= bound, "sigmoid %s: %.2f ulp at %g", k->isa, worst, at);
  }
}

// ---- pools ----

double pool_ref(const armbench_pool2d& p, const std::vector<float>& x, size_t plane, size_t oy, size_t ox, bool max) {
  double m = -INFINITY, s = 0;
  size_t inside = 0;
  for (size_t ky = 0; ky < p.kh; ++ky) {
    for (size_t kx = 0; kx < p.kw; ++kx) {
      const long iy = static_cast<long>(oy * p.stride_h + ky) - static_cast<long>(p.pad_top);
      const long ix = static_cast<long>(ox * p.stride_w + kx) - static_cast<long>(p.pad_left);
      if (iy < 0 || ix < 0 || iy >= static_cast<long>(p.h) || ix >= static_cast<long>(p.w)) continue;
      const double v = x[plane * p.h * p.w + static_cast<size_t>(iy) * p.w + static_cast<size_t>(ix)];
      m = v > m ? v : m;
      s += v;
      ++inside;
    }
  }
  if (max) return m;
  return s / static_cast<double>(p.count_include_pad ? p.kh * p.kw : inside);
}

void test_pools() {
  struct G {
    size_t h, w, kh, kw, sh, sw, pt, pl, pb, pr;
  };
  const G geoms[] = {
      {1, 1, 1, 1, 1, 1, 0, 0, 0, 0},  {1, 1, 3, 3, 2, 2, 1, 1, 1, 1},  {1, 1, 2, 2, 1, 1, 1, 0, 0, 1},
      {7, 9, 3, 3, 2, 2, 1, 1, 1, 1},  {8, 8, 3, 3, 2, 2, 0, 0, 1, 1},  {17, 13, 3, 2, 2, 1, 2, 0, 0, 1},
      {6, 5, 5, 4, 3, 2, 0, 3, 4, 0},  {112, 112, 3, 3, 2, 2, 1, 1, 1, 1}, {4, 4, 4, 4, 1, 1, 0, 0, 0, 0},
      {3, 17, 2, 5, 1, 3, 1, 4, 1, 2},
  };
  for (const G& g : geoms) {
    for (int cip = 0; cip < 2; ++cip) {
      armbench_pool2d p = {2, 3, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, cip};
      size_t oh = 0, ow = 0;
      char why[160];
      if (!CHECK_MSG(armbench_pool2d_output(&p, &oh, &ow, why, sizeof why) == 0, "%s", why)) continue;
      CHECK(oh == (g.h + g.pt + g.pb - g.kh) / g.sh + 1 && ow == (g.w + g.pl + g.pr - g.kw) / g.sw + 1);
      // All negative input: a padded zero would win a max if padding took part.
      std::vector<float> x = random_floats(p.n * p.c * g.h * g.w, -9.0f, -1.0f, g.h * 31 + g.w);
      std::vector<float> ymax(p.n * p.c * oh * ow), yavg(ymax.size());
      CHECK(armbench_maxpool(&p, x.data(), ymax.data()) == 0);
      CHECK(armbench_avgpool(&p, x.data(), yavg.data()) == 0);
      size_t bad = 0;
      for (size_t plane = 0; plane < p.n * p.c; ++plane) {
        for (size_t oy = 0; oy < oh; ++oy) {
          for (size_t ox = 0; ox < ow; ++ox) {
            const size_t i = (plane * oh + oy) * ow + ox;
            if (ymax[i] != pool_ref(p, x, plane, oy, ox, true)) ++bad;
            if (fabs(yavg[i] - pool_ref(p, x, plane, oy, ox, false)) > 1e-6 * 9) ++bad;
          }
        }
      }
      CHECK_MSG(bad == 0, "pool %zux%zu k%zux%zu s%zux%zu cip %d: %zu wrong", g.h, g.w, g.kh, g.kw, g.sh, g.sw, cip, bad);
    }
  }
  // count_include_pad, by hand: 2x2 of ones, 3x3 kernel, pad 1: the corner window has 4 cells.
  armbench_pool2d p = {1, 1, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1};
  const float ones[4] = {1, 1, 1, 1};
  float out[4];
  CHECK(armbench_avgpool(&p, ones, out) == 0 && fabsf(out[0] - 4.0f / 9.0f) < 1e-7f);
  p.count_include_pad = 0;
  CHECK(armbench_avgpool(&p, ones, out) == 0 && out[0] == 1.0f && out[3] == 1.0f);
  // NaN in a window wins a max.
  const float withnan[4] = {1, NAN, 3, 2};
  p = {1, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0};
  CHECK(armbench_maxpool(&p, withnan, out) == 0 && out[0] != out[0]);
}

// Each set's vector max pool (pool_kernels.inc) on an NCHWc plane of its lane count,
// against the NCHW scalar pool on the same channels, bit for bit: strides, asymmetric
// pads, windows wider than the plane's edge, and NaNs of distinct payloads several to a
// window (which NaN wins is the order's). The windows are the pool's: [o * stride -
// pad, + k) clipped to the plane.
void test_max_pool_sets() {
  size_t count;
  const EltwiseKernels* const* sets = armbench::ops::ops_kernel_sets(&count);
  struct Geo {
    size_t h, w, kh, kw, sh, sw, pt, pl, pb, pr;
  };
  const Geo geos[] = {{112, 112, 3, 3, 2, 2, 1, 1, 1, 1}, {7, 9, 3, 3, 1, 1, 1, 1, 1, 1}, {8, 5, 2, 3, 2, 1, 0, 1, 1, 0},
                      {5, 6, 5, 5, 3, 2, 2, 2, 0, 1}, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0}};
  int ran = 0;
  for (size_t si = 0; si < count; ++si) {
    const EltwiseKernels* k = sets[si];
    if (k->max_pool_plane == nullptr || !armbench::ops::ops_kernels_usable(k)) continue;
    ++ran;
    const size_t L = k->pool_lanes;
    size_t bad = 0;
    for (const Geo& g : geos) {
      armbench_pool2d p = {1, L, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, 0};
      size_t oh = 0, ow = 0;
      if (!CHECK(armbench_pool2d_output(&p, &oh, &ow, nullptr, 0) == 0)) continue;
      std::vector<float> x = test_input(L * g.h * g.w, L + g.h * 7 + g.w);
      for (size_t i = 0; i < x.size(); i += 5) {
        const uint32_t bits = 0x7fc00000u | static_cast<uint32_t>(i + 1);  // a NaN naming its place
        if (i % 3 == 0) memcpy(&x[i], &bits, sizeof bits);
      }
      std::vector<float> want(L * oh * ow), xb(x.size()), got(L * oh * ow, 42.0f), col(L * g.w);
      CHECK(armbench_maxpool(&p, x.data(), want.data()) == 0);
      CHECK(armbench_nchw_to_nchwc(x.data(), 1, L, g.h, g.w, L, xb.data()) == 0);
      std::vector<size_t> ywin(2 * oh), xwin(2 * ow);
      const auto win = [](size_t o, size_t stride, size_t pad, size_t kk, size_t extent, size_t* lo, size_t* hi) {
        const size_t start = o * stride, end = start + kk;
        *lo = start < pad ? 0 : start - pad;
        *hi = end - pad > extent ? extent : end - pad;
      };
      for (size_t oy = 0; oy < oh; ++oy) win(oy, g.sh, g.pt, g.kh, g.h, &ywin[2 * oy], &ywin[2 * oy + 1]);
      for (size_t ox = 0; ox < ow; ++ox) win(ox, g.sw, g.pl, g.kw, g.w, &xwin[2 * ox], &xwin[2 * ox + 1]);
      k->max_pool_plane(xb.data(), g.w, oh, ow, ywin.data(), xwin.data(), col.data(), got.data());
      for (size_t c = 0; c < L; ++c)
        for (size_t q = 0; q < oh * ow; ++q)
          if (memcmp(&got[q * L + c], &want[c * oh * ow + q], sizeof(float)) != 0 && bad++ < 5)
            fprintf(stderr, "    %s max pool %zux%zu k%zux%zu s%zu: channel %zu pixel %zu = %g, want %g\n", k->isa, g.h, g.w,
                    g.kh, g.kw, g.sh, c, q, got[q * L + c], want[c * oh * ow + q]);
    }
    CHECK_MSG(bad == 0, "set %s: %zu max pool outputs differ from the scalar pool", k->isa, bad);
  }
  printf("vector max pools checked: %d\n", ran);
#if defined(__x86_64__) || defined(__aarch64__)
  // Every x86-64 and aarch64 CPU this project targets runs at least one vector set.
  CHECK(ran >= 1);
#endif
}

void test_pool_errors() {
  char why[160];
  size_t oh, ow;
  armbench_pool2d p = {1, 1, 4, 4, 5, 5, 1, 1, 0, 0, 0, 0, 0};
  CHECK(armbench_pool2d_output(&p, &oh, &ow, why, sizeof why) == -EINVAL);
  CHECK_MSG(strcmp(why, "the pooled output would have no rows (kernel 5 exceeds padded height 4)") == 0, "%s", why);
  p = {1, 1, 8, 4, 5, 5, 1, 1, 0, 0, 0, 0, 0};
  CHECK(armbench_pool2d_output(&p, &oh, &ow, why, sizeof why) == -EINVAL && strstr(why, "no columns") != nullptr);
  const armbench_pool2d bad[] = {
      {0, 1, 4, 4, 2, 2, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 0, 4, 2, 2, 1, 1, 0, 0, 0, 0, 0},
      {1, 1, 4, 4, 0, 2, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 4, 4, 2, 2, 0, 1, 0, 0, 0, 0, 0},
      {1, 1, 4, 4, 2, 2, 1, 1, 2, 0, 0, 0, 0}, {1, 1, 4, 4, 2, 2, 1, 1, 0, 0, 0, 2, 0},
      {1, 1, 4, 4, 2, 2, 1, 1, 0, 0, 0, 0, 2}, {SIZE_MAX / 2, 4, 4, 4, 2, 2, 1, 1, 0, 0, 0, 0, 0},
  };
  float buf[64] = {};
  for (const armbench_pool2d& b : bad) {
    why[0] = '\0';
    CHECK(armbench_pool2d_output(&b, &oh, &ow, why, sizeof why) == -EINVAL);
    CHECK_MSG(why[0] != '\0' && strchr(why, '\n') == nullptr, "reason: '%s'", why);
    CHECK(armbench_maxpool(&b, buf, buf) == -EINVAL && armbench_avgpool(&b, buf, buf) == -EINVAL);
  }
  printf("e.g. %s\n", why);
  CHECK(armbench_pool2d_output(nullptr, &oh, &ow, why, sizeof why) == -EINVAL);
  CHECK(armbench_pool2d_output(&bad[0], &oh, &ow, nullptr, 0) == -EINVAL);
  p = {1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 0};
  CHECK(armbench_maxpool(&p, nullptr, buf) == -EINVAL && armbench_avgpool(&p, buf, nullptr) == -EINVAL);
}

// Bits equal, or both NaN: a sum's NaN payload is whichever operand the compiler put
// first (it may commute an addition), so only the max promises payloads.
bool same_or_nan(const std::vector<float>& a, const std::vector<float>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (memcmp(&a[i], &b[i], sizeof(float)) != 0 && !(a[i] != a[i] && b[i] != b[i])) return false;
  return a.size() == b.size();
}

// The NCHWc pools and global average pool give the NCHW ones' bits (transformed to
// NCHWc, padding channels zero); the max picks the same NaN in either layout (the
// same comparisons in the same order). y starts as NaN, so every lane must be written
// (padding lanes +0).
void test_pools_nchwc() {
  struct G {
    size_t h, w, kh, kw, sh, sw, pt, pl, pb, pr;
  };
  const G geoms[] = {{7, 9, 3, 3, 2, 2, 1, 1, 1, 1}, {17, 13, 3, 2, 2, 1, 2, 0, 0, 1}, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0}};
  for (const size_t block : {armbench_nchwc_block(), size_t{4}, size_t{1}}) {
    for (const size_t c : {size_t{3}, size_t{5}, size_t{17}}) {
      const size_t cb = (c + block - 1) / block;
      for (const G& g : geoms) {
        for (int cip = 0; cip < 2; ++cip) {
          armbench_pool2d p = {2, c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, cip};
          size_t oh = 0, ow = 0;
          if (!CHECK(armbench_pool2d_output(&p, &oh, &ow, nullptr, 0) == 0)) continue;
          std::vector<float> x = random_floats(p.n * c * g.h * g.w, -9.0f, 9.0f, g.h * 7 + c);
          for (size_t i = 5; i < x.size(); i += 11) {
            const uint32_t bits = 0x7fc00000u | static_cast<uint32_t>(i);  // a NaN with its own payload
            memcpy(&x[i], &bits, sizeof bits);
          }
          std::vector<float> xb(p.n * cb * block * g.h * g.w), want_max(p.n * c * oh * ow), want_avg(want_max.size());
          CHECK(armbench_nchw_to_nchwc(x.data(), p.n, c, g.h, g.w, block, xb.data()) == 0);
          CHECK(armbench_maxpool(&p, x.data(), want_max.data()) == 0);
          CHECK(armbench_avgpool(&p, x.data(), want_avg.data()) == 0);
          const size_t yb_size = p.n * cb * block * oh * ow;
          std::vector<float> wmax(yb_size), wavg(yb_size), gmax(yb_size, NAN), gavg(yb_size, NAN);
          CHECK(armbench_nchw_to_nchwc(want_max.data(), p.n, c, oh, ow, block, wmax.data()) == 0);
          CHECK(armbench_nchw_to_nchwc(want_avg.data(), p.n, c, oh, ow, block, wavg.data()) == 0);
          CHECK(armbench_maxpool_nchwc(&p, block, xb.data(), gmax.data()) == 0);
          CHECK(armbench_avgpool_nchwc(&p, block, xb.data(), gavg.data()) == 0);
          CHECK_MSG(memcmp(gmax.data(), wmax.data(), yb_size * sizeof(float)) == 0, "maxpool nchwc block %zu c %zu %zux%zu cip %d",
                    block, c, g.h, g.w, cip);
          CHECK_MSG(same_or_nan(gavg, wavg), "avgpool nchwc block %zu c %zu %zux%zu cip %d",
                    block, c, g.h, g.w, cip);
          std::vector<float> gap(p.n * c), gap_b(p.n * c, NAN);
          CHECK(armbench_global_avgpool(p.n, c, g.h * g.w, x.data(), gap.data()) == 0);
          CHECK(armbench_global_avgpool_nchwc(p.n, c, g.h * g.w, block, xb.data(), gap_b.data()) == 0);
          CHECK_MSG(same_or_nan(gap, gap_b), "gap nchwc block %zu c %zu %zux%zu",
                    block, c, g.h, g.w);
        }
      }
    }
  }
  armbench_pool2d p = {1, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 0};
  float buf[64] = {};
  CHECK(armbench_maxpool_nchwc(&p, 0, buf, buf) == -EINVAL && armbench_avgpool_nchwc(&p, 0, buf, buf) == -EINVAL);
  CHECK(armbench_maxpool_nchwc(&p, 4, nullptr, buf) == -EINVAL && armbench_avgpool_nchwc(&p, 4, buf, nullptr) == -EINVAL);
  CHECK(armbench_global_avgpool_nchwc(1, 4, 4, 0, buf, buf) == -EINVAL);
  CHECK(armbench_global_avgpool_nchwc(1, 4, 4, 4, nullptr, buf) == -EINVAL);
}

// ---- GlobalAveragePool, BatchNormalization, Concat, Softmax ----

void test_global_avgpool_batchnorm() {
  for (size_t hw : {1, 3, 49, 1003}) {
    const size_t n = 2, c = 3;
    const std::vector<float> x = random_floats(n * c * hw, -5, 5, hw);
    std::vector<float> y(n * c);
    CHECK(armbench_global_avgpool(n, c, hw, x.data(), y.data()) == 0);
    for (size_t p = 0; p < n * c; ++p) {
      double s = 0;
      for (size_t i = 0; i < hw; ++i) s += x[p * hw + i];
      CHECK(ulps(y[p], s / static_cast<double>(hw)) <= 0.5 || fabs(y[p] - s / hw) < 1e-7);
    }
    const std::vector<float> scale = random_floats(c, 0.5f, 2, 1), bias = random_floats(c, -1, 1, 2),
                             mean = random_floats(c, -1, 1, 3), var = random_floats(c, 0.1f, 3, 4);
    std::vector<float> z(x.size());
    CHECK(armbench_batchnorm(n, c, hw, x.data(), scale.data(), bias.data(), mean.data(), var.data(), 1e-5f, z.data()) == 0);
    size_t bad = 0;
    for (size_t b = 0; b < n; ++b) {
      for (size_t ch = 0; ch < c; ++ch) {
        for (size_t i = 0; i < hw; ++i) {
          const size_t at = (b * c + ch) * hw + i;
          const double want = (x[at] - static_cast<double>(mean[ch])) / sqrt(static_cast<double>(var[ch]) + 1e-5f) * scale[ch] + bias[ch];
          if (fabs(z[at] - want) > 1e-6 * (1 + fabs(want)) * 4) ++bad;
        }
      }
    }
    CHECK_MSG(bad == 0, "batchnorm hw %zu: %zu wrong", hw, bad);
    // In place.
    std::vector<float> w = x;
    CHECK(armbench_batchnorm(n, c, hw, w.data(), scale.data(), bias.data(), mean.data(), var.data(), 1e-5f, w.data()) == 0);
    CHECK(memcmp(w.data(), z.data(), z.size() * sizeof(float)) == 0);
  }
  float f[4] = {};
  CHECK(armbench_global_avgpool(0, 1, 1, f, f) == -EINVAL && armbench_global_avgpool(1, 1, 0, f, f) == -EINVAL);
  CHECK(armbench_global_avgpool(1, 1, 1, nullptr, f) == -EINVAL);
  CHECK(armbench_batchnorm(1, 1, 1, f, f, f, f, nullptr, 1e-5f, f) == -EINVAL);
  CHECK(armbench_batchnorm(1, 0, 1, f, f, f, f, f, 1e-5f, f) == -EINVAL);
  CHECK(armbench_batchnorm(1, 1, 1, f, f, f, f, f, -1.0f, f) == -EINVAL);
  CHECK(armbench_batchnorm(1, 1, 1, f, f, f, f, f, NAN, f) == -EINVAL);
}

void test_concat() {
  const size_t n = 2, hw = 17, ch[] = {1, 3, 5};
  std::vector<float> a = random_floats(n * 1 * hw, -1, 1, 1), b = random_floats(n * 3 * hw, -1, 1, 2),
                     c = random_floats(n * 5 * hw, -1, 1, 3);
  const float* xs[] = {a.data(), b.data(), c.data()};
  std::vector<float> y(n * 9 * hw);
  CHECK(armbench_concat_channels(3, xs, ch, n, hw, y.data()) == 0);
  size_t bad = 0;
  for (size_t bi = 0; bi < n; ++bi) {
    size_t base = 0;
    for (size_t i = 0; i < 3; ++i) {
      for (size_t k = 0; k < ch[i] * hw; ++k) {
        if (y[(bi * 9 + base) * hw + k] != xs[i][bi * ch[i] * hw + k]) ++bad;
      }
      base += ch[i];
    }
  }
  CHECK(bad == 0);
  const size_t zero[] = {1, 0, 5};
  CHECK(armbench_concat_channels(3, xs, zero, n, hw, y.data()) == -EINVAL);
  CHECK(armbench_concat_channels(0, xs, ch, n, hw, y.data()) == -EINVAL);
  CHECK(armbench_concat_channels(3, xs, ch, n, 0, y.data()) == -EINVAL);
  const float* withnull[] = {a.data(), nullptr, c.data()};
  CHECK(armbench_concat_channels(3, withnull, ch, n, hw, y.data()) == -EINVAL);
}

void test_softmax() {
  for (size_t cols : {1, 3, 17, 1000, 1003}) {
    const size_t rows = 3;
    std::vector<float> x = random_floats(rows * cols, -20, 20, cols);
    x[0] = 80.0f;  // exp would overflow without the max subtracted
    std::vector<float> y(x.size());
    CHECK(armbench_softmax(rows, cols, x.data(), y.data()) == 0);
    double worst = 0;
    for (size_t r = 0; r < rows; ++r) {
      double m = -INFINITY, s = 0, sum_y = 0;
      for (size_t i = 0; i < cols; ++i) m = fmax(m, x[r * cols + i]);
      for (size_t i = 0; i < cols; ++i) s += exp(x[r * cols + i] - m);
      for (size_t i = 0; i < cols; ++i) {
        const double want = exp(x[r * cols + i] - m) / s;
        // Relative, down to 1e-30 (a smaller probability is a few ulp of the sum).
        worst = fmax(worst, fabs(y[r * cols + i] - want) / fmax(want, 1e-30));
        sum_y += y[r * cols + i];
      }
      CHECK_MSG(fabs(sum_y - 1.0) < 1e-6, "softmax row sums to %.9g", sum_y);
    }
    // The best set runs it: within the vector sets' bound (test_transformer_ops
    // measures each set).
    CHECK_MSG(worst <= armbench::ops::kRowOpsMaxRelErr, "softmax cols %zu: relative error %.3g from exp/sum", cols, worst);
    std::vector<float> w = x;
    CHECK(armbench_softmax(rows, cols, w.data(), w.data()) == 0 && memcmp(w.data(), y.data(), y.size() * sizeof(float)) == 0);
  }
  const float x[] = {1, NAN, 2, 1, INFINITY, 2, -INFINITY, -INFINITY, -INFINITY, 0, -INFINITY, 0};
  float y[12];
  CHECK(armbench_softmax(4, 3, x, y) == 0);
  CHECK(y[0] != y[0] && y[1] != y[1] && y[2] != y[2]);  // NaN in a row: the row is NaN
  CHECK(y[3] != y[3] && y[5] != y[5]);                  // +Inf: NaN, as onnxruntime
  CHECK(y[6] != y[6]);                                  // only -Inf: NaN
  CHECK(y[9] == 0.5f && y[10] == 0.0f && y[11] == 0.5f);
  CHECK(armbench_softmax(0, 3, x, y) == -EINVAL && armbench_softmax(1, 0, x, y) == -EINVAL);
  CHECK(armbench_softmax(1, 3, nullptr, y) == -EINVAL);
}

void test_abi_null_and_zero() {
  float v[3] = {-1, 2, -3};
  armbench_relu(nullptr, v, 3);
  armbench_relu(v, v, 0);
  armbench_add(v, nullptr, v, 3);
  CHECK(v[0] == -1 && v[1] == 2 && v[2] == -3);  // nothing written
  armbench_relu(v, v, 3);
  CHECK(v[0] == 0 && v[1] == 2 && v[2] == 0);
  float s[3] = {0, 100, -100};
  armbench_sigmoid(s, s, 3);
  CHECK(s[0] == 0.5f && s[1] == 1.0f && s[2] > 0 && s[2] < 1e-43f);
}

}  // namespace

int main() {
  test_dispatch();
  test_scalar_semantics();
  test_sets_match_reference();
  test_sigmoid_bound();
  test_pools();
  test_max_pool_sets();
  test_pool_errors();
  test_pools_nchwc();
  test_global_avgpool_batchnorm();
  test_concat();
  test_softmax();
  test_abi_null_and_zero();
  return check::summary("test_ops");
}
