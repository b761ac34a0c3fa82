/* The inference op set the models need beside convolution and GEMM, on NCHW fp32
 * tensors. Each op has a scalar reference (the test oracle) and vectorized paths
 * where it matters, chosen at run time. Flatten/Reshape move no data; Gemm/MatMul
 * is armbench_gemm. */
#ifndef ARMBENCH_OPS_H
#define ARMBENCH_OPS_H

#include <stddef.h>

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
/* Softmax along the last axis of a rows x cols matrix, numerically stable (max subtracted). */
int armbench_softmax(size_t rows, size_t cols, const float* x, float* y);

/* Which implementation the elementwise ops use here: "avx512", "avx2", "neon", "scalar". */
const char* armbench_ops_isa(void);

#ifdef __cplusplus
}
#endif

#endif
