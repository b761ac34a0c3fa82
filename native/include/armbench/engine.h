/* The model executor: a compiled program (src/engine/program.ts, lowered by the
 * TypeScript model compiler) run as a flat list of steps over one activation arena
 * (fp32, and int32 token ids and masks). Everything that can be done once is done at create time: every step
 * validated, weights copied, each convolution prepared once as a plan (packed or
 * transformed), each GEMM's B packed once, bf16 weights rounded once. A run then only
 * calls kernels, so a timed inference measures kernels, not the caller. */
#ifndef ARMBENCH_ENGINE_H
#define ARMBENCH_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/conv.h"
#include "armbench/gemm.h"
#include "armbench/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum armbench_engine_op {
  ARMBENCH_ENGINE_CONV = 0,
  ARMBENCH_ENGINE_MAXPOOL = 1,
  ARMBENCH_ENGINE_AVGPOOL = 2,
  ARMBENCH_ENGINE_GLOBAL_AVGPOOL = 3,
  ARMBENCH_ENGINE_GEMM = 4,
  ARMBENCH_ENGINE_RELU = 5,
  ARMBENCH_ENGINE_CLIP = 6,
  ARMBENCH_ENGINE_SIGMOID = 7,
  ARMBENCH_ENGINE_HARDSWISH = 8,
  ARMBENCH_ENGINE_ADD = 9,
  ARMBENCH_ENGINE_MUL = 10,
  ARMBENCH_ENGINE_CONCAT = 11,
  ARMBENCH_ENGINE_BATCHNORM = 12,
  ARMBENCH_ENGINE_SOFTMAX = 13,
  ARMBENCH_ENGINE_REORDER = 14,
  /* The transformer ops (BERT-style encoders). */
  ARMBENCH_ENGINE_BROADCAST = 15,
  ARMBENCH_ENGINE_TRANSPOSE = 16,
  ARMBENCH_ENGINE_MATMUL = 17,
  ARMBENCH_ENGINE_LAYERNORM = 18,
  ARMBENCH_ENGINE_REDUCE = 19,
  ARMBENCH_ENGINE_GATHER = 20,
  ARMBENCH_ENGINE_CAST = 21,
  ARMBENCH_ENGINE_ERF = 22,
  ARMBENCH_ENGINE_TANH = 23,
  ARMBENCH_ENGINE_SQRT = 24,
  ARMBENCH_ENGINE_GELU = 25,
  ARMBENCH_ENGINE_GELU_TANH = 26,
  ARMBENCH_ENGINE_ATTENTION = 27,
  ARMBENCH_ENGINE_EXP = 28,
  ARMBENCH_ENGINE_LOG = 29,
  ARMBENCH_ENGINE_WHERE = 30,
  ARMBENCH_ENGINE_ROUND_F16 = 31,
  ARMBENCH_ENGINE_ROUND_BF16 = 32,
  /* The quantized ops (quantize.h). */
  ARMBENCH_ENGINE_QUANTIZE = 33,
  ARMBENCH_ENGINE_DEQUANTIZE = 34,
  ARMBENCH_ENGINE_MATMUL_INTEGER = 35,
  ARMBENCH_ENGINE_CONV_INTEGER = 36,
  ARMBENCH_ENGINE_ROUND = 37,
  ARMBENCH_ENGINE_DQ_MATMUL = 38,
  ARMBENCH_ENGINE_OP_COUNT = 39
} armbench_engine_op;

/* "conv", "maxpool", "avgpool", "globalavgpool", "gemm", "relu", "clip", "sigmoid",
 * "hardswish", "add", "mul", "concat", "batchnorm", "softmax", "reorder", "broadcast",
 * "transpose", "matmul", "layernorm", "reduce", "gather", "cast", "erf", "tanh",
 * "sqrt", "gelu", "gelu-tanh", "attention", "exp", "log", "where", "round-f16",
 * "round-bf16", "quantize", "dequantize", "matmul-integer", "conv-integer", "round",
 * "dynamic-quant-matmul"
 * (the program's names); NULL for an unknown op. */
const char* armbench_engine_op_name(armbench_engine_op op);

typedef enum armbench_engine_layout {
  ARMBENCH_ENGINE_NCHW = 0,  /* dense, row-major over dims */
  ARMBENCH_ENGINE_NCHWC = 1  /* 4-D only: n x ceil(c / block) x h x w x block, padding channels zero */
} armbench_engine_layout;

/* What a tensor's elements are. int32 tensors (token ids and masks, given as graph
 * inputs; the quantized ops' uint8, int8 and int32 values, one per int32) are dense
 * (NCHW); only gather (as indices), cast (as x), the comparison broadcasts (as
 * operands) and the quantized ops read them, and only the quantized ops write them. */
