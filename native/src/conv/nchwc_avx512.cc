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

// Two output blocks: up to 12 pixels x 32 output channels (24 zmm accumulators). Per
// tap and input channel: two weight loads and one broadcast per pixel for 2 FMAs, half
// the row kernel's loads per FMA. The common pixel strides (1 and 2 pixels of a block,
// 2 of a stem's kStemLanes) are template parameters, so pixels are addressed with
// constant offsets from one register: with a run-time
// stride, 12 pixel pointers do not fit the general registers beside the loop's own.
// The epilogue is fused into the stores (nchwc_store_avx512.inc).
template <int T, size_t kPs>
void multi_tile(const NchwcMulti& a, const float* x, float* y) {
  static_assert(kMultiBlocks == 2, "two output blocks per tile");
  const size_t ps = kPs != 0 ? kPs : a.pix_stride;
  __m512 acc0[T], acc1[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc0[t] = acc1[t] = _mm512_setzero_ps();
  const float* wp = a.w;
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t cin = cb + 1 < a.cblocks ? kBlk : a.cin_last;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        for (size_t ci = 0; ci < cin; ++ci) {
          const __m512 w0 = _mm512_loadu_ps(wp + ci * 2 * kBlk);
          const __m512 w1 = _mm512_loadu_ps(wp + ci * 2 * kBlk + kBlk);
#pragma GCC unroll 16
          for (int t = 0; t < T; ++t) {
            const __m512 xv = _mm512_set1_ps(xp[t * ps + ci]);
            acc0[t] = _mm512_fmadd_ps(xv, w0, acc0[t]);
            acc1[t] = _mm512_fmadd_ps(xv, w1, acc1[t]);
          }
        }
      }
    }
  }
  store_pair<T>(a, y, acc0, acc1);
}

typedef void (*MultiTileFn)(const NchwcMulti&, const float*, float*);
constexpr int kMultiMaxT = 12;
template <size_t C>
struct MultiTiles {
  static constexpr MultiTileFn fns[kMultiMaxT + 1] = {
      nullptr,          multi_tile<1, C>, multi_tile<2, C>, multi_tile<3, C>,  multi_tile<4, C>,
      multi_tile<5, C>, multi_tile<6, C>, multi_tile<7, C>, multi_tile<8, C>,  multi_tile<9, C>,
      multi_tile<10, C>, multi_tile<11, C>, multi_tile<12, C>};
};

void multi(const NchwcMulti& a) {
  for (size_t k = 0; k < a.rows; ++k)
    split_row_strided(multi_row_of(a, k), kBlk, kMultiMaxT, MultiTiles<kBlk>::fns, MultiTiles<2 * kBlk>::fns,
                      MultiTiles<2 * kStemLanes>::fns, MultiTiles<0>::fns);
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
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * kBlk, acc[t]);
}

typedef void (*DwTileFn)(const NchwcDepthwiseRow&, const float*, float*);
constexpr int kDwMaxT = 14;
const DwTileFn kDwTiles[kDwMaxT + 1] = {nullptr, dw_tile<1>, dw_tile<2>, dw_tile<3>, dw_tile<4>, dw_tile<5>, dw_tile<6>, dw_tile<7>, dw_tile<8>, dw_tile<9>, dw_tile<10>, dw_tile<11>, dw_tile<12>, dw_tile<13>, dw_tile<14>};

void depthwise(const NchwcDepthwiseRow& a) {
  for (size_t k = 0; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kDwMaxT, kDwTiles);
}

}  // namespace

NchwcRowKernel nchwc_row_avx512() { return row; }
NchwcDepthwiseKernel nchwc_depthwise_avx512() { return depthwise; }
NchwcMultiKernel nchwc_multi_avx512() { return multi; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowKernel nchwc_row_avx512() { return nullptr; }
NchwcDepthwiseKernel nchwc_depthwise_avx512() { return nullptr; }
NchwcMultiKernel nchwc_multi_avx512() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
