// Probe for SME: rdsvl, which reads the streaming vector length and, unlike most
// SME instructions, runs outside streaming mode, so no smstart/smstop is needed.
// GCC 12 knows no +sme; binutils (2.38 and later) does, so the asm turns the
// extension on for this file's assembly with .arch_extension. Only ever entered
// through the SIGILL guard.
#if defined(__aarch64__)

#include <stdint.h>

#include "cpu_internal.h"

namespace armbench {
namespace cpu {

void probe_arm64_sme(void* ctx) {
  // The streaming length itself: also the fallback when prctl(PR_SME_GET_VL) is missing.
  uint64_t svl;
  __asm__ volatile(
      ".arch_extension sme\n\t"
      "rdsvl %0, #1"
      : "=r"(svl));
  ProbeCtx* c = static_cast<ProbeCtx*>(ctx);
  c->value = svl;
  c->ok = svl >= 16 && svl <= 256 && svl % 16 == 0;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __aarch64__
