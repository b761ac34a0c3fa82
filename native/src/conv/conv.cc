// The convolution C ABI: the algorithm registry (names, what each can run), argument
// and shape validation, dispatch, and the epilogue the GEMM-based algorithms fuse per
// output tile.
//
// Semantics at the edges of the API (the header says the rest):
// - Checked in this order, nothing written on any failure: args and algo known, the
//   shape valid (-EINVAL, armbench_conv_output gives the reason), dtype known, the
//   epilogue sane (a known activation; Clip needs clip_min <= clip_max, neither NaN),
//   x, w and y non-NULL (-EINVAL); then the algorithm able to run the shape (-ENOTSUP).
// - x, w and residual must not overlap y (the GEMM writes y before the residual is read).
// - The reference runs on the calling thread; depthwise spreads its channel planes over
//   the pool; the rest use it for their GEMMs or rows.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <memory>
#include <new>
#include <vector>

#include "conv_internal.h"

namespace armbench {
namespace conv {

namespace {

// The one definition of the epilogue, for both layouts: y[i * ld + j] = act((y + b) +
// residual), b the bias of row i (NCHW: a row is a channel) or, with kBiasAlongCols,
// of column j (NCHWc: a row is a pixel, a column a channel of the block). bias is
// already offset to the first row's or column's channel. The sums and selects are the
// same in both, so an NCHWc run gives the NCHW run's bits.
template <bool kBiasAlongCols>
void epilogue_rows(const armbench_conv_epilogue& e, const float* bias, float* y, const float* residual, size_t ld,
                   size_t rows, size_t cols) {
  if (bias == nullptr && residual == nullptr && e.act == ARMBENCH_ACT_NONE) return;
  const float lo = e.act == ARMBENCH_ACT_RELU ? 0.0f : e.clip_min;
  const float hi = e.clip_max;
  for (size_t i = 0; i < rows; ++i) {
    float* row = y + i * ld;
    if (residual != nullptr) {
      const float* res = residual + i * ld;
      if (kBiasAlongCols && bias != nullptr) {
        for (size_t j = 0; j < cols; ++j) row[j] = row[j] + bias[j] + res[j];
      } else {
        // + 0.0f without a bias, as a zero bias would: -0 + 0 is +0.
        const float b = bias != nullptr ? bias[i] : 0.0f;
        for (size_t j = 0; j < cols; ++j) row[j] = row[j] + b + res[j];
      }
    } else if (bias != nullptr) {
      if (kBiasAlongCols) {
        for (size_t j = 0; j < cols; ++j) row[j] += bias[j];
      } else {
        const float b = bias[i];
        for (size_t j = 0; j < cols; ++j) row[j] += b;
      }
    }
    // Written as selects so NaN passes through ReLU and Clip as in the reference.
    if (e.act == ARMBENCH_ACT_RELU) {
      for (size_t j = 0; j < cols; ++j) row[j] = row[j] < lo ? lo : row[j];
    } else if (e.act == ARMBENCH_ACT_CLIP) {
      for (size_t j = 0; j < cols; ++j) row[j] = row[j] < lo ? lo : (row[j] > hi ? hi : row[j]);
    }
  }
}

}  // namespace

void apply_epilogue(const armbench_conv_epilogue& e, float* y, const float* residual, size_t ld, size_t ch0,
                    size_t rows, size_t cols) {
  epilogue_rows<false>(e, e.bias != nullptr ? e.bias + ch0 : nullptr, y, residual, ld, rows, cols);
}

void apply_epilogue_blocked(const armbench_conv_epilogue& e, float* y, const float* residual, size_t k, size_t kb,
                            size_t blk, size_t npix) {
  const size_t ch0 = kb * blk, used = k - ch0 < blk ? k - ch0 : blk;
  epilogue_rows<true>(e, e.bias != nullptr ? e.bias + ch0 : nullptr, y, residual, blk, npix, used);
  // Zero weights give zero there, but a clip above 0 would not keep it, nor would an
  // infinite input (0 x inf); the next layer reads these lanes as zero channels.
  if (used < blk) {
    for (size_t p = 0; p < npix; ++p) memset(y + p * blk + used, 0, (blk - used) * sizeof(float));
  }
}

}  // namespace conv
}  // namespace armbench

using armbench::conv::Geometry;

