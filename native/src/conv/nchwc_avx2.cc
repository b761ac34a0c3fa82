// Direct NCHWc inner kernel, AVX2 + FMA, block 8: a register tile of up to 12 output
// pixels x 8 output channels (12 ymm accumulators). Per tap and input channel: one
// weight vector load and one broadcast input value per pixel (12 + 1 weight + 1
// broadcast of 16 ymm). Built with -mavx2 -mfma, run only when the CPU has both.
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

}  // namespace

NchwcRowKernel nchwc_row_avx2() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowKernel nchwc_row_avx2() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
