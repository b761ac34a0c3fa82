// Running an engine: inputs into the arena, every prepared step in order, outputs
// out. Nothing here allocates or decides; create (engine.cc) did both.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "armbench/bf16.h"
#include "armbench/timer.h"
#include "engine_internal.h"

using armbench::engine::ReorderKind;
using armbench::engine::Step;

namespace {

// y[r][j] = act(y[r][j] + bias[j]) after a GEMM: the conv epilogue's rule (selects,
// so NaN passes through ReLU and Clip), with the bias along columns.
void gemm_epilogue(const Step& s) {
  const armbench_conv_epilogue& e = s.epilogue;
  if (s.bias.empty() && e.act == ARMBENCH_ACT_NONE) return;
  const float lo = e.act == ARMBENCH_ACT_RELU ? 0.0f : e.clip_min;
  const float hi = e.clip_max;
  for (size_t r = 0; r < s.rows; ++r) {
    float* row = s.y + r * s.n;
    if (!s.bias.empty())
      for (size_t j = 0; j < s.n; ++j) row[j] += s.bias[j];
    if (e.act == ARMBENCH_ACT_RELU) {
      for (size_t j = 0; j < s.n; ++j) row[j] = row[j] < lo ? lo : row[j];
    } else if (e.act == ARMBENCH_ACT_CLIP) {
      for (size_t j = 0; j < s.n; ++j) row[j] = row[j] < lo ? lo : (row[j] > hi ? hi : row[j]);
    }
  }
}

// Channels c..ceil(c / block) * block of the last channel block, back to zero.
void zero_padding(const Step& s, size_t block) {
  const size_t cb = (s.dc + block - 1) / block, used = s.dc - (cb - 1) * block;
  for (size_t n = 0; n < s.dn; ++n) {
    float* last = s.y + ((n * cb + cb - 1) * s.dhw) * block;
    for (size_t i = 0; i < s.dhw; ++i) memset(last + i * block + used, 0, (block - used) * sizeof(float));
  }
}

int run_step(armbench_engine* e, armbench_gemm_pool* pool, const Step& s) {
  uint16_t* scratch = reinterpret_cast<uint16_t*>(e->scratch.get());
  int rc = 0;
  switch (s.op) {
    case ARMBENCH_ENGINE_CONV: {
      const void* x = s.x;
      if (s.bf16) {
        armbench_f32_to_bf16_array(s.x, scratch, s.x_elems, ARMBENCH_BF16_RNE);
        x = scratch;
      }
      return armbench_conv_plan_run(pool, s.plan.get(), x, s.y, &s.epilogue);
    }
    case ARMBENCH_ENGINE_GEMM: {
      armbench_gemm_args a{};
      a.kernel = s.kernel;
      a.m = s.rows, a.n = s.n, a.k = s.k;
      a.alpha = 1.0f, a.beta = 0.0f;
      a.a = s.x;
      if (s.bf16) {
        armbench_f32_to_bf16_array(s.x, scratch, s.x_elems, ARMBENCH_BF16_RNE);
        a.a = scratch;
      }
      a.lda = s.k;
      a.c = s.y;
      a.ldc = s.n;
      rc = armbench_gemm_packed(pool, &a, s.packed.get());
      if (rc == 0) gemm_epilogue(s);
      return rc;
    }
    case ARMBENCH_ENGINE_MAXPOOL: return armbench_maxpool(&s.pool, s.x, s.y);
    case ARMBENCH_ENGINE_AVGPOOL: return armbench_avgpool(&s.pool, s.x, s.y);
    case ARMBENCH_ENGINE_GLOBAL_AVGPOOL: return armbench_global_avgpool(s.dn, s.dc, s.dhw, s.x, s.y);
    case ARMBENCH_ENGINE_RELU: armbench_relu(s.x, s.y, s.count); break;
    case ARMBENCH_ENGINE_CLIP: armbench_clip(s.x, s.y, s.count, s.epilogue.clip_min, s.epilogue.clip_max); break;
    case ARMBENCH_ENGINE_SIGMOID: armbench_sigmoid(s.x, s.y, s.count); break;
    case ARMBENCH_ENGINE_HARDSWISH: armbench_hardswish(s.x, s.y, s.count); break;
    case ARMBENCH_ENGINE_ADD: armbench_add(s.x, s.b, s.y, s.count); break;
    case ARMBENCH_ENGINE_MUL: armbench_mul(s.x, s.b, s.y, s.count); break;
    case ARMBENCH_ENGINE_CONCAT:
      return armbench_concat_channels(s.xs.size(), s.xs.data(), s.channels.data(), s.dn, s.dhw, s.y);
    case ARMBENCH_ENGINE_BATCHNORM:
      return armbench_batchnorm(s.dn, s.dc, s.dhw, s.x, s.scale.data(), s.bias.data(), s.mean.data(), s.var.data(),
                                s.epsilon, s.y);
    case ARMBENCH_ENGINE_SOFTMAX: return armbench_softmax(s.rows, s.n, s.x, s.y);
    case ARMBENCH_ENGINE_REORDER:
      switch (s.reorder) {
        case ReorderKind::kCopy: memcpy(s.y, s.x, s.bytes); return 0;
        case ReorderKind::kToNchwc: return armbench_nchw_to_nchwc(s.x, s.dn, s.dc, s.dh, s.dw, e->block, s.y);
        case ReorderKind::kToNchw: return armbench_nchwc_to_nchw(s.x, s.dn, s.dc, s.dh, s.dw, e->block, s.y);
        case ReorderKind::kNone: return 0;
      }
      return -EINVAL;
    default: return -EINVAL;
  }
  if (s.rezero_padding) zero_padding(s, e->block);
  return 0;
}

void write_inputs(armbench_engine* e, const float* const* inputs) {
  for (size_t i = 0; i < e->inputs.size(); ++i)
    memcpy(e->arena.get() + e->inputs[i].offset, inputs[i], e->inputs[i].elems * sizeof(float));
}

void read_outputs(armbench_engine* e, float* const* outputs) {
  if (outputs == nullptr) return;
  for (size_t i = 0; i < e->outputs.size(); ++i)
    memcpy(outputs[i], e->arena.get() + e->outputs[i].offset, e->outputs[i].elems * sizeof(float));
}

// All steps once; step_ns (step_count values) when not NULL.
int run_steps(armbench_engine* e, armbench_gemm_pool* pool, uint64_t* step_ns, char* why, size_t why_len) {
  for (size_t i = 0; i < e->steps.size(); ++i) {
    const uint64_t t0 = step_ns ? armbench_now_ns() : 0;
    const int rc = run_step(e, pool, e->steps[i]);
    if (step_ns) step_ns[i] = armbench_now_ns() - t0;
    if (rc != 0) {
      if (why != nullptr && why_len > 0) snprintf(why, why_len, "%s: the kernel failed (%s)", e->steps[i].label.c_str(), strerror(-rc));
      return rc;
    }
  }
  return 0;
}

bool inputs_ok(const armbench_engine* e, const float* const* inputs) {
  if (e->inputs.empty()) return true;
  if (inputs == nullptr) return false;
  for (size_t i = 0; i < e->inputs.size(); ++i)
    if (inputs[i] == nullptr) return false;
  return true;
}

}  // namespace

