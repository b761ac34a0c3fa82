// Running an engine: inputs into the arena, every prepared step in order, outputs
// out. Nothing here allocates or decides; create (engine.cc) did both.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <atomic>

#include "../runtime/pool.h"
#include "armbench/bf16.h"
#include "armbench/quantize.h"
#include "armbench/timer.h"
#include "engine_internal.h"

using armbench::engine::bf16_b_at;
using armbench::engine::ReorderKind;
using armbench::engine::Step;

namespace {

// Less work than this (in floats touched) runs on the calling thread: waking the
// pool's workers would cost more than they save.
constexpr size_t kParallelMin = 16384;
// Elementwise work is handed out in chunks of this many floats (a cache line's
// multiple, so no two threads write one line).
constexpr size_t kChunk = 64;

// f(begin, end) over [0, units), split among the pool's threads (pool_share) when the
// work, units x per_unit floats, is worth it; otherwise f(0, units) here. Each range's
// result is what one call over all of them would write, so the bits do not depend on
// the pool. Returns the first failure of f (0 when none).
template <typename F>
int parallel(armbench_gemm_pool* pool, size_t units, size_t per_unit, F f) {
  if (units == 0) return 0;
  if (pool == nullptr || armbench_gemm_pool_threads(pool) < 2 || units < 2 || units * per_unit < kParallelMin)
    return f(size_t{0}, units);
  struct Ctx {
    F* f;
    size_t units;
    std::atomic<int> rc{0};
  } c;
  c.f = &f;
  c.units = units;
  armbench::runtime::pool_run(
      pool,
      [](void* p, int index, int threads) {
        Ctx& t = *static_cast<Ctx*>(p);
        size_t b, e;
        armbench::runtime::pool_share(t.units, index, threads, &b, &e);
        if (b >= e) return;
        const int rc = (*t.f)(b, e);
        if (rc != 0) t.rc.store(rc);
      },
      &c);
  return c.rc.load();
}

// f(begin, end) over [0, count) elements in kChunk-float chunks, split as above.
template <typename F>
int parallel_elems(armbench_gemm_pool* pool, size_t count, F f) {
  return parallel(pool, (count + kChunk - 1) / kChunk, kChunk, [&](size_t b, size_t e) {
    const size_t end = e * kChunk < count ? e * kChunk : count;
    return f(b * kChunk, end);
  });
}

// y[r][j] = act(y[r][j] + bias[j]) after a GEMM, rows split over the pool: the conv
// epilogue's rule (selects, so NaN passes through ReLU and Clip), with the bias along
// columns; the GELUs run the op set's kernels over each share's rows.
int gemm_epilogue(armbench_gemm_pool* pool, const Step& s) {
  const armbench_conv_epilogue& e = s.epilogue;
  if (s.bias.empty() && e.act == ARMBENCH_ACT_NONE) return 0;
  const float lo = e.act == ARMBENCH_ACT_RELU ? 0.0f : e.clip_min;
  const float hi = e.clip_max;
  return parallel(pool, s.rows, s.n, [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r) {
      float* row = s.y + r * s.n;
      if (!s.bias.empty())
        for (size_t j = 0; j < s.n; ++j) row[j] += s.bias[j];
      if (e.act == ARMBENCH_ACT_RELU) {
        for (size_t j = 0; j < s.n; ++j) row[j] = row[j] < lo ? lo : row[j];
      } else if (e.act == ARMBENCH_ACT_CLIP) {
        for (size_t j = 0; j < s.n; ++j) row[j] = row[j] < lo ? lo : (row[j] > hi ? hi : row[j]);
      }
    }
    float* rows = s.y + r0 * s.n;
    if (e.act == ARMBENCH_ACT_GELU) armbench_gelu(rows, rows, (r1 - r0) * s.n);
    if (e.act == ARMBENCH_ACT_GELU_TANH) armbench_gelu_tanh(rows, rows, (r1 - r0) * s.n);
    return 0;
  });
}

