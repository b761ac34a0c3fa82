// The inference op set beside convolution and GEMM (armbench/ops.h): argument checks,
// the scalar reference of every op (the test oracle), the scalar elementwise set,
// run-time dispatch of the elementwise sets and the C ABI.
//
// Pools, BatchNormalization and Concat are scalar: they move little data next to the
// convolutions around them. Elementwise ops dispatch to ops_<isa>.cc. The transformer
// ops live in files of their own (softmax.cc, layernorm.cc, unary_math.cc, gather.cc,
// transpose.cc, broadcast.cc).
//
// Semantics (ONNX opset 13+ where it says):
// - MaxPool: padded cells are -Inf, so padding never wins; a NaN in a window gives NaN.
// - AveragePool: count_include_pad 1 divides by kh*kw, 0 by the window's cells inside
//   the image. Floor rounding of the output size (no ceil_mode). A pad must be smaller
//   than its kernel side, so no window holds only padding.
// - GlobalAveragePool, BatchNormalization: sums and per-channel factors in double.
// - The pools and GlobalAveragePool also read NCHWc (the _nchwc functions): the same
//   cells summed or compared in the same order per channel, so the same bits.
// - Elementwise: see ops_internal.h. NULL pointers or a zero count write nothing.
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace armbench {
namespace ops {

namespace {

void relu_scalar(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void clip_scalar(const float* x, float* y, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; ++i) {
    const float t = x[i] < lo ? lo : x[i];
    y[i] = t > hi ? hi : t;
  }
}

void sigmoid_scalar(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (v >= 0.0f) {
      y[i] = 1.0f / (1.0f + expf(-v));
    } else {
      const float e = expf(v);  // NaN lands here and stays NaN
      y[i] = e / (1.0f + e);
    }
  }
}

void hardswish_scalar(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    float c = v + 3.0f;
    c = c < 0.0f ? 0.0f : c;
    c = c > 6.0f ? 6.0f : c;
    y[i] = v * (c * (1.0f / 6.0f));
  }
}

void add_scalar(const float* a, const float* b, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

void mul_scalar(const float* a, const float* b, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}

__attribute__((format(printf, 3, 4))) int fail(char* why, size_t why_len, const char* fmt, ...) {
  if (why != nullptr && why_len > 0) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, why_len, fmt, args);
    va_end(args);
  }
  return -EINVAL;
}

int pool_check(const armbench_pool2d* p, size_t* oh, size_t* ow, char* why, size_t why_len) {
  if (p == nullptr) return fail(why, why_len, "no pool geometry given");
  if (p->n == 0 || p->c == 0 || p->h == 0 || p->w == 0)
    return fail(why, why_len, "the input has a zero dimension (n %zu, c %zu, h %zu, w %zu)", p->n, p->c, p->h, p->w);
  size_t elems;
  if (!volume(&elems, p->n, p->c, p->h, p->w))
    return fail(why, why_len, "the input is too large to address (h %zu, w %zu)", p->h, p->w);
  if (p->kh == 0 || p->kw == 0) return fail(why, why_len, "the kernel is empty (%zu x %zu)", p->kh, p->kw);
  if (p->stride_h == 0 || p->stride_w == 0)
    return fail(why, why_len, "a stride is zero (%zu x %zu)", p->stride_h, p->stride_w);
  if (p->pad_top >= p->kh || p->pad_bottom >= p->kh)
    return fail(why, why_len, "a vertical pad (%zu) is not smaller than the kernel height %zu",
                p->pad_top >= p->kh ? p->pad_top : p->pad_bottom, p->kh);
  if (p->pad_left >= p->kw || p->pad_right >= p->kw)
    return fail(why, why_len, "a horizontal pad (%zu) is not smaller than the kernel width %zu",
                p->pad_left >= p->kw ? p->pad_left : p->pad_right, p->kw);
  if (p->count_include_pad != 0 && p->count_include_pad != 1)
    return fail(why, why_len, "count_include_pad is %d, not 0 or 1", p->count_include_pad);
  if (p->h > SIZE_MAX - p->pad_top - p->pad_bottom || p->w > SIZE_MAX - p->pad_left - p->pad_right)
    return fail(why, why_len, "the padded input is too large (h %zu, w %zu)", p->h, p->w);
  const size_t ph = p->h + p->pad_top + p->pad_bottom, pw = p->w + p->pad_left + p->pad_right;
  if (p->kh > ph)
    return fail(why, why_len, "the pooled output would have no rows (kernel %zu exceeds padded height %zu)", p->kh, ph);
  if (p->kw > pw)
    return fail(why, why_len, "the pooled output would have no columns (kernel %zu exceeds padded width %zu)", p->kw,
                pw);
  *oh = (ph - p->kh) / p->stride_h + 1;
  *ow = (pw - p->kw) / p->stride_w + 1;
  if (why != nullptr && why_len > 0) why[0] = '\0';
  return 0;
}

