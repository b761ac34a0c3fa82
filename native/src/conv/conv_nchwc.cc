// Direct convolution in the channel-blocked NCHWc layout (the NCHW44 / NBCX layouts of
// MegEngine and OpenPPL), and the NCHW <-> NCHWc transforms.
//
// Block: the SIMD width in floats, chosen once at run time with its inner kernel
// (nchwc.h): 16 with AVX-512F, 8 with AVX2 + FMA, 4 with Advanced SIMD, else 4 with the
// portable kernel below (also the kernel the ISA kernels must agree with).
//
// Weights (nchwc_prepare, once per plan): [K/blk][C/blk][r][s][blk_in][blk_out] fp32,
// channels past c or k zero. bf16 weights, where the CPU has a bf16 dot-product kernel
// (VDPBF16PS, BFDOT), stay bf16, packed by input-channel pairs
// [K/blk][C/blk][r][s][blk_in / 2][blk_out][2] for it; elsewhere they are widened
// (exactly) and run the fp32 kernel.
//
// run_nchwc, per batch item: x -> a zero-padded NCHWc copy ([C/blk][h + pad_top +
// pad_bottom][w + pad_left + pad_right][blk], bf16 kept for the bf16 kernel, else
// widened), so the kernels read every tap in bounds with no edge cases; then for every (output block, output row) one row
// kernel call writes that row of an NCHWc output scratch; then NCHWc -> NCHW into y and
// the epilogue on y. The (block, row) items are shared out to the pool's
// workers in contiguous ranges; each output is computed by the same kernel in the same order on any number
// of threads, so the bits do not depend on the pool.
//
// run_nchwc_blocked (armbench_conv_plan_run_nchwc), for networks that stay in NCHWc:
// x is copied row by row into the padded frame (rounded to bf16 on the way for a bf16
// plan; read in place when fp32 and unpadded), each row kernel call writes straight
// into y, and the epilogue runs on that row right after it, in the worker that wrote
// it. Same kernels, same order, same epilogue sums: the NCHW path's bits. With x in
// NCHW (armbench_conv_plan_run_nchw_to_nchwc, a first conv) the frame is gathered
// from the planes instead.
//
// Where the CPU has them, the multi-block kernels (nchwc.h) replace the row kernels:
// two output blocks per register tile, the epilogue fused into the stores, the zero
// channels of a partial input block skipped, and a stem's frame kept to kStemLanes
// lanes per pixel. Same sums in the same order, so the same bits.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <new>
#include <type_traits>

#include "armbench/bf16.h"
#include "armbench/cpu_features.h"
#include "conv_internal.h"
#include "nchwc.h"
#include "../runtime/huge_alloc.h"
#include "../runtime/pool.h"

