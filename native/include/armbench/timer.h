/* Time and cycles: the one native module that reads clocks. */
#ifndef ARMBENCH_TIMER_H
#define ARMBENCH_TIMER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic nanoseconds (CLOCK_MONOTONIC_RAW where available: no NTP slewing). */
uint64_t armbench_now_ns(void);
/* Resolution the OS reports for that clock, in ns. */
uint64_t armbench_clock_resolution_ns(void);

/* A fixed-rate reference counter: rdtsc on x86-64, CNTVCT_EL0 on aarch64.
 * It counts at a constant rate, not in core cycles. */
typedef struct armbench_ref_counter {
  const char* name;  /* "tsc", "cntvct" or "none" */
  double hz;         /* measured (tsc) or read from CNTFRQ_EL0 (cntvct); 0 for none */
  int invariant;     /* 1 when the rate does not follow the core clock */
} armbench_ref_counter;

/* Fills info; for the TSC this measures its rate against armbench_now_ns for about
 * min_ns nanoseconds. */
void armbench_ref_counter_info(armbench_ref_counter* info, uint64_t min_ns);
uint64_t armbench_ref_counter_read(void);

/* Core cycles of the calling thread from perf_event_open (user space only). */
typedef struct armbench_perf_cycles {
  int fd; /* -1 when closed or unavailable */
} armbench_perf_cycles;

/* 0 on success; otherwise -errno, with a one-line reason in why (may be NULL). */
int armbench_perf_cycles_open(armbench_perf_cycles* pc, char* why, size_t why_len);
/* Cycles counted since open; UINT64_MAX on a read failure. */
uint64_t armbench_perf_cycles_read(const armbench_perf_cycles* pc);
void armbench_perf_cycles_close(armbench_perf_cycles* pc);

/* Core-clock chains. A dependent chain of one-cycle instructions runs one step per
 * cycle, so steps per second is the clock; but a core may run a chain faster than its
 * documented latency (Golden Cove and later fold `add reg, small immediate` at rename
 * and run such a chain at up to 5 per cycle), so the clock is read from two chains of
 * different instruction kinds, each one cycle on every documented core, and trusted
 * only where they agree. Neither chain uses an immediate.
 *
 *   ARMBENCH_CLOCK_CHAIN_ADD  x86-64: add r64, r64      aarch64: add x, x, x
 *   ARMBENCH_CLOCK_CHAIN_ALT  x86-64: not r64; neg r64  aarch64: csinc x, x, x, eq (eq false)
 *
 * x86 latencies: 1 cycle for add/not/neg r64 on every Intel core since P6 and AMD
 * Zen 1-5 (uops.info; AMD family 17h/19h/1Ah optimization guides). AArch64: ALU basic
 * and conditional select are 1 cycle on Neoverse N1/V1/N2/V2 (Arm Software
 * Optimization Guides, integer instruction tables) and on A64FX (LLVM
 * AArch64SchedA64FX.td, WriteI). ASIMD integer adds are 2 cycles on Neoverse, so both
 * AArch64 chains stay in the integer pipes. */
#define ARMBENCH_CLOCK_CHAIN_ADD 0u
#define ARMBENCH_CLOCK_CHAIN_ALT 1u
#define ARMBENCH_CLOCK_CHAINS 2u
/* Steps run per loop iteration: a request runs a multiple of this. */
#define ARMBENCH_CLOCK_CHAIN_QUANTUM 100u

/* "add" / "not-neg" / "csinc"; NULL for an unknown chain. */
const char* armbench_clock_chain_name(unsigned chain);
/* The instruction(s), e.g. "add r64, r64"; NULL for an unknown chain. */
const char* armbench_clock_chain_insn(unsigned chain);

typedef struct armbench_clock_sample {
  uint64_t steps;  /* dependent instructions the chain's final value proves ran */
  uint64_t ns;     /* elapsed, >= 1 */
  uint64_t cycles; /* perf cycles over the same run; UINT64_MAX without a counter */
} armbench_clock_sample;

/* Runs chain `chain` for `steps` (rounded up to the quantum; at most 2^40) on the
 * calling thread, counting perf cycles when pc is an open counter (NULL: none).
 * Returns 0, or -EINVAL for a bad argument (out is then left as it was). */
int armbench_clock_chain_run(unsigned chain, uint64_t steps, const armbench_perf_cycles* pc,
                             armbench_clock_sample* out);

/* `rounds` rounds on one thread pinned to `cpu` (-1: not pinned), after an untimed
 * warm-up; every round runs each chain once, the order alternating from round to
 * round so that neither chain always runs first. out[r * ARMBENCH_CLOCK_CHAINS + chain].
 * Counts perf cycles when the thread can open a counter. Returns 0, -EINVAL, or -errno
 * when the thread could not be pinned. */
int armbench_clock_chains_on_cpu(int cpu, uint64_t steps, unsigned rounds, armbench_clock_sample* out);

#ifdef __cplusplus
}
#endif

#endif
