/* The data-cache hierarchy the kernels block for, and the CPUID reading behind it.
 *
 * The library reads its own sizes once (sysfs, else CPUID on x86-64, else labelled
 * defaults); a caller that resolved the hierarchy from better sources (documented
 * per-core sizes, a measured latency curve) hands its sizes down with
 * armbench_set_cache_sizes, so every kernel family blocks for the same figures. */
#ifndef ARMBENCH_CACHE_INFO_H
#define ARMBENCH_CACHE_INFO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum armbench_cache_type {
  ARMBENCH_CACHE_DATA = 1,
  ARMBENCH_CACHE_INSTRUCTION = 2,
  ARMBENCH_CACHE_UNIFIED = 3
} armbench_cache_type;

typedef struct armbench_cache_level {
  int level;
  int type; /* armbench_cache_type */
  uint64_t size_bytes;
  int line_bytes;
  int ways; /* 0: fully associative */
  int shared_by_cpus;
} armbench_cache_level;

/* One recorded CPUID answer. */
typedef struct armbench_cpuid_regs {
  uint32_t leaf, subleaf;
  uint32_t eax, ebx, ecx, edx;
} armbench_cpuid_regs;

/* Decodes the deterministic cache parameters of recorded CPUID answers: leaf 4 on
 * Intel, leaf 0x8000001D on AMD and Hygon (when leaf 0x80000001 declares topology
 * extensions), the vendor from leaf 0. Sharing is the leaf's count of logical CPUs
 * per instance, capped by the package's logical CPUs from the topology leaf 0xB (or
 * leaf 1). A leaf missing from the recording reads as zeros. Writes at most max
 * levels in leaf order; returns how many were found (0: no cache leaves). */
int armbench_decode_cpuid_caches(const armbench_cpuid_regs* regs, int n, armbench_cache_level* out, int max);

/* This CPU's caches from CPUID; 0 on other architectures or without cache leaves. */
int armbench_cpuid_caches(armbench_cache_level* out, int max);

/* The smallest data cache line from a system register (Arm CTR_EL0.DminLine, which
 * Linux lets user space read); 0 where no register tells. */
int armbench_register_dcache_line_bytes(void);

typedef enum armbench_cache_sizes_source {
  ARMBENCH_CACHE_SIZES_SYSFS = 1,
  ARMBENCH_CACHE_SIZES_CPUID = 2,
  ARMBENCH_CACHE_SIZES_DEFAULT = 3,
  ARMBENCH_CACHE_SIZES_CALLER = 4
} armbench_cache_sizes_source;

typedef struct armbench_cache_sizes {
  uint64_t l1d, l2, l3; /* bytes of one instance; l3 = l2 when there is no third level */
  int source;           /* armbench_cache_sizes_source */
} armbench_cache_sizes;

/* The labelled defaults, for a machine where nothing tells (source DEFAULT). */
armbench_cache_sizes armbench_default_cache_sizes(void);

/* The sizes the GEMM and convolution blocking use now. */
armbench_cache_sizes armbench_get_cache_sizes(void);

/* Replaces them (each in [1 KiB, 64 GiB], l1d <= l2 <= l3); -EINVAL otherwise.
 * Call before starting work: kernels read the sizes when they plan. */
int armbench_set_cache_sizes(uint64_t l1d, uint64_t l2, uint64_t l3);

#ifdef __cplusplus
}
#endif

#endif
