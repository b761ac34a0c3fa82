// The core-clock chains taken on a chosen CPU: the clock that matters for a probe is
// the one of the core the probe is pinned to.
#include <errno.h>

#include <algorithm>

#include "armbench/threads.h"
#include "armbench/timer.h"

namespace {

// Long enough for a core that idled to reach its running clock before anything is
// timed, short next to the rounds themselves.
constexpr uint64_t kWarmupSteps = 2000000;

struct ChainsJob {
  uint64_t steps;
  unsigned rounds;
  armbench_clock_sample* out;
};

void run_chains(void* ctx, int, armbench_team*) {
  auto* job = static_cast<ChainsJob*>(ctx);
  armbench_perf_cycles pc;
  const bool counted = armbench_perf_cycles_open(&pc, nullptr, 0) == 0;
  const armbench_perf_cycles* pcp = counted ? &pc : nullptr;
  armbench_clock_sample scratch;
  for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
    armbench_clock_chain_run(c, std::min(job->steps, kWarmupSteps), nullptr, &scratch);
  }
  for (unsigned r = 0; r < job->rounds; ++r) {
    for (unsigned i = 0; i < ARMBENCH_CLOCK_CHAINS; ++i) {
      const unsigned c = (i + r) % ARMBENCH_CLOCK_CHAINS;
      armbench_clock_chain_run(c, job->steps, pcp, &job->out[r * ARMBENCH_CLOCK_CHAINS + c]);
    }
  }
  if (counted) armbench_perf_cycles_close(&pc);
}

}  // namespace

extern "C" int armbench_clock_chains_on_cpu(int cpu, uint64_t steps, unsigned rounds, armbench_clock_sample* out) {
  if (out == nullptr || rounds == 0 || steps == 0 || steps > (uint64_t{1} << 40) || cpu < -1) return -EINVAL;
  ChainsJob job{steps, rounds, out};
  return armbench_run_team(1, cpu >= 0 ? &cpu : nullptr, run_chains, &job);
}
