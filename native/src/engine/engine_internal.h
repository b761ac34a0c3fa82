// The executor's prepared form of a program, shared by create (engine.cc) and run
// (engine_run.cc): every pointer already resolved into the arena, every weight
// already in the form its kernel reads.
#ifndef ARMBENCH_ENGINE_INTERNAL_H
#define ARMBENCH_ENGINE_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "armbench/engine.h"
#include "armbench/quantize.h"

namespace armbench {
namespace engine {

struct FreeDeleter {
  void operator()(void* p) const { free(p); }
};
using AlignedBytes = std::unique_ptr<unsigned char, FreeDeleter>;

struct PlanDeleter {
  void operator()(armbench_conv_plan* p) const { armbench_conv_plan_free(p); }
};
struct DqDeleter {
  void operator()(armbench_dq_weights* p) const { armbench_dq_weights_free(p); }
};
struct PackedDeleter {
  void operator()(armbench_gemm_packed_b* p) const { armbench_gemm_packed_b_free(p); }
};

enum class ReorderKind { kCopy, kToNchwc, kToNchw, kNone };

struct Step {
  armbench_engine_op op;
  std::string label;  // `step 3 "conv1" (conv)`, the prefix of every message about it
  std::string runs;   // what runs it (armbench_engine_step_kernel)
  float* x = nullptr;
  const float* b = nullptr;
  float* y = nullptr;
  size_t count = 0;  // elementwise ops: floats as stored (NCHWc padding included)

  // conv
  std::unique_ptr<armbench_conv_plan, PlanDeleter> plan;
  bool blocked = false;  // conv, pools: y (and x, residual) in NCHWc, run by the _nchwc functions
  bool x_plain = false;  // conv: x nchw under a blocked y (armbench_conv_plan_run_nchw_to_nchwc)
  armbench_conv_epilogue epilogue{};
  // gemm
  std::unique_ptr<armbench_gemm_packed_b, PackedDeleter> packed;
  // dynamic-quant-matmul: its int8 weights, packed once, and their scales
  std::unique_ptr<armbench_dq_weights, DqDeleter> dq;
  // gemm with one row (batch 1): W as given (n x k), fp32 or bf16 bits, for the GEMV
  // path; packed is then empty.
  std::vector<float> w;
  std::vector<uint16_t> wh;
  size_t kernel = 0, rows = 0, k = 0, n = 0;
  // gemm and matmul: the blocking a tuning chose (has_blocking), else the kernel's own
  bool has_blocking = false;
  armbench_gemm_blocking blocking{};
  // conv and gemm: the input's floats, rounded into the scratch before a bf16 step
  bool bf16 = false;
  size_t x_elems = 0;
  std::vector<float> bias;

  armbench_pool2d pool{};
  // globalavgpool, batchnorm, concat: n x c x hw
  size_t dn = 0, dc = 0, dhw = 0;
  std::vector<const float*> xs;
  std::vector<size_t> channels;
  std::vector<float> scale, mean, var;
  float epsilon = 0;
  // softmax: rows x cols in rows/n above
  // reorder
  ReorderKind reorder = ReorderKind::kNone;
  size_t dh = 0, dw = 0, bytes = 0;
  // An NCHWc output whose padding channels the op may have made non-zero
  // (sigmoid(0) = 0.5): zeroed again after the op, as the layout promises.
  bool rezero_padding = false;

  // The transformer ops.
  // broadcast and where: the operands' dims (x, b and where's v point at the arena or
  // at a_const, b_const and v_const); a comparison's int32 operands (x or b holding
  // int32_t values)
  armbench_binary_fn fn = ARMBENCH_BINARY_ADD;
  size_t a_ndims = 0, a_dims[4] = {}, b_ndims = 0, b_dims[4] = {}, v_ndims = 0, v_dims[4] = {};
  std::vector<float> a_const, b_const, v_const;
  const float* v = nullptr;
  bool a_int32 = false, b_int32 = false;
  // transpose: x's dims and the permutation
  size_t ndims = 0, dims[4] = {}, perm[4] = {};
  size_t y_elems = 0;  // broadcast, where, transpose, gather rows (outer x count)
  // matmul: rows x k times k x n per batch (rows = m), at these element offsets of a
  // (x) and b; y's batch i at i * rows * n. bf16: x_elems of a, b_elems of b rounded.
  std::vector<size_t> a_off, b_off;
  size_t b_elems = 0;
  // layernorm: rows x n, the residual (or nullptr), scale and bias (empty: none) above
  const float* residual = nullptr;
  // softmax (outer x n x inner), reduce (the same), gather (outer x axis_len x inner)
  size_t outer = 0, inner = 0, axis_len = 0;
  armbench_reduce_fn reduce_fn = ARMBENCH_REDUCE_MEAN;
  bool log = false;
  // gather: the data (x, or table's) and count indices (the arena's, or index_values')
  const float* data = nullptr;
  const int32_t* indices = nullptr;
  std::vector<float> table;
  std::vector<int32_t> index_values;
  bool zero_row = false;  // an index of axis_len gives zeros (armbench_gather_zero_row)
  // cast: x as the int32 it holds
  const int32_t* xi = nullptr;
  // attention: the kernel's arguments over the arena; bf16: q, kt and v (attn_in,
  // attn_elems of each) are rounded into the scratch at attn_at and the arguments
  // pointed there at each run.
  armbench_attention_args attention{};
  const float* attn_in[3] = {};
  size_t attn_elems[3] = {}, attn_at[3] = {};

  // The quantized ops: each parameter's values (the arena's, or its own copy of a
  // constant), count 0 where absent; scales as floats, the rest as int32.
  struct QParam {
    const float* f = nullptr;
    const int32_t* i = nullptr;
    size_t count = 0;
    std::vector<float> own_f;
    std::vector<int32_t> own_i;
  };
  QParam q[ARMBENCH_Q_ROLE_COUNT];
  int32_t qmin = 0, qmax = 0;
  bool toward_zero = false, x_signed = false, w_signed = false, requantize = false;
  int32_t* yi = nullptr;
  // matmul-integer: batches of rows x k times k x n (w shared when w_batched is false);
  // conv-integer: its shape. The int8 GEMM's workspace, the requantized ops' int32
  // sums (acc) and their per-column or per-channel multipliers (mult), made at each
  // run from the scales, which may be computed at run time.
  size_t batches = 0;
  bool w_batched = false;
  armbench_conv_shape cshape{};
  // Sized at create, written at each run (runs are serialized).
  mutable std::vector<unsigned char> work;
  mutable std::vector<int32_t> acc;
  mutable std::vector<float> mult;
};

// Where b's bf16 copy starts in the scratch (uint16 elements) after a's a_elems, on
// a 64-byte boundary.
inline size_t bf16_b_at(size_t a_elems) { return (a_elems + 31) / 32 * 32; }

struct Io {
  size_t offset, elems;
  armbench_engine_dtype dtype;
};

}  // namespace engine
}  // namespace armbench

struct armbench_engine {
  size_t arena_bytes = 0;
  armbench::engine::AlignedBytes arena;
  armbench::engine::AlignedBytes scratch;  // bf16 copies of conv/gemm/matmul inputs
  size_t scratch_bytes = 0;
  size_t weight_bytes = 0;
  size_t block = 0;
  std::vector<armbench::engine::Step> steps;
  std::vector<armbench::engine::Io> inputs, outputs;
  std::mutex run_lock;  // runs share the arena and the scratch
};

#endif
