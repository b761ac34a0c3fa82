// The depthwise 3x3 row kernels one by one, against double sums of the formula in
// depthwise.h: every kernel this CPU runs, not only the one the dispatcher picks. Runs of
// 1 to 130 columns exercise every split into register blocks and every ragged end
// (masked on AVX-512, column by column on NEON); stride 1 and 2 (rows de-interleaved),
// vertical stride 1 and 2; 1 to kDepthwiseMaxRows output rows per call (an odd count, the
// last row alone); input rows in the padding (nullptr) at the top, the bottom, or none.
// Each input row is exactly as long as the contract allows. Bound: (9 + 4) * 2^-24 *
// sum |x w| per output (fp32 accumulation). Then the stride-2 copies that make those
// de-interleaved rows (check_split), and the ring the layer copies rows into
// (check_ring).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vector>

#include "../src/conv/depthwise.h"
#include "armbench/cache_info.h"
#include "armbench/conv.h"
#include "armbench/cpu_features.h"
#include "check.h"
#include "test_data.h"

using armbench::conv::DepthwiseRow;
using armbench::conv::DepthwiseRowKernel;
using armbench::conv::kDepthwiseMaxRows;

namespace {

void check_kernel(DepthwiseRowKernel k, const char* name) {
  for (const size_t stride : {1, 2}) {
    for (const size_t row_step : {1, 2}) {
      for (size_t rows = 1; rows <= kDepthwiseMaxRows; ++rows) {
        const size_t in = (rows - 1) * row_step + 3;
        for (size_t n = 1; n <= 130; n += n < 20 ? 1 : 7) {
          // Elements X(r, e) of a row for e <= (n - 1) * stride + 2, stored as the contract says.
          const size_t elems = (n - 1) * stride + 3;
          const size_t half = stride == 2 ? (elems + 1) / 2 : 0;
          const size_t len = stride == 2 ? half + elems / 2 : elems;
          for (int missing = -1; missing < 3; missing += 2) {  // none, the top row, the bottom row
            const int gone = missing < 0 ? -1 : missing == 1 ? 0 : static_cast<int>(in) - 1;
            std::vector<std::vector<float>> store(in, std::vector<float>(len));
            std::vector<std::vector<double>> xf(in, std::vector<double>(elems));
            float w[12] = {};
            for (size_t t = 0; t < 9; ++t) w[t] = test_data::random_value();
            for (size_t r = 0; r < in; ++r) {
              for (size_t e = 0; e < elems; ++e) {
                const float v = test_data::random_value();
                xf[r][e] = v;
                store[r][stride == 2 ? (e % 2 != 0 ? half + e / 2 : e / 2) : e] = v;
              }
            }
            std::vector<float> y(rows * n, NAN);
            DepthwiseRow a{};
            for (size_t r = 0; r < in; ++r) a.x[r] = static_cast<int>(r) == gone ? nullptr : store[r].data();
            a.w = w;
            a.y = y.data();
            a.y_stride = n;
            a.rows = rows;
            a.row_step = row_step;
            a.n = n;
            a.stride = stride;
            a.half = half;
            k(a);
            bool ok = true;
            for (size_t o = 0; o < rows && ok; ++o) {
              for (size_t t = 0; t < n && ok; ++t) {
                double want = 0, mag = 0;
                // The contract's order, one fused multiply-add per tap (a first product
                // instead of 0 + it differs only in the sign of a zero sum, equal by ==).
                float seq = 0.0f;
                for (size_t i = 0; i < 3; ++i) {
                  const size_t r = o * row_step + i;
                  if (static_cast<int>(r) == gone) continue;
                  for (size_t j = 0; j < 3; ++j) {
                    want += w[i * 3 + j] * xf[r][t * stride + j];
                    mag += fabs(w[i * 3 + j] * xf[r][t * stride + j]);
                    seq = fmaf(w[i * 3 + j], static_cast<float>(xf[r][t * stride + j]), seq);
                  }
                }
                if (!(fabs(y[o * n + t] - want) <= 13 * ldexp(1.0, -24) * mag) || !(y[o * n + t] == seq)) {
                  fprintf(stderr, "    %s n=%zu stride=%zu row_step=%zu rows=%zu missing row %d: [%zu][%zu] = %.9g, want %.9g (in order: %.9g)\n",
                          name, n, stride, row_step, rows, gone, o, t, y[o * n + t], want, seq);
                  ok = false;
                }
              }
            }
            CHECK(ok);
          }
        }
      }
    }
  }
}

// A stride-2 copy (DepthwiseSplit) against the contract in depthwise.h, bit for bit: the
// portable loops and every vector set this CPU runs. Widths 1 to 100 (odd and even, every
// ragged end of 8-, 16- and 32-position steps) with left paddings 0 to 35 (odd ones start
// a row at an odd position; 32 and more, past a first whole vector of padding), 1 to 3
// rows, rows 0 to 3 elements longer than padding plus width. Sources are random bit
// patterns (NaN payloads and subnormals included: the copy moves bits, it computes
// nothing); every element it must not write, past the last row too, is a canary.
template <typename T>
void check_split(const armbench::conv::DepthwiseSplit& set, const char* name) {
  auto fn = [&set]() {
    if constexpr (sizeof(T) == sizeof(float)) {
      return set.f32;
    } else {
      return set.bf16;
    }
  }();
  const char* dtype = sizeof(T) == sizeof(float) ? "fp32" : "bf16";
  const uint32_t canary = 0x7fa5a5a5u;
  int bad = 0;
  for (size_t w = 1; w <= 100; w += w < 40 ? 1 : 3) {
    for (size_t pl = 0; pl <= 35; pl += pl < 6 ? 1 : pl < 30 ? 5 : 1) {
      for (size_t rows = 1; rows <= 3; ++rows) {
        for (size_t extra = 0; extra <= 3; ++extra) {
          const size_t len = pl + w + extra, half = (len + 1) / 2;
          std::vector<T> src(rows * w);
          for (T& v : src) {
            const uint64_t r = test_data::next_u64();
            memcpy(&v, &r, sizeof v);
          }
          std::vector<uint32_t> want(rows * len + 40, canary), got(rows * len + 40, canary);
          for (size_t r = 0; r < rows; ++r) {
            for (size_t e = 0; e < w; ++e) {
              const size_t q = pl + e;
              uint32_t bits = 0;
              memcpy(&bits, &src[r * w + e], sizeof(T));
              if (sizeof(T) == sizeof(uint16_t)) bits <<= 16;
              want[r * len + (q % 2 != 0 ? half : 0) + q / 2] = bits;
            }
          }
          fn(src.data(), rows, w, reinterpret_cast<float*>(got.data()), len, pl, half);
          if (got != want && bad++ < 5) {
            size_t at = 0;
            while (got[at] == want[at]) ++at;
            fprintf(stderr, "    split %s %s w=%zu pad_left=%zu rows=%zu len=%zu: element %zu is %08x, want %08x\n",
                    name, dtype, w, pl, rows, len, at, got[at], want[at]);
          }
        }
      }
    }
  }
  CHECK(bad == 0);
}

// The layer through the C ABI with the ring of copied rows cut to its smallest (a 1 KiB
// L1d: 9 rows, refilled and wrapped many times down a plane) against the same layer
// with the whole plane in the ring (a 64 MiB L1d), bit for bit: the same kernel on the
// same rows, whichever ring row holds them. Heights well past 9 rows; vertical stride 1,
// 2 (4 output rows per call) and 3 (rows skipped, one output row per call); top padding
// 0 to 2; odd and even widths at both horizontal strides; bf16 and fp32.
void check_ring() {
  const armbench_cache_sizes saved = armbench_get_cache_sizes();
  int bad = 0, ran = 0;
  for (const size_t stride_w : {1, 2}) {
    for (const size_t stride_h : {1, 2, 3}) {
      for (const size_t pad : {0, 1, 2}) {
        for (const size_t w : {13, 40}) {
          for (const int bf : {0, 1}) {
            armbench_conv_shape s{};
            s.n = 2, s.c = s.k = s.groups = 3, s.h = 37, s.w = w, s.r = s.s = 3;
            s.stride_h = stride_h, s.stride_w = stride_w, s.dilation_h = s.dilation_w = 1;
            s.pad_top = s.pad_bottom = pad, s.pad_left = s.pad_right = 1;
            size_t oh = 0, ow = 0;
            if (armbench_conv_output(&s, &oh, &ow, nullptr, 0) != 0) continue;
            std::vector<float> xf(s.n * s.c * s.h * s.w), wf(s.k * 9);
            for (float& v : xf) v = test_data::random_value();
            for (float& v : wf) v = test_data::random_value();
            std::vector<uint16_t> xb(xf.size()), wb(wf.size());
            for (size_t i = 0; i < xf.size(); ++i) xb[i] = test_data::f32_to_bf16_trunc(xf[i]);
            for (size_t i = 0; i < wf.size(); ++i) wb[i] = test_data::f32_to_bf16_trunc(wf[i]);
            armbench_conv_args a{};
            a.shape = s;
            a.dtype = bf ? ARMBENCH_GEMM_BF16 : ARMBENCH_GEMM_F32;
            a.x = bf ? static_cast<const void*>(xb.data()) : xf.data();
            a.w = bf ? static_cast<const void*>(wb.data()) : wf.data();
            std::vector<float> small(s.n * s.k * oh * ow, NAN), whole(small.size(), NAN);
            CHECK(armbench_set_cache_sizes(1 << 10, 1 << 20, 1 << 20) == 0);
            a.y = small.data();
            const int rc_small = armbench_conv(nullptr, ARMBENCH_CONV_DEPTHWISE, &a);
            CHECK(armbench_set_cache_sizes(64ull << 20, 64ull << 20, 64ull << 20) == 0);
            a.y = whole.data();
            const int rc_whole = armbench_conv(nullptr, ARMBENCH_CONV_DEPTHWISE, &a);
            ++ran;
            const bool same = memcmp(small.data(), whole.data(), small.size() * sizeof(float)) == 0;
            if ((rc_small != 0 || rc_whole != 0 || !same) && bad++ < 5) {
              fprintf(stderr, "    ring: %s stride %zux%zu pad_top %zu w %zu: rc %d/%d, outputs differ\n",
                      bf ? "bf16" : "fp32", stride_h, stride_w, pad, w, rc_small, rc_whole);
            }
          }
        }
      }
    }
  }
  armbench_set_cache_sizes(saved.l1d, saved.l2, saved.l3);
  CHECK(ran == 72);
  CHECK(bad == 0);
}

}  // namespace

