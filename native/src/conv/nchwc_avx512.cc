// Direct NCHWc inner kernels, AVX-512F, block 16. The row kernel: a register tile of up
// to 14 output pixels x 16 output channels (14 zmm accumulators). Per tap and input channel: one
// weight vector load and one broadcast input value (folded into the FMA as an
// embedded broadcast) per pixel. Built with -mavx512f, run only when the CPU has it.
#include "nchwc.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"
#include "nchwc_store_avx512.inc"

constexpr size_t kBlk = 16;

template <int T>
void tile(const NchwcRow& a, const float* x, float* y) {
  __m512 acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const float* wp = a.w + ((cb * a.r + i) * a.s + j) * kBlk * kBlk;
        for (size_t ci = 0; ci < kBlk; ++ci) {
          const __m512 wv = _mm512_loadu_ps(wp + ci * kBlk);
#pragma GCC unroll 16
          for (int t = 0; t < T; ++t) acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(xp[t * a.pix_stride + ci]), wv, acc[t]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRow&, const float*, float*);
constexpr int kMaxT = 14;
const TileFn kTiles[kMaxT + 1] = {nullptr,  tile<1>,  tile<2>,  tile<3>,  tile<4>,  tile<5>,  tile<6>, tile<7>,
                                  tile<8>,  tile<9>,  tile<10>, tile<11>, tile<12>, tile<13>, tile<14>};

void row(const NchwcRow& a) {
  split_row(a, kBlk, kMaxT, kTiles);
}

// Two output blocks: up to 12 pixels x 32 output channels (24 zmm accumulators), or two
// rows of up to 7 pixels (28): per tap and input channel, two weight loads and one
// broadcast per pixel for 2 FMAs. Two rows of a narrow row (7, 14, 28 pixels) share
// each weight load between twice the pixels a one-row tile of them has. The common
// pixel strides (1 and 2 pixels of a block, 2 of a stem's kStemLanes) are template
// parameters, so pixels are addressed with constant offsets from one register per row:
// with a run-time stride, 12 pixel pointers do not fit the general registers beside the
// loop's own. The epilogue is fused into the stores (nchwc_store_avx512.inc).
template <int R, int T, size_t kPs>
void multi_tile(const NchwcMulti& a, const float* x, float* y) {
  static_assert(kMultiBlocks == 2 && (R == 1 || R == static_cast<int>(kMultiRows)), "two output blocks, 1 or 2 rows");
  const size_t ps = kPs != 0 ? kPs : a.pix_stride;
  const size_t step = a.x_row_step;
  __m512 acc0[R * T], acc1[R * T];
#pragma GCC unroll 16
  for (int t = 0; t < R * T; ++t) acc0[t] = acc1[t] = _mm512_setzero_ps();
  // This tile's residual, fetched while its sums run: it was written layers ago and is
  // read only by the stores. And in the first tap column of each kernel row of each
  // input block, the next tile's input pixels (one per input channel step, so up to T of
  // them): one line per pixel of each of up to 64 channel blocks, more streams than the
  // hardware prefetchers follow. On data out of cache (ResNet-50's 1x1 layers after a
  // 64 MB sweep, Zen 5) a 56x56 256->64 layer went from 0.88-0.96 to 0.58 ms and a
  // 64->256 one with its residual from 0.90 to 0.66 ms; in cache, no change. ResNet-50
  // batch 8 at one thread: 353 against 384 ms (three alternating runs each).
  if (a.residual != nullptr) {
    const float* res = a.residual + (y - a.y);
#pragma GCC unroll 2
    for (int k = 0; k < R; ++k)
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        _mm_prefetch(reinterpret_cast<const char*>(res + k * a.y_row_step + t * kBlk), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(res + k * a.y_row_step + a.y_block_stride + t * kBlk), _MM_HINT_T0);
      }
  }
  const char* pf = a.prefetch;
  size_t pf_lines = a.prefetch_lines;
  const float* wp = a.w;
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t cin = cb + 1 < a.cblocks ? kBlk : a.cin_last;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        for (size_t ci = 0; ci < cin; ++ci) {
          if (j == 0 && ci < static_cast<size_t>(T)) {
#pragma GCC unroll 2
            for (int k = 0; k < R; ++k) _mm_prefetch(reinterpret_cast<const char*>(xp + k * step + (T + ci) * ps), _MM_HINT_T0);
          }
          if (pf_lines != 0) {
            _mm_prefetch(pf, _MM_HINT_T1);
            pf += 64;
            --pf_lines;
          }
          const __m512 w0 = _mm512_loadu_ps(wp + ci * 2 * kBlk);
          const __m512 w1 = _mm512_loadu_ps(wp + ci * 2 * kBlk + kBlk);
#pragma GCC unroll 2
          for (int k = 0; k < R; ++k) {
#pragma GCC unroll 16
            for (int t = 0; t < T; ++t) {
              const __m512 xv = _mm512_set1_ps(xp[k * step + t * ps + ci]);
              acc0[k * T + t] = _mm512_fmadd_ps(xv, w0, acc0[k * T + t]);
              acc1[k * T + t] = _mm512_fmadd_ps(xv, w1, acc1[k * T + t]);
            }
          }
        }
      }
    }
  }
