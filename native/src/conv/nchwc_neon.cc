// Direct NCHWc inner kernel, Advanced SIMD (-march=armv8-a), block 4: a register tile
// of up to 15 output pixels x 4 output channels (15 q accumulators). Per tap: the 4
// weight vectors of the block (one per input channel) and one 4-channel input vector
// per pixel, combined by FMLA by element: 15 + 4 + temporaries of 32 registers. Also
// the two-block form (NchwcMulti), below.
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
void tile(const NchwcRow& a, const float* x, float* y) {
  float32x4_t acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  ARMBENCH_MCA_BEGIN("nchwc.row_f32.t%c0" :: "i"(T));
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
  ARMBENCH_MCA_END();
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * kBlk, acc[t]);
}

typedef void (*TileFn)(const NchwcRow&, const float*, float*);
// Up to 15 pixels: on the 4-pipe cores (V1, V2) 4-cycle FMLAs need about 16 independent
// accumulators; at 16 GCC 12 spills (llvm-mca: 142 instructions per tap instead of 121).
constexpr int kMaxT = 15;
const TileFn kTiles[kMaxT + 1] = {nullptr,  tile<1>,  tile<2>,  tile<3>,  tile<4>,  tile<5>,  tile<6>, tile<7>,
                                  tile<8>,  tile<9>,  tile<10>, tile<11>, tile<12>, tile<13>, tile<14>, tile<15>};

void row(const NchwcRow& a) {
  split_row(a, kBlk, kMaxT, kTiles);
}

// Two output blocks: up to 8 pixels x 8 output channels (16 q accumulators). Per tap:
// one 4-channel input vector per pixel, then per input channel the two blocks' weight
// vectors and 2 FMLA by element per pixel: 16 + 8 + 2 of 32 registers.
//
template <int T>
void multi_tile(const NchwcMulti& a, const float* x, float* y) {
  static_assert(kMultiBlocks == 2, "two output blocks per tile");
  float32x4_t acc0[T], acc1[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc0[t] = acc1[t] = vdupq_n_f32(0.0f);
  const float* wp = a.w;
  ARMBENCH_MCA_BEGIN("nchwc.multi_f32.t%c0" :: "i"(T));
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t cin = cb + 1 < a.cblocks ? kBlk : a.cin_last;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        float32x4_t xv[T];
#pragma GCC unroll 16
        for (int t = 0; t < T; ++t) xv[t] = vld1q_f32(xp + t * a.pix_stride);
#define ARMBENCH_MULTI_CHANNEL(ci)                                    \
  {                                                                   \
    const float32x4_t w0 = vld1q_f32(wp + (ci) * 2 * kBlk);           \
    const float32x4_t w1 = vld1q_f32(wp + (ci) * 2 * kBlk + kBlk);    \
    _Pragma("GCC unroll 16") for (int t = 0; t < T; ++t) {            \
      acc0[t] = vfmaq_laneq_f32(acc0[t], w0, xv[t], ci);              \
      acc1[t] = vfmaq_laneq_f32(acc1[t], w1, xv[t], ci);              \
    }                                                                 \
  }
        ARMBENCH_MULTI_CHANNEL(0)
        if (cin > 1) ARMBENCH_MULTI_CHANNEL(1)
        if (cin > 2) ARMBENCH_MULTI_CHANNEL(2)
        if (cin > 3) ARMBENCH_MULTI_CHANNEL(3)
#undef ARMBENCH_MULTI_CHANNEL
      }
    }
  }
  ARMBENCH_MCA_END();
  store_pair<T>(a, y, acc0, acc1);
}

typedef void (*MultiTileFn)(const NchwcMulti&, const float*, float*);
constexpr int kMultiMaxT = 8;
const MultiTileFn kMultiTiles[kMultiMaxT + 1] = {nullptr,        multi_tile<1>, multi_tile<2>, multi_tile<3>, multi_tile<4>,
                                                 multi_tile<5>, multi_tile<6>, multi_tile<7>, multi_tile<8>};

