// fp32 microkernel with SVE (-march=armv8.2-a+sve), vector-length agnostic: 8 x 3VL.
//
// Per k (kr = 1) the B panel holds three vectors (nr = 3 * VL / 32 columns: 12 at
// 128-bit, 24 at 256-bit as on Neoverse V1, 48 at 512-bit as on A64FX); the 8 A
// values are two LD1RQW quadwords, and FMLA (indexed) multiplies each B vector by
// one of them: 24 accumulators (C rows x 3 vectors) + 3 B + 2 A = 29 of 32 Z
// registers. 24 independent FMLAs cover 9-cycle latency x 2 pipes (A64FX) and
// 4 x 2 or 4 x 4 on Neoverse. Accumulators are C rows: stored without a transpose.
//
// The shape follows the vector length, so the getter builds the kernel's description
// at its first call from armbench_sve_vector_bytes() (which reads the length without
// executing SVE when the CPU has none). Without SVE the kernel is still listed, so
// that it is skipped visibly ("needs sve"): named "f32_sve_8x3vl", with the shape it
// would have at the minimum 128-bit length (8x12) as a placeholder; it never runs.
// The kernel reads the length again (svcntw) and assumes the thread that calls it
// has the length of the thread that first asked for the description.
#if defined(__aarch64__)

#include <arm_sve.h>
#include <stdint.h>

#include "../runtime/mca_region.h"
#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr unsigned kMr = 8;

inline void store_row(float* c, svfloat32_t x0, svfloat32_t x1, svfloat32_t x2, svfloat32_t alpha,
                      svfloat32_t beta, bool read_c) {
  const svbool_t all = svptrue_b32();
  x0 = svmul_f32_x(all, x0, alpha);
  x1 = svmul_f32_x(all, x1, alpha);
  x2 = svmul_f32_x(all, x2, alpha);
  if (read_c) {
    x0 = svmla_f32_x(all, x0, svld1_vnum_f32(all, c, 0), beta);
    x1 = svmla_f32_x(all, x1, svld1_vnum_f32(all, c, 1), beta);
    x2 = svmla_f32_x(all, x2, svld1_vnum_f32(all, c, 2), beta);
  }
  svst1_vnum_f32(all, c, 0, x0);
  svst1_vnum_f32(all, c, 1, x1);
  svst1_vnum_f32(all, c, 2, x2);
}

void run(size_t kc, const void* a_panel, const void* b_panel, float* c, size_t ldc, float alpha, float beta) {
  const float* a = static_cast<const float*>(a_panel);
  const float* b = static_cast<const float*>(b_panel);
  const svbool_t all = svptrue_b32();
  const uint64_t nr = 3 * svcntw();

  svfloat32_t c00 = svdup_n_f32(0), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
  svfloat32_t c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
  svfloat32_t c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
  svfloat32_t c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;

  ARMBENCH_MCA_BEGIN("gemm.f32_sve_8x3vl");
  for (size_t k = kc; k != 0; --k) {
    const svfloat32_t a0 = svld1rq_f32(all, a), a1 = svld1rq_f32(all, a + 4);
    const svfloat32_t b0 = svld1_vnum_f32(all, b, 0), b1 = svld1_vnum_f32(all, b, 1);
    const svfloat32_t b2 = svld1_vnum_f32(all, b, 2);
#define ARMBENCH_ROW(i, av, lane)                   \
  c##i##0 = svmla_lane_f32(c##i##0, b0, av, lane); \
  c##i##1 = svmla_lane_f32(c##i##1, b1, av, lane); \
  c##i##2 = svmla_lane_f32(c##i##2, b2, av, lane);
    ARMBENCH_ROW(0, a0, 0)
    ARMBENCH_ROW(1, a0, 1)
    ARMBENCH_ROW(2, a0, 2)
    ARMBENCH_ROW(3, a0, 3)
    ARMBENCH_ROW(4, a1, 0)
    ARMBENCH_ROW(5, a1, 1)
    ARMBENCH_ROW(6, a1, 2)
    ARMBENCH_ROW(7, a1, 3)
#undef ARMBENCH_ROW
    a += kMr;
    b += nr;
  }
  ARMBENCH_MCA_END();

  const svfloat32_t va = svdup_n_f32(alpha), vb = svdup_n_f32(beta);
  const bool read_c = beta != 0.0f;
  store_row(c + 0 * ldc, c00, c01, c02, va, vb, read_c);
  store_row(c + 1 * ldc, c10, c11, c12, va, vb, read_c);
  store_row(c + 2 * ldc, c20, c21, c22, va, vb, read_c);
  store_row(c + 3 * ldc, c30, c31, c32, va, vb, read_c);
  store_row(c + 4 * ldc, c40, c41, c42, va, vb, read_c);
  store_row(c + 5 * ldc, c50, c51, c52, va, vb, read_c);
  store_row(c + 6 * ldc, c60, c61, c62, va, vb, read_c);
  store_row(c + 7 * ldc, c70, c71, c72, va, vb, read_c);
}

// "f32_sve_8x<nr>" (nr up to 3 * 2048 / 32 = 192), or "f32_sve_8x3vl" without SVE.
struct Described {
  char name[24];
  UkernelInfo info;
};

bool describe(Described& d) {
  const unsigned bytes = armbench_sve_vector_bytes();
  const unsigned nr = bytes != 0 ? 3 * bytes / 4 : 12;
  const char prefix[] = "f32_sve_8x";
  unsigned n = 0;
  for (; prefix[n] != 0; ++n) d.name[n] = prefix[n];
  if (bytes == 0) {
    d.name[n++] = '3';
    d.name[n++] = 'v';
    d.name[n++] = 'l';
  } else {
    char digits[8];
    unsigned nd = 0;
    for (unsigned v = nr; v != 0; v /= 10) digits[nd++] = static_cast<char>('0' + v % 10);
    while (nd != 0) d.name[n++] = digits[--nd];
  }
  d.name[n] = 0;
  d.info.pub.isa = "sve";
  d.info.pub.dtype = ARMBENCH_GEMM_F32;
  d.info.pub.mr = kMr;
  d.info.pub.nr = nr;
  d.info.pub.kr = 1;
  d.info.requires[0] = ARMBENCH_FEATURE_SVE;
  d.info.n_requires = 1;
  d.info.run = run;
  d.info.rank = 20;
  d.info.pub.name = d.name;
  return true;
}

}  // namespace

const UkernelInfo* ukernel_f32_sve() {
  static Described d;                      // zero until described, once (thread-safe)
  static const bool described = describe(d);
  (void)described;
  return &d.info;
}

}  // namespace gemm
}  // namespace armbench

#else

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_f32_sve() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
