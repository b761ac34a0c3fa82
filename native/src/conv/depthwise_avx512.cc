// Depthwise 3x3 row kernel, AVX-512F + BW: up to 4 zmm accumulators of 16 output
// columns each take all 9 taps before one store (the portable path read-modify-writes y
// once per tap). Ragged ends use masked loads and stores, so rows of any length stay in
// vectors. Stride 2 loads 32 consecutive inputs per vector: fp32 keeps the even ones by
// a two-source permute, bf16 by shifting each 32-bit lane left 16 (the even element is
// its low half). BW for the 16-bit masked load. Built with -mavx512f -mavx512bw, run
// only when the CPU has both.
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
__mmask32 mask32(size_t m) { return m >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << m) - 1); }

// The load and store masks of a vector of m <= 16 columns, made once per block.
struct Masks {
  __mmask16 y;       // the m columns
  __mmask16 lo, hi;  // fp32 stride S: the S * m inputs, in two vectors at stride 2
  __mmask32 h;       // bf16 stride S: the S * m inputs
};

template <int S>
Masks masks(size_t m) {
  return {mask16(m), mask16(S * m), mask16(S * m > 16 ? S * m - 16 : 0), mask32(S * m)};
}

// One tap's inputs for the columns of k at p: column t reads p[t * S]; zero past them.
template <int S>
__m512 load(const float* p, const Masks& k) {
  if (S == 1) return _mm512_maskz_loadu_ps(k.lo, p);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(k.lo, p), even, _mm512_maskz_loadu_ps(k.hi, p + 16));
}

template <int S>
__m512 load(const uint16_t* p, const Masks& k) {
  if (S == 1) {
    const __m256i h = _mm512_castsi512_si256(_mm512_maskz_loadu_epi16(k.h, p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_maskz_loadu_epi16(k.h, p), 16));
}

// Columns [c, c + m), (V - 1) * 16 < m <= V * 16: only the last vector is masked, with
// its masks made once (a mask per load costs more than the load).
template <typename T, int S, int V>
void block(const DepthwiseRow& a, size_t c, size_t m) {
  const Masks full = masks<S>(kLanes), last = masks<S>(m - (V - 1) * kLanes);
  __m512 acc[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) acc[v] = _mm512_setzero_ps();
  for (int i = 0; i < 3; ++i) {
    if (a.x[i] == nullptr) continue;
    const T* xr = static_cast<const T*>(a.x[i]) + c * S;
    for (int j = 0; j < 3; ++j) {
      const __m512 wv = _mm512_set1_ps(a.w[i * 3 + j]);
#pragma GCC unroll 4
      for (int v = 0; v < V - 1; ++v) acc[v] = _mm512_fmadd_ps(load<S>(xr + v * kLanes * S + j, full), wv, acc[v]);
      acc[V - 1] = _mm512_fmadd_ps(load<S>(xr + (V - 1) * kLanes * S + j, last), wv, acc[V - 1]);
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < V - 1; ++v) _mm512_storeu_ps(a.y + c + v * kLanes, acc[v]);
  _mm512_mask_storeu_ps(a.y + c + (V - 1) * kLanes, last.y, acc[V - 1]);
}

template <typename T, int S>
void run(const DepthwiseRow& a) {
  size_t c = 0;
  for (; a.n - c >= kMaxV * kLanes; c += kMaxV * kLanes) block<T, S, kMaxV>(a, c, kMaxV * kLanes);
  const size_t m = a.n - c;
  switch ((m + kLanes - 1) / kLanes) {
    case 1: block<T, S, 1>(a, c, m); break;
    case 2: block<T, S, 2>(a, c, m); break;
    case 3: block<T, S, 3>(a, c, m); break;
    case 4: block<T, S, 4>(a, c, m); break;
    default: break;
  }
}

template <typename T>
void row(const DepthwiseRow& a) {
  if (a.stride == 1) {
    run<T, 1>(a);
  } else {
    run<T, 2>(a);
  }
}

}  // namespace

DepthwiseRowKernel depthwise_row_avx512() { return row<float>; }
DepthwiseRowKernel depthwise_row_bf16_avx512() { return row<uint16_t>; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
DepthwiseRowKernel depthwise_row_avx512() { return nullptr; }
DepthwiseRowKernel depthwise_row_bf16_avx512() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
