// Direct convolution in the channel-blocked NCHWc layout (the NCHW44 / NBCX layouts of
// MegEngine and OpenPPL), and the NCHW <-> NCHWc transforms.
//
// Block: the SIMD width in floats, chosen once at run time with its inner kernel
// (nchwc.h): 16 with AVX-512F, 8 with AVX2 + FMA, 4 with Advanced SIMD, else 4 with the
// portable kernel below (also the kernel the ISA kernels must agree with).
//
// Weights (nchwc_prepare, once per plan): [K/blk][C/blk][r][s][blk_in][blk_out] fp32,
// channels past c or k zero. bf16 weights, where the CPU has a bf16 dot-product kernel
// (VDPBF16PS, BFDOT), stay bf16, packed by input-channel pairs
// [K/blk][C/blk][r][s][blk_in / 2][blk_out][2] for it; elsewhere they are widened
// (exactly) and run the fp32 kernel.
//
// run_nchwc, per batch item: x -> a zero-padded NCHWc copy ([C/blk][h + pad_top +
// pad_bottom][w + pad_left + pad_right][blk], bf16 kept for the bf16 kernel, else
// widened), so the kernels read every tap in bounds with no edge cases; then for every (output block, output row) one row
// kernel call writes that row of an NCHWc output scratch; then NCHWc -> NCHW into y and
// the epilogue on y. The (block, row) items are dealt round-robin to the pool's
// workers; each output is computed by the same kernel in the same order on any number
// of threads, so the bits do not depend on the pool.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <new>

#include "armbench/cpu_features.h"
#include "conv_internal.h"
#include "nchwc.h"
#include "../runtime/pool.h"

