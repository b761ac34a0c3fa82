// Private to native/src/gemm: the contract between the GEMM driver and the
// microkernels. Types and declarations only (ISA files include it, see CMakeLists).
#ifndef ARMBENCH_SRC_GEMM_UKERNEL_H
#define ARMBENCH_SRC_GEMM_UKERNEL_H

#include <stddef.h>

#include "armbench/cpu_features.h"
#include "armbench/gemm.h"

namespace armbench {
namespace gemm {

// One register tile: C[mr x nr] = alpha * Apanel * Bpanel + beta * C, where C is
// row-major with row stride ldc (elements) and beta == 0 means C is not read.
//
// Packed panels interleave k by kr, so dot-product and matrix instructions find
// their operands adjacent (kr = 1 for fp32 FMA, 2 for BFDOT/VDPBF16PS pairs, 4 for
// BFMMLA's 2x4 blocks); element type is float (fp32) or uint16_t (bf16):
//   a[(q * mr + i) * kr + t] = A(i, q * kr + t)   for q < kc / kr, i < mr, t < kr
//   b[(q * nr + j) * kr + t] = B(q * kr + t, j)   for q < kc / kr, j < nr, t < kr
// kc is a multiple of kr (packing pads k, and rows/columns past the matrix, with
// zeros). Kernels handle full tiles only; the driver handles edges. A kernel may ask
// for another interleave of A (UkernelInfo::a_kr).
typedef void (*Ukernel)(size_t kc, const void* a, const void* b, float* c, size_t ldc, float alpha, float beta);

struct UkernelInfo {
  armbench_gemm_kernel pub;     // name, isa, dtype, mr, nr, kr
  armbench_feature requires[3]; // features the CPU must have
  unsigned n_requires;
  Ukernel run;
  // Preference among supported kernels of one dtype: the default is the highest.
  int rank;
  // The k interleave of A panels when it differs from B's (pub.kr), else 0: A panels
  // are then a[(q * mr + i) * a_kr + t] = A(i, q * a_kr + t) for q < round_up(kc, a_kr)
  // / a_kr, zero past kc (a matrix unit that wants whole rows of A, as AMX does).
  unsigned a_kr = 0;
};

// The k interleave of k's A panels.
inline unsigned a_kr(const UkernelInfo& k) { return k.a_kr != 0 ? k.a_kr : k.pub.kr; }

// One getter per kernel file; nullptr when the file was built for another
// architecture. A kernel the CPU cannot run is still returned (and listed as
// unsupported through `requires`), so it is skipped visibly; an SVE kernel's shape
// follows the vector length, so it is built at first call, and without SVE it is a
// placeholder with the 128-bit shape that never runs.
const UkernelInfo* ukernel_f32_ref();
const UkernelInfo* ukernel_bf16_ref();
const UkernelInfo* ukernel_f32_avx2();
const UkernelInfo* ukernel_f32_avx512();
const UkernelInfo* ukernel_bf16_avx512bf16();
const UkernelInfo* ukernel_bf16_amx();
const UkernelInfo* ukernel_f32_neon();
const UkernelInfo* ukernel_f32_sve();
const UkernelInfo* ukernel_bf16_bfmmla();
const UkernelInfo* ukernel_bf16_bfdot();

// Narrow companions: not in the registry; the driver runs one in place of its parent
// kernel when op(B) has at most the companion's nr columns (same dtype, kr and
// requirements; the choice depends on n alone, so a packed B of that n uses it too).
const UkernelInfo* ukernel_f32_avx512_narrow();  // parent: ukernel_f32_avx512()

// A full tile with fp32 A read in place: A(i, p) at a[i * rs + p * ps] (rs or ps is 1),
// B a packed panel; the same result bits as the packed-A kernel it belongs to.
typedef void (*UkernelDirectA)(size_t kc, const float* a, size_t rs, size_t ps, const void* b, float* c, size_t ldc,
                               float alpha, float beta);
UkernelDirectA ukernel_f32_avx512_narrow_direct_a();  // for ukernel_f32_avx512_narrow()
UkernelDirectA ukernel_f32_avx512_direct_a();         // for ukernel_f32_avx512()

}  // namespace gemm
}  // namespace armbench

#endif
