// Bandwidth kernels with SVE (-march=armv8.2-a+sve), vector-length agnostic: the
// main loops move four vectors per iteration whatever the length, and one predicated
// loop does the rest, so any n runs without a scalar tail. Non-temporal stores are
// STNT1W.
#if defined(__aarch64__)

#include <arm_sve.h>
#include <stdint.h>

#include "bandwidth_internal.h"

namespace armbench {
namespace memory {
namespace {

// Eight accumulators: FP add latency times loads per cycle on 128- and 256-bit cores
// (A64FX, with 9-cycle adds, would want more; it still reaches memory bandwidth).
double read_sve(const float* a, size_t n) {
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  svfloat32_t s0 = svdup_f32(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  uint64_t i = 0;
  for (; i + 8 * vl <= n; i += 8 * vl) {
    s0 = svadd_f32_x(all, s0, svld1_f32(all, a + i));
    s1 = svadd_f32_x(all, s1, svld1_f32(all, a + i + vl));
    s2 = svadd_f32_x(all, s2, svld1_f32(all, a + i + 2 * vl));
    s3 = svadd_f32_x(all, s3, svld1_f32(all, a + i + 3 * vl));
    s4 = svadd_f32_x(all, s4, svld1_f32(all, a + i + 4 * vl));
    s5 = svadd_f32_x(all, s5, svld1_f32(all, a + i + 5 * vl));
    s6 = svadd_f32_x(all, s6, svld1_f32(all, a + i + 6 * vl));
    s7 = svadd_f32_x(all, s7, svld1_f32(all, a + i + 7 * vl));
  }
  for (svbool_t pg = svwhilelt_b32(i, static_cast<uint64_t>(n)); svptest_any(all, pg);
       i += vl, pg = svwhilelt_b32(i, static_cast<uint64_t>(n))) {
    s0 = svadd_f32_m(pg, s0, svld1_f32(pg, a + i));
  }
  s0 = svadd_f32_x(all, svadd_f32_x(all, svadd_f32_x(all, s0, s1), svadd_f32_x(all, s2, s3)),
                   svadd_f32_x(all, svadd_f32_x(all, s4, s5), svadd_f32_x(all, s6, s7)));
  // Widen before the horizontal sum so the lanes add in double, as elsewhere.
  const svfloat64_t lo = svcvt_f64_f32_x(all, svzip1_f32(s0, s0));
  const svfloat64_t hi = svcvt_f64_f32_x(all, svzip2_f32(s0, s0));
  return svaddv_f64(svptrue_b64(), svadd_f64_x(svptrue_b64(), lo, hi));
}

void write_sve(float* a, size_t n, float v) {
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  const svfloat32_t x = svdup_f32(v);
  uint64_t i = 0;
  for (; i + 4 * vl <= n; i += 4 * vl) {
    svst1_f32(all, a + i, x);
    svst1_f32(all, a + i + vl, x);
    svst1_f32(all, a + i + 2 * vl, x);
    svst1_f32(all, a + i + 3 * vl, x);
  }
  for (svbool_t pg = svwhilelt_b32(i, static_cast<uint64_t>(n)); svptest_any(all, pg);
       i += vl, pg = svwhilelt_b32(i, static_cast<uint64_t>(n))) {
    svst1_f32(pg, a + i, x);
  }
}

void copy_sve(float* dst, const float* src, size_t n) {
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  uint64_t i = 0;
  for (; i + 4 * vl <= n; i += 4 * vl) {
    const svfloat32_t x0 = svld1_f32(all, src + i), x1 = svld1_f32(all, src + i + vl);
    const svfloat32_t x2 = svld1_f32(all, src + i + 2 * vl), x3 = svld1_f32(all, src + i + 3 * vl);
    svst1_f32(all, dst + i, x0);
    svst1_f32(all, dst + i + vl, x1);
    svst1_f32(all, dst + i + 2 * vl, x2);
    svst1_f32(all, dst + i + 3 * vl, x3);
  }
  for (svbool_t pg = svwhilelt_b32(i, static_cast<uint64_t>(n)); svptest_any(all, pg);
       i += vl, pg = svwhilelt_b32(i, static_cast<uint64_t>(n))) {
    svst1_f32(pg, dst + i, svld1_f32(pg, src + i));
  }
}

// Multiply then add, not FMLA: the same rounding as the scalar reference.
svfloat32_t triad_v(svbool_t pg, const float* b, const float* c, svfloat32_t s) {
  return svadd_f32_x(pg, svld1_f32(pg, b), svmul_f32_x(pg, s, svld1_f32(pg, c)));
}

void copy_nt_sve(float* dst, const float* src, size_t n) {
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  uint64_t i = 0;
  for (; i + 4 * vl <= n; i += 4 * vl) {
    const svfloat32_t x0 = svld1_f32(all, src + i), x1 = svld1_f32(all, src + i + vl);
    const svfloat32_t x2 = svld1_f32(all, src + i + 2 * vl), x3 = svld1_f32(all, src + i + 3 * vl);
    svstnt1_f32(all, dst + i, x0);
    svstnt1_f32(all, dst + i + vl, x1);
    svstnt1_f32(all, dst + i + 2 * vl, x2);
    svstnt1_f32(all, dst + i + 3 * vl, x3);
  }
  for (svbool_t pg = svwhilelt_b32(i, static_cast<uint64_t>(n)); svptest_any(all, pg);
       i += vl, pg = svwhilelt_b32(i, static_cast<uint64_t>(n))) {
    svstnt1_f32(pg, dst + i, svld1_f32(pg, src + i));
  }
}

void write_nt_sve(float* a, size_t n, float v) {
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  const svfloat32_t x = svdup_f32(v);
  uint64_t i = 0;
  for (; i + 4 * vl <= n; i += 4 * vl) {
    svstnt1_f32(all, a + i, x);
    svstnt1_f32(all, a + i + vl, x);
    svstnt1_f32(all, a + i + 2 * vl, x);
    svstnt1_f32(all, a + i + 3 * vl, x);
  }
  for (svbool_t pg = svwhilelt_b32(i, static_cast<uint64_t>(n)); svptest_any(all, pg);
       i += vl, pg = svwhilelt_b32(i, static_cast<uint64_t>(n))) {
    svstnt1_f32(pg, a + i, x);
  }
}

// One body for both triads; `nt` is a constant at each call, so each copy keeps
// only its own store.
template <bool nt>
void triad_body(float* a, const float* b, const float* c, float s, size_t n) {
  const uint64_t vl = svcntw();
  const svbool_t all = svptrue_b32();
  const svfloat32_t k = svdup_f32(s);
  uint64_t i = 0;
  for (; i + 2 * vl <= n; i += 2 * vl) {
    const svfloat32_t x0 = triad_v(all, b + i, c + i, k), x1 = triad_v(all, b + i + vl, c + i + vl, k);
    if (nt) {
      svstnt1_f32(all, a + i, x0);
      svstnt1_f32(all, a + i + vl, x1);
    } else {
      svst1_f32(all, a + i, x0);
      svst1_f32(all, a + i + vl, x1);
    }
  }
  for (svbool_t pg = svwhilelt_b32(i, static_cast<uint64_t>(n)); svptest_any(all, pg);
       i += vl, pg = svwhilelt_b32(i, static_cast<uint64_t>(n))) {
    if (nt) {
      svstnt1_f32(pg, a + i, triad_v(pg, b + i, c + i, k));
    } else {
      svst1_f32(pg, a + i, triad_v(pg, b + i, c + i, k));
    }
  }
}

void triad_sve(float* a, const float* b, const float* c, float s, size_t n) { triad_body<false>(a, b, c, s, n); }
void triad_nt_sve(float* a, const float* b, const float* c, float s, size_t n) { triad_body<true>(a, b, c, s, n); }

}  // namespace

extern const BwKernels kBwSve = {
    "sve",        ARMBENCH_FEATURE_SVE, read_sve,     write_sve, copy_sve, triad_sve,
    write_nt_sve, copy_nt_sve,          triad_nt_sve,
};

}  // namespace memory
}  // namespace armbench

#endif  // __aarch64__
