// Wall time and the fixed-rate reference counter.
#include <stdint.h>
#include <time.h>

#include "armbench/timer.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace {

#if defined(CLOCK_MONOTONIC_RAW)
constexpr clockid_t kClock = CLOCK_MONOTONIC_RAW;
#else
constexpr clockid_t kClock = CLOCK_MONOTONIC;
#endif

uint64_t to_ns(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

#if defined(__x86_64__)

// Reads (ns, tsc) as close together as this CPU allows: the tsc read is bracketed
// by two clock reads, and of a few tries the narrowest bracket wins, so a
// preemption or an interrupt between the reads does not bias the pair.
void paired_read(uint64_t* ns, uint64_t* tsc) {
  uint64_t best_width = UINT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const uint64_t a = armbench_now_ns();
    const uint64_t t = __rdtsc();
    const uint64_t b = armbench_now_ns();
    if (b - a < best_width) {
      best_width = b - a;
      *ns = a + (b - a) / 2;
      *tsc = t;
    }
  }
}

// One rate measurement over at least min_ns; returns the interval it really took.
double tsc_rate(uint64_t min_ns, uint64_t* interval_ns) {
  uint64_t ns0 = 0, tsc0 = 0, ns1 = 0, tsc1 = 0;
  paired_read(&ns0, &tsc0);
  do {
    paired_read(&ns1, &tsc1);
  } while (ns1 - ns0 < min_ns);
  *interval_ns = ns1 - ns0;
  return static_cast<double>(tsc1 - tsc0) * 1e9 / static_cast<double>(ns1 - ns0);
}

bool tsc_invariant() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) || eax < 0x80000007u) return false;
  if (!__get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx)) return false;
  return (edx >> 8) & 1u;
}

#endif

}  // namespace

extern "C" {

uint64_t armbench_now_ns(void) {
  timespec ts;
  if (clock_gettime(kClock, &ts) != 0) clock_gettime(CLOCK_MONOTONIC, &ts);
  return to_ns(ts);
}

uint64_t armbench_clock_resolution_ns(void) {
  timespec ts;
  if (clock_getres(kClock, &ts) != 0 && clock_getres(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return to_ns(ts);
}

uint64_t armbench_ref_counter_read(void) {
#if defined(__x86_64__)
  return __rdtsc();
#elif defined(__aarch64__)
  // isb: without it the counter may be read before earlier instructions finish.
  uint64_t v;
  __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
  return v;
#else
  return 0;
#endif
}

void armbench_ref_counter_info(armbench_ref_counter* info, uint64_t min_ns) {
  if (info == nullptr) return;
#if defined(__x86_64__)
  // Too short an interval makes the endpoints' jitter dominate.
  if (min_ns < 1000000) min_ns = 1000000;
  // Two measurements; the longer one (a preemption only lengthens it, the paired
  // endpoints keep it exact) has the smaller relative endpoint error.
  uint64_t i1, i2;
  const double r1 = tsc_rate(min_ns / 2, &i1);
  const double r2 = tsc_rate(min_ns / 2, &i2);
  info->name = "tsc";
  info->hz = i2 >= i1 ? r2 : r1;
  info->invariant = tsc_invariant() ? 1 : 0;
#elif defined(__aarch64__)
  (void)min_ns;
  uint64_t frq;
  __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
  info->name = "cntvct";
  info->hz = static_cast<double>(frq);
  // The generic timer runs at a fixed rate by architecture.
  info->invariant = 1;
#else
  (void)min_ns;
  info->name = "none";
  info->hz = 0;
  info->invariant = 0;
#endif
}

}  // extern "C"
