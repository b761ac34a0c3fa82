// Private to native/src/cpu: what the portable registry needs from the per-arch
// detection files and the per-ISA probe files.
//
// Declarations and plain data only: this header is included by ISA files compiled
// with their own target flags, so any inline function here could be emitted with
// those flags and then shared with baseline code by the linker.
#ifndef ARMBENCH_SRC_CPU_CPU_INTERNAL_H
#define ARMBENCH_SRC_CPU_CPU_INTERNAL_H

#include <stdint.h>

#include "armbench/cpu_features.h"

namespace armbench {
namespace cpu {

// What one detection pass found. Filled once per process by the arch file.
struct Detected {
  bool has[ARMBENCH_FEATURE_COUNT];
};

// A probe body writes here: ok = 1 when the instruction's result is the expected
// one, so a RAN result proves the instruction really executed. value carries
// something the caller wants back (a vector length).
struct ProbeCtx {
  int ok;
  uint64_t value;
};

// A probe body: executes one instruction of a feature; runs only under
// armbench_run_guarded, with ctx pointing at a ProbeCtx.
typedef void (*ProbeBody)(void* ctx);

// Runs body behind the SIGILL guard and turns the outcome into a probe result.
armbench_probe_result run_probe(ProbeBody body);

#if defined(__x86_64__)
void detect_x86(Detected* d);
void identify_x86(armbench_cpu_id* out);
armbench_probe_result probe_x86(armbench_feature f);

// isa_probe_x86_avx2.cc
void probe_x86_fma(void* ctx);
void probe_x86_f16c(void* ctx);
void probe_x86_avx2(void* ctx);
// isa_probe_x86_avx512.cc
void probe_x86_avx512f(void* ctx);
void probe_x86_avx512bw(void* ctx);
void probe_x86_avx512vl(void* ctx);
void probe_x86_avx512_bf16(void* ctx);
void probe_x86_avx512_vnni(void* ctx);
void probe_x86_avx512_fp16(void* ctx);
// isa_probe_x86_avxvnni.cc
void probe_x86_avx_vnni(void* ctx);
#endif

#if defined(__aarch64__)
void detect_arm64(Detected* d);
void identify_arm64(armbench_cpu_id* out);
armbench_probe_result probe_arm64(armbench_feature f);
unsigned arm64_sve_vector_bytes();
unsigned arm64_sme_vector_bytes();

// isa_probe_arm64_neon.cc
void probe_arm64_asimd(void* ctx);
void probe_arm64_fphp(void* ctx);
void probe_arm64_asimdhp(void* ctx);
void probe_arm64_asimddp(void* ctx);
void probe_arm64_asimdfhm(void* ctx);
// isa_probe_arm64_bf16_i8mm.cc
void probe_arm64_bf16(void* ctx);
void probe_arm64_i8mm(void* ctx);
// isa_probe_arm64_sve.cc (probe_arm64_sve also returns the vector length in value)
void probe_arm64_sve(void* ctx);
void probe_arm64_svebf16(void* ctx);
void probe_arm64_svei8mm(void* ctx);
void probe_arm64_svef32mm(void* ctx);
// isa_probe_arm64_sve2.cc
void probe_arm64_sve2(void* ctx);
// isa_probe_arm64_sme.cc (returns the streaming vector length in value)
void probe_arm64_sme(void* ctx);
#endif

}  // namespace cpu
}  // namespace armbench

#endif
