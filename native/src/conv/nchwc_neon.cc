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

// Two output blocks, R output rows (1 or kMultiRows) x T pixels x 8 output channels: up
// to 8 pixels of one row or 4 of two (16 q accumulators, 16 independent sums; two rows
// where a row is too short for 8). Per tap: one 4-channel input vector per pixel and row,
// then per input channel the two blocks' weight vectors and 2R FMLA by element per pixel:
// 16 + 8 + 2 of 32 registers. Each pixel's order is the same for either R.
template <int R, int T>
void multi_tile(const NchwcMulti& a, const float* x, float* y) {
  static_assert(kMultiBlocks == 2 && (R == 1 || R == static_cast<int>(kMultiRows)), "two output blocks, 1 or 2 rows");
  float32x4_t acc0[R][T], acc1[R][T];
#pragma GCC unroll 2
  for (int k = 0; k < R; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) acc0[k][t] = acc1[k][t] = vdupq_n_f32(0.0f);
  const float* wp = a.w;
  const size_t step = a.x_row_step;
  if constexpr (R == 1) {
    ARMBENCH_MCA_BEGIN("nchwc.multi_f32.t%c0" :: "i"(T));
  } else {
    ARMBENCH_MCA_BEGIN("nchwc.multi_f32_r2.t%c0" :: "i"(T));
  }
  for (size_t cb = 0; cb < a.cblocks; ++cb) {
    const size_t cin = cb + 1 < a.cblocks ? kBlk : a.cin_last;
    for (size_t i = 0; i < a.r; ++i) {
      for (size_t j = 0; j < a.s; ++j, wp += kBlk * 2 * kBlk) {
        const float* xp = x + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
        const float* xk[R];
#pragma GCC unroll 2
        for (int k = 0; k < R; ++k) xk[k] = xp + k * step;
        float32x4_t xv[R][T];
#pragma GCC unroll 16
        for (int t = 0; t < T; ++t)
#pragma GCC unroll 2
          for (int k = 0; k < R; ++k) xv[k][t] = vld1q_f32(xk[k] + t * a.pix_stride);
#define ARMBENCH_MULTI_CHANNEL(ci)                                    \
  {                                                                   \
    const float32x4_t w0 = vld1q_f32(wp + (ci) * 2 * kBlk);           \
    const float32x4_t w1 = vld1q_f32(wp + (ci) * 2 * kBlk + kBlk);    \
    _Pragma("GCC unroll 2") for (int k = 0; k < R; ++k) {             \
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
#pragma GCC unroll 2
  for (int k = 0; k < R; ++k) store_pair<T>(a, y + k * a.y_row_step, acc0[k], acc1[k]);
}

typedef void (*MultiTileFn)(const NchwcMulti&, const float*, float*);
constexpr int kMultiMaxT = 8;
const MultiTileFn kMultiTiles[kMultiMaxT + 1] = {nullptr,          multi_tile<1, 1>, multi_tile<1, 2>,
                                                 multi_tile<1, 3>, multi_tile<1, 4>, multi_tile<1, 5>,
                                                 multi_tile<1, 6>, multi_tile<1, 7>, multi_tile<1, 8>};
constexpr int kMultiRowsMaxT = 4;
const MultiTileFn kMultiRowTiles[kMultiRowsMaxT + 1] = {nullptr, multi_tile<2, 1>, multi_tile<2, 2>, multi_tile<2, 3>,
                                                        multi_tile<2, 4>};

void multi(const NchwcMulti& a) { split_multi_rows(a, kBlk, kMultiMaxT, kMultiTiles, kMultiRowsMaxT, kMultiRowTiles); }

// Depthwise, any taps, strides and dilations: up to 12 pixels of one channel block (12 q
// accumulators). The fallback for shapes the fixed tiles below do not take (dilated taps,
// tap widths other than 3 and 5, strides above 2); no depthwise layer of the built-in
// nets has them. Per tap one weight vector and one input vector per pixel, one FMLA each:
// the pixels' byte offsets are worked out once per tile and kept in registers, so a tap
// costs an add, T + 1 loads (register offset, unscaled: one micro-op) and T FMLAs. With
// no input vector shared between taps (strides and dilations known only at run time),
// the loads bound it where the cores load fewer vectors a cycle than they multiply-add
// (V1, V2: 3 loads, 4 FMLAs), which npm run mca holds it to instead of the pipe peak.
template <int T>
void dw_tile(const NchwcDepthwiseRow& a, const float* x, float* y) {
  float32x4_t acc[T];
  size_t off[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) {
    acc[t] = vdupq_n_f32(0.0f);
    off[t] = t * a.pix_stride * sizeof(float);
  }
  const size_t row_bytes = a.row_stride * sizeof(float), col_bytes = a.col_stride * sizeof(float);
  const char* xr = reinterpret_cast<const char*>(x);
  const float* w = a.w;
  ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_any.t%c0" :: "i"(T));
  for (size_t i = 0; i < a.r; ++i, xr += row_bytes) {
    const char* xp = xr;
    for (size_t j = 0; j < a.s; ++j, xp += col_bytes, w += kBlk) {
      const float32x4_t wv = vld1q_f32(w);
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        acc[t] = vfmaq_f32(acc[t], vld1q_f32(reinterpret_cast<const float*>(xp + off[t])), wv);
      }
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
// taps one block apart (dilation 1), over R output rows (1, or kDepthwiseRows: x_row_step
// apart): every address is a constant offset from the row, and the input vector pixel t
// reads at tap j is the one pixel t + 1 read at tap j - PS / 4, so GCC loads it once per
// row (S + T - 1 loads for S * T FMLAs at stride 1), where the generic tile recomputes T
// addresses and loads T vectors per tap. One row takes up to 16 pixels (16 independent
// accumulators cover the FMLA latency times the pipes of the 4-pipe cores); three rows up
// to 7 each (21 sums: MobileNet's 56, 28, 14 and 7-pixel rows in 7-pixel tiles, where a
// row alone would give 14 or 7). Per tap row i the S weight vectors, then each output
// row's inputs; each pixel's taps are summed in the generic tile's order, so the bits
// are the same.
constexpr int kDwRows = static_cast<int>(kDepthwiseRows);
template <int R, int T, int PS, int S>
__attribute__((optimize("no-schedule-insns"))) void dw_tile_fixed(const NchwcDepthwiseRow& a, const float* x, float* y) {
  static_assert(R == 1 || R == kDwRows, "one row or a group of kDepthwiseRows");
  float32x4_t acc[R][T];
#pragma GCC unroll 4
  for (int k = 0; k < R; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) acc[k][t] = vdupq_n_f32(0.0f);
  const size_t step = a.x_row_step;
  if constexpr (R == 1) {
    ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_s%c0_k%c1.t%c2" :: "i"(PS / kBlk), "i"(S), "i"(T));
  } else {
    ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_s%c0_k%c1_r%c2.t%c3" :: "i"(PS / kBlk), "i"(S), "i"(R), "i"(T));
  }
  const float* xr = x;
  const float* wr = a.w;
  for (size_t i = 0; i < a.r; ++i, xr += a.row_stride, wr += S * kBlk) {
    float32x4_t wv[S];
#pragma GCC unroll 8
    for (int j = 0; j < S; ++j) wv[j] = vld1q_f32(wr + j * kBlk);
#pragma GCC unroll 4
    for (int k = 0; k < R; ++k) {
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
  for (int k = 0; k < R; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) vst1q_f32(y + k * a.y_row_step + t * kBlk, acc[k][t]);
}

constexpr int kDwRowsMaxT = 7;
#define ARMBENCH_DW_ROWS(PS, S)                                                                        \
  {nullptr,                          dw_tile_fixed<kDwRows, 1, PS, S>, dw_tile_fixed<kDwRows, 2, PS, S>, \
   dw_tile_fixed<kDwRows, 3, PS, S>, dw_tile_fixed<kDwRows, 4, PS, S>, dw_tile_fixed<kDwRows, 5, PS, S>, \
   dw_tile_fixed<kDwRows, 6, PS, S>, dw_tile_fixed<kDwRows, 7, PS, S>}
const DwTileFn kDw3s1Rows[kDwRowsMaxT + 1] = ARMBENCH_DW_ROWS(4, 3);
const DwTileFn kDw5s1Rows[kDwRowsMaxT + 1] = ARMBENCH_DW_ROWS(4, 5);
const DwTileFn kDw5s2Rows[kDwRowsMaxT + 1] = ARMBENCH_DW_ROWS(8, 5);
#undef ARMBENCH_DW_ROWS

// 3x3 taps at stride 2 in both directions down a strip of up to 8 pixels of `rows`
// output rows (rows >= 2): each input row is loaded once, its 2T + 1 vectors once each,
// for the (up to) two output rows that read it (tap row 2 of output row k and tap row 0
// of row k + 1 share input row 2k + 2), where a multi-row tile loads it for each (15
// input vectors per 21 multiply-adds at 7 pixels, more than the 3 load pipes of V1 and
// V2 feed). The 9 weight vectors stay in registers; two output rows are in flight per
// step (2T independent sums), stored as each completes; steps go in pairs, so the two
// rows' accumulators (v0-v7, v8-v15) swap roles without a move. One assembly block
// (assembler macros, fixed registers): GCC's allocation of the same C++ added 13 vector
// moves a pair of steps. Per pixel the taps run in the order i, j, the first a multiply.
#define ARMBENCH_DWS_REQ                                                                                  \
  "pa0 .req v0\n pa1 .req v1\n pa2 .req v2\n pa3 .req v3\n pa4 .req v4\n pa5 .req v5\n pa6 .req v6\n"     \
  "pa7 .req v7\n qa0 .req v8\n qa1 .req v9\n qa2 .req v10\n qa3 .req v11\n qa4 .req v12\n qa5 .req v13\n" \
  "qa6 .req v14\n qa7 .req v15\n"                                                                         \
  "pq0 .req q0\n pq1 .req q1\n pq2 .req q2\n pq3 .req q3\n pq4 .req q4\n pq5 .req q5\n pq6 .req q6\n"     \
  "pq7 .req q7\n qq0 .req q8\n qq1 .req q9\n qq2 .req q10\n qq3 .req q11\n qq4 .req q12\n qq5 .req q13\n" \
  "qq6 .req q14\n qq7 .req q15\n"                                                                         \
  "wv00 .req v16\n wv01 .req v17\n wv02 .req v18\n wv10 .req v19\n wv11 .req v20\n wv12 .req v21\n"       \
  "wv20 .req v22\n wv21 .req v23\n wv22 .req v24\n tva .req v25\n tvb .req v26\n tqa .req q25\n"          \
  "tqb .req q26\n"
#define ARMBENCH_DWS_UNREQ                                                                                \
  ".unreq pa0\n .unreq pa1\n .unreq pa2\n .unreq pa3\n .unreq pa4\n .unreq pa5\n .unreq pa6\n"            \
  ".unreq pa7\n .unreq qa0\n .unreq qa1\n .unreq qa2\n .unreq qa3\n .unreq qa4\n .unreq qa5\n"            \
  ".unreq qa6\n .unreq qa7\n .unreq pq0\n .unreq pq1\n .unreq pq2\n .unreq pq3\n .unreq pq4\n"            \
  ".unreq pq5\n .unreq pq6\n .unreq pq7\n .unreq qq0\n .unreq qq1\n .unreq qq2\n .unreq qq3\n"            \
  ".unreq qq4\n .unreq qq5\n .unreq qq6\n .unreq qq7\n .unreq wv00\n .unreq wv01\n .unreq wv02\n"         \
  ".unreq wv10\n .unreq wv11\n .unreq wv12\n .unreq wv20\n .unreq wv21\n .unreq wv22\n .unreq tva\n"      \
  ".unreq tvb\n .unreq tqa\n .unreq tqb\n"
// An input vector at byte offset off of row ptr (LDUR to 240 bytes: N1's scaled LDR is a
// load and an integer micro-op).
#define ARMBENCH_DWS_LOAD                                                  \
  ".macro dwsld dst, ptr, off\n"                                           \
  ".if (\\off) < 256\n ldur \\dst, [\\ptr, #(\\off)]\n"                   \
  ".else\n ldr \\dst, [\\ptr, #(\\off)]\n .endif\n"                        \
  ".endm\n"
// Tap row i of input row ptr into accumulators acc0.. (first: tap 0 a multiply). Pixel t
// reads input vectors 2t, 2t + 1, 2t + 2; vector 2t is also tap 2 of pixel t - 1.
#define ARMBENCH_DWS_ROW                                                                   \
  ".macro dwsstep acc, i, ptr, t, tp, first\n"                                             \
  ".if \\t < DWST\n"                                                                       \
  " dwsld tqa, \\ptr, (32 * \\t)\n"                                                        \
  " .if \\first\n fmul \\acc\\t\\().4s, tva.4s, wv\\i\\()0.4s\n"                           \
  " .else\n fmla \\acc\\t\\().4s, tva.4s, wv\\i\\()0.4s\n .endif\n"                        \
  " .if \\t > 0\n fmla \\acc\\tp\\().4s, tva.4s, wv\\i\\()2.4s\n .endif\n"                 \
  " dwsld tqb, \\ptr, (32 * \\t + 16)\n"                                                   \
  " fmla \\acc\\t\\().4s, tvb.4s, wv\\i\\()1.4s\n"                                         \
  ".endif\n"                                                                               \
  ".endm\n"                                                                                \
  ".macro dwsrow acc, i, ptr, first\n"                                                     \
  " dwsstep \\acc, \\i, \\ptr, 0, 0, \\first\n dwsstep \\acc, \\i, \\ptr, 1, 0, \\first\n" \
  " dwsstep \\acc, \\i, \\ptr, 2, 1, \\first\n dwsstep \\acc, \\i, \\ptr, 3, 2, \\first\n" \
  " dwsstep \\acc, \\i, \\ptr, 4, 3, \\first\n dwsstep \\acc, \\i, \\ptr, 5, 4, \\first\n" \
  " dwsstep \\acc, \\i, \\ptr, 6, 5, \\first\n dwsstep \\acc, \\i, \\ptr, 7, 6, \\first\n" \
  " dwsld tqa, \\ptr, (32 * DWST)\n"                                                       \
  " dwslast \\acc, tva, wv\\i\\()2\n"                                                      \
  ".endm\n"                                                                                \
  ".macro dwslast acc, x, w\n"                                                             \
  ".if DWST == 1\n fmla \\acc\\()0.4s, \\x\\().4s, \\w\\().4s\n"                           \
  ".elseif DWST == 2\n fmla \\acc\\()1.4s, \\x\\().4s, \\w\\().4s\n"                       \
  ".elseif DWST == 3\n fmla \\acc\\()2.4s, \\x\\().4s, \\w\\().4s\n"                       \
  ".elseif DWST == 4\n fmla \\acc\\()3.4s, \\x\\().4s, \\w\\().4s\n"                       \
  ".elseif DWST == 5\n fmla \\acc\\()4.4s, \\x\\().4s, \\w\\().4s\n"                       \
  ".elseif DWST == 6\n fmla \\acc\\()5.4s, \\x\\().4s, \\w\\().4s\n"                       \
  ".elseif DWST == 7\n fmla \\acc\\()6.4s, \\x\\().4s, \\w\\().4s\n"                       \
  ".else\n fmla \\acc\\()7.4s, \\x\\().4s, \\w\\().4s\n .endif\n"                          \
  ".endm\n"
// Input row ptr as tap row 2 of `done` and tap row 0 (first, a multiply) of `next`.
#define ARMBENCH_DWS_SHARED                                                                          \
  ".macro dwsshstep done, next, ptr, t, tp\n"                                                         \
  ".if \\t < DWST\n"                                                                                  \
  " dwsld tqa, \\ptr, (32 * \\t)\n"                                                                   \
  " fmla \\done\\t\\().4s, tva.4s, wv20.4s\n fmul \\next\\t\\().4s, tva.4s, wv00.4s\n"                \
  " .if \\t > 0\n fmla \\done\\tp\\().4s, tva.4s, wv22.4s\n fmla \\next\\tp\\().4s, tva.4s, wv02.4s\n" \
  " .endif\n"                                                                                         \
  " dwsld tqb, \\ptr, (32 * \\t + 16)\n"                                                              \
  " fmla \\done\\t\\().4s, tvb.4s, wv21.4s\n fmla \\next\\t\\().4s, tvb.4s, wv01.4s\n"                \
  ".endif\n"                                                                                          \
  ".endm\n"                                                                                           \
  ".macro dwsshared done, next, ptr\n"                                                                \
  " dwsshstep \\done, \\next, \\ptr, 0, 0\n dwsshstep \\done, \\next, \\ptr, 1, 0\n"                  \
  " dwsshstep \\done, \\next, \\ptr, 2, 1\n dwsshstep \\done, \\next, \\ptr, 3, 2\n"                  \
  " dwsshstep \\done, \\next, \\ptr, 4, 3\n dwsshstep \\done, \\next, \\ptr, 5, 4\n"                  \
  " dwsshstep \\done, \\next, \\ptr, 6, 5\n dwsshstep \\done, \\next, \\ptr, 7, 6\n"                  \
  " dwsld tqa, \\ptr, (32 * DWST)\n"                                                                  \
  " dwslast \\done, tva, wv22\n dwslast \\next, tva, wv02\n"                                          \
  ".endm\n"
// The T accumulators (q names qn, v names vn) stored at ptr, in pairs.
#define ARMBENCH_DWS_STORE                                                           \
  ".macro dwsstore qn, vn, ptr\n"                                                    \
  ".if DWST >= 2\n stp \\qn\\()0, \\qn\\()1, [\\ptr]\n .endif\n"                     \
  ".if DWST >= 4\n stp \\qn\\()2, \\qn\\()3, [\\ptr, #32]\n .endif\n"                \
  ".if DWST >= 6\n stp \\qn\\()4, \\qn\\()5, [\\ptr, #64]\n .endif\n"                \
  ".if DWST >= 8\n stp \\qn\\()6, \\qn\\()7, [\\ptr, #96]\n .endif\n"                \
  ".if DWST == 1\n st1 {\\vn\\()0.4s}, [\\ptr]\n"                                    \
  ".elseif DWST == 3\n add x13, \\ptr, #32\n st1 {\\vn\\()2.4s}, [x13]\n"            \
  ".elseif DWST == 5\n add x13, \\ptr, #64\n st1 {\\vn\\()4.4s}, [x13]\n"            \
  ".elseif DWST == 7\n add x13, \\ptr, #96\n st1 {\\vn\\()6.4s}, [x13]\n .endif\n"   \
  ".endm\n"

template <int T>
void dw3s2_strip(const NchwcDepthwiseRow& a, const float* x, float* y) {
  static_assert(T >= 1 && T <= 8, "up to 8 pixels");
  size_t pairs = (a.rows - 1) / 2;  // loop passes of two steps; 1 or 2 rows remain after them
  const size_t rem = a.rows - 2 * pairs;
  const size_t rs = a.row_stride * sizeof(float), ys = a.y_row_step * sizeof(float);
  ARMBENCH_MCA_BEGIN("nchwc.depthwise_f32_s2_k3_strip.t%c0" :: "i"(T));
  asm volatile(".set DWST, %c[T]\n" ARMBENCH_DWS_REQ ARMBENCH_DWS_LOAD ARMBENCH_DWS_ROW ARMBENCH_DWS_SHARED
               ARMBENCH_DWS_STORE
               "ldp q16, q17, [%[w]]\n ldp q18, q19, [%[w], #32]\n ldp q20, q21, [%[w], #64]\n"
               "ldp q22, q23, [%[w], #96]\n ldr q24, [%[w], #128]\n"
               "dwsrow pa, 0, %[x], 1\n"
               "cbz %[pairs], .Ldws_rest%=\n"
               ".Ldws%=:\n"
               " add x9, %[x], %[rs]\n dwsrow pa, 1, x9, 0\n"
               " add x10, x9, %[rs]\n dwsshared pa, qa, x10\n dwsstore pq, pa, %[y]\n"
               " add x11, x10, %[rs]\n dwsrow qa, 1, x11, 0\n"
               " add %[x], x11, %[rs]\n dwsshared qa, pa, %[x]\n add x12, %[y], %[ys]\n dwsstore qq, qa, x12\n"
               " add %[y], x12, %[ys]\n"
               " subs %[pairs], %[pairs], #1\n b.ne .Ldws%=\n"
               ".Ldws_rest%=:\n"
               " add x9, %[x], %[rs]\n dwsrow pa, 1, x9, 0\n add x10, x9, %[rs]\n"
               " cmp %[rem], #2\n b.ne .Ldws_one%=\n"
               " dwsshared pa, qa, x10\n dwsstore pq, pa, %[y]\n"
               " add x11, x10, %[rs]\n dwsrow qa, 1, x11, 0\n add x12, x11, %[rs]\n dwsrow qa, 2, x12, 0\n"
               " add x12, %[y], %[ys]\n dwsstore qq, qa, x12\n b .Ldws_end%=\n"
               ".Ldws_one%=:\n"
               " dwsrow pa, 2, x10, 0\n dwsstore pq, pa, %[y]\n"
               ".Ldws_end%=:\n"
               ".purgem dwsld\n .purgem dwsstep\n .purgem dwsrow\n .purgem dwslast\n .purgem dwsshstep\n"
               ".purgem dwsshared\n .purgem dwsstore\n" ARMBENCH_DWS_UNREQ
               : [x] "+r"(x), [y] "+r"(y), [pairs] "+r"(pairs)
               : [w] "r"(a.w), [rs] "r"(rs), [ys] "r"(ys), [rem] "r"(rem), [T] "i"(T)
               : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14",
                 "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "x9", "x10",
                 "x11", "x12", "x13", "memory", "cc");
  ARMBENCH_MCA_END();
}
#undef ARMBENCH_DWS_REQ
#undef ARMBENCH_DWS_UNREQ
#undef ARMBENCH_DWS_LOAD
#undef ARMBENCH_DWS_ROW
#undef ARMBENCH_DWS_SHARED
#undef ARMBENCH_DWS_STORE

constexpr int kDw3s2StripMaxT = 8;
const DwTileFn kDw3s2Strip[kDw3s2StripMaxT + 1] = {nullptr,        dw3s2_strip<1>, dw3s2_strip<2>, dw3s2_strip<3>, dw3s2_strip<4>,
                                                   dw3s2_strip<5>, dw3s2_strip<6>, dw3s2_strip<7>, dw3s2_strip<8>};

constexpr int kDwFixedMaxT = 16;
#define ARMBENCH_DW_FIXED(PS, S)                                                                              \
  {nullptr,                       dw_tile_fixed<1, 1, PS, S>,  dw_tile_fixed<1, 2, PS, S>,  dw_tile_fixed<1, 3, PS, S>,  \
   dw_tile_fixed<1, 4, PS, S>,  dw_tile_fixed<1, 5, PS, S>,  dw_tile_fixed<1, 6, PS, S>,  dw_tile_fixed<1, 7, PS, S>,  \
   dw_tile_fixed<1, 8, PS, S>,  dw_tile_fixed<1, 9, PS, S>,  dw_tile_fixed<1, 10, PS, S>, dw_tile_fixed<1, 11, PS, S>, \
   dw_tile_fixed<1, 12, PS, S>, dw_tile_fixed<1, 13, PS, S>, dw_tile_fixed<1, 14, PS, S>, dw_tile_fixed<1, 15, PS, S>, \
   dw_tile_fixed<1, 16, PS, S>}
// 3x3 and 5x5 taps (MobileNet, EfficientNet), stride 1 and 2.
const DwTileFn kDw3s1[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(4, 3);
const DwTileFn kDw3s2[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(8, 3);
const DwTileFn kDw5s1[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(4, 5);
const DwTileFn kDw5s2[kDwFixedMaxT + 1] = ARMBENCH_DW_FIXED(8, 5);
#undef ARMBENCH_DW_FIXED

// Rows whose width is a multiple of 16 pixels run 16-pixel tiles a row at a time (100 %
// of pipe peak on paper, fewer loads per tap); other widths run kDepthwiseRows rows at a
// time in tiles of up to 7 pixels, and the rows left over after those groups (a plane's
// last one or two) one at a time. 3x3 taps at stride 2 in both directions run strips of
// up to 8 pixels down all the call's rows instead: a 3-row tile there loads 15 input
// vectors per 21 multiply-adds and a row, which the 3 load pipes of V1 and V2 cannot
// feed (llvm-mca 19: 78.8 % and 89.1 % at 7 pixels; the strip 94.1 % and 90.0 %).
void depthwise_sums(const NchwcDepthwiseRow& a) {
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
    if (a.npix % kDwFixedMaxT != 0 && !one && a.s == 3 && a.r == 3 && a.row_stride * 2 == a.x_row_step &&
        a.rows > 1) {
      split_row(a, kBlk, kDw3s2StripMaxT, kDw3s2Strip);
      return;
    }
    for (; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kDwFixedMaxT, tiles);
    return;
  }
  for (; k < a.rows; ++k) split_row(row_of(a, k), kBlk, kDwMaxT, kDwTiles);
}

// The sums, then the epilogue over the call's rows while they are still in L1: the
// tiles above (the assembly strip among them) store bare sums.
void depthwise(const NchwcDepthwiseRow& a) {
  depthwise_sums(a);
  if (a.bias == nullptr && a.residual == nullptr && a.act == ARMBENCH_ACT_NONE) return;
  for (size_t k = 0; k < a.rows; ++k) {
    float* y = a.y + k * a.y_row_step;
    const float* res = a.residual != nullptr ? a.residual + k * a.y_row_step : nullptr;
    for (size_t p = 0; p < a.npix; ++p)
      vst1q_f32(y + p * kBlk, finish(vld1q_f32(y + p * kBlk), a, a.bias, res != nullptr ? res + p * kBlk : nullptr));
  }
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
