// Direct depthwise convolution (groups == c == k, one filter per channel), one (batch,
// channel) plane per pool task. Any r, s, stride, padding and dilation by the portable
// path: for each output row, each kernel tap (i, j) whose input row exists adds w[i][j]
// times a run of that input row to the row of accumulators, over the output columns
// where the tap lands inside the input (so the inner loop has no branches: contiguous
// for stride 1, strided otherwise), with fp32 accumulation in y itself and bf16 inputs
// widened in the inner loop. 3x3, dilation 1, horizontal stride 1 or 2 (MobileNet's
// shapes) run up to kDepthwiseMaxRows output rows at a time through an ISA row kernel
// (depthwise.h), which keeps the sums in registers, on an fp32 copy of the plane padded
// with zero columns (bf16 widened there once, not once per tap; at stride 2 each row
// de-interleaved, so every tap is a contiguous load). The epilogue runs per output row
// while it is in cache.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include "armbench/cpu_features.h"
#include "conv_internal.h"
#include "depthwise.h"
#include "../runtime/pool.h"

namespace armbench {
namespace conv {
namespace {

inline float load(const float* p, size_t i) { return p[i]; }
inline float load(const uint16_t* p, size_t i) {
  const uint32_t bits = static_cast<uint32_t>(p[i]) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

DepthwiseRowKernel choose() {
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) &&
      depthwise_row_avx512() != nullptr) {
    return depthwise_row_avx512();
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && depthwise_row_neon() != nullptr) return depthwise_row_neon();
  return nullptr;
}

// The row kernel for this shape (fp32 or bf16: it reads the widened copy), or nullptr
// (the portable path).
DepthwiseRowKernel row_kernel(const Geometry& g) {
  const armbench_conv_shape& s = g.s;
  if (s.r != 3 || s.s != 3 || s.dilation_h != 1 || s.dilation_w != 1 || (s.stride_w != 1 && s.stride_w != 2)) {
    return nullptr;
  }
  static const DepthwiseRowKernel k = choose();
  return k;
}

// Elements of one row of the row kernel's zero-padded copy of an input plane: the left
// padding, the row, and zeros to the last element any output column's taps may read
// (the right padding, and at stride 2 one more, so the even half holds ow + 1 elements).
size_t padded_row(const Geometry& g) {
  const armbench_conv_shape& s = g.s;
  return std::max(s.pad_left + s.w, (g.ow - 1) * s.stride_w + 3 + (s.stride_w - 1));
}

// Where a stride-2 row's odd elements start in the copy (its even ones first).
size_t odd_half(const Geometry& g) { return (padded_row(g) + 1) / 2; }

// Output row oy into yrow, which holds zeros, portably.
template <typename T>
void general_row(const Geometry& g, const T* xc, const T* wc, float* yrow, size_t oy) {
  const armbench_conv_shape& s = g.s;
  const int64_t w = static_cast<int64_t>(s.w);
  const int64_t sw = static_cast<int64_t>(s.stride_w);
  const int64_t ow = static_cast<int64_t>(g.ow);
  for (size_t i = 0; i < s.r; ++i) {
    const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i * s.dilation_h) - static_cast<int64_t>(s.pad_top);
    if (iy < 0 || iy >= static_cast<int64_t>(s.h)) continue;
    const T* xrow = xc + static_cast<size_t>(iy) * s.w;
    for (size_t j = 0; j < s.s; ++j) {
      const float wv = load(wc, i * s.s + j);
      const int64_t off = static_cast<int64_t>(j * s.dilation_w) - static_cast<int64_t>(s.pad_left);
      const int64_t lo = std::min<int64_t>(off >= 0 ? 0 : (-off + sw - 1) / sw, ow);
      const int64_t hi = std::min<int64_t>(w - off <= 0 ? 0 : (w - 1 - off) / sw + 1, ow);
      if (hi <= lo) continue;
      // src[ox * sw] is the input column of output column ox; only [lo, hi) is read.
      const T* src = xrow + (lo * sw + off);
      float* dst = yrow + lo;
      const size_t count = static_cast<size_t>(hi - lo);
      if (sw == 1) {
        for (size_t t = 0; t < count; ++t) dst[t] += wv * load(src, t);
      } else {
        for (size_t t = 0; t < count; ++t) dst[t] += wv * load(src, t * static_cast<size_t>(sw));
      }
    }
  }
}

// The portable path, any shape.
template <typename T>
void plane(const Geometry& g, const armbench_conv_args& a, size_t b, size_t ch) {
  const armbench_conv_shape& s = g.s;
  const T* xc = static_cast<const T*>(a.x) + (b * s.c + ch) * s.h * s.w;
  const T* wc = static_cast<const T*>(a.w) + ch * s.r * s.s;
  float* yc = a.y + (b * s.k + ch) * g.plane;
  for (size_t oy = 0; oy < g.oh; ++oy) {
    float* yrow = yc + oy * g.ow;
    std::fill(yrow, yrow + g.ow, 0.0f);
    general_row(g, xc, wc, yrow, oy);
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (yrow - a.y) : nullptr;
    apply_epilogue(a.epilogue, yrow, res, g.ow, ch, 1, g.ow);
  }
}

// The row kernel's path: the plane copied once into pad (h rows of padded_row(g) fp32
// elements; at stride 2 each row's even elements, then its odd ones from odd_half(g)),
// whose zeros beside each row were written when it was allocated and are never
// overwritten, so every output column is a kernel column (scalar edge columns cost as
// much as the vector interior of a row). Rows in the vertical padding are skipped
// (nullptr), not copied. Up to kDepthwiseMaxRows output rows per kernel call, at a
// vertical stride the kernel knows (1 or 2; any other, one row per call).
template <typename T>
void plane_kernel(const Geometry& g, const armbench_conv_args& a, DepthwiseRowKernel kernel, float* pad, size_t b,
                  size_t ch) {
  const armbench_conv_shape& s = g.s;
  const T* xc = static_cast<const T*>(a.x) + (b * s.c + ch) * s.h * s.w;
  const T* wc = static_cast<const T*>(a.w) + ch * 9;
  float* yc = a.y + (b * s.k + ch) * g.plane;
  const size_t len = padded_row(g), half = odd_half(g);
  for (size_t iy = 0; iy < s.h; ++iy) {
    float* dst = pad + iy * len;
    const T* src = xc + iy * s.w;
    if (s.stride_w == 2) {
      // Padded position q = pad_left + e: even q to q / 2, odd q to half + q / 2. Two
      // branch-free stride-2 loops the compiler vectorizes: a per-element parity branch
      // made this copy cost 2-3x the whole stride-2 layer on AVX-512 (MobileNet-v2).
      const size_t pl = s.pad_left;
      for (size_t i = (pl + 1) / 2; 2 * i < pl + s.w; ++i) dst[i] = load(src, 2 * i - pl);
      for (size_t i = pl / 2; 2 * i + 1 < pl + s.w; ++i) dst[half + i] = load(src, 2 * i + 1 - pl);
    } else if (sizeof(T) == sizeof(float)) {
      memcpy(dst + s.pad_left, src, s.w * sizeof(float));
    } else {
      for (size_t e = 0; e < s.w; ++e) dst[s.pad_left + e] = load(src, e);
    }
  }
  float w12[12] = {};  // the kernels take fp32 weights in whole vectors: bf16 ones widened once per plane
  for (size_t t = 0; t < 9; ++t) w12[t] = load(wc, t);
  DepthwiseRow r{};
  r.w = w12;
  r.n = g.ow;
  r.stride = s.stride_w;
  r.half = half;
  r.y_stride = g.ow;
  const bool multi = s.stride_h == 1 || s.stride_h == 2;
  r.row_step = multi ? s.stride_h : 1;
  for (size_t oy = 0; oy < g.oh; oy += r.rows) {
    r.rows = multi ? std::min(kDepthwiseMaxRows, g.oh - oy) : 1;
    for (size_t i = 0; i < (r.rows - 1) * r.row_step + 3; ++i) {
      const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i) - static_cast<int64_t>(s.pad_top);
      r.x[i] = iy < 0 || iy >= static_cast<int64_t>(s.h) ? nullptr : pad + static_cast<size_t>(iy) * len;
    }
    r.y = yc + oy * g.ow;
    kernel(r);
    for (size_t k = 0; k < r.rows; ++k) {
      float* yrow = r.y + k * g.ow;
      const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (yrow - a.y) : nullptr;
      apply_epilogue(a.epilogue, yrow, res, g.ow, ch, 1, g.ow);
    }
  }
}

