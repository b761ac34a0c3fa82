// The executor (armbench/engine.h): small programs built here, each checked bit for
// bit against the same kernels called directly (conv plans of the same algorithm,
// armbench_gemm with the same kernel, the ops), so the executor is shown to wire
// pointers, weights, epilogues and layouts right without re-testing the kernels:
// conv + bias + residual + ReLU for several algorithms, maxpool -> GAP (in NCHW and
// from NCHWc), gemm with bias
// and Clip, the elementwise ops in place, concat, batchnorm, softmax, NCHW -> NCHWc ->
// sigmoid, exp or log -> NCHW round trips (padding channels stay zero), a two-conv chain
// kept in NCHWc equal to the same program in NCHW, bf16 conv and gemm
// (exact against the kernels on RNE-rounded operands, and within the bf16 bound of a
// double reference on the fp32 ones), a two-thread pool giving the bits of one
// thread, per-step timing and the measuring loop. The transformer steps the same way:
// an embedding path (int32 token ids as an input gathering a constant table, constant
// indices gathering an arena tensor, LayerNorm with residual and bias in place), the
// attention mask (cast, broadcasts with constants on either side), a token outside
// the table failing the run with the step and the index named, batched matmuls with
// broadcast batch dims in fp32 and bf16 (against armbench_gemm per batch and a double
// reference), softmax over rows and LogSoftmax over a middle axis, reduce (mean, sum,
// max), transpose, erf/tanh/gelu/gelu-tanh/sqrt in place, gemm with each GELU epilogue;
// comparisons on int32 operands, where with constant operands, exp and log; a program
// over the threshold run on two-thread pools giving the bits of one thread;
// the fused attention step (4-D with a mask, 3-D without, fp32 and bf16) against
// armbench_attention called directly, on one and two threads. Bad programs are refused with the code and a reason naming the step.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "armbench/bf16.h"
#include "armbench/engine.h"
#include "check.h"
#include "test_data.h"
#include "../src/engine/engine_internal.h"
#include "../src/runtime/huge_alloc.h"

namespace {

using test_data::random_value;

std::vector<float> randoms(size_t n) {
  std::vector<float> v(n);
  for (float& f : v) f = random_value();
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  if (a.size() != b.size()) return CHECK_MSG(false, "%s: %zu values, %zu expected", what, a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (memcmp(&a[i], &b[i], sizeof(float)) != 0)
      return CHECK_MSG(false, "%s: [%zu] %.9g, expected %.9g", what, i, a[i], b[i]);
  }
  return CHECK(true);
}

// A program under construction: tensors laid out one after another, 64-byte aligned.
struct Program {
  size_t arena = 0;
  std::vector<armbench_engine_tensor> inputs, outputs;
  std::vector<armbench_engine_step> steps;
  size_t block = 0;

  armbench_engine_tensor tensor(std::vector<size_t> dims, armbench_engine_layout layout = ARMBENCH_ENGINE_NCHW) {
    armbench_engine_tensor t{};
    t.offset = arena;
    t.ndims = dims.size();
    size_t floats = 1;
    for (size_t i = 0; i < dims.size(); ++i) t.dims[i] = dims[i], floats *= dims[i];
    t.layout = layout;
    if (layout == ARMBENCH_ENGINE_NCHWC) {
      block = armbench_nchwc_block();
      floats = dims[0] * ((dims[1] + block - 1) / block) * block * dims[2] * dims[3];
    }
    arena += (floats * sizeof(float) + 63) / 64 * 64;
    return t;
  }
  armbench_engine_step& step(armbench_engine_op op, const char* name) {
    armbench_engine_step s{};
    s.op = op;
    s.name = name;
    steps.push_back(s);
    return steps.back();
  }
  armbench_engine_desc desc() const {
    armbench_engine_desc d{};
    d.arena_bytes = arena;
    d.nchwc_block = block;
    d.inputs = inputs.data(), d.input_count = inputs.size();
    d.outputs = outputs.data(), d.output_count = outputs.size();
    d.steps = steps.data(), d.step_count = steps.size();
    return d;
  }
};

size_t elems(const armbench_engine_tensor& t) {
  size_t e = 1;
  for (size_t i = 0; i < t.ndims; ++i) e *= t.dims[i];
  return e;
}

// Creates and runs p once on inputs of any dtype; outputs sized from the program.
// Empty on failure.
std::vector<std::vector<float>> run_inputs(const Program& p, const std::vector<const void*>& ins,
                                           armbench_gemm_pool* pool = nullptr) {
  armbench_engine_desc d = p.desc();
  armbench_engine* e = nullptr;
  char why[512];
  const int rc = armbench_engine_create(&d, &e, why, sizeof why);
  if (!CHECK_MSG(rc == 0, "create: %d %s", rc, why)) return {};
  std::vector<std::vector<float>> out;
  std::vector<float*> outs;
  for (const auto& t : p.outputs) out.emplace_back(elems(t), NAN);
  for (auto& v : out) outs.push_back(v.data());
  const int rr = armbench_engine_run(e, pool, ins.data(), outs.data(), nullptr, why, sizeof why);
  CHECK_MSG(rr == 0, "run: %d %s", rr, why);
  armbench_engine_free(e);
  return rr == 0 ? out : std::vector<std::vector<float>>{};
}

// Creates and runs p once on fp32 inputs.
std::vector<std::vector<float>> run(const Program& p, const std::vector<std::vector<float>>& in,
                                    armbench_gemm_pool* pool = nullptr) {
  std::vector<const void*> ins;
  for (const auto& v : in) ins.push_back(v.data());
  return run_inputs(p, ins, pool);
}

armbench_conv_shape shape3x3(size_t n, size_t c, size_t hw, size_t k, size_t stride, size_t pad) {
  armbench_conv_shape s{};
  s.n = n, s.c = c, s.h = s.w = hw, s.k = k, s.r = s.s = 3;
  s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
  s.dilation_h = s.dilation_w = 1;
  s.groups = 1;
  return s;
}

// conv(x) + bias + residual, ReLU, for every algorithm that runs a 3x3 stride-1 shape.
void test_conv_residual() {
  const armbench_conv_shape sh = shape3x3(2, 5, 9, 6, 1, 1);
  const std::vector<float> x = randoms(2 * 5 * 81), res = randoms(2 * 6 * 81), w = randoms(6 * 5 * 9), bias = randoms(6);
  for (const char* algo : {"reference", "im2col", "im2col-tiled", "winograd-f2", "winograd-f4", "direct-nchwc"}) {
    Program p;
    auto tx = p.tensor({2, 5, 9, 9}), tr = p.tensor({2, 6, 9, 9}), ty = p.tensor({2, 6, 9, 9});
    p.inputs = {tx, tr};
    p.outputs = {ty};
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CONV, "conv1");
    s.x = tx, s.y = ty, s.conv = sh, s.algo = algo, s.dtype = ARMBENCH_GEMM_F32;
    s.weights = w.data(), s.weights_count = w.size(), s.bias = bias.data(), s.bias_count = bias.size();
    s.has_residual = 1, s.residual = tr, s.act = ARMBENCH_ACT_RELU;
    auto out = run(p, {x, res});
    if (out.empty()) continue;

    armbench_conv_algo a = ARMBENCH_CONV_REFERENCE;
    for (int i = 0; i < ARMBENCH_CONV_ALGO_COUNT; ++i)
      if (strcmp(armbench_conv_algo_name(static_cast<armbench_conv_algo>(i)), algo) == 0) a = static_cast<armbench_conv_algo>(i);
    armbench_conv_args args{};
    args.shape = sh, args.dtype = ARMBENCH_GEMM_F32, args.x = x.data(), args.w = w.data();
    std::vector<float> want(res.size());
    args.y = want.data();
    args.epilogue.bias = bias.data(), args.epilogue.residual = res.data(), args.epilogue.act = ARMBENCH_ACT_RELU;
    CHECK(armbench_conv(nullptr, a, &args) == 0);
    same_bits(out[0], want, algo);
  }
}

// maxpool 3x3/2 pad 1, then global average pool to (n, c): the ops called directly.
void test_pools() {
  Program p;
  auto tx = p.tensor({2, 3, 11, 11}), tp = p.tensor({2, 3, 6, 6}), tg = p.tensor({2, 3}), ta = p.tensor({2, 3, 5, 5});
  p.inputs = {tx};
  p.outputs = {tp, tg, ta};
  armbench_pool2d pool{};
  pool.kh = pool.kw = 3, pool.stride_h = pool.stride_w = 2;
  pool.pad_top = pool.pad_left = pool.pad_bottom = pool.pad_right = 1;
  armbench_engine_step& m = p.step(ARMBENCH_ENGINE_MAXPOOL, "pool1");
  m.x = tx, m.y = tp, m.pool = pool;
  armbench_engine_step& g = p.step(ARMBENCH_ENGINE_GLOBAL_AVGPOOL, "gap");
  g.x = tp, g.y = tg;
  armbench_engine_step& a = p.step(ARMBENCH_ENGINE_AVGPOOL, "avg");
  a.x = tx, a.y = ta, a.pool = pool, a.pool.pad_top = a.pool.pad_left = a.pool.pad_bottom = a.pool.pad_right = 0;
  const std::vector<float> x = randoms(2 * 3 * 121);
  auto out = run(p, {x});
  if (out.empty()) return;
  std::vector<float> wp(2 * 3 * 36), wg(6), wa(2 * 3 * 25);
  pool.n = 2, pool.c = 3, pool.h = pool.w = 11;
  CHECK(armbench_maxpool(&pool, x.data(), wp.data()) == 0);
  CHECK(armbench_global_avgpool(2, 3, 36, wp.data(), wg.data()) == 0);
  pool.pad_top = pool.pad_left = pool.pad_bottom = pool.pad_right = 0;
  CHECK(armbench_avgpool(&pool, x.data(), wa.data()) == 0);
  same_bits(out[0], wp, "maxpool");
  same_bits(out[1], wg, "globalavgpool");
  same_bits(out[2], wa, "avgpool");
}

