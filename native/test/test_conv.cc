// Convolution: every algorithm of the registry, fp32 and bf16, against a
// double-precision oracle computed here (which also checks ARMBENCH_CONV_REFERENCE),
// with the forward error bound of the GEMM tests: (K + 4) * 2^-24 * (sum |x w| +
// |bias| + |residual|), K = (c / groups) * r * s, doubled for bf16 (bf16 inputs are
// bf16-exact, so only the fp32 accumulation errs). Shapes: 1x1 images, prime channel
// counts, stride 2 with padding, asymmetric padding, dilation 2, groups 2 and 4,
// depthwise 3x3 stride 1 and 2, 1x1 convolutions, batch 1 and 3, tiles of the tiled
// im2col that start mid-row; epilogues none / bias / bias + residual + ReLU / Clip(0,
// 6) / residual. A two-thread GEMM pool gives the bits of one thread. Algorithms that
// cannot run a shape give a reason and -ENOTSUP without writing y; invalid shapes give
// -EINVAL and a reason naming the problem (direct-nchwc runs every groups-1 shape and
// refuses grouped ones). The NCHW <-> NCHWc transforms round-trip exactly with zero
// padding channels, and a direct-nchwc plan runs twice on one set of packed weights.
// Under an emulator (ARMBENCH_EMULATED=1)
// each shape runs one epilogue and the largest shape is left out.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "armbench/conv.h"
#include "armbench/gemm.h"
#include "check.h"
#include "test_data.h"
#include "../src/conv/winograd.h"

