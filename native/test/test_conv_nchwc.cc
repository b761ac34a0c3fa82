// armbench_conv_plan_run_nchwc: a direct-nchwc plan run with x, y and the residual in
// NCHWc (and armbench_conv_plan_run_nchw_to_nchwc, x as given). Its output must be bit for bit the NCHW plan run's (armbench_conv_plan_run on
// the same x transformed to NCHW; bf16: on x rounded to bf16 to nearest even), then
// transformed to NCHWc, padding channels included (zero): the same kernel sums the same
// products in the same order, and the epilogue is the same code. Shapes with padding
// channels in x and y (prime c and k), stride 2 with padding, 1x1 (x read in place),
// rows longer than a register tile, batch 2 and 3; every epilogue, Clip with min > 0 among
// them (padding channels must stay zero); depthwise; fp32 and bf16; 1, 2 and 4 pool threads. Plans of
// other algorithms are refused with -ENOTSUP, bad arguments with -EINVAL, nothing
// written either way.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <vector>

#include "armbench/bf16.h"
#include "armbench/conv.h"
#include "check.h"
#include "test_data.h"

namespace {

using test_data::random_value;

armbench_gemm_pool* pool2 = nullptr;
// Four workers on a plane of few pixels split both the pixels and the output groups.
armbench_gemm_pool* pool4 = nullptr;

armbench_conv_shape make_shape(size_t n, size_t c, size_t h, size_t w, size_t k, size_t r, size_t stride, size_t pad) {
  armbench_conv_shape sh{};
  sh.n = n, sh.c = c, sh.h = h, sh.w = w, sh.k = k, sh.r = sh.s = r;
  sh.stride_h = sh.stride_w = stride;
  sh.pad_top = sh.pad_left = sh.pad_bottom = sh.pad_right = pad;
  sh.dilation_h = sh.dilation_w = 1;
  sh.groups = 1;
  return sh;
}

std::vector<float> randoms(size_t n, float scale) {
  std::vector<float> v(n);
  for (float& f : v) f = scale * random_value();
  return v;
}

size_t blocked_size(size_t n, size_t c, size_t hw, size_t blk) { return n * (c + blk - 1) / blk * blk * hw; }

// Epilogues: 0 none, 1 bias, 2 bias + residual + ReLU, 3 Clip(0.25, 0.75), 4 residual,
// 5 bias + residual + Clip(-0.5, 0.5).
constexpr int kEpilogues = 6;

armbench_conv_epilogue make_epilogue(int epi, const float* bias, const float* residual) {
  armbench_conv_epilogue e{};
  e.bias = (epi == 1 || epi == 2 || epi == 5) ? bias : nullptr;
  e.residual = (epi == 2 || epi == 4 || epi == 5) ? residual : nullptr;
  e.act = epi == 2 ? ARMBENCH_ACT_RELU : (epi == 3 || epi == 5) ? ARMBENCH_ACT_CLIP : ARMBENCH_ACT_NONE;
  e.clip_min = epi == 3 ? 0.25f : -0.5f;
  e.clip_max = epi == 3 ? 0.75f : 0.5f;
  return e;
}

void check_shape(const armbench_conv_shape& s, bool bf) {
  const size_t blk = armbench_nchwc_block();
  size_t oh = 0, ow = 0;
  if (!CHECK(armbench_conv_output(&s, &oh, &ow, nullptr, 0) == 0)) return;
  const armbench_gemm_dtype dt = bf ? ARMBENCH_GEMM_BF16 : ARMBENCH_GEMM_F32;
  const size_t xsize = s.n * s.c * s.h * s.w, ysize = s.n * s.k * oh * ow;
  const size_t xb_size = blocked_size(s.n, s.c, s.h * s.w, blk), yb_size = blocked_size(s.n, s.k, oh * ow, blk);
  // x not rounded: the bf16 plan must round it itself.
  const std::vector<float> x = randoms(xsize, 1.0f), wf = randoms(s.k * s.c * s.r * s.s, 1.0f);
  const std::vector<float> bias = randoms(s.k, 2.0f), residual = randoms(ysize, 2.0f);
  std::vector<uint16_t> x16(xsize), w16(wf.size());
  armbench_f32_to_bf16_array(x.data(), x16.data(), xsize, ARMBENCH_BF16_RNE);
  armbench_f32_to_bf16_array(wf.data(), w16.data(), wf.size(), ARMBENCH_BF16_RNE);
  std::vector<float> xb(xb_size, NAN), res_b(yb_size, NAN);
  CHECK(armbench_nchw_to_nchwc(x.data(), s.n, s.c, s.h, s.w, blk, xb.data()) == 0);
  CHECK(armbench_nchw_to_nchwc(residual.data(), s.n, s.k, oh, ow, blk, res_b.data()) == 0);

  armbench_conv_plan* plan = nullptr;
  const void* w = bf ? static_cast<const void*>(w16.data()) : wf.data();
  if (!CHECK(armbench_conv_plan_create(ARMBENCH_CONV_DIRECT_NCHWC, &s, dt, w, &plan) == 0)) return;
  const void* x_nchw = bf ? static_cast<const void*>(x16.data()) : x.data();
  for (int epi = 0; epi < kEpilogues; ++epi) {
    if (emulated() && epi != 2 && epi != 3) continue;
    const armbench_conv_epilogue e_nchw = make_epilogue(epi, bias.data(), residual.data());
    const armbench_conv_epilogue e_blocked = make_epilogue(epi, bias.data(), res_b.data());
    std::vector<float> y(ysize, NAN), want(yb_size, NAN);
    CHECK(armbench_conv_plan_run(nullptr, plan, x_nchw, y.data(), &e_nchw) == 0);
    CHECK(armbench_nchw_to_nchwc(y.data(), s.n, s.k, oh, ow, blk, want.data()) == 0);
    // x blocked, and x as given (NCHW, fp32: the plan rounds it) into a blocked y.
    for (const bool plain_x : {false, true}) {
      for (armbench_gemm_pool* pool : {static_cast<armbench_gemm_pool*>(nullptr), pool2, pool4}) {
        std::vector<float> got(yb_size, NAN);
        const int rc = plain_x ? armbench_conv_plan_run_nchw_to_nchwc(pool, plan, x.data(), got.data(), &e_blocked)
                               : armbench_conv_plan_run_nchwc(pool, plan, xb.data(), got.data(), &e_blocked);
        if (!CHECK_MSG(rc == 0, "run_nchwc: %d", rc)) continue;
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < yb_size; ++i) {
          if (memcmp(&got[i], &want[i], sizeof(float)) != 0 && bad++ == 0) first = i;
        }
        CHECK_MSG(bad == 0,
                  "%s n=%zu c=%zu %zux%zu k=%zu %zux%zu stride %zu pad %zu epi %d threads %d x %s: %zu of %zu values "
                  "differ from the NCHW path, first [%zu] %.9g vs %.9g",
                  bf ? "bf16" : "fp32", s.n, s.c, s.h, s.w, s.k, s.r, s.s, s.stride_h, s.pad_top, epi,
                  pool == pool4 ? 4 : pool ? 2 : 1,
                  plain_x ? "nchw" : "nchwc", bad, yb_size, first, got[first], want[first]);
      }
    }
  }
  armbench_conv_plan_free(plan);
}