namespace armbench {
namespace conv {
namespace {

// The portable row kernel, for any block: the same sums in the same order as the ISA
// kernels (per output, over cb, i, j, ci), one output at a time.
void portable_row(const NchwcRow& a, size_t blk) {
  for (size_t p = 0; p < a.npix; ++p) {
    float* y = a.y + p * blk;
    for (size_t o = 0; o < blk; ++o) y[o] = 0.0f;
    for (size_t cb = 0; cb < a.cblocks; ++cb) {
      for (size_t i = 0; i < a.r; ++i) {
        for (size_t j = 0; j < a.s; ++j) {
          const float* xp = a.x + p * a.pix_stride + cb * a.cb_stride + i * a.row_stride + j * a.col_stride;
          const float* wp = a.w + ((cb * a.r + i) * a.s + j) * blk * blk;
          for (size_t ci = 0; ci < blk; ++ci) {
            const float xv = xp[ci];
            for (size_t o = 0; o < blk; ++o) y[o] += xv * wp[ci * blk + o];
          }
        }
      }
    }
  }
}

struct Choice {
  size_t blk;
  NchwcRowKernel kernel;           // nullptr: portable_row
  NchwcRowBf16Kernel bf16;         // nullptr: bf16 is widened and runs the fp32 kernel
  NchwcMultiKernel multi;          // fp32 over kMultiBlocks output blocks at once, or nullptr
  NchwcMultiBf16Kernel multi_bf16; // the same with the bf16 kernel
  NchwcDepthwiseKernel depthwise;  // groups == c == k, or nullptr: portable_depthwise
  NchwcEpilogue epilogue;          // nullptr: apply_epilogue_blocked
};

Choice choose() {
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && nchwc_row_avx512() != nullptr) {
    const bool bf = armbench_cpu_has(ARMBENCH_FEATURE_AVX512_BF16);
    return {16, nchwc_row_avx512(), bf ? nchwc_row_bf16_avx512bf16() : nullptr, nchwc_multi_avx512(),
            bf ? nchwc_multi_bf16_avx512bf16() : nullptr, nchwc_depthwise_avx512(), nchwc_epilogue_avx512()};
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX2) && armbench_cpu_has(ARMBENCH_FEATURE_FMA) && nchwc_row_avx2() != nullptr) {
    return {8, nchwc_row_avx2(), nullptr, nchwc_multi_avx2(), nullptr, nchwc_depthwise_avx2(), nchwc_epilogue_avx2()};
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && nchwc_row_neon() != nullptr) {
    const bool bf = armbench_cpu_has(ARMBENCH_FEATURE_BF16);
    return {4, nchwc_row_neon(), bf ? nchwc_row_bf16_bfdot() : nullptr, nchwc_multi_neon(),
            bf ? nchwc_multi_bf16_bfdot() : nullptr, nchwc_depthwise_neon(), nullptr};
  }
  return {4, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
}

const Choice& choice() {
  static const Choice c = choose();
  return c;
}

float bf16_value(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

float load(const float* p, size_t i) { return p[i]; }
float load(const uint16_t* p, size_t i) { return bf16_value(p[i]); }
// The bf16 kernels read bf16 as it is.
uint16_t load_raw(const uint16_t* p, size_t i) { return p[i]; }

// One batch item's c planes (h x w) into the zero-padded NCHWc buffer xp (already zero),
// converted by get; lanes per pixel (the block, or a stem's kStemLanes).
template <typename D, typename T, typename Get>
void pad_to_nchwc(const Geometry& g, const T* x, size_t blk, size_t lanes, D* xp, Get get) {
  const armbench_conv_shape& s = g.s;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  for (size_t c = 0; c < s.c; ++c) {
    const T* plane = x + c * s.h * s.w;
    D* dst = xp + (c / blk) * hp * wp * lanes + c % blk;
    for (size_t y = 0; y < s.h; ++y) {
      D* row = dst + ((y + s.pad_top) * wp + s.pad_left) * lanes;
      const T* src = plane + y * s.w;
      for (size_t x0 = 0; x0 < s.w; ++x0) row[x0 * lanes] = get(src, x0);
    }
  }
}

struct FrameCopy;
void copy_rows(void* p, int index, int threads);

struct RunCtx {
  const Geometry* g;
  const NchwcWeights* nw;
  const void* xp;   // padded NCHWc input of one batch item (bf16 for the bf16 kernel)
  float* out;       // NCHWc output of one batch item: [K/blk][oh][ow][blk]
  // Set by run_nchwc_blocked: the epilogue applied to each row right after its kernel
  // call, while the row is still in L1; residual is the batch item's, laid out as out.
  const armbench_conv_epilogue* epilogue = nullptr;
  const float* residual = nullptr;
  // Set by run_nchwc_blocked when x must be copied into its padded frame first: the
  // workers copy their share, meet at a barrier, then compute, in one pool call (a call
  // per phase costs a wake-up of the caller each).
  FrameCopy* copy = nullptr;
  armbench_gemm_pool* pool = nullptr;
  // Set by run_nchwc_blocked for a depthwise conv instead of copy: nothing is copied up
  // front; each work item copies the few padded rows it reads (of x_rows, this batch
  // item's NCHWc x) into its worker's own frame, which stays in L1, where a whole frame
  // written first and read after would go out to memory and back on a large plane.
  const FrameCopy* rows_from = nullptr;
  const float* x_rows = nullptr;
  // Set by a worker that could not allocate its rows: the conv fails with ENOMEM.
  std::atomic<bool>* out_of_memory = nullptr;
};

}  // namespace

struct NchwcWeights {
  size_t blk;
  NchwcRowKernel kernel;
  NchwcRowBf16Kernel bf16;  // set when the weights are packed as bf16 pairs (wh)
  // Set for weights packed in groups of kMultiBlocks output blocks (w, or wh for bf16).
  NchwcMultiKernel multi = nullptr;
  NchwcMultiBf16Kernel multi_bf16 = nullptr;
  // Set for a depthwise conv (groups == c == k): w is [cblocks][r][s][blk], one lane
  // per channel, bf16 weights widened (the kernel is fp32, on x rounded for bf16).
  bool depthwise = false;
  NchwcDepthwiseKernel dw = nullptr;
  NchwcEpilogue epilogue = nullptr;  // the separate epilogue's vector form, or nullptr
  size_t cblocks, kblocks;
  // Lanes per pixel of the padded frame the kernels read: blk, or kStemLanes for a stem
  // (one input block of at most kStemLanes channels, every group on a multi-block
  // kernel): a 3-channel image keeps 4 of 16 lanes, so the frame is a quarter the size
  // and a tap's rows stay in L1.
  size_t xblk = 0;
  // [kblocks][cblocks][r][s][blk][blk]; with multi, [kblocks / F][cblocks][r][s][blk][F x
  // blk] for F = kMultiBlocks, a last group of fewer blocks in the row order.
  float* w = nullptr;
  uint16_t* wh = nullptr;   // [kblocks][cblocks][r][s][blk / 2][blk][2]
  ~NchwcWeights() {
    free(w);
    free(wh);
  }
};

namespace {

// The epilogue on npix output pixels of block kb from pixel p0 (row-major in the plane).
void finish_span(const RunCtx& c, size_t kb, size_t p0, size_t npix) {
  if (c.epilogue == nullptr) return;
  const Geometry& g = *c.g;
  const size_t at = (kb * g.plane + p0) * c.nw->blk;
  const float* residual = c.residual != nullptr ? c.residual + at : nullptr;
  if (c.nw->epilogue != nullptr) {
    c.nw->epilogue(*c.epilogue, c.out + at, residual, g.s.k, kb, npix);
  } else {
    apply_epilogue_blocked(*c.epilogue, c.out + at, residual, g.s.k, kb, c.nw->blk, npix);
  }
}
void finish_row(const RunCtx& c, size_t kb, size_t oy) { finish_span(c, kb, oy * c.g->ow, c.g->ow); }

// The strides every row and multi-block kernel argument holds, from the padded frame
// of x (elements: floats, or bf16 for the bf16 kernels).
template <typename A>
void set_taps(A& a, const armbench_conv_shape& s, size_t blk, size_t cblocks) {
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  a.pix_stride = s.stride_w * blk;
  a.cb_stride = hp * wp * blk;
  a.row_stride = s.dilation_h * wp * blk;
  a.col_stride = s.dilation_w * blk;
  a.cblocks = cblocks;
  a.r = s.r;
  a.s = s.s;
}

// Output pixels per work item of the multi-block path: six register tiles of the NEON
// kernel's widest (8), small enough that two workers share even a 7x7 plane. Chunks are
// cut at multiples of 8 pixels, so a wide row runs whole 8-pixel tiles and only its last
// chunk may hold a narrower one.
constexpr size_t kMultiChunk = 48;
constexpr size_t kMultiChunkAlign = 8;

// The multi-block kernels (fp32, or bf16 on a bf16 kernel). A span is a run of output
// pixels one pixel stride addresses in x: the whole plane when x is contiguous (1x1,
// stride 1, no padding), else kMultiRows output rows (the kernel may tile the rows
// together: a narrow row's tile gets the next row's pixels as more independent sums).
// Spans are cut into chunks; a work item is one chunk of one group of output blocks. The items go group-major when the
// weights outweigh the input (deep layers on small planes: each group's weights are
// read once and the plane stays in L2), else chunk-major (each chunk of input stays in
// L1/L2 while the groups pass). The epilogue is fused into the kernel for groups whose
// channels are all real; a group holding padding channels gets the separate epilogue,
// which zeroes them.
// E: float (NchwcMulti, NchwcRow, w) or uint16_t (the bf16 kernels, wh).
template <typename E, typename Multi, typename Row>
void run_multi(const RunCtx& c, int index, int threads, const E* weights, void (*multi)(const Multi&),
               void (*row)(const Row&)) {
  const Geometry& g = *c.g;
  const armbench_conv_shape& s = g.s;
  const NchwcWeights& nw = *c.nw;
  const size_t blk = nw.blk, xblk = nw.xblk, F = kMultiBlocks;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  const bool flat = s.r == 1 && s.s == 1 && s.stride_h == 1 && s.stride_w == 1 && hp == s.h && wp == s.w;
  const size_t span_rows = flat ? 1 : kMultiRows;
  const size_t spans = flat ? 1 : (g.oh + span_rows - 1) / span_rows, width = flat ? g.plane : g.ow;
  const size_t per_span = (width + kMultiChunk - 1) / kMultiChunk;
  // Chunk width: the near-equal share rounded up to kMultiChunkAlign (at most kMultiChunk,
  // so per_span chunks still cover the span and none is empty).
  const size_t share = (width + per_span - 1) / per_span;
  const size_t chunk_w = (share + kMultiChunkAlign - 1) / kMultiChunkAlign * kMultiChunkAlign;
  const size_t chunks = spans * per_span, groups = (nw.kblocks + F - 1) / F;
  const bool group_major = g.plane < s.k * s.r * s.s;
  const size_t wgroup = F * nw.cblocks * s.r * s.s * blk * blk;  // elements per full group
  Multi a{};
  set_taps(a, s, xblk, nw.cblocks);
  a.cin_last = s.c - (nw.cblocks - 1) * blk;
  a.y_block_stride = g.plane * blk;
  a.x_row_step = s.stride_h * wp * xblk;
  a.y_row_step = g.ow * blk;
  const armbench_conv_epilogue* e = c.epilogue;
  if (e != nullptr) {
    a.lo = e->act == ARMBENCH_ACT_RELU ? 0.0f : e->clip_min;
    a.hi = e->clip_max;
  }
  const E* x = static_cast<const E*>(c.xp);
  // One item: output pixels [q0, q1) of span `span`, the output blocks of `group`, and
  // lines [l0, l1) of the next group's weights to prefetch while it computes (none when
  // l1 <= l0).
  auto run_item = [&](size_t span, size_t q0, size_t q1, size_t group, size_t l0, size_t l1) {
    const size_t oy = span * span_rows;
    const size_t rows = flat ? 1 : (g.oh - oy < span_rows ? g.oh - oy : span_rows);
    const size_t p0 = (flat ? 0 : oy * width) + q0;  // output pixel index in the plane
    const E* xs = x + (flat ? p0 * xblk : (oy * s.stride_h * wp + q0 * s.stride_w) * xblk);
    const size_t kb0 = group * F, nb = nw.kblocks - kb0 < F ? nw.kblocks - kb0 : F;
    const E* w = weights + group * wgroup;
    if constexpr (std::is_same_v<Multi, NchwcMulti>) {
      a.prefetch = l1 > l0 ? reinterpret_cast<const char*>(weights + (group + 1) * wgroup) + l0 * 64 : nullptr;
      a.prefetch_lines = l1 > l0 ? l1 - l0 : 0;
    }
    float* y = c.out + (kb0 * g.plane + p0) * blk;
    const bool fused = e != nullptr && nb == F && (kb0 + F) * blk <= s.k;
    if (nb == F) {
      a.x = xs;
      a.w = w;
      a.y = y;
      a.npix = q1 - q0;
      a.rows = rows;
      a.bias = fused && e->bias != nullptr ? e->bias + kb0 * blk : nullptr;
      a.residual = fused && c.residual != nullptr ? c.residual + (kb0 * g.plane + p0) * blk : nullptr;
      a.act = fused ? e->act : ARMBENCH_ACT_NONE;
      multi(a);
    } else {
      Row r{};
      r.w = w;
      r.npix = q1 - q0;
      set_taps(r, s, xblk, nw.cblocks);
      for (size_t k = 0; k < rows; ++k) {
        r.x = xs + k * a.x_row_step;
        r.y = y + k * a.y_row_step;
        row(r);
      }
    }
    if (!fused) {
      for (size_t k = 0; k < rows; ++k)
        for (size_t b = 0; b < nb; ++b) finish_span(c, kb0 + b, p0 + k * width, q1 - q0);
    }
  };
  const size_t lines = (wgroup * sizeof(E) + 63) / 64;  // of one group's weights
  // Group-major on a plane read whole (1x1, stride 1): the workers split the pixels
  // (tp parts) before the groups (threads / tp parts), so each worker's part of x stays
  // in its L2 while the groups' weights pass, where a share of the groups alone has each
  // worker read all of x once per group (ResNet-50 batch 1 at 2 threads: 1.07x
  // onnxruntime's latency against 1.13x, means of 6 alternating runs, Zen 5). A part
  // keeps at least 2 units of kMultiChunkAlign pixels.
  const size_t units = (width + kMultiChunkAlign - 1) / kMultiChunkAlign;
  size_t tp = 1;
  for (size_t t = static_cast<size_t>(threads); t > 1; --t)
    if (static_cast<size_t>(threads) % t == 0 && units >= 2 * t) {
      tp = t;
      break;
    }
  if (group_major && flat && tp > 1) {
    const size_t tg = static_cast<size_t>(threads) / tp;
    size_t u0 = 0, u1 = 0, g0 = 0, g1 = 0;
    runtime::pool_share(units, static_cast<int>(index % tp), static_cast<int>(tp), &u0, &u1);
    runtime::pool_share(groups, static_cast<int>(index / tp), static_cast<int>(tg), &g0, &g1);
    const size_t w0 = u0 * kMultiChunkAlign, w1 = u1 * kMultiChunkAlign < width ? u1 * kMultiChunkAlign : width;
    if (w0 >= w1) return;
    const size_t n = (w1 - w0 + kMultiChunk - 1) / kMultiChunk;
    for (size_t group = g0; group < g1; ++group) {
      size_t q = w0;
      for (size_t i = 0; i < n; ++i) {
        // Near-equal chunks cut at multiples of kMultiChunkAlign, as run_multi's others.
        const size_t cut = w0 + ((w1 - w0) * (i + 1) / n + kMultiChunkAlign - 1) / kMultiChunkAlign * kMultiChunkAlign;
        const size_t q1 = i + 1 == n || cut > w1 ? w1 : cut;
        if (q1 <= q) continue;
        const bool next = group + 1 < g1;
        run_item(0, q, q1, group, next ? lines * i / n : 0, next ? lines * (i + 1) / n : 0);
        q = q1;
      }
    }
    return;
  }
  // A contiguous share of the items per worker, not every threads-th item: the group's
  // weights (group-major) or the chunk's input (chunk-major) then stay in one core's
  // caches instead of being streamed by every core.
  size_t i0 = 0, i1 = 0;
  runtime::pool_share(chunks * groups, index, threads, &i0, &i1);
  for (size_t item = i0; item < i1; ++item) {
    const size_t chunk = group_major ? item % chunks : item / groups;
    const size_t group = group_major ? item / chunks : item % groups;
    const size_t span = chunk / per_span, part = chunk % per_span;
    const size_t q0 = part * chunk_w < width ? part * chunk_w : width;
    const size_t q1 = q0 + chunk_w < width ? q0 + chunk_w : width;
    if (q0 == q1) continue;
    // Group-major: this item's share of the next group's weights, fetched into L2 while
    // it computes, so that group's first tile does not wait on memory for all of them.
    const bool next = group_major && group + 1 < groups && item + 1 < i1;
    run_item(span, q0, q1, group, next ? lines * chunk / chunks : 0, next ? lines * (chunk + 1) / chunks : 0);
  }
}

// The portable depthwise rows, for any block: NchwcDepthwiseRow's sums in its order
// (its epilogue fields unused: run_depthwise fuses the epilogue into ISA kernels only).
void portable_depthwise(const NchwcDepthwiseRow& a, size_t blk) {
  for (size_t k = 0; k < a.rows; ++k) {
    const float* x = a.x + k * a.x_row_step;
    float* y = a.y + k * a.y_row_step;
    for (size_t p = 0; p < a.npix; ++p) {
      for (size_t l = 0; l < blk; ++l) {
        float acc = 0.0f;
        for (size_t i = 0; i < a.r; ++i)
          for (size_t j = 0; j < a.s; ++j)
            acc += x[p * a.pix_stride + i * a.row_stride + j * a.col_stride + l] * a.w[(i * a.s + j) * blk + l];
        y[p * blk + l] = acc;
      }
    }
  }
}

void copy_row(const FrameCopy& c, const float* src, void* frame, size_t at);
void* frame_buffer(size_t bytes);

// The padded rows a worker copies at a time for a depthwise band (RunCtx::rows_from):
// about L1 and a half: a band stays in L1 or near it while its rows are read (32 to 96 KB
// measured alike on MobileNet-v2 here, 256 KB slower), and few rows are copied twice
// (a band's last r - 1 rows are the next band's first).
constexpr size_t kOwnBandBytes = 64 << 10;

// Depthwise: every (channel block, group of up to kDepthwiseRows output rows) one kernel
// call, the epilogue in an ISA kernel for blocks whose channels are all real (a block
// holding padding channels, or the portable rows, get the separate epilogue, which
// zeroes padding channels). The kernel decides how it tiles the rows. With own
// rows, the items are bands of several such groups, their padded rows copied first.
void run_depthwise(const RunCtx& c, int index, int threads) {
  const Geometry& g = *c.g;
  const armbench_conv_shape& s = g.s;
  const NchwcWeights& nw = *c.nw;
  const size_t blk = nw.blk;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right, rowlen = wp * blk;
  NchwcDepthwiseRow a{};
  a.npix = g.ow;
  a.pix_stride = s.stride_w * blk;
  a.row_stride = s.dilation_h * rowlen;
  a.col_stride = s.dilation_w * blk;
  a.r = s.r;
  a.s = s.s;
  a.x_row_step = s.stride_h * rowlen;
  a.y_row_step = g.ow * blk;
  const size_t taps_h = (s.r - 1) * s.dilation_h + 1;
  const armbench_conv_epilogue* e = c.epilogue;
  if (e != nullptr) {
    a.lo = e->act == ARMBENCH_ACT_RELU ? 0.0f : e->clip_min;
    a.hi = e->clip_max;
  }
  // Output rows per item: one group, or with own rows a band of whole groups.
  size_t band = kDepthwiseRows;
  if (c.rows_from != nullptr) {
    const size_t fit = kOwnBandBytes / (rowlen * sizeof(float));
    const size_t rows = fit > taps_h ? (fit - taps_h) / s.stride_h + 1 : 1;
    band = rows / kDepthwiseRows * kDepthwiseRows;
    if (band < kDepthwiseRows) band = kDepthwiseRows;
  }
  const size_t bands = (g.oh + band - 1) / band;
  size_t i0 = 0, i1 = 0;
  runtime::pool_share(nw.kblocks * bands, index, threads, &i0, &i1);
  for (size_t item = i0; item < i1; ++item) {
    const size_t kb = item / bands, oy0 = item % bands * band;
    const size_t oy1 = oy0 + band < g.oh ? oy0 + band : g.oh;
    const float* frame = nullptr;
    size_t frame_row0 = 0;  // the padded row at frame's start
    if (c.rows_from == nullptr) {
      frame = static_cast<const float*>(c.xp) + kb * hp * rowlen;
    } else {
      frame_row0 = oy0 * s.stride_h;
      const size_t span = (oy1 - oy0 - 1) * s.stride_h + taps_h;
      // This worker's own frame (frame_buffer is per thread; with own rows the caller's holds no shared frame).
      float* rows = static_cast<float*>(frame_buffer(span * rowlen * sizeof(float)));
      if (rows == nullptr) {
        c.out_of_memory->store(true);
        return;
      }
      for (size_t q = 0; q < span; ++q) {
        float* row = rows + q * rowlen;
        const size_t py = frame_row0 + q;
        if (py < s.pad_top || py >= s.pad_top + s.h) {
          memset(row, 0, rowlen * sizeof(float));
          continue;
        }
        memset(row, 0, s.pad_left * blk * sizeof(float));
        memset(row + (s.pad_left + s.w) * blk, 0, s.pad_right * blk * sizeof(float));
        copy_row(*c.rows_from, c.x_rows + (kb * s.h + py - s.pad_top) * s.w * blk, rows, q * rowlen + s.pad_left * blk);
      }
      frame = rows;
    }
    a.w = nw.w + kb * s.r * s.s * blk;
    const bool fused = e != nullptr && (kb + 1) * blk <= s.k && nw.dw != nullptr;
    a.bias = fused && e->bias != nullptr ? e->bias + kb * blk : nullptr;
    a.act = fused ? e->act : ARMBENCH_ACT_NONE;
    for (size_t oy = oy0; oy < oy1; oy += kDepthwiseRows) {
      a.rows = oy1 - oy < kDepthwiseRows ? oy1 - oy : kDepthwiseRows;
      a.x = frame + (oy * s.stride_h - frame_row0) * rowlen;
      a.y = c.out + (kb * g.oh + oy) * g.ow * blk;
      a.residual = fused && c.residual != nullptr ? c.residual + (kb * g.oh + oy) * g.ow * blk : nullptr;
      if (nw.dw != nullptr) {
        nw.dw(a);
      } else {
        portable_depthwise(a, blk);
      }
      if (!fused)
        for (size_t k = 0; k < a.rows; ++k) finish_row(c, kb, oy + k);
    }
  }
}

void run_rows(void* p, int index, int threads) {
  const RunCtx& c = *static_cast<const RunCtx*>(p);
  if (c.copy != nullptr) {
    copy_rows(c.copy, index, threads);
    runtime::pool_barrier(c.pool);
  }
  if (c.nw->depthwise) {
    run_depthwise(c, index, threads);
    return;
  }
  if (c.nw->multi_bf16 != nullptr) {
    run_multi(c, index, threads, c.nw->wh, c.nw->multi_bf16, c.nw->bf16);
    return;
  }
  if (c.nw->multi != nullptr) {
    run_multi(c, index, threads, c.nw->w, c.nw->multi, c.nw->kernel);
    return;
  }
  const Geometry& g = *c.g;
  const armbench_conv_shape& s = g.s;
  const NchwcWeights& nw = *c.nw;
  const size_t blk = nw.blk;
  const size_t wp = s.w + s.pad_left + s.pad_right;
  NchwcRow a{};
  a.npix = g.ow;
  set_taps(a, s, blk, nw.cblocks);
  size_t i0 = 0, i1 = 0;
  runtime::pool_share(nw.kblocks * g.oh, index, threads, &i0, &i1);
  if (nw.bf16 != nullptr) {
    NchwcRowBf16 h{};
    h.npix = a.npix;
    set_taps(h, s, blk, nw.cblocks);
    for (size_t item = i0; item < i1; ++item) {
      const size_t oy = item / nw.kblocks, kb = item % nw.kblocks;
      h.x = static_cast<const uint16_t*>(c.xp) + oy * s.stride_h * wp * blk;
      h.w = nw.wh + kb * nw.cblocks * s.r * s.s * blk * blk;
      h.y = c.out + (kb * g.oh + oy) * g.ow * blk;
      nw.bf16(h);
      finish_row(c, kb, oy);
    }
    return;
  }
  for (size_t item = i0; item < i1; ++item) {
    const size_t oy = item / nw.kblocks, kb = item % nw.kblocks;
    a.x = static_cast<const float*>(c.xp) + oy * s.stride_h * wp * blk;
    a.w = nw.w + kb * nw.cblocks * s.r * s.s * blk * blk;
    a.y = c.out + (kb * g.oh + oy) * g.ow * blk;
    if (nw.kernel != nullptr) {
      nw.kernel(a);
    } else {
      portable_row(a, blk);
    }
    finish_row(c, kb, oy);
  }
}

}  // namespace

namespace {

// The frame's lanes per pixel: kStemLanes for a stem whose every output group runs on
// a multi-block kernel (which reads only the lanes that hold channels; the row kernels
// read a whole block per pixel), else the block.
size_t stem_lanes(const armbench_conv_shape& s, const NchwcWeights& nw, bool multi) {
  const bool stem = nw.cblocks == 1 && s.c <= kStemLanes && nw.blk > kStemLanes;
  return stem && multi && nw.kblocks % kMultiBlocks == 0 ? kStemLanes : nw.blk;
}

}  // namespace

const char* nchwc_unsupported(const armbench_conv_shape& s) {
  if (s.groups == 1 || (s.groups == s.c && s.k == s.c)) return nullptr;
  return "needs groups 1 or a depthwise conv (use im2col for other grouped convolutions)";
}

int nchwc_prepare(const Geometry& g, armbench_gemm_dtype dtype, const void* w, NchwcWeights** out) {
  *out = nullptr;
  const armbench_conv_shape& s = g.s;
  const Choice& ch = choice();
  const size_t blk = ch.blk;
  NchwcWeights* nw = new (std::nothrow) NchwcWeights();
  if (nw == nullptr) return -ENOMEM;
  nw->blk = blk;
  nw->kernel = ch.kernel;
  nw->epilogue = ch.epilogue;
  nw->cblocks = (s.c + blk - 1) / blk;
  nw->kblocks = (s.k + blk - 1) / blk;
  const size_t taps = s.r * s.s;
  if (s.groups > 1) {
    // Depthwise (nchwc_unsupported let nothing else through).
    nw->depthwise = true;
    nw->dw = ch.depthwise;
    nw->xblk = blk;
    nw->w = static_cast<float*>(runtime::huge_calloc(nw->cblocks * taps * blk * sizeof(float)));
    if (nw->w == nullptr) {
      delete nw;
      return -ENOMEM;
    }
    for (size_t c = 0; c < s.c; ++c) {
      for (size_t t = 0; t < taps; ++t) {
        const size_t src = c * taps + t;
        nw->w[((c / blk) * taps + t) * blk + c % blk] = dtype == ARMBENCH_GEMM_BF16
                                                            ? load(static_cast<const uint16_t*>(w), src)
                                                            : load(static_cast<const float*>(w), src);
      }
    }
    *out = nw;
    return 0;
  }
  const size_t count = nw->kblocks * nw->cblocks * taps * blk * blk;
  if (dtype == ARMBENCH_GEMM_BF16 && ch.bf16 != nullptr) {
    nw->bf16 = ch.bf16;
    nw->wh = static_cast<uint16_t*>(runtime::huge_calloc(count * sizeof(uint16_t)));
    if (nw->wh == nullptr) {
      delete nw;
      return -ENOMEM;
    }
    // Groups of F output blocks as for fp32 below, by channel pairs.
    const size_t F = ch.multi_bf16 != nullptr ? kMultiBlocks : 1;
    if (F > 1) nw->multi_bf16 = ch.multi_bf16;
    const uint16_t* src = static_cast<const uint16_t*>(w);
    for (size_t k = 0; k < s.k; ++k) {
      const size_t kb = k / blk, kb0 = kb / F * F, nb = nw->kblocks - kb0 < F ? nw->kblocks - kb0 : F;
      for (size_t c = 0; c < s.c; ++c) {
        for (size_t t = 0; t < taps; ++t) {
          const size_t ci = c % blk;
          nw->wh[kb0 * nw->cblocks * taps * blk * blk +
                 (((((c / blk) * taps + t) * (blk / 2) + ci / 2) * nb + (kb - kb0)) * blk + k % blk) * 2 + ci % 2] =
              src[(k * s.c + c) * taps + t];
        }
      }
    }
    nw->xblk = stem_lanes(s, *nw, nw->multi_bf16 != nullptr);
    *out = nw;
    return 0;
  }
  nw->w = static_cast<float*>(runtime::huge_calloc(count * sizeof(float)));
  if (nw->w == nullptr) {
    delete nw;
    return -ENOMEM;
  }
  // With a multi-block kernel: groups of F output blocks, the F x blk outputs of one
  // input channel and tap side by side (F = 1 is the row kernel's order).
  const size_t F = ch.multi != nullptr ? kMultiBlocks : 1;
  if (F > 1) nw->multi = ch.multi;
  // Source: k x c x r x s.
  for (size_t k = 0; k < s.k; ++k) {
    const size_t kb = k / blk, kb0 = kb / F * F, nb = nw->kblocks - kb0 < F ? nw->kblocks - kb0 : F;
    for (size_t c = 0; c < s.c; ++c) {
      for (size_t t = 0; t < taps; ++t) {
        const size_t src = (k * s.c + c) * taps + t;
        const float v = dtype == ARMBENCH_GEMM_BF16 ? load(static_cast<const uint16_t*>(w), src)
                                                    : load(static_cast<const float*>(w), src);
        nw->w[kb0 * nw->cblocks * taps * blk * blk +
              ((((c / blk) * taps + t) * blk + c % blk) * nb + (kb - kb0)) * blk + k % blk] = v;
      }
    }
  }
  nw->xblk = stem_lanes(s, *nw, nw->multi != nullptr);
  *out = nw;
  return 0;
}

void nchwc_free(NchwcWeights* nw) { delete nw; }

int run_nchwc(armbench_gemm_pool* pool, const Geometry& g, const armbench_conv_args& a, const NchwcWeights* nw) {
  const armbench_conv_shape& s = g.s;
  const size_t blk = nw->blk;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  const size_t xcount = nw->cblocks * hp * wp * nw->xblk;
  const size_t ycount = nw->kblocks * g.plane * blk;
  const size_t xelem = nw->bf16 != nullptr ? sizeof(uint16_t) : sizeof(float);
  void* xp = malloc(xcount * xelem);
  float* out = static_cast<float*>(malloc(ycount * sizeof(float)));
  if (xp == nullptr || out == nullptr) {
    free(xp);
    free(out);
    return -ENOMEM;
  }
  const size_t eb = a.dtype == ARMBENCH_GEMM_BF16 ? 2 : 4;
  for (size_t b = 0; b < s.n; ++b) {
    memset(xp, 0, xcount * xelem);
    const void* xb = static_cast<const char*>(a.x) + b * s.c * s.h * s.w * eb;
    if (nw->bf16 != nullptr) {
      pad_to_nchwc(g, static_cast<const uint16_t*>(xb), blk, nw->xblk, static_cast<uint16_t*>(xp),
                   [](const uint16_t* p, size_t i) { return load_raw(p, i); });
    } else if (a.dtype == ARMBENCH_GEMM_BF16) {
      pad_to_nchwc(g, static_cast<const uint16_t*>(xb), blk, nw->xblk, static_cast<float*>(xp),
                   [](const uint16_t* p, size_t i) { return load(p, i); });
    } else {
      pad_to_nchwc(g, static_cast<const float*>(xb), blk, nw->xblk, static_cast<float*>(xp),
                   [](const float* p, size_t i) { return load(p, i); });
    }
    RunCtx ctx{&g, nw, xp, out};
    runtime::pool_run(pool, run_rows, &ctx);
    float* yb = a.y + b * s.k * g.plane;
    armbench_nchwc_to_nchw(out, 1, s.k, g.oh, g.ow, blk, yb);
    const float* res = a.epilogue.residual != nullptr ? a.epilogue.residual + b * s.k * g.plane : nullptr;
    apply_epilogue(a.epilogue, yb, res, g.plane, 0, s.k, g.plane);
  }
  free(xp);
  free(out);
  return 0;
}

namespace {

// The padded input frame of run_nchwc_blocked (or a worker's rows of it, run_depthwise):
// one per thread, grown as needed and kept, so a network's convs neither allocate nor
// zero a whole frame per call. 64-byte aligned: a row of whole vectors then never splits
// a load across two cache lines (malloc's large blocks sit 16 bytes past a page).
struct Frame {
  void* p = nullptr;
  size_t bytes = 0;
  ~Frame() { free(p); }
};

void* frame_buffer(size_t bytes) {
  static thread_local Frame f;
  if (bytes > f.bytes) {
    free(f.p);
    f.bytes = 0;
    f.p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (f.p == nullptr) return nullptr;
    f.bytes = bytes;
  }
  return f.p;
}

// The padding rows and columns of every channel block of a frame (hp x wp pixels of blk
// elements of elem bytes): what another conv left there is not zero.
void zero_border(char* xp, size_t elem, size_t cblocks, const armbench_conv_shape& s, size_t blk) {
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  const size_t pix = blk * elem, row = wp * pix;
  for (size_t cb = 0; cb < cblocks; ++cb) {
    char* f = xp + cb * hp * row;
    if (s.pad_top > 0) memset(f, 0, s.pad_top * row);
    if (s.pad_bottom > 0) memset(f + (s.pad_top + s.h) * row, 0, s.pad_bottom * row);
    for (size_t iy = s.pad_top; iy < s.pad_top + s.h; ++iy) {
      if (s.pad_left > 0) memset(f + iy * row, 0, s.pad_left * pix);
      if (s.pad_right > 0) memset(f + iy * row + (s.pad_left + s.w) * pix, 0, s.pad_right * pix);
    }
  }
}

// One batch item's x into the frame's interior, its (block, row) rows split over the
// pool. Row by row: NCHWc rows are already w x blk contiguous, so this is a copy (or a
// conversion) into the padded frame, not a transpose.
struct FrameCopy {
  const armbench_conv_shape* s;
  bool x_nchw;  // x is NCHW planes (a first conv), not NCHWc
  size_t blk, cblocks;
  size_t lanes;  // of the frame: blk, or a stem's kStemLanes (the first lanes of each pixel)
  const float* x;
  void* frame;
  bool bf16_kernel, round;
};

// The element a frame holds for fp32 v: bf16 bits for the bf16 kernel, v rounded to
// bf16 for a bf16 plan on the fp32 kernel, else v.
void put(const FrameCopy& c, void* frame, size_t at, float v) {
  if (c.bf16_kernel) {
    static_cast<uint16_t*>(frame)[at] = armbench_f32_to_bf16(v, ARMBENCH_BF16_RNE);
  } else {
    static_cast<float*>(frame)[at] = c.round ? armbench_bf16_to_f32(armbench_f32_to_bf16(v, ARMBENCH_BF16_RNE)) : v;
  }
}

// One NCHWc row of x (w pixels of a block) into `frame` at element `at`: copied,
// converted to bf16 for the bf16 kernel, rounded for a bf16 plan on the fp32 kernel, or
// narrowed to a stem's lanes.
void copy_row(const FrameCopy& c, const float* src, void* frame, size_t at) {
  const size_t len = c.s->w * c.blk;
  if (c.lanes != c.blk) {
    // A stem's compact frame: the first lanes of each pixel (the rest are zero).
    for (size_t px = 0; px < c.s->w; ++px)
      for (size_t l = 0; l < c.lanes; ++l) put(c, frame, at + px * c.lanes + l, src[px * c.blk + l]);
  } else if (c.bf16_kernel) {
    armbench_f32_to_bf16_array(src, static_cast<uint16_t*>(frame) + at, len, ARMBENCH_BF16_RNE);
  } else if (c.round) {
    // The fp32 kernel on x rounded to bf16 (no bf16 kernel on this CPU, or depthwise),
    // as the NCHW path runs it on bf16 x widened: through the vector converters, a
    // piece of the row at a time.
    float* dst = static_cast<float*>(frame) + at;
    uint16_t piece[1024];
    for (size_t i = 0; i < len; i += 1024) {
      const size_t n = len - i < 1024 ? len - i : 1024;
      armbench_f32_to_bf16_array(src + i, piece, n, ARMBENCH_BF16_RNE);
      armbench_bf16_to_f32_array(piece, dst + i, n);
    }
  } else {
    memcpy(static_cast<float*>(frame) + at, src, len * sizeof(float));
  }
}

void copy_rows(void* p, int index, int threads) {
  const FrameCopy& c = *static_cast<const FrameCopy*>(p);
  const armbench_conv_shape& s = *c.s;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  size_t r0, r1;
  if (c.x_nchw) {
    // A (block, row) row gathered from the block's channel planes, every lane written
    // (those past c zero: the frame is reused, not zeroed).
    runtime::pool_share(c.cblocks * s.h, index, threads, &r0, &r1);
    for (size_t r = r0; r < r1; ++r) {
      const size_t cb = r / s.h, iy = r % s.h;
      const size_t at = ((cb * hp + iy + s.pad_top) * wp + s.pad_left) * c.lanes;
      if (c.lanes == kStemLanes && !c.bf16_kernel && !c.round && cb == 0 && s.c == 3) {
        // An RGB image into a stem's 4-lane frame, a pixel at a time: the lanes loop
        // with a constant count the compiler turns into shuffles. Lane by lane, the
        // strided stores cost MobileNet-v2's stem 40 % of its time (0.085 of 0.21 ms).
        const float* red = c.x + iy * s.w;
        const float* green = red + s.h * s.w;
        const float* blue = green + s.h * s.w;
        float* dst = static_cast<float*>(c.frame) + at;
        for (size_t px = 0; px < s.w; ++px) {
          const float v[kStemLanes] = {red[px], green[px], blue[px], 0.0f};
          for (size_t l = 0; l < kStemLanes; ++l) dst[px * kStemLanes + l] = v[l];
        }
        continue;
      }
      for (size_t l = 0; l < c.lanes; ++l) {
        const size_t ch = cb * c.blk + l;
        const float* src = ch < s.c ? c.x + (ch * s.h + iy) * s.w : nullptr;
        if (!c.bf16_kernel && !c.round) {
          // fp32 as it is: plain strided stores (put's checks per element cost a stem's
          // whole frame as much again as its sums).
          float* dst = static_cast<float*>(c.frame) + at + l;
          if (src != nullptr) {
            for (size_t px = 0; px < s.w; ++px) dst[px * c.lanes] = src[px];
          } else {
            for (size_t px = 0; px < s.w; ++px) dst[px * c.lanes] = 0.0f;
          }
          continue;
        }
        for (size_t px = 0; px < s.w; ++px) put(c, c.frame, at + px * c.lanes + l, src != nullptr ? src[px] : 0.0f);
      }
    }
    return;
  }
  runtime::pool_share(c.cblocks * s.h, index, threads, &r0, &r1);
  for (size_t r = r0; r < r1; ++r) {
    const size_t cb = r / s.h, iy = r % s.h;
    copy_row(c, c.x + r * s.w * c.blk, c.frame, ((cb * hp + iy + s.pad_top) * wp + s.pad_left) * c.lanes);
  }
}

}  // namespace

int run_nchwc_blocked(armbench_gemm_pool* pool, const Geometry& g, armbench_gemm_dtype dtype, const float* x, float* y,
                      const armbench_conv_epilogue& e, const NchwcWeights* nw, bool x_nchw) {
  const armbench_conv_shape& s = g.s;
  const size_t blk = nw->blk;
  const size_t hp = s.h + s.pad_top + s.pad_bottom, wp = s.w + s.pad_left + s.pad_right;
  const size_t xitem = x_nchw ? s.c * s.h * s.w : nw->cblocks * s.h * s.w * blk, yitem = nw->kblocks * g.plane * blk;
  const bool bf16_kernel = nw->bf16 != nullptr;
  const bool round = dtype == ARMBENCH_GEMM_BF16;
  const bool padded = hp != s.h || wp != s.w;
  // Unpadded fp32 x already is the kernel's input: read in place, nothing copied. A
  // depthwise conv on NCHWc x copies the rows each item reads as it goes (run_depthwise).
  const bool own_rows = nw->depthwise && !x_nchw && !bf16_kernel && nw->xblk == blk && (padded || round);
  const bool copy = !own_rows && (padded || round || nw->xblk != blk || x_nchw);
  const size_t xcount = nw->cblocks * hp * wp * nw->xblk;
  const size_t xelem = bf16_kernel ? sizeof(uint16_t) : sizeof(float);
  void* xp = nullptr;
  if (copy) {
    xp = frame_buffer(xcount * xelem);
    if (xp == nullptr) return -ENOMEM;
    // Each batch item rewrites the interior only, so the border, zeroed here, stays zero.
    zero_border(static_cast<char*>(xp), xelem, nw->cblocks, s, nw->xblk);
  }
  for (size_t b = 0; b < s.n; ++b) {
    const float* xb = x + b * xitem;
    FrameCopy fc{&s, x_nchw, blk, nw->cblocks, nw->xblk, xb, xp, bf16_kernel, round};
    RunCtx ctx{&g, nw, copy ? xp : xb, y + b * yitem};
    ctx.epilogue = &e;
    ctx.residual = e.residual != nullptr ? e.residual + b * yitem : nullptr;
    if (copy) {
      ctx.copy = &fc;
      ctx.pool = pool;
    }
    std::atomic<bool> out_of_memory{false};
    if (own_rows) {
      ctx.rows_from = &fc;
      ctx.x_rows = xb;
      ctx.out_of_memory = &out_of_memory;
    }
    runtime::pool_run(pool, run_rows, &ctx);
    if (out_of_memory.load()) return -ENOMEM;
  }
  return 0;
}

namespace {

// Pixels per tile of the general transforms: a tile of the blocked side (kTile x block
// floats, 4 KiB at block 16) stays in L1 while block strided rows of the plain side
// stream through it; a whole plane at a time would write each cache line block times.
constexpr size_t kTile = 64;
// The largest block the pixel-at-a-time path of a partial block takes.
constexpr size_t kMaxBlock = 64;

// One full channel block of one batch item, pixel by pixel: a block known at compile
// time lets the compiler keep the B row pointers in registers and write (or read) each
// blocked pixel as one contiguous run; about 1.5x the tiled loop here.
template <size_t B>
void block_to_nchwc(const float* x, size_t plane, float* dst) {
  const float* src[B];
  for (size_t o = 0; o < B; ++o) src[o] = x + o * plane;
  for (size_t p = 0; p < plane; ++p)
    for (size_t o = 0; o < B; ++o) dst[p * B + o] = src[o][p];
}
template <size_t B>
void block_to_nchw(const float* blocked, size_t plane, float* y) {
  float* dst[B];
  for (size_t o = 0; o < B; ++o) dst[o] = y + o * plane;
  for (size_t p = 0; p < plane; ++p)
    for (size_t o = 0; o < B; ++o) dst[o][p] = blocked[p * B + o];
}

// The block sizes armbench_nchwc_block() gives; false for any other (the general loop).
bool fixed_to_nchwc(const float* x, size_t block, size_t plane, float* dst) {
  switch (block) {
    case 4: block_to_nchwc<4>(x, plane, dst); return true;
    case 8: block_to_nchwc<8>(x, plane, dst); return true;
    case 16: block_to_nchwc<16>(x, plane, dst); return true;
    default: return false;
  }
}
bool fixed_to_nchw(const float* blocked, size_t block, size_t plane, float* y) {
  switch (block) {
    case 4: block_to_nchw<4>(blocked, plane, y); return true;
    case 8: block_to_nchw<8>(blocked, plane, y); return true;
    case 16: block_to_nchw<16>(blocked, plane, y); return true;
    default: return false;
  }
}

}  // namespace

}  // namespace conv
}  // namespace armbench