// Batched GEMMs, a and b rounded to bf16 first for a bf16 step. With at least as many
// batches as threads, each thread runs whole GEMMs alone (no hand-offs inside one);
// with fewer, each GEMM runs on the whole pool.
int run_matmul(armbench_engine* e, armbench_gemm_pool* pool, const Step& s) {
  const void* a = s.x;
  const void* b = s.b;
  size_t elt = sizeof(float);
  if (s.bf16) {
    uint16_t* scratch = reinterpret_cast<uint16_t*>(e->scratch.get());
    armbench_f32_to_bf16_array(s.x, scratch, s.x_elems, ARMBENCH_BF16_RNE);
    armbench_f32_to_bf16_array(s.b, scratch + bf16_b_at(s.x_elems), s.b_elems, ARMBENCH_BF16_RNE);
    a = scratch;
    b = scratch + bf16_b_at(s.x_elems);
    elt = sizeof(uint16_t);
  }
  auto one = [&](armbench_gemm_pool* p, size_t i) {
    armbench_gemm_args g{};
    g.kernel = s.kernel;
    g.m = s.rows, g.n = s.n, g.k = s.k;
    g.alpha = 1.0f, g.beta = 0.0f;
    g.a = static_cast<const unsigned char*>(a) + s.a_off[i] * elt;
    g.lda = s.k;
    g.b = static_cast<const unsigned char*>(b) + s.b_off[i] * elt;
    g.ldb = s.n;
    g.c = s.y + i * s.rows * s.n;
    g.ldc = s.n;
    g.blocking = s.has_blocking ? &s.blocking : nullptr;
    return armbench_gemm(p, &g);
  };
  const size_t batches = s.a_off.size();
  const size_t threads = pool != nullptr ? static_cast<size_t>(armbench_gemm_pool_threads(pool)) : 1;
  if (threads > 1 && batches >= threads) {
    return parallel(pool, batches, s.rows * s.n * s.k, [&](size_t b0, size_t b1) {
      for (size_t i = b0; i < b1; ++i) {
        const int rc = one(nullptr, i);
        if (rc != 0) return rc;
      }
      return 0;
    });
  }
  for (size_t i = 0; i < batches; ++i) {
    const int rc = one(pool, i);
    if (rc != 0) return rc;
  }
  return 0;
}

// Fused attention: tiles of query rows of every (batch, head) split over the pool,
// each thread running its tiles' small GEMMs alone; bf16 rounds q, kt and v into the
// scratch first, as a bf16 matmul step rounds its inputs.
int run_attention(armbench_engine* e, armbench_gemm_pool* pool, const Step& s) {
  armbench_attention_args a = s.attention;
  if (s.bf16) {
    uint16_t* scratch = reinterpret_cast<uint16_t*>(e->scratch.get());
    const void** to[3] = {&a.q, &a.kt, &a.v};
    for (size_t i = 0; i < 3; ++i) {
      armbench_f32_to_bf16_array(s.attn_in[i], scratch + s.attn_at[i], s.attn_elems[i], ARMBENCH_BF16_RNE);
      *to[i] = scratch + s.attn_at[i];
    }
  }
  const size_t tiles = armbench_attention_tiles(&a);
  const size_t per_tile = armbench_attention_tile_rows() * a.sk * (a.dk + a.dv);
  return parallel(pool, tiles, per_tile, [&](size_t b, size_t end) { return armbench_attention(&a, b, end); });
}

// The elementwise kernels of the unary ops, by op (clip takes its bounds apart).
void (*unary_kernel(armbench_engine_op op))(const float*, float*, size_t) {
  switch (op) {
    case ARMBENCH_ENGINE_RELU: return armbench_relu;
    case ARMBENCH_ENGINE_SIGMOID: return armbench_sigmoid;
    case ARMBENCH_ENGINE_HARDSWISH: return armbench_hardswish;
    case ARMBENCH_ENGINE_ERF: return armbench_erf;
    case ARMBENCH_ENGINE_TANH: return armbench_tanh;
    case ARMBENCH_ENGINE_SQRT: return armbench_sqrt;
    case ARMBENCH_ENGINE_GELU: return armbench_gelu;
    case ARMBENCH_ENGINE_GELU_TANH: return armbench_gelu_tanh;
    case ARMBENCH_ENGINE_EXP: return armbench_exp;
    case ARMBENCH_ENGINE_LOG: return armbench_log;
    case ARMBENCH_ENGINE_ROUND_F16: return armbench_round_f16;
    case ARMBENCH_ENGINE_ROUND_BF16: return armbench_round_bf16;
    case ARMBENCH_ENGINE_ROUND: return armbench_round_even;
    default: return nullptr;
  }
}

