/* Runs code that may use an instruction the CPU lacks. */
#ifndef ARMBENCH_SIGILL_GUARD_H
#define ARMBENCH_SIGILL_GUARD_H

#ifdef __cplusplus
extern "C" {
#endif

/* Calls fn(ctx) on the calling thread with a temporary SIGILL handler installed.
 * Returns 0 when fn returned, 1 when it raised SIGILL (fn is abandoned at the faulting
 * instruction, so it must hold no locks and own no heap memory). The previous SIGILL
 * disposition is restored before returning. Safe to call from several threads. */
int armbench_run_guarded(void (*fn)(void* ctx), void* ctx);

#ifdef __cplusplus
}
#endif

#endif
