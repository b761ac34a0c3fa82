// Depthwise 3x3 row kernel, NEON (-march=armv8-a): 4 output rows x 4 vectors of 4
// columns (16 q accumulators, 16 independent chains: the FMLA latency times the pipes of
// the 4-pipe cores) take all 9 taps before one store. Each input row's 3 tap vectors per
// column vector are loaded once and feed every output row that reads that row (up to 3 at
// vertical stride 1), so a tap costs half a load (two thirds at stride 2) instead of one,
// and no pipe-bound permute: stride 2 reads rows the caller de-interleaved (by LD2, in
// split_f32 and split_bf16 at the end of this file). Fewer rows or vectors, and the last
// n % 4 columns one at a time, keep the same taps in the same order.
#include "depthwise.h"

#include "../runtime/mca_region.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <math.h>
#include <string.h>

// GCC's scheduling before register allocation hoists every load of a block to its top,
// which needs far more than 32 registers and spills; the cores reorder loads themselves.
#pragma GCC optimize("no-schedule-insns")

namespace armbench {
namespace conv {
namespace {

constexpr int kLanes = 4;
constexpr int kMaxV = 4;
constexpr int kMaxRows = static_cast<int>(kDepthwiseMaxRows);

// Where tap j of the column at p reads (p: the row at that column's index).
template <int S>
inline const float* tap(const float* p, size_t half, int j) {
  if (S == 1) return p + j;
  return j == 1 ? p + half : p + j / 2;
}

// acc + x * weight t of the 9, the weights in 3 q registers, by FMLA by element. Inline
// assembly because GCC turns the intrinsic into a broadcast it hoists out of the loop: 9
// broadcast weights leave too few of the 32 registers for 16 accumulators and the loads
// (it spills). The same fused multiply-add either way.
template <int T>
inline float32x4_t fma_tap(float32x4_t acc, float32x4_t x, const float32x4_t (&w)[3]) {
  asm("fmla %0.4s, %1.4s, %2.s[%3]" : "+w"(acc) : "w"(x), "w"(w[T / 4]), "i"(T % 4));
  return acc;
}

// x * weight 0, the first tap of a sum (assembly for the reason above).
inline float32x4_t mul_tap0(float32x4_t x, const float32x4_t (&w)[3]) {
  float32x4_t p;
  asm("fmul %0.4s, %1.4s, %2.s[0]" : "=w"(p) : "w"(x), "w"(w[0]));
  return p;
}

// fma_tap with t a constant once the callers' loops are unrolled: the switch folds.
inline float32x4_t fma_tap(float32x4_t acc, float32x4_t x, const float32x4_t (&w)[3], int t) {
  switch (t) {
    case 0: return fma_tap<0>(acc, x, w);
    case 1: return fma_tap<1>(acc, x, w);
    case 2: return fma_tap<2>(acc, x, w);
    case 3: return fma_tap<3>(acc, x, w);
    case 4: return fma_tap<4>(acc, x, w);
    case 5: return fma_tap<5>(acc, x, w);
    case 6: return fma_tap<6>(acc, x, w);
    case 7: return fma_tap<7>(acc, x, w);
    default: return fma_tap<8>(acc, x, w);
  }
}

// R output rows x V vectors of columns from the rows at p (p[r]: input row r at the first
// column). Input row r feeds output row k at tap row i = r - k * RS; r ascends, so every
// output's taps stay in the order i, j. With every row present (R > 1) an output's first
// tap is a multiply, not an add to a zeroed register: zeroing 16 accumulators would take
// the FMA pipes 16 cycles of 144 (only a sum of nine zero products can differ, -0 for +0).
// R == 1 skips rows in the padding (nullptr).
template <int S, int RS, int R, int V>
inline void block(const float* const* p, size_t half, const float32x4_t (&w)[3], float* const* y) {
  float32x4_t acc[R][V];
  if (R == 1) {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[0][v] = vdupq_n_f32(0.0f);
  }
  constexpr int kIn = (R - 1) * RS + 3;
#pragma GCC unroll 12
  for (int r = 0; r < kIn; ++r) {
    if (R == 1 && p[r] == nullptr) continue;
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) {
      const float* q = tap<S>(p[r], half, j);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) {
        const float32x4_t xv = vld1q_f32(q + v * kLanes);
#pragma GCC unroll 4
        for (int k = 0; k < R; ++k) {
          const int i = r - k * RS;
          if (i < 0 || i >= 3) continue;
          if (R > 1 && i == 0 && j == 0) {
            acc[k][v] = mul_tap0(xv, w);
          } else {
            acc[k][v] = fma_tap(acc[k][v], xv, w, i * 3 + j);
          }
        }
      }
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < R; ++k)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) vst1q_f32(y[k] + v * kLanes, acc[k][v]);
}

// The 4 x 4 block of the horizontal stride S at the same vertical stride, nb times over
// (16 columns each), in one assembly loop: 144 multiply-adds, 8 pair stores, the loads
// (72 at stride 1, 108 at stride 2) and pointer steps, nothing else. On N1, N2 and V2
// each q register stored takes an FMA-pipe slot in llvm-mca's models (and in Arm's
// optimisation guides), so 16 stores per 144 multiply-adds cap the block at 90 % of the
// FMA-pipe peak; GCC's register allocation of the C++ block adds 3 to 5 vector moves
// per block, which put it below that. The taps and their order are block<S, S, 4, 4>'s:
// input row r, tap column j, column vector v, then each output row k that reads row r
// (tap row i = r - k * S), the first tap a multiply. Accumulators v0-v15 (output row k,
// vector v in v(4k + v)), tap inputs v16-v27, the weights where GCC puts them.
#define ARMBENCH_DW_REQ                                                                              \
  "a00 .req v0\n a01 .req v1\n a02 .req v2\n a03 .req v3\n a10 .req v4\n a11 .req v5\n"              \
  "a12 .req v6\n a13 .req v7\n a20 .req v8\n a21 .req v9\n a22 .req v10\n a23 .req v11\n"            \
  "a30 .req v12\n a31 .req v13\n a32 .req v14\n a33 .req v15\n"                                      \
  "t00 .req v16\n t01 .req v17\n t02 .req v18\n t03 .req v19\n t10 .req v20\n t11 .req v21\n"        \
  "t12 .req v22\n t13 .req v23\n t20 .req v24\n t21 .req v25\n t22 .req v26\n t23 .req v27\n"        \
  "u00 .req q16\n u01 .req q17\n u02 .req q18\n u03 .req q19\n u10 .req q20\n u11 .req q21\n"        \
  "u12 .req q22\n u13 .req q23\n u20 .req q24\n u21 .req q25\n u22 .req q26\n u23 .req q27\n"        \
  "wt0 .req %[w0]\n wt1 .req %[w1]\n wt2 .req %[w2]\n"                                               \
  "out0 .req x4\n out1 .req x5\n out2 .req x6\n out3 .req x7\n ldp out0, out1, [%[yy]]\n ldp out2, out3, [%[yy], #16]\n"     \
  "in0 .req x9\n in1 .req x10\n in2 .req x11\n in3 .req x12\n in4 .req x13\n in5 .req x14\n"                  \
  "ldp in0, in1, [%[pp]]\n ldp in2, in3, [%[pp], #16]\n ldp in4, in5, [%[pp], #32]\n"
#define ARMBENCH_DW_UNREQ                                                                            \
  ".unreq a00\n .unreq a01\n .unreq a02\n .unreq a03\n .unreq a10\n .unreq a11\n .unreq a12\n"       \
  ".unreq a13\n .unreq a20\n .unreq a21\n .unreq a22\n .unreq a23\n .unreq a30\n .unreq a31\n"       \
  ".unreq a32\n .unreq a33\n .unreq t00\n .unreq t01\n .unreq t02\n .unreq t03\n .unreq t10\n"       \
  ".unreq t11\n .unreq t12\n .unreq t13\n .unreq t20\n .unreq t21\n .unreq t22\n .unreq t23\n"       \
  ".unreq u00\n .unreq u01\n .unreq u02\n .unreq u03\n .unreq u10\n .unreq u11\n .unreq u12\n"       \
  ".unreq u13\n .unreq u20\n .unreq u21\n .unreq u22\n .unreq u23\n .unreq wt0\n .unreq wt1\n"       \
  ".unreq wt2\n .unreq out0\n .unreq out1\n .unreq out2\n .unreq out3\n .unreq in0\n .unreq in1\n .unreq in2\n" \
  ".unreq in3\n .unreq in4\n .unreq in5\n"
// dwtap k, v, i, j, x: accumulator (k, v) takes tap (i, j) of input x.
#define ARMBENCH_DW_TAP                                                                 \
  ".macro dwtap k, v, i, j, x\n"                                                        \
  ".if ((\\i) == 0) && ((\\j) == 0)\n fmul a\\k\\v\\().4s, \\x\\().4s, wt0.s[0]\n"      \
  ".elseif ((\\i) * 3 + (\\j)) < 4\n fmla a\\k\\v\\().4s, \\x\\().4s, wt0.s[(\\i) * 3 + (\\j)]\n" \
  ".elseif ((\\i) * 3 + (\\j)) < 8\n fmla a\\k\\v\\().4s, \\x\\().4s, wt1.s[(\\i) * 3 + (\\j) - 4]\n" \
  ".else\n fmla a\\k\\v\\().4s, \\x\\().4s, wt2.s[0]\n"                                \
  ".endif\n"                                                                            \
  ".endm\n"
// dwrow row: input row `row`'s loads and the taps every output row k that reads it takes,
// then the row's pointer one block on.
#define ARMBENCH_DW_ROW(RS)                                                             \
  ".macro dwrow row\n"                                                                  \
  " .irp jj, 0, 1, 2\n"                                                                 \
  "  .irp vv, 0, 1, 2, 3\n"                                                             \
  "   dwload \\row, \\jj, \\vv\n"                                                       \
  "   .irp kk, 0, 1, 2, 3\n"                                                            \
  "    .if ((\\row - \\kk * " RS ") >= 0) && ((\\row - \\kk * " RS ") <= 2)\n"          \
  "     dwtap \\kk, \\vv, (\\row-\\kk*" RS "), \\jj, t\\jj\\vv\n"                         \
  "    .endif\n"                                                                        \
  "   .endr\n"                                                                          \
  "  .endr\n"                                                                           \
  " .endr\n"                                                                            \
  " add in\\row, in\\row, #64\n"                                                        \
  ".endm\n"
// Output row k's 4 vectors stored, its pointer one block on.
#define ARMBENCH_DW_ST0 "stp q0, q1, [out0]\n stp q2, q3, [out0, #32]\n add out0, out0, #64\n"
#define ARMBENCH_DW_ST1 "stp q4, q5, [out1]\n stp q6, q7, [out1, #32]\n add out1, out1, #64\n"
#define ARMBENCH_DW_ST2 "stp q8, q9, [out2]\n stp q10, q11, [out2, #32]\n add out2, out2, #64\n"
#define ARMBENCH_DW_ST3 "stp q12, q13, [out3]\n stp q14, q15, [out3, #32]\n add out3, out3, #64\n"

// p: the kIn row pointers, y: the 4 output row pointers, at the first column; the
// caller steps them past the nb blocks.
template <int S>
void main_blocks(const float* const* p, size_t half, const float32x4_t (&w)[3], float* const* y, size_t nb);

template <>
void main_blocks<1>(const float* const* p, size_t, const float32x4_t (&w)[3], float* const* y, size_t nb) {
  asm volatile(ARMBENCH_DW_REQ ARMBENCH_DW_TAP
               // tap (j, v) of a row: 4 j + 16 v bytes on.
               ".macro dwload row, jj, vv\n ldur u\\jj\\vv, [in\\row, #(4 * \\jj + 16 * \\vv)]\n.endm\n"
               ARMBENCH_DW_ROW("1")
               ".Ldw1_%=:\n dwrow 0\n dwrow 1\n dwrow 2\n dwrow 3\n dwrow 4\n dwrow 5\n"
               ARMBENCH_DW_ST0 ARMBENCH_DW_ST1 ARMBENCH_DW_ST2 ARMBENCH_DW_ST3
               "subs %[nb], %[nb], #1\n b.ne .Ldw1_%=\n"
               ".purgem dwtap\n .purgem dwload\n .purgem dwrow\n" ARMBENCH_DW_UNREQ
               : [nb] "+r"(nb)
               : [pp] "r"(p), [yy] "r"(y), [w0] "w"(w[0]), [w1] "w"(w[1]), [w2] "w"(w[2])
               : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",
                 "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26",
                 "v27", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
                 "memory", "cc");
}

template <>
void main_blocks<2>(const float* const* p, size_t half, const float32x4_t (&w)[3], float* const* y, size_t nb) {
  asm volatile(ARMBENCH_DW_REQ "in6 .req x15\n in7 .req x16\n in8 .req x17\n ldp in6, in7, [%[pp], #48]\n ldr in8, [%[pp], #64]\n" ARMBENCH_DW_TAP
               // Tap 0 of a column vector at 16 v bytes, tap 2 one float on, tap 1 in the
               // row's odd half. LDUR, never LDR: N1's LDR (scaled offset) is a load and
               // an integer micro-op, LDUR a load alone (the same for the other cores).
               ".macro dwload row, jj, vv\n"
               ".if \\jj == 0\n ldur u\\jj\\vv, [in\\row, #(16 * \\vv)]\n"
               ".elseif \\jj == 2\n ldur u\\jj\\vv, [in\\row, #(4 + 16 * \\vv)]\n"
               ".else\n .if \\vv == 0\n add x8, in\\row, %[halfb]\n .endif\n"
               " ldur u\\jj\\vv, [x8, #(16 * \\vv)]\n.endif\n.endm\n"
               ARMBENCH_DW_ROW("2")
               // Software-pipelined: rows 0 and 1 feed output row 0 alone and rows 7 and 8
               // output row 3 alone (4 chains each, too few for the FMLA latency times 2
               // pipes when a 128-entry window cannot reach the next block), so each loop
               // pass runs the previous block's rows 7 and 8 beside this block's rows 0
               // and 1, and stores an output row a row after its last tap (llvm-mca 19 on
               // N1: 89.0 cycles a block in input-row order, 80.0 so). Every output
               // row's taps keep their order.
               "dwrow 0\n dwrow 1\n dwrow 2\n dwrow 3\n dwrow 4\n dwrow 5\n dwrow 6\n"
               ARMBENCH_DW_ST0 ARMBENCH_DW_ST1 ARMBENCH_DW_ST2
               "subs %[nb], %[nb], #1\n b.eq .Ldw2e_%=\n"
               ".Ldw2_%=:\n dwrow 7\n dwrow 0\n dwrow 8\n dwrow 1\n" ARMBENCH_DW_ST3
               "dwrow 2\n dwrow 3\n" ARMBENCH_DW_ST0 "dwrow 4\n dwrow 5\n" ARMBENCH_DW_ST1 "dwrow 6\n" ARMBENCH_DW_ST2
               "subs %[nb], %[nb], #1\n b.ne .Ldw2_%=\n"
               ".Ldw2e_%=:\n dwrow 7\n dwrow 8\n" ARMBENCH_DW_ST3
               ".purgem dwtap\n .purgem dwload\n .purgem dwrow\n .unreq in6\n .unreq in7\n .unreq in8\n" ARMBENCH_DW_UNREQ
               : [nb] "+r"(nb)
               : [pp] "r"(p), [yy] "r"(y), [w0] "w"(w[0]), [w1] "w"(w[1]), [w2] "w"(w[2]),
                 [halfb] "r"(half * sizeof(float))
               : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",
                 "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26",
                 "v27", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
                 "memory", "cc");
}
#undef ARMBENCH_DW_REQ
#undef ARMBENCH_DW_UNREQ
#undef ARMBENCH_DW_TAP
#undef ARMBENCH_DW_ROW
#undef ARMBENCH_DW_ST0
#undef ARMBENCH_DW_ST1
#undef ARMBENCH_DW_ST2
#undef ARMBENCH_DW_ST3

template <int S, int RS, int R>
void run(const DepthwiseRow& a) {
  constexpr int kIn = (R - 1) * RS + 3;
  const float32x4_t w[3] = {vld1q_f32(a.w), vld1q_f32(a.w + 4), vld1q_f32(a.w + 8)};
  const float* p[kIn];
  for (int r = 0; r < kIn; ++r) p[r] = a.x[r];
  // One pointer per output row, so the stores are pairs at immediate offsets (STP: on
  // N1, N2 and V2 each q register stored takes an FMA pipe slot, a lone STR of N1 two).
  float* y[R];
  for (int k = 0; k < R; ++k) y[k] = a.y + k * a.y_stride;
  // Locals, not a.half and a.n: the stores through y could alias a, so GCC would reload
  // them from memory every block.
  const size_t half = a.half, n = a.n;
  size_t c = 0;
  if (R == kMaxRows && S == RS) {
    const size_t nb = n / (kMaxV * kLanes);
    if (nb > 0) {
      ARMBENCH_MCA_BEGIN("depthwise.row_f32.s%c0" :: "i"(S));
      main_blocks<S>(p, half, w, y, nb);
      ARMBENCH_MCA_END();
      c = nb * kMaxV * kLanes;
      for (int r = 0; r < kIn; ++r) p[r] += c;
      for (int k = 0; k < R; ++k) y[k] += c;
    }
  }
  for (; n - c >= kMaxV * kLanes; c += kMaxV * kLanes) {
    block<S, RS, R, kMaxV>(p, half, w, y);
#pragma GCC unroll 12
    for (int r = 0; r < kIn; ++r) p[r] = p[r] != nullptr ? p[r] + kMaxV * kLanes : nullptr;
#pragma GCC unroll 4
    for (int k = 0; k < R; ++k) y[k] += kMaxV * kLanes;
  }
  switch ((a.n - c) / kLanes) {
    case 1: block<S, RS, R, 1>(p, a.half, w, y); break;
    case 2: block<S, RS, R, 2>(p, a.half, w, y); break;
    case 3: block<S, RS, R, 3>(p, a.half, w, y); break;
    default: break;
  }
  for (c += (a.n - c) / kLanes * kLanes; c < a.n; ++c) {
    for (int k = 0; k < R; ++k) {
      float acc = 0.0f;
      for (int i = 0; i < 3; ++i) {
        const float* xr = a.x[k * RS + i];
        if (xr == nullptr) continue;
        for (int j = 0; j < 3; ++j) acc = fmaf(*tap<S>(xr + c, a.half, j), a.w[i * 3 + j], acc);
      }
      a.y[k * a.y_stride + c] = acc;
    }
  }
}

template <int S, int RS>
void rows(const DepthwiseRow& a) {
  switch (a.rows) {
    case 4: run<S, RS, 4>(a); break;
    case 3: run<S, RS, 3>(a); break;
    case 2: run<S, RS, 2>(a); break;
    default: run<S, RS, 1>(a); break;
  }
}

template <int S>
void strided(const DepthwiseRow& a) {
  if (a.row_step == 1) {
    rows<S, 1>(a);
  } else {
    rows<S, 2>(a);
  }
}

void row(const DepthwiseRow& a) {
  const size_t in = (a.rows - 1) * a.row_step + 3;
  bool all = true;
  for (size_t r = 0; r < in; ++r) all = all && a.x[r] != nullptr;
  if (a.rows > 1 && !all) {
    // A row in the padding: each output row alone, skipping it.
    for (size_t k = 0; k < a.rows; ++k) {
      DepthwiseRow one = a;
      for (size_t i = 0; i < 3; ++i) one.x[i] = a.x[k * a.row_step + i];
      one.y = a.y + k * a.y_stride;
      one.rows = 1;
      row(one);
    }
    return;
  }
  if (a.stride == 1) {
    strided<1>(a);
  } else {
    strided<2>(a);
  }
}

inline float widen(float x) { return x; }
inline float widen(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// Padded positions [q, q_end) of a row one at a time: the odd first one and the tail.
template <typename T>
inline void split_scalar(const T* src, float* dst, size_t pl, size_t half, size_t q, size_t q_end) {
  for (; q < q_end; ++q) dst[(q % 2 != 0 ? half : 0) + q / 2] = widen(src[q - pl]);
}

// LD2 de-interleaves as it loads, so even and odd elements come out in separate
// registers: no permute at all. From the first even position of the row on, 16 then 8
// positions per step; SHLL #16 widens bf16 exactly.
void split_f32(const float* src, size_t rows, size_t w, float* dst, size_t len, size_t pl, size_t half) {
  const size_t end = pl + w, start = pl + pl % 2;
  for (size_t r = 0; r < rows; ++r, src += w, dst += len) {
    split_scalar(src, dst, pl, half, pl, start < end ? start : end);
    size_t q = start;
    for (; q + 16 <= end; q += 16) {
      const float32x4x2_t a = vld2q_f32(src + (q - pl)), b = vld2q_f32(src + (q - pl) + 8);
      vst1q_f32(dst + q / 2, a.val[0]);
      vst1q_f32(dst + q / 2 + 4, b.val[0]);
      vst1q_f32(dst + half + q / 2, a.val[1]);
      vst1q_f32(dst + half + q / 2 + 4, b.val[1]);
    }
    if (q + 8 <= end) {
      const float32x4x2_t a = vld2q_f32(src + (q - pl));
      vst1q_f32(dst + q / 2, a.val[0]);
      vst1q_f32(dst + half + q / 2, a.val[1]);
      q += 8;
    }
    if (q < end) split_scalar(src, dst, pl, half, q, end);
  }
}

void split_bf16(const uint16_t* src, size_t rows, size_t w, float* dst, size_t len, size_t pl, size_t half) {
  const size_t end = pl + w, start = pl + pl % 2;
  for (size_t r = 0; r < rows; ++r, src += w, dst += len) {
    split_scalar(src, dst, pl, half, pl, start < end ? start : end);
    size_t q = start;
    for (; q + 16 <= end; q += 16) {
      const uint16x8x2_t v = vld2q_u16(src + (q - pl));
      vst1q_f32(dst + q / 2, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(v.val[0]), 16)));
      vst1q_f32(dst + q / 2 + 4, vreinterpretq_f32_u32(vshll_high_n_u16(v.val[0], 16)));
      vst1q_f32(dst + half + q / 2, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(v.val[1]), 16)));
      vst1q_f32(dst + half + q / 2 + 4, vreinterpretq_f32_u32(vshll_high_n_u16(v.val[1], 16)));
    }
    if (q + 8 <= end) {
      const uint16x4x2_t v = vld2_u16(src + (q - pl));
      vst1q_f32(dst + q / 2, vreinterpretq_f32_u32(vshll_n_u16(v.val[0], 16)));
      vst1q_f32(dst + half + q / 2, vreinterpretq_f32_u32(vshll_n_u16(v.val[1], 16)));
      q += 8;
    }
    if (q < end) split_scalar(src, dst, pl, half, q, end);
  }
}

}  // namespace

DepthwiseRowKernel depthwise_row_neon() { return row; }
DepthwiseSplit depthwise_split_neon() { return {split_f32, split_bf16}; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
DepthwiseRowKernel depthwise_row_neon() { return nullptr; }
DepthwiseSplit depthwise_split_neon() { return {nullptr, nullptr}; }
}  // namespace conv
}  // namespace armbench

#endif
