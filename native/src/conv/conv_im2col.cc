// GEMM-based convolution: im2col (whole matrix), im2col-tiled (column tiles of bounded
// scratch) and gemm-1x1 (no copy at all).
//
// For batch item b and group g, with K = (c / groups) * r * s:
//   C = y_bg   (k/groups x oh*ow, ldc = oh*ow)
//   A = w_g    (k/groups x K, lda = K: the weights as stored, k x (c/groups) x r x s)
//   B = im2col(x_bg)  (K x oh*ow): row (ci, i, j), column (oy, ox) holds
//       x[b][g*cg + ci][oy*stride_h + i*dil_h - pad_top][ox*stride_w + j*dil_w - pad_left],
//       zero outside the input.
// Batch items and groups run one after another (the batch is not folded into the
// columns: a batch item's output plane is contiguous, so C needs no gather). The GEMM
// uses armbench_gemm_default_kernel(dtype) and beta = 0; the epilogue runs on each
// output tile right after its GEMM, while it is in cache. bf16: B is copied as bf16
// bit patterns; y is fp32.
//
// Tiled: the columns (oh*ow) are cut into tiles of tile_columns() so the im2col scratch
// stays about kTileBytes (1 MiB: within L2 of current server cores); each tile is one
// GEMM writing its columns of y (ldc = oh*ow). A tile may start mid-row: the copy walks
// (oy, ox) segments.
//
// gemm-1x1 (r = s = 1, stride 1, no padding, no dilation): x_bg is already B
// (c/groups x h*w, ldb = h*w), read in place.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include "../runtime/pool.h"
#include "conv_internal.h"

