// bf16 microkernel with AVX512_BF16 (-mavx512f -mavx512bf16): VDPBF16PS, 12x32.
//
// Per k pair (kr = 2) the B panel holds 32 column pairs = two zmm; each of the 12 A
// row pairs is broadcast as one 32-bit element and multiplied into both B vectors:
// 24 zmm accumulators (rows x two halves of 32 columns), 2 B, 1 broadcast = 27 of 32
// registers. 24 independent accumulators cover VDPBF16PS latency times throughput
// (Zen 4: 6 cycles x 1 per cycle; 24 would also cover two pipes of 6 cycles), and
// each step costs 14 loads (2 zmm + 12 broadcasts) for 24 VDPBF16PS, under two
// loads per cycle. On Zen 4 (one core, panels in L1) it runs at 98% of the
// measured VDPBF16PS peak at kc = 256 (230 of 234 GFLOP/s), 92% at kc = 64; 14x32
// (28 accumulators) was within 1% of it, not worth the larger ragged M edges.
//
// VDPBF16PS rounds to nearest-even (at most once per product added) and treats
// denormal inputs and outputs as zero (DAZ/FTZ), whatever MXCSR says.
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 12;
constexpr int kNr = 32;

inline __m512 dot(__m512 acc, __m512i a, __m512i b) {
  return _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)b);
}

inline __m512i broadcast_pair(const uint16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return _mm512_set1_epi32(v);
}

// c = alpha * acc (+ beta * c): beta == 0 never reads c (it may hold NaN).
inline void store_row(float* c, __m512 lo, __m512 hi, __m512 alpha, __m512 beta, bool read_c) {
  lo = _mm512_mul_ps(lo, alpha);
  hi = _mm512_mul_ps(hi, alpha);
  if (read_c) {
    lo = _mm512_fmadd_ps(beta, _mm512_loadu_ps(c), lo);
    hi = _mm512_fmadd_ps(beta, _mm512_loadu_ps(c + 16), hi);
  }
  _mm512_storeu_ps(c, lo);
  _mm512_storeu_ps(c + 16, hi);
}

void run(size_t kc, const void* a_panel, const void* b_panel, float* c, size_t ldc, float alpha, float beta) {
  const uint16_t* a = static_cast<const uint16_t*>(a_panel);
  const uint16_t* b = static_cast<const uint16_t*>(b_panel);

  // Written out rather than as arrays, so no compiler is tempted to spill them.
  __m512 c0l = _mm512_setzero_ps(), c0h = c0l, c1l = c0l, c1h = c0l, c2l = c0l, c2h = c0l;
  __m512 c3l = c0l, c3h = c0l, c4l = c0l, c4h = c0l, c5l = c0l, c5h = c0l;
  __m512 c6l = c0l, c6h = c0l, c7l = c0l, c7h = c0l, c8l = c0l, c8h = c0l;
  __m512 c9l = c0l, c9h = c0l, c10l = c0l, c10h = c0l, c11l = c0l, c11h = c0l;

  for (size_t q = kc / 2; q != 0; --q) {
    const __m512i b0 = _mm512_loadu_si512(b);
    const __m512i b1 = _mm512_loadu_si512(b + 32);
    __m512i x;
#define ARMBENCH_ROW(i)             \
  x = broadcast_pair(a + 2 * (i));  \
  c##i##l = dot(c##i##l, x, b0);    \
  c##i##h = dot(c##i##h, x, b1);
    ARMBENCH_ROW(0)
    ARMBENCH_ROW(1)
    ARMBENCH_ROW(2)
    ARMBENCH_ROW(3)
    ARMBENCH_ROW(4)
    ARMBENCH_ROW(5)
    ARMBENCH_ROW(6)
    ARMBENCH_ROW(7)
    ARMBENCH_ROW(8)
    ARMBENCH_ROW(9)
    ARMBENCH_ROW(10)
    ARMBENCH_ROW(11)
#undef ARMBENCH_ROW
    a += 2 * kMr;
    b += 2 * kNr;
  }

  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  const bool read_c = beta != 0.0f;
  store_row(c + 0 * ldc, c0l, c0h, va, vb, read_c);
  store_row(c + 1 * ldc, c1l, c1h, va, vb, read_c);
  store_row(c + 2 * ldc, c2l, c2h, va, vb, read_c);
  store_row(c + 3 * ldc, c3l, c3h, va, vb, read_c);
  store_row(c + 4 * ldc, c4l, c4h, va, vb, read_c);
  store_row(c + 5 * ldc, c5l, c5h, va, vb, read_c);
  store_row(c + 6 * ldc, c6l, c6h, va, vb, read_c);
  store_row(c + 7 * ldc, c7l, c7h, va, vb, read_c);
  store_row(c + 8 * ldc, c8l, c8h, va, vb, read_c);
  store_row(c + 9 * ldc, c9l, c9h, va, vb, read_c);
  store_row(c + 10 * ldc, c10l, c10h, va, vb, read_c);
  store_row(c + 11 * ldc, c11l, c11h, va, vb, read_c);
}

const UkernelInfo kInfo = {
    {"bf16_avx512bf16_12x32", "avx512_bf16", ARMBENCH_GEMM_BF16, kMr, kNr, 2},
    {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_AVX512_BF16},
    2,
    run,
    30,
};

}  // namespace

const UkernelInfo* ukernel_bf16_avx512bf16() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_bf16_avx512bf16() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
