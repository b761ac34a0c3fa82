/* The inference op set the models need beside convolution and GEMM, on NCHW fp32
 * tensors. Each op has a scalar reference (the test oracle) and vectorized paths
 * where it matters, chosen at run time. Flatten/Reshape move no data; Gemm/MatMul
 * is armbench_gemm. */
#ifndef ARMBENCH_OPS_H
#define ARMBENCH_OPS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct armbench_pool2d {
  size_t n, c, h, w;                               /* input */
  size_t kh, kw, stride_h, stride_w;
  size_t pad_top, pad_left, pad_bottom, pad_right; /* padded cells never win a max; see count_include_pad for average */
  int count_include_pad;                           /* AveragePool: 1 divides by kh*kw, 0 by the cells inside the image */
} armbench_pool2d;

/* Output size, or -EINVAL with a one-line reason in why. */
int armbench_pool2d_output(const armbench_pool2d* p, size_t* oh, size_t* ow, char* why, size_t why_len);
int armbench_maxpool(const armbench_pool2d* p, const float* x, float* y);
int armbench_avgpool(const armbench_pool2d* p, const float* x, float* y);
/* y[n][c] = mean over h x w. */
int armbench_global_avgpool(size_t n, size_t c, size_t hw, const float* x, float* y);
/* The same three on NCHWc tensors (n x ceil(c / block) x h x w x block, block 1 to 64):
 * the same cells in the same order per channel, so the same bits. The pools write y in
 * NCHWc with its padding channels zero; the global average pool writes y[n][c] (NCHW),
 * as a network's classifier reads it. 0 or -EINVAL. */
int armbench_maxpool_nchwc(const armbench_pool2d* p, size_t block, const float* x, float* y);
int armbench_avgpool_nchwc(const armbench_pool2d* p, size_t block, const float* x, float* y);
int armbench_global_avgpool_nchwc(size_t n, size_t c, size_t hw, size_t block, const float* x, float* y);
/* Inference BatchNormalization: y = (x - mean) / sqrt(var + eps) * scale + bias, per channel. */
int armbench_batchnorm(size_t n, size_t c, size_t hw, const float* x, const float* scale, const float* bias,
                       const float* mean, const float* var, float eps, float* y);

/* Elementwise over count floats; y may equal x (in place). */
void armbench_relu(const float* x, float* y, size_t count);
void armbench_clip(const float* x, float* y, size_t count, float lo, float hi);
void armbench_sigmoid(const float* x, float* y, size_t count);
void armbench_hardswish(const float* x, float* y, size_t count); /* x * relu6(x + 3) / 6 */
void armbench_add(const float* a, const float* b, float* y, size_t count);
void armbench_mul(const float* a, const float* b, float* y, size_t count);

/* Concatenation along channels of `inputs` NCHW tensors with channels[i] each, same n
 * and hw. */
int armbench_concat_channels(size_t inputs, const float* const* xs, const size_t* channels, size_t n, size_t hw, float* y);
/* Softmax along the last axis of a rows x cols matrix, numerically stable (max
 * subtracted), each probability within 1e-5 relative of the exact one; y may equal x.
 * A NaN or +Inf in a row, or a row of only -Inf, gives NaN for the whole row (as
 * onnxruntime). */
int armbench_softmax(size_t rows, size_t cols, const float* x, float* y);

/* ---- Transformer ops (BERT-style encoders) ----
 * Dense row-major fp32 tensors (int32 where said). The functions taking [begin, end)
 * compute only that range of their output (end clamped to its size; 0, SIZE_MAX is
 * all of it), so a caller can split one op over threads and get the bits of one call.
 * They return 0 or -EINVAL (NULL pointers, a zero dimension, dims that do not fit
 * together or overflow); nothing is written on -EINVAL. */

typedef enum armbench_binary_fn {
  ARMBENCH_BINARY_ADD = 0,
  ARMBENCH_BINARY_SUB = 1,
  ARMBENCH_BINARY_MUL = 2,
  ARMBENCH_BINARY_DIV = 3, /* IEEE: x / 0 is an infinity or NaN, as ONNX on floats */
  ARMBENCH_BINARY_POW = 4, /* C's powf */
  ARMBENCH_BINARY_MAX = 5, /* a NaN operand gives NaN, as ONNX Max (fmaxf would drop it) */
  ARMBENCH_BINARY_MIN = 6, /* likewise */
  /* The comparisons write 1.0f where true and 0.0f where false (ONNX bool as armbench
   * holds it). IEEE: a NaN compares false but for NOT_EQUAL (true); -0 == +0. */
  ARMBENCH_BINARY_EQUAL = 7,
  ARMBENCH_BINARY_NOT_EQUAL = 8,
  ARMBENCH_BINARY_LESS = 9,
  ARMBENCH_BINARY_LESS_EQUAL = 10,
  ARMBENCH_BINARY_GREATER = 11,
  ARMBENCH_BINARY_GREATER_EQUAL = 12,
  ARMBENCH_BINARY_FN_COUNT = 13
} armbench_binary_fn;