// The window of output index o along one side: input cells [*lo, *hi). Never empty:
// pads are smaller than the kernel and the output size is floored.
void window(size_t o, size_t stride, size_t pad, size_t k, size_t extent, size_t* lo, size_t* hi) {
  const size_t start = o * stride;  // in padded coordinates
  const size_t end = start + k;     // > pad, as k > pad
  *lo = start < pad ? 0 : start - pad;
  *hi = end - pad > extent ? extent : end - pad;
}

// The larger of m and v; a NaN wins and then stays (v > NaN is false), branch-free so
// the loops over columns vectorise.
inline float max_nan(float m, float v) { return ((v > m) | (v != v)) ? v : m; }

// An average window's double sum, for either layout (and the global average pool).
struct SumCell {
  double s = 0.0;
  void add(float v) { s += v; }
  float value(size_t cells) const { return static_cast<float>(s / static_cast<double>(cells)); }
};

// Both pools take block 0 for NCHW (one (n, c) plane at a time) or the NCHWc block: a
// block's channels side by side as lanes, each lane seeing the same cells in the same
// order as in NCHW, so the bits are the same; y's padding lanes are written zero.
struct Lanes {
  size_t lanes, planes, cblocks;
  Lanes(const armbench_pool2d* p, size_t block)
      : lanes(block == 0 ? 1 : block),
        planes(block == 0 ? p->n * p->c : p->n * ((p->c + block - 1) / block)),
        cblocks(block == 0 ? p->c : (p->c + block - 1) / block) {}
  // Lanes of plane that hold channels.
  size_t used(const armbench_pool2d* p, size_t plane) const {
    const size_t first = (plane % cblocks) * lanes;
    return lanes == 1 ? 1 : (p->c - first < lanes ? p->c - first : lanes);
  }
};

// The second pass for NCHW (one lane): windows inside the row read kw neighbours with
// no bounds to compute, kw = 3 unrolled (ResNet's stem pool), so the loop over outputs
// has no branch; the edge windows take the general walk. Same cells, same order.
template <size_t KW>
void interior_max(const float* col, size_t stride, size_t kw, size_t ox0, size_t ox1, size_t first, float* out) {
  for (size_t ox = ox0; ox < ox1; ++ox) {
    const float* c = col + ox * stride - first;
    float m = -INFINITY;
    for (size_t j = 0; j < (KW != 0 ? KW : kw); ++j) m = max_nan(m, c[j]);
    out[ox] = m;
  }
}

void row_max_nchw(const armbench_pool2d* p, size_t ow, const float* col, float* out) {
  // Interior outputs: ox * stride >= pad_left and ox * stride - pad_left + kw <= w.
  const size_t sw = p->stride_w, pad = p->pad_left;
  size_t ox0 = (pad + sw - 1) / sw, ox1 = p->w + pad >= p->kw ? (p->w + pad - p->kw) / sw + 1 : 0;
  if (ox1 > ow) ox1 = ow;
  if (ox0 > ox1) ox0 = ox1;
  for (size_t ox = 0; ox < ow; ++ox) {
    if (ox == ox0) {
      if (p->kw == 3) {
        interior_max<3>(col, sw, 3, ox0, ox1, pad, out);
      } else {
        interior_max<0>(col, sw, p->kw, ox0, ox1, pad, out);
      }
      ox = ox1;
      if (ox >= ow) break;
    }
    size_t x0, x1;
    window(ox, sw, pad, p->kw, p->w, &x0, &x1);
    float m = -INFINITY;
    for (size_t ix = x0; ix < x1; ++ix) m = max_nan(m, col[ix]);
    out[ox] = m;
  }
}

