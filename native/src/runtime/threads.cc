// Pinned worker teams. Threads are created per team run: measurements are long
// (milliseconds and up), so creation cost never lands inside a timed section, and
// no thread outlives the call that needed it.
#include "armbench/threads.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <vector>

struct armbench_team {
  pthread_barrier_t barrier;
};

extern "C" int armbench_allowed_cpus(int* cpus, int max) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  int n = 0;
  for (int c = 0; c < CPU_SETSIZE && n < max; ++c) {
    if (CPU_ISSET(c, &set)) cpus[n++] = c;
  }
  return n;
}

extern "C" int armbench_confine_process(const int* cpus, int n) {
  if (cpus == nullptr || n <= 0) return -EINVAL;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int i = 0; i < n; ++i) {
    if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE) return -EINVAL;
    CPU_SET(cpus[i], &set);
  }
  // Twice: a thread created during the first pass by one not yet confined inherits the
  // old mask; the second pass finds it. A thread that exits meanwhile (ESRCH) is no error.
  for (int pass = 0; pass < 2; ++pass) {
    DIR* dir = opendir("/proc/self/task");
    if (dir == nullptr) return -ENOSYS;
    int rc = 0;
    while (const dirent* e = readdir(dir)) {
      char* end = nullptr;
      const long tid = strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0' || tid <= 0) continue;
      if (sched_setaffinity(static_cast<pid_t>(tid), sizeof set, &set) != 0 && errno != ESRCH && rc == 0) rc = -errno;
    }
    closedir(dir);
    if (rc != 0) return rc;
  }
  return 0;
}

extern "C" int armbench_pin_current_thread(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  return rc == 0 ? 0 : -rc;
}

extern "C" void armbench_team_barrier(armbench_team* team) { pthread_barrier_wait(&team->barrier); }

namespace {

// Start gate: workers pin themselves, report in, and wait for "go" or "abort", so a
// team where any thread failed to start or pin never runs fn at all.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int reported = 0;
  int state = 0;  // 0 waiting, 1 go, 2 abort
};

struct Worker {
  void (*fn)(void*, int, armbench_team*);
  void* ctx;
  armbench_team* team;
  int index;
  int cpu;
  int pin_error;
  Gate* gate;
};

void* worker_main(void* p) {
  auto* w = static_cast<Worker*>(p);
  if (w->cpu >= 0) w->pin_error = armbench_pin_current_thread(w->cpu);
  int state;
  {
    std::unique_lock<std::mutex> lock(w->gate->mu);
    w->gate->reported++;
    w->gate->cv.notify_all();
    w->gate->cv.wait(lock, [w] { return w->gate->state != 0; });
    state = w->gate->state;
  }
  if (state == 1) w->fn(w->ctx, w->index, w->team);
  return nullptr;
}

}  // namespace

extern "C" int armbench_run_team(int n, const int* cpus, void (*fn)(void*, int, armbench_team*), void* ctx) {
  if (n <= 0 || fn == nullptr) return -EINVAL;
  armbench_team team;
  pthread_barrier_init(&team.barrier, nullptr, static_cast<unsigned>(n));
  Gate gate;
  std::vector<Worker> workers(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) workers[i] = Worker{fn, ctx, &team, i, cpus ? cpus[i] : -1, 0, &gate};
  std::vector<pthread_t> tids(static_cast<size_t>(n));
  int created = 0;
  int rc = 0;
  for (; created < n; ++created) {
    rc = pthread_create(&tids[created], nullptr, worker_main, &workers[created]);
    if (rc != 0) break;
  }
  int result = created < n ? -rc : 0;
  {
    std::unique_lock<std::mutex> lock(gate.mu);
    gate.cv.wait(lock, [&] { return gate.reported == created; });
    for (int i = 0; i < created && result == 0; ++i) result = workers[i].pin_error;
    gate.state = result == 0 ? 1 : 2;
    gate.cv.notify_all();
  }
  for (int i = 0; i < created; ++i) pthread_join(tids[i], nullptr);
  pthread_barrier_destroy(&team.barrier);
  return result;
}
