// Private: the sampling loop every checked measurement shares. Baseline files only.
#ifndef ARMBENCH_SRC_RUNTIME_TIMED_SAMPLES_H
#define ARMBENCH_SRC_RUNTIME_TIMED_SAMPLES_H

#include <stdint.h>

#include "armbench/gemm_measure.h"
#include "armbench/timer.h"

namespace armbench {
namespace runtime {

// Fills out[0 .. samples): each sample repeats call() until at least min_ns have
// passed (at least once). Returns 0, or the first non-zero status call() gave.
// One sample's worth of calls runs untimed first: a thread pool that has to wake or
// spawn its workers, a JIT that compiles on the second shape, a core ramping its clock
// or AVX-512 licence after the check's single call all made the first timed sample of
// 2-thread peers read 2x to 40x slow before it.
template <typename Call>
int timed_samples(unsigned samples, uint64_t min_ns, armbench_gemm_timing* out, Call call) {
  const uint64_t w0 = armbench_now_ns();
  do {
    const int rc = call();
    if (rc != 0) return rc;
  } while (armbench_now_ns() - w0 < min_ns);
  for (unsigned s = 0; s < samples; ++s) {
    uint64_t calls = 0;
    const uint64_t t0 = armbench_now_ns();
    uint64_t t1 = t0;
    do {
      const int rc = call();
      if (rc != 0) return rc;
      ++calls;
      t1 = armbench_now_ns();
    } while (t1 - t0 < min_ns);
    out[s] = armbench_gemm_timing{t1 - t0, calls};
  }
  return 0;
}

}  // namespace runtime
}  // namespace armbench

#endif