namespace armbench {
namespace conv {
namespace {

size_t elem_bytes(armbench_gemm_dtype d) { return d == ARMBENCH_GEMM_BF16 ? 2 : 4; }

// Columns [col0, col0 + ncols) of the im2col matrix of one group of one batch item
// (x: its cg planes) into out (kdim x ncols, row stride ncols).
template <typename T>
void im2col_columns(const Geometry& g, const T* x, size_t col0, size_t ncols, T* out) {
  const armbench_conv_shape& s = g.s;
  const int64_t w = static_cast<int64_t>(s.w);
  const size_t sw = s.stride_w;
  for (size_t ci = 0; ci < g.cg; ++ci) {
    const T* xc = x + ci * s.h * s.w;
    for (size_t i = 0; i < s.r; ++i) {
      for (size_t j = 0; j < s.s; ++j) {
        T* row = out + ((ci * s.r + i) * s.s + j) * ncols;
        // Valid output columns [lo, hi): 0 <= ox * sw + off < w.
        const int64_t off = static_cast<int64_t>(j * s.dilation_w) - static_cast<int64_t>(s.pad_left);
        const int64_t lo64 = off >= 0 ? 0 : (-off + static_cast<int64_t>(sw) - 1) / static_cast<int64_t>(sw);
        const int64_t hi64 = w - off <= 0 ? 0 : (w - 1 - off) / static_cast<int64_t>(sw) + 1;
        const size_t lo_all = static_cast<size_t>(std::min<int64_t>(lo64, static_cast<int64_t>(g.ow)));
        const size_t hi_all = static_cast<size_t>(std::min<int64_t>(std::max(hi64, lo64), static_cast<int64_t>(g.ow)));
        size_t p = col0;
        const size_t end = col0 + ncols;
        while (p < end) {
          const size_t oy = p / g.ow;
          const size_t ox0 = p % g.ow;
          const size_t ox1 = std::min(g.ow, ox0 + (end - p));
          T* seg = row + (p - col0);  // seg[ox - ox0] is column (oy, ox)
          const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i * s.dilation_h) -
                             static_cast<int64_t>(s.pad_top);
          if (iy < 0 || iy >= static_cast<int64_t>(s.h)) {
            memset(seg, 0, (ox1 - ox0) * sizeof(T));
          } else {
            const size_t lo = std::clamp(lo_all, ox0, ox1);
            const size_t hi = std::clamp(hi_all, lo, ox1);
            const T* src = xc + static_cast<size_t>(iy) * s.w;
            if (lo > ox0) memset(seg, 0, (lo - ox0) * sizeof(T));
            if (sw == 1) {
              if (hi > lo) memcpy(seg + (lo - ox0), src + (static_cast<int64_t>(lo) + off), (hi - lo) * sizeof(T));
            } else {
              for (size_t ox = lo; ox < hi; ++ox) seg[ox - ox0] = src[static_cast<int64_t>(ox * sw) + off];
            }
            if (ox1 > hi) memset(seg + (hi - ox0), 0, (ox1 - hi) * sizeof(T));
          }
          p += ox1 - ox0;
        }
      }
    }
  }
}

// One GEMM: y_tile (kg x ncols, ldc plane) = w_g * B (kdim x ncols, ldb), then the epilogue.
// The epilogue over a GEMM's C (rows = output channels), rows split over the pool's
// workers: on the calling thread alone it is the serial part of a 1x1 convolution.
struct EpilogueTask {
  const armbench_conv_epilogue* e;
  float* c;
  const float* residual;  // same offset and stride as c, or nullptr
  size_t ld, ch0, rows, cols;
};

void epilogue_rows(void* p, int index, int threads) {
  const EpilogueTask& t = *static_cast<const EpilogueTask*>(p);
  size_t r0, r1;
  runtime::pool_share(t.rows, index, threads, &r0, &r1);
  if (r1 > r0) {
    apply_epilogue(*t.e, t.c + r0 * t.ld, t.residual != nullptr ? t.residual + r0 * t.ld : nullptr, t.ld, t.ch0 + r0,
                   r1 - r0, t.cols);
  }
}

int gemm_tile(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, size_t b, size_t group,
              const void* bmat, size_t ldb, size_t col0, size_t ncols) {
  const size_t eb = elem_bytes(a.dtype);
  armbench_gemm_args ga{};
  ga.kernel = armbench_gemm_default_kernel(a.dtype);
  ga.m = g.kg;
  ga.n = ncols;
  ga.k = g.kdim;
  ga.alpha = 1.0f;
  ga.beta = 0.0f;
  ga.a = static_cast<const char*>(a.w) + group * g.kg * g.kdim * eb;
  ga.lda = g.kdim;
  ga.b = bmat;
  ga.ldb = ldb;
  const size_t offset = (b * g.s.k + group * g.kg) * g.plane + col0;
  ga.c = a.y + offset;
  ga.ldc = g.plane;
  const int rc = armbench_gemm(pool, &ga);
  if (rc != 0) return rc;
  const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + offset : nullptr;
  EpilogueTask task{&a.epilogue, ga.c, res, g.plane, group * g.kg, g.kg, ncols};
  runtime::pool_run(pool, epilogue_rows, &task);
  return 0;
}

template <typename T>
int im2col_conv(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, size_t tile) {
  T* scratch = static_cast<T*>(malloc(g.kdim * tile * sizeof(T)));
  if (scratch == nullptr) return -ENOMEM;
  const T* x = static_cast<const T*>(a.x);
  int rc = 0;
  for (size_t b = 0; b < g.s.n && rc == 0; ++b) {
    for (size_t group = 0; group < g.s.groups && rc == 0; ++group) {
      const T* xg = x + (b * g.s.c + group * g.cg) * g.s.h * g.s.w;
      for (size_t col0 = 0; col0 < g.plane && rc == 0; col0 += tile) {
        const size_t ncols = std::min(tile, g.plane - col0);
        im2col_columns(g, xg, col0, ncols, scratch);
        rc = gemm_tile(pool, g, a, b, group, scratch, ncols, col0, ncols);
      }
    }
  }
  free(scratch);
  return rc;
}

}  // namespace

size_t tile_columns(const Geometry& g, armbench_gemm_dtype dtype) {
  // A multiple of 32 columns (whole nr panels of every kernel), at least 32.
  size_t cols = kTileBytes / (g.kdim * elem_bytes(dtype));
  cols = std::max<size_t>(32, cols / 32 * 32);
  return std::min(cols, g.plane);
}

int run_im2col(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, bool tiled) {
  const size_t tile = tiled ? tile_columns(g, a.dtype) : g.plane;
  return a.dtype == ARMBENCH_GEMM_BF16 ? im2col_conv<uint16_t>(pool, g, a, tile) : im2col_conv<float>(pool, g, a, tile);
}

int run_gemm_1x1(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a) {
  const size_t eb = elem_bytes(a.dtype);
  for (size_t b = 0; b < g.s.n; ++b) {
    for (size_t group = 0; group < g.s.groups; ++group) {
      const void* xg = static_cast<const char*>(a.x) + (b * g.s.c + group * g.cg) * g.plane * eb;
      const int rc = gemm_tile(pool, g, a, b, group, xg, g.plane, 0, g.plane);
      if (rc != 0) return rc;
    }
  }
  return 0;
}

}  // namespace conv
}  // namespace armbench