/* The numpy broadcast of dims a (a_ndims, 1 to 4) and b: right-aligned, each pair
 * equal or one of them 1. 0 with y_ndims (the larger rank) and y_dims (4 entries),
 * or -EINVAL. */
int armbench_broadcast_dims(size_t a_ndims, const size_t* a_dims, size_t b_ndims, const size_t* b_dims,
                            size_t* y_ndims, size_t* y_dims);
/* y = fn(a, b) under numpy broadcasting, elements [begin, end) of y. y may be a or b
 * only when it has that operand's dims. */
int armbench_broadcast(armbench_binary_fn fn, size_t a_ndims, const size_t* a_dims, const float* a, size_t b_ndims,
                       const size_t* b_dims, const float* b, float* y, size_t begin, size_t end);
/* armbench_broadcast with each operand fp32 (a_int32 zero) or int32 (nonzero: int32_t
 * values); int32 operands only for the comparisons (otherwise -EINVAL), which compare
 * the two values exactly (as doubles: 16777217 is greater than 16777216.0f). y is
 * fp32 and may be an operand of y's dims either way. */
int armbench_broadcast_typed(armbench_binary_fn fn, size_t a_ndims, const size_t* a_dims, const void* a, int a_int32,
                             size_t b_ndims, const size_t* b_dims, const void* b, int b_int32, float* y, size_t begin,
                             size_t end);
/* ONNX Where: y = c != 0 ? x : v (c a bool held as fp32 0/1; any nonzero, NaN
 * included, is true) under numpy broadcasting of all three (y's dims: apply
 * armbench_broadcast_dims to c and x, then to that and v), elements [begin, end) of y.
 * y may be an operand only when it has that operand's dims. */
int armbench_where(size_t c_ndims, const size_t* c_dims, const float* c, size_t x_ndims, const size_t* x_dims,
                   const float* x, size_t v_ndims, const size_t* v_dims, const float* v, float* y, size_t begin,
                   size_t end);

/* y = x with its axes permuted (rank 1 to 4): y_dims[i] = x_dims[perm[i]], elements
 * [begin, end) of y. x and y must not overlap. */
int armbench_transpose(size_t ndims, const size_t* x_dims, const size_t* perm, const float* x, float* y, size_t begin,
                       size_t end);

/* LayerNormalization of each of rows rows of cols values: y = (x + residual - mean) /
 * sqrt(var + epsilon) * scale + bias (population variance; residual and bias NULL for
 * none; scale and bias cols values). y may equal x or residual. Within 1e-5 of a double
 * reference relative to max(|y|, 1) (the mean and variance from two passes). */
int armbench_layernorm(size_t rows, size_t cols, const float* x, const float* residual, const float* scale,
                       const float* bias, float epsilon, float* y);

/* Softmax (log_softmax nonzero: LogSoftmax) over the middle axis of x viewed as
 * outer x n x inner; inner 1 is armbench_softmax's rows. Same NaN/Inf rules; y may
 * equal x. */
int armbench_softmax_axis(size_t outer, size_t n, size_t inner, const float* x, float* y, int log_softmax);

typedef enum armbench_reduce_fn {
  ARMBENCH_REDUCE_MEAN = 0, /* accumulated in double, rounded once */
  ARMBENCH_REDUCE_SUM = 1,  /* likewise */
  ARMBENCH_REDUCE_MAX = 2,  /* a NaN gives NaN, as ARMBENCH_BINARY_MAX */
  ARMBENCH_REDUCE_MIN = 3,  /* likewise */
  ARMBENCH_REDUCE_FN_COUNT = 4
} armbench_reduce_fn;

/* y[o][j] = fn over i of x[o][i][j], x outer x n x inner, y outer x inner (no
 * overlap). */
int armbench_reduce(armbench_reduce_fn fn, size_t outer, size_t n, size_t inner, const float* x, float* y);

/* y[o][i][j] = data[o][idx[i]][j] with data outer x axis_len x inner and count
 * indices (a negative one counts from the end), rows [begin, end) of y's
 * outer x count rows of inner values. Every index is checked before anything is
 * written: one outside [-axis_len, axis_len) gives -EINVAL with its position in
 * *bad_at (when not NULL). */
