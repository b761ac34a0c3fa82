// Direct depthwise convolution (groups == c == k, one filter per channel), one (batch,
// channel) plane per pool task. Any r, s, stride, padding and dilation by the portable
// path: for each output row, each kernel tap (i, j) whose input row exists adds w[i][j]
// times a run of that input row to the row of accumulators, over the output columns
// where the tap lands inside the input (so the inner loop has no branches: contiguous
// for stride 1, strided otherwise), with fp32 accumulation in y itself and bf16 inputs
// widened in the inner loop. 3x3, dilation 1, horizontal stride 1 or 2 (MobileNet's
// shapes) run every output row through an ISA row kernel (depthwise.h), which keeps the
// sums in registers, on a copy of the plane padded with zero columns. The epilogue runs
// per output row while it is in cache.
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

struct Kernels {
  DepthwiseRowKernel f32, bf16;
};

Kernels choose() {
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) &&
      depthwise_row_avx512() != nullptr) {
    return {depthwise_row_avx512(), depthwise_row_bf16_avx512()};
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && depthwise_row_neon() != nullptr) {
    return {depthwise_row_neon(), depthwise_row_bf16_neon()};
  }
  return {nullptr, nullptr};
}

const Kernels& kernels() {
  static const Kernels k = choose();
  return k;
}

// The row kernel for this shape and dtype, or nullptr (the portable path).
DepthwiseRowKernel row_kernel(const Geometry& g, armbench_gemm_dtype dtype) {
  const armbench_conv_shape& s = g.s;
  if (s.r != 3 || s.s != 3 || s.dilation_h != 1 || s.dilation_w != 1 || (s.stride_w != 1 && s.stride_w != 2)) {
    return nullptr;
  }
  return dtype == ARMBENCH_GEMM_BF16 ? kernels().bf16 : kernels().f32;
}

// Elements of one row of the row kernel's zero-padded copy of an input plane: the left
// padding, the row, and zeros to the last element any output column's taps may read
// (the right padding, or further where the kernel over-reads at stride 2).
size_t padded_row(const Geometry& g) {
  const armbench_conv_shape& s = g.s;
  return std::max(s.pad_left + s.w, (g.ow - 1) * s.stride_w + 3 + (s.stride_w - 1));
}

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

// The row kernel's path: the plane copied once into pad (h rows of padded_row(g)),
// whose zeros beside each row were written when it was allocated and are never
// overwritten, so every output column is a kernel column (scalar edge columns cost as
// much as the vector interior of a row). Rows in the vertical padding are skipped
// (nullptr), not copied.
template <typename T>
void plane_kernel(const Geometry& g, const armbench_conv_args& a, DepthwiseRowKernel kernel, T* pad, size_t b,
                  size_t ch) {
  const armbench_conv_shape& s = g.s;
  const T* xc = static_cast<const T*>(a.x) + (b * s.c + ch) * s.h * s.w;
  const T* wc = static_cast<const T*>(a.w) + ch * 9;
  float* yc = a.y + (b * s.k + ch) * g.plane;
  const size_t len = padded_row(g);
  for (size_t iy = 0; iy < s.h; ++iy) {
    memcpy(pad + iy * len + s.pad_left, xc + iy * s.w, s.w * sizeof(T));
  }
  float w9[9];  // the row kernels take fp32 weights: bf16 ones widened once per plane
  for (size_t t = 0; t < 9; ++t) w9[t] = load(wc, t);
  DepthwiseRow r{};
  r.w = w9;
  r.n = g.ow;
  r.stride = s.stride_w;
  for (size_t oy = 0; oy < g.oh; ++oy) {
    float* yrow = yc + oy * g.ow;
    for (size_t i = 0; i < 3; ++i) {
      const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i) - static_cast<int64_t>(s.pad_top);
      r.x[i] = iy < 0 || iy >= static_cast<int64_t>(s.h) ? nullptr : pad + static_cast<size_t>(iy) * len;
    }
    r.y = yrow;
    kernel(r);
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (yrow - a.y) : nullptr;
    apply_epilogue(a.epilogue, yrow, res, g.ow, ch, 1, g.ow);
  }
}

struct RunCtx {
  const Geometry* g;
  const armbench_conv_args* a;
  DepthwiseRowKernel kernel;
  void* pad;         // the kernel path's padded planes, one per worker
  size_t pad_items;  // elements of one
};

// Planes are independent and each is computed the same way by whichever worker gets
// it: the same bits on any pool size.
template <typename T>
void run_planes(void* p, int index, int threads) {
  const RunCtx& c = *static_cast<const RunCtx*>(p);
  const armbench_conv_shape& s = c.g->s;
  T* pad = c.kernel != nullptr ? static_cast<T*>(c.pad) + static_cast<size_t>(index) * c.pad_items : nullptr;
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
  RunCtx ctx{&g, &a, row_kernel(g, a.dtype), nullptr, 0};
  if (ctx.kernel != nullptr) {
    const size_t elem = a.dtype == ARMBENCH_GEMM_BF16 ? sizeof(uint16_t) : sizeof(float);
    const size_t threads = pool != nullptr ? static_cast<size_t>(armbench_gemm_pool_threads(pool)) : 1;
    ctx.pad_items = (g.s.h * padded_row(g) * elem + 63) / 64 * 64 / elem;  // a cache line apart
    ctx.pad = calloc(threads * ctx.pad_items, elem);
    if (ctx.pad == nullptr) return -ENOMEM;
  }
  runtime::pool_run(pool, a.dtype == ARMBENCH_GEMM_BF16 ? run_planes<uint16_t> : run_planes<float>, &ctx);
  free(ctx.pad);
  return 0;
}

}  // namespace conv
}  // namespace armbench
