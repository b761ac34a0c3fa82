// Internal: the loops around the int8 GEMM in armbench_dq_matmul (quantize.cc), one set
// per ISA, each computing exactly what the portable set computes. Types and declarations
// only: included by files compiled with different target flags.
#ifndef ARMBENCH_OPS_DQ_INTERNAL_H
#define ARMBENCH_OPS_DQ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

namespace armbench {
namespace ops {

struct DqLoops {
  // The smallest and largest of x and 0, and whether x holds a NaN (then lo and hi are
  // not used). Which zero a -0 gives does not matter: only hi - lo and 0 - lo are used.
  void (*range)(const float* x, size_t count, float* lo, float* hi, bool* nan);
  // xq = saturate(round_even(x / scale) + zero) into [0, 255], for finite x and a
  // finite scale > 0 (every |x / scale| <= 255 then).
  void (*quantize)(const float* x, size_t count, float scale, float zero, uint8_t* xq);
  // y (m x n) = float(acc - zero * colsum[j], modulo 2^32) * comb[j].
  void (*dequantize)(const int32_t* acc, size_t m, size_t n, uint32_t zero, const int32_t* colsum, const float* comb,
                     float* y);
};

// The portable set (quantize.cc, baseline flags): the vector sets' tails.
extern const DqLoops kDqPortable;
// nullptr where this build or architecture has no such set.
const DqLoops* dq_loops_avx512();
const DqLoops* dq_loops_avx2();
const DqLoops* dq_loops_neon();

}  // namespace ops
}  // namespace armbench

#endif
