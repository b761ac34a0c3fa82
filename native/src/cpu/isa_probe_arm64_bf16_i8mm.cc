// Probes for the Advanced SIMD BF16 and I8MM instructions: bfdot and smmla, with a
// checked answer. Compiled with -march=armv8.6-a+bf16+i8mm; only ever entered
// through the SIGILL guard.
#if defined(__aarch64__)

#include "cpu_internal.h"
#include "probe_vectors.h"

namespace armbench {
namespace cpu {

void probe_arm64_bf16(void* ctx) {
  // bf16 1.5 = 0x3fc0, 2.0 = 0x4000: each lane adds two products of 3.0.
  v4sf acc = v4sf{} + 0.5f;
  v8hi a = v8hi{} + 0x3fc0, b = v8hi{} + 0x4000;
  __asm__ volatile("bfdot %0.4s, %1.8h, %2.8h" : "+w"(acc) : "w"(a), "w"(b));
  int ok = 1;
  for (int i = 0; i < 4; ++i) ok &= acc[i] == 6.5f;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_arm64_i8mm(void* ctx) {
  // A 2x8 by 8x2 int8 product: eight products of 3 * -2 per lane, -48.
  v4si acc = v4si{} + 100;
  v16qi a = v16qi{} + 3, b = v16qi{} - 2;
  __asm__ volatile("smmla %0.4s, %1.16b, %2.16b" : "+w"(acc) : "w"(a), "w"(b));
  int ok = 1;
  for (int i = 0; i < 4; ++i) ok &= acc[i] == 52;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __aarch64__
