// Winograd F(m x m, 3 x 3), m = 2, 4, 6 (tile t = m + 2), for 3x3 kernels with stride
// 1, no dilation and groups 1; any padding, any n, c, k, h, w. The matrices and points
// are in winograd.h.
//
// Plan time (winograd_prepare): U = G g G^T for every (k, c), in double from the
// (widened) weights and rounded once to fp32, stored per position: for each of the t*t
// positions (xi, nu) a K x C row-major matrix, U[((xi * t + nu) * K + k) * C + c], the A
// operand of that position's GEMM.
//
// Run time (run_winograd), per batch item, the output tiles (row-major over the
// ceil(oh/m) x ceil(ow/m) grid) are taken in blocks of nb tiles, nb sized so that the
// block's V and M (t*t * (C + K) * nb floats) stay about kBlockBytes; per block:
//   1. input transform: each tile's t x t input patch (rows ty*m - pad_top + [0, t),
//      columns tx*m - pad_left + [0, t), zero outside the image) widened to fp32 and
//      gathered into P[a][b][tile]; then V = B^T d B as two passes of row combinations
//      whose innermost loop runs over the block's tiles (contiguous, so it vectorises at
//      any SIMD width, and the zeros of B^T are skipped outside it). V is stored per
//      position as a C x nb matrix: V[((xi * t + nu) * C + c) * nb + tile].
//   2. t*t GEMMs on the pool: M_pos (K x nb) = U_pos (K x C) * V_pos (C x nb), our
//      armbench_gemm with the default fp32 kernel and beta = 0.
//   3. output transform Y = A^T M A per (k, tile), again vectorised over tiles, and the
//      m x m results scattered into y, dropping the rows and columns past oh and ow
//      (edge tiles); then the epilogue on every output row the block completed.
// Scratch is one malloc per call (as the tiled im2col): V, M and two t*t*nb buffers.
// The transforms run on the calling thread; only the GEMMs use the pool, so a pool of
// any size gives the same bits as the calling thread (the GEMM is deterministic).
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <new>
#include <vector>

#include "conv_internal.h"
#include "winograd.h"

