// Direct depthwise convolution (groups == c == k, one filter per channel), one (batch,
// channel) plane per pool task. Any r, s, stride, padding and dilation by the portable
// path: for each output row, each kernel tap (i, j) whose input row exists adds w[i][j]
// times a run of that input row to the row of accumulators, over the output columns
// where the tap lands inside the input (so the inner loop has no branches: contiguous
// for stride 1, strided otherwise), with fp32 accumulation in y itself and bf16 inputs
// widened in the inner loop. 3x3, dilation 1, horizontal stride 1 or 2 (MobileNet's
// shapes) run up to kDepthwiseMaxRows output rows at a time through an ISA row kernel
// (depthwise.h), which keeps the sums in registers, on an fp32 copy of the plane's rows
// padded with zero columns, made rows ahead of the kernel in a ring that stays in L1
// (bf16 widened there once, not once per tap; at stride 2 each row de-interleaved by the
// ISA's copy, so every tap is a contiguous load). The epilogue runs on each kernel
// call's output rows while they are in cache.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include "armbench/cpu_features.h"
#include "conv_internal.h"
#include "depthwise.h"
#include "../runtime/cache_sizes.h"
#include "../runtime/huge_alloc.h"
#include "../runtime/pool.h"

namespace armbench {
namespace conv {
namespace {

inline float load(const float* p, size_t i) { return p[i]; }
inline float load(const uint16_t* p, size_t i) {
  const uint32_t bits = static_cast<uint32_t>(p[i]) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// The stride-2 copy by the portable loops: two branch-free stride-2 loops, no parity
// branch per element (which had made the copy cost 2-3x the whole layer on AVX-512).
template <typename T>
void split_portable(const T* src, size_t rows, size_t w, float* dst, size_t len, size_t pl, size_t half) {
  for (size_t r = 0; r < rows; ++r, src += w, dst += len) {
    for (size_t i = (pl + 1) / 2; 2 * i < pl + w; ++i) dst[i] = load(src, 2 * i - pl);
    for (size_t i = pl / 2; 2 * i + 1 < pl + w; ++i) dst[half + i] = load(src, 2 * i + 1 - pl);
  }
}

struct Kernels {
  DepthwiseRowKernel row;
  DepthwiseSplit split;  // the row kernel's ISA, so the same CPU check covers both
};

Kernels choose() {
  Kernels k{nullptr, depthwise_split_portable()};
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) &&
      depthwise_row_avx512() != nullptr) {
    k = {depthwise_row_avx512(), depthwise_split_avx512()};
  } else if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && depthwise_row_neon() != nullptr) {
    k = {depthwise_row_neon(), depthwise_split_neon()};
  }
  if (k.split.f32 == nullptr || k.split.bf16 == nullptr) k.split = depthwise_split_portable();
  return k;
}

// The row kernel and its copy for this shape (fp32 or bf16: the kernel reads the widened
// copy), or nullptr (the portable path).
const Kernels* row_kernels(const Geometry& g) {
  const armbench_conv_shape& s = g.s;
  if (s.r != 3 || s.s != 3 || s.dilation_h != 1 || s.dilation_w != 1 || (s.stride_w != 1 && s.stride_w != 2)) {
    return nullptr;
  }
  static const Kernels k = choose();
  return k.row != nullptr ? &k : nullptr;
}

void split(const DepthwiseSplit& k, const float* src, size_t rows, size_t w, float* dst, size_t len, size_t pl,
           size_t half) {
  k.f32(src, rows, w, dst, len, pl, half);
}
void split(const DepthwiseSplit& k, const uint16_t* src, size_t rows, size_t w, float* dst, size_t len, size_t pl,
           size_t half) {
  k.bf16(src, rows, w, dst, len, pl, half);
}

// Elements of one row of the row kernel's zero-padded copy of an input plane: the left
// padding, the row, and zeros to the last element any output column's taps may read
// (the right padding, and at stride 2 one more, so the even half holds ow + 1 elements).
size_t padded_row(const Geometry& g) {
  const armbench_conv_shape& s = g.s;
  return std::max(s.pad_left + s.w, (g.ow - 1) * s.stride_w + 3 + (s.stride_w - 1));
}

// Where a row of the kernel's copy lies. The first element of the input row (at stride
// 2, of each of its halves) starts a cache line: a vector store of the copy that crosses
// a line costs two, and so does a load of the kernel (AVX-512: 16 floats, a line). With
// rows packed end to end, the AVX-512 copy of a 56-element bf16 row took 13.9 cycles;
// line-aligned, 8.9 (this Intel VM).
struct RowLayout {
  size_t off;     // where the row starts after a line boundary (the rows' start on one)
  size_t half;    // stride 2: where its odd elements start (its even ones first)
  size_t stride;  // floats from one row's boundary to the next, a multiple of a line's
};

RowLayout row_layout(const Geometry& g) {
  constexpr size_t kLine = 64 / sizeof(float);
  const size_t pl = g.s.pad_left, elems = padded_row(g);
  RowLayout l{};
  size_t used = elems;
  if (g.s.stride_w == 2) {
    // Padded position q to q / 2 (even q) or half + q / 2: the row's elements start at
    // (pl + 1) / 2 in the even half and at half + pl / 2 in the odd one, which with
    // half = pl % 2 modulo a line is a whole number of lines after the first.
    const size_t evens = (elems + 1) / 2;
    l.half = evens + (kLine + pl % 2 - evens % kLine) % kLine;
    l.off = (kLine - (pl + 1) / 2 % kLine) % kLine;
    used = l.half + elems / 2;
  } else {
    l.off = (kLine - pl % kLine) % kLine;
  }
  l.stride = (l.off + used + kLine - 1) / kLine * kLine;
  return l;
}

// Output row oy into yrow, which holds zeros, portably.
template <typename T>
void general_row(const Geometry& g, const T* xc, const T* wc, float* yrow, size_t oy) {
  const armbench_conv_shape& s = g.s;
  const int64_t w = static_cast<int64_t>(s.w);
  const int64_t sw = static_cast<int64_t>(s.stride_w);
  const int64_t ow = static_cast<int64_t>(g.ow);
  for (size_t i = 0; i < s.r; ++i) {
    const int64_t iy = static_cast<int64_t>(oy * s.stride_h + i * s.dilation_h) - static_cast<int64_t>(s.pad_top);
    if (iy < 0 || iy >= static_cast<int64_t>(s.h)) continue;
    const T* xrow = xc + static_cast<size_t>(iy) * s.w;
    for (size_t j = 0; j < s.s; ++j) {
      const float wv = load(wc, i * s.s + j);
      const int64_t off = static_cast<int64_t>(j * s.dilation_w) - static_cast<int64_t>(s.pad_left);
      const int64_t lo = std::min<int64_t>(off >= 0 ? 0 : (-off + sw - 1) / sw, ow);
      const int64_t hi = std::min<int64_t>(w - off <= 0 ? 0 : (w - 1 - off) / sw + 1, ow);
      if (hi <= lo) continue;
      // src[ox * sw] is the input column of output column ox; only [lo, hi) is read.
      const T* src = xrow + (lo * sw + off);
      float* dst = yrow + lo;
      const size_t count = static_cast<size_t>(hi - lo);
      if (sw == 1) {
        for (size_t t = 0; t < count; ++t) dst[t] += wv * load(src, t);
      } else {
        for (size_t t = 0; t < count; ++t) dst[t] += wv * load(src, t * static_cast<size_t>(sw));
      }
    }
  }
}

// The portable path, any shape.
template <typename T>
void plane(const Geometry& g, const armbench_conv_args& a, size_t b, size_t ch) {
  const armbench_conv_shape& s = g.s;
  const T* xc = static_cast<const T*>(a.x) + (b * s.c + ch) * s.h * s.w;
  const T* wc = static_cast<const T*>(a.w) + ch * s.r * s.s;
  float* yc = a.y + (b * s.k + ch) * g.plane;
  for (size_t oy = 0; oy < g.oh; ++oy) {
    float* yrow = yc + oy * g.ow;
    std::fill(yrow, yrow + g.ow, 0.0f);
    general_row(g, xc, wc, yrow, oy);
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (yrow - a.y) : nullptr;
    apply_epilogue(a.epilogue, yrow, res, g.ow, ch, 1, g.ow);
  }
}

// Rows of the ring plane_kernel copies into: a quarter of L1d (room beside it for the
// input rows being read and the output rows being written), at least the rows one
// kernel call reads, at most the plane's (a plane that fits is copied in one go). A
// whole 112-wide plane (51 KiB) did not fit a 48 KiB L1d: its copy's stores and the
// kernel's loads went to L2, and MobileNet-v2's 3x3/2 layer on 112x112 ran 1.45x slower
// than through a 9- to 53-row ring (this Intel VM, 1 thread).
size_t ring_rows(const Geometry& g) {
  const size_t call = (kDepthwiseMaxRows - 1) * 2 + 3;
  const size_t fit = runtime::cache_sizes().l1d / 4 / (row_layout(g).stride * sizeof(float));
  return std::min(g.s.h, std::max(call, fit));
}

// Input rows [iy, iy + n) to consecutive rows of the ring from dst (the first's start).
template <typename T>
void copy_rows(const Geometry& g, const RowLayout& l, const DepthwiseSplit& k, const T* xc, size_t iy, size_t n,
               float* dst) {
  const armbench_conv_shape& s = g.s;
  if (s.stride_w == 2) {
    split(k, xc + iy * s.w, n, s.w, dst, l.stride, s.pad_left, l.half);
    return;
  }
  for (size_t r = 0; r < n; ++r) {
    float* d = dst + r * l.stride + s.pad_left;
    const T* src = xc + (iy + r) * s.w;
    if (sizeof(T) == sizeof(float)) {
      memcpy(d, src, s.w * sizeof(float));
    } else {
      for (size_t e = 0; e < s.w; ++e) d[e] = load(src, e);
    }
  }
}

// The row kernel's path: the plane's rows copied, as the kernel calls reach them, into a
// ring of ring_rows(g) rows laid out as row_layout(g) says (input row iy in ring row
// iy % ring_rows(g); at stride 2 each row's even elements, then its odd ones from
// row_layout(g).half), whose zeros beside each row were written when it was allocated
// and are never overwritten (every input row has its elements at the same places), so
// every output column is a kernel column (scalar edge columns cost as much as the vector
// interior of a row). A refill copies as many rows ahead as the ring holds beside the
// rows the call still reads: few copy calls, each over many rows. Rows in the vertical
// padding are skipped (nullptr), not copied. Up to kDepthwiseMaxRows output rows per
// kernel call, at a vertical stride the kernel knows (1 or 2; any other, one row per
// call).
template <typename T>
void plane_kernel(const Geometry& g, const armbench_conv_args& a, const Kernels& kernels, float* ring,
                  size_t ring_n, size_t b, size_t ch) {
  const armbench_conv_shape& s = g.s;
  const T* xc = static_cast<const T*>(a.x) + (b * s.c + ch) * s.h * s.w;
  const T* wc = static_cast<const T*>(a.w) + ch * 9;
  float* yc = a.y + (b * s.k + ch) * g.plane;
  const RowLayout l = row_layout(g);
  float* const rows0 = ring + l.off;
  const int64_t h = static_cast<int64_t>(s.h);
  size_t copied = 0;  // input rows below it are in the ring, or were never needed
  float w12[12] = {};  // the kernels take fp32 weights in whole vectors: bf16 ones widened once per plane
  for (size_t t = 0; t < 9; ++t) w12[t] = load(wc, t);
  DepthwiseRow r{};
  r.w = w12;
  r.n = g.ow;
  r.stride = s.stride_w;
  r.half = l.half;
  r.y_stride = g.ow;
  const bool multi = s.stride_h == 1 || s.stride_h == 2;
  r.row_step = multi ? s.stride_h : 1;
  for (size_t oy = 0; oy < g.oh; oy += r.rows) {
    r.rows = multi ? std::min(kDepthwiseMaxRows, g.oh - oy) : 1;
    const size_t span = (r.rows - 1) * r.row_step + 3;
    const int64_t top = static_cast<int64_t>(oy * s.stride_h) - static_cast<int64_t>(s.pad_top);
    const size_t first = static_cast<size_t>(std::clamp<int64_t>(top, 0, h));
    // Ring rows by compare and subtract, not a division per row pointer (9 a call: about
    // 7% of the 14x14 stride-2 layer here). Rows from first on are within ring_n of it.
    const size_t first_slot = first < ring_n ? first : first % ring_n;
    auto slot = [&](size_t iy) {
      const size_t t = first_slot + (iy - first);
      return t < ring_n ? t : t - ring_n;
    };
    if (static_cast<size_t>(std::clamp<int64_t>(top + static_cast<int64_t>(span), 0, h)) > copied) {
      // Rows from first on are still read; the ring holds ring_n rows from there.
      copied = std::max(copied, first);
      const size_t until = std::min(s.h, first + ring_n);
      while (copied < until) {
        const size_t at = slot(copied), n = std::min(until - copied, ring_n - at);
        copy_rows<T>(g, l, kernels.split, xc, copied, n, rows0 + at * l.stride);
        copied += n;
      }
    }
    for (size_t i = 0; i < span; ++i) {
      const int64_t iy = top + static_cast<int64_t>(i);
      r.x[i] = iy < 0 || iy >= h ? nullptr : rows0 + slot(static_cast<size_t>(iy)) * l.stride;
    }
    r.y = yc + oy * g.ow;
    kernels.row(r);
    // The call's output rows are consecutive in y: one epilogue call over them as one
    // row of the same channel (with nothing to apply, a call per row took about a tenth
    // of the 14x14 and 28x28 stride-2 layers here).
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + (r.y - a.y) : nullptr;
    apply_epilogue(a.epilogue, r.y, res, r.rows * g.ow, ch, 1, r.rows * g.ow);
  }
}

struct RunCtx {
  const Geometry* g;
  const armbench_conv_args* a;
  const Kernels* kernels;  // nullptr: the portable path
  float* ring;        // the kernel path's rings of padded rows, one per worker
  size_t ring_rows;   // rows of one
  size_t ring_items;  // elements of one, a multiple of a cache line's
};

// Planes are independent and each is computed the same way by whichever worker gets
// it: the same bits on any pool size.
template <typename T>
void run_planes(void* p, int index, int threads) {
  const RunCtx& c = *static_cast<const RunCtx*>(p);
  const armbench_conv_shape& s = c.g->s;
  float* ring = c.kernels != nullptr ? c.ring + static_cast<size_t>(index) * c.ring_items : nullptr;
  for (size_t item = static_cast<size_t>(index); item < s.n * s.c; item += static_cast<size_t>(threads)) {
    if (c.kernels != nullptr) {
      plane_kernel<T>(*c.g, *c.a, *c.kernels, ring, c.ring_rows, item / s.c, item % s.c);
    } else {
      plane<T>(*c.g, *c.a, item / s.c, item % s.c);
    }
  }
}

}  // namespace

DepthwiseSplit depthwise_split_portable() { return {split_portable<float>, split_portable<uint16_t>}; }

int run_depthwise(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a) {
  RunCtx ctx{&g, &a, row_kernels(g), nullptr, 0, 0};
  if (ctx.kernels != nullptr) {
    const size_t threads = pool != nullptr ? static_cast<size_t>(armbench_gemm_pool_threads(pool)) : 1;
    ctx.ring_rows = ring_rows(g);
    ctx.ring_items = ctx.ring_rows * row_layout(g).stride;
    ctx.ring = static_cast<float*>(runtime::huge_calloc(threads * ctx.ring_items * sizeof(float)));
    if (ctx.ring == nullptr) return -ENOMEM;
  }
  runtime::pool_run(pool, a.dtype == ARMBENCH_GEMM_BF16 ? run_planes<uint16_t> : run_planes<float>, &ctx);
  free(ctx.ring);
  return 0;
}

}  // namespace conv
}  // namespace armbench