// The same pools from NCHWc: reorder in, maxpool and avgpool NCHWc -> NCHWc, GAP
// NCHWc -> (n, c), with padding channels; the NCHW ops' bits.
void test_pools_nchwc() {
  const size_t c = armbench_nchwc_block() + 3;
  const armbench_engine_layout B = ARMBENCH_ENGINE_NCHWC;
  Program p;
  auto tx = p.tensor({2, c, 11, 11}), txb = p.tensor({2, c, 11, 11}, B), tp = p.tensor({2, c, 6, 6}, B),
       tg = p.tensor({2, c}), ta = p.tensor({2, c, 6, 6}, B), tan = p.tensor({2, c, 6, 6});
  p.inputs = {tx};
  p.outputs = {tg, tan};
  armbench_pool2d pool{};
  pool.kh = pool.kw = 3, pool.stride_h = pool.stride_w = 2;
  pool.pad_top = pool.pad_left = pool.pad_bottom = pool.pad_right = 1;
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_REORDER, "to-nchwc");
  s->x = tx, s->y = txb;
  s = &p.step(ARMBENCH_ENGINE_MAXPOOL, "pool1");
  s->x = txb, s->y = tp, s->pool = pool;
  s = &p.step(ARMBENCH_ENGINE_GLOBAL_AVGPOOL, "gap");
  s->x = tp, s->y = tg;
  s = &p.step(ARMBENCH_ENGINE_AVGPOOL, "avg");
  s->x = txb, s->y = ta, s->pool = pool;
  s = &p.step(ARMBENCH_ENGINE_REORDER, "to-nchw");
  s->x = ta, s->y = tan;
  const std::vector<float> x = randoms(2 * c * 121);
  auto out = run(p, {x});
  if (out.empty()) return;
  std::vector<float> wp(2 * c * 36), wg(2 * c), wa(2 * c * 36);
  pool.n = 2, pool.c = c, pool.h = pool.w = 11;
  CHECK(armbench_maxpool(&pool, x.data(), wp.data()) == 0);
  CHECK(armbench_global_avgpool(2, c, 36, wp.data(), wg.data()) == 0);
  CHECK(armbench_avgpool(&pool, x.data(), wa.data()) == 0);
  same_bits(out[0], wg, "maxpool -> globalavgpool from nchwc");
  same_bits(out[1], wa, "avgpool in nchwc");
}

// y = clip(x W^T + bias) against armbench_gemm with the same kernel, W unpacked.
void test_gemm(armbench_gemm_dtype dtype) {
  const size_t rows = 3, k = 37, n = 11;
  const bool bf = dtype == ARMBENCH_GEMM_BF16;
  Program p;
  auto tx = p.tensor({rows, k, 1, 1}), ty = p.tensor({rows, n});
  p.inputs = {tx};
  p.outputs = {ty};
  const std::vector<float> x = randoms(rows * k), w = randoms(n * k), bias = randoms(n);
  armbench_engine_step& s = p.step(ARMBENCH_ENGINE_GEMM, "fc");
  s.x = tx, s.y = ty, s.rows = rows, s.k = k, s.n = n, s.dtype = dtype;
  s.weights = w.data(), s.weights_count = w.size(), s.bias = bias.data(), s.bias_count = n;
  s.act = ARMBENCH_ACT_CLIP, s.clip_min = -0.5f, s.clip_max = 0.75f;
  auto out = run(p, {x});
  if (out.empty()) return;

  std::vector<uint16_t> x16(x.size()), w16(w.size());
  armbench_f32_to_bf16_array(x.data(), x16.data(), x.size(), ARMBENCH_BF16_RNE);
  armbench_f32_to_bf16_array(w.data(), w16.data(), w.size(), ARMBENCH_BF16_RNE);
  armbench_gemm_args a{};
  a.kernel = armbench_gemm_default_kernel(dtype);
  a.trans_b = 1, a.m = rows, a.n = n, a.k = k, a.alpha = 1.0f;
  a.a = bf ? static_cast<const void*>(x16.data()) : x.data(), a.lda = k;
  a.b = bf ? static_cast<const void*>(w16.data()) : w.data(), a.ldb = k;
  std::vector<float> want(rows * n);
  a.c = want.data(), a.ldc = n;
  CHECK(armbench_gemm(nullptr, &a) == 0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < n; ++j) {
      float& v = want[r * n + j];
      v += bias[j];
      v = v < -0.5f ? -0.5f : (v > 0.75f ? 0.75f : v);
    }
  same_bits(out[0], want, bf ? "gemm bf16" : "gemm fp32");

  // And near the double product of the unrounded operands.
  double worst = 0;
  for (size_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < n; ++j) {
      double sum = bias[j], mag = fabs(bias[j]);
      for (size_t i = 0; i < k; ++i) sum += static_cast<double>(x[r * k + i]) * w[j * k + i], mag += fabs(x[r * k + i] * w[j * k + i]);
      sum = sum < -0.5 ? -0.5 : (sum > 0.75 ? 0.75 : sum);
      worst = fmax(worst, fabs(out[0][r * n + j] - sum) / mag);
    }
  const double bound = bf ? 2 * ldexp(1.0, -8) + (k + 4) * ldexp(1.0, -23) : (k + 4) * ldexp(1.0, -24);
  CHECK_MSG(worst <= bound, "gemm %s: relative error %g above %g", bf ? "bf16" : "fp32", worst, bound);
}

// bf16 conv: exact against the plan on RNE-rounded x and w; near the fp32 double reference.
void test_conv_bf16() {
  const armbench_conv_shape sh = shape3x3(1, 7, 10, 5, 2, 1);
  size_t oh, ow;
  CHECK(armbench_conv_output(&sh, &oh, &ow, nullptr, 0) == 0);
  const std::vector<float> x = randoms(7 * 100), w = randoms(5 * 7 * 9), bias = randoms(5);
  Program p;
  auto tx = p.tensor({1, 7, 10, 10}), ty = p.tensor({1, 5, oh, ow});
  p.inputs = {tx};
  p.outputs = {ty};
  armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CONV, "conv-bf16");
  s.x = tx, s.y = ty, s.conv = sh, s.algo = "im2col", s.dtype = ARMBENCH_GEMM_BF16;
  s.weights = w.data(), s.weights_count = w.size(), s.bias = bias.data(), s.bias_count = 5;
  auto out = run(p, {x});
  if (out.empty()) return;
  std::vector<uint16_t> x16(x.size()), w16(w.size());
  armbench_f32_to_bf16_array(x.data(), x16.data(), x.size(), ARMBENCH_BF16_RNE);
  armbench_f32_to_bf16_array(w.data(), w16.data(), w.size(), ARMBENCH_BF16_RNE);
  armbench_conv_args args{};
  args.shape = sh, args.dtype = ARMBENCH_GEMM_BF16, args.x = x16.data(), args.w = w16.data();
  std::vector<float> want(5 * oh * ow);
  args.y = want.data(), args.epilogue.bias = bias.data();
  CHECK(armbench_conv(nullptr, ARMBENCH_CONV_IM2COL, &args) == 0);
  same_bits(out[0], want, "conv bf16");

  double worst = 0;
  for (size_t k = 0; k < 5; ++k)
    for (size_t oy = 0; oy < oh; ++oy)
      for (size_t ox = 0; ox < ow; ++ox) {
        double sum = bias[k], mag = fabs(bias[k]);
        for (size_t c = 0; c < 7; ++c)
          for (size_t r = 0; r < 3; ++r)
            for (size_t q = 0; q < 3; ++q) {
              const long iy = static_cast<long>(oy * 2 + r) - 1, ix = static_cast<long>(ox * 2 + q) - 1;
              if (iy < 0 || iy >= 10 || ix < 0 || ix >= 10) continue;
              const double prod = static_cast<double>(x[(c * 10 + iy) * 10 + ix]) * w[((k * 7 + c) * 3 + r) * 3 + q];
              sum += prod, mag += fabs(prod);
            }
        worst = fmax(worst, fabs(out[0][(k * oh + oy) * ow + ox] - sum) / mag);
      }
  // Each bf16 operand is within 2^-9 of its float: a product within about 2^-8.
  const double bound = 2 * ldexp(1.0, -8) + (7 * 9 + 4) * ldexp(1.0, -23);
  CHECK_MSG(worst <= bound, "conv bf16: relative error %g above %g", worst, bound);
}

// relu in place, add, mul with y == a, clip, hardswish, concat, batchnorm, softmax.
void test_elementwise_and_friends() {
  Program p;
  auto ta = p.tensor({1, 3, 4, 5}), tb = p.tensor({1, 3, 4, 5}), tc = p.tensor({1, 2, 4, 5});
  auto tcat = p.tensor({1, 5, 4, 5}), tbn = p.tensor({1, 5, 4, 5}), tsm = p.tensor({4, 25}), tsig = p.tensor({4, 25});
  p.inputs = {ta, tb, tc};
  p.outputs = {ta, tcat, tbn, tsm, tsig};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_RELU, "relu");
  s->x = ta, s->y = ta;
  s = &p.step(ARMBENCH_ENGINE_ADD, "add");
  s->x = ta, s->b = tb, s->y = ta;
  s = &p.step(ARMBENCH_ENGINE_MUL, "mul");
  s->x = ta, s->b = tb, s->y = ta;
  s = &p.step(ARMBENCH_ENGINE_CLIP, "clip");
  s->x = tc, s->y = tc, s->clip_min = -0.25f, s->clip_max = INFINITY;
  s = &p.step(ARMBENCH_ENGINE_HARDSWISH, "hswish");
  s->x = tc, s->y = tc;
  armbench_engine_tensor xs[2] = {ta, tc};
  s = &p.step(ARMBENCH_ENGINE_CONCAT, "cat");
  s->xs = xs, s->xs_count = 2, s->y = tcat;
  const std::vector<float> scale = randoms(5), bias = randoms(5), mean = randoms(5);
  std::vector<float> var = randoms(5);
  for (float& v : var) v = fabsf(v);
  s = &p.step(ARMBENCH_ENGINE_BATCHNORM, "bn");
  s->x = tcat, s->y = tbn, s->scale = scale.data(), s->bias = bias.data(), s->mean = mean.data(), s->var = var.data();
  s->scale_count = s->bias_count = s->mean_count = s->var_count = 5, s->epsilon = 1e-5f;
  // tbn read as 4 x 25 rows: a reshape that could not alias, then softmax.
  s = &p.step(ARMBENCH_ENGINE_REORDER, "flatten");
  s->x = tbn, s->y = tsm;
  s = &p.step(ARMBENCH_ENGINE_SOFTMAX, "softmax");
  s->x = tsm, s->y = tsm;
  s = &p.step(ARMBENCH_ENGINE_SIGMOID, "sigmoid");
  s->x = tsm, s->y = tsig;
  const std::vector<float> a = randoms(60), b = randoms(60), c = randoms(40);
  auto out = run(p, {a, b, c});
  if (out.empty()) return;

  std::vector<float> wa(60), wc(c), wcat(100), wbn(100), wsm(100), wsig(100);
  armbench_relu(a.data(), wa.data(), 60);
  armbench_add(wa.data(), b.data(), wa.data(), 60);
  armbench_mul(wa.data(), b.data(), wa.data(), 60);
  armbench_clip(wc.data(), wc.data(), 40, -0.25f, INFINITY);
  armbench_hardswish(wc.data(), wc.data(), 40);
  const float* parts[2] = {wa.data(), wc.data()};
  const size_t ch[2] = {3, 2};
  CHECK(armbench_concat_channels(2, parts, ch, 1, 20, wcat.data()) == 0);
  CHECK(armbench_batchnorm(1, 5, 20, wcat.data(), scale.data(), bias.data(), mean.data(), var.data(), 1e-5f, wbn.data()) == 0);
  CHECK(armbench_softmax(4, 25, wbn.data(), wsm.data()) == 0);
  armbench_sigmoid(wsm.data(), wsig.data(), 100);
  same_bits(out[0], wa, "relu/add/mul in place");
  same_bits(out[1], wcat, "concat");
  same_bits(out[2], wbn, "batchnorm");
  same_bits(out[3], wsm, "softmax");
  same_bits(out[4], wsig, "sigmoid");
}

