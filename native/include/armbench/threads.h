/* Pinned worker threads: every measurement runs on a thread bound to one CPU. */
#ifndef ARMBENCH_THREADS_H
#define ARMBENCH_THREADS_H

#ifdef __cplusplus
extern "C" {
#endif

/* The CPUs this process may run on (sched_getaffinity), ascending, at most `max`.
 * Returns how many were written. */
int armbench_allowed_cpus(int* cpus, int max);

/* Sets the affinity of every thread of this process (each task of /proc/self/task) to
 * the n CPUs given: the threads it has now and, through inheritance, those they create
 * later run only there. 0, or -errno (-ENOSYS where there is no /proc/self/task). */
int armbench_confine_process(const int* cpus, int n);

/* Binds the calling thread to one CPU: 0, or -errno. */
int armbench_pin_current_thread(int cpu);

typedef struct armbench_team armbench_team;

/* Blocks until every thread of the team has called it (a reusable barrier), so that
 * timed sections start together. */
void armbench_team_barrier(armbench_team* team);

/* Runs fn(ctx, index, team) on n new threads, thread i pinned to cpus[i] (cpus NULL:
 * not pinned), and returns when all have finished. Returns 0, or -errno when a thread
 * could not be created or pinned (then fn ran on none of them). */
int armbench_run_team(int n, const int* cpus, void (*fn)(void* ctx, int index, armbench_team* team), void* ctx);

#ifdef __cplusplus
}
#endif

#endif
