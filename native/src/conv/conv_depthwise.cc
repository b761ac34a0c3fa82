// Direct depthwise convolution (groups == c == k, one filter per channel), one (batch,
// channel) plane per pool task. Any r, s, stride, padding and dilation by the portable
// path: for each output row, each kernel tap (i, j) whose input row exists adds w[i][j]
// times a run of that input row to the row of accumulators, over the output columns
// where the tap lands inside the input (so the inner loop has no branches: contiguous
// for stride 1, strided otherwise), with fp32 accumulation in y itself and bf16 inputs
// widened in the inner loop. 3x3, dilation 1, horizontal stride 1 or 2 (MobileNet's
// shapes) run the columns whose taps all lie inside the input through an ISA row kernel
// (depthwise.h), which keeps the sums in registers; the edge columns stay on the
// portable path. No scratch. The epilogue runs per output row while it is in cache.
#include <stdint.h>
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

// Output columns [x0, x1) whose every tap is inside the input, with the stride - 1
// columns past the last tap the row kernel may read; empty when the shape has no row
// kernel.
struct Interior {
  size_t x0, x1;
};

Interior interior(const Geometry& g, DepthwiseRowKernel kernel) {
  const armbench_conv_shape& s = g.s;
  if (kernel == nullptr || s.r != 3 || s.s != 3 || s.dilation_h != 1 || s.dilation_w != 1 ||
      (s.stride_w != 1 && s.stride_w != 2)) {
    return {0, 0};
  }
  const size_t x0 = (s.pad_left + s.stride_w - 1) / s.stride_w;
  // Last input column read by column ox: ox * stride_w - pad_left + 2 + (stride_w - 1).
  const size_t reach = 2 + s.stride_w - 1;
  if (s.w + s.pad_left < reach + 1) return {0, 0};
  const size_t x1 = std::min(g.ow, (s.w - 1 + s.pad_left - reach) / s.stride_w + 1);
  return x1 > x0 ? Interior{x0, x1} : Interior{0, 0};
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

// One output of the row kernel's shapes outside its interior: rows[i] is the input row
// of kernel row i (nullptr in the padding), ix the input column of tap j = 0. The taps
// inside the input are a range of j, so no tap is tested on its own (the edges are a
// column or two per row, but tested taps cost as much as a vector row).
template <typename T>
float edge(const T* const rows[3], const float* w9, size_t w, int64_t ix) {
  const int64_t jlo = std::max<int64_t>(0, -ix), jhi = std::min<int64_t>(3, static_cast<int64_t>(w) - ix);
  float acc = 0.0f;
  for (size_t i = 0; i < 3; ++i) {
    if (rows[i] == nullptr) continue;
    for (int64_t j = jlo; j < jhi; ++j) acc += w9[i * 3 + j] * load(rows[i], static_cast<size_t>(ix + j));
  }
  return acc;
}

template <typename T>
void plane(const Geometry& g, const armbench_conv_args& a, DepthwiseRowKernel kernel, size_t b, size_t ch) {
  const armbench_conv_shape& s = g.s;
  const T* xc = static_cast<const T*>(a.x) + (b * s.c + ch) * s.h * s.w;
  float* yc = a.y + (b * s.k + ch) * g.plane;
  const T* wc = static_cast<const T*>(a.w) + ch * s.r * s.s;
  const Interior in = interior(g, kernel);
  float w9[9];  // the row kernels take fp32 weights: bf16 ones widened once per plane
  if (in.x1 > in.x0) {
    for (size_t t = 0; t < 9; ++t) w9[t] = load(wc, t);
  }
  for (size_t oy = 0; oy < g.oh; ++oy) {
    float* yrow = yc + oy * g.ow;
    if (in.x1 > in.x0) {
      const T* rows[3];
      for (size_t i = 0; i < 3; ++i) {
        const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i) - static_cast<int64_t>(s.pad_top);
        rows[i] = iy < 0 || iy >= static_cast<int64_t>(s.h) ? nullptr : xc + static_cast<size_t>(iy) * s.w;
      }
      const int64_t pl = static_cast<int64_t>(s.pad_left), sw = static_cast<int64_t>(s.stride_w);
      DepthwiseRow r{};
      for (size_t i = 0; i < 3; ++i) r.x[i] = rows[i] == nullptr ? nullptr : rows[i] + in.x0 * s.stride_w - s.pad_left;
      r.w = w9;
      r.y = yrow + in.x0;
      r.n = in.x1 - in.x0;
      r.stride = s.stride_w;
      kernel(r);
      for (size_t ox = 0; ox < in.x0; ++ox) yrow[ox] = edge(rows, w9, s.w, static_cast<int64_t>(ox) * sw - pl);
      for (size_t ox = in.x1; ox < g.ow; ++ox) yrow[ox] = edge(rows, w9, s.w, static_cast<int64_t>(ox) * sw - pl);
    } else {
      std::fill(yrow, yrow + g.ow, 0.0f);
      general_row(g, xc, wc, yrow, oy);
    }
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (yrow - a.y) : nullptr;
    apply_epilogue(a.epilogue, yrow, res, g.ow, ch, 1, g.ow);
  }
}

struct RunCtx {
  const Geometry* g;
  const armbench_conv_args* a;
};

// Planes are independent and each is computed the same way by whichever worker gets
// it: the same bits on any pool size.
template <typename T>
void run_planes(void* p, int index, int threads) {
  const RunCtx& c = *static_cast<const RunCtx*>(p);
  const armbench_conv_shape& s = c.g->s;
  const DepthwiseRowKernel kernel = sizeof(T) == 2 ? kernels().bf16 : kernels().f32;
  for (size_t item = static_cast<size_t>(index); item < s.n * s.c; item += static_cast<size_t>(threads)) {
    plane<T>(*c.g, *c.a, kernel, item / s.c, item % s.c);
  }
}

}  // namespace

int run_depthwise(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a) {
  RunCtx ctx{&g, &a};
  runtime::pool_run(pool, a.dtype == ARMBENCH_GEMM_BF16 ? run_planes<uint16_t> : run_planes<float>, &ctx);
  return 0;
}

}  // namespace conv
}  // namespace armbench