namespace {

using test_data::bf16_to_f32;
using test_data::f32_to_bf16_trunc;
using test_data::next_u64;
using test_data::random_value;

// A tensor of either dtype with its exact values as floats.
struct Tensor {
  std::vector<float> f32;
  std::vector<uint16_t> bf16;
  bool is_bf16 = false;
  const void* data() const { return is_bf16 ? static_cast<const void*>(bf16.data()) : f32.data(); }
};
Tensor make_tensor(size_t count, bool is_bf16) {
  Tensor t;
  t.is_bf16 = is_bf16;
  t.f32.resize(count);
  if (is_bf16) t.bf16.resize(count);
  for (size_t i = 0; i < count; ++i) {
    float v = random_value();
    if (is_bf16) {
      t.bf16[i] = f32_to_bf16_trunc(v);
      v = bf16_to_f32(t.bf16[i]);
    }
    t.f32[i] = v;
  }
  return t;
}

armbench_conv_shape make_shape(size_t n, size_t c, size_t h, size_t w, size_t k, size_t r, size_t s, size_t stride,
                               size_t pad, size_t dil, size_t groups) {
  armbench_conv_shape sh{};
  sh.n = n, sh.c = c, sh.h = h, sh.w = w, sh.k = k, sh.r = r, sh.s = s;
  sh.stride_h = sh.stride_w = stride;
  sh.pad_top = sh.pad_left = sh.pad_bottom = sh.pad_right = pad;
  sh.dilation_h = sh.dilation_w = dil;
  sh.groups = groups;
  return sh;
}

std::string describe(const armbench_conv_shape& s, const char* algo, bool bf, int epi) {
  char buf[320];
  snprintf(buf, sizeof buf,
           "%s %s n=%zu c=%zu %zux%zu k=%zu %zux%zu stride=%zu,%zu pad=%zu,%zu,%zu,%zu dil=%zu,%zu groups=%zu epi=%d",
           algo, bf ? "bf16" : "fp32", s.n, s.c, s.h, s.w, s.k, s.r, s.s, s.stride_h, s.stride_w, s.pad_top,
           s.pad_left, s.pad_bottom, s.pad_right, s.dilation_h, s.dilation_w, s.groups, epi);
  return buf;
}

armbench_gemm_pool* pool2 = nullptr;

bool is_winograd(armbench_conv_algo a) {
  return a == ARMBENCH_CONV_WINOGRAD_F2 || a == ARMBENCH_CONV_WINOGRAD_F4 || a == ARMBENCH_CONV_WINOGRAD_F6;
}
bool winograd_shape(const armbench_conv_shape& s) {
  return s.r == 3 && s.s == 3 && s.stride_h == 1 && s.stride_w == 1 && s.dilation_h == 1 && s.dilation_w == 1 &&
         s.groups == 1;
}
size_t winograd_m(armbench_conv_algo a) {
  return a == ARMBENCH_CONV_WINOGRAD_F2 ? 2 : a == ARMBENCH_CONV_WINOGRAD_F4 ? 4 : a == ARMBENCH_CONV_WINOGRAD_F6 ? 6 : 0;
}
constexpr const char* kWinogradReason = "needs a 3x3 kernel, stride 1, no dilation and groups 1";
constexpr const char* kNchwcReason = "needs groups 1 or a depthwise conv (use im2col for other grouped convolutions)";

// The error bound of an algorithm in units of the GEMM bound (K + 4) * 2^-24 * sum |x w|.
double bound_factor(armbench_conv_algo a) {
  switch (a) {
    // Winograd's error grows with the tile (the points spread: A^T holds up to 2^(m-1)).
    // Measured worst on these shapes, against a scale whose convolution part is the
    // largest of the output's tile (see run_case): F2 0.055, F4 0.79, F6 1.7 (fp32; bf16
    // Winograd has a bound of its own below). Bounds 4.7x to 18x above, tight enough that a 1e-3 relative error
    // in one output fails them where K is small (checked in run_case; with K in the
    // hundreds the worst-case (K + 4) growth of every bound hides it).
    case ARMBENCH_CONV_WINOGRAD_F2: return 1;
    case ARMBENCH_CONV_WINOGRAD_F4: return 4;
    case ARMBENCH_CONV_WINOGRAD_F6: return 8;
    default: return 1;
  }
}
// bf16 Winograd rounds the transformed operands U and V to bf16 (8 significant bits),
// so its error is a fraction of 2^-8 of the scale, not of the fp32 GEMM bound, and it
// grows with the tile as the transforms' entries do (B^T up to 5 and A^T up to 8 for
// F4). Measured worst on these shapes: F2 0.95, F4 12.4, F6 20 times 2^-8 x scale;
// bounds about 4x above. F4 and F6 in bf16 lose most of bf16's precision: the
// conv table shows it, and the model runner does not choose them.
double bf16_winograd_factor(armbench_conv_algo a) {
  switch (a) {
    case ARMBENCH_CONV_WINOGRAD_F2: return 4;
    case ARMBENCH_CONV_WINOGRAD_F4: return 50;
    case ARMBENCH_CONV_WINOGRAD_F6: return 80;
    default: return 0;
  }
}

// The largest error an output may have per unit of its scale.
double error_unit(armbench_conv_algo a, bool bf, size_t kdim) {
  if (bf && bf16_winograd_factor(a) > 0) return bf16_winograd_factor(a) * ldexp(1.0, -8);
  return static_cast<double>(kdim + 4) * ldexp(1.0, -24) * (bf ? 2.0 : 1.0) * bound_factor(a);
}

// The largest error seen per algorithm, in units of the GEMM bound (printed at the end),
// and for bf16 Winograd in units of 2^-8 x scale.
double worst_ratio[ARMBENCH_CONV_ALGO_COUNT] = {};
double worst_bf16_winograd[ARMBENCH_CONV_ALGO_COUNT] = {};

// Epilogue variants: 0 none, 1 bias, 2 bias + residual + ReLU, 3 Clip(0, 6), 4 residual.
constexpr int kEpilogues = 5;

void run_case(const armbench_conv_shape& s, bool bf, int epi) {
  size_t oh = 0, ow = 0;
  char why[160];
  if (!CHECK_MSG(armbench_conv_output(&s, &oh, &ow, why, sizeof why) == 0, "%s: %s",
                 describe(s, "output", bf, epi).c_str(), why)) {
    return;
  }
  const size_t cg = s.c / s.groups, kg = s.k / s.groups, kdim = cg * s.r * s.s;
  const size_t ysize = s.n * s.k * oh * ow;
  const Tensor x = make_tensor(s.n * s.c * s.h * s.w, bf);
  const Tensor w = make_tensor(s.k * kdim, bf);
  std::vector<float> bias(s.k), residual(ysize);
  for (float& v : bias) v = 2.0f * random_value();
  for (float& v : residual) v = 2.0f * random_value();

  armbench_conv_args args{};
  args.shape = s;
  args.dtype = bf ? ARMBENCH_GEMM_BF16 : ARMBENCH_GEMM_F32;
  args.x = x.data();
  args.w = w.data();
  args.epilogue.bias = (epi == 1 || epi == 2) ? bias.data() : nullptr;
  args.epilogue.residual = (epi == 2 || epi == 4) ? residual.data() : nullptr;
  args.epilogue.act = epi == 2 ? ARMBENCH_ACT_RELU : epi == 3 ? ARMBENCH_ACT_CLIP : ARMBENCH_ACT_NONE;
  args.epilogue.clip_min = 0.0f;
  args.epilogue.clip_max = 6.0f;

  // The oracle, and the scale of each output's error bound.
  // conv_mag: sum |x w| of the convolution alone, over a grid extended by 5 rows and
  // columns (positions past the output see zeros beyond the image), for the Winograd
  // bound: a Winograd tile mixes its whole input patch into each of its outputs.
  std::vector<double> want(ysize), scale(ysize);
  const size_t eh = oh + 5, ew = ow + 5;
  std::vector<double> conv_mag(s.n * s.k * eh * ew);
  for (size_t b = 0; b < s.n; ++b) {
    for (size_t k = 0; k < s.k; ++k) {
      const size_t g = k / kg;
      for (size_t oy = 0; oy < eh; ++oy) {
        for (size_t ox = 0; ox < ew; ++ox) {
          if ((oy >= oh || ox >= ow) && !winograd_shape(s)) continue;
          double acc = 0.0, mag = 0.0;
          for (size_t ci = 0; ci < cg; ++ci) {
            for (size_t i = 0; i < s.r; ++i) {
              const long iy = static_cast<long>(oy * s.stride_h + i * s.dilation_h) - static_cast<long>(s.pad_top);
              if (iy < 0 || iy >= static_cast<long>(s.h)) continue;
              for (size_t j = 0; j < s.s; ++j) {
                const long ix =
                    static_cast<long>(ox * s.stride_w + j * s.dilation_w) - static_cast<long>(s.pad_left);
                if (ix < 0 || ix >= static_cast<long>(s.w)) continue;
                const double p = static_cast<double>(x.f32[((b * s.c + g * cg + ci) * s.h + iy) * s.w + ix]) *
                                 w.f32[((k * cg + ci) * s.r + i) * s.s + j];
                acc += p;
                mag += fabs(p);
              }
            }
          }
          conv_mag[((b * s.k + k) * eh + oy) * ew + ox] = mag;
          if (oy >= oh || ox >= ow) continue;
          const size_t yi = ((b * s.k + k) * oh + oy) * ow + ox;
          if (args.epilogue.bias != nullptr) acc += bias[k], mag += fabs(bias[k]);
          if (args.epilogue.residual != nullptr) acc += residual[yi], mag += fabs(residual[yi]);
          if (args.epilogue.act == ARMBENCH_ACT_RELU) acc = acc < 0 ? 0 : acc;
          if (args.epilogue.act == ARMBENCH_ACT_CLIP) acc = acc < 0 ? 0 : acc > 6 ? 6 : acc;
          want[yi] = acc;
          scale[yi] = mag;
        }
      }
    }
  }

  for (int ai = 0; ai < ARMBENCH_CONV_ALGO_COUNT; ++ai) {
    const armbench_conv_algo algo = static_cast<armbench_conv_algo>(ai);
    const std::string what = describe(s, armbench_conv_algo_name(algo), bf, epi);
    const char* reason = armbench_conv_algo_unsupported(algo, &s);
    std::vector<float> y(ysize, NAN);
    args.y = y.data();
    if (reason != nullptr) {
      CHECK_MSG(algo == ARMBENCH_CONV_GEMM_1X1 || algo == ARMBENCH_CONV_DEPTHWISE ||
                    (is_winograd(algo) && !winograd_shape(s) && strcmp(reason, kWinogradReason) == 0) ||
                    (algo == ARMBENCH_CONV_DIRECT_NCHWC && s.groups != 1 && s.groups != s.c &&
                     strcmp(reason, kNchwcReason) == 0),
                "%s: unsupported: %s", what.c_str(), reason);
      CHECK_MSG(strlen(reason) > 10 && strstr(reason, "needs") != nullptr, "%s: reason '%s'", what.c_str(), reason);
      CHECK_MSG(armbench_conv(nullptr, algo, &args) == -ENOTSUP, "%s: not -ENOTSUP", what.c_str());
      bool untouched = true;
      for (float v : y) untouched = untouched && isnan(v);
      CHECK_MSG(untouched, "%s: y written by an unsupported algorithm", what.c_str());
      continue;
    }
    if (!CHECK_MSG(armbench_conv(nullptr, algo, &args) == 0, "%s: failed", what.c_str())) continue;
    // The reference must be the double result rounded once; the others within the bound.
    // Winograd F(m): each output's scale has its convolution part replaced by the largest
    // one of its m x m tile.
    std::vector<double> wscale;
    if (const size_t m = winograd_m(algo)) {
      wscale.resize(ysize);
      for (size_t bk = 0; bk < s.n * s.k; ++bk) {
        for (size_t oy = 0; oy < oh; ++oy) {
          for (size_t ox = 0; ox < ow; ++ox) {
            double tile_mag = 0.0;
            for (size_t ty = oy / m * m; ty < oy / m * m + m; ++ty) {
              for (size_t tx = ox / m * m; tx < ox / m * m + m; ++tx) {
                tile_mag = std::max(tile_mag, conv_mag[(bk * eh + ty) * ew + tx]);
              }
            }
            const size_t yi = (bk * oh + oy) * ow + ox;
            wscale[yi] = scale[yi] - conv_mag[(bk * eh + oy) * ew + ox] + tile_mag;
          }
        }
      }
    }
    const std::vector<double>& sc = wscale.empty() ? scale : wscale;
    const double unit = error_unit(algo, bf, kdim);
    const bool bf16_winograd = bf && bf16_winograd_factor(algo) > 0;
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < ysize; ++i) {
      const double err = fabs(static_cast<double>(y[i]) - want[i]);
      const double bound = algo == ARMBENCH_CONV_REFERENCE ? ldexp(fabs(want[i]), -24) + 1e-300
                                                           : unit * sc[i] + 1e-30;
      if (bf16_winograd && sc[i] > 0) {
        worst_bf16_winograd[ai] = std::max(worst_bf16_winograd[ai], err / (ldexp(1.0, -8) * sc[i]));
      } else if (algo != ARMBENCH_CONV_REFERENCE && sc[i] > 0) {
        worst_ratio[ai] = std::max(worst_ratio[ai], err / (static_cast<double>(kdim + 4) * ldexp(1.0, -24) * (bf ? 2.0 : 1.0) * sc[i]));
      }
      if (!(err <= bound)) {
        if (bad++ == 0) first = i;
      }
    }
    if (!CHECK_MSG(bad == 0, "%s: %zu outputs off, first [%zu] = %.9g, want %.9g (scale %g)", what.c_str(), bad,
                   first, y[first], want[first], sc[first])) {
      continue;
    }
    // The bound is not so loose that a wrong output passes: the output largest against
    // its scale, off by 1e-3 of its value, fails it.
    if (winograd_m(algo) != 0 && !bf16_winograd && epi == 0 && kdim <= 64) {
      size_t top = 0;
      for (size_t i = 1; i < ysize; ++i) {
        if (sc[i] > 0 && (sc[top] == 0 || fabs(want[i]) / sc[i] > fabs(want[top]) / sc[top])) top = i;
      }
      const double wrong = static_cast<double>(y[top]) + 1e-3 * fabs(want[top]);
      // (Outputs that are mostly padding cancel against their tile: nothing to check.)
      if (want[top] != 0 && fabs(want[top]) >= 0.1 * sc[top]) CHECK_MSG(!(fabs(wrong - want[top]) <= unit * sc[top]), "%s: a 1e-3 relative error passes the bound",
                what.c_str());
    }
    // Two GEMM threads: the same bits.
    if (pool2 != nullptr) {
      std::vector<float> y2(ysize, NAN);
      args.y = y2.data();
      if (CHECK_MSG(armbench_conv(pool2, algo, &args) == 0, "%s: pool failed", what.c_str())) {
        CHECK_MSG(memcmp(y.data(), y2.data(), ysize * sizeof(float)) == 0, "%s: 2 threads differ", what.c_str());
      }
    }
  }
}

void test_shapes() {
  std::vector<armbench_conv_shape> shapes = {
      make_shape(1, 3, 1, 1, 7, 1, 1, 1, 0, 1, 1),     // 1x1 image, 1x1 kernel
      make_shape(1, 7, 1, 1, 13, 3, 3, 1, 1, 1, 1),    // 1x1 image, 3x3 padded
      make_shape(1, 3, 9, 11, 7, 3, 3, 1, 1, 1, 1),    // prime channels
      make_shape(1, 13, 13, 10, 7, 3, 3, 2, 1, 1, 1),  // stride 2 with padding
      make_shape(3, 7, 8, 9, 13, 3, 3, 2, 1, 1, 1),    // batch 3
      make_shape(1, 4, 10, 9, 5, 3, 3, 1, 2, 2, 1),    // dilation 2
      make_shape(1, 6, 7, 7, 4, 3, 3, 1, 1, 1, 2),     // groups 2
      make_shape(3, 8, 9, 9, 12, 3, 3, 2, 1, 1, 4),    // groups 4, stride 2, batch 3
      make_shape(1, 13, 11, 12, 13, 3, 3, 1, 1, 1, 13),  // depthwise 3x3 stride 1
      make_shape(3, 8, 16, 15, 8, 3, 3, 2, 1, 1, 8),     // depthwise 3x3 stride 2, batch 3
      make_shape(1, 16, 7, 9, 24, 1, 1, 1, 0, 1, 1),     // 1x1 conv
      make_shape(3, 13, 5, 5, 7, 1, 1, 1, 0, 1, 1),      // 1x1 conv, batch 3
      make_shape(1, 8, 6, 5, 6, 1, 1, 1, 0, 1, 2),       // 1x1 conv, groups 2
      make_shape(1, 8, 7, 7, 8, 1, 1, 2, 0, 1, 1),       // 1x1 stride 2: not gemm-1x1
      make_shape(1, 8, 7, 7, 8, 1, 1, 1, 1, 1, 1),       // 1x1 padded: not gemm-1x1
      make_shape(1, 64, 24, 23, 4, 3, 3, 1, 1, 1, 1),    // 2 tiles, the second mid-row
      make_shape(1, 3, 23, 21, 32, 7, 7, 2, 3, 1, 1),    // a stem: direct-nchwc's 4-lane frame
      make_shape(2, 3, 15, 17, 64, 3, 3, 2, 1, 1, 1),    // a stem, batch 2
  };
  armbench_conv_shape asym = make_shape(1, 5, 8, 7, 6, 3, 2, 1, 0, 1, 1);  // asymmetric padding
  asym.pad_top = 0, asym.pad_left = 2, asym.pad_bottom = 1, asym.pad_right = 0;
  shapes.push_back(asym);
  armbench_conv_shape dw = make_shape(1, 5, 12, 12, 5, 5, 5, 1, 0, 2, 5);  // depthwise 5x5, dilation 2, asymmetric
  dw.pad_top = 3, dw.pad_left = 1, dw.pad_bottom = 4, dw.pad_right = 5;
  dw.stride_w = 2;
  shapes.push_back(dw);
  // Depthwise 3x3 through the row kernels: prime channels, maps 16..40 wide (every
  // ragged end of a 16-lane vector), 7x7 (MobileNet's last maps), a ragged fourth vector
  // (57 wide), beyond 64 columns (a full block of 4 vectors and a remainder), stride 2 on even and odd widths (whether
  // the last column may read one past its taps), no padding (no edge columns), and
  // vertical stride 1 with horizontal stride 2.
  for (const armbench_conv_shape& d :
       {make_shape(1, 17, 18, 40, 17, 3, 3, 1, 1, 1, 17), make_shape(2, 11, 13, 33, 11, 3, 3, 2, 1, 1, 11),
        make_shape(1, 7, 16, 16, 7, 3, 3, 2, 1, 1, 7), make_shape(1, 13, 7, 7, 13, 3, 3, 1, 1, 1, 13),
        make_shape(1, 5, 9, 17, 5, 3, 3, 1, 0, 1, 5), make_shape(1, 3, 5, 70, 3, 3, 3, 1, 1, 1, 3), make_shape(1, 2, 4, 57, 2, 3, 3, 1, 1, 1, 2),
        make_shape(1, 3, 6, 141, 3, 3, 3, 2, 1, 1, 3)}) {
    shapes.push_back(d);
  }
  armbench_conv_shape dw_hstride = make_shape(1, 19, 9, 27, 19, 3, 3, 2, 1, 1, 19);
  dw_hstride.stride_h = 1;
  shapes.push_back(dw_hstride);
  armbench_conv_shape big_pad = make_shape(1, 3, 2, 3, 2, 3, 3, 1, 4, 1, 1);  // rows of pure padding
  shapes.push_back(big_pad);
  if (!emulated()) shapes.push_back(make_shape(1, 64, 30, 30, 16, 3, 3, 1, 1, 1, 1));  // tiles mid-row
  // Winograd: sizes not multiples of 2, 4 or 6, batch 3 with prime channels, asymmetric
  // padding (none on some sides: edge tiles read real rows past the output), and (not
  // emulated) enough tiles for several tile blocks of every F(m), a block ending mid-row.
  shapes.push_back(make_shape(3, 5, 13, 17, 11, 3, 3, 1, 1, 1, 1));
  armbench_conv_shape wasym = make_shape(1, 7, 11, 10, 5, 3, 3, 1, 0, 1, 1);
  wasym.pad_top = 2, wasym.pad_left = 0, wasym.pad_bottom = 0, wasym.pad_right = 1;
  shapes.push_back(wasym);
  shapes.push_back(make_shape(1, 2, 8, 7, 3, 3, 3, 1, 0, 1, 1));  // no padding
  if (!emulated()) shapes.push_back(make_shape(1, 48, 40, 38, 48, 3, 3, 1, 1, 1, 1));

  int index = 0;
  for (const armbench_conv_shape& s : shapes) {
    for (int bf = 0; bf < 2; ++bf) {
      if (emulated()) {
        run_case(s, bf != 0, (index + bf) % kEpilogues);
      } else {
        for (int epi = 0; epi < kEpilogues; ++epi) run_case(s, bf != 0, epi);
      }
    }
    ++index;
  }
}

void test_invalid_shapes() {
  struct Bad {
    armbench_conv_shape s;
    const char* mention;
  };
  std::vector<Bad> bad;
  auto add = [&](armbench_conv_shape s, const char* mention) { bad.push_back({s, mention}); };
  armbench_conv_shape s = make_shape(1, 0, 5, 5, 4, 3, 3, 1, 1, 1, 1);
  add(s, "channels");
  s = make_shape(1, 4, 0, 5, 4, 3, 3, 1, 1, 1, 1);
  add(s, "height");
  s = make_shape(0, 4, 5, 5, 4, 3, 3, 1, 1, 1, 1);
  add(s, "batch");
  s = make_shape(1, 4, 5, 5, 4, 3, 0, 1, 1, 1, 1);
  add(s, "kernel width");
  s = make_shape(1, 30, 5, 5, 8, 3, 3, 1, 1, 1, 4);
  add(s, "channels 30 are not divisible by groups 4");
  s = make_shape(1, 8, 5, 5, 6, 3, 3, 1, 1, 1, 4);
  add(s, "output channels 6 are not divisible by groups 4");
  s = make_shape(1, 4, 3, 3, 4, 5, 5, 1, 0, 1, 1);
  add(s, "no rows");
  s = make_shape(1, 4, 9, 3, 4, 5, 5, 1, 0, 1, 1);
  add(s, "no columns");
  s = make_shape(1, 4, 5, 5, 4, 3, 3, 1, 1, 1, 1);  // dilated kernel 9 > padded 7
  s.dilation_h = 4;
  add(s, "no rows");
  s = make_shape(1, 4, 5, 5, 4, 3, 3, 0, 1, 1, 1);
  add(s, "stride");
  s = make_shape(1, 4, 5, 5, 4, 3, 3, 1, 1, 0, 1);
  add(s, "dilation");
  s = make_shape(1, 4, 5, 5, 4, 3, 3, 1, 1, 1, 0);
  add(s, "groups");
  s = make_shape(SIZE_MAX / 2, 4, 5, 5, 4, 3, 3, 1, 1, 1, 1);
  add(s, "too large");

  std::vector<float> x(4096, 1.0f), w(4096, 1.0f), y(16, NAN);
  for (const Bad& b : bad) {
    char why[160] = "";
    size_t oh = 99, ow = 99;
    const int rc = armbench_conv_output(&b.s, &oh, &ow, why, sizeof why);
    CHECK_MSG(rc == -EINVAL, "'%s': rc %d", b.mention, rc);
    CHECK_MSG(strstr(why, b.mention) != nullptr, "reason '%s' does not mention '%s'", why, b.mention);
    armbench_conv_args args{};
    args.shape = b.s;
    args.x = x.data();
    args.w = w.data();
    args.y = y.data();
    for (int ai = 0; ai < ARMBENCH_CONV_ALGO_COUNT; ++ai) {
      const armbench_conv_algo algo = static_cast<armbench_conv_algo>(ai);
      CHECK_MSG(armbench_conv(nullptr, algo, &args) == -EINVAL, "'%s': %s not -EINVAL", b.mention,
                armbench_conv_algo_name(algo));
      const char* r = armbench_conv_algo_unsupported(algo, &b.s);
      CHECK_MSG(r != nullptr && strstr(r, b.mention) != nullptr, "'%s': unsupported says '%s'", b.mention,
                r ? r : "(null)");
      CHECK(armbench_conv_scratch_bytes(algo, &b.s, ARMBENCH_GEMM_F32) == 0);
    }
  }
  bool untouched = true;
  for (float v : y) untouched = untouched && isnan(v);
  CHECK_MSG(untouched, "y written for an invalid shape");
  char tiny[8];
  CHECK(armbench_conv_output(&bad[4].s, nullptr, nullptr, tiny, sizeof tiny) == -EINVAL && strlen(tiny) == 7);
  CHECK(armbench_conv_output(nullptr, nullptr, nullptr, nullptr, 0) == -EINVAL);
}

