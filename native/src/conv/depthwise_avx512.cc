// Depthwise 3x3 row kernel, AVX-512F: up to 4 zmm accumulators of 16 output columns for
// each of the call's up to 4 output rows take all 9 taps before one store (the portable
// path read-modify-writes y once per tap). Ragged ends use masked loads and stores, so
// rows of any length stay in vectors. Stride 2 reads the rows the caller de-interleaved
// (split_f32, split_bf16 below make them): each tap is one contiguous load, as at
// stride 1. Built with -mavx512f -mavx512bw, run only when the CPU has both.
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

// Columns [c, c + m) of the call's R output rows, (V - 1) * 16 < m <= V * 16: R x V
// accumulators, so R x V independent chains of 9 FMAs hide the FMA latency (one row's
// V chains alone left the pipes mostly idle at MobileNet's 7- to 28-column rows). Only
// the last vector is masked, with its mask made once (a mask per load costs more than
// the load). Each output's taps in the contract's order, a row in the padding (nullptr)
// skipped by the outputs that read it, so a plane's first and last calls keep all R rows'
// chains too.
template <int S, int R, int V>
void block(const DepthwiseRow& a, size_t c, size_t m) {
  const __mmask16 last = mask16(m - (V - 1) * kLanes);
  __m512 acc[R][V];
#pragma GCC unroll 4
  for (int k = 0; k < R; ++k) {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[k][v] = _mm512_setzero_ps();
  }
  for (int i = 0; i < 3; ++i) {
    const float* xr[R];
#pragma GCC unroll 4
    for (int k = 0; k < R; ++k) xr[k] = a.x[k * a.row_step + i];
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) {
      const __m512 wv = _mm512_set1_ps(a.w[i * 3 + j]);
#pragma GCC unroll 4
      for (int k = 0; k < R; ++k) {
        if (xr[k] == nullptr) continue;
        const float* q = tap<S>(xr[k] + c, a.half, j);
#pragma GCC unroll 4
        for (int v = 0; v < V - 1; ++v) acc[k][v] = _mm512_fmadd_ps(_mm512_loadu_ps(q + v * kLanes), wv, acc[k][v]);
        acc[k][V - 1] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(last, q + (V - 1) * kLanes), wv, acc[k][V - 1]);
      }
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < R; ++k) {
    float* yk = a.y + k * a.y_stride + c;
#pragma GCC unroll 4
    for (int v = 0; v < V - 1; ++v) _mm512_storeu_ps(yk + v * kLanes, acc[k][v]);
    _mm512_mask_storeu_ps(yk + (V - 1) * kLanes, last, acc[k][V - 1]);
  }
}

template <int S, int R>
void run(const DepthwiseRow& a) {
  size_t c = 0;
  for (; a.n - c >= kMaxV * kLanes; c += kMaxV * kLanes) block<S, R, kMaxV>(a, c, kMaxV * kLanes);
  const size_t m = a.n - c;
  switch ((m + kLanes - 1) / kLanes) {
    case 1: block<S, R, 1>(a, c, m); break;
    case 2: block<S, R, 2>(a, c, m); break;
    case 3: block<S, R, 3>(a, c, m); break;
    case 4: block<S, R, 4>(a, c, m); break;
    default: break;
  }
}

template <int S>
void rows(const DepthwiseRow& a) {
  switch (a.rows) {
    case 4: run<S, 4>(a); break;
    case 3: run<S, 3>(a); break;
    case 2: run<S, 2>(a); break;
    default: run<S, 1>(a); break;
  }
}

void row(const DepthwiseRow& a) {
  if (a.stride == 1) {
    rows<1>(a);
  } else {
    rows<2>(a);
  }
}

__mmask32 mask32(size_t m) { return m >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << m) - 1); }

// A row runs in chunks of 32 of its elements from its first: a chunk's even elements are
// 16 consecutive outputs of one half of the copy and its odd ones 16 of the other (which
// half takes which depends only on pad_left's parity), so nothing is moved across lanes
// for pad_left and only the last chunk is masked. Chunks counted from the padded row's
// start instead put the first element of an odd pad_left one lane up, a masked first
// chunk and a permute in every row.
struct Halves {
  size_t even, odd;  // where element 0 and element 1 go; element e + 2 goes one further
};