typedef enum armbench_engine_dtype {
  ARMBENCH_ENGINE_FP32 = 0,
  ARMBENCH_ENGINE_INT32 = 1
} armbench_engine_dtype;

/* An activation in the arena. */
typedef struct armbench_engine_tensor {
  size_t offset;   /* bytes from the arena's start; a multiple of 4 */
  size_t ndims;    /* 1 to 4 */
  size_t dims[4];  /* the logical shape (n, c, h, w), or (rows, cols); each >= 1 */
  armbench_engine_layout layout;
  armbench_engine_dtype dtype;  /* zero: fp32 */
} armbench_engine_tensor;

/* A constant operand given by value (broadcast, where), fp32, copied at create time. */
typedef struct armbench_engine_const {
  const float* data;  /* NULL: no constant (the step's tensor is the operand) */
  size_t count;       /* values in data: the product of dims */
  size_t ndims;       /* 1 to 4 */
  size_t dims[4];
} armbench_engine_const;

/* The quantized ops' parameters, by role: x's scale and zero point, the weights w
 * (matmul-integer's b) and theirs, y's, and conv-integer's int32 bias. */
typedef enum armbench_engine_qrole {
  ARMBENCH_Q_X_SCALE = 0,
  ARMBENCH_Q_X_ZERO = 1,
  ARMBENCH_Q_W = 2,
  ARMBENCH_Q_W_SCALE = 3,
  ARMBENCH_Q_W_ZERO = 4,
  ARMBENCH_Q_Y_SCALE = 5,
  ARMBENCH_Q_Y_ZERO = 6,
  ARMBENCH_Q_BIAS = 7,
  ARMBENCH_Q_ROLE_COUNT = 8
} armbench_engine_qrole;

/* One step. Only the fields of its op are read; the rest may be left zero.
 * Arrays (weights, bias, BatchNorm parameters, xs) are read during create only. */