void test_arguments_and_registry() {
  CHECK(strcmp(armbench_conv_algo_name(ARMBENCH_CONV_REFERENCE), "reference") == 0);
  CHECK(strcmp(armbench_conv_algo_name(ARMBENCH_CONV_IM2COL), "im2col") == 0);
  CHECK(strcmp(armbench_conv_algo_name(ARMBENCH_CONV_IM2COL_TILED), "im2col-tiled") == 0);
  CHECK(strcmp(armbench_conv_algo_name(ARMBENCH_CONV_GEMM_1X1), "gemm-1x1") == 0);
  CHECK(strcmp(armbench_conv_algo_name(ARMBENCH_CONV_DEPTHWISE), "depthwise") == 0);
  CHECK(strcmp(armbench_conv_algo_name(ARMBENCH_CONV_DIRECT_NCHWC), "direct-nchwc") == 0);
  CHECK(armbench_conv_algo_name(ARMBENCH_CONV_ALGO_COUNT) == nullptr);

  const armbench_conv_shape s3 = make_shape(1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1);
  const char* r1 = armbench_conv_algo_unsupported(ARMBENCH_CONV_GEMM_1X1, &s3);
  CHECK(r1 != nullptr && strcmp(r1, "needs a 1x1 kernel with stride 1, no padding and no dilation") == 0);
  const char* r2 = armbench_conv_algo_unsupported(ARMBENCH_CONV_DEPTHWISE, &s3);
  CHECK(r2 != nullptr && strcmp(r2, "needs groups == channels == output channels") == 0);
  CHECK(armbench_conv_algo_unsupported(ARMBENCH_CONV_REFERENCE, &s3) == nullptr);
  CHECK(armbench_conv_algo_unsupported(ARMBENCH_CONV_IM2COL, &s3) == nullptr);
  CHECK(armbench_conv_algo_unsupported(ARMBENCH_CONV_IM2COL_TILED, &s3) == nullptr);
  CHECK(armbench_conv_algo_unsupported(ARMBENCH_CONV_ALGO_COUNT, &s3) != nullptr);

  // Scratch: the whole im2col matrix; the tile bounded; none for the others.
  const armbench_conv_shape big = make_shape(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1);
  CHECK(armbench_conv_scratch_bytes(ARMBENCH_CONV_IM2COL, &big, ARMBENCH_GEMM_F32) == 576u * 3136u * 4u);
  CHECK(armbench_conv_scratch_bytes(ARMBENCH_CONV_IM2COL, &big, ARMBENCH_GEMM_BF16) == 576u * 3136u * 2u);
  const size_t tiled = armbench_conv_scratch_bytes(ARMBENCH_CONV_IM2COL_TILED, &big, ARMBENCH_GEMM_F32);
  CHECK_MSG(tiled > 0 && tiled <= (1u << 20) && tiled % (576u * 4u) == 0, "tiled scratch %zu", tiled);
  CHECK(armbench_conv_scratch_bytes(ARMBENCH_CONV_REFERENCE, &big, ARMBENCH_GEMM_F32) == 0);
  CHECK(armbench_conv_scratch_bytes(ARMBENCH_CONV_GEMM_1X1, &big, ARMBENCH_GEMM_F32) == 0);  // cannot run it
  const armbench_conv_shape one = make_shape(1, 64, 56, 56, 64, 1, 1, 1, 0, 1, 1);
  CHECK(armbench_conv_scratch_bytes(ARMBENCH_CONV_GEMM_1X1, &one, ARMBENCH_GEMM_F32) == 0);

  // Bad arguments: -EINVAL, y untouched.
  std::vector<float> x(100, 1.0f), w(300, 1.0f), y(150, NAN);
  armbench_conv_args a{};
  a.shape = s3;
  a.x = x.data();
  a.w = w.data();
  a.y = y.data();
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_REFERENCE, nullptr) == -EINVAL);
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_ALGO_COUNT, &a) == -EINVAL);
  armbench_conv_args b = a;
  b.x = nullptr;
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &b) == -EINVAL);
  b = a;
  b.y = nullptr;
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &b) == -EINVAL);
  b = a;
  b.dtype = static_cast<armbench_gemm_dtype>(7);
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &b) == -EINVAL);
  b = a;
  b.epilogue.act = ARMBENCH_ACT_CLIP;
  b.epilogue.clip_min = 6.0f;
  b.epilogue.clip_max = 0.0f;
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &b) == -EINVAL);
  b.epilogue.act = static_cast<armbench_conv_activation>(9);
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &b) == -EINVAL);
  bool untouched = true;
  for (float v : y) untouched = untouched && isnan(v);
  CHECK_MSG(untouched, "y written on bad arguments");
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &a) == 0);
}

}  // namespace

