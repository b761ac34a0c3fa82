// Direct depthwise convolution (groups == c == k, one filter per channel): for each
// output row, each kernel tap (i, j) whose input row exists adds w[i][j] times a run
// of that input row to the row of accumulators, over the output columns where the
// tap lands inside the input (so the inner loop has no branches: contiguous for stride
// 1, strided otherwise, and vectorisable either way). fp32 accumulation in y itself;
// bf16 inputs are widened in the inner loop (a shift), weights once per tap. Any r, s,
// stride, padding and dilation; the calling thread only; no scratch. The epilogue runs
// per output row.
#include <stdint.h>
#include <string.h>

#include <algorithm>

#include "conv_internal.h"

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

template <typename T>
void depthwise(const Geometry& g, const armbench_conv_args& a) {
  const armbench_conv_shape& s = g.s;
  const T* x = static_cast<const T*>(a.x);
  const T* wts = static_cast<const T*>(a.w);
  const int64_t w = static_cast<int64_t>(s.w);
  const int64_t sw = static_cast<int64_t>(s.stride_w);
  for (size_t b = 0; b < s.n; ++b) {
    for (size_t ch = 0; ch < s.c; ++ch) {
      const T* xc = x + (b * s.c + ch) * s.h * s.w;
      const T* wc = wts + ch * s.r * s.s;
      float* yc = a.y + (b * s.k + ch) * g.plane;
      for (size_t oy = 0; oy < g.oh; ++oy) {
        float* yrow = yc + oy * g.ow;
        for (size_t ox = 0; ox < g.ow; ++ox) yrow[ox] = 0.0f;
        for (size_t i = 0; i < s.r; ++i) {
          const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i * s.dilation_h) -
                             static_cast<int64_t>(s.pad_top);
          if (iy < 0 || iy >= static_cast<int64_t>(s.h)) continue;
          const T* xrow = xc + static_cast<size_t>(iy) * s.w;
          for (size_t j = 0; j < s.s; ++j) {
            const float wv = load(wc, i * s.s + j);
            const int64_t off = static_cast<int64_t>(j * s.dilation_w) - static_cast<int64_t>(s.pad_left);
            const int64_t lo = std::min<int64_t>(off >= 0 ? 0 : (-off + sw - 1) / sw, static_cast<int64_t>(g.ow));
            const int64_t hi =
                std::min<int64_t>(w - off <= 0 ? 0 : (w - 1 - off) / sw + 1, static_cast<int64_t>(g.ow));
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
        const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (yrow - a.y) : nullptr;
        apply_epilogue(a.epilogue, yrow, res, g.ow, ch, 1, g.ow);
      }
    }
  }
}

}  // namespace

int run_depthwise(const Geometry& g, const armbench_conv_args& a) {
  if (a.dtype == ARMBENCH_GEMM_BF16) {
    depthwise<uint16_t>(g, a);
  } else {
    depthwise<float>(g, a);
  }
  return 0;
}

}  // namespace conv
}  // namespace armbench