typedef struct armbench_engine_step {
  armbench_engine_op op;
  const char* name;              /* for error messages; may be NULL */
  armbench_engine_tensor x;      /* input; binary ops: a */
  armbench_engine_tensor b;      /* binary ops: the second operand */
  armbench_engine_tensor y;      /* output */
  /* conv: x and y both NCHW, or both NCHWc with algo "direct-nchwc" (a network that
   * keeps the blocked layout between convolutions: no transform at either end) */
  armbench_conv_shape conv;
  const char* algo;              /* an armbench_conv_algo_name() */
  int has_residual;
  armbench_engine_tensor residual; /* added before the activation; same dims and layout as y */
  /* conv and gemm */
  armbench_gemm_dtype dtype;     /* bf16: weights rounded to bf16 (RNE) once, x rounded at each run; fp32 accumulation */
  const float* weights;          /* conv: k x (c / groups) x r x s; gemm: n x k (y = x W^T) */
  size_t weights_count;
  const float* bias;             /* conv: k values, gemm: n values; NULL for none. BatchNorm: c values */
  size_t bias_count;
  armbench_conv_activation act;  /* conv and gemm epilogue; the GELU forms for gemm only (after the bias) */
  float clip_min, clip_max;      /* act CLIP, and the clip op (ONNX defaults: -inf, +inf) */
  /* gemm: x is rows x k (any dims with that many elements), y rows x n. layernorm:
   * rows (x cols below); reduce: n */
  size_t rows, k, n;
  /* maxpool, avgpool: n, c, h and w are taken from x (whatever is here); x and y both
   * NCHW or both NCHWc. globalavgpool: x NCHW or NCHWc, y NCHW (n, c) or (n, c, 1, 1) */
  armbench_pool2d pool;
  /* concat (along channels, NCHW): xs_count inputs */
  const armbench_engine_tensor* xs;
  size_t xs_count;
  /* batchnorm: scale, mean and var have c values each, bias is above */
  const float *scale, *mean, *var;
  size_t scale_count, mean_count, var_count;
  float epsilon;                 /* batchnorm, layernorm */

  /* The transformer ops. y is always an fp32 NCHW (dense) tensor.
   * broadcast: y = fn(a, b) under numpy broadcasting, each operand the tensor (x for a,
   * b for b) or, where a_const / b_const has data, that constant; y's dims the
   * broadcast of theirs (rank the larger). y may be an arena operand with y's dims.
   * The comparisons' arena operands may be int32 tensors (y is fp32 0/1 either way).
   * where: y = cond != 0 ? a : b under numpy broadcasting of the three, cond the tensor
   *   x (or a_const), a the tensor b (or b_const), b the tensor v (or v_const); y's dims
   *   the broadcast of all three (rank the largest); fp32, and y over an arena operand
   *   as broadcast.
   * relu..gelu-tanh, exp, log, round-f16, round-bf16 (armbench_round_f16 / _bf16): x and
   *   y as for the elementwise ops (y may equal x).
   * transpose: y dims[i] = x dims[perm[i]], ranks equal, 1 to 4.
   * matmul: x (a) [..., m, k] times b [..., k, n] = y [..., m, n], ranks 2 to 4, batch
   *   dims broadcast (right-aligned); dtype as gemm's (bf16: a and b rounded at each run).
   * layernorm: x and y (may equal x) of rows x cols values, residual (has_residual;
   *   x's dims, may equal y) added first; scale (scale_count = cols) and bias
   *   (bias_count = cols, or NULL), epsilon.
   * softmax: x and y (may equal x) [outer, n, inner] (softmax over n) or [rows, cols];
   *   log_softmax nonzero: LogSoftmax.
   * reduce: y = reduce_fn over n of x, x outer x n x inner values (n the field above),
   *   y outer x inner.
   * gather: data x (or table: outer x axis_len x inner values), indices an int32 tensor
   *   of count values (or index_values, count of them); y outer x count x inner values.
   *   An index outside [-axis_len, axis_len) fails the run (-EINVAL, the step and the
   *   index named in why); with zero_row nonzero, an index equal to axis_len gives a
   *   row of zeros (armbench_gather_zero_row).
   * cast: x int32, y fp32, same element count (y may alias x exactly).
   * attention: y = softmax(scale * x b + mask) v over each row (armbench_attention):
   *   x (q) [..., sq, dk], b (K transposed) [..., dk, sk], v [..., sk, dv] and y
   *   [..., sq, dv], ranks 2 to 4, equal batch dims (no broadcasting among them);
   *   has_mask: mask, rank up to y's, broadcasts to [..., sq, sk] (each of its dims,
   *   right-aligned, 1 or the scores'). None of them may overlap y. attention_scale finite;
   *   dtype as matmul's (bf16: x, b and v rounded at each run, and the probabilities
   *   before their product with v); the gemm choice below picks the GEMM kernel. */
  armbench_binary_fn fn;
  armbench_reduce_fn reduce_fn;  /* zero: mean */
  armbench_engine_const a_const, b_const, v_const;
  size_t perm[4];
  size_t cols;
  int log_softmax;
  size_t outer, axis_len, inner, count;
  const float* table;
  size_t table_count;
  armbench_engine_tensor indices;
  const int32_t* index_values;
  size_t index_values_count;
  int zero_row;
  /* gemm and matmul: the GEMM kernel (a registry index of the step's dtype, supported
   * here) and blocking a tuning chose; has_gemm_choice 0: the dtype's default kernel
   * with its own blocking. */
  armbench_engine_tensor v, mask;
  int has_mask;
  float attention_scale;          /* attention: scores = attention_scale * q kt */
  int has_gemm_choice;
  size_t gemm_kernel;
  armbench_gemm_blocking gemm_blocking;

  /* The quantized ops. Each parameter q[role] is an arena tensor, or the constant
   * q_const[role] where that has data, or absent where neither (q[role].ndims 0);
   * scales (fp32) hold 1 value or one per slice of their axis, zero points, weights
   * and bias int32 values (a constant's fp32 values must be those integers).
   * quantize: y (int32) = saturate(round(x / y scale) + y zero) into [qmin, qmax],
   *   x (fp32) and y viewed as outer x n x inner (the fields above), the parameters
   *   per n; toward_zero: Cast's truncation instead of rounding.
   * dequantize: y (fp32) = (x (int32) - x zero) * x scale, viewed likewise.
   * matmul-integer: x (a) [..., m, k] times w [..., k, n] (w's batch dims absent or
   *   a's), y [..., m, n] int32, less x zero per row of a (1 or m values) and w zero
   *   per column (1 or n); x_signed and w_signed say whether a and w hold int8 (else
   *   uint8) values. With a y scale (QLinearMatMul): x and w scales (1, or w's 1 or
   *   n), y zero, and y = saturate(round(sum * x scale * w scale / y scale) + y zero)
   *   into [qmin, qmax] instead of the sum. The GEMM is the int8 one (igemm.h).
   * conv-integer: the conv field's shape, x NCHW int32, w k x (c / groups) x r x s,
   *   y int32; x zero 1 value, w zero 1 or k, bias (optional) k; with a y scale
   *   (QLinearConv) requantized per output channel as matmul-integer's.
   * round: an elementwise op (armbench_round_even).
   * dynamic-quant-matmul: x [..., k] fp32 (every row together one tensor) times the
   *   constant w [k, n] of int8 values with its constant w scale (n values), y [..., n]
   *   fp32, as armbench_dq_matmul (quantize.h) computes it. */
  armbench_engine_tensor q[ARMBENCH_Q_ROLE_COUNT];
  armbench_engine_const q_const[ARMBENCH_Q_ROLE_COUNT];
  int32_t qmin, qmax;
  int toward_zero;
  int x_signed, w_signed;
} armbench_engine_step;