// The 1-D F(m, 3) of the matrices in winograd.h, A^T [(G g) . (B^T d)], equals direct
// correlation of random vectors within double rounding.
void test_winograd_matrices() {
  for (unsigned m = 2; m <= 6; m += 2) {
    const armbench::conv::winograd::Transform tr = armbench::conv::winograd::transform_for(m);
    if (!CHECK(tr.m == m && tr.t == m + 2)) continue;
    for (int trial = 0; trial < 20; ++trial) {
      double d[8], g[3], gg[8], bd[8];
      for (unsigned i = 0; i < tr.t; ++i) d[i] = random_value();
      for (double& v : g) v = random_value();
      for (unsigned i = 0; i < tr.t; ++i) {
        gg[i] = tr.g[i * 3] * g[0] + tr.g[i * 3 + 1] * g[1] + tr.g[i * 3 + 2] * g[2];
        bd[i] = 0;
        for (unsigned j = 0; j < tr.t; ++j) bd[i] += tr.bt[i * tr.t + j] * d[j];
      }
      for (unsigned i = 0; i < m; ++i) {
        double y = 0, want = 0, mag = 0;
        for (unsigned j = 0; j < tr.t; ++j) y += tr.at[i * tr.t + j] * gg[j] * bd[j];
        for (unsigned j = 0; j < 3; ++j) want += d[i + j] * g[j], mag += fabs(d[i + j] * g[j]);
        CHECK_MSG(fabs(y - want) <= 1e-13 * (mag + 1), "F(%u, 3) output %u: %.17g, want %.17g", m, i, y, want);
      }
    }
  }
  // The transforms are not the identity in disguise: a wrong entry breaks the identity.
  double bt[16];
  const armbench::conv::winograd::Transform t2 = armbench::conv::winograd::transform_for(2);
  for (int i = 0; i < 16; ++i) bt[i] = t2.bt[i];
  bt[5] = 2;
  const double d[4] = {1, 2, 3, 4}, g[3] = {1, 1, 1};
  double y0 = 0;
  for (unsigned j = 0; j < 4; ++j) {
    const double gg = t2.g[j * 3] * g[0] + t2.g[j * 3 + 1] * g[1] + t2.g[j * 3 + 2] * g[2];
    double bd = 0;
    for (unsigned q = 0; q < 4; ++q) bd += bt[j * 4 + q] * d[q];
    y0 += t2.at[j] * gg * bd;
  }
  CHECK(fabs(y0 - 6.0) > 0.5);
  CHECK(armbench::conv::winograd::transform_for(3).m == 0);
}

