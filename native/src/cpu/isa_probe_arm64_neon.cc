// Probes for the Advanced SIMD extensions (asimd, fp16, dot product, fp16 fmlal):
// one instruction each, in inline asm so the compiler cannot fold it away, and a
// checked answer. Compiled with -march=armv8.2-a+fp16+dotprod+fp16fml; only ever
// entered through the SIGILL guard.
#if defined(__aarch64__)

#include "cpu_internal.h"
#include "probe_vectors.h"

namespace armbench {
namespace cpu {

namespace {

// binary16 encodings.
constexpr short kHalf1 = 0x3c00, kHalf2 = 0x4000, kHalf3 = 0x4200;

}  // namespace

void probe_arm64_asimd(void* ctx) {
  v4si a = v4si{} + 5, b = v4si{} + 6, sum;
  __asm__ volatile("add %0.4s, %1.4s, %2.4s" : "=w"(sum) : "w"(a), "w"(b));
  int ok = 1;
  for (int i = 0; i < 4; ++i) ok &= sum[i] == 11;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_arm64_fphp(void* ctx) {
  v8hi a = v8hi{} + kHalf1, b = v8hi{} + kHalf2, sum;
  __asm__ volatile("fadd %h0, %h1, %h2" : "=w"(sum) : "w"(a), "w"(b));
  static_cast<ProbeCtx*>(ctx)->ok = sum[0] == kHalf3;
}

void probe_arm64_asimdhp(void* ctx) {
  v8hi a = v8hi{} + kHalf1, b = v8hi{} + kHalf2, sum;
  __asm__ volatile("fadd %0.8h, %1.8h, %2.8h" : "=w"(sum) : "w"(a), "w"(b));
  int ok = 1;
  for (int i = 0; i < 8; ++i) ok &= sum[i] == kHalf3;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_arm64_asimddp(void* ctx) {
  // Four products of 3 * -2 per lane: -24.
  v4si acc = v4si{} + 100;
  v16qi a = v16qi{} + 3, b = v16qi{} - 2;
  __asm__ volatile("sdot %0.4s, %1.16b, %2.16b" : "+w"(acc) : "w"(a), "w"(b));
  int ok = 1;
  for (int i = 0; i < 4; ++i) ok &= acc[i] == 76;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

void probe_arm64_asimdfhm(void* ctx) {
  // Widening multiply-add of the low four halves: 1.0 + 1.0 * 2.0.
  v4sf acc = v4sf{} + 1.0f;
  v8hi a = v8hi{} + kHalf1, b = v8hi{} + kHalf2;
  __asm__ volatile("fmlal %0.4s, %1.4h, %2.4h" : "+w"(acc) : "w"(a), "w"(b));
  int ok = 1;
  for (int i = 0; i < 4; ++i) ok &= acc[i] == 3.0f;
  static_cast<ProbeCtx*>(ctx)->ok = ok;
}

}  // namespace cpu
}  // namespace armbench

#endif  // __aarch64__
