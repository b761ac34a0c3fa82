// Direct NCHWc inner kernel for bf16, Advanced SIMD BFDOT (-march=armv8.6-a+bf16),
// block 4: a register tile of up to 12 output pixels x 4 output channels (12 q fp32
// accumulators). Per tap: the block's weights as two vectors (4 outputs x one channel
// pair each) and one 4-channel bf16 input load per pixel, whose two channel pairs are
// taken by lane: BFDOT by element, two products per fp32 lane.
#include "nchwc.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"

constexpr size_t kBlk = 4;

template <int T>
void tile(const NchwcRowBf16& a, const uint16_t* x, float* y) {
  float32x4_t acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j) {
        const uint16_t* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const uint16_t* wp = a.w + ((cb * a.r + i) * a.s + j) * kBlk * kBlk;
        const bfloat16x8_t w0 = vreinterpretq_bf16_u16(vld1q_u16(wp));
        const bfloat16x8_t w1 = vreinterpretq_bf16_u16(vld1q_u16(wp + 8));
#pragma GCC unroll 16
        for (int t = 0; t < T; ++t) {
          const bfloat16x4_t xv = vreinterpret_bf16_u16(vld1_u16(xp + t * a.pix_stride));
          acc[t] = vbfdotq_lane_f32(acc[t], w0, xv, 0);
          acc[t] = vbfdotq_lane_f32(acc[t], w1, xv, 1);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRowBf16&, const uint16_t*, float*);
constexpr int kMaxT = 12;
const TileFn kTiles[kMaxT + 1] = {nullptr, tile<1>, tile<2>, tile<3>, tile<4>,  tile<5>, tile<6>,
                                  tile<7>, tile<8>, tile<9>, tile<10>, tile<11>, tile<12>};

void row(const NchwcRowBf16& a) {
  split_row(a, kBlk, kMaxT, kTiles);
}

}  // namespace

NchwcRowBf16Kernel nchwc_row_bf16_bfdot() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowBf16Kernel nchwc_row_bf16_bfdot() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
