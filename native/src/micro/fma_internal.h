// Private to native/src/micro: what the registry and the driver need from the
// per-ISA kernel files, and the preprocessor machinery those files share.
//
// Declarations, plain data and macros only: ISA files compiled with their own target
// flags include this header, so an inline function here could be emitted with those
// flags and then shared with baseline code by the linker.
#ifndef ARMBENCH_SRC_MICRO_FMA_INTERNAL_H
#define ARMBENCH_SRC_MICRO_FMA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/cpu_features.h"
#include "armbench/fma_probe.h"

namespace armbench {
namespace micro {

// One kernel: k chains (fixed per function), registers named in its asm.
// Loads the two multiplicand registers from mul_in (register images back to back),
// the k accumulators from acc_in, executes one instruction per chain, then `iters`
// loop iterations of ARMBENCH_FMA_UNROLL(k) instructions per chain, and stores the k
// accumulators to acc_out. So each chain executes iters * unroll + 1 instructions:
// the odd extra one makes the full chain's sign flip visible (see fma_forms.cc).
// iters must be >= 1.
typedef void (*FmaKernel)(uint64_t iters, const void* acc_in, const void* mul_in, void* acc_out);

// Largest register budget of any form; tables are sized by their own budget.
constexpr unsigned kMaxChains = 30;
// Instructions per chain per kernel call are capped here so that no accumulator ever
// rounds (fp32 holds every integer below 2^24): the vector forms (increments up to 8)
// run this many; a form with a larger increment (AMX tdpbf16ps: 32) runs a smaller
// power of two, form_chunk_steps().
constexpr uint64_t kChunkSteps = uint64_t{1} << 20;

}  // namespace micro
}  // namespace armbench

// Unroll per chain count: a power of two with k * unroll >= 32, so the loop branch is
// noise and every unroll divides ARMBENCH_FMA_STEP_QUANTUM. A macro, not a function:
// the asm takes it as an immediate ("i") operand.
#define ARMBENCH_FMA_UNROLL(k) ((k) >= 16 ? 2 : (k) >= 8 ? 4 : (k) >= 4 ? 8 : (k) >= 2 ? 16 : 32)

// ARMBENCH_REP<n>(M): M(0) M(1) ... M(n-1); M yields a string literal per register.
#define ARMBENCH_REP1(M) M(0)
#define ARMBENCH_REP2(M) ARMBENCH_REP1(M) M(1)
#define ARMBENCH_REP3(M) ARMBENCH_REP2(M) M(2)
#define ARMBENCH_REP4(M) ARMBENCH_REP3(M) M(3)
#define ARMBENCH_REP5(M) ARMBENCH_REP4(M) M(4)
#define ARMBENCH_REP6(M) ARMBENCH_REP5(M) M(5)
#define ARMBENCH_REP7(M) ARMBENCH_REP6(M) M(6)
#define ARMBENCH_REP8(M) ARMBENCH_REP7(M) M(7)
#define ARMBENCH_REP9(M) ARMBENCH_REP8(M) M(8)
#define ARMBENCH_REP10(M) ARMBENCH_REP9(M) M(9)
#define ARMBENCH_REP11(M) ARMBENCH_REP10(M) M(10)
#define ARMBENCH_REP12(M) ARMBENCH_REP11(M) M(11)
#define ARMBENCH_REP13(M) ARMBENCH_REP12(M) M(12)
#define ARMBENCH_REP14(M) ARMBENCH_REP13(M) M(13)
#define ARMBENCH_REP15(M) ARMBENCH_REP14(M) M(14)
#define ARMBENCH_REP16(M) ARMBENCH_REP15(M) M(15)
#define ARMBENCH_REP17(M) ARMBENCH_REP16(M) M(16)
#define ARMBENCH_REP18(M) ARMBENCH_REP17(M) M(17)
#define ARMBENCH_REP19(M) ARMBENCH_REP18(M) M(18)
#define ARMBENCH_REP20(M) ARMBENCH_REP19(M) M(19)
#define ARMBENCH_REP21(M) ARMBENCH_REP20(M) M(20)
#define ARMBENCH_REP22(M) ARMBENCH_REP21(M) M(21)
#define ARMBENCH_REP23(M) ARMBENCH_REP22(M) M(22)
#define ARMBENCH_REP24(M) ARMBENCH_REP23(M) M(23)
#define ARMBENCH_REP25(M) ARMBENCH_REP24(M) M(24)
#define ARMBENCH_REP26(M) ARMBENCH_REP25(M) M(25)
#define ARMBENCH_REP27(M) ARMBENCH_REP26(M) M(26)
#define ARMBENCH_REP28(M) ARMBENCH_REP27(M) M(27)
#define ARMBENCH_REP29(M) ARMBENCH_REP28(M) M(28)
#define ARMBENCH_REP30(M) ARMBENCH_REP29(M) M(29)

