// Core cycles from the kernel's perf events, user space only.
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "armbench/timer.h"

namespace {

void say(char* why, size_t why_len, const char* text) {
  if (why != nullptr && why_len > 0) snprintf(why, why_len, "%s", text);
}

int paranoid_level() {
  FILE* f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
  if (f == nullptr) return INT32_MIN;
  int level = INT32_MIN;
  if (fscanf(f, "%d", &level) != 1) level = INT32_MIN;
  fclose(f);
  return level;
}

void explain(int err, char* why, size_t why_len) {
  char text[160];
  switch (err) {
    case ENOENT:
    case EOPNOTSUPP:
    case ENODEV:
      snprintf(text, sizeof text, "no hardware cycle counter (typical in a VM)");
      break;
    case EACCES:
    case EPERM: {
      const int level = paranoid_level();
      if (level == INT32_MIN) {
        snprintf(text, sizeof text, "not permitted: /proc/sys/kernel/perf_event_paranoid is unreadable");
      } else {
        snprintf(text, sizeof text, "not permitted: /proc/sys/kernel/perf_event_paranoid is %d", level);
      }
      break;
    }
    case ENOSYS:
      snprintf(text, sizeof text, "perf_event_open is not implemented here (kernel without perf events, or an emulator)");
      break;
    default:
      snprintf(text, sizeof text, "perf_event_open failed: %s", strerror(err));
      break;
  }
  say(why, why_len, text);
}

// Enough work that even a slow core counts thousands of cycles.
void busy() {
  volatile uint64_t sink = 0;
  for (uint64_t i = 0; i < 200000; ++i) sink = sink + i;
}

}  // namespace

extern "C" {

int armbench_perf_cycles_open(armbench_perf_cycles* pc, char* why, size_t why_len) {
  if (pc == nullptr) {
    say(why, why_len, "no counter to open (null argument)");
    return -EINVAL;
  }
  pc->fd = -1;
  perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = PERF_COUNT_HW_CPU_CYCLES;
  attr.disabled = 0;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  const long fd = syscall(SYS_perf_event_open, &attr, 0 /* this thread */, -1 /* any cpu */,
                          -1 /* no group */, 0ul);
  if (fd < 0) {
    const int err = errno;
    explain(err, why, why_len);
    return -err;
  }
  pc->fd = static_cast<int>(fd);
  // Some virtual PMUs accept the event and never count: that is no counter either.
  busy();
  const uint64_t n = armbench_perf_cycles_read(pc);
  if (n == 0 || n == UINT64_MAX) {
    armbench_perf_cycles_close(pc);
    say(why, why_len, n == 0 ? "cycle counter opens but counts nothing (virtualized PMU)"
                             : "cycle counter opens but cannot be read");
    return -ENODATA;
  }
  say(why, why_len, "");
  return 0;
}

uint64_t armbench_perf_cycles_read(const armbench_perf_cycles* pc) {
  if (pc == nullptr || pc->fd < 0) return UINT64_MAX;
  uint64_t count = 0;
  if (read(pc->fd, &count, sizeof count) != static_cast<ssize_t>(sizeof count)) return UINT64_MAX;
  return count;
}

void armbench_perf_cycles_close(armbench_perf_cycles* pc) {
  if (pc == nullptr || pc->fd < 0) return;
  close(pc->fd);
  pc->fd = -1;
}

}  // extern "C"
