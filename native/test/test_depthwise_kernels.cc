// The depthwise 3x3 row kernels one by one, against double sums of the formula in
// depthwise.h: every kernel this CPU runs, not only the one the dispatcher picks. Runs of
// 1 to 130 columns exercise every split into register blocks and every ragged end
// (masked on AVX-512, column by column on NEON); stride 1 and 2 (rows de-interleaved),
// vertical stride 1 and 2; 1 to kDepthwiseMaxRows output rows per call (an odd count, the
// last row alone); input rows in the padding (nullptr) at the top, the bottom, or none.
// Each input row is exactly as long as the contract allows. Bound: (9 + 4) * 2^-24 *
// sum |x w| per output (fp32 accumulation).
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <vector>

#include "../src/conv/depthwise.h"
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
  // Every aarch64 CPU has NEON; x86-64 without AVX-512 has no kernel (the portable path).
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) || armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW)) CHECK(ran >= 1);
  return check::summary("test_depthwise_kernels");
}
