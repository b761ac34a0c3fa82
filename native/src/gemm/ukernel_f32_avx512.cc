// fp32 AVX-512 microkernel, 12x32: 24 zmm accumulators (12 rows x 2 vectors of B),
// k loop in inline asm (unrolled by 4), one A broadcast per row and step. Built with
// -mavx512f and run only when the CPU has it.
//
// Measured on Zen 4 (1 zmm FMA/cycle, 117 GFLOP/s peak), sgemm through the driver,
// kc 512, one thread: the same tile written with intrinsics let GCC shuffle
// registers and spill (1024^3: ~101-104 GFLOP/s); this asm loop reaches 116 GFLOP/s
// (99%) on L1/L2-resident panels and ~105 GFLOP/s (90%) in sgemm 1024^3 / 2048^3.
// Tried, no measurable gain (within +-1% noise): software prefetch of B 1024/2048
// bytes ahead and of A 384/768 bytes ahead (knobs below, off); an intrinsics 14x32
// (~99-104) and 6x64 (~105-107, on par).
//
// Shape: with one B vector pair per k step, every step is 2 loads + mr broadcasts for
// 2 * mr FMAs; 12 rows keep 24 accumulators + 2 B vectors, under the 32 registers,
// and enough independent chains (24) to cover the FMA latency on any core.
#include "gemm_ukernel.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "ukernel_12x32_avx512_loop.h"

#ifndef ARMBENCH_AVX512_PREFETCH_C
#define ARMBENCH_AVX512_PREFETCH_C 1
#endif
#ifndef ARMBENCH_AVX512_PREFETCH_B
#define ARMBENCH_AVX512_PREFETCH_B 0
#endif
#ifndef ARMBENCH_AVX512_PREFETCH_A
#define ARMBENCH_AVX512_PREFETCH_A 0
#endif

#define ARMBENCH_STR2(x) #x
#define ARMBENCH_STR(x) ARMBENCH_STR2(x)

