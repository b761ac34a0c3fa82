// Direct NCHWc inner kernel, Advanced SIMD (-march=armv8-a), block 4: a register tile
// of up to 12 output pixels x 4 output channels (12 q accumulators). Per tap: the 4
// weight vectors of the block (one per input channel) and one 4-channel input vector
// per pixel, combined by FMLA by element: 12 + 4 + temporaries of 32 registers.
#include "nchwc.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"

constexpr size_t kBlk = 4;

template <int T>
void tile(const NchwcRow& a, const float* x, float* y) {
  float32x4_t acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const float* wp = a.w + ((cb * a.r + i) * a.s + j) * kBlk * kBlk;
        const float32x4_t w0 = vld1q_f32(wp), w1 = vld1q_f32(wp + 4), w2 = vld1q_f32(wp + 8),
                          w3 = vld1q_f32(wp + 12);
#pragma GCC unroll 16
        for (int t = 0; t < T; ++t) {
          const float32x4_t xv = vld1q_f32(xp + t * a.pix_stride);
          acc[t] = vfmaq_laneq_f32(acc[t], w0, xv, 0);
          acc[t] = vfmaq_laneq_f32(acc[t], w1, xv, 1);
          acc[t] = vfmaq_laneq_f32(acc[t], w2, xv, 2);
          acc[t] = vfmaq_laneq_f32(acc[t], w3, xv, 3);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRow&, const float*, float*);
constexpr int kMaxT = 12;
const TileFn kTiles[kMaxT + 1] = {nullptr,  tile<1>,  tile<2>,  tile<3>,  tile<4>,  tile<5>, tile<6>,
                                  tile<7>,  tile<8>,  tile<9>,  tile<10>, tile<11>, tile<12>};

void row(const NchwcRow& a) {
  split_row(a, kBlk, kMaxT, kTiles);
}

}  // namespace

NchwcRowKernel nchwc_row_neon() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowKernel nchwc_row_neon() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