#pragma GCC unroll 2
  for (int k = 0; k < R; ++k) store_pair<T>(a, y + k * a.y_row_step, acc0 + k * T, acc1 + k * T);
}

typedef void (*MultiTileFn)(const NchwcMulti&, const float*, float*);
constexpr int kMultiMaxT = 12;
constexpr int kMultiRowsMaxT = 7;
template <size_t C>
struct MultiTiles {
  static constexpr MultiTileFn one[kMultiMaxT + 1] = {
      nullptr,             multi_tile<1, 1, C>,  multi_tile<1, 2, C>,  multi_tile<1, 3, C>, multi_tile<1, 4, C>,
      multi_tile<1, 5, C>, multi_tile<1, 6, C>,  multi_tile<1, 7, C>,  multi_tile<1, 8, C>, multi_tile<1, 9, C>,
      multi_tile<1, 10, C>, multi_tile<1, 11, C>, multi_tile<1, 12, C>};
  static constexpr MultiTileFn two[kMultiRowsMaxT + 1] = {
      nullptr,             multi_tile<2, 1, C>, multi_tile<2, 2, C>, multi_tile<2, 3, C>,
      multi_tile<2, 4, C>, multi_tile<2, 5, C>, multi_tile<2, 6, C>, multi_tile<2, 7, C>};
};

// A two-row call whose width is not a multiple of kMultiMaxT runs two-row tiles; either
// way the tiles of a row are near-equal (split_row).
// split_row's near-equal tiles, each prefetching its share of the call's lines.
void split_prefetching(const NchwcMulti& a, size_t max_t, const MultiTileFn* tiles) {
  const size_t ntiles = (a.npix + max_t - 1) / max_t;
  NchwcMulti t = a;
  size_t p = 0, l = 0;
  for (size_t i = 0; i < ntiles; ++i) {
    const size_t n = (a.npix - p) / (ntiles - i);
    const size_t lines = (a.prefetch_lines - l) / (ntiles - i);
    t.prefetch = a.prefetch + l * 64;
    t.prefetch_lines = lines;
    tiles[n](t, a.x + p * a.pix_stride, a.y + p * kBlk);
    p += n;
    l += lines;
  }
}

template <size_t C>
void multi_with(const NchwcMulti& a) {
  if (a.rows == kMultiRows && a.npix % kMultiMaxT != 0) {
    split_prefetching(a, kMultiRowsMaxT, MultiTiles<C>::two);
    return;
  }
  for (size_t k = 0; k < a.rows; ++k) {
    NchwcMulti one = row_of(a, k);
    one.prefetch = a.prefetch + (a.prefetch_lines * k / a.rows) * 64;
    one.prefetch_lines = a.prefetch_lines * (k + 1) / a.rows - a.prefetch_lines * k / a.rows;
    split_prefetching(one, kMultiMaxT, MultiTiles<C>::one);
  }
}