namespace armbench {
namespace gemm {
namespace {

constexpr unsigned kMr = 12;
constexpr unsigned kNv = 2;  // zmm vectors per row of the tile
constexpr unsigned kNr = 16 * kNv;

#if ARMBENCH_AVX512_PREFETCH_B
#define ARMBENCH_PF_B "prefetcht0 " ARMBENCH_STR(ARMBENCH_AVX512_PREFETCH_B) "(%[b])\n\t" \
  "prefetcht0 " ARMBENCH_STR(ARMBENCH_AVX512_PREFETCH_B) "+64(%[b])\n\t"
#else
#define ARMBENCH_PF_B
#endif
#if ARMBENCH_AVX512_PREFETCH_A
#define ARMBENCH_PF_A "prefetcht0 " ARMBENCH_STR(ARMBENCH_AVX512_PREFETCH_A) "(%[a])\n\t"
#else
#define ARMBENCH_PF_A
#endif

void run(size_t kc, const void* ap, const void* bp, float* c, size_t ldc, float alpha, float beta) {
#if ARMBENCH_AVX512_PREFETCH_C
  for (unsigned i = 0; i < kMr; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + kNr - 1), _MM_HINT_T0);
  }
#endif
  // One k step: two B vectors, then per row one broadcast of A and two FMAs.
  __m512 r[2 * kMr];
  ARMBENCH_12X32_KLOOP("" ARMBENCH_PF_B ARMBENCH_PF_A, "vbroadcastss", "vfmadd231ps", ap, bp, kc, r);
  const __m512 acc[kMr][kNv] = {{r[0], r[1]},   {r[2], r[3]},   {r[4], r[5]},   {r[6], r[7]},
                                {r[8], r[9]},   {r[10], r[11]}, {r[12], r[13]}, {r[14], r[15]},
                                {r[16], r[17]}, {r[18], r[19]}, {r[20], r[21]}, {r[22], r[23]}};
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 32
    for (unsigned i = 0; i < kMr; ++i) {
#pragma GCC unroll 8
      for (unsigned v = 0; v < kNv; ++v) _mm512_storeu_ps(c + i * ldc + 16 * v, _mm512_mul_ps(va, acc[i][v]));
    }
  } else if (beta == 1.0f && alpha == 1.0f) {
#pragma GCC unroll 32
    for (unsigned i = 0; i < kMr; ++i) {
#pragma GCC unroll 8
      for (unsigned v = 0; v < kNv; ++v) {
        float* cp = c + i * ldc + 16 * v;
        _mm512_storeu_ps(cp, _mm512_add_ps(acc[i][v], _mm512_loadu_ps(cp)));
      }
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 32
    for (unsigned i = 0; i < kMr; ++i) {
#pragma GCC unroll 8
      for (unsigned v = 0; v < kNv; ++v) {
        float* cp = c + i * ldc + 16 * v;
        _mm512_storeu_ps(cp, _mm512_fmadd_ps(vb, _mm512_loadu_ps(cp), _mm512_mul_ps(va, acc[i][v])));
      }
    }
  }
}

// The narrow companion, 16x16: one zmm of B per k step and 16 rows, for n <= 16
// (the driver switches to it, gemm_ukernel.h), where 12x32 would spend half of its
// FMAs on padding. 16 accumulators still cover the FMA latency; 16 broadcasts and one
// load per 16 FMAs stay under the load ports. Each C element is the same FMA chain
// over k as in 12x32, and the C update uses the same expressions.
constexpr unsigned kNarrowMr = 16;
constexpr unsigned kNarrowNr = 16;

// A(i, p) at a[i * rs + p * ps]: packed (rs 1, ps 16) or read in place (the driver's
// direct A for n <= 16: A not transposed, rs lda, ps 1; transposed, rs 1, ps lda), so
// a narrow call need not pack A at all; the FMAs and their order are the same.
inline __attribute__((always_inline)) void narrow_tile(size_t kc, const float* a, size_t rs, size_t ps,
                                                        const float* b, float* c, size_t ldc, float alpha,
                                                        float beta) {
  __m512 acc[kNarrowMr];
#pragma GCC unroll 16
  for (unsigned i = 0; i < kNarrowMr; ++i) acc[i] = _mm512_setzero_ps();
  for (size_t p = 0; p < kc; ++p) {
    const __m512 bv = _mm512_loadu_ps(b);
#pragma GCC unroll 16
    for (unsigned i = 0; i < kNarrowMr; ++i) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * rs]), bv, acc[i]);
    a += ps;
    b += kNarrowNr;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (unsigned i = 0; i < kNarrowMr; ++i) _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, acc[i]));
  } else if (beta == 1.0f && alpha == 1.0f) {
#pragma GCC unroll 16
    for (unsigned i = 0; i < kNarrowMr; ++i) {
      _mm512_storeu_ps(c + i * ldc, _mm512_add_ps(acc[i], _mm512_loadu_ps(c + i * ldc)));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (unsigned i = 0; i < kNarrowMr; ++i) {
      float* cp = c + i * ldc;
      _mm512_storeu_ps(cp, _mm512_fmadd_ps(vb, _mm512_loadu_ps(cp), _mm512_mul_ps(va, acc[i])));
    }
  }
}

void run_narrow(size_t kc, const void* ap, const void* bp, float* c, size_t ldc, float alpha, float beta) {
  narrow_tile(kc, static_cast<const float*>(ap), 1, kNarrowMr, static_cast<const float*>(bp), c, ldc, alpha, beta);
}

void run_narrow_direct(size_t kc, const float* a, size_t rs, size_t ps, const void* bp, float* c, size_t ldc,
                       float alpha, float beta) {
  if (rs == 1) {
    narrow_tile(kc, a, 1, ps, static_cast<const float*>(bp), c, ldc, alpha, beta);
  } else {
    narrow_tile(kc, a, rs, 1, static_cast<const float*>(bp), c, ldc, alpha, beta);
  }
}

