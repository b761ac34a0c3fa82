// Probe for AVX-VNNI: the VEX-encoded vpdpbusd, which CPUs with only AVX512_VNNI
// (EVEX) do not have. Compiled with -mavx2 -mavxvnni; entered through the guard.
#if defined(__x86_64__)

#include "cpu_internal.h"
#include "probe_vectors.h"

namespace armbench {
namespace cpu {

void probe_x86_avx_vnni(void* ctx) {
  // Unsigned bytes of 3 times signed bytes of -2, four per lane: -24.
  v8si acc = v8si{} + 100;
  v32qi u = v32qi{} + 3, s = v32qi{} - 2;
  __asm__ volatile("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(u), "x"(s));
  int ok = 1;
  for (int i = 0; i < 8; ++i) ok &= acc[i] == 76;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __x86_64__
