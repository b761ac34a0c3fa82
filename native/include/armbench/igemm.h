/* Integer GEMM: C (int32) = A (uint8 or int8) * B (int8), row-major, exact, optionally
 * accumulated into C. The Goto/BLIS structure of gemm.h (packed panels, cache blocking,
 * a register-blocked microkernel per ISA chosen at run time, the same persistent pool),
 * with dot-product instructions: VPDPBUSD (x86 AVX512-VNNI, uint8 x int8), SDOT (Arm
 * asimddp, int8 x int8), SMMLA (Arm i8mm, int8 x int8).
 *
 * A kernel whose instruction wants the other type of A than the caller's gets A shifted
 * by 128 while it is packed (int8 + 128 is uint8, uint8 - 128 is int8: one bit flipped)
 * and 128 * colsum(B) added back, or taken off, per column of C. The column sums of B
 * are computed when B is packed; a later zero point of A uses the same sums.
 *
 * Exactness: every sum is taken modulo 2^32 (the instructions wrap, none saturates), so
 * C is exact whenever the true result fits in int32; |A(i,p) * B(p,j)| <= 255 * 128,
 * so any k <= 65793 is safe for every input (k <= 131071 with int8 A). */
#ifndef ARMBENCH_IGEMM_H
#define ARMBENCH_IGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum armbench_igemm_a_type {
  ARMBENCH_IGEMM_A_S8 = 0, /* A holds int8_t */
  ARMBENCH_IGEMM_A_U8 = 1  /* A holds uint8_t */
} armbench_igemm_a_type;

/* One microkernel of the integer registry. */
typedef struct armbench_igemm_kernel {
  const char* name;                /* e.g. "s8_ref_4x4", "u8s8_avx512vnni_12x32", "s8_smmla_8x12" */
  const char* isa;                 /* "ref", "avx2", "avx512vnni", "sdot", "smmla" */
  unsigned mr, nr;                 /* register tile */
  unsigned kr;                     /* k interleave of the packed panels: 2 (VPMADDWD pairs), 4 (dots of 4), 8 (SMMLA 2x8) */
  armbench_igemm_a_type a_native;  /* the A type its instruction takes; the other is shifted */
} armbench_igemm_kernel;

size_t armbench_igemm_kernel_count(void);
const armbench_igemm_kernel* armbench_igemm_kernel_at(size_t i); /* NULL when out of range */
/* NULL when this CPU can run kernel i; otherwise why not ("needs i8mm"). */
const char* armbench_igemm_kernel_unsupported(size_t i);
/* The kernel armbench uses on this CPU: the best supported one (the reference when
 * there is nothing better). */
size_t armbench_igemm_default_kernel(void);

/* Blocking for kernel i from this CPU's caches, as armbench_gemm_blocking_for does for
 * the floating-point kernels (all zero for an unknown kernel). */
void armbench_igemm_blocking_for(size_t kernel, armbench_gemm_blocking* out);

typedef struct armbench_igemm_args {
  size_t kernel;                 /* registry index */
  armbench_igemm_a_type a_type;  /* what a holds */
  size_t m, n, k;
  int beta;                      /* 0: C = A * B, C not read; 1: C += A * B; nothing else */
  const void* a;                 /* m x k, row-major, lda >= k */
  size_t lda;
  const int8_t* b;               /* k x n, row-major, ldb >= n */
  size_t ldb;
  int32_t* c;                    /* m x n, row-major, ldc >= n */
  size_t ldc;
  const armbench_gemm_blocking* blocking; /* NULL: from this CPU's caches */
} armbench_igemm_args;

/* pool NULL: the calling thread alone. Returns 0, -EINVAL (a NULL pointer that would be
 * read or written, a stride shorter than its row, a span past size_t, a bad a_type or
 * beta, an unknown kernel, a blocking with a zero field), -ENOTSUP (kernel unsupported
 * on this CPU; nothing executed) or -ENOMEM. m == 0 or n == 0: nothing to do (0);
 * k == 0: C = beta * C, A and B not read. */
int armbench_igemm(armbench_gemm_pool* pool, const armbench_igemm_args* args);

/* B packed once for a kernel and reused by many calls (weights), with its column sums.
 * The packed copy does not refer to b afterwards. */
typedef struct armbench_igemm_packed_b armbench_igemm_packed_b;
int armbench_igemm_pack_b(size_t kernel, size_t k, size_t n, const int8_t* b, size_t ldb,
                          const armbench_gemm_blocking* blocking, armbench_igemm_packed_b** out);
void armbench_igemm_packed_b_free(armbench_igemm_packed_b* packed);
/* sum over p of B(p, j), j < n (the n of the packed B); NULL for packed NULL. */
const int32_t* armbench_igemm_packed_b_colsums(const armbench_igemm_packed_b* packed);
/* As armbench_igemm, with kernel, k, n, B and blocking taken from packed (args->kernel,
 * b, ldb and blocking are ignored; args->k and args->n must match, else -EINVAL). */
int armbench_igemm_packed(armbench_gemm_pool* pool, const armbench_igemm_args* args,
                          const armbench_igemm_packed_b* packed);

#ifdef __cplusplus
}
#endif

#endif
