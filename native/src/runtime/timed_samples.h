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
template <typename Call>
int timed_samples(unsigned samples, uint64_t min_ns, armbench_gemm_timing* out, Call call) {
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