int main() {
  int ran = 0;
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) &&
      armbench::conv::depthwise_row_avx512()) {
    check_kernel(armbench::conv::depthwise_row_avx512(), "avx512");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && armbench::conv::depthwise_row_neon()) {
    check_kernel(armbench::conv::depthwise_row_neon(), "neon");
    ++ran;
  }
  printf("%d depthwise row kernels checked on this CPU\n", ran);

  check_split<float>(armbench::conv::depthwise_split_portable(), "portable");
  check_split<uint16_t>(armbench::conv::depthwise_split_portable(), "portable");
  int splits = 0;
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) &&
      armbench::conv::depthwise_row_avx512()) {
    const armbench::conv::DepthwiseSplit k = armbench::conv::depthwise_split_avx512();
    CHECK(k.f32 != nullptr && k.bf16 != nullptr);
    check_split<float>(k, "avx512");
    check_split<uint16_t>(k, "avx512");
    ++splits;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && armbench::conv::depthwise_row_neon()) {
    const armbench::conv::DepthwiseSplit k = armbench::conv::depthwise_split_neon();
    CHECK(k.f32 != nullptr && k.bf16 != nullptr);
    check_split<float>(k, "neon");
    check_split<uint16_t>(k, "neon");
    ++splits;
  }
  printf("%d vector stride-2 copies checked on this CPU, and the portable one\n", splits);
  CHECK(splits == ran);

  check_ring();
  // Every aarch64 CPU has NEON; x86-64 without AVX-512 has no kernel (the portable path).
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) || armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW)) CHECK(ran >= 1);
  return check::summary("test_depthwise_kernels");
}
