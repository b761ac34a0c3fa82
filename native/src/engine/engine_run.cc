// Running an engine: inputs into the arena, every prepared step in order, outputs
// out. Nothing here allocates or decides; create (engine.cc) did both.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <atomic>

#include "../runtime/pool.h"
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

// Reorders and pools over the pool's threads: their planes (a channel block of a
// batch item in NCHWc, a range of channels in NCHW) are independent, so each thread
// runs the same function on its share of planes, as one call would on all of them.
struct PlaneTask {
  const armbench_engine* e;
  const Step* s;
  size_t oh, ow;  // pools: the output size
  std::atomic<int> rc{0};
};

int plane_range(const armbench_engine* e, const Step& s, size_t oh, size_t ow, size_t b, size_t c0, size_t c1) {
  const size_t block = e->block, hw = s.pool.h * s.pool.w;
  armbench_pool2d p = s.pool;
  p.n = 1;
  p.c = c1 - c0;
  switch (s.op) {
    case ARMBENCH_ENGINE_MAXPOOL:
    case ARMBENCH_ENGINE_AVGPOOL: {
      const size_t cb = (s.pool.c + block - 1) / block;
      // NCHWc: c0 and c1 on block boundaries (or c1 = c), planes of hw x block.
      const size_t xo = s.blocked ? (b * cb + c0 / block) * hw * block : (b * s.pool.c + c0) * hw;
      const size_t yo = s.blocked ? (b * cb + c0 / block) * oh * ow * block : (b * s.pool.c + c0) * oh * ow;
      if (s.op == ARMBENCH_ENGINE_MAXPOOL)
        return s.blocked ? armbench_maxpool_nchwc(&p, block, s.x + xo, s.y + yo) : armbench_maxpool(&p, s.x + xo, s.y + yo);
      return s.blocked ? armbench_avgpool_nchwc(&p, block, s.x + xo, s.y + yo) : armbench_avgpool(&p, s.x + xo, s.y + yo);
    }
    case ARMBENCH_ENGINE_REORDER: {
      const size_t plane = s.dh * s.dw, cb = (s.dc + block - 1) / block;
      const float* xn = s.reorder == ReorderKind::kToNchwc ? s.x + (b * s.dc + c0) * plane
                                                            : s.x + (b * cb + c0 / block) * plane * block;
      float* yn = s.reorder == ReorderKind::kToNchwc ? s.y + (b * cb + c0 / block) * plane * block
                                                     : s.y + (b * s.dc + c0) * plane;
      return s.reorder == ReorderKind::kToNchwc ? armbench_nchw_to_nchwc(xn, 1, c1 - c0, s.dh, s.dw, block, yn)
                                                : armbench_nchwc_to_nchw(xn, 1, c1 - c0, s.dh, s.dw, block, yn);
    }
    default: return -EINVAL;
  }
}

void plane_share(void* p, int index, int threads) {
  PlaneTask& t = *static_cast<PlaneTask*>(p);
  const Step& s = *t.s;
  const bool reorder = s.op == ARMBENCH_ENGINE_REORDER;
  const bool blocked = reorder || s.blocked;
  const size_t n = reorder ? s.dn : s.pool.n, c = reorder ? s.dc : s.pool.c;
  // Units of work: channel blocks (NCHWc on either side) or channels, per batch item.
  const size_t unit = blocked ? t.e->block : 1, per = (c + unit - 1) / unit;
  size_t u0, u1;
  armbench::runtime::pool_share(n * per, index, threads, &u0, &u1);
  for (size_t u = u0; u < u1;) {
    const size_t b = u / per, q0 = u % per;
    const size_t q1 = u1 - b * per < per ? u1 - b * per : per;  // to the end of this item's run
    const size_t c0 = q0 * unit, c1 = q1 * unit < c ? q1 * unit : c;
    const int rc = plane_range(t.e, s, t.oh, t.ow, b, c0, c1);
    if (rc != 0) t.rc.store(rc);
    u = b * per + q1;
  }
}

int run_planes(armbench_engine* e, armbench_gemm_pool* pool, const Step& s) {
  PlaneTask t;
  t.e = e;
  t.s = &s;
  if (s.op != ARMBENCH_ENGINE_REORDER) {
    const int rc = armbench_pool2d_output(&s.pool, &t.oh, &t.ow, nullptr, 0);
    if (rc != 0) return rc;
  }
  armbench::runtime::pool_run(pool, plane_share, &t);
  return t.rc.load();
}

int run_step(armbench_engine* e, armbench_gemm_pool* pool, const Step& s) {
  uint16_t* scratch = reinterpret_cast<uint16_t*>(e->scratch.get());
  int rc = 0;
  switch (s.op) {
    case ARMBENCH_ENGINE_CONV: {
      if (s.x_plain) return armbench_conv_plan_run_nchw_to_nchwc(pool, s.plan.get(), s.x, s.y, &s.epilogue);
      if (s.blocked) return armbench_conv_plan_run_nchwc(pool, s.plan.get(), s.x, s.y, &s.epilogue);
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
      if (s.packed) {
        rc = armbench_gemm_packed(pool, &a, s.packed.get());
      } else {
        a.trans_b = 1;
        a.b = s.bf16 ? static_cast<const void*>(s.wh.data()) : static_cast<const void*>(s.w.data());
        a.ldb = s.k;
        rc = armbench_gemm(pool, &a);
      }
      if (rc == 0) gemm_epilogue(s);
      return rc;
    }
    case ARMBENCH_ENGINE_MAXPOOL:
    case ARMBENCH_ENGINE_AVGPOOL:
      return run_planes(e, pool, s);
    case ARMBENCH_ENGINE_GLOBAL_AVGPOOL:
      return s.blocked ? armbench_global_avgpool_nchwc(s.dn, s.dc, s.dhw, e->block, s.x, s.y)
                       : armbench_global_avgpool(s.dn, s.dc, s.dhw, s.x, s.y);
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
        case ReorderKind::kToNchwc:
        case ReorderKind::kToNchw: return run_planes(e, pool, s);
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
