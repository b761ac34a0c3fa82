/* 2-D convolution for inference: NCHW at the boundary (NCHWc too, for direct-nchwc
 * plans), fp32 or bf16 inputs with fp32 accumulation, a fused epilogue, and several
 * algorithms behind one registry. */
#ifndef ARMBENCH_CONV_H
#define ARMBENCH_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct armbench_conv_shape {
  size_t n, c, h, w;          /* input: batch, channels, height, width */
  size_t k;                   /* output channels */
  size_t r, s;                /* kernel height, width */
  size_t stride_h, stride_w;
  size_t pad_top, pad_left, pad_bottom, pad_right; /* may differ (asymmetric) */
  size_t dilation_h, dilation_w;
  size_t groups;              /* c and k divisible by groups; groups == c == k is depthwise */
} armbench_conv_shape;

/* 0 and the output size, or -EINVAL with a one-line reason in why (e.g. "channels 30
 * are not divisible by groups 4", "the output would have no rows"). */
int armbench_conv_output(const armbench_conv_shape* shape, size_t* out_h, size_t* out_w, char* why, size_t why_len);

typedef enum armbench_conv_activation {
  ARMBENCH_ACT_NONE = 0,
  ARMBENCH_ACT_RELU = 1,
  ARMBENCH_ACT_CLIP = 2,  /* clamp to [clip_min, clip_max]; ReLU6 is [0, 6] */
  /* x / 2 (1 + erf(x / sqrt 2)) and its tanh form: the engine's gemm epilogue only
   * (armbench_gelu, armbench_gelu_tanh); convolutions refuse them (-EINVAL). */
  ARMBENCH_ACT_GELU = 3,
  ARMBENCH_ACT_GELU_TANH = 4
} armbench_conv_activation;

/* y = act(conv(x, w) + bias + residual): each optional. */
typedef struct armbench_conv_epilogue {
  const float* bias;      /* k values, or NULL */
  const float* residual;  /* an n x k x oh x ow tensor added before the activation, or NULL */
  armbench_conv_activation act;
  float clip_min, clip_max;
} armbench_conv_epilogue;

typedef enum armbench_conv_algo {
  ARMBENCH_CONV_REFERENCE = 0,    /* naive loops, double accumulation: the oracle */
  ARMBENCH_CONV_IM2COL = 1,       /* whole im2col matrix, then our GEMM */
  ARMBENCH_CONV_IM2COL_TILED = 2, /* im2col in column tiles sized to the cache: bounded scratch */
  ARMBENCH_CONV_GEMM_1X1 = 3,     /* 1x1, stride 1, no padding: the input is already the GEMM operand */
  ARMBENCH_CONV_DEPTHWISE = 4,    /* groups == c == k: direct per-channel loops */
  ARMBENCH_CONV_WINOGRAD_F2 = 5,  /* Winograd F(2x2,3x3): 3x3, stride 1, no dilation; fp32 transforms */
  ARMBENCH_CONV_WINOGRAD_F4 = 6,  /* F(4x4,3x3) */
  ARMBENCH_CONV_WINOGRAD_F6 = 7,  /* F(6x6,3x3): fewest multiplies, largest error */
  ARMBENCH_CONV_DIRECT_NCHWC = 8, /* direct convolution in the channel-blocked NCHWc layout, weights pre-packed */
  ARMBENCH_CONV_ALGO_COUNT = 9
} armbench_conv_algo;

/* "reference", "im2col", "im2col-tiled", "gemm-1x1", "depthwise", "winograd-f2", "winograd-f4", "winograd-f6", "direct-nchwc" */
const char* armbench_conv_algo_name(armbench_conv_algo a);
/* NULL when algo can run shape; otherwise why not (e.g. "needs a 1x1 kernel with stride 1 and no padding"). */
const char* armbench_conv_algo_unsupported(armbench_conv_algo a, const armbench_conv_shape* shape);

typedef struct armbench_conv_args {
  armbench_conv_shape shape;
  armbench_gemm_dtype dtype; /* fp32: x and w are float; bf16: uint16_t bit patterns. y is always float */
  const void* x;             /* n x c x h x w */
  const void* w;             /* k x (c / groups) x r x s */
  float* y;                  /* n x k x oh x ow */
  armbench_conv_epilogue epilogue;
} armbench_conv_args;

/* Runs algo (GEMM-based ones on pool; NULL: the calling thread). Returns 0, -EINVAL
 * (bad shape or arguments), -ENOTSUP (algo cannot run this shape or CPU; nothing
 * written) or -ENOMEM. */
int armbench_conv(armbench_gemm_pool* pool, armbench_conv_algo algo, const armbench_conv_args* args);

/* A prepared convolution: the weights copied once and, for algorithms that need it,
 * transformed or re-packed once (Winograd's U = G g G^T), then reused by every run,
 * as an inference engine does. armbench_conv is create + run + free. */
typedef struct armbench_conv_plan armbench_conv_plan;
int armbench_conv_plan_create(armbench_conv_algo algo, const armbench_conv_shape* shape, armbench_gemm_dtype dtype,
                              const void* w, armbench_conv_plan** out);
/* Returns as armbench_conv. */
int armbench_conv_plan_run(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const void* x, float* y,
                           const armbench_conv_epilogue* epilogue);
void armbench_conv_plan_free(armbench_conv_plan* plan);

/* A direct-nchwc plan run with x, y and epilogue->residual all in NCHWc (block
 * armbench_nchwc_block(); x: n x ceil(c / block) x h x w x block, y and residual:
 * n x ceil(k / block) x oh x ow x block), so a network keeps that layout between
 * convolutions and pays no transform. x is fp32 whatever the plan's dtype: a bf16 plan
 * rounds it to bf16 (to nearest even) as it reads it. x's padding channels must be
 * zero (or at least finite); y's are written zero whatever the epilogue. The bits do
 * not depend on the pool's size and equal armbench_conv_plan_run's on the same input
 * transformed (bf16: on x rounded to bf16). Returns 0, -EINVAL (NULL arguments, a bad
 * epilogue), -ENOTSUP (not a direct-nchwc plan; nothing written) or -ENOMEM. */
int armbench_conv_plan_run_nchwc(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const float* x, float* y,
                                 const armbench_conv_epilogue* epilogue);
/* The same with x in NCHW (y and the residual in NCHWc): a network's first conv reads
 * the image as given, which blocked would be mostly padding (3 channels of 16). Same
 * bits as armbench_conv_plan_run_nchwc on x transformed to NCHWc; same returns. */
int armbench_conv_plan_run_nchw_to_nchwc(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const float* x,
                                         float* y, const armbench_conv_epilogue* epilogue);

/* The NCHWc channel block for this CPU: the SIMD width in floats (16 with AVX-512,
 * 8 with AVX2, 4 with NEON, 4 otherwise). */
size_t armbench_nchwc_block(void);
/* Layout transforms as ops of their own: NCHW (n x c x h x w) <-> NCHWc
 * (n x ceil(c / block) x h x w x block, channels past c zero). 0 or -EINVAL. */
int armbench_nchw_to_nchwc(const float* x, size_t n, size_t c, size_t h, size_t w, size_t block, float* y);
int armbench_nchwc_to_nchw(const float* x, size_t n, size_t c, size_t h, size_t w, size_t block, float* y);

/* Scratch bytes algo needs for shape (0 if none): what the tiled im2col bounds. */
size_t armbench_conv_scratch_bytes(armbench_conv_algo algo, const armbench_conv_shape* shape, armbench_gemm_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif
