// Probes for SVE and its BF16 / I8MM / F32MM instructions. Scalable registers have
// no C type GCC lets inline asm bind, so each probe fills z0..z2 itself (clobbered
// as v0..v2; their upper parts are caller-saved anyway) and reads lane 0 back
// through the aliased v0. Compiled with -march=armv8.6-a+sve+bf16+i8mm+f32mm; only
// ever entered through the SIGILL guard.
#if defined(__aarch64__)

#include <stdint.h>

#include "cpu_internal.h"

namespace armbench {
namespace cpu {

void probe_arm64_sve(void* ctx) {
  // The vector length itself: also the fallback when prctl(PR_SVE_GET_VL) is missing.
  uint64_t vl;
  __asm__ volatile("rdvl %0, #1" : "=r"(vl));
  ProbeCtx* c = static_cast<ProbeCtx*>(ctx);
  c->value = vl;
  c->ok = vl >= 16 && vl <= 256 && vl % 16 == 0;
}

void probe_arm64_svebf16(void* ctx) {
  // 0.5 + 1.5 * 2.0 + 1.5 * 2.0 = 6.5 (0x40d00000) in every lane.
  uint32_t r;
  __asm__ volatile(
      "mov w9, #0x3fc0\n\t"
      "dup z1.h, w9\n\t"
      "mov w9, #0x4000\n\t"
      "dup z2.h, w9\n\t"
      "fmov z0.s, #0.5\n\t"
      "bfdot z0.s, z1.h, z2.h\n\t"
      "umov %w0, v0.s[0]"
      : "=r"(r)
      :
      : "x9", "v0", "v1", "v2");
  static_cast<ProbeCtx*>(ctx)->ok = r == 0x40d00000u;
}

void probe_arm64_svei8mm(void* ctx) {
  // Eight products of 3 * -2 per lane: 100 - 48.
  uint32_t r;
  __asm__ volatile(
      "dup z1.b, #3\n\t"
      "dup z2.b, #-2\n\t"
      "dup z0.s, #100\n\t"
      "smmla z0.s, z1.b, z2.b\n\t"
      "umov %w0, v0.s[0]"
      : "=r"(r)
      :
      : "v0", "v1", "v2");
  static_cast<ProbeCtx*>(ctx)->ok = r == 52;
}

void probe_arm64_svef32mm(void* ctx) {
  // 2x2 by 2x2 fp32 product: 0.5 + 1.5 * 2.0 + 1.5 * 2.0 = 6.5 (0x40d00000).
  uint32_t r;
  __asm__ volatile(
      "fmov z1.s, #1.5\n\t"
      "fmov z2.s, #2.0\n\t"
      "fmov z0.s, #0.5\n\t"
      "fmmla z0.s, z1.s, z2.s\n\t"
      "umov %w0, v0.s[0]"
      : "=r"(r)
      :
      : "v0", "v1", "v2");
  static_cast<ProbeCtx*>(ctx)->ok = r == 0x40d00000u;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __aarch64__