// Max pooling in two passes per output row: the column maxima over the window's rows
// (contiguous, vectorised, in either layout), then each output's maximum over its
// window's columns.
int max_pool(const armbench_pool2d* p, size_t oh, size_t ow, size_t block, const float* x, float* y) {
  const Lanes L(p, block);
  const size_t len = p->w * L.lanes;
  // A block of the vector set's width takes its passes (pool_kernels.inc), planes of
  // real channels only; the windows are computed here once for every plane.
  const EltwiseKernels* k = ops_best_kernels();
  const bool vec = block != 0 && k->max_pool_plane != nullptr && block == k->pool_lanes;
  float* col = static_cast<float*>(malloc(len * sizeof(float) + (vec ? 2 * (oh + ow) * sizeof(size_t) : 0)));
  if (col == nullptr) return -ENOMEM;
  size_t* ywin = vec ? reinterpret_cast<size_t*>(col + len) : nullptr;
  size_t* xwin = vec ? ywin + 2 * oh : nullptr;
  if (vec) {
    for (size_t oy = 0; oy < oh; ++oy) window(oy, p->stride_h, p->pad_top, p->kh, p->h, &ywin[2 * oy], &ywin[2 * oy + 1]);
    for (size_t ox = 0; ox < ow; ++ox) window(ox, p->stride_w, p->pad_left, p->kw, p->w, &xwin[2 * ox], &xwin[2 * ox + 1]);
  }
  for (size_t plane = 0; plane < L.planes; ++plane) {
    const float* xp = x + plane * p->h * len;
    float* yp = y + plane * oh * ow * L.lanes;
    const size_t used = L.used(p, plane);
    if (vec && used == L.lanes) {
      k->max_pool_plane(xp, p->w, oh, ow, ywin, xwin, col, yp);
      continue;
    }
    for (size_t oy = 0; oy < oh; ++oy) {
      size_t y0, y1;
      window(oy, p->stride_h, p->pad_top, p->kh, p->h, &y0, &y1);
      for (size_t i = 0; i < len; ++i) col[i] = -INFINITY;
      for (size_t iy = y0; iy < y1; ++iy) {
        const float* row = xp + iy * len;
        for (size_t i = 0; i < len; ++i) col[i] = max_nan(col[i], row[i]);
      }
      if (L.lanes == 1) {
        row_max_nchw(p, ow, col, yp + oy * ow);
        continue;
      }
      for (size_t ox = 0; ox < ow; ++ox) {
        size_t x0, x1;
        window(ox, p->stride_w, p->pad_left, p->kw, p->w, &x0, &x1);
        // In a local array: y may alias col as far as the compiler knows.
        float m[64];
        for (size_t l = 0; l < used; ++l) m[l] = -INFINITY;
        for (size_t ix = x0; ix < x1; ++ix) {
          for (size_t l = 0; l < used; ++l) m[l] = max_nan(m[l], col[ix * L.lanes + l]);
        }
        float* out = yp + (oy * ow + ox) * L.lanes;
        for (size_t l = 0; l < used; ++l) out[l] = m[l];
        for (size_t l = used; l < L.lanes; ++l) out[l] = 0.0f;
      }
    }
  }
  free(col);
  return 0;
}

int avg_pool(const armbench_pool2d* p, size_t oh, size_t ow, size_t block, const float* x, float* y) {
  const Lanes L(p, block);
  SumCell cells[64];
  if (L.lanes > sizeof cells / sizeof cells[0]) return -EINVAL;
  for (size_t plane = 0; plane < L.planes; ++plane) {
    const float* xp = x + plane * p->h * p->w * L.lanes;
    float* yp = y + plane * oh * ow * L.lanes;
    const size_t used = L.used(p, plane);
    for (size_t oy = 0; oy < oh; ++oy) {
      size_t y0, y1;
      window(oy, p->stride_h, p->pad_top, p->kh, p->h, &y0, &y1);
      for (size_t ox = 0; ox < ow; ++ox) {
        size_t x0, x1;
        window(ox, p->stride_w, p->pad_left, p->kw, p->w, &x0, &x1);
        for (size_t l = 0; l < used; ++l) cells[l] = SumCell();
        for (size_t iy = y0; iy < y1; ++iy) {
          for (size_t ix = x0; ix < x1; ++ix) {
            const float* v = xp + (iy * p->w + ix) * L.lanes;
            for (size_t l = 0; l < used; ++l) cells[l].add(v[l]);
          }
        }
        const size_t count = p->count_include_pad ? p->kh * p->kw : (y1 - y0) * (x1 - x0);
        float* out = yp + (oy * ow + ox) * L.lanes;
        for (size_t l = 0; l < used; ++l) out[l] = cells[l].value(count);
        for (size_t l = used; l < L.lanes; ++l) out[l] = 0.0f;
      }
    }
  }
  return 0;
}

