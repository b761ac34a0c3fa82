// Core-clock chains (see armbench/timer.h for the choice of instructions and where
// their latencies are documented). Each runs in inline assembly so the compiler can
// neither fold nor reorder it, and each chain's final value proves how many steps ran.
#include <errno.h>
#include <stdint.h>

#include "armbench/timer.h"

namespace {

constexpr uint64_t kMaxSteps = uint64_t{1} << 40;

// The addend is read through a volatile so that it reaches the chain as a loaded
// register, not a `mov reg, imm` a renamer could track as a known constant.
volatile uint64_t g_one = 1;

// Both chains: ARMBENCH_CLOCK_CHAIN_QUANTUM dependent instructions per iteration; the
// loop counter is a separate register, so its decrement and branch run beside the
// chain. Each returns how many steps its final value proves ran.
#if defined(__x86_64__)

uint64_t add_chain(uint64_t iterations) {
  uint64_t acc = 0;
  const uint64_t one = g_one;
  __asm__ volatile(
      ".p2align 5\n"
      "1:\n\t"
      ".rept 100\n\t"
      "add %[one], %[acc]\n\t"
      ".endr\n\t"
      "dec %[n]\n\t"
      "jnz 1b"
      : [acc] "+r"(acc), [n] "+r"(iterations)
      : [one] "r"(one)
      : "cc");
  return acc;
}

// -(~x) == x + 1: two one-cycle steps per increment, neither an add with an immediate.
uint64_t alt_chain(uint64_t iterations) {
  uint64_t acc = g_one - 1;
  __asm__ volatile(
      ".p2align 5\n"
      "1:\n\t"
      ".rept 50\n\t"
      "not %[acc]\n\t"
      "neg %[acc]\n\t"
      ".endr\n\t"
      "dec %[n]\n\t"
      "jnz 1b"
      : [acc] "+r"(acc), [n] "+r"(iterations)
      :
      : "cc");
  return 2 * acc;
}

const char* const kNames[ARMBENCH_CLOCK_CHAINS] = {"add", "not-neg"};
const char* const kInsns[ARMBENCH_CLOCK_CHAINS] = {"add r64, r64", "not r64; neg r64"};

#elif defined(__aarch64__)

uint64_t add_chain(uint64_t iterations) {
  uint64_t acc = 0;
  const uint64_t one = g_one;
  __asm__ volatile(
      ".p2align 5\n"
      "1:\n\t"
      ".rept 100\n\t"
      "add %[acc], %[acc], %[one]\n\t"
      ".endr\n\t"
      "sub %[n], %[n], #1\n\t"
      "cbnz %[n], 1b"
      : [acc] "+r"(acc), [n] "+r"(iterations)
      : [one] "r"(one)
      : "cc");
  return acc;
}

// csinc acc, acc, acc, eq with Z clear is acc + 1. The flags are set once before the
// loop (one != 0), and the loop's counter uses sub/cbnz, which leave them alone.
uint64_t alt_chain(uint64_t iterations) {
  uint64_t acc = 0;
  const uint64_t one = g_one;
  __asm__ volatile(
      "cmp %[one], #0\n\t"
      ".p2align 5\n"
      "1:\n\t"
      ".rept 100\n\t"
      "csinc %[acc], %[acc], %[acc], eq\n\t"
      ".endr\n\t"
      "sub %[n], %[n], #1\n\t"
      "cbnz %[n], 1b"
      : [acc] "+r"(acc), [n] "+r"(iterations)
      : [one] "r"(one)
      : "cc");
  return acc;
}

const char* const kNames[ARMBENCH_CLOCK_CHAINS] = {"add", "csinc"};
const char* const kInsns[ARMBENCH_CLOCK_CHAINS] = {"add x, x, x", "csinc x, x, x, eq"};

#else

// Inexact: a volatile chain also loads and stores each step, so it runs slower than
// one step per cycle and the estimate reads low. Both "chains" are the same loop.
uint64_t volatile_chain(uint64_t iterations) {
  volatile uint64_t v = 0;
  for (uint64_t i = 0; i < iterations * ARMBENCH_CLOCK_CHAIN_QUANTUM; ++i) v = v + g_one;
  return v;
}
uint64_t add_chain(uint64_t iterations) { return volatile_chain(iterations); }
uint64_t alt_chain(uint64_t iterations) { return volatile_chain(iterations); }

const char* const kNames[ARMBENCH_CLOCK_CHAINS] = {"add", "add-volatile"};
const char* const kInsns[ARMBENCH_CLOCK_CHAINS] = {"C volatile add", "C volatile add"};

#endif

uint64_t read_cycles(const armbench_perf_cycles* pc) {
  return pc != nullptr ? armbench_perf_cycles_read(pc) : UINT64_MAX;
}

}  // namespace

extern "C" {

const char* armbench_clock_chain_name(unsigned chain) {
  return chain < ARMBENCH_CLOCK_CHAINS ? kNames[chain] : nullptr;
}

const char* armbench_clock_chain_insn(unsigned chain) {
  return chain < ARMBENCH_CLOCK_CHAINS ? kInsns[chain] : nullptr;
}

int armbench_clock_chain_run(unsigned chain, uint64_t steps, const armbench_perf_cycles* pc,
                             armbench_clock_sample* out) {
  if (chain >= ARMBENCH_CLOCK_CHAINS || out == nullptr || steps == 0 || steps > kMaxSteps) return -EINVAL;
  const uint64_t iterations = (steps + ARMBENCH_CLOCK_CHAIN_QUANTUM - 1) / ARMBENCH_CLOCK_CHAIN_QUANTUM;
  // The counter is read outside the timed window: its read is a system call.
  const uint64_t c0 = read_cycles(pc);
  const uint64_t t0 = armbench_now_ns();
  const uint64_t done = chain == ARMBENCH_CLOCK_CHAIN_ADD ? add_chain(iterations) : alt_chain(iterations);
  const uint64_t t1 = armbench_now_ns();
  const uint64_t c1 = read_cycles(pc);
  out->steps = done;
  out->ns = t1 > t0 ? t1 - t0 : 1;
  out->cycles = c0 == UINT64_MAX || c1 == UINT64_MAX || c1 < c0 ? UINT64_MAX : c1 - c0;
  return 0;
}

}  // extern "C"
