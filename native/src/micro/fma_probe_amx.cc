// AMX kernels on full tiles. tdpbf16ps (AMX-BF16) adds to a 16 x 16 fp32 tile C the
// product of a 16 x 32 bf16 tile A and a 32 x 16 bf16 tile B (stored as 16 rows of 16
// bf16 pairs): 16 * 16 * 32 multiply-adds, 16384 FLOP. tdpbusd (AMX-INT8) adds to a
// 16 x 16 int32 tile C the product of a 16 x 64 uint8 tile A and a 64 x 16 int8 tile B
// (16 rows of 16 byte quads): 16 * 16 * 64 multiply-adds, 32768 OP. Accumulators
// tmm0..5, A in tmm6, B in tmm7; every tile is 16 rows of 64 bytes, one 1 KiB image each
// in the FmaKernel buffers (acc_in / acc_out: k images; mul_in: A, then B; rows 64
// bytes apart).
//
// Compiled with -mamx-tile -mamx-bf16 -mamx-int8; entered only after detection reports
// amx_tile and amx_bf16 or amx_int8 (cpuid, XCR0 tile bits) and Linux has granted this
// process tile data
// (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), fma_forms.cc): without that
// grant the first tile instruction faults.
//
// Accumulation chains only, no FULL row: tdpbf16ps multiplies bf16 tiles and writes an
// fp32 tile (tdpbusd bytes into int32), and no tile instruction converts one into the
// other, so the accumulator cannot feed a multiplicand; feeding its raw bits back (tmm0 as A) would also break
// the A/B/C register separation the instruction requires (#UD when they overlap).
//
// Both pass the registry's exact accumulator checks on an AMX machine (a Xeon KVM guest
// with amx_tile, amx_bf16 and amx_int8, test_fma_probe).
//
// One asm block per kernel, like every other form (fma_internal.h), rather than GCC's
// AMX intrinsics: those are asm statements too, but GCC 12's _tile_loadconfig declares
// only 8 of the 64 configuration bytes as read and _tile_loadd declares no memory read
// at all, while one block with a "memory" clobber leaves the compiler nothing to reorder
// or drop, and keeps the instruction count per chain exactly iters * unroll + 1.
#if defined(__x86_64__)

#include "../runtime/amx_tile_config.h"
#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// Row stride of every tile image, the index register of tileloadd / tilestored.
constexpr uint64_t kRowBytes = 64;

// AT&T operand order: tdpbf16ps B, A, C (Intel: tdpbf16ps C, A, B); tdpbusd alike.
#define AMX_TDPBF16PS(i) "tdpbf16ps %%tmm7, %%tmm6, %%tmm" #i "\n\t"
#define AMX_TDPBUSD(i) "tdpbusd %%tmm7, %%tmm6, %%tmm" #i "\n\t"
#define AMX_LD(i) "tileloadd " #i "*1024(%[ain],%[stride],1), %%tmm" #i "\n\t"
#define AMX_ST(i) "tilestored %%tmm" #i ", " #i "*1024(%[aout],%[stride],1)\n\t"
#define AMX_MUL "tileloadd (%[min],%[stride],1), %%tmm6\n\ttileloadd 1024(%[min],%[stride],1), %%tmm7\n\t"

// The ARMBENCH_X86_KERNEL skeleton with the tile configuration loaded first and the
// tile state released last (tilerelease puts it back to its init state, so context
// switches and signal frames of this thread stop carrying 8 KiB of tiles). GCC has no
// tile registers to clobber: it never allocates them.
#define AMX_KERNEL(NAME, INSN, K)                                                        \
  void NAME##_##K(uint64_t iters, const void* ain, const void* min, void* aout) {          \
    __asm__ volatile("ldtilecfg %[cfg]\n\t" AMX_MUL ARMBENCH_REP##K(AMX_LD)                \
                         ARMBENCH_REP##K(INSN)                                             \
                     ".p2align 5\n"                                                       \
                     "1:\n\t"                                                             \
                     ".rept %c[u]\n\t" ARMBENCH_REP##K(INSN) ".endr\n\t"                  \
                     "dec %[n]\n\t"                                                       \
                     "jnz 1b\n\t" ARMBENCH_REP##K(AMX_ST) "tilerelease"                    \
                     : [n] "+r"(iters)                                                    \
                     : [cfg] "m"(runtime::kAmxFullTiles), [ain] "r"(ain), [min] "r"(min),             \
                       [aout] "r"(aout), [stride] "r"(kRowBytes),                         \
                       [u] "i"(ARMBENCH_FMA_UNROLL(K))                                    \
                     : "memory", "cc");                                                   \
  }

ARMBENCH_FOR_K6(AMX_KERNEL, amx_tdpbf16ps, AMX_TDPBF16PS)
ARMBENCH_FOR_K6(AMX_KERNEL, amx_tdpbusd, AMX_TDPBUSD)

}  // namespace

const FmaKernel kTdpbf16psTile[6] = {ARMBENCH_FOR_K6(ARMBENCH_FMA_KPTR, amx_tdpbf16ps, _)};
const FmaKernel kTdpbusdTile[6] = {ARMBENCH_FOR_K6(ARMBENCH_FMA_KPTR, amx_tdpbusd, _)};

}  // namespace micro
}  // namespace armbench

#endif  // __x86_64__