void multi(const NchwcMulti& a) {
  const size_t ps = a.pix_stride;
  if (ps == kBlk) {
    multi_with<kBlk>(a);
  } else if (ps == 2 * kBlk) {
    multi_with<2 * kBlk>(a);
  } else if (ps == 2 * kStemLanes) {
    multi_with<2 * kStemLanes>(a);
  } else {
    multi_with<0>(a);
  }
}

// Depthwise: up to 14 pixels of one channel block (14 zmm accumulators). Per tap one
// weight vector, one multiply-add per pixel with the input vector folded in as a load.
template <int T>
void dw_tile(const NchwcDepthwiseRow& a, const float* x, float* y) {
  __m512 acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (size_t i = 0; i < a.r; ++i) {
    for (size_t j = 0; j < a.s; ++j) {
      const float* xp = x + i * a.row_stride + j * a.col_stride;
      const __m512 wv = _mm512_loadu_ps(a.w + (i * a.s + j) * kBlk);
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) acc[t] = _mm512_fmadd_ps(_mm512_loadu_ps(xp + t * a.pix_stride), wv, acc[t]);
    }
  }
  if (a.bias == nullptr && a.residual == nullptr && a.act == ARMBENCH_ACT_NONE) {
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * kBlk, acc[t]);
    return;
  }
  const float* res = a.residual != nullptr ? a.residual + (y - a.y) : nullptr;
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * kBlk, finish(acc[t], a, a.bias, res != nullptr ? res + t * kBlk : nullptr));
}

typedef void (*DwTileFn)(const NchwcDepthwiseRow&, const float*, float*);
constexpr int kDwMaxT = 14;
const DwTileFn kDwTiles[kDwMaxT + 1] = {nullptr, dw_tile<1>, dw_tile<2>, dw_tile<3>, dw_tile<4>, dw_tile<5>, dw_tile<6>, dw_tile<7>, dw_tile<8>, dw_tile<9>, dw_tile<10>, dw_tile<11>, dw_tile<12>, dw_tile<13>, dw_tile<14>};

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
  const __mmask16 real = static_cast<__mmask16>((1u << used) - 1);
  // The block's bias with zero past k, where e.bias ends.
  alignas(64) float bias[kBlk];
  _mm512_store_ps(bias, e.bias != nullptr ? _mm512_maskz_loadu_ps(real, e.bias + ch0) : _mm512_setzero_ps());
  const Act a{e.act, e.act == ARMBENCH_ACT_RELU ? 0.0f : e.clip_min, e.clip_max};
  for (size_t p = 0; p < npix; ++p) {
    const __m512 v = finish(_mm512_loadu_ps(y + p * kBlk), a, e.bias != nullptr ? bias : nullptr,
                            residual != nullptr ? residual + p * kBlk : nullptr);
    // Padding channels are written zero: the next layer reads them as channels of nothing.
    _mm512_storeu_ps(y + p * kBlk, _mm512_maskz_mov_ps(real, v));
  }
}

}  // namespace

NchwcEpilogue nchwc_epilogue_avx512() { return epilogue; }
NchwcRowKernel nchwc_row_avx512() { return row; }
NchwcDepthwiseKernel nchwc_depthwise_avx512() { return depthwise; }
NchwcMultiKernel nchwc_multi_avx512() { return multi; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcEpilogue nchwc_epilogue_avx512() { return nullptr; }
NchwcRowKernel nchwc_row_avx512() { return nullptr; }
NchwcDepthwiseKernel nchwc_depthwise_avx512() { return nullptr; }
NchwcMultiKernel nchwc_multi_avx512() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