int armbench_gather(size_t outer, size_t axis_len, size_t inner, const float* data, const int32_t* indices,
                    size_t count, float* y, size_t begin, size_t end, size_t* bad_at);

/* armbench_gather, but an index equal to axis_len selects a row of zeros (and is not
 * an error): im2col over a zero-padded window, read from the unpadded input (a Conv
 * whose weights arrive at run time). Multiplying a gathered row by a 0/1 mask instead
 * would turn an infinity in the row into NaN. */
int armbench_gather_zero_row(size_t outer, size_t axis_len, size_t inner, const float* data, const int32_t* indices,
                             size_t count, float* y, size_t begin, size_t end, size_t* bad_at);

/* int32 -> fp32 (rounded to nearest), elementwise; y may alias x exactly. */
void armbench_cast_i32_f32(const int32_t* x, float* y, size_t count);

/* Elementwise over count floats, y may equal x: erf, tanh, sqrt (IEEE, exact),
 * gelu(x) = x / 2 (1 + erf(x / sqrt 2)), gelu_tanh(x) = x / 2 (1 + tanh(sqrt(2 / pi)
 * (x + 0.044715 x^3))). Bounds against double references: ops_internal.h. */
void armbench_erf(const float* x, float* y, size_t count);
void armbench_tanh(const float* x, float* y, size_t count);
void armbench_sqrt(const float* x, float* y, size_t count);
void armbench_gelu(const float* x, float* y, size_t count);
void armbench_gelu_tanh(const float* x, float* y, size_t count);
/* exp and log (natural) likewise, y may equal x: computed in double and rounded once,
 * one scalar path (graphs use them rarely). log(0) = -inf, log(x < 0) NaN. */
void armbench_exp(const float* x, float* y, size_t count);
void armbench_log(const float* x, float* y, size_t count);
/* x rounded to the nearest float16 (IEEE binary16) or bfloat16 value, ties to even, and
 * held as fp32 again (ONNX Cast to those types): past the largest finite value an
 * infinity, NaN stays NaN, subnormals kept. y may equal x. */
void armbench_round_f16(const float* x, float* y, size_t count);
void armbench_round_bf16(const float* x, float* y, size_t count);
/* x rounded to the nearest integer, ties to even (ONNX Round), held as fp32; y may equal x. */
void armbench_round_even(const float* x, float* y, size_t count);

/* Scaled dot-product attention, fused: for each of batch x heads problems,
 * y = softmax(scale * q kt + mask) v over each row, with q [sq][dk], kt [dk][sk] (K
 * already transposed, the form transformer graphs hold it), v [sk][dv] and y [sq][dv]
 * dense and back to back per problem (problem p at p times the matrix's size). The
 * mask (NULL: none) is read at mask[b * s[0] + h * s[1] + i * s[2] + j * s[3]] for
 * problem (b, h), score row i and column j, s = mask_strides (0 along a broadcast
 * axis). Query rows go in tiles of armbench_attention_tile_rows(): a tile's scores
 * (tile x sk floats) are the only part of the score matrix ever held, softmax as
 * armbench_softmax. dtype bf16: q, kt and v hold bf16 bit patterns (uint16_t) and each
 * tile's probabilities are rounded to bf16 before the product with v, as two bf16
 * matmuls around a softmax would; fp32 accumulation either way. gemm_kernel: a GEMM
 * registry index of that dtype, supported here (armbench_gemm_default_kernel). */
typedef struct armbench_attention_args {
  size_t batch, heads, sq, sk, dk, dv;
  float scale;
  int dtype;  /* an armbench_gemm_dtype */
  size_t gemm_kernel;
  const void *q, *kt, *v;
  const float* mask;
  size_t mask_strides[4];
  float* y;
} armbench_attention_args;

/* Query rows per tile, and the tiles of a call: batch x heads x ceil(sq / tile rows). */
size_t armbench_attention_tile_rows(void);
size_t armbench_attention_tiles(const armbench_attention_args* a);
/* Tiles [begin, end) (end clamped; 0, SIZE_MAX is all of them): the bits of one call
 * whatever the split. 0, -EINVAL (a NULL pointer, a zero dimension, sizes that
 * overflow, a non-finite scale, an unknown dtype or kernel of another dtype),
 * -ENOTSUP (the kernel cannot run here) or -ENOMEM (the tile's scratch). */
int armbench_attention(const armbench_attention_args* a, size_t begin, size_t end);

/* Which implementation the elementwise ops use here: "avx512", "avx2", "neon", "scalar". */
const char* armbench_ops_isa(void);

#ifdef __cplusplus
}
#endif

#endif
