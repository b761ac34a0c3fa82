// Direct NCHWc inner kernel, AVX2 + FMA, block 8: a register tile of up to 12 output
// pixels x 8 output channels (12 ymm accumulators). Per tap and input channel: one
// weight vector load and one broadcast input value per pixel (12 + 1 weight + 1
// broadcast of 16 ymm). Built with -mavx2 -mfma, run only when the CPU has both. Also
// the two-block form (NchwcMulti), below.
#include "nchwc.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"

constexpr size_t kBlk = 8;

template <int T>
void tile(const NchwcRow& a, const float* x, float* y) {
  __m256 acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const float* wp = a.w + ((cb * a.r + i) * a.s + j) * kBlk * kBlk;
        for (size_t ci = 0; ci < kBlk; ++ci) {
          const __m256 wv = _mm256_loadu_ps(wp + ci * kBlk);
#pragma GCC unroll 16
          for (int t = 0; t < T; ++t) acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(xp[t * a.pix_stride + ci]), wv, acc[t]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRow&, const float*, float*);
constexpr int kMaxT = 12;
const TileFn kTiles[kMaxT + 1] = {nullptr,  tile<1>,  tile<2>,  tile<3>,  tile<4>,  tile<5>,  tile<6>, tile<7>,
                                  tile<8>,  tile<9>,  tile<10>, tile<11>, tile<12>};

void row(const NchwcRow& a) {
  // Even tiles: a 56-pixel row is 5 x 11-12, a 28-pixel row 3 x 9-10.
  split_row(a, kBlk, kMaxT, kTiles);
}

// Two output blocks: up to 6 pixels x 16 output channels (12 ymm accumulators + 2
// weight vectors + 1 broadcast of 16), so each broadcast input value feeds two FMAs.
// The epilogue as in nchwc_store_avx512.inc: (y + b) + r, ReLU and Clip as MAXPS and
// MINPS, which keep NaN and -0 as the selects do. A is NchwcMulti or NchwcDepthwiseRow.
template <typename A>
inline __m256 finish(__m256 v, const A& a, const float* bias, const float* res) {
  if (res != nullptr) {
    v = _mm256_add_ps(_mm256_add_ps(v, bias != nullptr ? _mm256_loadu_ps(bias) : _mm256_setzero_ps()),
                      _mm256_loadu_ps(res));
  } else if (bias != nullptr) {
    v = _mm256_add_ps(v, _mm256_loadu_ps(bias));
  }
  if (a.act == ARMBENCH_ACT_RELU) {
    v = _mm256_max_ps(_mm256_setzero_ps(), v);
  } else if (a.act == ARMBENCH_ACT_CLIP) {
    v = _mm256_max_ps(_mm256_set1_ps(a.lo), _mm256_min_ps(_mm256_set1_ps(a.hi), v));
  }
  return v;
}

template <int T>
void multi_tile(const NchwcMulti& a, const float* x, float* y) {
  static_assert(kMultiBlocks == 2, "two output blocks per tile");
  __m256 acc0[T], acc1[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc0[t] = acc1[t] = _mm256_setzero_ps();
  const float* wp = a.w;
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t cin = cb + 1 < a.cblocks ? kBlk : a.cin_last;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        for (size_t ci = 0; ci < cin; ++ci) {
          const __m256 w0 = _mm256_loadu_ps(wp + ci * 2 * kBlk);
          const __m256 w1 = _mm256_loadu_ps(wp + ci * 2 * kBlk + kBlk);
#pragma GCC unroll 16
          for (int t = 0; t < T; ++t) {
            const __m256 xv = _mm256_set1_ps(xp[t * a.pix_stride + ci]);
            acc0[t] = _mm256_fmadd_ps(xv, w0, acc0[t]);
            acc1[t] = _mm256_fmadd_ps(xv, w1, acc1[t]);
          }
        }
      }
    }
  }
  const ptrdiff_t yoff = y - a.y;
  const float* res0 = a.residual != nullptr ? a.residual + yoff : nullptr;
  const float* res1 = res0 != nullptr ? res0 + a.y_block_stride : nullptr;
  const float* b0 = a.bias;
  const float* b1 = b0 != nullptr ? b0 + kBlk : nullptr;
  const bool plain = res0 == nullptr && b0 == nullptr && a.act == ARMBENCH_ACT_NONE;
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) {
    __m256 v0 = acc0[t], v1 = acc1[t];
    if (!plain) {
      v0 = finish(v0, a, b0, res0 != nullptr ? res0 + t * kBlk : nullptr);
      v1 = finish(v1, a, b1, res1 != nullptr ? res1 + t * kBlk : nullptr);
    }
    _mm256_storeu_ps(y + t * kBlk, v0);
    _mm256_storeu_ps(y + a.y_block_stride + t * kBlk, v1);
  }
}

