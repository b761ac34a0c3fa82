// Winograd F(m x m, 3 x 3), m = 2, 4, 6 (tile t = m + 2), for 3x3 kernels with stride
// 1, no dilation and groups 1; any padding, any n, c, k, h, w. The matrices and points
// are in winograd.h.
//
// Plan time (winograd_prepare): U = G g G^T for every (k, c), in double from the
// (widened) weights and rounded once to fp32 (and, for bf16, once more to bf16); then
// for each of the t*t positions (xi, nu) the C x K matrix U_pos^T is packed once as
// the B operand of that position's GEMM, in the panel order of the dtype's default
// kernel. Weights are the operand every tile block shares, so they are packed once and
// the per-block GEMM packs only the small tile operand.
//
// Run time (run_winograd), per batch item, the output tiles (row-major over the
// ceil(oh/m) x ceil(ow/m) grid) are taken in blocks of nb tiles, nb a multiple of the
// kernel's mr sized so that the block's V and M (t*t * (C + K) * nb floats) stay about
// kBlockBytes. Each block is one pool_run in three phases split by barriers:
//   1. input transform, channels split over the workers: each tile's t x t input patch
//      (rows ty*m - pad_top + [0, t), columns tx*m - pad_left + [0, t), zero outside
//      the image) widened to fp32 and gathered into P[a][b][tile]; then V = B^T d B as
//      two passes of row combinations whose innermost loop runs over the block's tiles
//      (contiguous, so it vectorises at any SIMD width, and the zeros of B^T are
//      skipped outside it). fp32 V is stored per position as a C x nb matrix
//      V[((xi * t + nu) * C + c) * nb + tile]; bf16 V, rounded, as nb x C,
//      V[((xi * t + nu) * nb + tile) * C + c], channel pairs adjacent for the packing.
//   2. t*t GEMMs, positions split over the workers, each on its worker alone:
//      M_pos (nb x K) = V_pos^T (nb x C) * U_pos^T (C x K). Tiles are the GEMM's rows,
//      so a layer with few tiles (7x7 maps) still fills the kernel's wide dimension
//      with output channels.
//   3. output transform Y = A^T M A per tile, vectorised over the output channels
//      (M_pos rows are contiguous in k), the m x m results scattered into y, dropping
//      rows and columns past oh and ow (edge tiles); then, output channels split over
//      the workers, the epilogue on every output row the block completed.
// Scratch: V and M in one malloc per call (as the tiled im2col), and per worker two
// t*t*max(nb, K) buffers. A pool of any size gives the same bits as the calling thread:
// every value is computed by the same code in the same order whichever worker runs it.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <new>
#include <vector>

#include "../runtime/pool.h"
#include "armbench/bf16.h"
#include "conv_internal.h"
#include "winograd.h"