namespace {

bool depthwise_shape(const armbench_conv_shape& s) { return s.groups == s.c && s.k == s.c; }
bool one_by_one_shape(const armbench_conv_shape& s) {
  return s.r == 1 && s.s == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 && s.pad_left == 0 &&
         s.pad_bottom == 0 && s.pad_right == 0 && s.dilation_h == 1 && s.dilation_w == 1;
}

// Why algo cannot run a valid shape, or nullptr.
const char* shape_reason(armbench_conv_algo a, const armbench_conv_shape& s) {
  switch (a) {
    case ARMBENCH_CONV_GEMM_1X1:
      return one_by_one_shape(s) ? nullptr : "needs a 1x1 kernel with stride 1, no padding and no dilation";
    case ARMBENCH_CONV_DEPTHWISE:
      return depthwise_shape(s) ? nullptr : "needs groups == channels == output channels";
    case ARMBENCH_CONV_WINOGRAD_F2:
    case ARMBENCH_CONV_WINOGRAD_F4:
    case ARMBENCH_CONV_WINOGRAD_F6:
      return armbench::conv::winograd_unsupported(s);
    case ARMBENCH_CONV_DIRECT_NCHWC:
      return armbench::conv::nchwc_unsupported(s);
    default:
      return nullptr;
  }
}

bool known_algo(armbench_conv_algo a) { return static_cast<unsigned>(a) < ARMBENCH_CONV_ALGO_COUNT; }

}  // namespace

extern "C" {

const char* armbench_conv_algo_name(armbench_conv_algo a) {
  static const char* const names[ARMBENCH_CONV_ALGO_COUNT] = {
      "reference", "im2col", "im2col-tiled", "gemm-1x1", "depthwise", "winograd-f2", "winograd-f4", "winograd-f6",
      "direct-nchwc"};
  return known_algo(a) ? names[a] : nullptr;
}

// An invalid shape gives "invalid shape: <reason>" from a per-thread buffer.
const char* armbench_conv_algo_unsupported(armbench_conv_algo a, const armbench_conv_shape* shape) {
  if (!known_algo(a)) return "unknown algorithm";
  static thread_local char buf[192];
  char why[160];
  if (armbench::conv::make_geometry(shape, nullptr, why, sizeof why) != 0) {
    snprintf(buf, sizeof buf, "invalid shape: %s", why);
    return buf;
  }
  return shape_reason(a, *shape);
}

}  // extern "C"

struct armbench_conv_plan {
  armbench_conv_algo algo;
  Geometry g;
  armbench_gemm_dtype dtype;
  std::vector<unsigned char> w;  // the weights, copied
  armbench::conv::WinogradWeights* winograd = nullptr;
  armbench::conv::NchwcWeights* nchwc = nullptr;
  ~armbench_conv_plan() {
    armbench::conv::winograd_free(winograd);
    armbench::conv::nchwc_free(nchwc);
  }
};

namespace {

unsigned winograd_m(armbench_conv_algo a) {
  return a == ARMBENCH_CONV_WINOGRAD_F2 ? 2 : a == ARMBENCH_CONV_WINOGRAD_F4 ? 4 : a == ARMBENCH_CONV_WINOGRAD_F6 ? 6 : 0;
}

bool epilogue_valid(const armbench_conv_epilogue& e) {
  if (e.act != ARMBENCH_ACT_NONE && e.act != ARMBENCH_ACT_RELU && e.act != ARMBENCH_ACT_CLIP) return false;
  return e.act != ARMBENCH_ACT_CLIP || e.clip_min <= e.clip_max;
}

}  // namespace

namespace {

// The two blocked runs of a direct-nchwc plan: x NCHWc, or NCHW (x_nchw).
int run_blocked(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const float* x, float* y,
                const armbench_conv_epilogue* epilogue, bool x_nchw) {
  if (plan == nullptr || x == nullptr || y == nullptr) return -EINVAL;
  armbench_conv_epilogue e{};
  if (epilogue) e = *epilogue;
  if (!epilogue_valid(e)) return -EINVAL;
  if (plan->algo != ARMBENCH_CONV_DIRECT_NCHWC) return -ENOTSUP;
  return armbench::conv::run_nchwc_blocked(pool, plan->g, plan->dtype, x, y, e, plan->nchwc, x_nchw);
}

}  // namespace