struct RunCtx {
  const Geometry* g;
  const armbench_conv_args* a;
  DepthwiseRowKernel kernel;
  float* pad;        // the kernel path's padded planes, one per worker
  size_t pad_items;  // elements of one
};

// Planes are independent and each is computed the same way by whichever worker gets
// it: the same bits on any pool size.
template <typename T>
void run_planes(void* p, int index, int threads) {
  const RunCtx& c = *static_cast<const RunCtx*>(p);
  const armbench_conv_shape& s = c.g->s;
  float* pad = c.kernel != nullptr ? c.pad + static_cast<size_t>(index) * c.pad_items : nullptr;
  for (size_t item = static_cast<size_t>(index); item < s.n * s.c; item += static_cast<size_t>(threads)) {
    if (c.kernel != nullptr) {
      plane_kernel<T>(*c.g, *c.a, c.kernel, pad, item / s.c, item % s.c);
    } else {
      plane<T>(*c.g, *c.a, item / s.c, item % s.c);
    }
  }
}

}  // namespace

int run_depthwise(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a) {
  RunCtx ctx{&g, &a, row_kernel(g), nullptr, 0};
  if (ctx.kernel != nullptr) {
    const size_t threads = pool != nullptr ? static_cast<size_t>(armbench_gemm_pool_threads(pool)) : 1;
    ctx.pad_items = (g.s.h * padded_row(g) * sizeof(float) + 63) / 64 * 64 / sizeof(float);  // a cache line apart
    ctx.pad = static_cast<float*>(calloc(threads * ctx.pad_items, sizeof(float)));
    if (ctx.pad == nullptr) return -ENOMEM;
  }
  runtime::pool_run(pool, a.dtype == ARMBENCH_GEMM_BF16 ? run_planes<uint16_t> : run_planes<float>, &ctx);
  free(ctx.pad);
  return 0;
}

}  // namespace conv
}  // namespace armbench
