// Direct NCHWc inner kernel for bf16, AVX512_BF16, block 16: a register tile of up to
// 14 output pixels x 16 output channels (14 zmm fp32 accumulators). Per tap and pair
// of input channels: one weight vector load (16 outputs x 2 channels) and one 32-bit
// broadcast of the pixel's channel pair per pixel, into VDPBF16PS: twice the
// multiply-adds of the fp32 kernel per instruction. Built with -mavx512bf16, run only
// when the CPU has it. Also the two-block form (NchwcMultiBf16), below.
#include "nchwc.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"
#include "nchwc_store_avx512.inc"

constexpr size_t kBlk = 16;

inline __m512 dot(__m512 acc, __m512i w, __m512i x) { return _mm512_dpbf16_ps(acc, (__m512bh)w, (__m512bh)x); }

inline __m512i pair(const uint16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return _mm512_set1_epi32(v);
}

template <int T>
void tile(const NchwcRowBf16& a, const uint16_t* x, float* y) {
  __m512 acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j) {
        const uint16_t* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const uint16_t* wp = a.w + ((cb * a.r + i) * a.s + j) * kBlk * kBlk;
        for (size_t q = 0; q < kBlk / 2; ++q) {
          const __m512i wv = _mm512_loadu_si512(wp + q * 2 * kBlk);
#pragma GCC unroll 16
          for (int t = 0; t < T; ++t) acc[t] = dot(acc[t], wv, pair(xp + t * a.pix_stride + 2 * q));
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRowBf16&, const uint16_t*, float*);
constexpr int kMaxT = 14;
const TileFn kTiles[kMaxT + 1] = {nullptr,  tile<1>,  tile<2>,  tile<3>,  tile<4>,  tile<5>,  tile<6>, tile<7>,
                                  tile<8>,  tile<9>,  tile<10>, tile<11>, tile<12>, tile<13>, tile<14>};

void row(const NchwcRowBf16& a) {
  split_row(a, kBlk, kMaxT, kTiles);
}

// Two output blocks: up to 12 pixels x 32 output channels (24 zmm accumulators). Per
// tap and channel pair: two weight vectors and one pair broadcast per pixel for 2
// VDPBF16PS, the pairs of the last input block up to cin_last; the epilogue fused
// into the stores as in the fp32 kernel. Pixel strides as template parameters too.
template <int T, size_t kPs>
void multi_tile(const NchwcMultiBf16& a, const uint16_t* x, float* y) {
  static_assert(kMultiBlocks == 2, "two output blocks per tile");
  const size_t ps = kPs != 0 ? kPs : a.pix_stride;
  __m512 acc0[T], acc1[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc0[t] = acc1[t] = _mm512_setzero_ps();
  const uint16_t* wp = a.w;
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t pairs = cb + 1 < a.cblocks ? kBlk / 2 : (a.cin_last + 1) / 2;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const uint16_t* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        for (size_t q = 0; q < pairs; ++q) {
          const __m512i w0 = _mm512_loadu_si512(wp + q * 4 * kBlk);
          const __m512i w1 = _mm512_loadu_si512(wp + q * 4 * kBlk + 2 * kBlk);
#pragma GCC unroll 16
          for (int t = 0; t < T; ++t) {
            const __m512i xv = pair(xp + t * ps + 2 * q);
            acc0[t] = dot(acc0[t], w0, xv);
            acc1[t] = dot(acc1[t], w1, xv);
          }
        }
      }
    }
  }
  store_pair<T>(a, y, acc0, acc1);
}

typedef void (*MultiTileFn)(const NchwcMultiBf16&, const uint16_t*, float*);
constexpr int kMultiMaxT = 12;
template <size_t C>
struct MultiTiles {
  static constexpr MultiTileFn fns[kMultiMaxT + 1] = {
      nullptr,           multi_tile<1, C>,  multi_tile<2, C>, multi_tile<3, C>, multi_tile<4, C>,
      multi_tile<5, C>,  multi_tile<6, C>,  multi_tile<7, C>, multi_tile<8, C>, multi_tile<9, C>,
      multi_tile<10, C>, multi_tile<11, C>, multi_tile<12, C>};
};

void multi(const NchwcMultiBf16& a) {
  for (size_t k = 0; k < a.rows; ++k)
    split_row_strided(row_of(a, k), kBlk, kMultiMaxT, MultiTiles<kBlk>::fns, MultiTiles<2 * kBlk>::fns,
                      MultiTiles<2 * kStemLanes>::fns, MultiTiles<0>::fns);
}

}  // namespace

NchwcRowBf16Kernel nchwc_row_bf16_avx512bf16() { return row; }
NchwcMultiBf16Kernel nchwc_multi_bf16_avx512bf16() { return multi; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowBf16Kernel nchwc_row_bf16_avx512bf16() { return nullptr; }
NchwcMultiBf16Kernel nchwc_multi_bf16_avx512bf16() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
