// The core-clock estimate taken on a chosen CPU: the clock that matters for a probe
// is the one of the core the probe is pinned to.
#include <errno.h>

#include "armbench/threads.h"
#include "armbench/timer.h"

namespace {

struct Job {
  uint64_t adds;
  unsigned samples;
  double* out;
};

void run(void* ctx, int, armbench_team*) {
  auto* job = static_cast<Job*>(ctx);
  for (unsigned i = 0; i < job->samples; ++i) job->out[i] = armbench_estimate_core_hz(job->adds);
}

}  // namespace

extern "C" int armbench_estimate_core_hz_on_cpu(int cpu, uint64_t adds, unsigned samples, double* out_hz) {
  if (out_hz == nullptr || samples == 0 || adds == 0) return -EINVAL;
  Job job{adds, samples, out_hz};
  return armbench_run_team(1, cpu >= 0 ? &cpu : nullptr, run, &job);
}