extern "C" {

int armbench_engine_run(armbench_engine* e, armbench_gemm_pool* pool, const float* const* inputs, float* const* outputs,
                        uint64_t* step_ns, char* why, size_t why_len) {
  if (why != nullptr && why_len > 0) why[0] = '\0';
  if (e == nullptr || !inputs_ok(e, inputs)) return -EINVAL;
  std::lock_guard<std::mutex> hold(e->run_lock);
  write_inputs(e, inputs);
  const int rc = run_steps(e, pool, step_ns, why, why_len);
  if (rc == 0) read_outputs(e, outputs);
  return rc;
}

int armbench_engine_measure(armbench_engine* e, armbench_gemm_pool* pool, const float* const* inputs,
                            float* const* outputs, unsigned warmup, unsigned iterations, uint64_t* samples_ns,
                            uint64_t* step_ns, char* why, size_t why_len) {
  if (why != nullptr && why_len > 0) why[0] = '\0';
  if (e == nullptr || !inputs_ok(e, inputs) || (iterations > 0 && samples_ns == nullptr)) return -EINVAL;
  std::lock_guard<std::mutex> hold(e->run_lock);
  for (unsigned i = 0; i < warmup; ++i) {
    write_inputs(e, inputs);
    const int rc = run_steps(e, pool, nullptr, why, why_len);
    if (rc != 0) return rc;
  }
  const size_t steps = e->steps.size();
  for (unsigned i = 0; i < iterations; ++i) {
    // The inputs are written again each time: the memory plan may reuse their bytes.
    const uint64_t t0 = armbench_now_ns();
    write_inputs(e, inputs);
    const int rc = run_steps(e, pool, step_ns ? step_ns + static_cast<size_t>(i) * steps : nullptr, why, why_len);
    samples_ns[i] = armbench_now_ns() - t0;
    if (rc != 0) return rc;
  }
  read_outputs(e, outputs);
  return 0;
}

}  // extern "C"
