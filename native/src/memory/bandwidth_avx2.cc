// Bandwidth kernels with 256-bit AVX2 loads and stores (-mavx2). Non-temporal
// stores need 32-byte aligned addresses, so those kernels store a scalar head up to
// the alignment; the benchmark's arrays are aligned and never run one.
#if defined(__x86_64__)

#include <immintrin.h>
#include <stdint.h>

#include "bandwidth_internal.h"

namespace armbench {
namespace memory {
namespace {

constexpr size_t kW = 8;  // floats per vector

// Eight accumulators: enough independent adds to cover FP add latency (3-4 cycles)
// times two loads per cycle, so the loop is bound by the loads.
double read_avx2(const float* a, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  size_t i = 0;
  for (; i + 8 * kW <= n; i += 8 * kW) {
    s0 = _mm256_add_ps(s0, _mm256_loadu_ps(a + i));
    s1 = _mm256_add_ps(s1, _mm256_loadu_ps(a + i + kW));
    s2 = _mm256_add_ps(s2, _mm256_loadu_ps(a + i + 2 * kW));
    s3 = _mm256_add_ps(s3, _mm256_loadu_ps(a + i + 3 * kW));
    s4 = _mm256_add_ps(s4, _mm256_loadu_ps(a + i + 4 * kW));
    s5 = _mm256_add_ps(s5, _mm256_loadu_ps(a + i + 5 * kW));
    s6 = _mm256_add_ps(s6, _mm256_loadu_ps(a + i + 6 * kW));
    s7 = _mm256_add_ps(s7, _mm256_loadu_ps(a + i + 7 * kW));
  }
  for (; i + kW <= n; i += kW) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(a + i));
  s0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                     _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7)));
  alignas(32) float lanes[kW];
  _mm256_store_ps(lanes, s0);
  double sum = 0;
  for (size_t j = 0; j < kW; ++j) sum += lanes[j];
  for (; i < n; ++i) sum += a[i];
  return sum;
}

void write_avx2(float* a, size_t n, float v) {
  const __m256 x = _mm256_set1_ps(v);
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    _mm256_storeu_ps(a + i, x);
    _mm256_storeu_ps(a + i + kW, x);
    _mm256_storeu_ps(a + i + 2 * kW, x);
    _mm256_storeu_ps(a + i + 3 * kW, x);
  }
  for (; i < n; ++i) a[i] = v;
}

void copy_avx2(float* dst, const float* src, size_t n) {
  size_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m256 x0 = _mm256_loadu_ps(src + i), x1 = _mm256_loadu_ps(src + i + kW);
    const __m256 x2 = _mm256_loadu_ps(src + i + 2 * kW), x3 = _mm256_loadu_ps(src + i + 3 * kW);
    _mm256_storeu_ps(dst + i, x0);
    _mm256_storeu_ps(dst + i + kW, x1);
    _mm256_storeu_ps(dst + i + 2 * kW, x2);
    _mm256_storeu_ps(dst + i + 3 * kW, x3);
  }
  for (; i < n; ++i) dst[i] = src[i];
}

inline __m256 triad8(const float* b, const float* c, __m256 s) {
  return _mm256_add_ps(_mm256_loadu_ps(b), _mm256_mul_ps(s, _mm256_loadu_ps(c)));
}

void triad_avx2(float* a, const float* b, const float* c, float s, size_t n) {
  const __m256 k = _mm256_set1_ps(s);
  size_t i = 0;
  for (; i + 2 * kW <= n; i += 2 * kW) {
    _mm256_storeu_ps(a + i, triad8(b + i, c + i, k));
    _mm256_storeu_ps(a + i + kW, triad8(b + i + kW, c + i + kW, k));
  }
  for (; i < n; ++i) a[i] = b[i] + s * c[i];
}

// Elements to store one by one before dst reaches a 32-byte boundary.
size_t head(const float* dst, size_t n) {
  const size_t mis = (reinterpret_cast<uintptr_t>(dst) & 31) / sizeof(float);
  const size_t h = mis == 0 ? 0 : kW - mis;
  return h < n ? h : n;
}

// Each NT kernel ends with sfence: streaming stores are weakly ordered, and the
// caller's barrier must see them done.
void write_nt_avx2(float* a, size_t n, float v) {
  size_t i = head(a, n);
  for (size_t j = 0; j < i; ++j) a[j] = v;
  const __m256 x = _mm256_set1_ps(v);
  for (; i + 4 * kW <= n; i += 4 * kW) {
    _mm256_stream_ps(a + i, x);
    _mm256_stream_ps(a + i + kW, x);
    _mm256_stream_ps(a + i + 2 * kW, x);
    _mm256_stream_ps(a + i + 3 * kW, x);
  }
  for (; i < n; ++i) a[i] = v;
  _mm_sfence();
}

void copy_nt_avx2(float* dst, const float* src, size_t n) {
  size_t i = head(dst, n);
  for (size_t j = 0; j < i; ++j) dst[j] = src[j];
  for (; i + 4 * kW <= n; i += 4 * kW) {
    const __m256 x0 = _mm256_loadu_ps(src + i), x1 = _mm256_loadu_ps(src + i + kW);
    const __m256 x2 = _mm256_loadu_ps(src + i + 2 * kW), x3 = _mm256_loadu_ps(src + i + 3 * kW);
    _mm256_stream_ps(dst + i, x0);
    _mm256_stream_ps(dst + i + kW, x1);
    _mm256_stream_ps(dst + i + 2 * kW, x2);
    _mm256_stream_ps(dst + i + 3 * kW, x3);
  }
  for (; i < n; ++i) dst[i] = src[i];
  _mm_sfence();
}

void triad_nt_avx2(float* a, const float* b, const float* c, float s, size_t n) {
  size_t i = head(a, n);
  for (size_t j = 0; j < i; ++j) a[j] = b[j] + s * c[j];
  const __m256 k = _mm256_set1_ps(s);
  for (; i + 2 * kW <= n; i += 2 * kW) {
    _mm256_stream_ps(a + i, triad8(b + i, c + i, k));
    _mm256_stream_ps(a + i + kW, triad8(b + i + kW, c + i + kW, k));
  }
  for (; i < n; ++i) a[i] = b[i] + s * c[i];
  _mm_sfence();
}

}  // namespace

extern const BwKernels kBwAvx2 = {
    "avx2",        ARMBENCH_FEATURE_AVX2, read_avx2,    write_avx2, copy_avx2, triad_avx2,
    write_nt_avx2, copy_nt_avx2,          triad_nt_avx2,
};

}  // namespace memory
}  // namespace armbench

#endif  // __x86_64__
