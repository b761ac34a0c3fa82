// The direct NCHWc row kernels one by one, against double sums of the formula in
// nchwc.h: every kernel this CPU runs, not only the one the dispatcher picks, so the
// AVX2 kernel is checked on an AVX-512 machine and the fp32 NEON kernel beside BFDOT
// under qemu -cpu max. Rows of 1 to 31 pixels exercise every register-tile split;
// strided pixels (stride 2) and dilated taps, several channel blocks, 1x1 and 3x3.
// Bound: (taps + 4) * 2^-24 * sum |x w| per output (fp32 accumulation; bf16 products
// are exact in fp32).
//
// The multi-block kernels (kMultiBlocks output blocks at once, fused epilogue) must give
// the bits of their ISA's row kernel followed by the epilogue's sums and selects, for
// every epilogue form, with the output blocks and the residual at a stride of their own,
// and with a last input block of 1, 3 or all channels (the rest zero, and skipped).
// The depthwise kernels likewise, with the epilogue fused; the separate epilogue's
// vector forms (NchwcEpilogue) give apply_epilogue_blocked's bits, NaN, signed zeros
// and infinities among the values, padding channels zeroed.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <vector>

#include "../src/conv/conv_internal.h"
#include "../src/conv/nchwc.h"
#include "armbench/cpu_features.h"
#include "check.h"
#include "test_data.h"

using armbench::conv::kMultiBlocks;
using armbench::conv::NchwcDepthwiseKernel;
using armbench::conv::NchwcDepthwiseRow;
using armbench::conv::NchwcEpilogue;
using armbench::conv::kMultiRows;
using armbench::conv::NchwcMulti;
using armbench::conv::NchwcMultiBf16;
using armbench::conv::NchwcMultiBf16Kernel;
using armbench::conv::NchwcMultiKernel;
using armbench::conv::NchwcRow;
using armbench::conv::NchwcRowBf16;
using armbench::conv::NchwcRowBf16Kernel;
using armbench::conv::NchwcRowKernel;

