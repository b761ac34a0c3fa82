/* fp32 <-> bf16 conversion: a scalar reference and vectorized paths that give the
 * same bits, chosen at run time. */
#ifndef ARMBENCH_BF16_H
#define ARMBENCH_BF16_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum armbench_bf16_rounding {
  ARMBENCH_BF16_RNE = 0,      /* round to nearest, ties to even; NaN stays NaN (quiet, sign kept) */
  ARMBENCH_BF16_TRUNCATE = 1  /* drop the low 16 bits; NaN stays NaN */
} armbench_bf16_rounding;

const char* armbench_bf16_rounding_name(armbench_bf16_rounding r); /* "rne", "truncate" */

/* The reference: exact semantics every vectorized path must match bit for bit.
 * Subnormals are rounded like any other value (never flushed). */
uint16_t armbench_f32_to_bf16(float x, armbench_bf16_rounding r);
float armbench_bf16_to_f32(uint16_t x);

void armbench_f32_to_bf16_array(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r);
void armbench_bf16_to_f32_array(const uint16_t* src, float* dst, size_t n);

/* The implementation the array functions use on this CPU: "avx512", "avx2", "neon", "scalar". */
const char* armbench_bf16_convert_isa(void);

#ifdef __cplusplus
}
#endif

#endif