// ARMBENCH_FOR_K<n>(X, A, B): X(A, B, 1) ... X(A, B, n): one kernel per chain count.
#define ARMBENCH_FOR_K6(X, A, B) X(A, B, 1) X(A, B, 2) X(A, B, 3) X(A, B, 4) X(A, B, 5) X(A, B, 6)
#define ARMBENCH_FOR_K14(X, A, B)                                                         \
  ARMBENCH_FOR_K6(X, A, B)                                                                \
  X(A, B, 7) X(A, B, 8) X(A, B, 9) X(A, B, 10) X(A, B, 11) X(A, B, 12) X(A, B, 13) X(A, B, 14)
#define ARMBENCH_FOR_K30(X, A, B)                                                           \
  ARMBENCH_FOR_K14(X, A, B)                                                                 \
  X(A, B, 15) X(A, B, 16) X(A, B, 17) X(A, B, 18) X(A, B, 19) X(A, B, 20) X(A, B, 21)       \
  X(A, B, 22) X(A, B, 23) X(A, B, 24) X(A, B, 25) X(A, B, 26) X(A, B, 27) X(A, B, 28)       \
  X(A, B, 29) X(A, B, 30)

#define ARMBENCH_FMA_KPTR(NAME, UNUSED, K) NAME##_##K,

