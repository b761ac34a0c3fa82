// Direct NCHWc inner kernel for bf16, Advanced SIMD BFDOT (-march=armv8.6-a+bf16),
// block 4: a register tile of up to 16 output pixels x 4 output channels (16 q fp32
// accumulators). Per tap: the block's weights as two vectors (4 outputs x one channel
// pair each) and one 4-channel bf16 input load per pixel, whose two channel pairs are
// taken by lane: BFDOT by element, two products per fp32 lane. Also the two-block form
// (NchwcMultiBf16), below.
#include "nchwc.h"

#include "../runtime/mca_region.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace armbench {
namespace conv {
namespace {

#include "nchwc_split.inc"
#include "nchwc_store_neon.inc"

constexpr size_t kBlk = 4;

template <int T>
void tile(const NchwcRowBf16& a, const uint16_t* x, float* y) {
  float32x4_t acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  ARMBENCH_MCA_BEGIN("nchwc.row_bf16.t%c0" :: "i"(T));
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
  ARMBENCH_MCA_END();
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRowBf16&, const uint16_t*, float*);
// Up to 16 pixels: the 4-pipe cores (V1, V2) need about 16 independent BFDOT chains;
// 16 accumulators + 2 weights + the input in flight fit 32 registers.
constexpr int kMaxT = 16;
const TileFn kTiles[kMaxT + 1] = {nullptr,  tile<1>,  tile<2>,  tile<3>,  tile<4>,  tile<5>,  tile<6>,
                                  tile<7>,  tile<8>,  tile<9>,  tile<10>, tile<11>, tile<12>, tile<13>,
                                  tile<14>, tile<15>, tile<16>};

void row(const NchwcRowBf16& a) {
  split_row(a, kBlk, kMaxT, kTiles);
}

// Two output blocks, R output rows (1 or kMultiRows) x T pixels x 8 output channels: up
// to 8 pixels of one row or 4 of two (16 q accumulators), as the fp32 kernel's tiles. Per
// tap: one 4-channel bf16 load per pixel and row, then per channel pair the two blocks'
// weight vectors and 2R BFDOT by element per pixel (pairs of the last block up to
// cin_last); the epilogue fused into the stores as in the fp32 kernel. Each pixel's order
// is the same for either R.
template <int R, int T>
void multi_tile(const NchwcMultiBf16& a, const uint16_t* x, float* y) {
  static_assert(kMultiBlocks == 2 && (R == 1 || R == static_cast<int>(kMultiRows)), "two output blocks, 1 or 2 rows");
  float32x4_t acc0[R][T], acc1[R][T];
#pragma GCC unroll 2
  for (int k = 0; k < R; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) acc0[k][t] = acc1[k][t] = vdupq_n_f32(0.0f);
  const uint16_t* wp = a.w;
  const size_t step = a.x_row_step;
  if constexpr (R == 1) {
    ARMBENCH_MCA_BEGIN("nchwc.multi_bf16.t%c0" :: "i"(T));
  } else {
    ARMBENCH_MCA_BEGIN("nchwc.multi_bf16_r2.t%c0" :: "i"(T));
  }
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const bool second = cb + 1 < a.cblocks || a.cin_last > 2;  // the block's second pair holds data
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const uint16_t* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const uint16_t* xk[R];
#pragma GCC unroll 2
        for (int k = 0; k < R; ++k) xk[k] = xp + k * step;
        bfloat16x4_t xv[R][T];
#pragma GCC unroll 16
        for (int t = 0; t < T; ++t)
#pragma GCC unroll 2
          for (int k = 0; k < R; ++k) xv[k][t] = vreinterpret_bf16_u16(vld1_u16(xk[k] + t * a.pix_stride));
        {
          const bfloat16x8_t w0 = vreinterpretq_bf16_u16(vld1q_u16(wp));
          const bfloat16x8_t w1 = vreinterpretq_bf16_u16(vld1q_u16(wp + 2 * kBlk));
#pragma GCC unroll 2
          for (int k = 0; k < R; ++k) {
#pragma GCC unroll 16
            for (int t = 0; t < T; ++t) {
              acc0[k][t] = vbfdotq_lane_f32(acc0[k][t], w0, xv[k][t], 0);
              acc1[k][t] = vbfdotq_lane_f32(acc1[k][t], w1, xv[k][t], 0);
            }
          }
        }
        if (second) {
          const bfloat16x8_t w0 = vreinterpretq_bf16_u16(vld1q_u16(wp + 4 * kBlk));
          const bfloat16x8_t w1 = vreinterpretq_bf16_u16(vld1q_u16(wp + 6 * kBlk));
#pragma GCC unroll 2
          for (int k = 0; k < R; ++k) {
#pragma GCC unroll 16
            for (int t = 0; t < T; ++t) {
              acc0[k][t] = vbfdotq_lane_f32(acc0[k][t], w0, xv[k][t], 1);
              acc1[k][t] = vbfdotq_lane_f32(acc1[k][t], w1, xv[k][t], 1);
            }
          }
        }
      }
    }
  }
  ARMBENCH_MCA_END();
#pragma GCC unroll 2
  for (int k = 0; k < R; ++k) store_pair<T>(a, y + k * a.y_row_step, acc0[k], acc1[k]);
}

typedef void (*MultiTileFn)(const NchwcMultiBf16&, const uint16_t*, float*);
constexpr int kMultiMaxT = 8;
const MultiTileFn kMultiTiles[kMultiMaxT + 1] = {nullptr,          multi_tile<1, 1>, multi_tile<1, 2>,
                                                 multi_tile<1, 3>, multi_tile<1, 4>, multi_tile<1, 5>,
                                                 multi_tile<1, 6>, multi_tile<1, 7>, multi_tile<1, 8>};
constexpr int kMultiRowsMaxT = 4;
const MultiTileFn kMultiRowTiles[kMultiRowsMaxT + 1] = {nullptr, multi_tile<2, 1>, multi_tile<2, 2>, multi_tile<2, 3>,
                                                        multi_tile<2, 4>};

void multi(const NchwcMultiBf16& a) { split_multi_rows(a, kBlk, kMultiMaxT, kMultiTiles, kMultiRowsMaxT, kMultiRowTiles); }

}  // namespace

NchwcRowBf16Kernel nchwc_row_bf16_bfdot() { return row; }
NchwcMultiBf16Kernel nchwc_multi_bf16_bfdot() { return multi; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowBf16Kernel nchwc_row_bf16_bfdot() { return nullptr; }
NchwcMultiBf16Kernel nchwc_multi_bf16_bfdot() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
