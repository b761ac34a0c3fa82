/* Measuring one convolution case: random non-zero input and weights, sampled outputs
 * checked against direct double sums before anything is timed. */
#ifndef ARMBENCH_CONV_MEASURE_H
#define ARMBENCH_CONV_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/conv.h"
#include "armbench/gemm_measure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct armbench_conv_case {
  armbench_conv_shape shape;
  armbench_gemm_dtype dtype;
  armbench_conv_algo algo;
  int bias;                       /* 1: a random bias in the epilogue */
  armbench_conv_activation act;   /* CLIP is ReLU6 here */
  uint64_t seed;
  unsigned samples;
  uint64_t min_sample_ns;         /* each sample repeats the call until at least this long */
} armbench_conv_case;

typedef struct armbench_conv_check {
  size_t checked;       /* output entries compared with direct double sums */
  double max_abs_err;
  double max_rel_err;   /* max |y - ref| / (sum |x w| + |bias|) */
  double bound;         /* (K + 4) * 2^-24 (x2 for bf16; x4 Winograd F4, x8 F6), K = (c / groups) * r * s */
  int passed;
} armbench_conv_check;

/* Returns 0 (check->passed says whether it was timed), -EINVAL, -ENOTSUP (the algo
 * cannot run this shape; nothing executed) or -ENOMEM. Operands stay warm between
 * repetitions (an activation feeds the next layer from cache in a real network). */
int armbench_conv_measure(armbench_gemm_pool* pool, const armbench_conv_case* c, armbench_conv_check* check,
                          armbench_gemm_timing* out);

#ifdef __cplusplus
}
#endif

#endif