typedef void (*MultiTileFn)(const NchwcMulti&, const float*, float*);
constexpr int kMultiMaxT = 6;
const MultiTileFn kMultiTiles[kMultiMaxT + 1] = {nullptr,        multi_tile<1>, multi_tile<2>, multi_tile<3>,
                                                 multi_tile<4>, multi_tile<5>, multi_tile<6>};

void multi(const NchwcMulti& a) {
  for (size_t k = 0; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kMultiMaxT, kMultiTiles);
}

// Depthwise: up to 12 pixels of one channel block (12 ymm accumulators). Per tap one
// weight vector, one multiply-add per pixel with the input vector folded in as a load.
template <int T>
void dw_tile(const NchwcDepthwiseRow& a, const float* x, float* y) {
  __m256 acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  for (size_t i = 0; i < a.r; ++i) {
    for (size_t j = 0; j < a.s; ++j) {
      const float* xp = x + i * a.row_stride + j * a.col_stride;
      const __m256 wv = _mm256_loadu_ps(a.w + (i * a.s + j) * kBlk);
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) acc[t] = _mm256_fmadd_ps(_mm256_loadu_ps(xp + t * a.pix_stride), wv, acc[t]);
    }
  }
  if (a.bias == nullptr && a.residual == nullptr && a.act == ARMBENCH_ACT_NONE) {
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * kBlk, acc[t]);
    return;
  }
  const float* res = a.residual != nullptr ? a.residual + (y - a.y) : nullptr;
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * kBlk, finish(acc[t], a, a.bias, res != nullptr ? res + t * kBlk : nullptr));
}

typedef void (*DwTileFn)(const NchwcDepthwiseRow&, const float*, float*);
constexpr int kDwMaxT = 12;
const DwTileFn kDwTiles[kDwMaxT + 1] = {nullptr, dw_tile<1>, dw_tile<2>, dw_tile<3>, dw_tile<4>, dw_tile<5>, dw_tile<6>, dw_tile<7>, dw_tile<8>, dw_tile<9>, dw_tile<10>, dw_tile<11>, dw_tile<12>};

void depthwise(const NchwcDepthwiseRow& a) {
  for (size_t k = 0; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kDwMaxT, kDwTiles);
}

// The epilogue's act and bounds, as finish() reads them from a kernel's arguments.
struct Act {
  armbench_conv_activation act;
  float lo, hi;
};

void epilogue(const armbench_conv_epilogue& e, float* y, const float* residual, size_t k, size_t kb, size_t npix) {
  const size_t ch0 = kb * kBlk, used = k - ch0 < kBlk ? k - ch0 : kBlk;
  // The block's bias with zero past k, where e.bias ends, and the lanes of real channels.
  alignas(32) float bias[kBlk] = {};
  alignas(32) int32_t lanes[kBlk] = {};
  for (size_t l = 0; l < used; ++l) {
    if (e.bias != nullptr) bias[l] = e.bias[ch0 + l];
    lanes[l] = -1;
  }
  const __m256 real = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(lanes)));
  const Act a{e.act, e.act == ARMBENCH_ACT_RELU ? 0.0f : e.clip_min, e.clip_max};
  for (size_t p = 0; p < npix; ++p) {
    const __m256 v = finish(_mm256_loadu_ps(y + p * kBlk), a, e.bias != nullptr ? bias : nullptr,
                            residual != nullptr ? residual + p * kBlk : nullptr);
    // Padding channels are written zero: the next layer reads them as channels of nothing.
    _mm256_storeu_ps(y + p * kBlk, _mm256_and_ps(v, real));
  }
}

}  // namespace

NchwcEpilogue nchwc_epilogue_avx2() { return epilogue; }
NchwcRowKernel nchwc_row_avx2() { return row; }
NchwcDepthwiseKernel nchwc_depthwise_avx2() { return depthwise; }
NchwcMultiKernel nchwc_multi_avx2() { return multi; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcEpilogue nchwc_epilogue_avx2() { return nullptr; }
NchwcRowKernel nchwc_row_avx2() { return nullptr; }
NchwcDepthwiseKernel nchwc_depthwise_avx2() { return nullptr; }
NchwcMultiKernel nchwc_multi_avx2() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
