// Persistent pinned GEMM workers. Threads are created once (armbench_gemm_pool_create)
// and reused by every call: a call publishes a task and bumps a generation counter;
// workers spin briefly on the counter (a GEMM call often follows the previous one
// closely), then sleep on a condition variable. The caller waits for the last worker
// the same way, spin then sleep, so it never keeps a core busy during a long call; and
// when the workers already hold every CPU the process may use, it sleeps at once: its
// spinning would take a core from a worker (measured: ResNet-50 on 2 threads of a
// 2-CPU machine, 65 -> 52 ms).
//
// A pool created with ARMBENCH_GEMM_POOL_CALLER_JOINS has threads - 1 workers, and the
// calling thread runs share 0 of every call itself, then spins for the others: as
// onnxruntime's intra-op pool works. An engine runs dozens of short steps per
// inference, and each wake-up of a sleeping caller costs tens of microseconds in a VM
// (measured: ResNet-50 on one thread here, 77.7 ms through a one-worker pool against
// 75.7 ms on the caller, alternated in one process).
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <vector>

#include "armbench/threads.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ARMBENCH_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define ARMBENCH_CPU_RELAX() __asm__ __volatile__("yield" ::: "memory")
#else
#define ARMBENCH_CPU_RELAX() ((void)0)
#endif

namespace {

// Spin iterations before sleeping: about 20-50 us of pause loops.
constexpr int kSpinBeforeSleep = 1 << 12;
// Inside a barrier, spin this long before yielding the CPU (oversubscribed pools).
constexpr int kBarrierSpin = 1 << 14;

struct Worker {
  armbench_gemm_pool* pool;
  int index;
  int cpu;  // pinned there when pin
  bool pin;
  int pin_error;
  pthread_t tid;
};

}  // namespace

struct armbench_gemm_pool {
  int n = 0;            // threads taking part in a call (the caller too when joins)
  bool joins = false;   // the caller runs share 0
  int nworkers = 0;     // n, or n - 1 when the caller joins
  int caller_spin = 0;  // pause iterations the caller spins before sleeping
  std::vector<Worker> workers;

  std::mutex call_mu;  // one pool_run at a time

  std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable done_cv;
  std::atomic<unsigned long> generation{0};
  std::atomic<int> remaining{0};
  armbench::runtime::PoolTask task = nullptr;
  void* ctx = nullptr;
  bool stop = false;

  // Sense-reversing barrier for pool_barrier.
  std::atomic<int> bar_count{0};
  std::atomic<unsigned> bar_sense{0};

  void* scratch = nullptr;
  size_t scratch_bytes = 0;
};

namespace {

void* worker_main(void* p) {
  Worker* w = static_cast<Worker*>(p);
  armbench_gemm_pool* pool = w->pool;
  if (w->pin) w->pin_error = armbench_pin_current_thread(w->cpu);
  unsigned long seen = 0;
  for (;;) {
    unsigned long gen = pool->generation.load(std::memory_order_acquire);
    for (int i = 0; gen == seen && i < kSpinBeforeSleep; ++i) {
      ARMBENCH_CPU_RELAX();
      gen = pool->generation.load(std::memory_order_acquire);
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(pool->mu);
      pool->work_cv.wait(lock, [&] { return pool->generation.load(std::memory_order_acquire) != seen; });
      gen = pool->generation.load(std::memory_order_acquire);
    }
    seen = gen;
    bool stop;
    {
      // stop, task and ctx are written under mu before the generation bump.
      std::lock_guard<std::mutex> lock(pool->mu);
      stop = pool->stop;
    }
    if (stop) return nullptr;
    pool->task(pool->ctx, w->index + (pool->joins ? 1 : 0), pool->n);
    if (pool->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(pool->mu);
      pool->done_cv.notify_all();
    }
  }
}

void noop_task(void*, int, int) {}

// Publishes a generation (task or stop) and wakes the sleepers.
void publish(armbench_gemm_pool* pool, armbench::runtime::PoolTask task, void* ctx, bool stop) {
  {
    std::lock_guard<std::mutex> lock(pool->mu);
    pool->task = task;
    pool->ctx = ctx;
    pool->stop = stop;
    pool->remaining.store(pool->nworkers, std::memory_order_relaxed);
    pool->generation.fetch_add(1, std::memory_order_release);
  }
  pool->work_cv.notify_all();
}

void wait_done(armbench_gemm_pool* pool) {
  for (int i = 0; i < pool->caller_spin; ++i) {
    if (pool->remaining.load(std::memory_order_acquire) == 0) return;
    ARMBENCH_CPU_RELAX();
  }
  std::unique_lock<std::mutex> lock(pool->mu);
  pool->done_cv.wait(lock, [&] { return pool->remaining.load(std::memory_order_acquire) == 0; });
}

// Stops and joins the first `started` workers.
void stop_workers(armbench_gemm_pool* pool, int started) {
  publish(pool, nullptr, nullptr, true);
  for (int i = 0; i < started; ++i) pthread_join(pool->workers[static_cast<size_t>(i)].tid, nullptr);
}

}  // namespace