// Two output rows x up to 4 pixels x 8 output channels (16 q accumulators, 16 independent
// sums). Per tap: one input vector per pixel of each row, then per input channel the two
// blocks' weight vectors and 4 FMLA by element per pixel: 16 + 8 + 2 of 32 registers.
// Each pixel's order is multi_tile's.
constexpr int kMultiRowsMaxT = 4;
template <int T>
void multi_tile_rows(const NchwcMulti& a, const float* x, float* y) {
  static_assert(kMultiBlocks == 2 && kMultiRows == 2, "two output blocks and two rows per tile");
  float32x4_t acc0[2][T], acc1[2][T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc0[0][t] = acc1[0][t] = acc0[1][t] = acc1[1][t] = vdupq_n_f32(0.0f);
  const float* wp = a.w;
  const size_t step = a.x_row_step;
  ARMBENCH_MCA_BEGIN("nchwc.multi_f32_r2.t%c0" :: "i"(T));
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t cin = cb + 1 < a.cblocks ? kBlk : a.cin_last;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        float32x4_t xv[2][T];
#pragma GCC unroll 16
        for (int t = 0; t < T; ++t) {
          xv[0][t] = vld1q_f32(xp + t * a.pix_stride);
          xv[1][t] = vld1q_f32(xp + step + t * a.pix_stride);
        }
#define ARMBENCH_MULTI_CHANNEL(ci)                                    \
  {                                                                   \
    const float32x4_t w0 = vld1q_f32(wp + (ci) * 2 * kBlk);           \
    const float32x4_t w1 = vld1q_f32(wp + (ci) * 2 * kBlk + kBlk);    \
    _Pragma("GCC unroll 2") for (int k = 0; k < 2; ++k) {             \
      _Pragma("GCC unroll 16") for (int t = 0; t < T; ++t) {          \
        acc0[k][t] = vfmaq_laneq_f32(acc0[k][t], w0, xv[k][t], ci);   \
        acc1[k][t] = vfmaq_laneq_f32(acc1[k][t], w1, xv[k][t], ci);   \
      }                                                               \
    }                                                                 \
  }
        ARMBENCH_MULTI_CHANNEL(0)
        if (cin > 1) ARMBENCH_MULTI_CHANNEL(1)
        if (cin > 2) ARMBENCH_MULTI_CHANNEL(2)
        if (cin > 3) ARMBENCH_MULTI_CHANNEL(3)
#undef ARMBENCH_MULTI_CHANNEL
      }
    }
  }
  ARMBENCH_MCA_END();
  store_pair<T>(a, y, acc0[0], acc1[0]);
  store_pair<T>(a, y + a.y_row_step, acc0[1], acc1[1]);
}

const MultiTileFn kMultiRowTiles[kMultiRowsMaxT + 1] = {nullptr, multi_tile_rows<1>, multi_tile_rows<2>,
                                                        multi_tile_rows<3>, multi_tile_rows<4>};

// A two-row call whose width is not a multiple of 8 pixels runs two-row tiles of 4 (a
// multiple of 8 runs 8-pixel tiles a row at a time: as many sums, half the weight loads).
void multi(const NchwcMulti& a) {
  if (a.rows == kMultiRows && a.npix % kMultiMaxT != 0) {
    split_full(a, kBlk, kMultiRowsMaxT, kMultiRowTiles);
    return;
  }
  for (size_t k = 0; k < a.rows; ++k) split_row(multi_row_of(a, k), kBlk, kMultiMaxT, kMultiTiles);
}

// Depthwise, any taps, strides and dilations: up to 12 pixels of one channel block (12 q
// accumulators). Per tap one weight vector and one input vector per pixel, one FMLA
// each, every address computed from the run-time strides. The fallback for shapes the
// fixed tiles below do not take (dilated taps, tap widths other than 3 and 5, strides
// above 2): no depthwise layer of the built-in nets has them, and npm run mca prints
// this tile as such rather than holding it to the pipe-peak floor.
template <int T>
void dw_tile(const NchwcDepthwiseRow& a, const float* x, float* y) {
  float32x4_t acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_any.t%c0" :: "i"(T));
  for (size_t i = 0; i < a.r; ++i) {
    for (size_t j = 0; j < a.s; ++j) {
      const float* xp = x + i * a.row_stride + j * a.col_stride;
      const float32x4_t wv = vld1q_f32(a.w + (i * a.s + j) * kBlk);
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) acc[t] = vfmaq_f32(acc[t], vld1q_f32(xp + t * a.pix_stride), wv);
    }
  }
  ARMBENCH_MCA_END();
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * kBlk, acc[t]);
}

