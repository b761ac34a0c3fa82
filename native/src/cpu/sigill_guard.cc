// A SIGILL guard: the handler jumps back to the guarded call's sigsetjmp.
//
// The handler is process-wide but the jump buffer is per thread, so the handler is
// installed while at least one guarded call is running anywhere (reference count)
// and the previous disposition comes back when the last one ends. Installing and
// restoring per call would let one thread put back the old handler while another
// is still inside its guarded call.
#include "armbench/sigill_guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

namespace {

// A plain pointer: no constructor, so no TLS wrapper runs in the signal handler.
thread_local sigjmp_buf* t_jump = nullptr;

pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
int g_users = 0;                // guarded calls in progress, all threads
struct sigaction g_previous;    // the disposition to restore, valid while g_users > 0

// A SIGILL from outside any guarded call is not ours: hand it to whoever had it.
void forward(int sig, siginfo_t* info, void* uc) {
  struct sigaction prev = g_previous;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction != nullptr) {
      prev.sa_sigaction(sig, info, uc);
      return;
    }
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  // Default (or ignored, which the kernel does not honour for a faulting
  // instruction): restore the default and return, so the instruction faults again
  // and the process dies as it would have without us. A SIGILL sent by kill() or
  // raise() would not come again by itself, so it is sent again.
  signal(sig, SIG_DFL);
  if (info != nullptr && info->si_code <= 0) raise(sig);
}

void on_sigill(int sig, siginfo_t* info, void* uc) {
  sigjmp_buf* jump = t_jump;
  if (jump != nullptr) siglongjmp(*jump, 1);
  forward(sig, info, uc);
}

void acquire() {
  pthread_mutex_lock(&g_mutex);
  if (g_users++ == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigill;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, &g_previous);
  }
  pthread_mutex_unlock(&g_mutex);
}

void release() {
  pthread_mutex_lock(&g_mutex);
  if (--g_users == 0) sigaction(SIGILL, &g_previous, nullptr);
  pthread_mutex_unlock(&g_mutex);
}

}  // namespace

extern "C" int armbench_run_guarded(void (*fn)(void* ctx), void* ctx) {
  if (fn == nullptr) return 0;
  acquire();
  sigjmp_buf jump;
  // Nested guarded calls on one thread: the inner one jumps to its own buffer, and
  // the outer one's is put back when it ends.
  sigjmp_buf* volatile outer = t_jump;
  volatile int faulted = 0;
  // savemask = 1: siglongjmp from the handler then unblocks SIGILL again.
  if (sigsetjmp(jump, 1) == 0) {
    t_jump = &jump;
    fn(ctx);
  } else {
    faulted = 1;
  }
  t_jump = outer;
  release();
  return faulted;
}
