// The direct path for GEMV-like calls (gemv.h): no packing, one pass over the large
// operand. Portable loops here (the fallback, and every CPU without a faster one),
// the AVX-512 loops in gemv_avx512.cc, chosen at run time.
//
// Mapping (op(A) is m x k, op(B) is k x n):
//   m == 1: outputs c[0][j]; !trans_b: axpy over the rows of B; trans_b: dot with
//           the rows of B (stored n x k). x = op(A)'s one row.
//   n == 1: outputs c[i][0]; !trans_a: dot with the rows of A; trans_a: axpy over the
//           rows of A (stored k x m). x = op(B)'s one column.
// A strided x is copied to a contiguous buffer first. Threads split the outputs (in
// multiples of 16); an output's value does not depend on the split (gemv.h), and
// c = alpha * y + beta * c (beta == 0: c not read) is one expression for all.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/pool.h"
#include "armbench/cpu_features.h"
#include "gemv.h"
#include "scratch.h"

namespace armbench {
namespace gemm {
namespace {

inline float to_f32(float v) { return v; }
inline float to_f32(uint16_t v) {
  const uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// Eight partial sums (p mod 8), then a fixed pairwise reduction.
template <typename T>
void dot_ref(size_t rows, size_t k, const void* rp, size_t ld, const void* xp, float* y) {
  const T* r = static_cast<const T*>(rp);
  const T* x = static_cast<const T*>(xp);
  for (size_t i = 0; i < rows; ++i) {
    const T* ri = r + i * ld;
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t p = 0;
    for (; p + 8 <= k; p += 8) {
      for (unsigned l = 0; l < 8; ++l) s[l] += to_f32(ri[p + l]) * to_f32(x[p + l]);
    }
    for (unsigned l = 0; p < k; ++p, ++l) s[l] += to_f32(ri[p]) * to_f32(x[p]);
    y[i] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  }
}

template <typename T>
void axpy_ref(size_t cols, size_t k, const void* rp, size_t ld, const void* xp, float* y) {
  const T* r = static_cast<const T*>(rp);
  const T* x = static_cast<const T*>(xp);
  for (size_t j = 0; j < cols; ++j) y[j] = 0.0f;
  for (size_t p = 0; p < k; ++p) {
    const float xv = to_f32(x[p]);
    const T* rp_ = r + p * ld;
    for (size_t j = 0; j < cols; ++j) y[j] += xv * to_f32(rp_[j]);
  }
}

const GemvOps kF32Ref = {dot_ref<float>, axpy_ref<float>};
const GemvOps kBf16Ref = {dot_ref<uint16_t>, axpy_ref<uint16_t>};

const GemvOps* pick(bool bf16) {
  static const GemvOps* const f32 = [] {
    const GemvOps* o = gemv_f32_avx512();
    return o != nullptr && armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) ? o : &kF32Ref;
  }();
  static const GemvOps* const b16 = [] {
    const GemvOps* o = gemv_bf16_avx512();
    return o != nullptr && armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) ? o : &kBf16Ref;
  }();
  return bf16 ? b16 : f32;
}

}  // namespace

const char* gemv_name(bool bf16) {
  const bool ref = pick(bf16) == (bf16 ? &kBf16Ref : &kF32Ref);
  if (bf16) return ref ? "gemv_bf16_ref" : "gemv_bf16_avx512";
  return ref ? "gemv_f32_ref" : "gemv_f32_avx512";
}

namespace {

struct GemvPlan {
  const GemvOps* ops;
  bool dot;
  size_t outs, k, es;
  const char* r;
  size_t ld;
  const void* x;
  float* y;
  float* c;
  size_t cs;  // stride between outputs in c
  float alpha, beta;
};

void gemv_task(void* ctx, int tid, int nthreads) {
  const GemvPlan& P = *static_cast<const GemvPlan*>(ctx);
  const size_t blocks = (P.outs + 15) / 16;
  const size_t t = static_cast<size_t>(tid), T = static_cast<size_t>(nthreads);
  const size_t o0 = t * blocks / T * 16;
  size_t o1 = (t + 1) * blocks / T * 16;
  if (o1 > P.outs) o1 = P.outs;
  if (o0 >= o1) return;
  float* y = P.y + o0;
  if (P.dot) {
    P.ops->dot(o1 - o0, P.k, P.r + o0 * P.ld * P.es, P.ld, P.x, y);
  } else {
    P.ops->axpy(o1 - o0, P.k, P.r + o0 * P.es, P.ld, P.x, y);
  }
  float* c = P.c + o0 * P.cs;
  const size_t n = o1 - o0;
  if (P.beta == 0.0f) {
    for (size_t o = 0; o < n; ++o) c[o * P.cs] = P.alpha * y[o];
  } else {
    for (size_t o = 0; o < n; ++o) c[o * P.cs] = P.alpha * y[o] + P.beta * c[o * P.cs];
  }
}

}  // namespace

bool gemv_applies(size_t m, size_t n) { return m == 1 || n == 1; }
bool gemv_applies_packed(size_t m, size_t n) { return n == 1 && m >= 1; }

int gemv_run(armbench_gemm_pool* pool, const armbench_gemm_args* args, bool bf16, const GemvPackedColumn* packed) {
  const size_t es = bf16 ? 2 : 4;
  const size_t m = args->m, n = args->n, k = args->k;
  GemvPlan P{};
  P.ops = pick(bf16);
  P.k = k;
  P.es = es;
  P.alpha = args->alpha;
  P.beta = args->beta;
  P.c = args->c;
  // x: op(A)'s row (m == 1) or op(B)'s column (n == 1), with its element stride.
  const char* xsrc;
  size_t xstride;
  if (n == 1) {
    P.outs = m;
    P.cs = args->ldc;
    P.r = static_cast<const char*>(args->a);
    P.ld = args->lda;
    P.dot = args->trans_a == 0;
    xsrc = static_cast<const char*>(args->b);
    xstride = args->trans_b ? 1 : args->ldb;
  } else {
    P.outs = n;
    P.cs = 1;
    P.r = static_cast<const char*>(args->b);
    P.ld = args->ldb;
    P.dot = args->trans_b != 0;
    xsrc = static_cast<const char*>(args->a);
    xstride = args->trans_a ? args->lda : 1;
  }
  // Scratch: [y: outs floats][x copy: k elements], 64-aligned parts.
  const size_t ybytes = (P.outs * sizeof(float) + 63) / 64 * 64;
  if (packed != nullptr) xstride = 0;  // copied out of the panels below
  const size_t xbytes = xstride == 1 ? 0 : (k * es + 63) / 64 * 64;
  const size_t bytes = ybytes + xbytes;
  char* scratch = static_cast<char*>(pool ? runtime::pool_scratch(pool, bytes) : thread_scratch(bytes));
  if (scratch == nullptr) return -ENOMEM;
  P.y = reinterpret_cast<float*>(scratch);
  if (xstride == 1) {
    P.x = xsrc;
  } else if (packed != nullptr) {
    // Column 0 of the panels: block pc starts at pc * nr elements, depth step p of
    // it at ((p / kr) * nr) * kr + p % kr.
    char* xc = scratch + ybytes;
    const char* d = static_cast<const char*>(packed->data);
    for (size_t pc = 0; pc < k; pc += packed->kc) {
      const size_t kcb = k - pc < packed->kc ? k - pc : packed->kc;
      for (size_t p = 0; p < kcb; ++p) {
        const size_t off = pc * packed->nr + (p / packed->kr) * packed->nr * packed->kr + p % packed->kr;
        memcpy(xc + (pc + p) * es, d + off * es, es);
      }
    }
    P.x = xc;
  } else {
    char* xc = scratch + ybytes;
    for (size_t p = 0; p < k; ++p) memcpy(xc + p * es, xsrc + p * xstride * es, es);
    P.x = xc;
  }
  runtime::pool_run(pool, gemv_task, &P);
  return 0;
}

}  // namespace gemm
}  // namespace armbench