// Unsupported shapes, and a plan created once and run on two inputs (1 and 2 threads).
void test_winograd_plan() {
  const armbench_conv_algo wino[3] = {ARMBENCH_CONV_WINOGRAD_F2, ARMBENCH_CONV_WINOGRAD_F4, ARMBENCH_CONV_WINOGRAD_F6};
  std::vector<armbench_conv_shape> refuse = {make_shape(1, 4, 9, 9, 4, 3, 3, 2, 1, 1, 1),
                                             make_shape(1, 4, 9, 9, 4, 3, 3, 1, 2, 2, 1),
                                             make_shape(1, 4, 9, 9, 4, 3, 3, 1, 1, 1, 2),
                                             make_shape(1, 4, 9, 9, 4, 5, 5, 1, 2, 1, 1),
                                             make_shape(1, 4, 9, 9, 4, 1, 1, 1, 0, 1, 1),
                                             make_shape(1, 4, 9, 9, 4, 3, 1, 1, 0, 1, 1)};
  std::vector<float> w(4 * 4 * 25, 0.5f);
  for (const armbench_conv_algo a : wino) {
    for (const armbench_conv_shape& s : refuse) {
      const char* r = armbench_conv_algo_unsupported(a, &s);
      CHECK_MSG(r != nullptr && strcmp(r, kWinogradReason) == 0, "%s: '%s'", armbench_conv_algo_name(a),
                r ? r : "(null)");
      armbench_conv_plan* p = nullptr;
      CHECK(armbench_conv_plan_create(a, &s, ARMBENCH_GEMM_F32, w.data(), &p) == -ENOTSUP && p == nullptr);
      CHECK(armbench_conv_scratch_bytes(a, &s, ARMBENCH_GEMM_F32) == 0);
    }
  }
  armbench_conv_shape s = make_shape(1, 7, 1, 1, 5, 3, 3, 1, 1, 1, 1);  // 1x1 image, pad 1
  s.n = 2;
  for (const armbench_conv_algo a : wino) {
    for (int bf = 0; bf < 2; ++bf) {
      for (const armbench_conv_shape& sh : {s, make_shape(1, 11, 14, 9, 13, 3, 3, 1, 1, 1, 1)}) {
        size_t oh = 0, ow = 0;
        armbench_conv_output(&sh, &oh, &ow, nullptr, 0);
        const size_t ysize = sh.n * sh.k * oh * ow;
        const Tensor wt = make_tensor(sh.k * sh.c * 9, bf != 0);
        const armbench_gemm_dtype dt = bf ? ARMBENCH_GEMM_BF16 : ARMBENCH_GEMM_F32;
        armbench_conv_plan* plan = nullptr;
        if (!CHECK(armbench_conv_plan_create(a, &sh, dt, wt.data(), &plan) == 0)) continue;
        for (int run = 0; run < 2; ++run) {
          const Tensor x = make_tensor(sh.n * sh.c * sh.h * sh.w, bf != 0);
          std::vector<float> want(ysize), y(ysize, NAN), y2(ysize, NAN);
          armbench_conv_args ref{};
          ref.shape = sh;
          ref.dtype = dt;
          ref.x = x.data();
          ref.w = wt.data();
          ref.y = want.data();
          CHECK(armbench_conv(nullptr, ARMBENCH_CONV_REFERENCE, &ref) == 0);
          CHECK(armbench_conv_plan_run(nullptr, plan, x.data(), y.data(), nullptr) == 0);
          CHECK(armbench_conv_plan_run(pool2, plan, x.data(), y2.data(), nullptr) == 0);
          double worst = 0;
          for (size_t i = 0; i < ysize; ++i) worst = std::max(worst, fabs(static_cast<double>(y[i]) - want[i]));
          // |x w| <= 1: the scale is at most c * 9.
          CHECK_MSG(worst <= 2 * error_unit(a, bf != 0, sh.c * 9) * sh.c * 9, "%s plan run %d: off by %g",
                    armbench_conv_algo_name(a), run, worst);
          CHECK_MSG(memcmp(y.data(), y2.data(), ysize * sizeof(float)) == 0, "%s plan: 2 threads differ",
                    armbench_conv_algo_name(a));
        }
        armbench_conv_plan_free(plan);
      }
    }
  }
}

