/* Arithmetic probes: latency, throughput and peak of one FMA-class instruction form.
 *
 * Each form runs k independent accumulator chains in inline assembly (so the compiler
 * can neither reorder nor fold them) and checks every accumulator afterwards, so an
 * instruction provably ran. One registry lists the forms of the architecture the
 * library was built for; tests, binding and suites all read it. */
#ifndef ARMBENCH_FMA_PROBE_H
#define ARMBENCH_FMA_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/timer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct armbench_fma_form {
  const char* name;      /* unique, e.g. "avx512.vfmadd231ps.zmm", "neon.fmla.4s" */
  const char* isa;       /* "neon", "sve", "fma", "avx512", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16" */
  const char* insn;      /* mnemonic: "fmla", "bfmmla", "vfmadd231ps", ... */
  const char* dtype;     /* input type: "fp32", "fp64", "fp16", "bf16", "int8" */
  unsigned bits;         /* register width in bits (SVE: this CPU's vector length, 0 if unknown; AMX: one 1 KiB tile) */
  unsigned ops;          /* FLOP (or integer OP) per instruction, multiply and add counted apart */
  unsigned max_chains;   /* independent accumulators the register file allows */
  int has_full_chain;    /* 1 when the full chain (result also feeds the multiplicands) exists */
} armbench_fma_form;

/* Forms of this architecture, present on the CPU or not. */
size_t armbench_fma_form_count(void);
/* NULL when i is out of range. `bits` and `ops` of SVE forms follow the vector length. */
const armbench_fma_form* armbench_fma_form_at(size_t i);
/* NULL when the CPU can run form i; otherwise a reason such as "needs bf16". */
const char* armbench_fma_form_unsupported(size_t i);

typedef enum armbench_chain_mode {
  ARMBENCH_CHAIN_ACC = 0,  /* the result feeds only the accumulator: acc += a * b */
  ARMBENCH_CHAIN_FULL = 1  /* the result feeds the multiplicands too: acc += acc * b */
} armbench_chain_mode;

/* `steps` is rounded up to a multiple of this (the same for every k and form), so a
 * request whose steps is a multiple runs exactly steps instructions per chain.
 * Requests above 2^40 steps are rejected with -EINVAL. */
#define ARMBENCH_FMA_STEP_QUANTUM 32u

/* Loop and timer overhead cancel out: each sample times `steps` and 2*`steps`
 * instructions per chain, and the difference is the cost of `steps`.
 *
 * A figure in cycles from time is a ratio of two times, so both are taken together:
 * beside every sample, on the same thread, one core-clock chain runs just before its
 * two runs and the other just after (armbench/timer.h), the order alternating from
 * sample to sample so that neither chain always runs first. */
typedef struct armbench_fma_sample {
  uint64_t ns_n;        /* elapsed ns for steps instructions per chain (fastest of 3 runs) */
  uint64_t ns_2n;       /* elapsed ns for 2*steps (fastest of 3 runs, interleaved with the N runs) */
  uint64_t cycles_n;    /* perf cycles for the same, UINT64_MAX without a counter */
  uint64_t cycles_2n;
  /* Indexed by chain (ARMBENCH_CLOCK_CHAIN_*); all zero (cycles UINT64_MAX) when the
   * request asked for no clock. */
  armbench_clock_sample clock[ARMBENCH_CLOCK_CHAINS];
  unsigned clock_first; /* the chain that ran before the sample's runs */
} armbench_fma_sample;

typedef struct armbench_fma_curve_request {
  size_t form;
  armbench_chain_mode mode;
  const unsigned* chains;  /* the k values to measure, each 1..max_chains */
  size_t n_chains;
  uint64_t steps;          /* N: instructions per chain in the shorter run (rounded up to the unroll) */
  unsigned samples;        /* samples per k (after one untimed warm-up run per k) */
  int cpu;                 /* CPU to pin the measuring thread to; -1: do not pin */
  uint64_t clock_steps;    /* steps of each core-clock chain beside every sample; 0: no clock chains */
} armbench_fma_curve_request;

typedef struct armbench_fma_curve_result {
  unsigned failed_chains;  /* 0 if every run's accumulators were right; else the first k that was wrong */
} armbench_fma_curve_result;

/* Measures every k of req on one pinned thread. out holds n_chains * samples samples,
 * row-major by k. Returns 0; -EINVAL for a bad request; -ENOTSUP when the CPU lacks
 * the form (nothing is executed); another -errno if the thread could not be pinned. */
int armbench_fma_curve(const armbench_fma_curve_request* req, armbench_fma_sample* out,
                       armbench_fma_curve_result* result);

typedef struct armbench_fma_peak_request {
  size_t form;
  unsigned chains;     /* enough independent chains to saturate the pipes */
  uint64_t steps;      /* instructions per chain per thread per timed run */
  unsigned samples;
  int threads;         /* one per CPU in cpus */
  const int* cpus;     /* threads entries */
} armbench_fma_peak_request;

/* Peak: every thread runs the form with `chains` chains, started together by a
 * barrier. out[s] is the wall time of sample s: from the common start to the last
 * thread's end, with the same 2N - N cancellation (ns for steps per chain per thread).
 * Returns as armbench_fma_curve; *checks_ok is 1 when every accumulator was right. */
int armbench_fma_peak(const armbench_fma_peak_request* req, uint64_t* out_ns, int* checks_ok);

#ifdef __cplusplus
}
#endif

#endif