namespace armbench {
namespace runtime {

void pool_run(armbench_gemm_pool* pool, PoolTask task, void* ctx) {
  if (pool == nullptr) {
    task(ctx, 0, 1);
    return;
  }
  std::lock_guard<std::mutex> call(pool->call_mu);
  if (pool->nworkers > 0) publish(pool, task, ctx, false);
  if (pool->joins) task(ctx, 0, pool->n);
  if (pool->nworkers > 0) wait_done(pool);
}

void pool_share(size_t count, int index, int threads, size_t* begin, size_t* end) {
  *begin = count * static_cast<size_t>(index) / static_cast<size_t>(threads);
  *end = count * static_cast<size_t>(index + 1) / static_cast<size_t>(threads);
}

void pool_barrier(armbench_gemm_pool* pool) {
  if (pool == nullptr || pool->n <= 1) return;
  const unsigned sense = pool->bar_sense.load(std::memory_order_relaxed);
  if (pool->bar_count.fetch_add(1, std::memory_order_acq_rel) == pool->n - 1) {
    pool->bar_count.store(0, std::memory_order_relaxed);
    pool->bar_sense.store(sense + 1, std::memory_order_release);
    return;
  }
  int spins = 0;
  while (pool->bar_sense.load(std::memory_order_acquire) == sense) {
    if (++spins < kBarrierSpin) {
      ARMBENCH_CPU_RELAX();
    } else {
      sched_yield();
    }
  }
}

void* pool_scratch(armbench_gemm_pool* pool, size_t bytes) {
  if (pool == nullptr) return nullptr;
  if (bytes <= pool->scratch_bytes) return pool->scratch;
  free(pool->scratch);
  pool->scratch = nullptr;
  pool->scratch_bytes = 0;
  const size_t rounded = (bytes + 4095) / 4096 * 4096;
  void* p = aligned_alloc(4096, rounded);
  if (p == nullptr) return nullptr;
  pool->scratch = p;
  pool->scratch_bytes = rounded;
  return p;
}

}  // namespace runtime
}  // namespace armbench

extern "C" int armbench_gemm_pool_create(int threads, const int* cpus, armbench_gemm_pool** out) {
  return armbench_gemm_pool_create_ex(threads, cpus, 0, out);
}

extern "C" int armbench_gemm_pool_create_ex(int threads, const int* cpus, unsigned flags, armbench_gemm_pool** out) {
  if (out == nullptr || (flags & ~ARMBENCH_GEMM_POOL_CALLER_JOINS) != 0) return -EINVAL;
  *out = nullptr;
  if (threads <= 0 || threads > 4096) return -EINVAL;
  armbench_gemm_pool* pool = new (std::nothrow) armbench_gemm_pool;
  if (pool == nullptr) return -ENOMEM;
  pool->n = threads;
  pool->joins = (flags & ARMBENCH_GEMM_POOL_CALLER_JOINS) != 0;
  pool->nworkers = pool->joins ? threads - 1 : threads;
  int allowed[4096];
  // A joining caller has a CPU of its own to spin on while the last workers finish.
  pool->caller_spin = pool->joins || threads < armbench_allowed_cpus(allowed, 4096) ? kSpinBeforeSleep : 0;
  const int first = pool->joins ? 1 : 0;  // cpus[0] is the caller's share, not pinned
  try {
    pool->workers.resize(static_cast<size_t>(pool->nworkers));
  } catch (const std::bad_alloc&) {
    delete pool;
    return -ENOMEM;
  }
  int started = 0;
  int rc = 0;
  for (; started < pool->nworkers; ++started) {
    Worker& w = pool->workers[static_cast<size_t>(started)];
    w = Worker{pool, started, cpus ? cpus[started + first] : -1, cpus != nullptr, 0, pthread_t{}};
    rc = pthread_create(&w.tid, nullptr, worker_main, &w);
    if (rc != 0) break;
  }
  if (started < pool->nworkers) {
    // Fewer workers than the pool size: publish() counts n, so run nothing, just stop.
    stop_workers(pool, started);
    delete pool;
    return -rc;
  }
  // One empty task: every worker has pinned itself once it has run.
  armbench::runtime::pool_run(pool, noop_task, nullptr);
  for (const Worker& w : pool->workers) {
    if (w.pin_error != 0) {
      const int err = w.pin_error;
      stop_workers(pool, started);
      delete pool;
      return err;
    }
  }
  *out = pool;
  return 0;
}

extern "C" int armbench_gemm_pool_threads(const armbench_gemm_pool* pool) { return pool ? pool->n : 1; }

extern "C" void armbench_gemm_pool_destroy(armbench_gemm_pool* pool) {
  if (pool == nullptr) return;
  {
    std::lock_guard<std::mutex> call(pool->call_mu);
    stop_workers(pool, pool->nworkers);
  }
  free(pool->scratch);
  delete pool;
}