// NCHW -> NCHWc -> sigmoid, exp or log (in NCHWc) -> NCHW equals the op in NCHW; the
// padding channels of the NCHWc tensor are zero after it (sigmoid(0), exp(0) and
// log(0) are not).
void test_reorder_round_trip(armbench_engine_op op, void (*kernel)(const float*, float*, size_t)) {
  const size_t block = armbench_nchwc_block();
  const size_t c = block + 1;  // one padded channel block
  Program p;
  auto tx = p.tensor({2, c, 3, 4}), tb = p.tensor({2, c, 3, 4}, ARMBENCH_ENGINE_NCHWC),
       ty = p.tensor({2, c, 3, 4});
  p.inputs = {tx};
  p.outputs = {ty};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_REORDER, "to-nchwc");
  s->x = tx, s->y = tb;
  s = &p.step(op, "op");
  s->x = tb, s->y = tb;
  s = &p.step(ARMBENCH_ENGINE_REORDER, "to-nchw");
  s->x = tb, s->y = ty;
  const std::vector<float> x = randoms(2 * c * 12);
  armbench_engine_desc d = p.desc();
  armbench_engine* e = nullptr;
  char why[512];
  if (!CHECK_MSG(armbench_engine_create(&d, &e, why, sizeof why) == 0, "%s", why)) return;
  std::vector<float> y(x.size());
  const void* in[1] = {x.data()};
  float* out[1] = {y.data()};
  CHECK(armbench_engine_run(e, nullptr, in, out, nullptr, why, sizeof why) == 0);
  std::vector<float> want(x.size());
  kernel(x.data(), want.data(), x.size());
  same_bits(y, want, armbench_engine_op_name(op));
  const float* blocked = reinterpret_cast<const float*>(e->arena.get() + tb.offset);
  const size_t cb = 2;
  size_t nonzero = 0;
  for (size_t n = 0; n < 2; ++n)
    for (size_t i = 0; i < 12; ++i)
      for (size_t j = 1; j < block; ++j) nonzero += blocked[((n * cb + 1) * 12 + i) * block + j] != 0.0f;
  CHECK_MSG(nonzero == 0, "%zu padding channels are not zero", nonzero);
  armbench_engine_free(e);
}

// A ResNet-like chain kept in NCHWc: reorder in, conv 3x3 + bias + ReLU, conv 1x1 +
// bias + the block's input as residual + ReLU, reorder out; bit for bit the same
// program in NCHW (the same direct-nchwc plans, transforming at every conv), in fp32
// and bf16, on 1 and 2 threads. Channel counts leave padding channels in every NCHWc
// tensor; the 1x1 reads its input in place.
void test_nchwc_chain(armbench_gemm_dtype dtype) {
  const bool bf = dtype == ARMBENCH_GEMM_BF16;
  const size_t n = 2, c = 5, mid = 7, hw = 9;
  const armbench_conv_shape s1 = shape3x3(n, c, hw, mid, 1, 1);
  armbench_conv_shape s2 = s1;
  s2.c = mid, s2.k = c, s2.r = s2.s = 1, s2.pad_top = s2.pad_left = s2.pad_bottom = s2.pad_right = 0;
  const std::vector<float> x = randoms(n * c * hw * hw), w1 = randoms(mid * c * 9), w2 = randoms(c * mid),
                           b1 = randoms(mid), b2 = randoms(c);
  auto convs = [&](Program* p, armbench_engine_tensor in, armbench_engine_tensor t, armbench_engine_tensor out) {
    armbench_engine_step* s = &p->step(ARMBENCH_ENGINE_CONV, "conv3x3");
    s->x = in, s->y = t, s->conv = s1, s->algo = "direct-nchwc", s->dtype = dtype, s->act = ARMBENCH_ACT_RELU;
    s->weights = w1.data(), s->weights_count = w1.size(), s->bias = b1.data(), s->bias_count = b1.size();
    s = &p->step(ARMBENCH_ENGINE_CONV, "conv1x1");
    s->x = t, s->y = out, s->conv = s2, s->algo = "direct-nchwc", s->dtype = dtype, s->act = ARMBENCH_ACT_RELU;
    s->weights = w2.data(), s->weights_count = w2.size(), s->bias = b2.data(), s->bias_count = b2.size();
    s->has_residual = 1, s->residual = in;
  };
  Program plain;
  {
    auto tx = plain.tensor({n, c, hw, hw}), tt = plain.tensor({n, mid, hw, hw}), ty = plain.tensor({n, c, hw, hw});
    plain.inputs = {tx};
    plain.outputs = {ty};
    convs(&plain, tx, tt, ty);
  }
  Program blocked;
  {
    const armbench_engine_layout B = ARMBENCH_ENGINE_NCHWC;
    auto tx = blocked.tensor({n, c, hw, hw}), txb = blocked.tensor({n, c, hw, hw}, B),
         tt = blocked.tensor({n, mid, hw, hw}, B), tyb = blocked.tensor({n, c, hw, hw}, B),
         ty = blocked.tensor({n, c, hw, hw});
    blocked.inputs = {tx};
    blocked.outputs = {ty};
    armbench_engine_step* s = &blocked.step(ARMBENCH_ENGINE_REORDER, "to-nchwc");
    s->x = tx, s->y = txb;
    convs(&blocked, txb, tt, tyb);
    s = &blocked.step(ARMBENCH_ENGINE_REORDER, "to-nchw");
    s->x = tyb, s->y = ty;
  }
  const auto want = run(plain, {x});
  if (want.empty()) return;
  armbench_gemm_pool* pool = nullptr;
  CHECK(armbench_gemm_pool_create(2, nullptr, &pool) == 0);
  for (armbench_gemm_pool* p : {static_cast<armbench_gemm_pool*>(nullptr), pool}) {
    const auto got = run(blocked, {x}, p);
    if (got.empty()) continue;
    same_bits(got[0], want[0], bf ? (p ? "nchwc chain bf16, 2 threads" : "nchwc chain bf16") : (p ? "nchwc chain, 2 threads" : "nchwc chain"));
  }
  if (pool) armbench_gemm_pool_destroy(pool);
  // The chain's steps say they run on NCHWc; bf16 ones need no executor scratch.
  armbench_engine_desc d = blocked.desc();
  armbench_engine* e = nullptr;
  char why[512];
  if (CHECK_MSG(armbench_engine_create(&d, &e, why, sizeof why) == 0, "%s", why)) {
    const char* k = armbench_engine_step_kernel(e, 1);
    CHECK_MSG(strcmp(k, bf ? "direct-nchwc bf16 nchwc" : "direct-nchwc fp32 nchwc") == 0, "kernel \"%s\"", k);
    armbench_engine_info info{};
    armbench_engine_get_info(e, &info);
    CHECK(info.scratch_bytes == 0);
    armbench_engine_free(e);
  }
}

// Per-step times, the measuring loop, and a two-thread pool giving one thread's bits.
void test_timing_and_pool() {
  const armbench_conv_shape sh = shape3x3(1, 8, 12, 16, 1, 1);
  const std::vector<float> x = randoms(8 * 144), w = randoms(16 * 8 * 9);
  Program p;
  auto tx = p.tensor({1, 8, 12, 12}), ty = p.tensor({1, 16, 12, 12}), tz = p.tensor({1, 16, 12, 12});
  p.inputs = {tx};
  p.outputs = {tz};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_CONV, "conv");
  s->x = tx, s->y = ty, s->conv = sh, s->algo = "im2col", s->weights = w.data(), s->weights_count = w.size();
  s = &p.step(ARMBENCH_ENGINE_RELU, "relu");
  s->x = ty, s->y = tz;
  armbench_engine_desc d = p.desc();
  armbench_engine* e = nullptr;
  char why[512];
  if (!CHECK_MSG(armbench_engine_create(&d, &e, why, sizeof why) == 0, "%s", why)) return;
  armbench_engine_info info{};
  armbench_engine_get_info(e, &info);
  CHECK(info.arena_bytes == p.arena && info.step_count == 2 && info.weight_bytes == w.size() * 4 && info.scratch_bytes == 0);
  CHECK(armbench_engine_input_elems(e, 0) == x.size() && armbench_engine_output_elems(e, 0) == 16 * 144);
  CHECK(armbench_engine_input_elems(e, 1) == 0);
  CHECK_MSG(strcmp(armbench_engine_step_kernel(e, 0), "im2col fp32") == 0, "%s", armbench_engine_step_kernel(e, 0));
  CHECK(strncmp(armbench_engine_step_kernel(e, 1), "relu ", 5) == 0 && armbench_engine_step_kernel(e, 2) == nullptr);
  const void* in[1] = {x.data()};
  std::vector<float> y1(16 * 144), y2(16 * 144), y3(16 * 144);
  float* o1[1] = {y1.data()};
  uint64_t ns[2] = {0, 0};
  CHECK(armbench_engine_run(e, nullptr, in, o1, ns, why, sizeof why) == 0);
  CHECK(ns[0] > 0);
  armbench_gemm_pool* pool = nullptr;
  if (CHECK(armbench_gemm_pool_create(2, nullptr, &pool) == 0)) {
    float* o2[1] = {y2.data()};
    CHECK(armbench_engine_run(e, pool, in, o2, nullptr, why, sizeof why) == 0);
    same_bits(y2, y1, "two-thread pool");
    uint64_t samples[3] = {0, 0, 0}, steps[6] = {0};
    float* o3[1] = {y3.data()};
    CHECK(armbench_engine_measure(e, pool, in, o3, 1, 3, samples, steps, why, sizeof why) == 0);
    for (int i = 0; i < 3; ++i) CHECK(samples[i] > 0 && samples[i] >= steps[2 * i] + steps[2 * i + 1]);
    same_bits(y3, y1, "measure's outputs");
    armbench_gemm_pool_destroy(pool);
  }
  // The pool the model runner gives the engine: the caller joins as thread 0.
  pool = nullptr;
  if (CHECK(armbench_gemm_pool_create_ex(2, nullptr, ARMBENCH_GEMM_POOL_CALLER_JOINS, &pool) == 0)) {
    std::fill(y2.begin(), y2.end(), NAN);
    float* o2[1] = {y2.data()};
    CHECK(armbench_engine_run(e, pool, in, o2, nullptr, why, sizeof why) == 0);
    same_bits(y2, y1, "two-thread pool the caller joins");
    armbench_gemm_pool_destroy(pool);
  }
  CHECK(armbench_engine_run(e, nullptr, nullptr, o1, nullptr, why, sizeof why) == -EINVAL);
  armbench_engine_free(e);
}