using armbench::conv::fixed_to_nchw;
using armbench::conv::fixed_to_nchwc;
using armbench::conv::kMaxBlock;
using armbench::conv::kTile;

extern "C" {

size_t armbench_nchwc_block(void) { return armbench::conv::choice().blk; }

// y: n x ceil(c / block) x h x w x block; channels past c zero.
int armbench_nchw_to_nchwc(const float* x, size_t n, size_t c, size_t h, size_t w, size_t block, float* y) {
  if (x == nullptr || y == nullptr || n == 0 || c == 0 || h == 0 || w == 0 || block == 0) return -EINVAL;
  const size_t cb = (c + block - 1) / block, plane = h * w;
  for (size_t b = 0; b < n; ++b) {
    for (size_t q = 0; q < cb; ++q) {
      float* dst = y + (b * cb + q) * plane * block;
      if ((q + 1) * block <= c && fixed_to_nchwc(x + (b * c + q * block) * plane, block, plane, dst)) continue;
      if (block <= kMaxBlock) {
        // A last block of few channels (a 3-channel image): pixel by pixel, each block
        // written once, front to back (no tile pass per channel over the whole block).
        const size_t used = c - q * block < block ? c - q * block : block;
        const float* src[kMaxBlock];
        for (size_t o = 0; o < used; ++o) src[o] = x + (b * c + q * block + o) * plane;
        for (size_t p = 0; p < plane; ++p) {
          float* d = dst + p * block;
          for (size_t o = 0; o < used; ++o) d[o] = src[o][p];
          for (size_t o = used; o < block; ++o) d[o] = 0.0f;
        }
        continue;
      }
      for (size_t p0 = 0; p0 < plane; p0 += kTile) {
        const size_t p1 = p0 + kTile < plane ? p0 + kTile : plane;
        for (size_t o = 0; o < block; ++o) {
          const size_t ch = q * block + o;
          if (ch >= c) {
            for (size_t p = p0; p < p1; ++p) dst[p * block + o] = 0.0f;
          } else {
            const float* src = x + (b * c + ch) * plane;
            for (size_t p = p0; p < p1; ++p) dst[p * block + o] = src[p];
          }
        }
      }
    }
  }
  return 0;
}

// The inverse: the padding channels are dropped.
int armbench_nchwc_to_nchw(const float* x, size_t n, size_t c, size_t h, size_t w, size_t block, float* y) {
  if (x == nullptr || y == nullptr || n == 0 || c == 0 || h == 0 || w == 0 || block == 0) return -EINVAL;
  const size_t cb = (c + block - 1) / block, plane = h * w;
  for (size_t b = 0; b < n; ++b) {
    for (size_t q = 0; q < cb; ++q) {
      const float* blocked = x + (b * cb + q) * plane * block;
      const size_t used = c - q * block < block ? c - q * block : block;
      if (used == block && fixed_to_nchw(blocked, block, plane, y + (b * c + q * block) * plane)) continue;
      for (size_t p0 = 0; p0 < plane; p0 += kTile) {
        const size_t p1 = p0 + kTile < plane ? p0 + kTile : plane;
        for (size_t o = 0; o < used; ++o) {
          float* dst = y + (b * c + q * block + o) * plane;
          for (size_t p = p0; p < p1; ++p) dst[p] = blocked[p * block + o];
        }
      }
    }
  }
  return 0;
}

}  // extern "C"
