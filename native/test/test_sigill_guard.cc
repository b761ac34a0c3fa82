// The SIGILL guard: normal return, caught fault, restored disposition, nesting,
// repetition and concurrent use.
#include <signal.h>
#include <string.h>

#include <atomic>
#include <thread>

#include "armbench/sigill_guard.h"
#include "check.h"

namespace {

// An instruction that is undefined on every CPU of the architecture.
void undefined_instruction(void*) {
#if defined(__x86_64__) || defined(__i386__)
  __asm__ volatile("ud2");
#elif defined(__aarch64__)
  __asm__ volatile("udf #0");
#else
  raise(SIGILL);
#endif
}

void returns_normally(void* ctx) { *static_cast<int*>(ctx) = 42; }

std::atomic<int> sentinel_calls{0};
void sentinel(int) { sentinel_calls.fetch_add(1); }

void nested_fault(void* ctx) {
  // The inner guard catches; the outer call then returns normally.
  *static_cast<int*>(ctx) = armbench_run_guarded(undefined_instruction, nullptr);
}

bool sentinel_installed() {
  struct sigaction cur;
  memset(&cur, 0, sizeof cur);
  sigaction(SIGILL, nullptr, &cur);
  return !(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == sentinel;
}

}  // namespace

int main() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = sentinel;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGILL, &sa, nullptr) == 0);

  int value = 0;
  CHECK(armbench_run_guarded(returns_normally, &value) == 0);
  CHECK(value == 42);
  CHECK(sentinel_installed());

  CHECK(armbench_run_guarded(undefined_instruction, nullptr) == 1);
  CHECK(sentinel_installed());
  CHECK(sentinel_calls.load() == 0);

  // A SIGILL outside any guarded call still reaches the previous handler.
  raise(SIGILL);
  CHECK(sentinel_calls.load() == 1);

  int inner = -1;
  CHECK(armbench_run_guarded(nested_fault, &inner) == 0);
  CHECK(inner == 1);
  CHECK(sentinel_installed());

  int caught = 0;
  for (int i = 0; i < 1000; ++i) caught += armbench_run_guarded(undefined_instruction, nullptr);
  CHECK(caught == 1000);

  // Two threads at once: each jumps back into its own call, and the handler stays
  // installed until both are done.
  std::atomic<int> thread_caught{0}, thread_normal{0};
  auto worker = [&] {
    for (int i = 0; i < 500; ++i) {
      thread_caught += armbench_run_guarded(undefined_instruction, nullptr);
      int v = 0;
      if (armbench_run_guarded(returns_normally, &v) == 0 && v == 42) ++thread_normal;
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  CHECK(thread_caught.load() == 1000);
  CHECK(thread_normal.load() == 1000);
  CHECK(sentinel_installed());
  CHECK(sentinel_calls.load() == 1);

  return check::summary("test_sigill_guard");
}