// Creates p and expects rc with `needle` in the reason.
void refused(const Program& p, int rc, const char* needle) {
  armbench_engine_desc d = p.desc();
  armbench_engine* e = nullptr;
  char why[512] = {0};
  const int got = armbench_engine_create(&d, &e, why, sizeof why);
  CHECK_MSG(got == rc && e == nullptr, "want %d, got %d (%s)", rc, got, why);
  CHECK_MSG(strstr(why, needle) != nullptr, "reason \"%s\" lacks \"%s\"", why, needle);
  if (e) armbench_engine_free(e);
}

void test_refusals() {
  const armbench_conv_shape sh = shape3x3(1, 4, 8, 4, 1, 1);
  const std::vector<float> w = randoms(4 * 4 * 9);
  auto conv_program = [&](Program* p) -> armbench_engine_step& {
    auto tx = p->tensor({1, 4, 8, 8}), ty = p->tensor({1, 4, 8, 8});
    p->inputs = {tx};
    p->outputs = {ty};
    armbench_engine_step& s = p->step(ARMBENCH_ENGINE_CONV, "stem");
    s.x = tx, s.y = ty, s.conv = sh, s.algo = "im2col", s.weights = w.data(), s.weights_count = w.size();
    return s;
  };
  {
    Program p;
    conv_program(&p);
    p.arena -= 64;  // y ends past the arena
    p.outputs.clear();
    refused(p, -EINVAL, "step 0 \"stem\" (conv): y (offset");
  }
  {
    Program p;
    conv_program(&p).y.dims[3] = 7;
    refused(p, -EINVAL, "y dims [1,4,8,7] do not match the shape's output [1,4,8,8]");
  }
  {
    Program p;
    conv_program(&p).algo = "winograd-f9";
    refused(p, -EINVAL, "unknown conv algorithm \"winograd-f9\"");
  }
  {
    Program p;
    conv_program(&p).algo = "gemm-1x1";
    refused(p, -ENOTSUP, "\"gemm-1x1\" cannot run this shape: needs a 1x1 kernel");
  }
  {
    Program p;
    conv_program(&p).weights_count = 3;
    refused(p, -EINVAL, "weights holds 3 values; 144 expected");
  }
  {
    Program p;
    armbench_engine_step& s = conv_program(&p);
    s.y.offset = s.x.offset + 64;
    refused(p, -EINVAL, "x (bytes 0..1024) overlaps y");
  }
  {
    Program p;
    armbench_engine_step& s = conv_program(&p);
    s.conv.groups = 3;
    refused(p, -EINVAL, "invalid shape");
  }
  {
    Program p;
    auto tx = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC), ty = p.tensor({1, 4, 8, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CONV, "stem");
    s.x = tx, s.y = ty, s.conv = sh, s.algo = "direct-nchwc", s.weights = w.data(), s.weights_count = w.size();
    refused(p, -ENOTSUP, "x is nchwc but y is nchw: a conv reads and writes one layout");
  }
  {
    Program p;
    auto tx = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC), ty = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC);
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CONV, "stem");
    s.x = tx, s.y = ty, s.conv = sh, s.algo = "im2col", s.weights = w.data(), s.weights_count = w.size();
    refused(p, -ENOTSUP, "conv on nchwc tensors needs algorithm \"direct-nchwc\"; \"im2col\" takes nchw");
  }
  {
    Program p;
    auto tx = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC), ty = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC),
         tr = p.tensor({1, 4, 8, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CONV, "stem");
    s.x = tx, s.y = ty, s.conv = sh, s.algo = "direct-nchwc", s.weights = w.data(), s.weights_count = w.size();
    s.has_residual = 1, s.residual = tr;
    refused(p, -EINVAL, "residual is nchw but y is nchwc");
  }
  {
    Program p;
    auto tx = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC), ty = p.tensor({1, 4, 4, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_MAXPOOL, "pool");
    s.x = tx, s.y = ty, s.pool.kh = s.pool.kw = 2, s.pool.stride_h = s.pool.stride_w = 2;
    refused(p, -ENOTSUP, "x is nchwc but y is nchw: a pool reads and writes one layout");
  }
  {
    Program p;
    auto tx = p.tensor({1, 4, 8, 8}, ARMBENCH_ENGINE_NCHWC), ty = p.tensor({1, 4, 1, 1}, ARMBENCH_ENGINE_NCHWC);
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_GLOBAL_AVGPOOL, "gap");
    s.x = tx, s.y = ty;
    refused(p, -ENOTSUP, "globalavgpool writes an nchw y");
  }
  {
    Program p;
    conv_program(&p);
    p.block = armbench_nchwc_block() + 1;
    refused(p, -EINVAL, "built for nchwc block");
  }
  {
    Program p;
    auto ta = p.tensor({2, 3}), tb = p.tensor({3, 3});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_ADD, "sum");
    s.x = ta, s.b = tb, s.y = ta;
    refused(p, -EINVAL, "step 0 \"sum\" (add): b dims [3,3] and y dims [2,3] differ");
  }
  {
    Program p;
    auto ta = p.tensor({4, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_SOFTMAX, "sm");
    s.x = ta, s.y = ta;
    s.y.offset += 4;  // partly over x
    p.arena += 64;
    refused(p, -EINVAL, "only the exact same tensor may be written in place");
  }
  {
    Program p;
    auto ta = p.tensor({4, 4});
    p.inputs = {ta};
    p.inputs[0].offset = 2;
    refused(p, -EINVAL, "inputs[0] offset 2 is not a multiple of 4");
  }
  {
    Program p;
    auto ta = p.tensor({4, 4});
    armbench_engine_step& s = p.step(static_cast<armbench_engine_op>(99), "odd");
    s.x = s.y = ta;
    refused(p, -EINVAL, "unknown op 99");
  }
  {
    Program p;
    auto tx = p.tensor({2, 8}), ty = p.tensor({2, 3});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_GEMM, "fc");
    s.x = tx, s.y = ty, s.rows = 2, s.k = 8, s.n = 4, s.weights = w.data(), s.weights_count = 32;
    refused(p, -EINVAL, "y dims [2,3] hold 6 values, not rows x n = 2 x 4");
  }
  CHECK(armbench_engine_create(nullptr, nullptr, nullptr, 0) == -EINVAL);
}

// ---- the transformer steps ----

armbench_engine_tensor int32_tensor(Program* p, std::vector<size_t> dims) {
  armbench_engine_tensor t = p->tensor(std::move(dims));
  t.dtype = ARMBENCH_ENGINE_INT32;
  return t;
}

// The embedding path of an encoder: token ids (an int32 input) gather rows of a table,
// position rows are gathered by constant indices from an arena tensor, both summed
// with a constant-free broadcast, then LayerNorm (in place, with residual and bias);
// the attention mask: cast, (1 - mask) * -10000 with constants on either side.
void test_embedding_and_mask() {
  const size_t vocab = 20, dim = 8, tokens = 6;
  const std::vector<float> table = randoms(vocab * dim), pos = randoms(10 * dim), scale = randoms(dim), bias = randoms(dim);
  const int32_t ids[tokens] = {3, 19, -1, 0, 7, -20};
  const int32_t mask[tokens] = {1, 1, 1, 1, 0, 0};
  const int32_t positions[tokens] = {0, 1, 2, 3, 4, 5};
  const float one = 1.0f, big = -10000.0f;
  Program p;
  auto tids = int32_tensor(&p, {1, tokens}), tmask = int32_tensor(&p, {1, tokens});
  auto tpos = p.tensor({10, dim}), temb = p.tensor({tokens, dim}), tp = p.tensor({tokens, dim});
  auto tmf = p.tensor({1, tokens}), tadd = p.tensor({1, tokens});
  p.inputs = {tids, tmask, tpos};
  p.outputs = {temb, tadd};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_GATHER, "word");
  s->table = table.data(), s->table_count = table.size(), s->outer = 1, s->axis_len = vocab, s->inner = dim;
  s->indices = tids, s->count = tokens, s->y = temb;
  s = &p.step(ARMBENCH_ENGINE_GATHER, "position");
  s->x = tpos, s->outer = 1, s->axis_len = 10, s->inner = dim, s->index_values = positions;
  s->index_values_count = tokens, s->count = tokens, s->y = tp;
  s = &p.step(ARMBENCH_ENGINE_LAYERNORM, "ln");
  s->x = temb, s->has_residual = 1, s->residual = tp, s->y = temb, s->rows = tokens, s->cols = dim;
  s->scale = scale.data(), s->scale_count = dim, s->bias = bias.data(), s->bias_count = dim, s->epsilon = 1e-12f;
  s = &p.step(ARMBENCH_ENGINE_CAST, "cast");
  s->x = tmask, s->y = tmf;
  s = &p.step(ARMBENCH_ENGINE_BROADCAST, "one_minus");
  s->fn = ARMBENCH_BINARY_SUB, s->a_const = {&one, 1, 1, {1}}, s->b = tmf, s->y = tmf;
  s = &p.step(ARMBENCH_ENGINE_BROADCAST, "scale");
  s->fn = ARMBENCH_BINARY_MUL, s->x = tmf, s->b_const = {&big, 1, 1, {1}}, s->y = tadd;
  auto out = run_inputs(p, {ids, mask, pos.data()});
  if (out.empty()) return;

  std::vector<float> emb(tokens * dim), prow(tokens * dim), mf(tokens), add(tokens);
  CHECK(armbench_gather(1, vocab, dim, table.data(), ids, tokens, emb.data(), 0, SIZE_MAX, nullptr) == 0);
  CHECK(armbench_gather(1, 10, dim, pos.data(), positions, tokens, prow.data(), 0, SIZE_MAX, nullptr) == 0);
  CHECK(armbench_layernorm(tokens, dim, emb.data(), prow.data(), scale.data(), bias.data(), 1e-12f, emb.data()) == 0);
  armbench_cast_i32_f32(mask, mf.data(), tokens);
  const size_t d1 = 1, d2[2] = {1, tokens};
  CHECK(armbench_broadcast(ARMBENCH_BINARY_SUB, 1, &d1, &one, 2, d2, mf.data(), mf.data(), 0, SIZE_MAX) == 0);
  CHECK(armbench_broadcast(ARMBENCH_BINARY_MUL, 2, d2, mf.data(), 1, &d1, &big, add.data(), 0, SIZE_MAX) == 0);
  same_bits(out[0], emb, "gather + gather + layernorm");
  same_bits(out[1], add, "cast + broadcast mask");
  CHECK(out[1][0] == 0.0f && out[1][5] == -10000.0f);

  // A token id outside the table fails the run, the step and the index named.
  armbench_engine_desc d = p.desc();
  armbench_engine* e = nullptr;
  char why[512] = {0};
  if (!CHECK(armbench_engine_create(&d, &e, why, sizeof why) == 0)) return;
  CHECK(armbench_engine_input_dtype(e, 0) == ARMBENCH_ENGINE_INT32 && armbench_engine_input_dtype(e, 2) == ARMBENCH_ENGINE_FP32);
  const int32_t bad_ids[tokens] = {3, 19, 20, 0, 7, -21};
  const void* ins[3] = {bad_ids, mask, pos.data()};
  std::vector<float> o0(tokens * dim), o1(tokens);
  float* outs[2] = {o0.data(), o1.data()};
  const int rc = armbench_engine_run(e, nullptr, ins, outs, nullptr, why, sizeof why);
  CHECK_MSG(rc == -EINVAL, "run with a bad index: %d", rc);
  CHECK_MSG(strstr(why, "step 0 \"word\" (gather): index 20 (at position 2) is outside [-20, 20)") != nullptr, "%s", why);
  uint64_t sample = 0;
  CHECK(armbench_engine_measure(e, nullptr, ins, outs, 0, 1, &sample, nullptr, why, sizeof why) == -EINVAL);
  armbench_engine_free(e);
}