namespace armbench {
namespace conv {
namespace {

// The portable row kernel, for any block: the same sums in the same order as the ISA
// kernels (per output, over cb, i, j, ci), one output at a time.
void portable_row(const NchwcRow& a, size_t blk) {
  for (size_t p = 0; p < a.npix; ++p) {
    float* y = a.y + p * blk;
    for (size_t o = 0; o < blk; ++o) y[o] = 0.0f;
    for (size_t cb = 0; cb < a.cblocks; ++cb) {
      for (size_t i = 0; i < a.r; ++i) {
        for (size_t j = 0; j < a.s; ++j) {
          const float* xp = a.x + p * a.pix_stride + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
          const float* wp = a.w + ((cb * a.r + i) * a.s + j) * blk * blk;
          for (size_t ci = 0; ci < blk; ++ci) {
            const float xv = xp[ci];
            for (size_t o = 0; o < blk; ++o) y[o] += xv * wp[ci * blk + o];
          }
        }
      }
    }
  }
}

struct Choice {
  size_t blk;
  NchwcRowKernel kernel;       // nullptr: portable_row
  NchwcRowBf16Kernel bf16;     // nullptr: bf16 is widened and runs the fp32 kernel
};

Choice choose() {
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && nchwc_row_avx512() != nullptr) {
    const bool bf = armbench_cpu_has(ARMBENCH_FEATURE_AVX512_BF16);
    return {16, nchwc_row_avx512(), bf ? nchwc_row_bf16_avx512bf16() : nullptr};
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench_cpu_has(ARMBENCH_FEATURE_FMA) && nchwc_row_avx2() != nullptr) {
    return {8, nchwc_row_avx2(), nullptr};
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && nchwc_row_neon() != nullptr) {
    const bool bf = armbench_cpu_has(ARMBENCH_FEATURE_BF16);
    return {4, nchwc_row_neon(), bf ? nchwc_row_bf16_bfdot() : nullptr};
  }
  return {4, nullptr, nullptr};
}

const Choice& choice() {
  static const Choice c = choose();
  return c;
}

float bf16_value(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

float load(const float* p, size_t i) { return p[i]; }
float load(const uint16_t* p, size_t i) { return bf16_value(p[i]); }
// The bf16 kernels read bf16 as it is.
uint16_t load_raw(const uint16_t* p, size_t i) { return p[i]; }

// One batch item's c planes (h x w) into the zero-padded NCHWc buffer xp (already zero),
// converted by get.
template <typename D, typename T, typename Get>
void pad_to_nchwc(const Geometry& g, const T* x, size_t blk, D* xp, Get get) {
  const armbench_conv_shape& s = g.s;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  for (size_t c = 0; c < s.c; ++c) {
    const T* plane = x + c * s.h * s.w;
    D* dst = xp + (c / blk) * hp * wp * blk + c % blk;
    for (size_t y = 0; y < s.h; ++y) {
      D* row = dst + ((y + s.pad_top) * wp + s.pad_left) * blk;
      const T* src = plane + y * s.w;
      for (size_t x0 = 0; x0 < s.w; ++x0) row[x0 * blk] = get(src, x0);
    }
  }
}

struct RunCtx {
  const Geometry* g;
  const NchwcWeights* nw;
  const void* xp;   // padded NCHWc input of one batch item (bf16 for the bf16 kernel)
  float* out;       // NCHWc output of one batch item: [K/blk][oh][ow][blk]
};

}  // namespace

struct NchwcWeights {
  size_t blk;
  NchwcRowKernel kernel;
  NchwcRowBf16Kernel bf16;  // set when the weights are packed as bf16 pairs (wh)
  size_t cblocks, kblocks;
  float* w = nullptr;       // [kblocks][cblocks][r][s][blk][blk]
  uint16_t* wh = nullptr;   // [kblocks][cblocks][r][s][blk / 2][blk][2]
  ~NchwcWeights() {
    free(w);
    free(wh);
  }
};

namespace {

void run_rows(void* p, int index, int threads) {
  const RunCtx& c = *static_cast<const RunCtx*>(p);
  const Geometry& g = *c.g;
  const armbench_conv_shape& s = g.s;
  const NchwcWeights& nw = *c.nw;
  const size_t blk = nw.blk;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  NchwcRow a{};
  a.npix = g.ow;
  a.pix_stride = s.stride_w * blk;
  a.cb_stride = hp * wp * blk;
  a.row_stride = s.dilation_h * wp * blk;
  a.col_stride = s.dilation_w * blk;
  a.cblocks = nw.cblocks;
  a.r = s.r;
  a.s = s.s;
  const size_t items = nw.kblocks * g.oh;
  if (nw.bf16 != nullptr) {
    NchwcRowBf16 h{};
    h.npix = a.npix;
    h.pix_stride = a.pix_stride;
    h.cb_stride = a.cb_stride;
    h.row_stride = a.row_stride;
    h.col_stride = a.col_stride;
    h.cblocks = a.cblocks;
    h.r = a.r;
    h.s = a.s;
    for (size_t item = static_cast<size_t>(index); item < items; item += static_cast<size_t>(threads)) {
      const size_t oy = item / nw.kblocks, kb = item % nw.kblocks;
      h.x = static_cast<const uint16_t*>(c.xp) + oy * s.stride_h * wp * blk;
      h.w = nw.wh + kb * nw.cblocks * s.r * s.s * blk * blk;
      h.y = c.out + (kb * g.oh + oy) * g.ow * blk;
      nw.bf16(h);
    }
    return;
  }
  for (size_t item = static_cast<size_t>(index); item < items; item += static_cast<size_t>(threads)) {
    const size_t oy = item / nw.kblocks, kb = item % nw.kblocks;
    a.x = static_cast<const float*>(c.xp) + oy * s.stride_h * wp * blk;
    a.w = nw.w + kb * nw.cblocks * s.r * s.s * blk * blk;
    a.y = c.out + (kb * g.oh + oy) * g.ow * blk;
    if (nw.kernel != nullptr) {
      nw.kernel(a);
    } else {
      portable_row(a, blk);
    }
  }
}

}  // namespace

const char* nchwc_unsupported(const armbench_conv_shape& s) {
  return s.groups == 1 ? nullptr : "needs groups 1 (use depthwise or im2col for grouped convolutions)";
}

int nchwc_prepare(const Geometry& g, armbench_gemm_dtype dtype, const void* w, NchwcWeights** out) {
  *out = nullptr;
  const armbench_conv_shape& s = g.s;
  const Choice& ch = choice();
  const size_t blk = ch.blk;
  NchwcWeights* nw = new (std::nothrow) NchwcWeights();
  if (nw == nullptr) return -ENOMEM;
  nw->blk = blk;
  nw->kernel = ch.kernel;
  nw->cblocks = (s.c + blk - 1) / blk;
  nw->kblocks = (s.k + blk - 1) / blk;
  const size_t taps = s.r * s.s;
  const size_t count = nw->kblocks * nw->cblocks * taps * blk * blk;
  if (dtype == ARMBENCH_GEMM_BF16 && ch.bf16 != nullptr) {
    nw->bf16 = ch.bf16;
    nw->wh = static_cast<uint16_t*>(calloc(count, sizeof(uint16_t)));
    if (nw->wh == nullptr) {
      delete nw;
      return -ENOMEM;
    }
    const uint16_t* src = static_cast<const uint16_t*>(w);
    for (size_t k = 0; k < s.k; ++k) {
      for (size_t c = 0; c < s.c; ++c) {
        for (size_t t = 0; t < taps; ++t) {
          const size_t ci = c % blk;
          nw->wh[(((((k / blk) * nw->cblocks + c / blk) * taps + t) * (blk / 2) + ci / 2) * blk + k % blk) * 2 + ci % 2] =
              src[(k * s.c + c) * taps + t];
        }
      }
    }
    *out = nw;
    return 0;
  }
  nw->w = static_cast<float*>(calloc(count, sizeof(float)));
  if (nw->w == nullptr) {
    delete nw;
    return -ENOMEM;
  }
  // Source: k x c x r x s.
  for (size_t k = 0; k < s.k; ++k) {
    for (size_t c = 0; c < s.c; ++c) {
      for (size_t t = 0; t < taps; ++t) {
        const size_t src = (k * s.c + c) * taps + t;
        const float v = dtype == ARMBENCH_GEMM_BF16 ? load(static_cast<const uint16_t*>(w), src)
                                                    : load(static_cast<const float*>(w), src);
        nw->w[((((k / blk) * nw->cblocks + c / blk) * taps + t) * blk + c % blk) * blk + k % blk] = v;
      }
    }
  }
  *out = nw;
  return 0;
}

void nchwc_free(NchwcWeights* nw) { delete nw; }

int run_nchwc(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, const NchwcWeights* nw) {
  const armbench_conv_shape& s = g.s;
  const size_t blk = nw->blk;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  const size_t xcount = nw->cblocks * hp * wp * blk;
  const size_t ycount = nw->kblocks * g.plane * blk;
  const size_t xelem = nw->bf16 != nullptr ? sizeof(uint16_t) : sizeof(float);
  void* xp = malloc(xcount * xelem);
  float* out = static_cast<float*>(malloc(ycount * sizeof(float)));
  if (xp == nullptr || out == nullptr) {
    free(xp);
    free(out);
    return -ENOMEM;
  }
  const size_t eb = a.dtype == ARMBENCH_GEMM_BF16 ? 2 : 4;
  for (size_t b = 0; b < s.n; ++b) {
    memset(xp, 0, xcount * xelem);
    const void* xb = static_cast<const char*>(a.x) + b * s.c * s.h * s.w * eb;
    if (nw->bf16 != nullptr) {
      pad_to_nchwc(g, static_cast<const uint16_t*>(xb), blk, static_cast<uint16_t*>(xp),
                   [](const uint16_t* p, size_t i) { return load_raw(p, i); });
    } else if (a.dtype == ARMBENCH_GEMM_BF16) {
      pad_to_nchwc(g, static_cast<const uint16_t*>(xb), blk, static_cast<float*>(xp),
                   [](const uint16_t* p, size_t i) { return load(p, i); });
    } else {
      pad_to_nchwc(g, static_cast<const float*>(xb), blk, static_cast<float*>(xp),
                   [](const float* p, size_t i) { return load(p, i); });
    }
    RunCtx ctx{&g, nw, xp, out};
    runtime::pool_run(pool, run_rows, &ctx);
    float* yb = a.y + b * s.k * g.plane;
    armbench_nchwc_to_nchw(out, 1, s.k, g.oh, g.ow, blk, yb);
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + b * s.k * g.plane : nullptr;
    apply_epilogue(a.epilogue, yb, res, g.plane, 0, s.k, g.plane);
  }
  free(xp);
  free(out);
  return 0;
}

}  // namespace conv
}  // namespace armbench