// 12x32 with A read in place (the driver's direct A for narrow n, gemm_ukernel.h): the
// same FMAs as the asm loop (b * broadcast a + acc, in k order) and the same C
// update, so the same bits; written with intrinsics, as A's rows need their own
// addresses.
inline __attribute__((always_inline)) void wide_tile(size_t kc, const float* a, size_t rs, size_t ps,
                                                      const float* b, float* c, size_t ldc, float alpha, float beta) {
  __m512 acc[kMr][kNv];
#pragma GCC unroll 32
  for (unsigned i = 0; i < kMr; ++i) {
    acc[i][0] = _mm512_setzero_ps();
    acc[i][1] = _mm512_setzero_ps();
  }
  for (size_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (unsigned i = 0; i < kMr; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * rs]);
      acc[i][0] = _mm512_fmadd_ps(b0, av, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(b1, av, acc[i][1]);
    }
    a += ps;
    b += kNr;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 32
    for (unsigned i = 0; i < kMr; ++i) {
#pragma GCC unroll 8
      for (unsigned v = 0; v < kNv; ++v) _mm512_storeu_ps(c + i * ldc + 16 * v, _mm512_mul_ps(va, acc[i][v]));
    }
  } else if (beta == 1.0f && alpha == 1.0f) {
#pragma GCC unroll 32
    for (unsigned i = 0; i < kMr; ++i) {
#pragma GCC unroll 8
      for (unsigned v = 0; v < kNv; ++v) {
        float* cp = c + i * ldc + 16 * v;
        _mm512_storeu_ps(cp, _mm512_add_ps(acc[i][v], _mm512_loadu_ps(cp)));
      }
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 32
    for (unsigned i = 0; i < kMr; ++i) {
#pragma GCC unroll 8
      for (unsigned v = 0; v < kNv; ++v) {
        float* cp = c + i * ldc + 16 * v;
        _mm512_storeu_ps(cp, _mm512_fmadd_ps(vb, _mm512_loadu_ps(cp), _mm512_mul_ps(va, acc[i][v])));
      }
    }
  }
}

void run_direct(size_t kc, const float* a, size_t rs, size_t ps, const void* bp, float* c, size_t ldc, float alpha,
                float beta) {
  if (rs == 1) {
    wide_tile(kc, a, 1, ps, static_cast<const float*>(bp), c, ldc, alpha, beta);
  } else {
    wide_tile(kc, a, rs, 1, static_cast<const float*>(bp), c, ldc, alpha, beta);
  }
}

const UkernelInfo kInfo = {
    {"f32_avx512_12x32", "avx512", ARMBENCH_GEMM_F32, kMr, kNr, 1},
    {ARMBENCH_FEATURE_AVX512F},
    1,
    run,
    20,
};

const UkernelInfo kNarrowInfo = {
    {"f32_avx512_16x16", "avx512", ARMBENCH_GEMM_F32, kNarrowMr, kNarrowNr, 1},
    {ARMBENCH_FEATURE_AVX512F},
    1,
    run_narrow,
    20,
};

}  // namespace

const UkernelInfo* ukernel_f32_avx512() { return &kInfo; }
const UkernelInfo* ukernel_f32_avx512_narrow() { return &kNarrowInfo; }
UkernelDirectA ukernel_f32_avx512_narrow_direct_a() { return run_narrow_direct; }
UkernelDirectA ukernel_f32_avx512_direct_a() { return run_direct; }

}  // namespace gemm
}  // namespace armbench

#else

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_f32_avx512() { return nullptr; }
const UkernelInfo* ukernel_f32_avx512_narrow() { return nullptr; }
UkernelDirectA ukernel_f32_avx512_narrow_direct_a() { return nullptr; }
UkernelDirectA ukernel_f32_avx512_direct_a() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