extern "C" {

int armbench_conv_plan_create(armbench_conv_algo algo, const armbench_conv_shape* shape, armbench_gemm_dtype dtype,
                              const void* w, armbench_conv_plan** out) {
  if (out == nullptr || shape == nullptr || w == nullptr || !known_algo(algo)) return -EINVAL;
  *out = nullptr;
  Geometry g;
  if (armbench::conv::make_geometry(shape, &g, nullptr, 0) != 0) return -EINVAL;
  if (dtype != ARMBENCH_GEMM_F32 && dtype != ARMBENCH_GEMM_BF16) return -EINVAL;
  if (shape_reason(algo, g.s) != nullptr) return -ENOTSUP;
  std::unique_ptr<armbench_conv_plan> p(new (std::nothrow) armbench_conv_plan());
  if (!p) return -ENOMEM;
  p->algo = algo;
  p->g = g;
  p->dtype = dtype;
  const size_t bytes = g.s.k * g.kdim * (dtype == ARMBENCH_GEMM_BF16 ? 2 : 4);
  try {
    p->w.assign(static_cast<const unsigned char*>(w), static_cast<const unsigned char*>(w) + bytes);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
  if (const unsigned m = winograd_m(algo)) {
    const int rc = armbench::conv::winograd_prepare(m, g, dtype, w, &p->winograd);
    if (rc != 0) return rc;
  }
  if (algo == ARMBENCH_CONV_DIRECT_NCHWC) {
    const int rc = armbench::conv::nchwc_prepare(g, dtype, w, &p->nchwc);
    if (rc != 0) return rc;
  }
  *out = p.release();
  return 0;
}

void armbench_conv_plan_free(armbench_conv_plan* plan) { delete plan; }

int armbench_conv_plan_run(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const void* x, float* y,
                           const armbench_conv_epilogue* epilogue) {
  if (plan == nullptr || x == nullptr || y == nullptr) return -EINVAL;
  armbench_conv_args a{};
  a.shape = plan->g.s;
  a.dtype = plan->dtype;
  a.x = x;
  a.w = plan->w.data();
  a.y = y;
  if (epilogue) a.epilogue = *epilogue;
  if (!epilogue_valid(a.epilogue)) return -EINVAL;
  const Geometry& g = plan->g;
  switch (plan->algo) {
    case ARMBENCH_CONV_REFERENCE:
      return armbench::conv::run_reference(g, a);
    case ARMBENCH_CONV_IM2COL:
      return armbench::conv::run_im2col(pool, g, a, false);
    case ARMBENCH_CONV_IM2COL_TILED:
      return armbench::conv::run_im2col(pool, g, a, true);
    case ARMBENCH_CONV_GEMM_1X1:
      return armbench::conv::run_gemm_1x1(pool, g, a);
    case ARMBENCH_CONV_DEPTHWISE:
      return armbench::conv::run_depthwise(pool, g, a);
    case ARMBENCH_CONV_WINOGRAD_F2:
    case ARMBENCH_CONV_WINOGRAD_F4:
    case ARMBENCH_CONV_WINOGRAD_F6:
      return armbench::conv::run_winograd(pool, g, a, plan->winograd);
    case ARMBENCH_CONV_DIRECT_NCHWC:
      return armbench::conv::run_nchwc(pool, g, a, plan->nchwc);
    default:
      return -EINVAL;
  }
}

int armbench_conv_plan_run_nchwc(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const float* x, float* y,
                                 const armbench_conv_epilogue* epilogue) {
  return run_blocked(pool, plan, x, y, epilogue, false);
}

int armbench_conv_plan_run_nchw_to_nchwc(armbench_gemm_pool* pool, const armbench_conv_plan* plan, const float* x,
                                         float* y, const armbench_conv_epilogue* epilogue) {
  return run_blocked(pool, plan, x, y, epilogue, true);
}

int armbench_conv(armbench_gemm_pool* pool, armbench_conv_algo algo, const armbench_conv_args* args) {
  if (args == nullptr || !known_algo(algo)) return -EINVAL;
  Geometry g;
  if (armbench::conv::make_geometry(&args->shape, &g, nullptr, 0) != 0) return -EINVAL;
  if (args->dtype != ARMBENCH_GEMM_F32 && args->dtype != ARMBENCH_GEMM_BF16) return -EINVAL;
  if (!epilogue_valid(args->epilogue)) return -EINVAL;
  if (args->x == nullptr || args->w == nullptr || args->y == nullptr) return -EINVAL;
  if (shape_reason(algo, g.s) != nullptr) return -ENOTSUP;
  armbench_conv_plan* plan = nullptr;
  int rc = armbench_conv_plan_create(algo, &args->shape, args->dtype, args->w, &plan);
  if (rc != 0) return rc;
  rc = armbench_conv_plan_run(pool, plan, args->x, args->y, &args->epilogue);
  armbench_conv_plan_free(plan);
  return rc;
}

// im2col: the whole kdim x (oh * ow) matrix of one group of one batch item (reused for
// the next); tiled: kdim x tile_columns. 0 for an invalid shape or an algorithm that
// cannot run it.
size_t armbench_conv_scratch_bytes(armbench_conv_algo algo, const armbench_conv_shape* shape,
                                   armbench_gemm_dtype dtype) {
  Geometry g;
  if (!known_algo(algo) || armbench::conv::make_geometry(shape, &g, nullptr, 0) != 0) return 0;
  if (shape_reason(algo, g.s) != nullptr) return 0;
  const size_t elem = dtype == ARMBENCH_GEMM_BF16 ? 2 : 4;
  if (algo == ARMBENCH_CONV_IM2COL) return g.kdim * g.plane * elem;
  if (algo == ARMBENCH_CONV_IM2COL_TILED) return g.kdim * armbench::conv::tile_columns(g, dtype) * elem;
  return 0;
}

}  // extern "C"
