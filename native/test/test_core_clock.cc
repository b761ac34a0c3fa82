// Core-clock chains: names, argument checks, and that every chain runs exactly the
// steps asked (its final value proves the count). Rates are printed, never compared
// between chains: the machine may be shared and noisy. The loose plausibility bound of
// test_timer.cc applies to each chain's median, natively only.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "armbench/threads.h"
#include "armbench/timer.h"
#include "check.h"

namespace {

double ghz(const armbench_clock_sample& s) { return static_cast<double>(s.steps) / static_cast<double>(s.ns); }

void check_names() {
  std::set<std::string> names;
  for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
    const char* name = armbench_clock_chain_name(c);
    const char* insn = armbench_clock_chain_insn(c);
    if (!CHECK(name != nullptr && insn != nullptr)) continue;
    CHECK(name[0] != '\0' && insn[0] != '\0');
    CHECK_MSG(names.insert(name).second, "chain name %s twice", name);
    printf("chain %u: %s (%s)\n", c, name, insn);
  }
  CHECK(armbench_clock_chain_name(ARMBENCH_CLOCK_CHAINS) == nullptr);
  CHECK(armbench_clock_chain_insn(ARMBENCH_CLOCK_CHAINS) == nullptr);
}

void check_bad_arguments() {
  armbench_clock_sample s;
  memset(&s, 0xa5, sizeof s);
  CHECK(armbench_clock_chain_run(ARMBENCH_CLOCK_CHAINS, 1000, nullptr, &s) == -EINVAL);
  CHECK(armbench_clock_chain_run(0, 0, nullptr, &s) == -EINVAL);
  CHECK(armbench_clock_chain_run(0, (uint64_t{1} << 40) + 1, nullptr, &s) == -EINVAL);
  CHECK(armbench_clock_chain_run(0, 1000, nullptr, nullptr) == -EINVAL);
  CHECK(s.steps == 0xa5a5a5a5a5a5a5a5ull && s.ns == 0xa5a5a5a5a5a5a5a5ull);  // left as it was

  armbench_clock_sample out[ARMBENCH_CLOCK_CHAINS];
  CHECK(armbench_clock_chains_on_cpu(-1, 1000, 0, out) == -EINVAL);
  CHECK(armbench_clock_chains_on_cpu(-1, 0, 1, out) == -EINVAL);
  CHECK(armbench_clock_chains_on_cpu(-1, 1000, 1, nullptr) == -EINVAL);
  CHECK(armbench_clock_chains_on_cpu(-2, 1000, 1, out) == -EINVAL);
}

void check_exact_steps() {
  for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
    // A multiple of the quantum runs as asked; anything else is rounded up to one.
    const uint64_t asked[] = {ARMBENCH_CLOCK_CHAIN_QUANTUM, 1000, 1001, 123456};
    for (uint64_t steps : asked) {
      armbench_clock_sample s;
      if (!CHECK(armbench_clock_chain_run(c, steps, nullptr, &s) == 0)) continue;
      const uint64_t expect = (steps + ARMBENCH_CLOCK_CHAIN_QUANTUM - 1) / ARMBENCH_CLOCK_CHAIN_QUANTUM * ARMBENCH_CLOCK_CHAIN_QUANTUM;
      CHECK_MSG(s.steps == expect, "chain %u: asked %llu, proved %llu, expected %llu", c,
                static_cast<unsigned long long>(steps), static_cast<unsigned long long>(s.steps),
                static_cast<unsigned long long>(expect));
      CHECK(s.ns >= 1);
      CHECK(s.cycles == UINT64_MAX);  // no counter given
    }
  }

  armbench_perf_cycles pc;
  if (armbench_perf_cycles_open(&pc, nullptr, 0) == 0) {
    for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
      armbench_clock_sample s;
      CHECK(armbench_clock_chain_run(c, 1000000, &pc, &s) == 0);
      CHECK(s.steps == 1000000);
      if (CHECK(s.cycles != UINT64_MAX && s.cycles > 0)) {
        printf("chain %s: %.3f steps per perf cycle\n", armbench_clock_chain_name(c),
               static_cast<double>(s.steps) / static_cast<double>(s.cycles));
      }
    }
    armbench_perf_cycles_close(&pc);
  } else {
    printf("perf cycles unavailable: chains run uncounted only\n");
  }
}

void check_pinned_rounds(bool emu) {
  int cpu = -1;
  armbench_allowed_cpus(&cpu, 1);
  const unsigned rounds = emu ? 2 : 9;
  const uint64_t steps = emu ? 10000 : 2000000;
  std::vector<armbench_clock_sample> out(rounds * ARMBENCH_CLOCK_CHAINS);
  memset(out.data(), 0, out.size() * sizeof out[0]);
  if (!CHECK(armbench_clock_chains_on_cpu(cpu, steps, rounds, out.data()) == 0)) return;
  std::vector<double> rate[ARMBENCH_CLOCK_CHAINS];
  for (unsigned r = 0; r < rounds; ++r) {
    for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
      const armbench_clock_sample& s = out[r * ARMBENCH_CLOCK_CHAINS + c];
      CHECK_MSG(s.steps == steps, "round %u chain %u ran %llu steps", r, c, static_cast<unsigned long long>(s.steps));
      CHECK(s.ns >= 1);
      if (s.ns >= 1) rate[c].push_back(ghz(s));
    }
  }
  for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
    if (rate[c].empty()) continue;
    std::sort(rate[c].begin(), rate[c].end());
    const double med = rate[c][rate[c].size() / 2];
    printf("chain %s on cpu %d: median %.3f GHz (min %.3f, max %.3f)%s\n", armbench_clock_chain_name(c), cpu, med,
           rate[c].front(), rate[c].back(), emu ? " [emulated: meaningless]" : "");
    if (!emu) CHECK_MSG(med >= 0.2 && med <= 10, "chain %s: median %.3f GHz", armbench_clock_chain_name(c), med);
  }
}

}  // namespace

int main() {
  const bool emu = emulated();
  check_names();
  check_bad_arguments();
  check_exact_steps();
  check_pinned_rounds(emu);
  return check::summary("test_core_clock");
}