// A attention block's shapes: heads apart, Q K^T scaled, a mask broadcast in, softmax,
// times V; bf16 and fp32 matmuls, batch dims broadcast.
void test_matmul(armbench_gemm_dtype dtype) {
  const bool bf = dtype == ARMBENCH_GEMM_BF16;
  struct Case {
    std::vector<size_t> a, b, y;
  };
  const Case cases[] = {
      {{2, 3, 5, 7}, {3, 7, 4}, {2, 3, 5, 4}},     // b repeated over a's first batch dim
      {{2, 1, 5, 7}, {3, 7, 4}, {2, 3, 5, 4}},     // both repeated
      {{2, 5, 7}, {7, 4}, {2, 5, 4}},              // one b: folded into one GEMM
      {{5, 7}, {4, 7, 3}, {4, 5, 3}},              // a repeated
      {{1, 12, 6, 16}, {1, 12, 16, 6}, {1, 12, 6, 6}},  // Q K^T
  };
  for (const Case& c : cases) {
    Program p;
    auto ta = p.tensor(c.a), tb = p.tensor(c.b), ty = p.tensor(c.y);
    p.inputs = {ta, tb};
    p.outputs = {ty};
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_MATMUL, "mm");
    s.x = ta, s.b = tb, s.y = ty, s.dtype = dtype;
    const std::vector<float> a = randoms(elems(ta)), b = randoms(elems(tb));
    auto out = run(p, {a, b});
    if (out.empty()) continue;
    // Each y batch against armbench_gemm on the operands (rounded, for bf16) it reads,
    // and against the double product.
    const size_t m = c.a[c.a.size() - 2], k = c.a.back(), n = c.b.back();
    const size_t ry = c.y.size();
    std::vector<uint16_t> a16(a.size()), b16(b.size());
    armbench_f32_to_bf16_array(a.data(), a16.data(), a.size(), ARMBENCH_BF16_RNE);
    armbench_f32_to_bf16_array(b.data(), b16.data(), b.size(), ARMBENCH_BF16_RNE);
    size_t batches = 1;
    for (size_t i = 0; i + 2 < ry; ++i) batches *= c.y[i];
    std::vector<float> want(batches * m * n);
    double worst = 0;
    for (size_t bi = 0; bi < batches; ++bi) {
      // y's batch index, right-aligned onto a's and b's batch dims (1 repeats).
      size_t idx[2] = {0, 0}, rem = bi;
      for (size_t i = ry - 2; i-- > 0;) idx[i] = rem % c.y[i], rem /= c.y[i];
      auto offset = [&](const std::vector<size_t>& d) {
        size_t off = 0;
        const size_t nb = d.size() - 2;
        for (size_t i = 0; i < nb; ++i) {
          const size_t yi = idx[i + (ry - 2 - nb)];
          off = off * d[i] + (d[i] == 1 ? 0 : yi);
        }
        return off * d[nb] * d[nb + 1];
      };
      const size_t ao = offset(c.a), bo = offset(c.b);
      armbench_gemm_args g{};
      g.kernel = armbench_gemm_default_kernel(dtype);
      g.m = m, g.n = n, g.k = k, g.alpha = 1.0f;
      g.a = bf ? static_cast<const void*>(a16.data() + ao) : a.data() + ao, g.lda = k;
      g.b = bf ? static_cast<const void*>(b16.data() + bo) : b.data() + bo, g.ldb = n;
      g.c = want.data() + bi * m * n, g.ldc = n;
      CHECK(armbench_gemm(nullptr, &g) == 0);
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) {
          double sum = 0, mag = 0;
          for (size_t q = 0; q < k; ++q)
            sum += static_cast<double>(a[ao + i * k + q]) * b[bo + q * n + j], mag += fabs(a[ao + i * k + q] * b[bo + q * n + j]);
          worst = fmax(worst, fabs(out[0][bi * m * n + i * n + j] - sum) / mag);
        }
    }
    // A folded GEMM may block differently from per-batch ones: fp32 compared by bound only there.
    const bool folded = c.b.size() == 2 && c.a.size() > 2;
    if (!folded) same_bits(out[0], want, bf ? "matmul bf16" : "matmul fp32");
    const double bound = bf ? 2 * ldexp(1.0, -8) + (k + 4) * ldexp(1.0, -23) : (k + 4) * ldexp(1.0, -24);
    CHECK_MSG(worst <= bound, "matmul %s: relative error %g above %g", bf ? "bf16" : "fp32", worst, bound);
  }
}

// softmax (rows, and LogSoftmax over a middle axis), reduce (mean), transpose, the new
// unary ops and a gemm with each GELU epilogue, against the kernels called directly.
void test_transformer_misc() {
  const size_t rows = 6, k = 10, n = 12;
  Program p;
  auto tx = p.tensor({rows, n}), tsm = p.tensor({rows, n}), t3 = p.tensor({2, 3, 12}), tls = p.tensor({2, 3, 12});
  auto trm = p.tensor({2, 12}), t4 = p.tensor({1, 6, 3, 4}), ttr = p.tensor({1, 3, 6, 4});
  auto tu = p.tensor({rows, n}), tg = p.tensor({rows, k}), tgy = p.tensor({rows, n}), tgt = p.tensor({rows, n});
  p.inputs = {tx, tg};
  p.outputs = {tsm, tls, trm, ttr, tu, tgy, tgt};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_SOFTMAX, "softmax");
  s->x = tx, s->y = tsm;
  // x's 72 values viewed as [2, 3, 12]: LogSoftmax over the 3.
  s = &p.step(ARMBENCH_ENGINE_REORDER, "view");
  s->x = tx, s->y = t3;
  s = &p.step(ARMBENCH_ENGINE_SOFTMAX, "logsoftmax");
  s->x = t3, s->y = tls, s->log_softmax = 1;
  s = &p.step(ARMBENCH_ENGINE_REDUCE, "mean");  // reduce_fn zero: mean
  s->x = t3, s->y = trm, s->outer = 2, s->n = 3, s->inner = 12;
  s = &p.step(ARMBENCH_ENGINE_REORDER, "view4");
  s->x = tx, s->y = t4;
  s = &p.step(ARMBENCH_ENGINE_TRANSPOSE, "heads");
  s->x = t4, s->y = ttr, s->perm[0] = 0, s->perm[1] = 2, s->perm[2] = 1, s->perm[3] = 3;
  const armbench_engine_op unary[] = {ARMBENCH_ENGINE_ERF, ARMBENCH_ENGINE_TANH, ARMBENCH_ENGINE_GELU,
                                      ARMBENCH_ENGINE_GELU_TANH, ARMBENCH_ENGINE_SQRT};
  s = &p.step(ARMBENCH_ENGINE_REORDER, "copy");
  s->x = tx, s->y = tu;
  for (armbench_engine_op op : unary) {
    s = &p.step(op, "unary");
    s->x = tu, s->y = tu;
  }
  const std::vector<float> w = randoms(n * k), bias = randoms(n);
  for (int i = 0; i < 2; ++i) {
    s = &p.step(ARMBENCH_ENGINE_GEMM, i ? "fc_gelu_tanh" : "fc_gelu");
    s->x = tg, s->y = i ? tgt : tgy, s->rows = rows, s->k = k, s->n = n, s->dtype = ARMBENCH_GEMM_F32;
    s->weights = w.data(), s->weights_count = w.size(), s->bias = bias.data(), s->bias_count = n;
    s->act = i ? ARMBENCH_ACT_GELU_TANH : ARMBENCH_ACT_GELU;
  }
  std::vector<float> x = randoms(rows * n);
  const std::vector<float> g = randoms(rows * k);
  auto out = run(p, {x, g});
  if (out.empty()) return;

  std::vector<float> sm(x.size()), ls(x.size()), rm(24), tr(x.size()), u(x), gy(rows * n), gt(rows * n);
  CHECK(armbench_softmax(rows, n, x.data(), sm.data()) == 0);
  CHECK(armbench_softmax_axis(2, 3, 12, x.data(), ls.data(), 1) == 0);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MEAN, 2, 3, 12, x.data(), rm.data()) == 0);
  const size_t d4[4] = {1, 6, 3, 4}, perm[4] = {0, 2, 1, 3};
  CHECK(armbench_transpose(4, d4, perm, x.data(), tr.data(), 0, SIZE_MAX) == 0);
  armbench_erf(u.data(), u.data(), u.size());
  armbench_tanh(u.data(), u.data(), u.size());
  armbench_gelu(u.data(), u.data(), u.size());
  armbench_gelu_tanh(u.data(), u.data(), u.size());
  armbench_sqrt(u.data(), u.data(), u.size());
  for (int i = 0; i < 2; ++i) {
    std::vector<float>& want = i ? gt : gy;
    armbench_gemm_args a{};
    a.kernel = armbench_gemm_default_kernel(ARMBENCH_GEMM_F32);
    a.trans_b = 1, a.m = rows, a.n = n, a.k = k, a.alpha = 1.0f;
    a.a = g.data(), a.lda = k, a.b = w.data(), a.ldb = k, a.c = want.data(), a.ldc = n;
    CHECK(armbench_gemm(nullptr, &a) == 0);
    for (size_t r = 0; r < rows; ++r)
      for (size_t j = 0; j < n; ++j) want[r * n + j] += bias[j];
    (i ? armbench_gelu_tanh : armbench_gelu)(want.data(), want.data(), want.size());
  }
  same_bits(out[0], sm, "softmax");
  same_bits(out[1], ls, "logsoftmax over a middle axis");
  same_bits(out[2], rm, "reduce mean");
  same_bits(out[3], tr, "transpose");
  same_bits(out[4], u, "erf, tanh, gelu, gelu-tanh, sqrt in place");
  same_bits(out[5], gy, "gemm + bias + gelu");
  same_bits(out[6], gt, "gemm + bias + gelu-tanh");
}

