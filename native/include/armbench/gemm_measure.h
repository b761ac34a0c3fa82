/* Measuring one GEMM case: random non-zero operands, the answer checked against a
 * double-accumulated reference before anything is timed, then timed cold or warm. */
#ifndef ARMBENCH_GEMM_MEASURE_H
#define ARMBENCH_GEMM_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/gemm.h"
#include "armbench/igemm.h"
#include "armbench/peers.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct armbench_gemm_case {
  armbench_gemm_dtype dtype;
  size_t kernel;       /* armbench kernel when peer is NULL: an index of the gemm registry (its
                          dtype must match), or of the igemm registry for ARMBENCH_GEMM_INT8 */
  armbench_igemm_a_type a_type; /* int8: what A holds (B is int8, C int32); unused otherwise */
  armbench_peer* peer; /* or a peer library that runs the same case */
  size_t m, n, k;
  int trans_a, trans_b;
  int warm;            /* 0: cold, operands rotated through copies larger than the LLC; 1: reused */
  uint64_t seed;
  unsigned samples;
  uint64_t min_sample_ns; /* each sample repeats the call until at least this long */
  armbench_gemm_blocking blocking; /* armbench kernels: all zero for the kernel's own blocking,
                                      else mc, kc and nc (each > 0; rounded as armbench_gemm does) */
  /* int8: trans_a and trans_b must be 0 (armbench_igemm takes row-major A and B only), and
   * k at most 65793, the depth at which no uint8 x int8 sum can leave int32. */
} armbench_gemm_case;

/* fp32/bf16: against a double-accumulated reference within a bound; int8: against an
 * int64 reference, exactly (bound 0: every checked entry equal). */
typedef struct armbench_gemm_check {
  size_t checked;        /* C entries compared with the reference */
  double max_abs_err;
  double max_rel_err;    /* max |C - ref| / sum_k |a_ik b_kj| over checked entries */
  double bound;          /* the allowed max_rel_err for this K and dtype */
  double zero_fraction;  /* share of exactly-zero entries of C (a mostly-zero C proves nothing) */
  double bf16_drift;     /* bf16 only: max rel. difference from the product of the fp32 inputs */
  int passed;            /* max_rel_err <= bound and zero_fraction < 0.5 */
} armbench_gemm_check;

typedef struct armbench_gemm_timing {
  uint64_t ns;        /* one sample: elapsed ns ... */
  uint64_t calls;     /* ... for this many calls */
} armbench_gemm_timing;

/* Runs case c on pool (NULL: calling thread; ignored for a peer, which uses its own
 * threads). out holds c->samples timings. Returns 0
 * (check->passed says whether it was timed: a failed check times nothing), -EINVAL,
 * -ENOTSUP, -ENOMEM. */
int armbench_gemm_measure(armbench_gemm_pool* pool, const armbench_gemm_case* c, armbench_gemm_check* check,
                          armbench_gemm_timing* out);

#ifdef __cplusplus
}
#endif

#endif
