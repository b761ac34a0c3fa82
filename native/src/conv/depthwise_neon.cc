// Depthwise 3x3 row kernel, NEON (-march=armv8-a): 4 output rows x 4 vectors of 4
// columns (16 q accumulators, 16 independent chains: the FMLA latency times the pipes of
// the 4-pipe cores) take all 9 taps before one store. Each input row's 3 tap vectors per
// column vector are loaded once and feed every output row that reads that row (up to 3 at
// vertical stride 1), so a tap costs half a load (two thirds at stride 2) instead of one,
// and no pipe-bound permute: stride 2 reads rows the caller de-interleaved. Fewer rows or
// vectors, and the last n % 4 columns one at a time, keep the same taps in the same order.
#include "depthwise.h"

#include "../runtime/mca_region.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <math.h>

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
  size_t c = 0;
  if (R == kMaxRows && S == RS) {
    ARMBENCH_MCA_BEGIN("depthwise.row_f32.s%c0" :: "i"(S));
  }
  for (; a.n - c >= kMaxV * kLanes; c += kMaxV * kLanes) {
    block<S, RS, R, kMaxV>(p, a.half, w, y);
#pragma GCC unroll 12
    for (int r = 0; r < kIn; ++r) p[r] = p[r] != nullptr ? p[r] + kMaxV * kLanes : nullptr;
#pragma GCC unroll 4
    for (int k = 0; k < R; ++k) y[k] += kMaxV * kLanes;
  }
  if (R == kMaxRows && S == RS) {
    ARMBENCH_MCA_END();
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

}  // namespace

DepthwiseRowKernel depthwise_row_neon() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
DepthwiseRowKernel depthwise_row_neon() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
