// Probes for FMA, F16C and AVX2: one instruction each, in inline asm so the
// compiler cannot fold the computation away, and a checked answer.
// Compiled with -mavx2 -mfma -mf16c; only ever entered through the SIGILL guard.
#if defined(__x86_64__)

#include "cpu_internal.h"
#include "probe_vectors.h"

namespace armbench {
namespace cpu {

void probe_x86_fma(void* ctx) {
  v8sf acc = v8sf{} + 1.0f, a = v8sf{} + 2.0f, b = v8sf{} + 3.0f;
  __asm__ volatile("vfmadd231ps %2, %1, %0" : "+x"(acc) : "x"(a), "x"(b));
  int ok = 1;
  for (int i = 0; i < 8; ++i) ok &= acc[i] == 7.0f;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_f16c(void* ctx) {
  v8sf in = v8sf{} + 1.5f;
  v8hi out;
  __asm__ volatile("vcvtps2ph $0, %1, %0" : "=x"(out) : "x"(in));
  int ok = 1;
  for (int i = 0; i < 8; ++i) ok &= out[i] == 0x3e00;  // 1.5 in binary16
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_avx2(void* ctx) {
  v8si a = v8si{} + 5, b = v8si{} + 6, sum;
  __asm__ volatile("vpaddd %2, %1, %0" : "=x"(sum) : "x"(a), "x"(b));
  int ok = 1;
  for (int i = 0; i < 8; ++i) ok &= sum[i] == 11;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __x86_64__
