// Probes for the AVX-512 family: one instruction each on zmm registers (xmm with
// an EVEX encoding for VL), in inline asm, with a checked answer.
// Compiled with the AVX-512 flags; only ever entered through the SIGILL guard.
#if defined(__x86_64__)

#include "cpu_internal.h"
#include "probe_vectors.h"

namespace armbench {
namespace cpu {

void probe_x86_avx512f(void* ctx) {
  v16sf a = v16sf{} + 1.5f, b = v16sf{} + 2.25f, sum;
  __asm__ volatile("vaddps %2, %1, %0" : "=v"(sum) : "v"(a), "v"(b));
  int ok = 1;
  for (int i = 0; i < 16; ++i) ok &= sum[i] == 3.75f;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_avx512bw(void* ctx) {
  v32hi a = v32hi{} + 1000, b = v32hi{} + 2000, sum;
  __asm__ volatile("vpaddw %2, %1, %0" : "=v"(sum) : "v"(a), "v"(b));
  int ok = 1;
  for (int i = 0; i < 32; ++i) ok &= sum[i] == 3000;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_avx512vl(void* ctx) {
  // {evex} (written %{evex%}: braces are asm dialect syntax) forces the EVEX encoding of a 128-bit op, which is exactly what VL adds.
  v4si a = v4si{} + 7, b = v4si{} + 8, sum;
  __asm__ volatile("%{evex%} vpaddd %2, %1, %0" : "=v"(sum) : "v"(a), "v"(b));
  int ok = 1;
  for (int i = 0; i < 4; ++i) ok &= sum[i] == 15;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_avx512_bf16(void* ctx) {
  // bf16 1.5 = 0x3fc0, 2.0 = 0x4000: each lane adds two products of 3.0.
  v16sf acc = v16sf{} + 0.5f;
  v32hi a = v32hi{} + 0x3fc0, b = v32hi{} + 0x4000;
  __asm__ volatile("vdpbf16ps %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  int ok = 1;
  for (int i = 0; i < 16; ++i) ok &= acc[i] == 6.5f;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_avx512_vnni(void* ctx) {
  // Unsigned bytes of 3 times signed bytes of -2, four per lane: -24.
  v16si acc = v16si{} + 100;
  v64qi u = v64qi{} + 3, s = v64qi{} - 2;
  __asm__ volatile("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
  int ok = 1;
  for (int i = 0; i < 16; ++i) ok &= acc[i] == 76;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_x86_avx512_fp16(void* ctx) {
  // binary16 1.0 = 0x3c00, 2.0 = 0x4000, 3.0 = 0x4200.
  v32hi a = v32hi{} + 0x3c00, b = v32hi{} + 0x4000, sum;
  __asm__ volatile("vaddph %2, %1, %0" : "=v"(sum) : "v"(a), "v"(b));
  int ok = 1;
  for (int i = 0; i < 32; ++i) ok &= sum[i] == 0x4200;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __x86_64__
