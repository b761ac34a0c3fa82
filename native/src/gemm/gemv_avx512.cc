// The direct GEMV loops (gemv.h) with AVX-512F, fp32 and bf16 (bf16 widened to fp32
// by a shift, so products are exact and only the sums round). Built with -mavx512f and
// chosen at run time when the CPU has it.
//
// dot: one row at a time (one sequential stream: measured on Zen 4, cold 7680x2560,
// ~10.4 GFLOP/s against ~8.8 for four rows at a time; software prefetch 128-512
// elements ahead was no better), two 16-lane accumulators (p blocks of 32: lanes 0-15
// into the first, 16-31 into the second; a remaining 16 into the first, the last < 16
// masked into the second), then one fixed reduction. axpy: four rows of r per pass over y (y stays in L1, the four
// rows stream), each lane one FMA chain over p in order.
#include "gemv.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>

namespace armbench {
namespace gemm {
namespace {

inline __m512 load_f32(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 load_f32(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
inline __m512 load_f32(const uint16_t* p) {
  const __m512i w = _mm512_maskz_cvtepu16_epi32(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xFFFF, w, 16));
}
inline __m512 load_f32(const uint16_t* p, __mmask16 m) {
  uint16_t buf[16] = {0};
  for (unsigned i = 0; i < 16; ++i) {
    if (m & (1u << i)) buf[i] = p[i];
  }
  return load_f32(buf);
}

inline float scalar_f32(float v) { return v; }
inline float scalar_f32(uint16_t v) {
  return _mm_cvtss_f32(_mm_castsi128_ps(_mm_cvtsi32_si128(static_cast<int>(v) << 16)));
}

// A fixed pairwise tree over the 16 lanes.
inline float hsum(__m512 v) {
  alignas(64) float t[16];
  _mm512_store_ps(t, v);
  for (unsigned w = 8; w != 0; w /= 2) {
    for (unsigned i = 0; i < w; ++i) t[i] += t[i + w];
  }
  return t[0];
}

inline __mmask16 tail_mask(size_t n) { return static_cast<__mmask16>((1u << n) - 1); }

template <typename T>
void dot_t(size_t rows, size_t k, const void* rp, size_t ld, const void* xp, float* y) {
  const T* r = static_cast<const T*>(rp);
  const T* x = static_cast<const T*>(xp);
  const size_t k32 = k / 32 * 32;
  const size_t rem = k - k32;
  const bool has16 = rem >= 16;
  const size_t last = has16 ? rem - 16 : rem;
  const __mmask16 lm = tail_mask(last);
  for (size_t i = 0; i < rows; ++i) {
    const T* r0 = r + i * ld;
    __m512 a0 = _mm512_setzero_ps(), b0 = a0;
    for (size_t p = 0; p < k32; p += 32) {
      a0 = _mm512_fmadd_ps(load_f32(r0 + p), load_f32(x + p), a0);
      b0 = _mm512_fmadd_ps(load_f32(r0 + p + 16), load_f32(x + p + 16), b0);
    }
    size_t p = k32;
    if (has16) {
      a0 = _mm512_fmadd_ps(load_f32(r0 + p), load_f32(x + p), a0);
      p += 16;
    }
    if (last != 0) b0 = _mm512_fmadd_ps(load_f32(r0 + p, lm), load_f32(x + p, lm), b0);
    y[i] = hsum(_mm512_add_ps(a0, b0));
  }
}

template <typename T>
void axpy_t(size_t cols, size_t k, const void* rp, size_t ld, const void* xp, float* y) {
  const T* r = static_cast<const T*>(rp);
  const T* x = static_cast<const T*>(xp);
  const size_t c16 = cols / 16 * 16;
  const __mmask16 lm = tail_mask(cols - c16);
  for (size_t j = 0; j < cols; ++j) y[j] = 0.0f;
  size_t p = 0;
  for (; p + 4 <= k; p += 4) {
    const __m512 x0 = _mm512_set1_ps(scalar_f32(x[p])), x1 = _mm512_set1_ps(scalar_f32(x[p + 1]));
    const __m512 x2 = _mm512_set1_ps(scalar_f32(x[p + 2])), x3 = _mm512_set1_ps(scalar_f32(x[p + 3]));
    const T* r0 = r + p * ld;
    const T* r1 = r0 + ld;
    const T* r2 = r1 + ld;
    const T* r3 = r2 + ld;
    size_t j = 0;
    for (; j < c16; j += 16) {
      __m512 acc = _mm512_loadu_ps(y + j);
      acc = _mm512_fmadd_ps(x0, load_f32(r0 + j), acc);
      acc = _mm512_fmadd_ps(x1, load_f32(r1 + j), acc);
      acc = _mm512_fmadd_ps(x2, load_f32(r2 + j), acc);
      acc = _mm512_fmadd_ps(x3, load_f32(r3 + j), acc);
      _mm512_storeu_ps(y + j, acc);
    }
    if (j < cols) {
      __m512 acc = _mm512_maskz_loadu_ps(lm, y + j);
      acc = _mm512_fmadd_ps(x0, load_f32(r0 + j, lm), acc);
      acc = _mm512_fmadd_ps(x1, load_f32(r1 + j, lm), acc);
      acc = _mm512_fmadd_ps(x2, load_f32(r2 + j, lm), acc);
      acc = _mm512_fmadd_ps(x3, load_f32(r3 + j, lm), acc);
      _mm512_mask_storeu_ps(y + j, lm, acc);
    }
  }
  for (; p < k; ++p) {
    const __m512 x0 = _mm512_set1_ps(scalar_f32(x[p]));
    const T* r0 = r + p * ld;
    size_t j = 0;
    for (; j < c16; j += 16) _mm512_storeu_ps(y + j, _mm512_fmadd_ps(x0, load_f32(r0 + j), _mm512_loadu_ps(y + j)));
    if (j < cols) {
      _mm512_mask_storeu_ps(y + j, lm, _mm512_fmadd_ps(x0, load_f32(r0 + j, lm), _mm512_maskz_loadu_ps(lm, y + j)));
    }
  }
}

const GemvOps kF32 = {dot_t<float>, axpy_t<float>};
const GemvOps kBf16 = {dot_t<uint16_t>, axpy_t<uint16_t>};

}  // namespace

const GemvOps* gemv_f32_avx512() { return &kF32; }
const GemvOps* gemv_bf16_avx512() { return &kBf16; }

}  // namespace gemm
}  // namespace armbench

#else

namespace armbench {
namespace gemm {
const GemvOps* gemv_f32_avx512() { return nullptr; }
const GemvOps* gemv_bf16_avx512() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
