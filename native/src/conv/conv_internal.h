// Private to native/src/conv: the validated geometry of one convolution, the algorithm
// entry points conv.cc dispatches to, and the epilogue every GEMM-based algorithm fuses
// per tile. conv.cc validates everything before any of these runs: the algorithms
// assume a valid shape, non-NULL pointers and a supported algorithm.
#ifndef ARMBENCH_SRC_CONV_INTERNAL_H
#define ARMBENCH_SRC_CONV_INTERNAL_H

#include <stddef.h>

#include "armbench/conv.h"

namespace armbench {
namespace conv {

// A valid shape with its output size and the per-group sizes derived from it.
struct Geometry {
  armbench_conv_shape s;
  size_t oh, ow;   // output height and width
  size_t cg, kg;   // input and output channels per group
  size_t kdim;     // GEMM depth: cg * r * s
  size_t plane;    // oh * ow, the GEMM columns of one batch item
};

// 0 and g filled in, or -EINVAL with a one-line reason in why (conv_shape.cc). Also
// rejects sizes whose tensors would not fit in size_t.
int make_geometry(const armbench_conv_shape* shape, Geometry* g, char* why, size_t why_len);

// y[row][col] for rows [0, rows) and cols [0, cols) with row stride ld: y = act(y +
// bias[ch0 + row] + residual[row][col]); residual (same offset and stride as y) and
// bias may be NULL. residual must not overlap y.
void apply_epilogue(const armbench_conv_epilogue& e, float* y, const float* residual, size_t ld, size_t ch0,
                    size_t rows, size_t cols);
// The same epilogue on one NCHWc row of output-channel block kb: y[p * blk + o] for
// p < npix, channel kb * blk + o, residual (may be NULL) at the same offsets. Lanes of
// channels past k are set to zero whatever the activation, as the layout promises.
void apply_epilogue_blocked(const armbench_conv_epilogue& e, float* y, const float* residual, size_t k, size_t kb,
                            size_t blk, size_t npix);

// Columns of one tile of the tiled im2col (conv_im2col.cc): its scratch is kdim x
// this many elements, about kTileBytes.
size_t tile_columns(const Geometry& g, armbench_gemm_dtype dtype);
constexpr size_t kTileBytes = size_t{1} << 20;

// The algorithms: 0, or -ENOMEM (scratch), or an error from armbench_gemm.
int run_reference(const Geometry& g, const armbench_conv_args& a);
int run_im2col(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, bool tiled);
int run_gemm_1x1(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a);
int run_depthwise(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a);

// Winograd F(m x m, 3 x 3), m in {2, 4, 6} (conv_winograd.cc). The weight transform is
// done once, into WinogradWeights, by winograd_prepare; run_winograd reads a.x, a.y
// and a.epilogue (not a.w). Inputs of either dtype are transformed in fp32.
struct WinogradWeights;
// nullptr when the shape suits Winograd, else why not.
const char* winograd_unsupported(const armbench_conv_shape& s);
int winograd_prepare(unsigned m, const Geometry& g, armbench_gemm_dtype dtype, const void* w, WinogradWeights** out);
void winograd_free(WinogradWeights* ww);
int run_winograd(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, const WinogradWeights* ww);

// Direct convolution in NCHWc (conv_nchwc.cc): weights packed once into the blocked
// order by nchwc_prepare; run_nchwc converts x to NCHWc, convolves, and converts the
// result back to NCHW (a network keeps NCHWc between layers; a single layer pays the
// edges), applying a.epilogue. Reads a.x, a.y, a.epilogue (not a.w).
struct NchwcWeights;
const char* nchwc_unsupported(const armbench_conv_shape& s);
int nchwc_prepare(const Geometry& g, armbench_gemm_dtype dtype, const void* w, NchwcWeights** out);
void nchwc_free(NchwcWeights* nw);
int run_nchwc(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, const NchwcWeights* nw);
// The same convolution with x, y and the residual in NCHWc: no transform, the output
// rows written straight into y with the epilogue applied to each row as it is written.
// x is fp32 whatever dtype (the plan's); bf16 rounds it to nearest even. x_nchw: x is
// NCHW (a network's first conv), y and the residual still NCHWc.
int run_nchwc_blocked(armbench_gemm_pool* pool, const Geometry& g, armbench_gemm_dtype dtype, const float* x, float* y,
                      const armbench_conv_epilogue& e, const NchwcWeights* nw, bool x_nchw);

}  // namespace conv
}  // namespace armbench

#endif
