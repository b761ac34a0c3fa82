// ConvInteger (quantize.h): direct loops over every output element with int32 sums
// modulo 2^32, the geometry checked as every conv's is (conv_shape.cc). This is the
// oracle, and for now the only path: the fast one (x - x_zero packed as uint8 or int8
// by im2col, the weights packed once for the int8 GEMM) waits for the static
// quantization of issue 18, whose convs it would serve.
#include <stdint.h>

#include "armbench/quantize.h"
#include "conv_internal.h"

extern "C" int armbench_conv_integer(const armbench_conv_shape* shape, const int32_t* x, int32_t x_zero,
                                     const int32_t* w, armbench_qparam_s32 w_zero, const int32_t* bias, int32_t* y,
                                     char* why, size_t why_len) {
  armbench::conv::Geometry g;
  const int rc = armbench::conv::make_geometry(shape, &g, why, why_len);
  if (rc != 0) return rc;
  const armbench_conv_shape& s = g.s;
  for (size_t b = 0; b < s.n; ++b) {
    for (size_t k = 0; k < s.k; ++k) {
      const size_t group = k / g.kg;
      const uint32_t zw = static_cast<uint32_t>(w_zero.v == nullptr ? 0 : w_zero.v[w_zero.count == 1 ? 0 : k]);
      for (size_t oy = 0; oy < g.oh; ++oy) {
        for (size_t ox = 0; ox < g.ow; ++ox) {
          uint32_t acc = bias != nullptr ? static_cast<uint32_t>(bias[k]) : 0;
          for (size_t ci = 0; ci < g.cg; ++ci) {
            const size_t c = group * g.cg + ci;
            for (size_t i = 0; i < s.r; ++i) {
              const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i * s.dilation_h) - static_cast<int64_t>(s.pad_top);
              if (iy < 0 || iy >= static_cast<int64_t>(s.h)) continue;
              for (size_t j = 0; j < s.s; ++j) {
                const int64_t ix = static_cast<int64_t>(ox * s.stride_w + j * s.dilation_w) - static_cast<int64_t>(s.pad_left);
                if (ix < 0 || ix >= static_cast<int64_t>(s.w)) continue;
                const uint32_t xv = static_cast<uint32_t>(x[((b * s.c + c) * s.h + iy) * s.w + ix] - x_zero);
                const uint32_t wv = static_cast<uint32_t>(w[((k * g.cg + ci) * s.r + i) * s.s + j]) - zw;
                acc += xv * wv;
              }
            }
          }
          y[((b * s.k + k) * g.oh + oy) * g.ow + ox] = static_cast<int32_t>(acc);
        }
      }
    }
  }
  return 0;
}