namespace armbench {
namespace conv {

struct WinogradWeights {
  unsigned m = 0, t = 0;
  size_t k = 0, c = 0;
  armbench_gemm_dtype dtype = ARMBENCH_GEMM_F32;
  size_t kernel = 0;       // the GEMM kernel the panels are packed for
  unsigned mr = 1;         // its register rows: the tile block is a multiple
  float bt[64];            // B^T, t x t
  float at[48];            // A^T, m x t
  std::vector<armbench_gemm_packed_b*> u;  // per position: U_pos^T (C x K), packed
  ~WinogradWeights() {
    for (armbench_gemm_packed_b* p : u) armbench_gemm_packed_b_free(p);
  }
};

namespace {

// The block's V and M together stay about this size (L2 of current server cores).
constexpr size_t kBlockBytes = size_t{1} << 20;

float widen(float v) { return v; }
float widen(uint16_t h) { return armbench_bf16_to_f32(h); }

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

// One block of tiles of one batch item, run as a pool task.
template <typename T>
struct BlockTask {
  const Geometry* g;
  const armbench_conv_args* a;
  const WinogradWeights* ww;
  armbench_gemm_pool* pool;
  Block bl;
  const T* xb;          // this batch item's input
  float* yb;            // and output
  const float* rb;      // and residual, or nullptr
  void* V;              // t*t x C x nb, float or uint16_t
  float* M;             // t*t x nb x K
  float* work;          // per worker: two buffers of work_floats
  size_t work_floats;
  size_t rows0, rows1;  // output rows the epilogue runs on after this block
  int* rc;              // per worker GEMM status
};

template <typename T>
void run_block(void* p, int index, int threads) {
  const BlockTask<T>& b = *static_cast<const BlockTask<T>*>(p);
  const Geometry& g = *b.g;
  const WinogradWeights& ww = *b.ww;
  const unsigned m = ww.m, t = ww.t, tt = t * t;
  const size_t C = ww.c, K = ww.k, nb = b.bl.nb, n = b.bl.count;
  float* P = b.work + 2 * b.work_floats * static_cast<size_t>(index);
  float* W = P + b.work_floats;
  size_t lo, hi;

  // 1. V = B^T d B, channels [lo, hi).
  runtime::pool_share(C, index, threads, &lo, &hi);
  const bool bf16 = ww.dtype == ARMBENCH_GEMM_BF16;
  for (size_t c = lo; c < hi; ++c) {
    gather_patches(g, m, t, b.bl, b.xb + c * g.s.h * g.s.w, P);
    for (unsigned xi = 0; xi < t; ++xi) {
      for (unsigned bcol = 0; bcol < t; ++bcol) combine(ww.bt + xi * t, t, P + bcol * nb, t * nb, W + (xi * t + bcol) * nb, n);
    }
    if (!bf16) {
      for (unsigned xi = 0; xi < t; ++xi) {
        for (unsigned nu = 0; nu < t; ++nu) {
          combine(ww.bt + nu * t, t, W + xi * t * nb, nb, static_cast<float*>(b.V) + ((xi * t + nu) * C + c) * nb, n);
        }
      }
      continue;
    }
    // bf16: all positions of this channel into P, rounded at once, then scattered into
    // the row-major tiles x C operand, where the GEMM's packing finds channel pairs
    // adjacent.
    for (unsigned xi = 0; xi < t; ++xi) {
      for (unsigned nu = 0; nu < t; ++nu) combine(ww.bt + nu * t, t, W + xi * t * nb, nb, P + (xi * t + nu) * nb, n);
    }
    uint16_t* h = reinterpret_cast<uint16_t*>(W);
    armbench_f32_to_bf16_array(P, h, tt * nb, ARMBENCH_BF16_RNE);
    uint16_t* vh = static_cast<uint16_t*>(b.V) + c;
    for (unsigned pos = 0; pos < tt; ++pos) {
      for (size_t j = 0; j < n; ++j) vh[(pos * nb + j) * C] = h[pos * nb + j];
    }
  }
  runtime::pool_barrier(b.pool);

  // 2. M_pos = V_pos^T U_pos^T, positions [lo, hi), each GEMM on this worker alone.
  runtime::pool_share(tt, index, threads, &lo, &hi);
  armbench_gemm_args ga{};
  ga.kernel = ww.kernel;
  ga.trans_a = bf16 ? 0 : 1;
  ga.m = n;
  ga.n = K;
  ga.k = C;
  ga.alpha = 1.0f;
  ga.beta = 0.0f;
  ga.lda = bf16 ? C : nb;
  ga.ldc = K;
  const size_t elem = bf16 ? 2 : 4;
  for (size_t pos = lo; pos < hi && b.rc[index] == 0; ++pos) {
    ga.a = static_cast<const char*>(b.V) + pos * C * nb * elem;
    ga.c = b.M + pos * nb * K;
    b.rc[index] = armbench_gemm_packed(nullptr, &ga, ww.u[pos]);
  }
  runtime::pool_barrier(b.pool);

  // 3. Y = A^T M A per tile [lo, hi), over all K channels at once, scattered into y.
  runtime::pool_share(n, index, threads, &lo, &hi);
  for (size_t jt = lo; jt < hi; ++jt) {
    // P[(i * t + nu) * K + k] = sum_xi A^T[i][xi] M[(xi * t + nu)][jt][k]
    for (unsigned i = 0; i < m; ++i) {
      for (unsigned nu = 0; nu < t; ++nu) combine(ww.at + i * t, t, b.M + nu * nb * K + jt * K, t * nb * K, P + (i * t + nu) * K, K);
    }
    // W[(i * m + j) * K + k] = sum_nu A^T[j][nu] P[(i * t + nu) * K + k]
    for (unsigned i = 0; i < m; ++i) {
      for (unsigned j = 0; j < m; ++j) combine(ww.at + j * t, t, P + i * t * K, K, W + (i * m + j) * K, K);
    }
    const size_t tile = b.bl.tile0 + jt;
    const size_t oy0 = (tile / b.bl.tw) * m, ox0 = (tile % b.bl.tw) * m;
    const unsigned rows = static_cast<unsigned>(std::min<size_t>(m, g.oh - oy0));
    const unsigned cols = static_cast<unsigned>(std::min<size_t>(m, g.ow - ox0));
    for (unsigned i = 0; i < rows; ++i) {
      for (unsigned j = 0; j < cols; ++j) {
        const float* src = W + (i * m + j) * K;
        float* dst = b.yb + (oy0 + i) * g.ow + ox0 + j;
        for (size_t k = 0; k < K; ++k) dst[k * g.plane] = src[k];
      }
    }
  }
  if (b.rows1 > b.rows0) {
    runtime::pool_barrier(b.pool);
    runtime::pool_share(K, index, threads, &lo, &hi);
    const size_t off = b.rows0 * g.ow;
    if (hi > lo) {
      apply_epilogue(b.a->epilogue, b.yb + lo * g.plane + off, b.rb != nullptr ? b.rb + lo * g.plane + off : nullptr,
                     g.plane, lo, hi - lo, (b.rows1 - b.rows0) * g.ow);
    }
  }
}

template <typename T>
int winograd_conv(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a,
                  const WinogradWeights& ww) {
  const unsigned m = ww.m, t = ww.t, tt = t * t;
  const size_t C = g.s.c, K = g.s.k;
  const size_t th = (g.oh + m - 1) / m, tw = (g.ow + m - 1) / m, ntiles = th * tw;
  const size_t mr = ww.mr;
  size_t nb = kBlockBytes / (tt * (C + K) * sizeof(float));
  nb = std::max<size_t>(mr, nb / mr * mr);
  nb = std::min(nb, (ntiles + mr - 1) / mr * mr);
  const int threads = pool != nullptr ? armbench_gemm_pool_threads(pool) : 1;
  const size_t elem = ww.dtype == ARMBENCH_GEMM_BF16 ? 2 : 4;
  const size_t vbytes = (tt * C * nb * elem + 63) / 64 * 64;
  const size_t work_floats = tt * std::max(nb, K);
  char* scratch = static_cast<char*>(
      malloc(vbytes + (tt * nb * K + 2 * work_floats * static_cast<size_t>(threads)) * sizeof(float)));
  if (scratch == nullptr) return -ENOMEM;
  std::vector<int> rc(static_cast<size_t>(threads), 0);
  BlockTask<T> task{};
  task.g = &g;
  task.a = &a;
  task.ww = &ww;
  task.pool = pool;
  task.V = scratch;
  task.M = reinterpret_cast<float*>(scratch + vbytes);
  task.work = task.M + tt * nb * K;
  task.work_floats = work_floats;
  task.rc = rc.data();
  int status = 0;
  for (size_t b = 0; b < g.s.n && status == 0; ++b) {
    task.xb = static_cast<const T*>(a.x) + b * C * g.s.h * g.s.w;
    task.yb = a.y + b * K * g.plane;
    task.rb = a.epilogue.residual != nullptr ? a.epilogue.residual + b * K * g.plane : nullptr;
    size_t rows_done = 0;  // output rows the epilogue has run on
    for (size_t tile0 = 0; tile0 < ntiles && status == 0; tile0 += nb) {
      task.bl = Block{tile0, std::min(nb, ntiles - tile0), nb, tw};
      // The epilogue runs on the output rows whose tiles are all done.
      const size_t end = tile0 + task.bl.count;
      const size_t rows_ready = end == ntiles ? g.oh : std::min(g.oh, end / tw * m);
      task.rows0 = rows_done;
      task.rows1 = std::max(rows_ready, rows_done);
      rows_done = task.rows1;
      runtime::pool_run(pool, run_block<T>, &task);
      for (int r : rc) status = status != 0 ? status : r;
    }
  }
  free(scratch);
  return status;
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
  ww->dtype = dtype;
  ww->kernel = armbench_gemm_default_kernel(dtype);
  ww->mr = armbench_gemm_kernel_at(ww->kernel)->mr;
  for (unsigned i = 0; i < tt; ++i) ww->bt[i] = static_cast<float>(tr.bt[i]);  // exact
  for (unsigned i = 0; i < m * t; ++i) ww->at[i] = static_cast<float>(tr.at[i]);  // exact
  std::vector<float> u;   // t*t matrices K x C
  std::vector<uint16_t> uh;
  try {
    u.resize(tt * K * C);
    ww->u.assign(tt, nullptr);
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
          u[((xi * t + nu) * K + k) * C + c] = static_cast<float>(v);
        }
      }
    }
  }
  const void* src = u.data();
  size_t elem = sizeof(float);
  if (dtype == ARMBENCH_GEMM_BF16) {
    try {
      uh.resize(u.size());
    } catch (const std::bad_alloc&) {
      delete ww;
      return -ENOMEM;
    }
    armbench_f32_to_bf16_array(u.data(), uh.data(), u.size(), ARMBENCH_BF16_RNE);
    src = uh.data();
    elem = sizeof(uint16_t);
  }
  for (unsigned pos = 0; pos < tt; ++pos) {
    // U_pos is K x C row-major, so op(B) = U_pos^T is the transposed read.
    const int rc = armbench_gemm_pack_b(ww->kernel, 1, C, K, static_cast<const char*>(src) + pos * K * C * elem, C,
                                        nullptr, &ww->u[pos]);
    if (rc != 0) {
      delete ww;
      return rc;
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
