// Clocks and counters: structure and sanity, not speed. Timing bounds are loose,
// and skipped under an emulator (ARMBENCH_EMULATED=1), where timings mean nothing.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>

#include "../src/runtime/timed_samples.h"
#include "armbench/timer.h"
#include "check.h"

namespace {

void sleep_ms(int ms) {
  timespec ts = {0, ms * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

void busy_loop() {
  volatile unsigned long sink = 0;
  for (unsigned long i = 0; i < 2000000; ++i) sink = sink + i;
}

}  // namespace

int main() {
  const bool emulated = getenv("ARMBENCH_EMULATED") != nullptr && strcmp(getenv("ARMBENCH_EMULATED"), "1") == 0;

  uint64_t prev = armbench_now_ns();
  bool monotonic = true;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t now = armbench_now_ns();
    if (now < prev) monotonic = false;
    prev = now;
  }
  CHECK(monotonic);
  const uint64_t res = armbench_clock_resolution_ns();
  printf("clock resolution: %llu ns\n", static_cast<unsigned long long>(res));
  CHECK(res > 0 && res <= 10000000);

  const uint64_t t0 = armbench_now_ns();
  const uint64_t r0 = armbench_ref_counter_read();
  sleep_ms(20);
  const uint64_t t1 = armbench_now_ns();
  const uint64_t r1 = armbench_ref_counter_read();
  const double slept_ms = static_cast<double>(t1 - t0) / 1e6;
  CHECK_MSG(slept_ms >= 15 && slept_ms <= 500, "a 20 ms sleep took %.3f ms", slept_ms);

  armbench_ref_counter ref;
  memset(&ref, 0, sizeof ref);
  armbench_ref_counter_info(&ref, 10000000);
  printf("ref counter: %s, %.0f Hz, invariant %d\n", ref.name ? ref.name : "(null)", ref.hz, ref.invariant);
  CHECK(ref.name != nullptr && ref.name[0] != '\0');
  if (ref.name != nullptr && strcmp(ref.name, "none") != 0) {
    CHECK(ref.hz > 0 && isfinite(ref.hz));
    CHECK(r1 > r0);
    if (!emulated && ref.hz > 0) {
      // The counter and the clock must agree on how long the sleep was.
      const double counted_ms = static_cast<double>(r1 - r0) / ref.hz * 1e3;
      CHECK_MSG(fabs(counted_ms - slept_ms) <= 0.05 * slept_ms + 1.0,
                "ref counter says %.3f ms, the clock %.3f ms", counted_ms, slept_ms);
    }
  }

  armbench_perf_cycles pc;
  char why[256];
  memset(why, 'x', sizeof why);
  const int rc = armbench_perf_cycles_open(&pc, why, sizeof why);
  if (rc == 0) {
    const uint64_t c0 = armbench_perf_cycles_read(&pc);
    busy_loop();
    const uint64_t c1 = armbench_perf_cycles_read(&pc);
    printf("perf cycles: available, %llu cycles over a busy loop\n", static_cast<unsigned long long>(c1 - c0));
    CHECK(c0 != UINT64_MAX && c1 != UINT64_MAX && c1 > c0);
    armbench_perf_cycles_close(&pc);
    CHECK(pc.fd == -1);
  } else {
    printf("perf cycles: unavailable (%d): %s\n", rc, why);
    CHECK(rc < 0);
    CHECK(pc.fd == -1);
    CHECK(memchr(why, '\0', sizeof why) != nullptr && why[0] != '\0');
    CHECK(strchr(why, '\n') == nullptr);
    CHECK(armbench_perf_cycles_read(&pc) == UINT64_MAX);
  }
  CHECK(armbench_perf_cycles_open(&pc, nullptr, 0) == rc);  // a null reason buffer is fine
  armbench_perf_cycles_close(&pc);

  double estimates[9];
  for (double& e : estimates) {
    armbench_clock_sample s;
    CHECK(armbench_clock_chain_run(ARMBENCH_CLOCK_CHAIN_ADD, 2000000, nullptr, &s) == 0);
    e = static_cast<double>(s.steps) * 1e9 / static_cast<double>(s.ns);
    CHECK(isfinite(e) && e > 0);
  }
  std::sort(estimates, estimates + 9);
  printf("core clock estimate: median %.3f GHz (min %.3f, max %.3f)%s\n", estimates[4] / 1e9,
         estimates[0] / 1e9, estimates[8] / 1e9, emulated ? " [emulated: meaningless]" : "");
  if (!emulated) {
    CHECK_MSG(estimates[4] >= 0.2e9 && estimates[4] <= 10e9, "median estimate %.3f GHz", estimates[4] / 1e9);
  }

  // The sampling loop: an untimed warm-up of at least one call, then every sample at
  // least min_ns long and counting only its own calls; an error stops it at once.
  {
    unsigned calls = 0;
    armbench_gemm_timing out[3] = {};
    CHECK(armbench::runtime::timed_samples(3, 0, out, [&] { ++calls; return 0; }) == 0);
    CHECK_MSG(calls == 4, "1 warm-up + 3 samples of one call each, got %u calls", calls);
    for (const auto& t : out) CHECK(t.calls == 1);
    calls = 0;
    CHECK(armbench::runtime::timed_samples(2, 2000000, out, [&] { ++calls; busy_loop(); return 0; }) == 0);
    CHECK(out[0].ns >= 2000000 && out[1].ns >= 2000000);
    CHECK_MSG(calls > out[0].calls + out[1].calls, "warm-up calls run before the samples: %u vs %llu", calls,
              static_cast<unsigned long long>(out[0].calls + out[1].calls));
    calls = 0;
    CHECK(armbench::runtime::timed_samples(3, 0, out, [&] { return ++calls == 1 ? -5 : 0; }) == -5);
    CHECK(calls == 1);
  }

  return check::summary("test_timer");
}
