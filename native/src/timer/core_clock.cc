// Core clock estimate: a chain of dependent single-cycle integer adds runs at one
// add per cycle on every core we target, so adds per second is the clock.
#include <stdint.h>

#include "armbench/timer.h"

namespace {

constexpr uint64_t kAddsPerIteration = 100;

// Returns the chain's final value so the caller can use it; the asm is volatile
// anyway so nothing here can be removed or reordered around the clock reads.
uint64_t add_chain(uint64_t iterations) {
  uint64_t acc = 0;
#if defined(__x86_64__)
  // The loop counter is another register, so dec/jnz run beside the chain.
  __asm__ volatile(
      "1:\n\t"
      ".rept 100\n\t"
      "add $1, %0\n\t"
      ".endr\n\t"
      "dec %1\n\t"
      "jnz 1b"
      : "+r"(acc), "+r"(iterations)
      :
      : "cc");
#elif defined(__aarch64__)
  __asm__ volatile(
      "1:\n\t"
      ".rept 100\n\t"
      "add %0, %0, #1\n\t"
      ".endr\n\t"
      "subs %1, %1, #1\n\t"
      "b.ne 1b"
      : "+r"(acc), "+r"(iterations)
      :
      : "cc");
#else
  // Inexact: a volatile chain also loads and stores each step, so it runs slower
  // than one add per cycle and the estimate reads low.
  volatile uint64_t v = 0;
  for (uint64_t i = 0; i < iterations * kAddsPerIteration; ++i) v = v + 1;
  acc = v;
#endif
  return acc;
}

}  // namespace

extern "C" double armbench_estimate_core_hz(uint64_t adds) {
  uint64_t iterations = adds / kAddsPerIteration;
  if (iterations == 0) iterations = 1;
  const uint64_t t0 = armbench_now_ns();
  const uint64_t done = add_chain(iterations);
  const uint64_t t1 = armbench_now_ns();
  const uint64_t ns = t1 > t0 ? t1 - t0 : 1;
  return static_cast<double>(done) * 1e9 / static_cast<double>(ns);
}