namespace {

struct Geometry {
  size_t blk, npix, stride, dil, cblocks, r, s;
  // A padded input wide and tall enough for every tap of every pixel.
  size_t wp() const { return (npix - 1) * stride + (s - 1) * dil + 1; }
  size_t hp() const { return (r - 1) * dil + 1; }
  size_t x_count() const { return cblocks * hp() * wp() * blk; }
  size_t w_count() const { return cblocks * r * s * blk * blk; }
};

// out[p * blk + o] and its scale, in double, from widened operands in the fp32 weight
// order ([cb][i][j][ci][o]); xf/wf hold the exact values the kernel multiplies.
void oracle(const Geometry& g, const std::vector<double>& xf, const std::vector<double>& wf, std::vector<double>* out,
            std::vector<double>* mag) {
  const size_t blk = g.blk, wp = g.wp(), hp = g.hp();
  out->assign(g.npix * blk, 0.0);
  mag->assign(g.npix * blk, 0.0);
  for (size_t p = 0; p < g.npix; ++p) {
    for (size_t o = 0; o < blk; ++o) {
      double sum = 0, m = 0;
      for (size_t cb = 0; cb < g.cblocks; ++cb) {
        for (size_t i = 0; i < g.r; ++i) {
          for (size_t j = 0; j < g.s; ++j) {
            for (size_t ci = 0; ci < blk; ++ci) {
              const double xv = xf[((cb * hp + i * g.dil) * wp + p * g.stride + j * g.dil) * blk + ci];
              const double wv = wf[(((cb * g.r + i) * g.s + j) * blk + ci) * blk + o];
              sum += xv * wv;
              m += fabs(xv * wv);
            }
          }
        }
      }
      (*out)[p * blk + o] = sum;
      (*mag)[p * blk + o] = m;
    }
  }
}

bool within(const Geometry& g, const std::vector<float>& y, const std::vector<double>& want,
            const std::vector<double>& mag, const char* name) {
  const double unit = static_cast<double>(g.cblocks * g.r * g.s * g.blk + 4) * ldexp(1.0, -24);
  for (size_t e = 0; e < y.size(); ++e) {
    if (!(fabs(y[e] - want[e]) <= unit * mag[e])) {
      fprintf(stderr, "    %s blk=%zu npix=%zu stride=%zu dil=%zu cblocks=%zu %zux%zu: [%zu] = %.9g, want %.9g\n", name,
              g.blk, g.npix, g.stride, g.dil, g.cblocks, g.r, g.s, e, y[e], want[e]);
      return false;
    }
  }
  return true;
}

NchwcRow row_args(const Geometry& g) {
  NchwcRow a{};
  a.npix = g.npix;
  a.pix_stride = g.stride * g.blk;
  a.cb_stride = g.hp() * g.wp() * g.blk;
  a.row_stride = g.dil * g.wp() * g.blk;
  a.col_stride = g.dil * g.blk;
  a.cblocks = g.cblocks;
  a.r = g.r;
  a.s = g.s;
  return a;
}

void check_f32(NchwcRowKernel k, size_t blk, const char* name) {
  for (const size_t npix : {1, 2, 5, 13, 14, 15, 28, 31}) {
    for (const Geometry& g : {Geometry{blk, npix, 1, 1, 2, 3, 3}, Geometry{blk, npix, 2, 1, 1, 3, 3},
                              Geometry{blk, npix, 1, 2, 1, 3, 3}, Geometry{blk, npix, 1, 1, 3, 1, 1}}) {
      std::vector<float> x(g.x_count()), w(g.w_count()), y(npix * blk, NAN);
      std::vector<double> xf(x.size()), wf(w.size()), want, mag;
      for (size_t i = 0; i < x.size(); ++i) xf[i] = x[i] = test_data::random_value();
      for (size_t i = 0; i < w.size(); ++i) wf[i] = w[i] = test_data::random_value();
      NchwcRow a = row_args(g);
      a.x = x.data();
      a.w = w.data();
      a.y = y.data();
      k(a);
      oracle(g, xf, wf, &want, &mag);
      CHECK(within(g, y, want, mag, name));
    }
  }
}

void check_bf16(NchwcRowBf16Kernel k, size_t blk, const char* name) {
  for (const size_t npix : {1, 2, 5, 13, 14, 15, 28, 31}) {
    for (const Geometry& g : {Geometry{blk, npix, 1, 1, 2, 3, 3}, Geometry{blk, npix, 2, 1, 1, 3, 3},
                              Geometry{blk, npix, 1, 2, 1, 3, 3}, Geometry{blk, npix, 1, 1, 3, 1, 1}}) {
      std::vector<uint16_t> x(g.x_count()), w(g.w_count());
      std::vector<double> xf(x.size()), wf(w.size()), want, mag;
      for (size_t i = 0; i < x.size(); ++i) {
        x[i] = test_data::f32_to_bf16_trunc(test_data::random_value());
        xf[i] = test_data::bf16_to_f32(x[i]);
      }
      // The oracle's weights in the fp32 order; the kernel's by channel pairs.
      for (size_t cb = 0; cb < g.cblocks; ++cb) {
        for (size_t t = 0; t < g.r * g.s; ++t) {
          for (size_t ci = 0; ci < blk; ++ci) {
            for (size_t o = 0; o < blk; ++o) {
              const uint16_t h = test_data::f32_to_bf16_trunc(test_data::random_value());
              wf[((cb * g.r * g.s + t) * blk + ci) * blk + o] = test_data::bf16_to_f32(h);
              w[(((cb * g.r * g.s + t) * (blk / 2) + ci / 2) * blk + o) * 2 + ci % 2] = h;
            }
          }
        }
      }
      std::vector<float> y(npix * blk, NAN);
      const NchwcRow f = row_args(g);
      NchwcRowBf16 a{x.data(), w.data(), y.data(), f.npix, f.pix_stride, f.cb_stride, f.row_stride, f.col_stride,
                     f.cblocks, f.r, f.s};
      k(a);
      oracle(g, xf, wf, &want, &mag);
      CHECK(within(g, y, want, mag, name));
    }
  }
}

// A multi-block kernel's arguments with the row's geometry (f), no epilogue yet.
template <typename M, typename E>
M multi_args(const NchwcRow& f, const E* x, const E* w, float* y, size_t cin_last, size_t ystride) {
  M a{};
  a.x = x;
  a.w = w;
  a.y = y;
  a.npix = f.npix;
  a.pix_stride = f.pix_stride;
  a.cb_stride = f.cb_stride;
  a.row_stride = f.row_stride;
  a.col_stride = f.col_stride;
  a.cblocks = f.cblocks;
  a.r = f.r;
  a.s = f.s;
  a.cin_last = cin_last;
  a.y_block_stride = ystride;
  return a;
}

// The epilogue forms the fused kernels are checked with: none, bias alone, the residual
// with and without a bias (the latter adds +0.0 as a zero bias would), ReLU and Clip.
struct Epilogue {
  bool bias, residual;
  armbench_conv_activation act;
};
const Epilogue forms[] = {{false, false, ARMBENCH_ACT_NONE}, {true, false, ARMBENCH_ACT_RELU},
                          {true, true, ARMBENCH_ACT_RELU},   {false, true, ARMBENCH_ACT_CLIP},
                          {true, false, ARMBENCH_ACT_NONE},  {true, true, ARMBENCH_ACT_CLIP}};

// apply_epilogue_blocked's sums and selects on one value.
float epilogue_value(float v, const float* bias, const float* res, armbench_conv_activation act, float lo, float hi) {
  if (res != nullptr) {
    v = v + (bias != nullptr ? *bias : 0.0f) + *res;
  } else if (bias != nullptr) {
    v += *bias;
  }
  if (act == ARMBENCH_ACT_RELU) v = v < 0.0f ? 0.0f : v;
  if (act == ARMBENCH_ACT_CLIP) v = v < lo ? lo : (v > hi ? hi : v);
  return v;
}

void check_multi(NchwcMultiKernel k, NchwcRowKernel row, size_t blk, const char* name) {
  const size_t F = kMultiBlocks;
  size_t mismatches = 0;
  // One row, and kMultiRows rows (the second row's inputs a frame of their own,
  // x_row_step on; its outputs after both blocks of the first): 7 and 14 pixels are the
  // two-row tiles' widths with a leftover, 8 and 24 the one-row tiles'.
  for (const size_t rows : {size_t{1}, kMultiRows}) {
  for (const size_t npix : {1, 2, 5, 7, 8, 11, 12, 13, 14, 24, 31}) {
    for (const Geometry& g : {Geometry{blk, npix, 1, 1, 2, 3, 3}, Geometry{blk, npix, 2, 1, 1, 3, 3},
                              Geometry{blk, npix, 1, 2, 1, 3, 3}, Geometry{blk, npix, 1, 1, 3, 1, 1},
                              Geometry{blk, npix, 2, 1, 2, 1, 1}}) {
      for (const Epilogue& e : forms) {
       for (const size_t cin_last : {blk, size_t{3}, size_t{1}}) {
        const size_t taps = g.r * g.s, wc = g.w_count();
        std::vector<float> x(rows * g.x_count()), wrow(F * wc), wm(F * wc);
        for (float& v : x) v = test_data::random_value();
        for (float& v : wrow) v = test_data::random_value();
        // The last input block's channels past cin_last are zero in x and in the weights,
        // as the layout and the packing leave them.
        const size_t last = g.cblocks - 1, plane = g.hp() * g.wp();
        for (size_t k = 0; k < rows; ++k)
          for (size_t q = 0; q < plane; ++q)
            for (size_t ci = cin_last; ci < blk; ++ci) x[k * g.x_count() + (last * plane + q) * blk + ci] = 0.0f;
        for (size_t b = 0; b < F; ++b)
          for (size_t t = 0; t < taps; ++t)
            for (size_t ci = cin_last; ci < blk; ++ci)
              for (size_t o = 0; o < blk; ++o) wrow[b * wc + ((last * taps + t) * blk + ci) * blk + o] = 0.0f;
        // Block b's row-order weights side by side per input channel and tap.
        for (size_t b = 0; b < F; ++b) {
          for (size_t q = 0; q < g.cblocks * taps * blk; ++q) {
            for (size_t o = 0; o < blk; ++o) wm[(q * F + b) * blk + o] = wrow[b * wc + q * blk + o];
          }
        }
        const size_t ystride = npix * blk + 2 * blk;  // blocks apart by more than a row
        const size_t yrow = F * ystride;              // rows after both blocks
        std::vector<float> y(rows * yrow, NAN), res(rows * yrow), bias(F * blk);
        for (float& v : res) v = test_data::random_value();
        for (float& v : bias) v = test_data::random_value();
        const NchwcRow f = row_args(g);
        NchwcMulti a = multi_args<NchwcMulti>(f, x.data(), wm.data(), y.data(), cin_last, ystride);
        a.bias = e.bias ? bias.data() : nullptr;
        a.residual = e.residual ? res.data() : nullptr;
        a.act = e.act;
        a.lo = e.act == ARMBENCH_ACT_RELU ? 0.0f : -0.25f;
        a.hi = 0.25f;
        a.rows = rows;
        a.x_row_step = g.x_count();
        a.y_row_step = yrow;
        k(a);
        for (size_t kr = 0; kr < rows; ++kr) {
          for (size_t b = 0; b < F; ++b) {
            std::vector<float> yr(npix * blk, NAN);
            NchwcRow r = f;
            r.x = x.data() + kr * g.x_count();
            r.w = wrow.data() + b * wc;
            r.y = yr.data();
            row(r);
            for (size_t i = 0; i < npix * blk; ++i) {
              const size_t at = kr * yrow + b * ystride + i;
              const float want = epilogue_value(yr[i], e.bias ? &bias[b * blk + i % blk] : nullptr,
                                                e.residual ? &res[at] : nullptr, e.act, a.lo, a.hi);
              if (memcmp(&want, &y[at], sizeof want) != 0) {
                if (mismatches++ < 5)
                  fprintf(stderr, "    %s multi npix=%zu rows=%zu stride=%zu %zux%zu cin_last=%zu row %zu block %zu [%zu] = %.9g, want %.9g\n",
                          name, npix, rows, g.stride, g.r, g.s, cin_last, kr, b, i, y[at], want);
              }
            }
          }
        }
       }
      }
    }
  }
  }
  CHECK(mismatches == 0);
}

// The bf16 two-block kernels against their ISA's bf16 row kernel, as check_multi.
void check_multi_bf16(NchwcMultiBf16Kernel k, NchwcRowBf16Kernel row, size_t blk, const char* name) {
  const size_t F = kMultiBlocks;
  size_t mismatches = 0;
  for (const size_t rows : {size_t{1}, kMultiRows}) {
  for (const size_t npix : {1, 5, 7, 8, 12, 13, 14, 31}) {
    for (const Geometry& g : {Geometry{blk, npix, 1, 1, 2, 3, 3}, Geometry{blk, npix, 2, 1, 1, 3, 3},
                              Geometry{blk, npix, 1, 1, 3, 1, 1}, Geometry{blk, npix, 2, 1, 2, 1, 1}}) {
      for (const armbench_conv_activation act : {ARMBENCH_ACT_NONE, ARMBENCH_ACT_RELU}) {
        for (const size_t cin_last : {blk, size_t{3}, size_t{1}}) {
          const size_t taps = g.r * g.s, wc = g.w_count(), last = g.cblocks - 1, plane = g.hp() * g.wp();
          std::vector<uint16_t> x(rows * g.x_count()), wrow(F * wc), wm(F * wc);
          for (uint16_t& v : x) v = test_data::f32_to_bf16_trunc(test_data::random_value());
          for (uint16_t& v : wrow) v = test_data::f32_to_bf16_trunc(test_data::random_value());
          for (size_t k = 0; k < rows; ++k)
            for (size_t q = 0; q < plane; ++q)
              for (size_t ci = cin_last; ci < blk; ++ci) x[k * g.x_count() + (last * plane + q) * blk + ci] = 0;
          // Row order per block: [cb][t][pair][o][2]; the group's: [cb][t][pair][b][o][2].
          for (size_t b = 0; b < F; ++b) {
            for (size_t cb = 0; cb < g.cblocks; ++cb)
              for (size_t t = 0; t < taps; ++t)
                for (size_t ci = 0; ci < blk; ++ci)
                  for (size_t o = 0; o < blk; ++o) {
                    const size_t r = (((cb * taps + t) * (blk / 2) + ci / 2) * blk + o) * 2 + ci % 2;
                    if (cb == last && ci >= cin_last) wrow[b * wc + r] = 0;
                    wm[((((cb * taps + t) * (blk / 2) + ci / 2) * F + b) * blk + o) * 2 + ci % 2] = wrow[b * wc + r];
                  }
          }
          const size_t ystride = npix * blk + 3 * blk;
          const size_t yrow = F * ystride;
          std::vector<float> y(rows * yrow, NAN), res(rows * yrow), bias(F * blk);
          for (float& v : res) v = test_data::random_value();
          for (float& v : bias) v = test_data::random_value();
          const NchwcRow f = row_args(g);
          NchwcMultiBf16 a = multi_args<NchwcMultiBf16>(f, x.data(), wm.data(), y.data(), cin_last, ystride);
          a.bias = bias.data();
          a.residual = res.data();
          a.act = act;
          a.rows = rows;
          a.x_row_step = g.x_count();
          a.y_row_step = yrow;
          k(a);
          for (size_t kr = 0; kr < rows; ++kr) {
            for (size_t b = 0; b < F; ++b) {
              std::vector<float> yr(npix * blk, NAN);
              NchwcRowBf16 r{x.data() + kr * g.x_count(), wrow.data() + b * wc, yr.data(), f.npix, f.pix_stride,
                             f.cb_stride, f.row_stride, f.col_stride, f.cblocks, f.r, f.s};
              row(r);
              for (size_t i = 0; i < npix * blk; ++i) {
                const size_t at = kr * yrow + b * ystride + i;
                const float want = epilogue_value(yr[i], &bias[b * blk + i % blk], &res[at], act, 0.0f, 0.0f);
                if (memcmp(&want, &y[at], sizeof want) != 0 && mismatches++ < 5)
                  fprintf(stderr, "    %s multi bf16 npix=%zu rows=%zu %zux%zu cin_last=%zu row %zu block %zu [%zu] = %.9g, want %.9g\n",
                          name, npix, rows, g.r, g.s, cin_last, kr, b, i, y[at], want);
              }
            }
          }
        }
      }
    }
  }
  }
  CHECK(mismatches == 0);
}

// The depthwise row kernels against double sums of NchwcDepthwiseRow's formula, and bit
// for bit against its order (sequential fmaf), over 1 to 7 output rows per call (groups of
// kDepthwiseRows and the rows left over, an odd count, the last row alone) at vertical
// strides 1 and 2.
void check_depthwise(NchwcDepthwiseKernel k, size_t blk, const char* name) {
  size_t bad = 0;
  // Every tile width of the fixed 3x3 and 5x5 tiles (stride 1 and 2, dilation 1) and the
  // fallback's (dilation 2, a 3x1 and 1x3 tap), rows of 16 pixels and more.
  for (const size_t npix : {1, 5, 7, 12, 14, 16, 17, 28, 31, 40}) {
    for (const Geometry& g : {Geometry{blk, npix, 1, 1, 1, 3, 3}, Geometry{blk, npix, 2, 1, 1, 3, 3},
                              Geometry{blk, npix, 1, 1, 1, 5, 5}, Geometry{blk, npix, 2, 1, 1, 5, 5},
                              Geometry{blk, npix, 1, 2, 1, 5, 5}, Geometry{blk, npix, 1, 1, 1, 3, 1},
                              Geometry{blk, npix, 3, 1, 1, 1, 3}}) {
      for (const size_t rows : {1, 2, 3, 4, 7}) {
        for (const size_t vstride : {1, 2}) {
         for (const Epilogue& e : forms) {
          if (rows == 1 && vstride == 2) continue;
          const size_t wp = g.wp(), hp = (rows - 1) * vstride + g.hp();
          // y rows one pixel further apart than npix, so a kernel that ignores y_row_step fails.
          const size_t y_step = (npix + 1) * blk;
          std::vector<float> x(hp * wp * blk), w(g.r * g.s * blk), y(rows * y_step, NAN), bias(blk), res(rows * y_step);
          for (float& v : x) v = test_data::random_value();
          for (float& v : w) v = test_data::random_value();
          for (float& v : bias) v = test_data::random_value();
          for (float& v : res) v = test_data::random_value();
          NchwcDepthwiseRow a{x.data(), w.data(), y.data(), npix, g.stride * blk, g.dil * wp * blk, g.dil * blk, g.r, g.s};
          a.rows = rows;
          a.x_row_step = vstride * wp * blk;
          a.y_row_step = y_step;
          a.bias = e.bias ? bias.data() : nullptr;
          a.residual = e.residual ? res.data() : nullptr;
          a.act = e.act;
          a.lo = e.act == ARMBENCH_ACT_RELU ? 0.0f : -0.25f;
          a.hi = 0.25f;
          k(a);
          for (size_t o = 0; o < rows; ++o) {
            for (size_t p = 0; p < npix; ++p) {
              for (size_t l = 0; l < blk; ++l) {
                double want = 0, mag = 0;
                float seq = 0.0f;  // the contract's order, one fused multiply-add per tap
                for (size_t i = 0; i < g.r; ++i)
                  for (size_t j = 0; j < g.s; ++j) {
                    const float xv = x[((o * vstride + i * g.dil) * wp + p * g.stride + j * g.dil) * blk + l];
                    const float wv = w[(i * g.s + j) * blk + l];
                    const double prod = static_cast<double>(xv) * wv;
                    want += prod;
                    mag += fabs(prod);
                    seq = fmaf(xv, wv, seq);
                  }
                const float got = y[o * y_step + p * blk + l];
                const size_t at = o * y_step + p * blk + l;
                const float fin = epilogue_value(seq, e.bias ? &bias[l] : nullptr, e.residual ? &res[at] : nullptr,
                                                 e.act, a.lo, a.hi);
                const bool plain = !e.bias && !e.residual && e.act == ARMBENCH_ACT_NONE;
                const bool close = !plain || fabs(got - want) <= (g.r * g.s + 4) * ldexp(1.0, -24) * mag;
                if (!(close && memcmp(&got, &fin, sizeof got) == 0) && bad++ < 5)
                  fprintf(stderr,
                          "    %s depthwise npix=%zu %zux%zu stride %zu dil %zu rows %zu/%zu epilogue %d%d%d [%zu][%zu][%zu] = %.9g, want %.9g (in order: %.9g)\n",
                          name, npix, g.r, g.s, g.stride, g.dil, rows, vstride, e.bias, e.residual, e.act, o, p, l,
                          got, want, fin);
              }
            }
            // The gap between rows is not written.
            for (size_t l = npix * blk; l < y_step; ++l)
              if (!isnan(y[o * y_step + l]) && bad++ < 5) fprintf(stderr, "    %s depthwise wrote past row %zu\n", name, o);
          }
         }
        }
      }
    }
  }
  CHECK(bad == 0);
}

// The separate epilogue's vector form against apply_epilogue_blocked, bit for bit, on a
// whole block and on a last block of 1 and blk - 1 channels (the bias exactly k long:
// a read past it lands in lanes that are zeroed, so only a memory checker such as ASan
// would report it), every activation, with and without bias
// and residual, over values that include NaN, both zeros, both infinities and the bounds.
void check_epilogue(NchwcEpilogue f, size_t blk, const char* name) {
  size_t bad = 0;
  const float specials[] = {NAN, 0.0f, -0.0f, INFINITY, -INFINITY, 0.25f, -0.25f, 1e-30f, -1e-30f};
  const size_t npix = 13;
  for (const size_t k : {2 * blk, blk + 1, 2 * blk - 1}) {
    for (const armbench_conv_activation act : {ARMBENCH_ACT_NONE, ARMBENCH_ACT_RELU, ARMBENCH_ACT_CLIP}) {
      for (int form = 0; form < 4; ++form) {
        std::vector<float> bias(k), y0(npix * blk), res(npix * blk);
        for (float& v : bias) v = test_data::random_value();
        for (size_t i = 0; i < y0.size(); ++i)
          y0[i] = i % 3 == 0 ? specials[(i / 3) % (sizeof specials / sizeof specials[0])] : test_data::random_value();
        for (size_t i = 0; i < res.size(); ++i) res[i] = i % 7 == 0 ? -0.0f : test_data::random_value();
        armbench_conv_epilogue e{};
        e.bias = (form & 1) != 0 ? bias.data() : nullptr;
        e.act = act;
        e.clip_min = -0.25f;
        e.clip_max = 0.25f;
        const float* r = (form & 2) != 0 ? res.data() : nullptr;
        std::vector<float> want = y0, got = y0;
        armbench::conv::apply_epilogue_blocked(e, want.data(), r, k, 1, blk, npix);
        f(e, got.data(), r, k, 1, npix);
        for (size_t i = 0; i < got.size(); ++i)
          if (memcmp(&got[i], &want[i], sizeof got[i]) != 0 && bad++ < 5)
            fprintf(stderr, "    %s epilogue k=%zu act %d form %d [%zu] = %.9g, want %.9g\n", name, k, act, form, i,
                    got[i], want[i]);
      }
    }
  }
  CHECK(bad == 0);
}

}  // namespace