// The [2][n] table of one form: row ARMBENCH_CHAIN_ACC, then row ARMBENCH_CHAIN_FULL;
// entry k - 1 runs k chains. ACC_NAME / FULL_NAME are the kernels' name prefixes.
#define ARMBENCH_FMA_TABLE(N, TABLE, ACC_NAME, FULL_NAME)                                   \
  const FmaKernel TABLE[2][N] = {{ARMBENCH_FOR_K##N(ARMBENCH_FMA_KPTR, ACC_NAME, _)},       \
                                 {ARMBENCH_FOR_K##N(ARMBENCH_FMA_KPTR, FULL_NAME, _)}};

#if defined(__x86_64__)

// x86 kernels (AT&T syntax). VEX forms keep xmm/ymm14 and 15 for the multiplicands
// (accumulators 0..13, so they also run on 16-register AVX2 CPUs); zmm forms keep
// zmm30 and 31 (accumulators 0..29). vzeroupper on the way out: the caller's SSE code
// must not pay for dirty upper halves on cores that track them.
#define ARMBENCH_X86_CLOBBER_VEX                                                        \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
      "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define ARMBENCH_X86_CLOBBER_EVEX                                                       \
  ARMBENCH_X86_CLOBBER_VEX, "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", \
      "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31"

#define ARMBENCH_X86_LD_XMM(i) "vmovdqu " #i "*16(%[ain]), %%xmm" #i "\n\t"
#define ARMBENCH_X86_ST_XMM(i) "vmovdqu %%xmm" #i ", " #i "*16(%[aout])\n\t"
#define ARMBENCH_X86_MUL_XMM "vmovdqu (%[min]), %%xmm14\n\tvmovdqu 16(%[min]), %%xmm15\n\t"
#define ARMBENCH_X86_LD_YMM(i) "vmovdqu " #i "*32(%[ain]), %%ymm" #i "\n\t"
#define ARMBENCH_X86_ST_YMM(i) "vmovdqu %%ymm" #i ", " #i "*32(%[aout])\n\t"
#define ARMBENCH_X86_MUL_YMM "vmovdqu (%[min]), %%ymm14\n\tvmovdqu 32(%[min]), %%ymm15\n\t"
#define ARMBENCH_X86_LD_ZMM(i) "vmovdqu32 " #i "*64(%[ain]), %%zmm" #i "\n\t"
#define ARMBENCH_X86_ST_ZMM(i) "vmovdqu32 %%zmm" #i ", " #i "*64(%[aout])\n\t"
#define ARMBENCH_X86_MUL_ZMM "vmovdqu32 (%[min]), %%zmm30\n\tvmovdqu32 64(%[min]), %%zmm31\n\t"

#define ARMBENCH_X86_KERNEL(NAME, INSN, K, LD, ST, MUL, CLOBBERS)                        \
  void NAME##_##K(uint64_t iters, const void* ain, const void* min, void* aout) {         \
    __asm__ volatile(MUL ARMBENCH_REP##K(LD) ARMBENCH_REP##K(INSN)                       \
                     ".p2align 5\n"                                                      \
                     "1:\n\t"                                                            \
                     ".rept %c[u]\n\t" ARMBENCH_REP##K(INSN) ".endr\n\t"                  \
                     "dec %[n]\n\t"                                                      \
                     "jnz 1b\n\t" ARMBENCH_REP##K(ST) "vzeroupper"                       \
                     : [n] "+r"(iters)                                                   \
                     : [ain] "r"(ain), [min] "r"(min), [aout] "r"(aout),                 \
                       [u] "i"(ARMBENCH_FMA_UNROLL(K))                                   \
                     : "memory", "cc", CLOBBERS);                                        \
  }
#define ARMBENCH_XMM_KERNEL(NAME, INSN, K)                                                \
  ARMBENCH_X86_KERNEL(NAME, INSN, K, ARMBENCH_X86_LD_XMM, ARMBENCH_X86_ST_XMM,            \
                      ARMBENCH_X86_MUL_XMM, ARMBENCH_X86_CLOBBER_VEX)
#define ARMBENCH_YMM_KERNEL(NAME, INSN, K)                                                \
  ARMBENCH_X86_KERNEL(NAME, INSN, K, ARMBENCH_X86_LD_YMM, ARMBENCH_X86_ST_YMM,            \
                      ARMBENCH_X86_MUL_YMM, ARMBENCH_X86_CLOBBER_VEX)
#define ARMBENCH_ZMM_KERNEL(NAME, INSN, K)                                                \
  ARMBENCH_X86_KERNEL(NAME, INSN, K, ARMBENCH_X86_LD_ZMM, ARMBENCH_X86_ST_ZMM,            \
                      ARMBENCH_X86_MUL_ZMM, ARMBENCH_X86_CLOBBER_EVEX)

namespace armbench {
namespace micro {
// fma_probe_fma.cc
extern const FmaKernel kVfmadd231psXmm[2][14];
extern const FmaKernel kVfmadd231pdXmm[2][14];
extern const FmaKernel kVfmadd231psYmm[2][14];
extern const FmaKernel kVfmadd231pdYmm[2][14];
// fma_probe_avx512.cc
extern const FmaKernel kVfmadd231psZmm[2][30];
extern const FmaKernel kVfmadd231pdZmm[2][30];
// fma_probe_avx512bf16.cc
extern const FmaKernel kVdpbf16psZmm[2][30];
// fma_probe_avx512vnni.cc
extern const FmaKernel kVpdpbusdZmm[2][30];
// fma_probe_avxvnni.cc
extern const FmaKernel kVpdpbusdYmm[2][14];
// fma_probe_amx.cc: accumulation chains only (no FULL row, see there).
extern const FmaKernel kTdpbf16psTile[6];
extern const FmaKernel kTdpbusdTile[6];
}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__

#if defined(__aarch64__)

// aarch64 kernels: accumulators v0..v29 (z0..z29), multiplicands v30/v31 (z30/z31).
// SVE registers are clobbered through their v names, which GCC maps onto the z
// registers; p0 is the all-true governing predicate of the predicated forms.
#define ARMBENCH_A64_CLOBBER_V                                                            \
  "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13",  \
      "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25",   \
      "v26", "v27", "v28", "v29", "v30", "v31"

#define ARMBENCH_A64_LD_Q(i) "ldr q" #i ", [%[ain], #" #i "*16]\n\t"
#define ARMBENCH_A64_ST_Q(i) "str q" #i ", [%[aout], #" #i "*16]\n\t"
#define ARMBENCH_A64_MUL_Q "ldr q30, [%[min]]\n\tldr q31, [%[min], #16]\n\t"
// SVE ldr/str of a whole register: the offset is in vector lengths.
#define ARMBENCH_A64_LD_Z(i) "ldr z" #i ", [%[ain], #" #i ", mul vl]\n\t"
#define ARMBENCH_A64_ST_Z(i) "str z" #i ", [%[aout], #" #i ", mul vl]\n\t"
#define ARMBENCH_A64_MUL_Z "ptrue p0.b\n\tldr z30, [%[min]]\n\tldr z31, [%[min], #1, mul vl]\n\t"

#define ARMBENCH_A64_KERNEL(NAME, INSN, K, LD, ST, MUL, ...)                              \
  void NAME##_##K(uint64_t iters, const void* ain, const void* min, void* aout) {         \
    __asm__ volatile(MUL ARMBENCH_REP##K(LD) ARMBENCH_REP##K(INSN)                       \
                     ".p2align 4\n"                                                      \
                     "1:\n\t"                                                            \
                     ".rept %c[u]\n\t" ARMBENCH_REP##K(INSN) ".endr\n\t"                  \
                     "subs %[n], %[n], #1\n\t"                                           \
                     "b.ne 1b\n\t" ARMBENCH_REP##K(ST)                                   \
                     : [n] "+r"(iters)                                                   \
                     : [ain] "r"(ain), [min] "r"(min), [aout] "r"(aout),                 \
                       [u] "i"(ARMBENCH_FMA_UNROLL(K))                                   \
                     : "memory", "cc", __VA_ARGS__);                                     \
  }
#define ARMBENCH_NEON_KERNEL(NAME, INSN, K)                                               \
  ARMBENCH_A64_KERNEL(NAME, INSN, K, ARMBENCH_A64_LD_Q, ARMBENCH_A64_ST_Q,                \
                      ARMBENCH_A64_MUL_Q, ARMBENCH_A64_CLOBBER_V)
#define ARMBENCH_SVE_KERNEL(NAME, INSN, K)                                                \
  ARMBENCH_A64_KERNEL(NAME, INSN, K, ARMBENCH_A64_LD_Z, ARMBENCH_A64_ST_Z,                \
                      ARMBENCH_A64_MUL_Z, "p0", ARMBENCH_A64_CLOBBER_V)

namespace armbench {
namespace micro {
// fma_probe_neon.cc
extern const FmaKernel kNeonFmla4s[2][30];
extern const FmaKernel kNeonFmla2d[2][30];
extern const FmaKernel kNeonFmla8h[2][30];
extern const FmaKernel kNeonSdot4s[2][30];
// fma_probe_neon_bf16_i8mm.cc
extern const FmaKernel kNeonBfdot4s[2][30];
extern const FmaKernel kNeonBfmmla4s[2][30];
extern const FmaKernel kNeonSmmla4s[2][30];
extern const FmaKernel kNeonUmmla4s[2][30];
// fma_probe_sve.cc
extern const FmaKernel kSveFmlaS[2][30];
extern const FmaKernel kSveFmlaD[2][30];
extern const FmaKernel kSveFmmlaS[2][30];
}  // namespace micro
}  // namespace armbench

#endif  // __aarch64__

namespace armbench {
namespace micro {

// What one registry entry knows beyond the public struct (fma_forms.cc).
struct FormImpl;

// The registry entry of form i (NULL when out of range), already sized for this
// thread's SVE vector length.
const FormImpl* form_impl(size_t i);
const armbench_fma_form* form_public(const FormImpl* f);
// Bytes of one register of the form (bits / 8); for AMX, one 16 x 64-byte tile.
size_t form_reg_bytes(const FormImpl* f);
// Most instructions per chain one kernel call may run with exact checks: kChunkSteps,
// or a smaller power of two for a form whose increment would reach 2^24 sooner. A
// multiple of ARMBENCH_FMA_STEP_QUANTUM.
uint64_t form_chunk_steps(const FormImpl* f);
// 1 when the calling thread's registers are as wide as the registry says: SVE forms
// were sized with the vector length at first use, and a thread that changed its own
// (prctl) would overrun the buffers.
int form_width_matches_thread(const FormImpl* f);
// The kernel for mode and k (1..max_chains); NULL when the mode does not exist, or the
// form has no such chain (has_full_chain 0).
FmaKernel form_kernel(const FormImpl* f, armbench_chain_mode mode, unsigned k);
// Writes the k accumulator images to acc_in and the two multiplicand images to mul_in.
void form_fill(const FormImpl* f, armbench_chain_mode mode, unsigned k, void* acc_in, void* mul_in);
// 1 when all k accumulators in acc_out hold exactly what `count` instructions per chain
// must leave there (count as the kernel documents: iters * unroll + 1).
int form_check(const FormImpl* f, armbench_chain_mode mode, unsigned k, uint64_t count, const void* acc_out);

}  // namespace micro
}  // namespace armbench

#endif
