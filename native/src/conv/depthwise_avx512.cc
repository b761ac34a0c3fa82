// Depthwise 3x3 row kernel, AVX-512F: up to 4 zmm accumulators of 16 output columns
// each take all 9 taps before one store (the portable path read-modify-writes y once per
// tap), one output row at a time (of the rows a call gives). Ragged ends use masked
// loads and stores, so rows of any length stay in vectors. Stride 2 reads the rows the
// caller de-interleaved: each tap is one contiguous load, as at stride 1. Built with
// -mavx512f -mavx512bw, run only when the CPU has both.
#include "depthwise.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>

// GCC 12's AVX-512 headers pass _mm512_undefined_*() as the merge source of unmasked
// operations, which -Wmaybe-uninitialized reports once inlined; nothing is read from it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace armbench {
namespace conv {
namespace {

constexpr size_t kLanes = 16;
constexpr int kMaxV = 4;

__mmask16 mask16(size_t m) { return m >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << m) - 1); }

// Where tap j of the column at p reads (p: the row at that column's index).
template <int S>
inline const float* tap(const float* p, size_t half, int j) {
  if (S == 1) return p + j;
  return j == 1 ? p + half : p + j / 2;
}

// Columns [c, c + m) of output row k, (V - 1) * 16 < m <= V * 16: only the last vector
// is masked, with its mask made once (a mask per load costs more than the load).
template <int S, int V>
void block(const DepthwiseRow& a, size_t k, size_t c, size_t m) {
  const __mmask16 last = mask16(m - (V - 1) * kLanes);
  __m512 acc[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) acc[v] = _mm512_setzero_ps();
  for (int i = 0; i < 3; ++i) {
    const float* xr = a.x[k * a.row_step + i];
    if (xr == nullptr) continue;
    for (int j = 0; j < 3; ++j) {
      const __m512 wv = _mm512_set1_ps(a.w[i * 3 + j]);
      const float* q = tap<S>(xr + c, a.half, j);
#pragma GCC unroll 4
      for (int v = 0; v < V - 1; ++v) acc[v] = _mm512_fmadd_ps(_mm512_loadu_ps(q + v * kLanes), wv, acc[v]);
      acc[V - 1] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(last, q + (V - 1) * kLanes), wv, acc[V - 1]);
    }
  }
  float* y = a.y + k * a.y_stride + c;
#pragma GCC unroll 4
  for (int v = 0; v < V - 1; ++v) _mm512_storeu_ps(y + v * kLanes, acc[v]);
  _mm512_mask_storeu_ps(y + (V - 1) * kLanes, last, acc[V - 1]);
}

template <int S>
void run(const DepthwiseRow& a) {
  for (size_t k = 0; k < a.rows; ++k) {
    size_t c = 0;
    for (; a.n - c >= kMaxV * kLanes; c += kMaxV * kLanes) block<S, kMaxV>(a, k, c, kMaxV * kLanes);
    const size_t m = a.n - c;
    switch ((m + kLanes - 1) / kLanes) {
      case 1: block<S, 1>(a, k, c, m); break;
      case 2: block<S, 2>(a, k, c, m); break;
      case 3: block<S, 3>(a, k, c, m); break;
      case 4: block<S, 4>(a, k, c, m); break;
      default: break;
    }
  }
}

void row(const DepthwiseRow& a) {
  if (a.stride == 1) {
    run<1>(a);
  } else {
    run<2>(a);
  }
}

}  // namespace

DepthwiseRowKernel depthwise_row_avx512() { return row; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
DepthwiseRowKernel depthwise_row_avx512() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