template <bool kMax>
int pool(const armbench_pool2d* p, const float* x, float* y, size_t block) {
  size_t oh = 0, ow = 0;
  if (pool_check(p, &oh, &ow, nullptr, 0) != 0 || x == nullptr || y == nullptr || block > 64) return -EINVAL;
  return kMax ? max_pool(p, oh, ow, block, x, y) : avg_pool(p, oh, ow, block, x, y);
}

}  // namespace

// a * b * ... without overflow, or false.
static bool mul_fits(size_t* acc, size_t v) {
  if (v != 0 && *acc > SIZE_MAX / sizeof(float) / v) return false;
  *acc *= v;
  return true;
}

bool volume(size_t* out, size_t a, size_t b, size_t c, size_t d) {
  size_t v = 1;
  if (!mul_fits(&v, a) || !mul_fits(&v, b) || !mul_fits(&v, c) || !mul_fits(&v, d)) return false;
  *out = v;
  return true;
}

extern const EltwiseKernels kOpsScalar = {
    "scalar",      {ARMBENCH_FEATURE_COUNT, ARMBENCH_FEATURE_COUNT},
    relu_scalar,   clip_scalar,
    sigmoid_scalar, hardswish_scalar,
    add_scalar,    mul_scalar,
    erf_ref,       tanh_ref,
    sqrt_ref,      gelu_ref,
    gelu_tanh_ref, softmax_ref,
    layernorm_ref,
    0,             nullptr,
};

const EltwiseKernels* const* ops_kernel_sets(size_t* count) {
  static const EltwiseKernels* const sets[] = {
#if defined(__x86_64__)
      &kOpsAvx512, &kOpsAvx2,
#elif defined(__aarch64__)
      &kOpsNeon,
#endif
      &kOpsScalar,
  };
  *count = sizeof sets / sizeof sets[0];
  return sets;
}

bool ops_kernels_usable(const EltwiseKernels* k) {
  for (armbench_feature f : k->needs) {
    if (f != ARMBENCH_FEATURE_COUNT && armbench_cpu_has(f) == 0) return false;
  }
  return true;
}

const EltwiseKernels* ops_best_kernels() {
  static const EltwiseKernels* const best = [] {
    size_t n;
    const EltwiseKernels* const* sets = ops_kernel_sets(&n);
    for (size_t i = 0; i < n; ++i) {
      if (ops_kernels_usable(sets[i])) return sets[i];
    }
    return &kOpsScalar;
  }();
  return best;
}

}  // namespace ops
}  // namespace armbench

using armbench::ops::ops_best_kernels;

extern "C" int armbench_pool2d_output(const armbench_pool2d* p, size_t* oh, size_t* ow, char* why, size_t why_len) {
  size_t h = 0, w = 0;
  const int rc = armbench::ops::pool_check(p, &h, &w, why, why_len);
  if (rc != 0) return rc;
  if (oh != nullptr) *oh = h;
  if (ow != nullptr) *ow = w;
  return 0;
}

extern "C" int armbench_maxpool(const armbench_pool2d* p, const float* x, float* y) {
  return armbench::ops::pool<true>(p, x, y, 0);
}

extern "C" int armbench_avgpool(const armbench_pool2d* p, const float* x, float* y) {
  return armbench::ops::pool<false>(p, x, y, 0);
}

extern "C" int armbench_maxpool_nchwc(const armbench_pool2d* p, size_t block, const float* x, float* y) {
  if (block == 0) return -EINVAL;
  return armbench::ops::pool<true>(p, x, y, block);
}

extern "C" int armbench_avgpool_nchwc(const armbench_pool2d* p, size_t block, const float* x, float* y) {
  if (block == 0) return -EINVAL;
  return armbench::ops::pool<false>(p, x, y, block);
}

// As a 1 x 1 output of an hw-cell window: the average pool's cells, so the sums are
// the same in either layout.
extern "C" int armbench_global_avgpool(size_t n, size_t c, size_t hw, const float* x, float* y) {
  size_t elems;
  if (x == nullptr || y == nullptr || n == 0 || c == 0 || hw == 0 || !armbench::ops::volume(&elems, n, c, hw, 1))
    return -EINVAL;
  for (size_t plane = 0; plane < n * c; ++plane) {
    armbench::ops::SumCell cell;
    for (size_t i = 0; i < hw; ++i) cell.add(x[plane * hw + i]);
    y[plane] = cell.value(hw);
  }
  return 0;
}

