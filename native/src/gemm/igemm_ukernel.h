// Private to native/src/gemm: the contract between the integer GEMM driver and its
// microkernels. Types and declarations only (ISA files include it, see CMakeLists).
#ifndef ARMBENCH_SRC_GEMM_IGEMM_UKERNEL_H
#define ARMBENCH_SRC_GEMM_IGEMM_UKERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/cpu_features.h"
#include "armbench/igemm.h"

namespace armbench {
namespace gemm {

// One register tile: C[mr x nr] = Apanel * Bpanel (+ C when accumulate) (+ bias[j] in
// every row when bias is not null), int32 sums that wrap modulo 2^32.
//
// The panels are int8 bytes in the fp32 contract's layout (gemm_ukernel.h), k
// interleaved by kr (2: VPMADDWD's pairs, 4: one 32-bit dot of 4 bytes, 8: SMMLA's 2x8
// blocks):
//   a[(q * mr + i) * kr + t] = A(i, q * kr + t)   for q < kc / kr, i < mr, t < kr
//   b[(q * nr + j) * kr + t] = B(q * kr + t, j)   for q < kc / kr, j < nr, t < kr
// A already holds the kernel's own type (a_native: the driver shifted it by 128 when
// the caller's differs); B is int8; kc is a multiple of kr, B is zero past k and past
// n, so whatever pads A is multiplied by zero. Kernels handle full tiles only. A kernel
// may ask for another interleave of A (IUkernelInfo::a_kr), as in gemm_ukernel.h.
typedef void (*IUkernel)(size_t kc, const void* a, const void* b, int32_t* c, size_t ldc, int accumulate,
                         const int32_t* bias);

struct IUkernelInfo {
  armbench_igemm_kernel pub;     // name, isa, mr, nr, kr, a_native
  armbench_feature requires[3];  // features the CPU must have
  unsigned n_requires;
  IUkernel run;
  // Preference among supported kernels: the default is the highest.
  int rank;
  // 0: A panels as above. Otherwise A's k interleave: a[(q * mr + i) * a_kr + t] =
  // A(i, q * a_kr + t) for q < round_up(kc, a_kr) / a_kr, zero past kc (a matrix unit
  // that wants whole rows of A, as AMX does).
  unsigned a_kr = 0;
  // Called by each thread before its first tile of a GEMM and after its last (nullptr:
  // nothing to do): state the kernel keeps across calls on the thread, as AMX's tile
  // configuration, is set up once instead of per tile.
  void (*enter)() = nullptr;
  void (*leave)() = nullptr;
};

inline unsigned a_kr(const IUkernelInfo& k) { return k.a_kr != 0 ? k.a_kr : k.pub.kr; }

// One getter per kernel file; nullptr when the file was built for another
// architecture. A kernel the CPU cannot run is still returned (listed as unsupported
// through `requires`), so it is skipped visibly.
const IUkernelInfo* ukernel_s8_ref();
const IUkernelInfo* ukernel_s8_avx2();
const IUkernelInfo* ukernel_u8s8_avx512vnni();
const IUkernelInfo* ukernel_u8s8_amx();
const IUkernelInfo* ukernel_s8_sdot();
const IUkernelInfo* ukernel_s8_smmla();

// Registry look-ups for the driver: nullptr when i is out of range; whether the CPU
// has every feature kernel i requires.
const IUkernelInfo* ikernel_info(size_t i);
bool ikernel_supported(size_t i);

}  // namespace gemm
}  // namespace armbench

#endif