void test_matches_nchw_path() {
  const size_t blk = armbench_nchwc_block();
  std::vector<armbench_conv_shape> shapes = {
      make_shape(3, 19, 7, 11, 23, 3, 2, 1),      // batch 3, padding channels, stride 2 with padding
      make_shape(1, 13, 9, 9, 17, 1, 1, 0),       // 1x1: fp32 x read in place
      make_shape(2, 5, 6, 29, 7, 3, 1, 1),        // rows of several register tiles
      make_shape(1, 2 * blk, 5, 5, blk, 1, 2, 0), // no padding channels, 1x1 stride 2
      make_shape(2, 3, 11, 13, 4 * blk, 7, 2, 3), // a stem: the 4-lane frame from blocked x
  };
  // Depthwise, with padding channels, 3x3 and 5x5, stride 1 and 2: 10 and 5 output rows
  // (groups of kDepthwiseRows and the rows left over), 13 and 7 pixels a row (multi-row
  // tiles on NEON), and a 32-pixel row (16-pixel tiles a row at a time).
  size_t dws = 0;
  for (const size_t r : {3, 5}) {
    for (const size_t stride : {1, 2}) {
      armbench_conv_shape dw = make_shape(2, blk + 3, 10, 13, blk + 3, r, stride, r / 2);
      dw.groups = dw.c;
      shapes.insert(shapes.begin() + 1, dw);
      ++dws;
    }
  }
  armbench_conv_shape wide = make_shape(1, blk, 4, 32, blk, 3, 1, 1);
  wide.groups = wide.c;
  shapes.insert(shapes.begin() + 1, wide);
  ++dws;
  // Batch 3 on the multi-block path, 1x1 with x read in place and a last group of fewer
  // blocks on the row kernel.
  shapes.insert(shapes.begin(), make_shape(3, 2 * blk + 1, 5, 7, 3 * blk, 1, 1, 0));
  // 1x1 layers with more output channels than pixels (group-major), whose pixels the
  // 2- and 4-worker pools split before the groups, several chunks to a part.
  shapes.insert(shapes.begin(), make_shape(1, blk + 1, 10, 10, 131, 1, 1, 0));
  shapes.insert(shapes.begin(), make_shape(2, 2 * blk, 14, 14, 261, 1, 1, 0));
  if (emulated()) shapes.erase(shapes.begin() + 5 + dws, shapes.end() - 1);
  for (const armbench_conv_shape& s : shapes) {
    check_shape(s, false);
    check_shape(s, true);
  }
}