extern "C" int armbench_global_avgpool_nchwc(size_t n, size_t c, size_t hw, size_t block, const float* x, float* y) {
  size_t elems;
  if (x == nullptr || y == nullptr || n == 0 || c == 0 || hw == 0 || block == 0 || block > 64 ||
      !armbench::ops::volume(&elems, n, (c + block - 1) / block, hw, block))
    return -EINVAL;
  const size_t cb = (c + block - 1) / block;
  armbench::ops::SumCell cells[64];
  for (size_t b = 0; b < n; ++b) {
    for (size_t q = 0; q < cb; ++q) {
      const float* xp = x + (b * cb + q) * hw * block;
      const size_t used = c - q * block < block ? c - q * block : block;
      for (size_t l = 0; l < used; ++l) cells[l] = armbench::ops::SumCell();
      for (size_t i = 0; i < hw; ++i)
        for (size_t l = 0; l < used; ++l) cells[l].add(xp[i * block + l]);
      for (size_t l = 0; l < used; ++l) y[b * c + q * block + l] = cells[l].value(hw);
    }
  }
  return 0;
}

extern "C" int armbench_batchnorm(size_t n, size_t c, size_t hw, const float* x, const float* scale, const float* bias,
                                  const float* mean, const float* var, float eps, float* y) {
  size_t elems;
  if (x == nullptr || y == nullptr || scale == nullptr || bias == nullptr || mean == nullptr || var == nullptr ||
      n == 0 || c == 0 || hw == 0 || !(eps >= 0.0f) || !armbench::ops::volume(&elems, n, c, hw, 1))
    return -EINVAL;
  for (size_t b = 0; b < n; ++b) {
    for (size_t ch = 0; ch < c; ++ch) {
      const double a = static_cast<double>(scale[ch]) / sqrt(static_cast<double>(var[ch]) + eps);
      const float af = static_cast<float>(a);
      const float bf = static_cast<float>(static_cast<double>(bias[ch]) - static_cast<double>(mean[ch]) * a);
      const float* xp = x + (b * c + ch) * hw;
      float* yp = y + (b * c + ch) * hw;
      for (size_t i = 0; i < hw; ++i) yp[i] = xp[i] * af + bf;
    }
  }
  return 0;
}

extern "C" void armbench_relu(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->relu(x, y, count);
}

extern "C" void armbench_clip(const float* x, float* y, size_t count, float lo, float hi) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->clip(x, y, count, lo, hi);
}

extern "C" void armbench_sigmoid(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->sigmoid(x, y, count);
}

extern "C" void armbench_hardswish(const float* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->hardswish(x, y, count);
}

extern "C" void armbench_add(const float* a, const float* b, float* y, size_t count) {
  if (a == nullptr || b == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->add(a, b, y, count);
}

extern "C" void armbench_mul(const float* a, const float* b, float* y, size_t count) {
  if (a == nullptr || b == nullptr || y == nullptr || count == 0) return;
  ops_best_kernels()->mul(a, b, y, count);
}

extern "C" int armbench_concat_channels(size_t inputs, const float* const* xs, const size_t* channels, size_t n,
                                        size_t hw, float* y) {
  if (inputs == 0 || xs == nullptr || channels == nullptr || y == nullptr || n == 0 || hw == 0) return -EINVAL;
  size_t total = 0;
  for (size_t i = 0; i < inputs; ++i) {
    if (xs[i] == nullptr || channels[i] == 0 || channels[i] > SIZE_MAX - total) return -EINVAL;
    total += channels[i];
  }
  size_t elems;
  if (!armbench::ops::volume(&elems, n, total, hw, 1)) return -EINVAL;
  for (size_t b = 0; b < n; ++b) {
    float* dst = y + b * total * hw;
    for (size_t i = 0; i < inputs; ++i) {
      const size_t block = channels[i] * hw;
      memcpy(dst, xs[i] + b * block, block * sizeof(float));
      dst += block;
    }
  }
  return 0;
}

extern "C" const char* armbench_ops_isa(void) { return ops_best_kernels()->isa; }