int main() {
  int ran = 0;
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench::conv::nchwc_row_avx512()) {
    check_f32(armbench::conv::nchwc_row_avx512(), 16, "avx512");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench_cpu_has(ARMBENCH_FEATURE_FMA) && armbench::conv::nchwc_row_avx2()) {
    check_f32(armbench::conv::nchwc_row_avx2(), 8, "avx2");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && armbench::conv::nchwc_row_neon()) {
    check_f32(armbench::conv::nchwc_row_neon(), 4, "neon");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512_BF16) && armbench::conv::nchwc_row_bf16_avx512bf16()) {
    check_bf16(armbench::conv::nchwc_row_bf16_avx512bf16(), 16, "avx512_bf16");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_BF16) && armbench::conv::nchwc_row_bf16_bfdot()) {
    check_bf16(armbench::conv::nchwc_row_bf16_bfdot(), 4, "bfdot");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench::conv::nchwc_multi_avx512()) {
    check_multi(armbench::conv::nchwc_multi_avx512(), armbench::conv::nchwc_row_avx512(), 16, "avx512");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench_cpu_has(ARMBENCH_FEATURE_FMA) && armbench::conv::nchwc_multi_avx2()) {
    check_multi(armbench::conv::nchwc_multi_avx2(), armbench::conv::nchwc_row_avx2(), 8, "avx2");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && armbench::conv::nchwc_multi_neon()) {
    check_multi(armbench::conv::nchwc_multi_neon(), armbench::conv::nchwc_row_neon(), 4, "neon");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512_BF16) && armbench::conv::nchwc_multi_bf16_avx512bf16()) {
    check_multi_bf16(armbench::conv::nchwc_multi_bf16_avx512bf16(), armbench::conv::nchwc_row_bf16_avx512bf16(), 16,
                     "avx512_bf16");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_BF16) && armbench::conv::nchwc_multi_bf16_bfdot()) {
    check_multi_bf16(armbench::conv::nchwc_multi_bf16_bfdot(), armbench::conv::nchwc_row_bf16_bfdot(), 4, "bfdot");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench::conv::nchwc_depthwise_avx512()) {
    check_depthwise(armbench::conv::nchwc_depthwise_avx512(), 16, "avx512");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench_cpu_has(ARMBENCH_FEATURE_FMA) &&
      armbench::conv::nchwc_depthwise_avx2()) {
    check_depthwise(armbench::conv::nchwc_depthwise_avx2(), 8, "avx2");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && armbench::conv::nchwc_depthwise_neon()) {
    check_depthwise(armbench::conv::nchwc_depthwise_neon(), 4, "neon");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench::conv::nchwc_epilogue_avx512()) {
    check_epilogue(armbench::conv::nchwc_epilogue_avx512(), 16, "avx512");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench::conv::nchwc_epilogue_avx2()) {
    check_epilogue(armbench::conv::nchwc_epilogue_avx2(), 8, "avx2");
    ++ran;
  }
  printf("%d NCHWc kernels checked on this CPU\n", ran);
  // Every x86-64 and aarch64 CPU this project targets has at least one vector kernel.
  CHECK(ran >= 1);
  return check::summary("test_nchwc_kernels");
}
