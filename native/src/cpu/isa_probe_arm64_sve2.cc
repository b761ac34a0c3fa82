// Probe for SVE2: eor3 on z registers, which SVE (v1) lacks. Compiled with
// -march=armv9-a+sve2; only ever entered through the SIGILL guard.
#if defined(__aarch64__)

#include <stdint.h>

#include "cpu_internal.h"

namespace armbench {
namespace cpu {

void probe_arm64_sve2(void* ctx) {
  uint32_t r;
  __asm__ volatile(
      "dup z0.b, #1\n\t"
      "dup z1.b, #2\n\t"
      "dup z2.b, #4\n\t"
      "eor3 z0.d, z0.d, z1.d, z2.d\n\t"
      "umov %w0, v0.b[0]"
      : "=r"(r)
      :
      : "v0", "v1", "v2");
  static_cast<ProbeCtx*>(ctx)->ok = r == 7;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __aarch64__
