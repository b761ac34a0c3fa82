// Internal: the elementwise kernel sets of the op set, one per ISA, shared by ops.cc,
// the ISA files and the tests. Types and declarations only: this header is included by
// files compiled with different target flags, so it must not define any function.
#ifndef ARMBENCH_OPS_INTERNAL_H
#define ARMBENCH_OPS_INTERNAL_H

#include <stddef.h>

#include "armbench/cpu_features.h"
#include "armbench/ops.h"

namespace armbench {
namespace ops {

// Every kernel accepts any count (0 included) and any float-aligned pointers; y may
// equal an input exactly (in place) but must not overlap it otherwise.
//
// Semantics every set reproduces bit for bit (sigmoid: within the bound below):
// - relu(x)  = x < 0 ? 0 : x: NaN passes through (payload kept), -0 stays -0.
// - clip(x)  = t > hi ? hi : t with t = x < lo ? lo : x, i.e. min(max(x, lo), hi) as
//   ONNX: NaN passes through, lo > hi gives hi everywhere, a NaN bound clamps nothing.
// - hardswish(x) = x * (clamp(x + 3, 0, 6) * (1/6)): ONNX's x * max(0, min(1, x/6 +
//   0.5)) within 2 ulp, in an order no compiler can contract into a fused multiply-add
//   (so every set and architecture gives the same bits), exactly 0 at x <= -3 and x at
//   x >= 3. NaN gives NaN, +Inf gives +Inf, -Inf gives NaN (-Inf * 0, as ONNX's formula
//   and onnxruntime).
// - add, mul: IEEE a + b, a * b.
// - sigmoid: the scalar reference is 1 / (1 + exp(-x)) for x >= 0 and e / (1 + e) with
//   e = exp(x) for x < 0 (so tiny results keep their digits down to subnormals); the
//   vector sets use their own exp approximation, within kSigmoidMaxUlps of the exact
//   value, measured by test_ops. sigmoid(NaN) is NaN, +-Inf give 1 and 0.
//
// The transformer ops' members (see armbench/ops.h for what they compute):
// - sqrt: IEEE, the same bits everywhere.
// - erf, tanh, gelu, gelu_tanh: the scalar references are computed in double and
//   rounded once (gelu through erfc and gelu_tanh as x / (1 + exp(-2u)), so their tails
//   keep their digits); the vector sets use their own approximations, within
//   kErfMaxUlps / kTanhMaxUlps of the exact value, gelu within kGeluMaxUlps plus
//   kGeluAbsPerX * |x| (the vector sets form 1 + erf(x / sqrt 2), whose rounding near
//   -1 is absolute), all measured by test_ops. NaN gives NaN.
// - softmax: rows x cols, over each row (log nonzero: LogSoftmax); layernorm: rows x
//   cols, residual and bias optional. The scalar references accumulate in double and
//   round once; the vector sets form x - max in float and accumulate fp32 partial sums,
//   within kRowOpsMaxRelErr of the double results (softmax relative to each
//   probability, LogSoftmax and LayerNorm relative to max(|y|, 1)). y may equal an
//   input exactly.
struct EltwiseKernels {
  const char* isa;            // "scalar", "avx2", "avx512", "neon"
  armbench_feature needs[2];  // all must be detected; ARMBENCH_FEATURE_COUNT: none
  void (*relu)(const float* x, float* y, size_t n);
  void (*clip)(const float* x, float* y, size_t n, float lo, float hi);
  void (*sigmoid)(const float* x, float* y, size_t n);
  void (*hardswish)(const float* x, float* y, size_t n);
  void (*add)(const float* a, const float* b, float* y, size_t n);
  void (*mul)(const float* a, const float* b, float* y, size_t n);
  void (*erf)(const float* x, float* y, size_t n);
  void (*tanh)(const float* x, float* y, size_t n);
  void (*sqrt)(const float* x, float* y, size_t n);
  void (*gelu)(const float* x, float* y, size_t n);
  void (*gelu_tanh)(const float* x, float* y, size_t n);
  void (*softmax)(size_t rows, size_t cols, const float* x, float* y, int log);
  void (*layernorm)(size_t rows, size_t cols, const float* x, const float* residual, const float* scale,
                    const float* bias, float epsilon, float* y);
  // The max pool of one NCHWc plane of pool_lanes lanes, every lane a channel (0 and
  // nullptr: the scalar passes of ops.cc only): pool_kernels.inc, the same bits as those.
  size_t pool_lanes;
  void (*max_pool_plane)(const float* x, size_t w, size_t oh, size_t ow, const size_t* ywin, const size_t* xwin,
                         float* col, float* y);
};

// The vector sets' sigmoid error bound, in units in the last place of the exact result
// (the spacing of floats at it; 2^-149 among subnormals). The scalar reference is
// within 3 ulp (expf plus two roundings).
constexpr double kSigmoidMaxUlps = 4.0;

// The vector sets' bounds for the transformer ops (see above), in ulp of the exact
// result or relative to the double reference.
constexpr double kErfMaxUlps = 4.0;
constexpr double kTanhMaxUlps = 4.0;
constexpr double kGeluMaxUlps = 4.0;
constexpr double kGeluAbsPerX = 0x1p-23;
constexpr double kRowOpsMaxRelErr = 1e-5;

// The scalar references of the transformer ops (unary_math.cc, softmax.cc,
// layernorm.cc; baseline flags): kOpsScalar's members, and what a vector set without
// its own version of one points at.
void erf_ref(const float* x, float* y, size_t n);
void tanh_ref(const float* x, float* y, size_t n);
void sqrt_ref(const float* x, float* y, size_t n);
void gelu_ref(const float* x, float* y, size_t n);
void gelu_tanh_ref(const float* x, float* y, size_t n);
void softmax_ref(size_t rows, size_t cols, const float* x, float* y, int log);
void layernorm_ref(size_t rows, size_t cols, const float* x, const float* residual, const float* scale,
                   const float* bias, float epsilon, float* y);

// The attention family's portable reference (attention.cc): armbench_attention's tiles
// [begin, end) computed row by row in scalar code (each score and output a double sum
// rounded once, the softmax softmax_ref's), no GEMM, no vector set; the arguments must
// already be checked. What the tests hold the fused kernel against, beside their own
// double oracle.
void attention_ref(const armbench_attention_args* a, size_t begin, size_t end);

// *out = a * b * c * d, false when the floats would not be addressable (ops.cc).
bool volume(size_t* out, size_t a, size_t b, size_t c, size_t d);

// The portable reference (ops.cc, baseline flags), also the tests' oracle.
extern const EltwiseKernels kOpsScalar;
#if defined(__x86_64__)
extern const EltwiseKernels kOpsAvx2;    // ops_avx2.cc
extern const EltwiseKernels kOpsAvx512;  // ops_avx512.cc
#elif defined(__aarch64__)
extern const EltwiseKernels kOpsNeon;    // ops_neon.cc
#endif

// Every set built for this architecture, best first; the last is the scalar reference.
const EltwiseKernels* const* ops_kernel_sets(size_t* count);
bool ops_kernels_usable(const EltwiseKernels* k);
// The best usable set (decided once): what the C ABI's elementwise functions run.
const EltwiseKernels* ops_best_kernels();

}  // namespace ops
}  // namespace armbench

#endif