// Checks the indices once (a bad one named in msg), then copies rows over the pool.
int run_gather(armbench_gemm_pool* pool, const Step& s, char* msg, size_t msg_len) {
  size_t bad = 0;
  const auto fn = s.zero_row ? armbench_gather_zero_row : armbench_gather;
  if (fn(s.outer, s.axis_len, s.inner, s.data, s.indices, s.n, s.y, 0, 0, &bad) != 0) {
    snprintf(msg, msg_len, "index %d (at position %zu) is outside [-%zu, %zu%c", static_cast<int>(s.indices[bad]), bad,
             s.axis_len, s.axis_len, s.zero_row ? ']' : ')');
    return -EINVAL;
  }
  return parallel(pool, s.y_elems, s.inner, [&](size_t b, size_t e) {
    return fn(s.outer, s.axis_len, s.inner, s.data, s.indices, s.n, s.y, b, e, nullptr);
  });
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

armbench_qparam_f32 fparam(const Step& s, armbench_engine_qrole r) { return {s.q[r].f, s.q[r].count}; }
armbench_qparam_s32 iparam(const Step& s, armbench_engine_qrole r) { return {s.q[r].i, s.q[r].count}; }

// acc (outer x n x inner, n the multipliers) requantized into y: the multipliers made
// from the scales now, x scale * w scale / y scale in fp32, as ONNX's reference.
void requantize(const Step& s, size_t outer, size_t n, size_t inner, const int32_t* acc, int32_t* y) {
  const Step::QParam& w = s.q[ARMBENCH_Q_W_SCALE];
  const float xs = s.q[ARMBENCH_Q_X_SCALE].f[0], ys = s.q[ARMBENCH_Q_Y_SCALE].f[0];
  for (size_t j = 0; j < w.count; ++j) {
    const float t = xs * w.f[j];
    s.mult[j] = t / ys;
  }
  armbench_requantize_s32(acc, outer, n, inner, {s.mult.data(), w.count}, iparam(s, ARMBENCH_Q_Y_ZERO), s.qmin, s.qmax,
                          y);
}

int run_matmul_integer(armbench_gemm_pool* pool, const Step& s) {
  const size_t m = s.rows, n = s.n, k = s.k;
  for (size_t b = 0; b < s.batches; ++b) {
    armbench_matmul_integer_args g{};
    g.m = m, g.n = n, g.k = k;
    g.a = s.xi + b * m * k;
    g.a_signed = s.x_signed;
    g.b = s.q[ARMBENCH_Q_W].i + (s.w_batched ? b * k * n : 0);
    g.b_signed = s.w_signed;
    g.a_zero = iparam(s, ARMBENCH_Q_X_ZERO);
    g.b_zero = iparam(s, ARMBENCH_Q_W_ZERO);
    int32_t* y = s.yi + b * m * n;
    g.y = s.requantize ? s.acc.data() : y;
    g.work = s.work.data();
    const int rc = armbench_matmul_integer(pool, s.kernel, &g);
    if (rc != 0) return rc;
    if (s.requantize) requantize(s, m, n, 1, s.acc.data(), y);
  }
  return 0;
}

int run_conv_integer(const Step& s) {
  const Step::QParam& xz = s.q[ARMBENCH_Q_X_ZERO];
  int32_t* out = s.requantize ? s.acc.data() : s.yi;
  const int rc = armbench_conv_integer(&s.cshape, s.xi, xz.count ? xz.i[0] : 0, s.q[ARMBENCH_Q_W].i,
                                       iparam(s, ARMBENCH_Q_W_ZERO), s.q[ARMBENCH_Q_BIAS].i, out, nullptr, 0);
  if (rc != 0 || !s.requantize) return rc;
  size_t oh = 0, ow = 0;
  armbench_conv_output(&s.cshape, &oh, &ow, nullptr, 0);
  requantize(s, s.cshape.n, s.cshape.k, oh * ow, out, s.yi);
  return 0;
}

// msg: a reason of the step's own, where the kernel's code alone would not say it.
int run_step(armbench_engine* e, armbench_gemm_pool* pool, const Step& s, char* msg, size_t msg_len) {
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
        a.blocking = s.has_blocking ? &s.blocking : nullptr;
        rc = armbench_gemm(pool, &a);
      }
      if (rc == 0) rc = gemm_epilogue(pool, s);
      return rc;
    }
    case ARMBENCH_ENGINE_MAXPOOL:
    case ARMBENCH_ENGINE_AVGPOOL:
      return run_planes(e, pool, s);
    case ARMBENCH_ENGINE_GLOBAL_AVGPOOL:
      return s.blocked ? armbench_global_avgpool_nchwc(s.dn, s.dc, s.dhw, e->block, s.x, s.y)
                       : armbench_global_avgpool(s.dn, s.dc, s.dhw, s.x, s.y);
    case ARMBENCH_ENGINE_RELU:
    case ARMBENCH_ENGINE_SIGMOID:
    case ARMBENCH_ENGINE_HARDSWISH:
    case ARMBENCH_ENGINE_ERF:
    case ARMBENCH_ENGINE_TANH:
    case ARMBENCH_ENGINE_SQRT:
    case ARMBENCH_ENGINE_GELU:
    case ARMBENCH_ENGINE_GELU_TANH:
    case ARMBENCH_ENGINE_EXP:
    case ARMBENCH_ENGINE_LOG:
    case ARMBENCH_ENGINE_ROUND_F16:
    case ARMBENCH_ENGINE_ROUND_BF16:
    case ARMBENCH_ENGINE_ROUND: {
      void (*k)(const float*, float*, size_t) = unary_kernel(s.op);
      parallel_elems(pool, s.count, [&](size_t b, size_t end) {
        k(s.x + b, s.y + b, end - b);
        return 0;
      });
      break;
    }
    case ARMBENCH_ENGINE_CLIP:
      parallel_elems(pool, s.count, [&](size_t b, size_t end) {
        armbench_clip(s.x + b, s.y + b, end - b, s.epilogue.clip_min, s.epilogue.clip_max);
        return 0;
      });
      break;
    case ARMBENCH_ENGINE_ADD:
    case ARMBENCH_ENGINE_MUL:
      parallel_elems(pool, s.count, [&](size_t b, size_t end) {
        (s.op == ARMBENCH_ENGINE_ADD ? armbench_add : armbench_mul)(s.x + b, s.b + b, s.y + b, end - b);
        return 0;
      });
      break;
    case ARMBENCH_ENGINE_CONCAT:
      return armbench_concat_channels(s.xs.size(), s.xs.data(), s.channels.data(), s.dn, s.dhw, s.y);
    case ARMBENCH_ENGINE_BATCHNORM:
      return armbench_batchnorm(s.dn, s.dc, s.dhw, s.x, s.scale.data(), s.bias.data(), s.mean.data(), s.var.data(),
                                s.epsilon, s.y);
    case ARMBENCH_ENGINE_SOFTMAX: {
      const size_t slab = s.n * s.inner;  // one outer index's values
      return parallel(pool, s.outer, slab, [&](size_t b, size_t end) {
        return armbench_softmax_axis(end - b, s.n, s.inner, s.x + b * slab, s.y + b * slab, s.log);
      });
    }
    case ARMBENCH_ENGINE_BROADCAST:
      return parallel_elems(pool, s.y_elems, [&](size_t b, size_t end) {
        return armbench_broadcast_typed(s.fn, s.a_ndims, s.a_dims, s.x, s.a_int32, s.b_ndims, s.b_dims, s.b, s.b_int32,
                                        s.y, b, end);
      });
    case ARMBENCH_ENGINE_WHERE:
      return parallel_elems(pool, s.y_elems, [&](size_t b, size_t end) {
        return armbench_where(s.a_ndims, s.a_dims, s.x, s.b_ndims, s.b_dims, s.b, s.v_ndims, s.v_dims, s.v, s.y, b, end);
      });
    case ARMBENCH_ENGINE_TRANSPOSE:
      return parallel_elems(pool, s.y_elems, [&](size_t b, size_t end) {
        return armbench_transpose(s.ndims, s.dims, s.perm, s.x, s.y, b, end);
      });
    case ARMBENCH_ENGINE_MATMUL: return run_matmul(e, pool, s);
    case ARMBENCH_ENGINE_ATTENTION: return run_attention(e, pool, s);
    case ARMBENCH_ENGINE_LAYERNORM:
      return parallel(pool, s.rows, s.n, [&](size_t b, size_t end) {
        return armbench_layernorm(end - b, s.n, s.x + b * s.n, s.residual ? s.residual + b * s.n : nullptr,
                                  s.scale.data(), s.bias.empty() ? nullptr : s.bias.data(), s.epsilon, s.y + b * s.n);
      });
    case ARMBENCH_ENGINE_REDUCE: {
      const size_t slab = s.n * s.inner;
      return parallel(pool, s.outer, slab, [&](size_t b, size_t end) {
        return armbench_reduce(s.reduce_fn, end - b, s.n, s.inner, s.x + b * slab, s.y + b * s.inner);
      });
    }
    case ARMBENCH_ENGINE_GATHER: return run_gather(pool, s, msg, msg_len);
    case ARMBENCH_ENGINE_QUANTIZE:
      armbench_quantize_f32(s.x, s.outer, s.n, s.inner, fparam(s, ARMBENCH_Q_Y_SCALE), iparam(s, ARMBENCH_Q_Y_ZERO),
                            s.qmin, s.qmax, s.toward_zero, s.yi);
      return 0;
    case ARMBENCH_ENGINE_DEQUANTIZE:
      armbench_dequantize_s32(s.xi, s.outer, s.n, s.inner, fparam(s, ARMBENCH_Q_X_SCALE), iparam(s, ARMBENCH_Q_X_ZERO),
                              s.y);
      return 0;
    case ARMBENCH_ENGINE_MATMUL_INTEGER: return run_matmul_integer(pool, s);
    case ARMBENCH_ENGINE_DQ_MATMUL: return armbench_dq_matmul(pool, s.dq.get(), s.rows, s.x, s.y, s.work.data());
    case ARMBENCH_ENGINE_CONV_INTEGER: return run_conv_integer(s);
    case ARMBENCH_ENGINE_CAST:
      return parallel_elems(pool, s.count, [&](size_t b, size_t end) {
        armbench_cast_i32_f32(s.xi + b, s.y + b, end - b);
        return 0;
      });
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

