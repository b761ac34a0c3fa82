// Direct NCHWc inner kernel for bf16, AVX512_BF16, block 16: a register tile of up to
// 14 output pixels x 16 output channels (14 zmm fp32 accumulators). Per tap and pair
// of input channels: one weight vector load (16 outputs x 2 channels) and one 32-bit
// broadcast of the pixel's channel pair per pixel, into VDPBF16PS: twice the
// multiply-adds of the fp32 kernel per instruction. Built with -mavx512bf16, run only
// when the CPU has it.
#include "nchwc.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"

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

}  // namespace

NchwcRowBf16Kernel nchwc_row_bf16_avx512bf16() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowBf16Kernel nchwc_row_bf16_avx512bf16() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
