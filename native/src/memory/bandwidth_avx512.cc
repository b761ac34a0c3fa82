// Bandwidth kernels with 512-bit AVX-512F loads and stores (-mavx512f). Tails use
// masked loads and stores; non-temporal stores need 64-byte alignment, so those
// kernels store a masked head first (the benchmark's arrays never need one).
#if defined(__x86_64__)

#include <immintrin.h>
#include <stdint.h>

#include "bandwidth_internal.h"

namespace armbench {
namespace memory {
namespace {

constexpr size_t kW = 16;  // floats per vector

__mmask16 tail_mask(size_t left) { return left >= kW ? 0xffff : static_cast<__mmask16>((1u << left) - 1); }

// Eight accumulators cover FP add latency (3-4 cycles) times two loads per cycle.
double read_avx512(const float* a, size_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  size_t i = 0;
  for (; i + 8 * kW <= n; i += 8 * kW) {
    s0 = _mm512_add_ps(s0, _mm512_loadu_ps(a + i));
    s1 = _mm512_add_ps(s1, _mm512_loadu_ps(a + i + kW));
    s2 = _mm512_add_ps(s2, _mm512_loadu_ps(a + i + 2 * kW));
    s3 = _mm512_add_ps(s3, _mm512_loadu_ps(a + i + 3 * kW));
    s4 = _mm512_add_ps(s4, _mm512_loadu_ps(a + i + 4 * kW));
    s5 = _mm512_add_ps(s5, _mm512_loadu_ps(a + i + 5 * kW));
    s6 = _mm512_add_ps(s6, _mm512_loadu_ps(a + i + 6 * kW));
    s7 = _mm512_add_ps(s7, _mm512_loadu_ps(a + i + 7 * kW));
  }
  for (; i < n; i += kW) s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(tail_mask(n - i), a + i));
  s0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)),
                     _mm512_add_ps(_mm512_add_ps(s4, s5), _mm512_add_ps(s6, s7)));
  alignas(64) float lanes[kW];
  _mm512_store_ps(lanes, s0);
  double sum = 0;
  for (size_t j = 0; j < kW; ++j) sum += lanes[j];
  return sum;
}

void write_avx512(float* a, size_t n, float v) {
  const __m512 x = _mm512_set1_ps(v);
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    _mm512_storeu_ps(a + i, x);
    _mm512_storeu_ps(a + i + kW, x);
    _mm512_storeu_ps(a + i + 2 * kW, x);
    _mm512_storeu_ps(a + i + 3 * kW, x);
  }
  for (; i < n; i += kW) _mm512_mask_storeu_ps(a + i, tail_mask(n - i), x);
}

void copy_avx512(float* dst, const float* src, size_t n) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m512 x0 = _mm512_loadu_ps(src + i), x1 = _mm512_loadu_ps(src + i + kW);
    const __m512 x2 = _mm512_loadu_ps(src + i + 2 * kW), x3 = _mm512_loadu_ps(src + i + 3 * kW);
    _mm512_storeu_ps(dst + i, x0);
    _mm512_storeu_ps(dst + i + kW, x1);
    _mm512_storeu_ps(dst + i + 2 * kW, x2);
    _mm512_storeu_ps(dst + i + 3 * kW, x3);
  }
  for (; i < n; i += kW) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(m, src + i));
  }
}

__m512 triad16(const float* b, const float* c, __m512 s) {
  return _mm512_add_ps(_mm512_loadu_ps(b), _mm512_mul_ps(s, _mm512_loadu_ps(c)));
}

__m512 triad16_masked(const float* b, const float* c, __m512 s, __mmask16 m) {
  return _mm512_add_ps(_mm512_maskz_loadu_ps(m, b), _mm512_mul_ps(s, _mm512_maskz_loadu_ps(m, c)));
}

void triad_avx512(float* a, const float* b, const float* c, float s, size_t n) {
  const __m512 k = _mm512_set1_ps(s);
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    _mm512_storeu_ps(a + i, triad16(b + i, c + i, k));
    _mm512_storeu_ps(a + i + kW, triad16(b + i + kW, c + i + kW, k));
  }
  for (; i < n; i += kW) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(a + i, m, triad16_masked(b + i, c + i, k, m));
  }
}

// Elements before dst reaches a 64-byte boundary.
size_t head(const float* dst, size_t n) {
  const size_t mis = (reinterpret_cast<uintptr_t>(dst) & 63) / sizeof(float);
  const size_t h = mis == 0 ? 0 : kW - mis;
  return h < n ? h : n;
}

// Each NT kernel ends with sfence: streaming stores are weakly ordered, and the
// caller's barrier must see them done.
void write_nt_avx512(float* a, size_t n, float v) {
  const __m512 x = _mm512_set1_ps(v);
  size_t i = head(a, n);
  _mm512_mask_storeu_ps(a, tail_mask(i), x);
  for (; i + 4 * kW <= n; i += 4 * kW) {
    _mm512_stream_ps(a + i, x);
    _mm512_stream_ps(a + i + kW, x);
    _mm512_stream_ps(a + i + 2 * kW, x);
    _mm512_stream_ps(a + i + 3 * kW, x);
  }
  for (; i < n; i += kW) _mm512_mask_storeu_ps(a + i, tail_mask(n - i), x);
  _mm_sfence();
}

void copy_nt_avx512(float* dst, const float* src, size_t n) {
  size_t i = head(dst, n);
  _mm512_mask_storeu_ps(dst, tail_mask(i), _mm512_maskz_loadu_ps(tail_mask(i), src));
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m512 x0 = _mm512_loadu_ps(src + i), x1 = _mm512_loadu_ps(src + i + kW);
    const __m512 x2 = _mm512_loadu_ps(src + i + 2 * kW), x3 = _mm512_loadu_ps(src + i + 3 * kW);
    _mm512_stream_ps(dst + i, x0);
    _mm512_stream_ps(dst + i + kW, x1);
    _mm512_stream_ps(dst + i + 2 * kW, x2);
    _mm512_stream_ps(dst + i + 3 * kW, x3);
  }
  for (; i < n; i += kW) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(m, src + i));
  }
  _mm_sfence();
}

void triad_nt_avx512(float* a, const float* b, const float* c, float s, size_t n) {
  const __m512 k = _mm512_set1_ps(s);
  size_t i = head(a, n);
  _mm512_mask_storeu_ps(a, tail_mask(i), triad16_masked(b, c, k, tail_mask(i)));
  for (; i + 2 * kW <= n; i += 2 * kW) {
    _mm512_stream_ps(a + i, triad16(b + i, c + i, k));
    _mm512_stream_ps(a + i + kW, triad16(b + i + kW, c + i + kW, k));
  }
  for (; i < n; i += kW) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(a + i, m, triad16_masked(b + i, c + i, k, m));
  }
  _mm_sfence();
}

}  // namespace

extern const BwKernels kBwAvx512 = {
    "avx512",        ARMBENCH_FEATURE_AVX512F, read_avx512,    write_avx512, copy_avx512, triad_avx512,
    write_nt_avx512, copy_nt_avx512,           triad_nt_avx512,
};

}  // namespace memory
}  // namespace armbench

#endif  // __x86_64__