// The comparison, where, reduce and exp/log steps against the kernels called directly:
// an int32 input compared with a constant and with an fp32 tensor (integers past 2^24
// that a float comparison would get wrong), where selecting between a tensor and a
// constant (and over a constant condition, in place), reduce sum and max, exp and log
// (in place).
void test_compare_where_reduce() {
  const int32_t ids[12] = {16777217, 16777216, -3, 0, 7, INT32_MAX, 1, 2, 3, 4, 5, 16777215};
  const float big = 16777216.0f, fill = -1.5f, rows[2] = {1.0f, 0.0f};
  Program p;
  auto tids = int32_tensor(&p, {2, 6}), tx = p.tensor({2, 6}), t3 = p.tensor({2, 3, 4});
  auto tge = p.tensor({2, 6}), tlt = p.tensor({2, 6}), twh = p.tensor({2, 6});
  auto tsum = p.tensor({2, 4}), tmax = p.tensor({2, 4}), texp = p.tensor({2, 3, 4});
  p.inputs = {tids, tx, t3};
  p.outputs = {tge, tlt, twh, tx, tsum, tmax, texp, t3};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_BROADCAST, "ge");
  s->fn = ARMBENCH_BINARY_GREATER_EQUAL, s->x = tids, s->b_const = {&big, 1, 1, {1}}, s->y = tge;
  s = &p.step(ARMBENCH_ENGINE_BROADCAST, "lt");
  s->fn = ARMBENCH_BINARY_LESS, s->x = tx, s->b = tids, s->y = tlt;
  s = &p.step(ARMBENCH_ENGINE_WHERE, "where");
  s->x = tge, s->b = tx, s->v_const = {&fill, 1, 1, {1}}, s->y = twh;
  s = &p.step(ARMBENCH_ENGINE_WHERE, "where-rows");  // a constant condition, in place over a
  s->a_const = {rows, 2, 2, {2, 1}}, s->b = tx, s->v = tge, s->y = tx;
  s = &p.step(ARMBENCH_ENGINE_REDUCE, "sum");
  s->reduce_fn = ARMBENCH_REDUCE_SUM, s->x = t3, s->y = tsum, s->outer = 2, s->n = 3, s->inner = 4;
  s = &p.step(ARMBENCH_ENGINE_REDUCE, "max");
  s->reduce_fn = ARMBENCH_REDUCE_MAX, s->x = t3, s->y = tmax, s->outer = 2, s->n = 3, s->inner = 4;
  s = &p.step(ARMBENCH_ENGINE_EXP, "exp");
  s->x = t3, s->y = texp;
  s = &p.step(ARMBENCH_ENGINE_LOG, "log");
  s->x = t3, s->y = t3;
  std::vector<float> x = randoms(12), x3 = randoms(24);
  x[0] = 16777216.0f, x[1] = 16777216.0f;  // below ids[0], equal to ids[1]
  x3[5] = NAN;
  armbench_engine_desc d = p.desc();
  armbench_engine* e = nullptr;
  char why[512];
  if (!CHECK_MSG(armbench_engine_create(&d, &e, why, sizeof why) == 0, "create: %s", why)) return;
  const char* want_runs[] = {"broadcast", "broadcast", "where", "where", "reduce sum", "reduce max", "exp scalar", "log scalar"};
  for (size_t i = 0; i < 8; ++i) {
    const char* runs = armbench_engine_step_kernel(e, i);
    CHECK_MSG(runs && strcmp(runs, want_runs[i]) == 0, "step %zu runs \"%s\"", i, runs ? runs : "");
  }
  armbench_engine_free(e);
  auto out = run_inputs(p, {ids, x.data(), x3.data()});
  if (out.empty()) return;

  const size_t d1 = 1, d26[2] = {2, 6}, d21[2] = {2, 1};
  std::vector<float> ge(12), lt(12), wh(12), wx(x), sum(8), mx(8), ex(24), lg(x3);
  CHECK(armbench_broadcast_typed(ARMBENCH_BINARY_GREATER_EQUAL, 2, d26, ids, 1, 1, &d1, &big, 0, ge.data(), 0, SIZE_MAX) == 0);
  CHECK(armbench_broadcast_typed(ARMBENCH_BINARY_LESS, 2, d26, x.data(), 0, 2, d26, ids, 1, lt.data(), 0, SIZE_MAX) == 0);
  CHECK(armbench_where(2, d26, ge.data(), 2, d26, x.data(), 1, &d1, &fill, wh.data(), 0, SIZE_MAX) == 0);
  CHECK(armbench_where(2, d21, rows, 2, d26, wx.data(), 2, d26, ge.data(), wx.data(), 0, SIZE_MAX) == 0);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_SUM, 2, 3, 4, x3.data(), sum.data()) == 0);
  CHECK(armbench_reduce(ARMBENCH_REDUCE_MAX, 2, 3, 4, x3.data(), mx.data()) == 0);
  armbench_exp(x3.data(), ex.data(), 24);
  armbench_log(lg.data(), lg.data(), 24);
  same_bits(out[0], ge, "int32 >= constant");
  same_bits(out[1], lt, "fp32 < int32");
  same_bits(out[2], wh, "where with a constant");
  same_bits(out[3], wx, "where over a constant condition, in place");
  same_bits(out[4], sum, "reduce sum");
  same_bits(out[5], mx, "reduce max");
  same_bits(out[6], ex, "exp");
  same_bits(out[7], lg, "log in place");
  // The exact answers: 2^24 < 16777217 (in float they would be equal) but not <
  // 16777216; 16777217 >= 2^24, 16777215 not; a NaN is its column's max and sum.
  CHECK(out[0][0] == 1.0f && out[0][1] == 1.0f && out[0][11] == 0.0f && out[0][5] == 1.0f);
  CHECK(out[1][0] == 1.0f && out[1][1] == 0.0f);
  CHECK(out[2][2] == fill && out[2][0] == x[0]);
  CHECK(out[5][1] != out[5][1] && out[4][1] != out[4][1]);
}

// Big enough (over the engine's threshold) that the row-wise and elementwise steps
// split over a pool: two threads give the bits of one, the caller joining or not.
void test_transformer_pool() {
  const size_t rows = 96, cols = 300, heads = 4, seq = 48, hd = 24, vocab = 500;
  const std::vector<float> scale = randoms(cols), bias = randoms(cols), table = randoms(vocab * cols);
  std::vector<int32_t> ids(rows);
  for (size_t i = 0; i < rows; ++i) ids[i] = static_cast<int32_t>((i * 37) % vocab) - (i % 3 == 0 ? static_cast<int32_t>(vocab) : 0);
  const float scalar = 0.125f;
  Program p;
  auto tids = int32_tensor(&p, {rows});
  auto tx = p.tensor({rows, cols}), ta = p.tensor({rows, cols}), tg = p.tensor({rows, cols});
  auto tq = p.tensor({1, seq, heads, hd}), tqt = p.tensor({1, heads, seq, hd}), tkt = p.tensor({1, heads, hd, seq});
  auto ts = p.tensor({1, heads, seq, seq}), tmask = p.tensor({1, 1, 1, seq}), tc = p.tensor({1, heads, seq, hd});
  auto tci = p.tensor({rows}), tw = p.tensor({cols, 20}), tp = p.tensor({rows, 20});
  auto tgt = p.tensor({rows, cols}), twh = p.tensor({rows, cols});
  p.inputs = {tids, tx, tq, tmask, tw};
  p.outputs = {ta, tg, ts, tc, tci, tp, twh};
  armbench_engine_step* s = &p.step(ARMBENCH_ENGINE_GATHER, "emb");
  s->table = table.data(), s->table_count = table.size(), s->outer = 1, s->axis_len = vocab, s->inner = cols;
  s->indices = tids, s->count = rows, s->y = ta;
  s = &p.step(ARMBENCH_ENGINE_LAYERNORM, "ln");
  s->x = ta, s->has_residual = 1, s->residual = tx, s->y = ta, s->rows = rows, s->cols = cols;
  s->scale = scale.data(), s->scale_count = cols, s->bias = bias.data(), s->bias_count = cols, s->epsilon = 1e-5f;
  s = &p.step(ARMBENCH_ENGINE_GELU, "gelu");
  s->x = ta, s->y = tg;
  s = &p.step(ARMBENCH_ENGINE_SOFTMAX, "softmax");
  s->x = tg, s->y = tg;
  s = &p.step(ARMBENCH_ENGINE_TRANSPOSE, "q");
  s->x = tq, s->y = tqt, s->perm[0] = 0, s->perm[1] = 2, s->perm[2] = 1, s->perm[3] = 3;
  s = &p.step(ARMBENCH_ENGINE_TRANSPOSE, "k");
  s->x = tq, s->y = tkt, s->perm[0] = 0, s->perm[1] = 2, s->perm[2] = 3, s->perm[3] = 1;
  s = &p.step(ARMBENCH_ENGINE_MATMUL, "qk");  // 4 batches: whole GEMMs per thread
  s->x = tqt, s->b = tkt, s->y = ts, s->dtype = ARMBENCH_GEMM_F32;
  s = &p.step(ARMBENCH_ENGINE_BROADCAST, "scale");
  s->fn = ARMBENCH_BINARY_MUL, s->x = ts, s->b_const = {&scalar, 1, 1, {1}}, s->y = ts;
  s = &p.step(ARMBENCH_ENGINE_BROADCAST, "mask");
  s->fn = ARMBENCH_BINARY_ADD, s->x = ts, s->b = tmask, s->y = ts;
  s = &p.step(ARMBENCH_ENGINE_SOFTMAX, "probs");
  s->x = ts, s->y = ts;
  s->x.ndims = s->y.ndims = 2, s->x.dims[0] = s->y.dims[0] = heads * seq, s->x.dims[1] = s->y.dims[1] = seq;
  s = &p.step(ARMBENCH_ENGINE_MATMUL, "ctx");
  s->x = ts, s->b = tqt, s->y = tc, s->dtype = ARMBENCH_GEMM_BF16;
  s = &p.step(ARMBENCH_ENGINE_CAST, "cast");
  s->x = tids, s->y = tci;
  s = &p.step(ARMBENCH_ENGINE_MATMUL, "proj");  // one batch: the GEMM runs on the pool
  s->x = ta, s->b = tw, s->y = tp, s->dtype = ARMBENCH_GEMM_F32;
  s = &p.step(ARMBENCH_ENGINE_BROADCAST, "gt");  // rows of 300: chunks cut rows anywhere
  s->fn = ARMBENCH_BINARY_GREATER, s->x = tx, s->b = ta, s->y = tgt;
  s = &p.step(ARMBENCH_ENGINE_WHERE, "where");
  s->x = tgt, s->b = tx, s->v = tg, s->y = twh;
  const std::vector<float> x = randoms(rows * cols), q = randoms(seq * heads * hd), mask = randoms(seq);
  const std::vector<float> w = randoms(cols * 20);
  const std::vector<const void*> ins = {ids.data(), x.data(), q.data(), mask.data(), w.data()};
  auto one = run_inputs(p, ins);
  if (one.empty()) return;
  for (unsigned flags : {0u, ARMBENCH_GEMM_POOL_CALLER_JOINS}) {
    armbench_gemm_pool* pool = nullptr;
    if (!CHECK(armbench_gemm_pool_create_ex(2, nullptr, flags, &pool) == 0)) continue;
    auto two = run_inputs(p, ins, pool);
    const char* names[] = {"gather + layernorm", "gelu + softmax", "transpose + matmul + broadcast + softmax",
                           "bf16 matmul", "cast", "matmul on the pool", "comparison + where"};
    for (size_t i = 0; i < two.size() && i < one.size(); ++i) same_bits(two[i], one[i], names[i]);
    armbench_gemm_pool_destroy(pool);
  }
}

