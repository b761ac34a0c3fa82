// The depthwise 3x3 row kernels one by one, against double sums of the formula in
// depthwise.h: every kernel this CPU runs, not only the one the dispatcher picks. Runs of
// 1 to 130 columns exercise every split into register blocks and every ragged end
// (masked on AVX-512, column by column on NEON); stride 1 and 2; kernel rows in the
// padding (nullptr) at the top, the bottom, or none. Each input row is exactly as long
// as the contract allows (the last tap plus stride - 1). Bound: (9 + 4) * 2^-24 *
// sum |x w| per output (fp32 accumulation; bf16 products are exact in fp32).
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

namespace {

template <typename T>
void check_kernel(DepthwiseRowKernel k, bool bf16, const char* name) {
  for (const size_t stride : {1, 2}) {
    for (size_t n = 1; n <= 130; n += n < 20 ? 1 : 7) {
      const size_t len = (n - 1) * stride + 3 + (stride - 1);
      for (int missing = -1; missing < 3; missing += 2) {  // none, the top row, the bottom row
        std::vector<std::vector<T>> rows(3, std::vector<T>(len));
        std::vector<std::vector<double>> xf(3, std::vector<double>(len));
        float w[9];
        double wf[9];
        for (size_t t = 0; t < 9; ++t) {
          const float v = bf16 ? test_data::bf16_to_f32(test_data::f32_to_bf16_trunc(test_data::random_value()))
                               : test_data::random_value();
          w[t] = v;
          wf[t] = v;
        }
        for (size_t i = 0; i < 3; ++i) {
          for (size_t e = 0; e < len; ++e) {
            const float v = test_data::random_value();
            if (bf16) {
              const uint16_t h = test_data::f32_to_bf16_trunc(v);
              rows[i][e] = static_cast<T>(h);
              xf[i][e] = test_data::bf16_to_f32(h);
            } else {
              rows[i][e] = static_cast<T>(v);
              xf[i][e] = static_cast<float>(rows[i][e]);
            }
          }
        }
        std::vector<float> y(n, NAN);
        DepthwiseRow a{};
        for (size_t i = 0; i < 3; ++i) {
          a.x[i] = static_cast<int>(i) == missing ? nullptr : rows[i].data();
        }
        a.w = w;
        a.y = y.data();
        a.n = n;
        a.stride = stride;
        k(a);
        bool ok = true;
        for (size_t t = 0; t < n && ok; ++t) {
          double want = 0, mag = 0;
          for (size_t i = 0; i < 3; ++i) {
            if (static_cast<int>(i) == missing) continue;
            for (size_t j = 0; j < 3; ++j) {
              want += wf[i * 3 + j] * xf[i][t * stride + j];
              mag += fabs(wf[i * 3 + j] * xf[i][t * stride + j]);
            }
          }
          if (!(fabs(y[t] - want) <= 13 * ldexp(1.0, -24) * mag)) {
            fprintf(stderr, "    %s n=%zu stride=%zu missing=%d: [%zu] = %.9g, want %.9g\n", name, n, stride, missing,
                    t, y[t], want);
            ok = false;
          }
        }
        CHECK(ok);
      }
    }
  }
}

}  // namespace

int main() {
  int ran = 0;
  if (armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) &&
      armbench::conv::depthwise_row_avx512()) {
    check_kernel<float>(armbench::conv::depthwise_row_avx512(), false, "avx512");
    check_kernel<uint16_t>(armbench::conv::depthwise_row_bf16_avx512(), true, "avx512 bf16");
    ++ran;
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) && armbench::conv::depthwise_row_neon()) {
    check_kernel<float>(armbench::conv::depthwise_row_neon(), false, "neon");
    check_kernel<uint16_t>(armbench::conv::depthwise_row_bf16_neon(), true, "neon bf16");
    ++ran;
  }
  printf("%d depthwise row kernels (fp32 and bf16 each) checked on this CPU\n", ran);
  // Every aarch64 CPU has NEON; x86-64 without AVX-512 has no kernel (the portable path).
  if (armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) || armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW)) CHECK(ran >= 1);
  return check::summary("test_depthwise_kernels");
}