// The layout transforms: the block this CPU uses, exact round trips for channel counts
// around the block (padding channels zero), -EINVAL on bad arguments.
void test_nchwc_transforms() {
  const size_t blk = armbench_nchwc_block();
  CHECK_MSG(blk == 4 || blk == 8 || blk == 16, "block %zu", blk);
  for (const size_t block : {blk, size_t{4}, size_t{8}, size_t{16}, size_t{1}, size_t{3}}) {
    for (const size_t c : {size_t{1}, block - (block > 1 ? 1 : 0), block, block + 1, 2 * block + 3}) {
      const size_t n = 2, h = 3, w = 5, cb = (c + block - 1) / block;
      std::vector<float> x(n * c * h * w), blocked(n * cb * h * w * block, NAN), back(x.size(), NAN);
      for (float& v : x) v = random_value();
      if (!CHECK(armbench_nchw_to_nchwc(x.data(), n, c, h, w, block, blocked.data()) == 0)) continue;
      bool placed = true, zero = true;
      for (size_t b = 0; b < n; ++b) {
        for (size_t q = 0; q < cb * block; ++q) {
          for (size_t p = 0; p < h * w; ++p) {
            const float v = blocked[((b * cb + q / block) * h * w + p) * block + q % block];
            if (q < c) {
              placed = placed && v == x[(b * c + q) * h * w + p];
            } else {
              zero = zero && v == 0.0f && !signbit(v);
            }
          }
        }
      }
      CHECK_MSG(placed, "nchw->nchwc c=%zu block=%zu: misplaced", c, block);
      CHECK_MSG(zero, "nchw->nchwc c=%zu block=%zu: padding channels not zero", c, block);
      CHECK(armbench_nchwc_to_nchw(blocked.data(), n, c, h, w, block, back.data()) == 0);
      CHECK_MSG(memcmp(x.data(), back.data(), x.size() * sizeof(float)) == 0, "round trip c=%zu block=%zu", c, block);
    }
  }
  std::vector<float> a(64, 1.0f), b(64, NAN);
  CHECK(armbench_nchw_to_nchwc(nullptr, 1, 2, 2, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchw_to_nchwc(a.data(), 1, 2, 2, 2, 4, nullptr) == -EINVAL);
  CHECK(armbench_nchw_to_nchwc(a.data(), 0, 2, 2, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchw_to_nchwc(a.data(), 1, 0, 2, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchw_to_nchwc(a.data(), 1, 2, 0, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchw_to_nchwc(a.data(), 1, 2, 2, 0, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchw_to_nchwc(a.data(), 1, 2, 2, 2, 0, b.data()) == -EINVAL);
  CHECK(armbench_nchwc_to_nchw(nullptr, 1, 2, 2, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchwc_to_nchw(a.data(), 1, 2, 2, 2, 4, nullptr) == -EINVAL);
  CHECK(armbench_nchwc_to_nchw(a.data(), 0, 2, 2, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchwc_to_nchw(a.data(), 1, 0, 2, 2, 4, b.data()) == -EINVAL);
  CHECK(armbench_nchwc_to_nchw(a.data(), 1, 2, 2, 2, 0, b.data()) == -EINVAL);
  bool untouched = true;
  for (float v : b) untouched = untouched && isnan(v);
  CHECK_MSG(untouched, "transform wrote on bad arguments");
}

// direct-nchwc: grouped shapes other than depthwise refused with the reason and -ENOTSUP
// (no plan), depthwise ones run (checked against the reference with the rest); a plan
// packs once and runs on two inputs, 1 and 2 threads giving the same bits, with a row
// longer than every kernel's register tile (several tiles per row, uneven split).
void test_nchwc_plan() {
  const armbench_conv_algo a = ARMBENCH_CONV_DIRECT_NCHWC;
  std::vector<float> w(4 * 4 * 25, 0.5f);
  const armbench_conv_shape dw = make_shape(1, 4, 9, 9, 4, 3, 3, 1, 1, 1, 4);
  CHECK(armbench_conv_algo_unsupported(a, &dw) == nullptr);
  for (const armbench_conv_shape& s : {make_shape(1, 4, 9, 9, 4, 3, 3, 1, 1, 1, 2),
                                       make_shape(1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 4)}) {
    const char* r = armbench_conv_algo_unsupported(a, &s);
    CHECK_MSG(r != nullptr && strcmp(r, kNchwcReason) == 0, "grouped: '%s'", r ? r : "(null)");
    armbench_conv_plan* p = nullptr;
    CHECK(armbench_conv_plan_create(a, &s, ARMBENCH_GEMM_F32, w.data(), &p) == -ENOTSUP && p == nullptr);
  }
  const armbench_conv_shape strided = make_shape(1, 4, 9, 9, 4, 5, 5, 3, 2, 2, 1);
  CHECK(armbench_conv_algo_unsupported(a, &strided) == nullptr);
  for (int bf = 0; bf < 2; ++bf) {
    const armbench_conv_shape sh = make_shape(2, 19, 5, 37, 21, 3, 3, 1, 1, 1, 1);
    size_t oh = 0, ow = 0;
    armbench_conv_output(&sh, &oh, &ow, nullptr, 0);
    const size_t ysize = sh.n * sh.k * oh * ow;
    const Tensor wt = make_tensor(sh.k * sh.c * 9, bf != 0);
    const armbench_gemm_dtype dt = bf ? ARMBENCH_GEMM_BF16 : ARMBENCH_GEMM_F32;
    armbench_conv_plan* plan = nullptr;
    if (!CHECK(armbench_conv_plan_create(a, &sh, dt, wt.data(), &plan) == 0)) continue;
    for (int run = 0; run < 2; ++run) {
      const Tensor x = make_tensor(sh.n * sh.c * sh.h * sh.w, bf != 0);
      std::vector<float> want(ysize), y(ysize, NAN), y2(ysize, NAN);
      armbench_conv_args ref{};
      ref.shape = sh;
      ref.dtype = dt;
      ref.x = x.data();
      ref.w = wt.data();
      ref.y = want.data();
      CHECK(armbench_conv(nullptr, ARMBENCH_CONV_REFERENCE, &ref) == 0);
      CHECK(armbench_conv_plan_run(nullptr, plan, x.data(), y.data(), nullptr) == 0);
      CHECK(armbench_conv_plan_run(pool2, plan, x.data(), y2.data(), nullptr) == 0);
      double worst = 0;
      for (size_t i = 0; i < ysize; ++i) worst = std::max(worst, fabs(static_cast<double>(y[i]) - want[i]));
      // |x w| <= 1: the scale is at most c * 9.
      CHECK_MSG(worst <= (sh.c * 9 + 4) * ldexp(1.0, -23) * sh.c * 9, "direct-nchwc plan run %d: off by %g", run,
                worst);
      CHECK_MSG(memcmp(y.data(), y2.data(), ysize * sizeof(float)) == 0, "direct-nchwc plan: 2 threads differ");
    }
    armbench_conv_plan_free(plan);
  }
}

int main() {
  if (armbench_gemm_pool_create(2, nullptr, &pool2) != 0) pool2 = nullptr;
  CHECK(pool2 != nullptr);
  test_arguments_and_registry();
  test_invalid_shapes();
  test_winograd_matrices();
  test_winograd_plan();
  test_nchwc_transforms();
  test_nchwc_plan();
  test_shapes();
  if (pool2 != nullptr) armbench_gemm_pool_destroy(pool2);
  for (int ai = ARMBENCH_CONV_IM2COL; ai < ARMBENCH_CONV_ALGO_COUNT; ++ai) {
    printf("%s: worst error %.3g x the GEMM bound\n", armbench_conv_algo_name(static_cast<armbench_conv_algo>(ai)),
           worst_ratio[ai]);
    if (worst_bf16_winograd[ai] > 0) {
      printf("%s bf16: worst error %.3g x 2^-8 x scale\n", armbench_conv_algo_name(static_cast<armbench_conv_algo>(ai)),
             worst_bf16_winograd[ai]);
    }
  }
  return check::summary("test_conv");
}
