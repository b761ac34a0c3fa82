/* GEMM: C = alpha * op(A) * op(B) + beta * C, row-major, fp32 (sgemm) or bf16 inputs
 * with fp32 accumulation and output (sbgemm). Goto/BLIS structure: packed panels of A
 * and B, cache blocking from the detected cache sizes, a register-blocked microkernel
 * per ISA chosen at run time, persistent pinned workers. */
#ifndef ARMBENCH_GEMM_H
#define ARMBENCH_GEMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum armbench_gemm_dtype {
  ARMBENCH_GEMM_F32 = 0,  /* fp32 A and B */
  ARMBENCH_GEMM_BF16 = 1, /* bf16 A and B (uint16_t bit patterns), fp32 C */
  ARMBENCH_GEMM_INT8 = 2  /* 8-bit integer A (uint8 or int8) and B (int8), int32 C:
                             armbench/igemm.h's kernels, for measurements and peers only;
                             no kernel of this registry computes it */
} armbench_gemm_dtype;

/* One microkernel of the registry. */
typedef struct armbench_gemm_kernel {
  const char* name;      /* e.g. "f32_avx512_12x32", "bf16_bfmmla_8x12", "f32_ref_4x4" */
  const char* isa;       /* "ref", "avx2", "avx512", "avx512_bf16", "neon", "sve", "bfmmla", "bfdot" */
  armbench_gemm_dtype dtype;
  unsigned mr, nr;       /* register tile */
  unsigned kr;           /* k interleave of the packed panels: 1 (fp32), 2 (dot pairs), 4 (bfmmla) */
} armbench_gemm_kernel;

size_t armbench_gemm_kernel_count(void);
const armbench_gemm_kernel* armbench_gemm_kernel_at(size_t i); /* NULL when out of range */
/* NULL when this CPU can run kernel i; otherwise why not ("needs bf16"). */
const char* armbench_gemm_kernel_unsupported(size_t i);
/* The kernel armbench uses for dtype on this CPU: the best supported one (the
 * reference when there is nothing better). */
size_t armbench_gemm_default_kernel(armbench_gemm_dtype dtype);

typedef struct armbench_gemm_blocking {
  size_t mc, kc, nc; /* rows of A, depth, columns of B per cache block */
} armbench_gemm_blocking;

/* Blocking for kernel i from this CPU's caches (sysfs): the B micro-panel (kc x nr)
 * in L1, the A block (mc x kc) in L2, the B block (kc x nc) in L3. */
void armbench_gemm_blocking_for(size_t kernel, armbench_gemm_blocking* out);

/* Persistent workers, thread i pinned to cpus[i] (cpus NULL: unpinned), created once
 * and reused by every call: no thread is created per GEMM. */
typedef struct armbench_gemm_pool armbench_gemm_pool;
int armbench_gemm_pool_create(int threads, const int* cpus, armbench_gemm_pool** out);
/* ARMBENCH_GEMM_POOL_CALLER_JOINS: the thread making each call runs thread 0's share
 * itself, unpinned (cpus[0] unused), beside threads - 1 pinned workers, as
 * onnxruntime's intra-op pool does: no wake-up of a sleeping caller per call, which an
 * engine running dozens of short steps per inference would pay at every step. The
 * measured suites keep every thread pinned (flags 0). -EINVAL for an unknown flag. */
#define ARMBENCH_GEMM_POOL_CALLER_JOINS 1u
int armbench_gemm_pool_create_ex(int threads, const int* cpus, unsigned flags, armbench_gemm_pool** out);
int armbench_gemm_pool_threads(const armbench_gemm_pool* pool);
void armbench_gemm_pool_destroy(armbench_gemm_pool* pool);

typedef struct armbench_gemm_args {
  size_t kernel;          /* registry index; its dtype says what a and b hold */
  int trans_a, trans_b;   /* 0: A is m x k (row-major, lda >= k); 1: A is stored k x m (lda >= m) */
  size_t m, n, k;
  float alpha, beta;      /* beta == 0: C is written without being read */
  const void* a;
  size_t lda;
  const void* b;
  size_t ldb;
  float* c;
  size_t ldc;
  const armbench_gemm_blocking* blocking; /* NULL: armbench_gemm_blocking_for(kernel) */
} armbench_gemm_args;

/* What armbench_gemm would run for args, without running it: the kernel's name, or
 * the path that stands in for it at this shape ("gemv_f32_avx512" for m or n == 1,
 * the narrow companion for small n, ", A read in place" when A is not packed). A static
 * per-thread string; NULL for an unknown kernel. */
const char* armbench_gemm_path(const armbench_gemm_args* args);

/* pool NULL: the calling thread alone. Returns 0, -EINVAL (bad sizes or strides),
 * -ENOTSUP (kernel unsupported on this CPU; nothing executed) or -ENOMEM. */
int armbench_gemm(armbench_gemm_pool* pool, const armbench_gemm_args* args);

/* op(B) packed once for a kernel and reused by many calls (weights, like a primitive
 * cache). The packed copy does not refer to b afterwards. */
typedef struct armbench_gemm_packed_b armbench_gemm_packed_b;
int armbench_gemm_pack_b(size_t kernel, int trans_b, size_t k, size_t n, const void* b, size_t ldb,
                         const armbench_gemm_blocking* blocking, armbench_gemm_packed_b** out);
void armbench_gemm_packed_b_free(armbench_gemm_packed_b* packed);
/* As armbench_gemm, with kernel, k, n and B taken from packed (args->b, ldb, trans_b,
 * kernel and blocking are ignored; args->k and args->n must match). */
int armbench_gemm_packed(armbench_gemm_pool* pool, const armbench_gemm_args* args, const armbench_gemm_packed_b* packed);

#ifdef __cplusplus
}
#endif

#endif