typedef void (*DwTileFn)(const NchwcDepthwiseRow&, const float*, float*);
constexpr int kDwMaxT = 12;
const DwTileFn kDwTiles[kDwMaxT + 1] = {nullptr, dw_tile<1>, dw_tile<2>, dw_tile<3>, dw_tile<4>,  dw_tile<5>, dw_tile<6>,
                                        dw_tile<7>, dw_tile<8>, dw_tile<9>, dw_tile<10>, dw_tile<11>, dw_tile<12>};

// Depthwise with the tap width S and the pixel stride PS (floats) fixed at compile time and
// taps one block apart (dilation 1): every address is a constant offset from the row, and
// the input vector pixel t reads at tap j is the one pixel t + 1 read at tap j - PS / 4, so
// GCC loads it once per row (S + T - 1 loads for S * T FMLAs at stride 1), where the
// generic tile recomputes T addresses and loads T vectors per tap. Up to 16 pixels: 16
// independent accumulators cover the FMLA latency times the pipes of the 4-pipe cores.
// Each pixel's taps are summed in the generic tile's order, so the bits are the same.
template <int T, int PS, int S>
__attribute__((optimize("no-schedule-insns"))) void dw_tile_fixed(const NchwcDepthwiseRow& a, const float* x, float* y) {
  float32x4_t acc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_s%c0_k%c1.t%c2" :: "i"(PS / kBlk), "i"(S), "i"(T));
  const float* xr = x;
  const float* wr = a.w;
  for (size_t i = 0; i < a.r; ++i, xr += a.row_stride, wr += S * kBlk) {
    float32x4_t wv[S];
#pragma GCC unroll 8
    for (int j = 0; j < S; ++j) wv[j] = vld1q_f32(wr + j * kBlk);
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
#pragma GCC unroll 8
      for (int j = 0; j < S; ++j) acc[t] = vfmaq_f32(acc[t], vld1q_f32(xr + t * PS + j * kBlk), wv[j]);
    }
  }
  ARMBENCH_MCA_END();
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * kBlk, acc[t]);
}

// The same over kDepthwiseRows output rows at once, up to 7 pixels each (21 accumulators,
// 21 independent sums: MobileNet's 56, 28, 14 and 7-pixel rows in 7-pixel tiles, where a
// row alone would give 14 or 7). Per tap row i the S weight vectors, then each output
// row's inputs (x_row_step apart); each pixel's taps keep the order i, j.
constexpr int kDwRows = static_cast<int>(kDepthwiseRows);
template <int T, int PS, int S>
__attribute__((optimize("no-schedule-insns"))) void dw_tile_rows(const NchwcDepthwiseRow& a, const float* x, float* y) {
  float32x4_t acc[kDwRows][T];
#pragma GCC unroll 4
  for (int k = 0; k < kDwRows; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) acc[k][t] = vdupq_n_f32(0.0f);
  const size_t step = a.x_row_step;
  ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_s%c0_k%c1_r%c2.t%c3" :: "i"(PS / kBlk), "i"(S), "i"(kDwRows), "i"(T));
  const float* xr = x;
  const float* wr = a.w;
  for (size_t i = 0; i < a.r; ++i, xr += a.row_stride, wr += S * kBlk) {
    float32x4_t wv[S];
#pragma GCC unroll 8
    for (int j = 0; j < S; ++j) wv[j] = vld1q_f32(wr + j * kBlk);
#pragma GCC unroll 4
    for (int k = 0; k < kDwRows; ++k) {
      const float* xk = xr + k * step;
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
#pragma GCC unroll 8
        for (int j = 0; j < S; ++j) acc[k][t] = vfmaq_f32(acc[k][t], vld1q_f32(xk + t * PS + j * kBlk), wv[j]);
      }
    }
  }
  ARMBENCH_MCA_END();
#pragma GCC unroll 4
  for (int k = 0; k < kDwRows; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) vst1q_f32(y + k * a.y_row_step + t * kBlk, acc[k][t]);
}

