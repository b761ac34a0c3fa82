/* The integer arithmetic of quantized ONNX models, as ONNX defines it: QuantizeLinear,
 * DequantizeLinear, the requantization that ends QLinearMatMul and QLinearConv,
 * MatMulInteger (on the int8 GEMM of igemm.h) and ConvInteger.
 *
 * uint8 and int8 values are held one per int32_t (the executor's int32 tensors), each
 * within its type's range. A parameter (scale, zero point, multiplier) applies along
 * one axis: x viewed as outer x n x inner, parameter j of a list of n applies to slice
 * j; a list of one applies everywhere. A zero point list may be NULL: zero. */
#ifndef ARMBENCH_QUANTIZE_H
#define ARMBENCH_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/conv.h"
#include "armbench/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The values one quantization parameter list holds. */
typedef struct armbench_qparam_f32 {
  const float* v;
  size_t count; /* 1 or n */
} armbench_qparam_f32;
typedef struct armbench_qparam_s32 {
  const int32_t* v; /* NULL: zero */
  size_t count;     /* 1 or n */
} armbench_qparam_s32;

/* y = saturate(round(x / scale) + zero) into [qmin, qmax]. The division is in fp32
 * (ONNX's definition: a different rounding of the quotient moves ties); round is to
 * nearest, ties to even, or toward zero with toward_zero (Cast's truncation, scale 1).
 * A NaN quotient (0 / 0: the scale of an all-zero range) gives the zero point. */
void armbench_quantize_f32(const float* x, size_t outer, size_t n, size_t inner, armbench_qparam_f32 scale,
                           armbench_qparam_s32 zero, int32_t qmin, int32_t qmax, int toward_zero, int32_t* y);

/* y = (x - zero) * scale, in fp32 as ONNX's reference computes it. */
void armbench_dequantize_s32(const int32_t* x, size_t outer, size_t n, size_t inner, armbench_qparam_f32 scale,
                             armbench_qparam_s32 zero, float* y);

/* y = saturate(round(acc * mult) + zero) into [qmin, qmax], ties to even, the product
 * in double (as ONNX's reference, whose int32 accumulator times an fp32 scale is a
 * float64). mult is x_scale * w_scale / y_scale, computed by the caller in fp32. */
void armbench_requantize_s32(const int32_t* acc, size_t outer, size_t n, size_t inner, armbench_qparam_f32 mult,
                             armbench_qparam_s32 zero, int32_t qmin, int32_t qmax, int32_t* y);

/* MatMulInteger of one pair of matrices: y (m x n) = (a - a_zero) (b - b_zero), every
 * sum modulo 2^32 as ONNX's int32 accumulation (exact whenever the result fits int32).
 * a_zero is per row of a (count 1 or m), b_zero per column of b (1 or n). Runs on the
 * int8 GEMM (igemm kernel `kernel`): a is copied into bytes of its own type, b into
 * int8 (a uint8 b shifted by -128, its zero point with it, which leaves b - b_zero as
 * it was), and the zero points' cross terms are taken off with the row and column sums. */
typedef struct armbench_matmul_integer_args {
  size_t m, n, k;
  const int32_t* a; /* m x k, row-major */
  int a_signed;     /* a holds int8 values (else uint8) */
  const int32_t* b; /* k x n, row-major */
  int b_signed;
  armbench_qparam_s32 a_zero, b_zero;
  int32_t* y;       /* m x n, row-major; may not overlap a or b */
  void* work;       /* armbench_matmul_integer_work_bytes(m, n, k) bytes */
} armbench_matmul_integer_args;

size_t armbench_matmul_integer_work_bytes(size_t m, size_t n, size_t k);
/* 0, or the int8 GEMM's -errno. */
int armbench_matmul_integer(armbench_gemm_pool* pool, size_t kernel, const armbench_matmul_integer_args* args);

/* DynamicQuantMatMul (armbench model --quantize dynamic): y (m x n, fp32) is what
 * DynamicQuantizeLinear of x (m x k, fp32, one scale and zero point for all of it),
 * MatMulInteger with int8 weights w (k x n, zero point 0), a Cast to float and the
 * product of x's scale with w's per-column scales compute, bit for bit; the weights
 * packed once for the int8 GEMM, x quantized straight into the bytes it reads. */
typedef struct armbench_dq_weights armbench_dq_weights;
/* 0, -EINVAL (a NULL pointer, k or n zero or past the GEMM's limits) or the int8 GEMM's
 * packing error. The packed copy refers to neither w nor w_scale afterwards. */
int armbench_dq_weights_pack(size_t kernel, size_t k, size_t n, const int8_t* w, const float* w_scale,
                             armbench_dq_weights** out);
void armbench_dq_weights_free(armbench_dq_weights* w);
/* The bytes the packed weights hold (the engine's weight count). */
size_t armbench_dq_weights_bytes(const armbench_dq_weights* w);
size_t armbench_dq_matmul_work_bytes(size_t m, size_t n, size_t k);
/* 0, or the int8 GEMM's -errno; x and y may not overlap; work as sized above. */
int armbench_dq_matmul(armbench_gemm_pool* pool, const armbench_dq_weights* w, size_t m, const float* x, float* y,
                       void* work);

/* ConvInteger, NCHW: y (n x k x oh x ow) = conv(x - x_zero, w - w_zero) + bias, int32
 * sums modulo 2^32. x_zero is one value; w_zero one or one per output channel (k);
 * bias (k values, or NULL) is QLinearConv's. A padded element counts as x_zero (its
 * x - x_zero is 0), as ONNX pads the shifted input with zeros. Direct loops on the calling thread: the portable reference, and for
 * now the only path (the packed int8 GEMM path, im2col over igemm, is not built yet).
 * 0, or -EINVAL with a reason in why for a shape that does not fit. */
int armbench_conv_integer(const armbench_conv_shape* shape, const int32_t* x, int32_t x_zero, const int32_t* w,
                          armbench_qparam_s32 w_zero, const int32_t* bias, int32_t* y, char* why, size_t why_len);

#ifdef __cplusplus
}
#endif

#endif