// Quantize (ties to even, saturation, per-slice scales) into an int32 output, and a
// MatMulInteger of uint8 by uint8 with zero points: read back as int32 values exactly.
void test_quantized_steps() {
  Program p;
  auto x = p.tensor({2, 3}), q = int32_tensor(&p, {2, 3}), b = int32_tensor(&p, {3, 2}), y = int32_tensor(&p, {2, 2});
  p.inputs = {x, b};
  p.outputs = {q, y};
  const float scales[2] = {1.0f, 0.5f}, zero[1] = {3.0f}, bzero[2] = {1.0f, 250.0f};
  armbench_engine_step& s = p.step(ARMBENCH_ENGINE_QUANTIZE, "q");
  s.x = x, s.y = q, s.outer = 1, s.n = 2, s.inner = 3, s.qmin = 0, s.qmax = 255;
  s.q_const[ARMBENCH_Q_Y_SCALE] = armbench_engine_const{scales, 2, 1, {2}};
  s.q_const[ARMBENCH_Q_Y_ZERO] = armbench_engine_const{zero, 1, 1, {1}};
  armbench_engine_step& m = p.step(ARMBENCH_ENGINE_MATMUL_INTEGER, "mm");
  m.x = q, m.y = y, m.q[ARMBENCH_Q_W] = b;
  m.q_const[ARMBENCH_Q_X_ZERO] = armbench_engine_const{zero, 1, 1, {1}};
  m.q_const[ARMBENCH_Q_W_ZERO] = armbench_engine_const{bzero, 2, 1, {2}};
  const float xv[6] = {2.5f, 3.5f, -1000.0f, 1.25f, 0.75f, 1000.0f};
  const int32_t bv[6] = {1, 255, 2, 0, 3, 128};
  const auto out = run_inputs(p, {xv, bv});
  if (out.size() != 2) return;
  int32_t got[6], mm[4];
  memcpy(got, out[0].data(), sizeof got);
  memcpy(mm, out[1].data(), sizeof mm);
  // 2.5 -> 2 and 3.5 -> 4 (ties to even) + 3; -1000 saturates at 0; 1.25 / 0.5 = 2.5 -> 2, 0.75 / 0.5 = 1.5 -> 2, 2000 at 255.
  const int32_t want[6] = {5, 7, 0, 5, 5, 255};
  for (int i = 0; i < 6; ++i) CHECK_MSG(got[i] == want[i], "quantize [%d]: %d, not %d", i, got[i], want[i]);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      int32_t r = 0;
      for (int k = 0; k < 3; ++k) r += (want[i * 3 + k] - 3) * (bv[k * 2 + j] - static_cast<int32_t>(bzero[j]));
      CHECK_MSG(mm[i * 2 + j] == r, "matmul-integer [%d][%d]: %d, not %d", i, j, mm[i * 2 + j], r);
    }
}

void test_transformer_refusals() {
  const std::vector<float> scale = randoms(8), table = randoms(40);
  const int32_t idx[2] = {0, 1};
  {
    Program p;  // an int32 tensor read as fp32
    auto t = int32_tensor(&p, {4, 8}), ty = p.tensor({4, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_GELU, "g");
    s.x = t, s.y = ty;
    refused(p, -EINVAL, "x is int32; only gather (its indices), cast (its x), the comparisons (their operands) "
                        "and the quantized ops read int32 tensors");
  }
  {
    Program p;  // cast from fp32
    auto t = p.tensor({4, 8}), ty = p.tensor({4, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CAST, "c");
    s.x = t, s.y = ty;
    refused(p, -EINVAL, "x is fp32; it must be int32");
  }
  {
    Program p;  // a quantize whose y is fp32
    auto x = p.tensor({4}), y = p.tensor({4});
    const float one = 1.0f;
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_QUANTIZE, "q");
    s.x = x, s.y = y, s.outer = 1, s.n = 1, s.inner = 4, s.qmax = 255;
    s.q_const[ARMBENCH_Q_Y_SCALE] = armbench_engine_const{&one, 1, 1, {1}};
    refused(p, -EINVAL, "y is fp32; it must be int32");
  }
  {
    Program p;  // an nchwc int32 tensor
    auto t = p.tensor({1, 4, 2, 2}, ARMBENCH_ENGINE_NCHWC);
    t.dtype = ARMBENCH_ENGINE_INT32;
    p.inputs = {t};
    refused(p, -EINVAL, "inputs[0] is int32 and nchwc");
  }
  {
    Program p;  // gemm epilogue GELU on a conv
    const armbench_conv_shape sh = shape3x3(1, 2, 4, 2, 1, 1);
    const std::vector<float> w = randoms(2 * 2 * 9);
    auto tx = p.tensor({1, 2, 4, 4}), ty = p.tensor({1, 2, 4, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_CONV, "conv");
    s.x = tx, s.y = ty, s.conv = sh, s.algo = "im2col", s.weights = w.data(), s.weights_count = w.size();
    s.act = ARMBENCH_ACT_GELU;
    refused(p, -ENOTSUP, "a gelu epilogue runs after gemm only");
  }
  {
    Program p;  // dims that do not broadcast
    auto ta = p.tensor({4, 8}), tb = p.tensor({4}), ty = p.tensor({4, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_BROADCAST, "add");
    s.fn = ARMBENCH_BINARY_ADD, s.x = ta, s.b = tb, s.y = ty;
    refused(p, -EINVAL, "a dims [4,8] and b dims [4] do not broadcast");
  }
  {
    Program p;  // y not the broadcast dims
    auto ta = p.tensor({4, 8}), ty = p.tensor({1, 4, 8});
    const float c[8] = {0};
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_BROADCAST, "add");
    s.fn = ARMBENCH_BINARY_ADD, s.x = ta, s.b_const = {c, 8, 1, {8}}, s.y = ty;
    refused(p, -EINVAL, "y dims [1,4,8] are not the broadcast dims [4,8]");
  }
  {
    Program p;  // a constant of the wrong length
    auto ta = p.tensor({4, 8}), ty = p.tensor({4, 8});
    const float c[8] = {0};
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_BROADCAST, "add");
    s.fn = ARMBENCH_BINARY_DIV, s.x = ta, s.b_const = {c, 7, 1, {8}}, s.y = ty;
    refused(p, -EINVAL, "constant b holds 7 values; its dims [8] need 8");
  }
  {
    Program p;  // an operand overlapping y without y's dims
    auto ta = p.tensor({1, 8}), ty = p.tensor({4, 8});
    ty.offset = ta.offset;
    const float c[32] = {0};
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_BROADCAST, "add");
    s.fn = ARMBENCH_BINARY_ADD, s.x = ta, s.b_const = {c, 32, 2, {4, 8}}, s.y = ty;
    refused(p, -EINVAL, "a (bytes 0..32) overlaps y");
  }
  {
    Program p;  // not a permutation
    auto tx = p.tensor({2, 3, 4}), ty = p.tensor({2, 4, 3});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_TRANSPOSE, "t");
    s.x = tx, s.y = ty, s.perm[0] = 0, s.perm[1] = 2, s.perm[2] = 2;
    refused(p, -EINVAL, "perm [0,2,2] is not a permutation of the 3 axes");
  }
  {
    Program p;  // y not x permuted
    auto tx = p.tensor({2, 3, 4}), ty = p.tensor({2, 3, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_TRANSPOSE, "t");
    s.x = tx, s.y = ty, s.perm[0] = 0, s.perm[1] = 2, s.perm[2] = 1;
    refused(p, -EINVAL, "y dims [2,3,4] are not x dims [2,3,4] permuted by [0,2,1]");
  }
  {
    Program p;  // inner dims that do not multiply
    auto ta = p.tensor({2, 5, 7}), tb = p.tensor({6, 4}), ty = p.tensor({2, 5, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_MATMUL, "mm");
    s.x = ta, s.b = tb, s.y = ty;
    refused(p, -EINVAL, "a's 7 columns differ from b's 6 rows");
  }
  {
    Program p;  // batch dims that do not broadcast
    auto ta = p.tensor({2, 5, 7}), tb = p.tensor({3, 7, 4}), ty = p.tensor({2, 5, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_MATMUL, "mm");
    s.x = ta, s.b = tb, s.y = ty;
    refused(p, -EINVAL, "the batch dims of a [2,5,7] and b [3,7,4] do not broadcast");
  }
  {
    Program p;  // y not the product's dims
    auto ta = p.tensor({2, 5, 7}), tb = p.tensor({7, 4}), ty = p.tensor({10, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_MATMUL, "mm");
    s.x = ta, s.b = tb, s.y = ty;
    refused(p, -EINVAL, "y dims [10,4] are not the product's [2,5,4]");
  }
  {
    Program p;  // layernorm scale of the wrong length, then rows x cols not x
    auto tx = p.tensor({4, 8}), ty = p.tensor({4, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_LAYERNORM, "ln");
    s.x = tx, s.y = ty, s.rows = 4, s.cols = 8, s.scale = scale.data(), s.scale_count = 7, s.epsilon = 1e-5f;
    refused(p, -EINVAL, "scale holds 7 values; 8 expected");
    s.scale_count = 8, s.rows = 3;
    refused(p, -EINVAL, "x dims [4,8] hold 32 values, not rows x cols = 24");
  }
  {
    Program p;  // a residual overlapping y but not y
    auto tx = p.tensor({4, 8}), ty = p.tensor({4, 8});
    p.tensor({4, 8});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_LAYERNORM, "ln");
    s.x = tx, s.y = ty, s.rows = 4, s.cols = 8, s.scale = scale.data(), s.scale_count = 8, s.epsilon = 1e-5f;
    s.has_residual = 1, s.residual = ty;
    s.residual.offset += 4;
    refused(p, -EINVAL, "residual (bytes 132..260) overlaps y");
  }
  {
    Program p;  // gather: table size, index count, fp32 indices
    auto ti = p.tensor({2}), ty = p.tensor({2, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_GATHER, "emb");
    s.table = table.data(), s.table_count = 39, s.outer = 1, s.axis_len = 10, s.inner = 4, s.count = 2, s.y = ty;
    s.indices = ti;
    refused(p, -EINVAL, "table holds 39 values; 40 expected");
    s.table_count = 40;
    refused(p, -EINVAL, "indices is fp32; it must be int32");
    s.index_values = idx, s.index_values_count = 1;
    refused(p, -EINVAL, "index_values holds 1 values; count is 2");
  }
  {
    Program p;  // reduce dims, then an unknown fn
    auto tx = p.tensor({2, 3, 4}), ty = p.tensor({2, 3});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_REDUCE, "mean");
    s.x = tx, s.y = ty, s.outer = 2, s.n = 3, s.inner = 4;
    refused(p, -EINVAL, "y dims [2,3] hold 6 values, not outer x inner = 8");
    s.y.dims[1] = 4, s.reduce_fn = ARMBENCH_REDUCE_FN_COUNT;
    refused(p, -EINVAL, "unknown reduce fn 4");
  }
  {
    Program p;  // an arithmetic fn on an int32 operand; a comparison's is fine, but not its y
    auto ti = int32_tensor(&p, {4, 8}), ty = p.tensor({4, 8});
    const float c = 1.0f;
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_BROADCAST, "add");
    s.fn = ARMBENCH_BINARY_ADD, s.x = ti, s.b_const = {&c, 1, 1, {1}}, s.y = ty;
    refused(p, -EINVAL, "a is int32; only gather (its indices), cast (its x), the comparisons (their operands) and the "
                        "quantized ops read int32 tensors");
    s.fn = ARMBENCH_BINARY_MAX, s.a_const = s.b_const, s.b_const = {}, s.b = ti, s.x = {};
    refused(p, -EINVAL, "b is int32; only gather");
    s.fn = ARMBENCH_BINARY_GREATER, s.y = int32_tensor(&p, {4, 8});
    refused(p, -EINVAL, "y is int32; only gather");
  }
  {
    Program p;  // where: y not the three-way broadcast dims, a constant of the wrong length
    auto tc = p.tensor({3, 1}), ta = p.tensor({4}), ty = p.tensor({2, 4});
    const float b = 0.0f;
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_WHERE, "where");
    s.x = tc, s.b = ta, s.v_const = {&b, 1, 1, {1}}, s.y = ty;
    refused(p, -EINVAL, "y dims [2,4] are not the broadcast dims [3,4]");
    s.v_const.count = 2;
    refused(p, -EINVAL, "constant b holds 2 values; its dims [1] need 1");
  }
  {
    Program p;  // where: operands that do not broadcast, an int32 cond, an overlap
    auto tc = p.tensor({3, 1}), ta = p.tensor({4}), tb = p.tensor({5}), ty = p.tensor({3, 4});
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_WHERE, "where");
    s.x = tc, s.b = ta, s.v = tb, s.y = ty;
    refused(p, -EINVAL, "cond dims [3,1], a dims [4] and b dims [5] do not broadcast");
    s.v.dims[0] = 1;
    s.x.dtype = ARMBENCH_ENGINE_INT32;
    refused(p, -EINVAL, "cond is int32; only gather");
    s.x.dtype = ARMBENCH_ENGINE_FP32;
    s.y.offset = s.v.offset;  // over b, which is repeated
    refused(p, -EINVAL, "b (bytes");
  }
}

}  // namespace

