// The oracle: direct loops over every output element, products and sums in double,
// the epilogue (bias, residual, activation) in double too, rounded once to float.
// Handles every valid shape: stride, asymmetric padding, dilation, groups.
#include <stdint.h>
#include <string.h>

#include "conv_internal.h"

namespace armbench {
namespace conv {
namespace {

double value(const armbench_conv_args& a, const void* p, size_t i) {
  if (a.dtype == ARMBENCH_GEMM_F32) return static_cast<const float*>(p)[i];
  const uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t*>(p)[i]) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace

int run_reference(const Geometry& g, const armbench_conv_args& a) {
  const armbench_conv_shape& s = g.s;
  const armbench_conv_epilogue& e = a.epilogue;
  for (size_t b = 0; b < s.n; ++b) {
    for (size_t k = 0; k < s.k; ++k) {
      const size_t group = k / g.kg;
      for (size_t oy = 0; oy < g.oh; ++oy) {
        for (size_t ox = 0; ox < g.ow; ++ox) {
          double acc = 0.0;
          for (size_t ci = 0; ci < g.cg; ++ci) {
            const size_t c = group * g.cg + ci;
            for (size_t i = 0; i < s.r; ++i) {
              const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i * s.dilation_h) -
                                 static_cast<int64_t>(s.pad_top);
              if (iy < 0 || iy >= static_cast<int64_t>(s.h)) continue;
              for (size_t j = 0; j < s.s; ++j) {
                const int64_t ix = static_cast<int64_t>(ox * s.stride_w + j * s.dilation_w) -
                                   static_cast<int64_t>(s.pad_left);
                if (ix < 0 || ix >= static_cast<int64_t>(s.w)) continue;
                const double xv = value(a, a.x, ((b * s.c + c) * s.h + iy) * s.w + ix);
                const double wv = value(a, a.w, ((k * g.cg + ci) * s.r + i) * s.s + j);
                acc += xv * wv;
              }
            }
          }
          const size_t yi = ((b * s.k + k) * g.oh + oy) * g.ow + ox;
          if (e.bias != nullptr) acc += e.bias[k];
          if (e.residual != nullptr) acc += e.residual[yi];
          if (e.act == ARMBENCH_ACT_RELU) {
            acc = acc < 0.0 ? 0.0 : acc;
          } else if (e.act == ARMBENCH_ACT_CLIP) {
            acc = acc < e.clip_min ? e.clip_min : (acc > e.clip_max ? e.clip_max : acc);
          }
          a.y[yi] = static_cast<float>(acc);
        }
      }
    }
  }
  return 0;
}

}  // namespace conv
}  // namespace armbench
