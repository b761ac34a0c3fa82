// Direct NCHWc inner kernel, AVX-512F, block 16: a register tile of up to 14 output
// pixels x 16 output channels (14 zmm accumulators). Per tap and input channel: one
// weight vector load and one broadcast input value (folded into the FMA as an
// embedded broadcast) per pixel. Built with -mavx512f, run only when the CPU has it.
#include "nchwc.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"

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

}  // namespace

NchwcRowKernel nchwc_row_avx512() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowKernel nchwc_row_avx512() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