namespace armbench {
namespace conv {

struct WinogradWeights {
  unsigned m = 0, t = 0;
  size_t k = 0, c = 0;
  float bt[64];            // B^T, t x t
  float at[48];            // A^T, m x t
  std::vector<float> u;    // t*t matrices K x C
};

namespace {

// The block's V and M together stay about this size (L2 of current server cores).
constexpr size_t kBlockBytes = size_t{1} << 20;

float widen(float v) { return v; }
float widen(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// dst[i] = sum over k < n with coef[k] != 0 of coef[k] * src[k * stride + i], i < len,
// the terms added in order of k.
void combine(const float* coef, unsigned n, const float* src, size_t stride, float* __restrict dst, size_t len) {
  unsigned k = 0;
  while (k < n && coef[k] == 0.0f) ++k;
  if (k == n) {
    memset(dst, 0, len * sizeof(float));
    return;
  }
  {
    const float c = coef[k];
    const float* __restrict s = src + k * stride;
    for (size_t i = 0; i < len; ++i) dst[i] = c * s[i];
  }
  for (++k; k < n; ++k) {
    const float c = coef[k];
    if (c == 0.0f) continue;
    const float* __restrict s = src + k * stride;
    for (size_t i = 0; i < len; ++i) dst[i] += c * s[i];
  }
}

struct Block {
  size_t tile0, count;  // tiles [tile0, tile0 + count) of the grid
  size_t nb;            // the stride of the per-tile arrays (>= count)
  size_t tw;            // tiles per grid row
};

// P[(a * t + b) * nb + j]: the t x t input patch of tile j of the block, from one
// channel plane x (h x w), zero outside the image.
template <typename T>
void gather_patches(const Geometry& g, unsigned m, unsigned t, const Block& bl, const T* x, float* P) {
  const int64_t h = static_cast<int64_t>(g.s.h), w = static_cast<int64_t>(g.s.w);
  for (size_t j = 0; j < bl.count; ++j) {
    const size_t tile = bl.tile0 + j;
    const int64_t iy0 = static_cast<int64_t>((tile / bl.tw) * m) - static_cast<int64_t>(g.s.pad_top);
    const int64_t ix0 = static_cast<int64_t>((tile % bl.tw) * m) - static_cast<int64_t>(g.s.pad_left);
    float* p = P + j;
    if (iy0 >= 0 && ix0 >= 0 && iy0 + t <= h && ix0 + t <= w) {
      const T* src = x + iy0 * w + ix0;
      for (unsigned a = 0; a < t; ++a, src += w) {
        for (unsigned b = 0; b < t; ++b) p[(a * t + b) * bl.nb] = widen(src[b]);
      }
      continue;
    }
    for (unsigned a = 0; a < t; ++a) {
      const int64_t iy = iy0 + a;
      const bool row_in = iy >= 0 && iy < h;
      for (unsigned b = 0; b < t; ++b) {
        const int64_t ix = ix0 + b;
        p[(a * t + b) * bl.nb] = row_in && ix >= 0 && ix < w ? widen(x[iy * w + ix]) : 0.0f;
      }
    }
  }
}

template <typename T>
int winograd_conv(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a,
                  const WinogradWeights& ww) {
  const unsigned m = ww.m, t = ww.t, tt = t * t;
  const size_t C = g.s.c, K = g.s.k;
  const size_t th = (g.oh + m - 1) / m, tw = (g.ow + m - 1) / m, ntiles = th * tw;
  size_t nb = kBlockBytes / (tt * (C + K) * sizeof(float));
  nb = std::max<size_t>(16, nb / 16 * 16);
  nb = std::min(nb, ntiles);
  float* scratch = static_cast<float*>(malloc((tt * (C + K) * nb + 2 * tt * nb) * sizeof(float)));
  if (scratch == nullptr) return -ENOMEM;
  float* V = scratch;
  float* M = V + tt * C * nb;
  float* P = M + tt * K * nb;  // the patches, then A^T M
  float* W = P + tt * nb;      // B^T d, then Y
  const T* x = static_cast<const T*>(a.x);
  armbench_gemm_args ga{};
  ga.kernel = armbench_gemm_default_kernel(ARMBENCH_GEMM_F32);
  ga.m = K;
  ga.k = C;
  ga.alpha = 1.0f;
  ga.beta = 0.0f;
  ga.lda = C;
  ga.ldb = nb;
  ga.ldc = nb;
  int rc = 0;
  for (size_t b = 0; b < g.s.n && rc == 0; ++b) {
    const T* xb = x + b * C * g.s.h * g.s.w;
    float* yb = a.y + b * K * g.plane;
    const float* rb = a.epilogue.residual != nullptr ? a.epilogue.residual + b * K * g.plane : nullptr;
    size_t rows_done = 0;  // output rows the epilogue has run on
    for (size_t tile0 = 0; tile0 < ntiles && rc == 0; tile0 += nb) {
      const Block bl{tile0, std::min(nb, ntiles - tile0), nb, tw};
      const size_t n = bl.count;
      // 1. V = B^T d B.
      for (size_t c = 0; c < C; ++c) {
        gather_patches(g, m, t, bl, xb + c * g.s.h * g.s.w, P);
        for (unsigned xi = 0; xi < t; ++xi) {
          for (unsigned bcol = 0; bcol < t; ++bcol) combine(ww.bt + xi * t, t, P + bcol * nb, t * nb, W + (xi * t + bcol) * nb, n);
        }
        for (unsigned xi = 0; xi < t; ++xi) {
          for (unsigned nu = 0; nu < t; ++nu) {
            combine(ww.bt + nu * t, t, W + xi * t * nb, nb, V + ((xi * t + nu) * C + c) * nb, n);
          }
        }
      }
      // 2. M_pos = U_pos V_pos.
      ga.n = n;
      for (unsigned pos = 0; pos < tt && rc == 0; ++pos) {
        ga.a = ww.u.data() + pos * K * C;
        ga.b = V + pos * C * nb;
        ga.c = M + pos * K * nb;
        rc = armbench_gemm(pool, &ga);
      }
      if (rc != 0) break;
      // 3. Y = A^T M A, scattered into y.
      for (size_t k = 0; k < K; ++k) {
        for (unsigned i = 0; i < m; ++i) {
          for (unsigned nu = 0; nu < t; ++nu) combine(ww.at + i * t, t, M + (nu * K + k) * nb, t * K * nb, P + (i * t + nu) * nb, n);
        }
        for (unsigned i = 0; i < m; ++i) {
          for (unsigned j = 0; j < m; ++j) combine(ww.at + j * t, t, P + i * t * nb, nb, W + (i * m + j) * nb, n);
        }
        float* yk = yb + k * g.plane;
        for (size_t jt = 0; jt < n; ++jt) {
          const size_t tile = tile0 + jt;
          const size_t oy0 = (tile / tw) * m, ox0 = (tile % tw) * m;
          const unsigned rows = static_cast<unsigned>(std::min<size_t>(m, g.oh - oy0));
          const unsigned cols = static_cast<unsigned>(std::min<size_t>(m, g.ow - ox0));
          for (unsigned i = 0; i < rows; ++i) {
            float* row = yk + (oy0 + i) * g.ow + ox0;
            for (unsigned j = 0; j < cols; ++j) row[j] = W[(i * m + j) * nb + jt];
          }
        }
      }
      // The epilogue on the output rows whose tiles are all done.
      const size_t end = tile0 + n;
      const size_t rows_ready = end == ntiles ? g.oh : std::min(g.oh, end / tw * m);
      if (rows_ready > rows_done) {
        const size_t off = rows_done * g.ow;
        apply_epilogue(a.epilogue, yb + off, rb != nullptr ? rb + off : nullptr, g.plane, 0, K,
                       (rows_ready - rows_done) * g.ow);
        rows_done = rows_ready;
      }
    }
  }
  free(scratch);
  return rc;
}

}  // namespace

const char* winograd_unsupported(const armbench_conv_shape& s) {
  if (s.r == 3 && s.s == 3 && s.stride_h == 1 && s.stride_w == 1 && s.dilation_h == 1 && s.dilation_w == 1 &&
      s.groups == 1) {
    return nullptr;
  }
  return "needs a 3x3 kernel, stride 1, no dilation and groups 1";
}

int winograd_prepare(unsigned m, const Geometry& g, armbench_gemm_dtype dtype, const void* w,
                     WinogradWeights** out) {
  const winograd::Transform tr = winograd::transform_for(m);
  if (tr.m == 0 || out == nullptr) return -EINVAL;
  *out = nullptr;
  WinogradWeights* ww = new (std::nothrow) WinogradWeights();
  if (ww == nullptr) return -ENOMEM;
  const unsigned t = tr.t, tt = t * t;
  const size_t K = g.s.k, C = g.s.c;
  ww->m = m;
  ww->t = t;
  ww->k = K;
  ww->c = C;
  for (unsigned i = 0; i < tt; ++i) ww->bt[i] = static_cast<float>(tr.bt[i]);  // exact
  for (unsigned i = 0; i < m * t; ++i) ww->at[i] = static_cast<float>(tr.at[i]);  // exact
  try {
    ww->u.resize(tt * K * C);
  } catch (const std::bad_alloc&) {
    delete ww;
    return -ENOMEM;
  }
  for (size_t k = 0; k < K; ++k) {
    for (size_t c = 0; c < C; ++c) {
      double gk[3][3];
      for (unsigned i = 0; i < 9; ++i) {
        const size_t idx = (k * C + c) * 9 + i;
        gk[i / 3][i % 3] = dtype == ARMBENCH_GEMM_BF16 ? widen(static_cast<const uint16_t*>(w)[idx])
                                                       : static_cast<const float*>(w)[idx];
      }
      double tmp[8][3];  // G g
      for (unsigned xi = 0; xi < t; ++xi) {
        for (unsigned j = 0; j < 3; ++j) {
          tmp[xi][j] = tr.g[xi * 3 + 0] * gk[0][j] + tr.g[xi * 3 + 1] * gk[1][j] + tr.g[xi * 3 + 2] * gk[2][j];
        }
      }
      for (unsigned xi = 0; xi < t; ++xi) {
        for (unsigned nu = 0; nu < t; ++nu) {
          const double v = tmp[xi][0] * tr.g[nu * 3 + 0] + tmp[xi][1] * tr.g[nu * 3 + 1] + tmp[xi][2] * tr.g[nu * 3 + 2];
          ww->u[((xi * t + nu) * K + k) * C + c] = static_cast<float>(v);
        }
      }
    }
  }
  *out = ww;
  return 0;
}

void winograd_free(WinogradWeights* ww) { delete ww; }

int run_winograd(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, const WinogradWeights* ww) {
  if (ww == nullptr) return -EINVAL;
  return a.dtype == ARMBENCH_GEMM_BF16 ? winograd_conv<uint16_t>(pool, g, a, *ww) : winograd_conv<float>(pool, g, a, *ww);
}

}  // namespace conv
}  // namespace armbench