typedef struct armbench_engine_desc {
  size_t arena_bytes;
  /* The NCHWc block the program was built for: armbench_nchwc_block(), or 0 when no
   * tensor is NCHWc. Anything else is refused: the program was built for another CPU. */
  size_t nchwc_block;
  const armbench_engine_tensor* inputs;   /* NCHW, fp32 or int32; written into the arena before the first step */
  size_t input_count;
  const armbench_engine_tensor* outputs;  /* NCHW, fp32 or int32; read from the arena after the last step */
  size_t output_count;
  const armbench_engine_step* steps;
  size_t step_count;
} armbench_engine_desc;

typedef struct armbench_engine armbench_engine;

/* Validates every step and prepares it. Returns 0, or -EINVAL (a bad program),
 * -ENOTSUP (a valid step this executor or algorithm cannot run: a conv whose x and y
 * differ in layout, a conv on NCHWc tensors with an algorithm other than
 * "direct-nchwc", an algorithm that cannot run the shape, a GELU epilogue on a conv) or
 * -ENOMEM, with one line in why
 * naming the step: `step 3 "conv1" (conv): ...`. Nothing is kept on failure.
 *
 * What is refused: tensors outside the arena, misaligned or of the wrong dims for
 * the op; int32 tensors anywhere but gather's indices, cast's x, comparison operands
 * and the inputs; inputs of a step overlapping its output, except that the elementwise
 * ops, batchnorm, softmax, layernorm, broadcast, where and cast may write exactly over
 * an input (same offset and size); unknown algorithm names, ops or fns; weight, bias,
 * parameter and constant arrays of the wrong length. */
int armbench_engine_create(const armbench_engine_desc* desc, armbench_engine** out, char* why, size_t why_len);
void armbench_engine_free(armbench_engine* engine);

typedef struct armbench_engine_info {
  size_t arena_bytes;
  size_t weight_bytes;   /* weights, biases and BatchNorm parameters as held, in their dtype (before packing) */
  size_t scratch_bytes;  /* executor-owned scratch: the bf16 copy of the largest bf16 conv/gemm input */
  size_t step_count;
  size_t input_count, output_count;
} armbench_engine_info;
void armbench_engine_get_info(const armbench_engine* engine, armbench_engine_info* info);
/* What runs step i, for the record: the conv algorithm and dtype ("winograd-f4 fp32"),
 * the GEMM kernel or path (armbench_gemm_path), or the op set's ISA ("relu avx512").
 * NULL when i is out of range. Valid as long as the engine. */
const char* armbench_engine_step_kernel(const armbench_engine* engine, size_t i);
/* Values in input / output i (its element count); 0 when out of range. */
size_t armbench_engine_input_elems(const armbench_engine* engine, size_t i);
size_t armbench_engine_output_elems(const armbench_engine* engine, size_t i);
/* What input i holds (float or int32_t values); ARMBENCH_ENGINE_FP32 when out of range. */
armbench_engine_dtype armbench_engine_input_dtype(const armbench_engine* engine, size_t i);
/* What output i holds, likewise: its 4-byte values are copied out as they are. */
armbench_engine_dtype armbench_engine_output_dtype(const armbench_engine* engine, size_t i);

/* One inference: the inputs (input_count arrays of input_elems values, float or
 * int32_t as armbench_engine_input_dtype says) written into
 * the arena, every step run in order (conv, gemm and matmul on pool, and the row-wise
 * and elementwise steps split over it when they are large enough; NULL: the calling
 * thread), the outputs copied out (output_count arrays, or outputs NULL). step_ns,
 * when not NULL, receives each step's wall time (step_count values). Runs on one
 * engine are serialized (they share the arena). Returns 0 or a kernel's -errno with
 * the failing step in why (may be NULL): a gather index outside its axis is -EINVAL
 * with the step, the index and its position named. */
int armbench_engine_run(armbench_engine* engine, armbench_gemm_pool* pool, const void* const* inputs,
                        float* const* outputs, uint64_t* step_ns, char* why, size_t why_len);

/* warmup untimed inferences, then `iterations` timed ones, all in one native loop.
 * samples_ns[i]: wall time of inference i, from writing the inputs to the end of the
 * last step (the outputs are copied out once, after the loop, when outputs is not
 * NULL). step_ns, when not NULL, receives iterations x step_count values (row i:
 * inference i's steps). As armbench_engine_run otherwise. */
int armbench_engine_measure(armbench_engine* engine, armbench_gemm_pool* pool, const void* const* inputs,
                            float* const* outputs, unsigned warmup, unsigned iterations, uint64_t* samples_ns,
                            uint64_t* step_ns, char* why, size_t why_len);

#ifdef __cplusplus
}
#endif

#endif