constexpr int kDwRowsMaxT = 7;
#define ARMBENCH_DW_ROWS(PS, S)                                                                        \
  {nullptr, dw_tile_rows<1, PS, S>, dw_tile_rows<2, PS, S>, dw_tile_rows<3, PS, S>, dw_tile_rows<4, PS, S>, \
   dw_tile_rows<5, PS, S>, dw_tile_rows<6, PS, S>, dw_tile_rows<7, PS, S>}
const DwTileFn kDw3s1Rows[kDwRowsMaxT + 1] = ARMBENCH_DW_ROWS(4, 3);
const DwTileFn kDw5s1Rows[kDwRowsMaxT + 1] = ARMBENCH_DW_ROWS(4, 5);
const DwTileFn kDw5s2Rows[kDwRowsMaxT + 1] = ARMBENCH_DW_ROWS(8, 5);
#undef ARMBENCH_DW_ROWS

constexpr int kDwFixedMaxT = 16;
#define ARMBENCH_DW_FIXED(PS, S)                                                                          \
  {nullptr, dw_tile_fixed<1, PS, S>, dw_tile_fixed<2, PS, S>, dw_tile_fixed<3, PS, S>,                    \
   dw_tile_fixed<4, PS, S>, dw_tile_fixed<5, PS, S>, dw_tile_fixed<6, PS, S>, dw_tile_fixed<7, PS, S>,     \
   dw_tile_fixed<8, PS, S>, dw_tile_fixed<9, PS, S>, dw_tile_fixed<10, PS, S>, dw_tile_fixed<11, PS, S>,  \
   dw_tile_fixed<12, PS, S>, dw_tile_fixed<13, PS, S>, dw_tile_fixed<14, PS, S>, dw_tile_fixed<15, PS, S>, \
   dw_tile_fixed<16, PS, S>}
// 3x3 and 5x5 taps (MobileNet, EfficientNet), stride 1 and 2.
const DwTileFn kDw3s1[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(4, 3);
const DwTileFn kDw3s2[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(8, 3);
const DwTileFn kDw5s1[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(4, 5);
const DwTileFn kDw5s2[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(8, 5);
#undef ARMBENCH_DW_FIXED

// Rows whose width is a multiple of 16 pixels run 16-pixel tiles a row at a time (100 %
// of pipe peak on paper, fewer loads per tap); other widths run kDepthwiseRows rows at a
// time in tiles of up to 7 pixels, and the rows left over after those groups (a plane's
// last one or two) one at a time. Not 3x3 taps at stride 2: there a 3-row tile loads 15
// input vectors per 21 multiply-adds and a row, which the 3 load pipes of V1 and V2
// cannot feed (llvm-mca 19: 78.8 % and 89.1 % at 7 pixels), so those rows stay single.
void depthwise(const NchwcDepthwiseRow& a) {
  size_t k = 0;
  if (a.col_stride == kBlk && (a.s == 3 || a.s == 5) && (a.pix_stride == kBlk || a.pix_stride == 2 * kBlk)) {
    const bool one = a.pix_stride == kBlk;
    const DwTileFn* tiles = a.s == 3 ? (one ? kDw3s1 : kDw3s2) : (one ? kDw5s1 : kDw5s2);
    if (a.npix % kDwFixedMaxT != 0 && (one || a.s == 5)) {
      const DwTileFn* rows = a.s == 3 ? kDw3s1Rows : (one ? kDw5s1Rows : kDw5s2Rows);
      for (; k + kDepthwiseRows <= a.rows; k += kDepthwiseRows) {
        NchwcDepthwiseRow group = a;
        group.x += k * a.x_row_step;
        group.y += k * a.y_row_step;
        split_row(group, kBlk, kDwRowsMaxT, rows);
      }
    }
    for (; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kDwFixedMaxT, tiles);
    return;
  }
  for (; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kDwMaxT, kDwTiles);
}

}  // namespace

NchwcRowKernel nchwc_row_neon() { return row; }
NchwcDepthwiseKernel nchwc_depthwise_neon() { return depthwise; }
NchwcMultiKernel nchwc_multi_neon() { return multi; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
NchwcRowKernel nchwc_row_neon() { return nullptr; }
NchwcDepthwiseKernel nchwc_depthwise_neon() { return nullptr; }
NchwcMultiKernel nchwc_multi_neon() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
