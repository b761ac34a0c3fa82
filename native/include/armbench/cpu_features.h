/* CPU identification and ISA feature detection: the C ABI.
 *
 * Detection reads what the CPU and the kernel declare (cpuid/xgetbv on x86-64,
 * getauxval(AT_HWCAP/AT_HWCAP2) on aarch64); it never executes an instruction on a
 * guess. armbench_probe_feature() is the separate, guarded check that an instruction
 * of the feature really runs. */
#ifndef ARMBENCH_CPU_FEATURES_H
#define ARMBENCH_CPU_FEATURES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum armbench_arch {
  ARMBENCH_ARCH_OTHER = 0,
  ARMBENCH_ARCH_X86_64 = 1,
  ARMBENCH_ARCH_AARCH64 = 2
} armbench_arch;

/* The one list of features armbench knows: X(ID, "name", ARCH).
 * Names are the Linux /proc/cpuinfo flag names, so results read like the kernel's. */
#define ARMBENCH_FEATURE_LIST(X)                              \
  X(FMA, "fma", ARMBENCH_ARCH_X86_64)                         \
  X(F16C, "f16c", ARMBENCH_ARCH_X86_64)                       \
  X(AVX2, "avx2", ARMBENCH_ARCH_X86_64)                       \
  X(AVX512F, "avx512f", ARMBENCH_ARCH_X86_64)                 \
  X(AVX512BW, "avx512bw", ARMBENCH_ARCH_X86_64)               \
  X(AVX512VL, "avx512vl", ARMBENCH_ARCH_X86_64)               \
  X(AVX512_BF16, "avx512_bf16", ARMBENCH_ARCH_X86_64)         \
  X(AVX512_VNNI, "avx512_vnni", ARMBENCH_ARCH_X86_64)         \
  X(AVX_VNNI, "avx_vnni", ARMBENCH_ARCH_X86_64)               \
  X(AVX512_FP16, "avx512_fp16", ARMBENCH_ARCH_X86_64)         \
  X(AMX_TILE, "amx_tile", ARMBENCH_ARCH_X86_64)               \
  X(AMX_BF16, "amx_bf16", ARMBENCH_ARCH_X86_64)               \
  X(AMX_INT8, "amx_int8", ARMBENCH_ARCH_X86_64)               \
  X(ASIMD, "asimd", ARMBENCH_ARCH_AARCH64)                    \
  X(FPHP, "fphp", ARMBENCH_ARCH_AARCH64)                      \
  X(ASIMDHP, "asimdhp", ARMBENCH_ARCH_AARCH64)                 \
  X(ASIMDDP, "asimddp", ARMBENCH_ARCH_AARCH64)                 \
  X(ASIMDFHM, "asimdfhm", ARMBENCH_ARCH_AARCH64)               \
  X(BF16, "bf16", ARMBENCH_ARCH_AARCH64)                      \
  X(EBF16, "ebf16", ARMBENCH_ARCH_AARCH64)                    \
  X(I8MM, "i8mm", ARMBENCH_ARCH_AARCH64)                      \
  X(SVE, "sve", ARMBENCH_ARCH_AARCH64)                        \
  X(SVE2, "sve2", ARMBENCH_ARCH_AARCH64)                      \
  X(SVEBF16, "svebf16", ARMBENCH_ARCH_AARCH64)                \
  X(SVEI8MM, "svei8mm", ARMBENCH_ARCH_AARCH64)                \
  X(SVEF32MM, "svef32mm", ARMBENCH_ARCH_AARCH64)              \
  X(SME, "sme", ARMBENCH_ARCH_AARCH64)

typedef enum armbench_feature {
#define ARMBENCH_FEATURE_ENUM(id, name, arch) ARMBENCH_FEATURE_##id,
  ARMBENCH_FEATURE_LIST(ARMBENCH_FEATURE_ENUM)
#undef ARMBENCH_FEATURE_ENUM
  ARMBENCH_FEATURE_COUNT
} armbench_feature;

/* The architecture this library was built for. */
armbench_arch armbench_host_arch(void);
const char* armbench_arch_name(armbench_arch arch); /* "x86_64", "aarch64", "other" */

const char* armbench_feature_name(armbench_feature f);
armbench_arch armbench_feature_arch(armbench_feature f);
/* ARMBENCH_FEATURE_COUNT when the name is unknown. */
armbench_feature armbench_feature_from_name(const char* name);

/* 1 when the CPU and OS declare the feature usable, 0 otherwise (always 0 for a
 * feature of another architecture). The first call detects; later calls are cheap. */
int armbench_cpu_has(armbench_feature f);

/* Linux arms XFD for AMX tile data: every tile instruction faults until the process
 * has asked for it. The first call asks (arch_prctl(ARCH_REQ_XCOMP_PERM,
 * XFEATURE_XTILEDATA)), which grants it to the whole process for good (later signal
 * frames carry room for the tiles); it can be refused, e.g. when a thread's
 * sigaltstack is too small. NULL when granted, else the reason. Call it only once
 * cpuid and XCR0 say AMX is there: the request changes the process. */
const char* armbench_amx_tile_permission(void);

/* SVE / SME (streaming) vector length in bytes for this thread, 0 without the feature. */
unsigned armbench_sve_vector_bytes(void);
unsigned armbench_sme_vector_bytes(void);

typedef enum armbench_probe_result {
  ARMBENCH_PROBE_RAN = 1,      /* the instruction executed */
  ARMBENCH_PROBE_SIGILL = 0,   /* it raised SIGILL, caught by the guard */
  ARMBENCH_PROBE_NONE = -1,    /* no probe for this feature on this architecture */
  ARMBENCH_PROBE_WRONG = 2     /* it executed but computed a wrong answer */
} armbench_probe_result;

/* Executes one instruction of the feature's class behind a SIGILL guard, so a
 * CPU that lacks it reports "unsupported" instead of killing the process. */
armbench_probe_result armbench_probe_feature(armbench_feature f);

typedef struct armbench_cpu_id {
  char vendor[16];     /* x86: cpuid vendor string; aarch64: "" */
  char brand[64];      /* x86: cpuid brand string; aarch64: "" */
  unsigned family;     /* x86 display family (base + extended) */
  unsigned model;      /* x86 display model (base + extended) */
  unsigned stepping;
  int hypervisor;      /* x86: cpuid.1:ECX[31]; -1 when the architecture cannot tell */
  uint64_t midr;       /* aarch64 MIDR_EL1 of the calling CPU (0 if unreadable) */
} armbench_cpu_id;

void armbench_cpu_identify(armbench_cpu_id* out);

#ifdef __cplusplus
}
#endif

#endif
