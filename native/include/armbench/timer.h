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

/* One estimate of the core clock in Hz: a dependent chain of `adds` single-cycle
 * integer additions, timed with armbench_now_ns. Call it several times and take a
 * robust statistic: a single sample can be cut by preemption. */
double armbench_estimate_core_hz(uint64_t adds);

/* `samples` estimates as above, taken on a thread pinned to `cpu` (-1: not pinned),
 * written to out_hz. Returns 0, or -errno when the thread could not be pinned. */
int armbench_estimate_core_hz_on_cpu(int cpu, uint64_t adds, unsigned samples, double* out_hz);

#ifdef __cplusplus
}
#endif

#endif