extern "C" {

size_t armbench_nchwc_block(void) { return armbench::conv::choice().blk; }

// y: n x ceil(c / block) x h x w x block; channels past c zero.
int armbench_nchw_to_nchwc(const float* x, size_t n, size_t c, size_t h, size_t w, size_t block, float* y) {
  if (x == nullptr || y == nullptr || n == 0 || c == 0 || h == 0 || w == 0 || block == 0) return -EINVAL;
  const size_t cb = (c + block - 1) / block, plane = h * w;
  for (size_t b = 0; b < n; ++b) {
    for (size_t q = 0; q < cb; ++q) {
      float* dst = y + (b * cb + q) * plane * block;
      for (size_t o = 0; o < block; ++o) {
        const size_t ch = q * block + o;
        if (ch >= c) {
          for (size_t p = 0; p < plane; ++p) dst[p * block + o] = 0.0f;
        } else {
          const float* src = x + (b * c + ch) * plane;
          for (size_t p = 0; p < plane; ++p) dst[p * block + o] = src[p];
        }
      }
    }
  }
  return 0;
}

// The inverse: the padding channels are dropped.
int armbench_nchwc_to_nchw(const float* x, size_t n, size_t c, size_t h, size_t w, size_t block, float* y) {
  if (x == nullptr || y == nullptr || n == 0 || c == 0 || h == 0 || w == 0 || block == 0) return -EINVAL;
  const size_t cb = (c + block - 1) / block, plane = h * w;
  for (size_t b = 0; b < n; ++b) {
    for (size_t ch = 0; ch < c; ++ch) {
      const float* src = x + (b * cb + ch / block) * plane * block + ch % block;
      float* dst = y + (b * c + ch) * plane;
      for (size_t p = 0; p < plane; ++p) dst[p] = src[p * block];
    }
  }
  return 0;
}

}  // extern "C"