// Padding channels of y stay zero even when x holds an infinity (0 x inf is NaN in the
// padding lanes' sums) and the clip excludes zero.
void test_padding_channels_zero() {
  const size_t blk = armbench_nchwc_block();
  const armbench_conv_shape s = make_shape(1, 3, 4, 4, blk + 1, 1, 1, 0);
  std::vector<float> w = randoms(s.k * s.c, 1.0f), x = randoms(s.c * 16, 1.0f);
  x[5] = INFINITY;
  std::vector<float> xb(blocked_size(1, s.c, 16, blk)), y(blocked_size(1, s.k, 16, blk), NAN);
  CHECK(armbench_nchw_to_nchwc(x.data(), 1, s.c, 4, 4, blk, xb.data()) == 0);
  armbench_conv_plan* plan = nullptr;
  if (!CHECK(armbench_conv_plan_create(ARMBENCH_CONV_DIRECT_NCHWC, &s, ARMBENCH_GEMM_F32, w.data(), &plan) == 0)) return;
  armbench_conv_epilogue e{};
  e.act = ARMBENCH_ACT_CLIP, e.clip_min = 1.0f, e.clip_max = 2.0f;
  CHECK(armbench_conv_plan_run_nchwc(nullptr, plan, xb.data(), y.data(), &e) == 0);
  size_t nonzero = 0;
  for (size_t p = 0; p < 16; ++p)
    for (size_t o = 1; o < blk; ++o) {
      const float v = y[(16 + p) * blk + o];
      nonzero += !(v == 0.0f && !signbit(v));
    }
  CHECK_MSG(nonzero == 0, "%zu padding channel values of y are not +0", nonzero);
  armbench_conv_plan_free(plan);
}

void test_refusals() {
  const armbench_conv_shape s = make_shape(1, 4, 6, 6, 4, 3, 1, 1);
  const std::vector<float> w = randoms(4 * 4 * 9, 1.0f), x(blocked_size(1, 4, 36, armbench_nchwc_block()), 1.0f);
  std::vector<float> y(x.size(), NAN);
  for (int a = 0; a < ARMBENCH_CONV_ALGO_COUNT; ++a) {
    const armbench_conv_algo algo = static_cast<armbench_conv_algo>(a);
    if (algo == ARMBENCH_CONV_DIRECT_NCHWC) continue;
    armbench_conv_plan* plan = nullptr;
    if (armbench_conv_plan_create(algo, &s, ARMBENCH_GEMM_F32, w.data(), &plan) != 0) continue;  // cannot run s
    const int rc = armbench_conv_plan_run_nchwc(nullptr, plan, x.data(), y.data(), nullptr);
    CHECK_MSG(rc == -ENOTSUP, "%s plan: %d, want -ENOTSUP", armbench_conv_algo_name(algo), rc);
    armbench_conv_plan_free(plan);
  }
  armbench_conv_plan* plan = nullptr;
  if (CHECK(armbench_conv_plan_create(ARMBENCH_CONV_DIRECT_NCHWC, &s, ARMBENCH_GEMM_F32, w.data(), &plan) == 0)) {
    armbench_conv_epilogue bad{};
    bad.act = ARMBENCH_ACT_CLIP, bad.clip_min = 1.0f, bad.clip_max = 0.0f;
    CHECK(armbench_conv_plan_run_nchwc(nullptr, plan, x.data(), y.data(), &bad) == -EINVAL);
    CHECK(armbench_conv_plan_run_nchwc(nullptr, plan, nullptr, y.data(), nullptr) == -EINVAL);
    CHECK(armbench_conv_plan_run_nchwc(nullptr, plan, x.data(), nullptr, nullptr) == -EINVAL);
    armbench_conv_plan_free(plan);
  }
  CHECK(armbench_conv_plan_run_nchwc(nullptr, nullptr, x.data(), y.data(), nullptr) == -EINVAL);
  bool untouched = true;
  for (float v : y) untouched = untouched && isnan(v);
  CHECK_MSG(untouched, "a refused run wrote y");
}

}  // namespace

int main() {
  if (armbench_gemm_pool_create(2, nullptr, &pool2) != 0) pool2 = nullptr;
  CHECK(pool2 != nullptr);
  if (armbench_gemm_pool_create(4, nullptr, &pool4) != 0) pool4 = nullptr;
  CHECK(pool4 != nullptr);
  test_matches_nchw_path();
  test_padding_channels_zero();
  test_refusals();
  if (pool2 != nullptr) armbench_gemm_pool_destroy(pool2);
  if (pool4 != nullptr) armbench_gemm_pool_destroy(pool4);
  return check::summary("test_conv_nchwc");
}