// fp32 and int32 inputs alike: elems values of 4 bytes.
void write_inputs(armbench_engine* e, const void* const* inputs) {
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
    char msg[256];
    msg[0] = '\0';
    const int rc = run_step(e, pool, e->steps[i], msg, sizeof msg);
    if (step_ns) step_ns[i] = armbench_now_ns() - t0;
    if (rc != 0) {
      if (why != nullptr && why_len > 0) {
        if (msg[0] != '\0') {
          snprintf(why, why_len, "%s: %s", e->steps[i].label.c_str(), msg);
        } else {
          snprintf(why, why_len, "%s: the kernel failed (%s)", e->steps[i].label.c_str(), strerror(-rc));
        }
      }
      return rc;
    }
  }
  return 0;
}

bool inputs_ok(const armbench_engine* e, const void* const* inputs) {
  if (e->inputs.empty()) return true;
  if (inputs == nullptr) return false;
  for (size_t i = 0; i < e->inputs.size(); ++i)
    if (inputs[i] == nullptr) return false;
  return true;
}

}  // namespace

extern "C" {

int armbench_engine_run(armbench_engine* e, armbench_gemm_pool* pool, const void* const* inputs, float* const* outputs,
                        uint64_t* step_ns, char* why, size_t why_len) {
  if (why != nullptr && why_len > 0) why[0] = '\0';
  if (e == nullptr || !inputs_ok(e, inputs)) return -EINVAL;
  std::lock_guard<std::mutex> hold(e->run_lock);
  write_inputs(e, inputs);
  const int rc = run_steps(e, pool, step_ns, why, why_len);
  if (rc == 0) read_outputs(e, outputs);
  return rc;
}

int armbench_engine_measure(armbench_engine* e, armbench_gemm_pool* pool, const void* const* inputs,
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