// The arena's allocator: zeroed, 64-byte aligned, 2 MiB-aligned from 2 MiB up.
// The attention step: q, K transposed, v and a [B,1,1,S] mask over 4-D heads (and a
// 3-D program without a mask), fp32 and bf16, against armbench_attention called
// directly on the same operands (rounded to bf16 first for a bf16 step), bit for bit,
// on no pool and on a two-thread pool; then what is refused.
void test_attention(armbench_gemm_dtype dtype) {
  const bool bf = dtype == ARMBENCH_GEMM_BF16;
  struct Case {
    std::vector<size_t> q, kt, v, y, mask;
  };
  const Case cases[] = {
      {{2, 3, 37, 16}, {2, 3, 16, 37}, {2, 3, 37, 8}, {2, 3, 37, 8}, {2, 1, 1, 37}},
      {{4, 70, 9}, {4, 9, 33}, {4, 33, 5}, {4, 70, 5}, {}},
      {{1, 2, 40, 8}, {1, 2, 8, 40}, {1, 2, 40, 8}, {1, 2, 40, 8}, {1, 1, 40, 40}},
  };
  armbench_gemm_pool* pool = nullptr;
  CHECK(armbench_gemm_pool_create(2, nullptr, &pool) == 0);
  for (const Case& c : cases) {
    Program p;
    auto tq = p.tensor(c.q), tk = p.tensor(c.kt), tv = p.tensor(c.v), ty = p.tensor(c.y);
    p.inputs = {tq, tk, tv};
    armbench_engine_tensor tm{};
    if (!c.mask.empty()) tm = p.tensor(c.mask), p.inputs.push_back(tm);
    p.outputs = {ty};
    armbench_engine_step& s = p.step(ARMBENCH_ENGINE_ATTENTION, "attn");
    s.x = tq, s.b = tk, s.v = tv, s.y = ty, s.dtype = dtype, s.attention_scale = 0.25f;
    if (!c.mask.empty()) s.has_mask = 1, s.mask = tm;
    std::vector<std::vector<float>> in = {randoms(elems(tq)), randoms(elems(tk)), randoms(elems(tv))};
    if (!c.mask.empty()) in.push_back(randoms(elems(tm)));
    const auto one = run(p, in), two = run(p, in, pool);
    if (one.empty() || two.empty()) continue;
    same_bits(two[0], one[0], "attention on two threads");
    const size_t r = c.y.size();
    armbench_attention_args a{};
    a.batch = r == 4 ? c.y[0] : 1, a.heads = c.y[r - 3];
    a.sq = c.q[r - 2], a.dk = c.q[r - 1], a.sk = c.kt[r - 1], a.dv = c.v[r - 1];
    a.scale = 0.25f, a.dtype = dtype, a.gemm_kernel = armbench_gemm_default_kernel(dtype);
    std::vector<uint16_t> h[3];
    for (size_t i = 0; i < 3; ++i) {
      h[i].resize(in[i].size());
      armbench_f32_to_bf16_array(in[i].data(), h[i].data(), in[i].size(), ARMBENCH_BF16_RNE);
    }
    a.q = bf ? static_cast<const void*>(h[0].data()) : in[0].data();
    a.kt = bf ? static_cast<const void*>(h[1].data()) : in[1].data();
    a.v = bf ? static_cast<const void*>(h[2].data()) : in[2].data();
    if (!c.mask.empty()) {
      a.mask = in[3].data();
      a.mask_strides[0] = c.mask[1] * c.mask[2] * c.mask[3];
      a.mask_strides[2] = c.mask[2] == 1 ? 0 : c.mask[3];
      a.mask_strides[3] = 1;
    }
    std::vector<float> want(elems(ty));
    a.y = want.data();
    CHECK(armbench_attention(&a, 0, SIZE_MAX) == 0);
    same_bits(one[0], want, bf ? "attention bf16" : "attention fp32");
  }
  armbench_gemm_pool_destroy(pool);
  if (bf) return;
  // Refusals: each program differs from a good one in one field.
  auto program = [](Program* p, std::vector<size_t> mask) -> armbench_engine_step& {
    auto tq = p->tensor({1, 2, 8, 4}), tk = p->tensor({1, 2, 4, 8}), tv = p->tensor({1, 2, 8, 4}), ty = p->tensor({1, 2, 8, 4});
    armbench_engine_step& s = p->step(ARMBENCH_ENGINE_ATTENTION, "attn");
    s.x = tq, s.b = tk, s.v = tv, s.y = ty, s.attention_scale = 1.0f;
    if (!mask.empty()) s.has_mask = 1, s.mask = p->tensor(mask);
    return s;
  };
  {
    Program p;
    program(&p, {1, 1, 1, 8});
    armbench_engine_desc d = p.desc();
    armbench_engine* e = nullptr;
    CHECK(armbench_engine_create(&d, &e, nullptr, 0) == 0);
    const char* runs = armbench_engine_step_kernel(e, 0);
    CHECK_MSG(runs && strstr(runs, "attention") == runs, "runs \"%s\"", runs ? runs : "");
    armbench_engine_free(e);
  }
  {
    Program p;
    program(&p, {1, 2, 1, 7});
    refused(p, -EINVAL, "does not broadcast to the scores [1,2,8,8]");
  }
  {
    Program p;
    program(&p, {2, 1, 1, 8});  // a batch of masks for one batch
    refused(p, -EINVAL, "does not broadcast");
  }
  {
    Program p;
    program(&p, {}).attention_scale = NAN;
    refused(p, -EINVAL, "scale nan is not a finite number");
  }
  {
    Program p;
    armbench_engine_step& s = program(&p, {});
    s.v.dims[2] = 7;  // v's rows differ from the keys
    refused(p, -EINVAL, "with the same batch dims");
  }
  {
    Program p;
    armbench_engine_step& s = program(&p, {});
    s.b.dims[0] = 2;  // batch dims that would need broadcasting
    s.b.offset = s.y.offset + 4096;
    p.arena += 8192;
    refused(p, -EINVAL, "with the same batch dims");
  }
  {
    Program p;
    armbench_engine_step& s = program(&p, {});
    s.y = s.v;  // writing over v
    refused(p, -EINVAL, "v (bytes");
  }
  {
    Program p;
    armbench_engine_step& s = program(&p, {});
    s.v.ndims = 3, s.v.dims[0] = 2, s.v.dims[1] = 8, s.v.dims[2] = 4;
    refused(p, -EINVAL, "must have one rank");
  }
}

void test_huge_calloc() {
  for (const size_t bytes : {size_t{1}, size_t{100}, size_t{3} << 20}) {
    unsigned char* p = static_cast<unsigned char*>(armbench::runtime::huge_calloc(bytes));
    if (!CHECK(p != nullptr)) continue;
    const uintptr_t at = reinterpret_cast<uintptr_t>(p);
    CHECK(at % 64 == 0 && (bytes < (size_t{2} << 20) || at % (size_t{2} << 20) == 0));
    bool zero = true;
    for (size_t i = 0; i < bytes; ++i) zero = zero && p[i] == 0;
    CHECK(zero);
    free(p);
  }
}

int main() {
  test_huge_calloc();
  test_conv_residual();
  test_pools();
  test_pools_nchwc();
  test_gemm(ARMBENCH_GEMM_F32);
  test_gemm(ARMBENCH_GEMM_BF16);
  test_conv_bf16();
  test_elementwise_and_friends();
  test_reorder_round_trip(ARMBENCH_ENGINE_SIGMOID, armbench_sigmoid);
  test_reorder_round_trip(ARMBENCH_ENGINE_EXP, armbench_exp);
  test_reorder_round_trip(ARMBENCH_ENGINE_LOG, armbench_log);
  test_nchwc_chain(ARMBENCH_GEMM_F32);
  test_nchwc_chain(ARMBENCH_GEMM_BF16);
  test_timing_and_pool();
  test_refusals();
  test_embedding_and_mask();
  test_matmul(ARMBENCH_GEMM_F32);
  test_matmul(ARMBENCH_GEMM_BF16);
  test_transformer_misc();
  test_compare_where_reduce();
  test_transformer_pool();
  test_transformer_refusals();
  test_quantized_steps();
  test_attention(ARMBENCH_GEMM_F32);
  test_attention(ARMBENCH_GEMM_BF16);
  return check::summary("test_engine");
}