Halves halves(size_t pl, size_t half) {
  if (pl % 2 == 0) return {pl / 2, half + pl / 2};
  return {half + pl / 2, pl / 2 + 1};
}

// fp32: the two-source permute picks the even and the odd lanes of 32.
void split_f32(const float* src, size_t rows, size_t w, float* dst, size_t len, size_t pl, size_t half) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const Halves h = halves(pl, half);
  const size_t full = w / 32, rem = w % 32;
  const __mmask16 lo = mask16(rem), hi = mask16(rem > 16 ? rem - 16 : 0);
  const __mmask16 se = mask16((rem + 1) / 2), so = mask16(rem / 2);
  for (size_t r = 0; r < rows; ++r, src += w, dst += len) {
    const float* p = src;
    float* de = dst + h.even;
    float* dof = dst + h.odd;
    for (size_t j = 0; j < full; ++j, p += 32, de += 16, dof += 16) {
      const __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16);
      _mm512_storeu_ps(de, _mm512_permutex2var_ps(a, even, b));
      _mm512_storeu_ps(dof, _mm512_permutex2var_ps(a, odd, b));
    }
    if (rem != 0) {
      const __m512 a = _mm512_maskz_loadu_ps(lo, p);
      // No second load where the row ends in the first vector: p + 16 could lie past the
      // input.
      const __m512 b = rem > 16 ? _mm512_maskz_loadu_ps(hi, p + 16) : _mm512_setzero_ps();
      _mm512_mask_storeu_ps(de, se, _mm512_permutex2var_ps(a, even, b));
      _mm512_mask_storeu_ps(dof, so, _mm512_permutex2var_ps(a, odd, b));
    }
  }
}

// bf16: 32 words are 16 dwords, each an even element in its low half and the next odd
// one in its high half, so the widened even elements are the dwords shifted left 16 and
// the odd ones the dwords with the low half cleared: no permute (Bf16Kernels::to_f32
// widens a contiguous run, which this is not).
void split_bf16(const uint16_t* src, size_t rows, size_t w, float* dst, size_t len, size_t pl, size_t half) {
  const __m512i high = _mm512_set1_epi32(static_cast<int>(0xffff0000u));
  const Halves h = halves(pl, half);
  const size_t full = w / 32, rem = w % 32;
  const __mmask32 m = mask32(rem);
  const __mmask16 se = mask16((rem + 1) / 2), so = mask16(rem / 2);
  for (size_t r = 0; r < rows; ++r, src += w, dst += len) {
    const uint16_t* p = src;
    float* de = dst + h.even;
    float* dof = dst + h.odd;
    for (size_t j = 0; j < full; ++j, p += 32, de += 16, dof += 16) {
      const __m512i v = _mm512_loadu_si512(p);
      _mm512_storeu_ps(de, _mm512_castsi512_ps(_mm512_slli_epi32(v, 16)));
      _mm512_storeu_ps(dof, _mm512_castsi512_ps(_mm512_and_si512(v, high)));
    }
    if (rem != 0) {
      const __m512i v = _mm512_maskz_loadu_epi16(m, p);
      _mm512_mask_storeu_ps(de, se, _mm512_castsi512_ps(_mm512_slli_epi32(v, 16)));
      _mm512_mask_storeu_ps(dof, so, _mm512_castsi512_ps(_mm512_and_si512(v, high)));
    }
  }
}

}  // namespace

DepthwiseRowKernel depthwise_row_avx512() { return row; }
DepthwiseSplit depthwise_split_avx512() { return {split_f32, split_bf16}; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
DepthwiseRowKernel depthwise_row_avx512() { return nullptr; }
DepthwiseSplit depthwise_split_avx512() { return {nullptr, nullptr}; }
}  // namespace conv
}  // namespace armbench

#endif
