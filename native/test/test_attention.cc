// The fused attention kernel (armbench_attention) and its scalar reference against a
// double-precision oracle written here from the definition, softmax(scale q kt +
// mask) v per row: odd shapes (sequences not a multiple of the tile, one row, one key,
// head sizes 64 and odd, sq != sk), each mask form graphs give ([B,1,1,S], [B,1,S,S],
// a full [B,H,S,S], a per-row column [S,1], none), a Div-like scale, fp32 and bf16
// (inputs given rounded; the oracle then rounds nothing more, the bound covers the
// probabilities' rounding); the tiles split over two threads giving the bits of one
// call; argument refusals.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <thread>
#include <vector>

#include "../src/ops/ops_internal.h"
#include "armbench/bf16.h"
#include "armbench/gemm.h"
#include "armbench/ops.h"
#include "check.h"
#include "test_data.h"

namespace {

using test_data::random_floats;

struct Case {
  size_t batch, heads, sq, sk, dk, dv;
  int mask;  // 0 none, 1 [B,1,1,Sk], 2 [B,1,Sq,Sk], 3 [B,H,Sq,Sk], 4 [Sq,1]
};

// y in double from the same float (or bf16-rounded) operands.
std::vector<double> oracle(const armbench_attention_args& a, const std::vector<float>& q, const std::vector<float>& kt,
                           const std::vector<float>& v) {
  std::vector<double> y(a.batch * a.heads * a.sq * a.dv), s(a.sk);
  for (size_t b = 0; b < a.batch; ++b)
    for (size_t h = 0; h < a.heads; ++h) {
      const size_t p = b * a.heads + h;
      for (size_t i = 0; i < a.sq; ++i) {
        double m = -INFINITY;
        for (size_t j = 0; j < a.sk; ++j) {
          double acc = 0.0;
          for (size_t d = 0; d < a.dk; ++d) acc += static_cast<double>(q[(p * a.sq + i) * a.dk + d]) * kt[(p * a.dk + d) * a.sk + j];
          s[j] = acc * a.scale;
          if (a.mask)
            s[j] += a.mask[b * a.mask_strides[0] + h * a.mask_strides[1] + i * a.mask_strides[2] + j * a.mask_strides[3]];
          m = s[j] > m ? s[j] : m;
        }
        double sum = 0.0;
        for (size_t j = 0; j < a.sk; ++j) sum += (s[j] = exp(s[j] - m));
        for (size_t c = 0; c < a.dv; ++c) {
          double acc = 0.0;
          for (size_t j = 0; j < a.sk; ++j) acc += s[j] / sum * v[(p * a.sk + j) * a.dv + c];
          y[(p * a.sq + i) * a.dv + c] = acc;
        }
      }
    }
  return y;
}

double max_err(const std::vector<float>& got, const std::vector<double>& want) {
  double e = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = fabs(static_cast<double>(got[i]) - want[i]);
    e = d > e || d != d ? d : e;
  }
  return e;
}

std::vector<uint16_t> to_bf16(const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size());
  armbench_f32_to_bf16_array(x.data(), h.data(), x.size(), ARMBENCH_BF16_RNE);
  return h;
}

std::vector<float> rounded(const std::vector<float>& x) {
  std::vector<float> r(x.size());
  armbench_bf16_to_f32_array(to_bf16(x).data(), r.data(), x.size());
  return r;
}

void run_case(const Case& c, armbench_gemm_dtype dtype, uint64_t seed) {
  const size_t problems = c.batch * c.heads;
  std::vector<float> q = random_floats(problems * c.sq * c.dk, -1.0f, 1.0f, seed);
  std::vector<float> kt = random_floats(problems * c.dk * c.sk, -1.0f, 1.0f, seed + 1);
  std::vector<float> v = random_floats(problems * c.sk * c.dv, -1.0f, 1.0f, seed + 2);
  // BERT's mask: 0 where attended, -10000 elsewhere (here every fifth key, or a random
  // value per element for the denser forms).
  std::vector<float> mask;
  armbench_attention_args a{};
  a.batch = c.batch, a.heads = c.heads, a.sq = c.sq, a.sk = c.sk, a.dk = c.dk, a.dv = c.dv;
  a.scale = static_cast<float>(1.0 / sqrt(static_cast<double>(c.dk)));
  a.dtype = dtype;
  a.gemm_kernel = armbench_gemm_default_kernel(dtype);
  switch (c.mask) {
    case 1:
      mask.resize(c.batch * c.sk);
      for (size_t i = 0; i < mask.size(); ++i) mask[i] = i % 5 == 3 ? -10000.0f : 0.0f;
      a.mask_strides[0] = c.sk, a.mask_strides[3] = 1;
      break;
    case 2:
      mask = random_floats(c.batch * c.sq * c.sk, -4.0f, 0.0f, seed + 3);
      a.mask_strides[0] = c.sq * c.sk, a.mask_strides[2] = c.sk, a.mask_strides[3] = 1;
      break;
    case 3:
      mask = random_floats(problems * c.sq * c.sk, -4.0f, 0.0f, seed + 3);
      a.mask_strides[0] = c.heads * c.sq * c.sk, a.mask_strides[1] = c.sq * c.sk, a.mask_strides[2] = c.sk;
      a.mask_strides[3] = 1;
      break;
    case 4:
      mask = random_floats(c.sq, -4.0f, 4.0f, seed + 3);
      a.mask_strides[2] = 1;
      break;
  }
  a.mask = mask.empty() ? nullptr : mask.data();
  const bool bf16 = dtype == ARMBENCH_GEMM_BF16;
  std::vector<uint16_t> qh, kh, vh;
  if (bf16) {
    qh = to_bf16(q), kh = to_bf16(kt), vh = to_bf16(v);
    q = rounded(q), kt = rounded(kt), v = rounded(v);
    a.q = qh.data(), a.kt = kh.data(), a.v = vh.data();
  } else {
    a.q = q.data(), a.kt = kt.data(), a.v = v.data();
  }
  const std::vector<double> want = oracle(a, q, kt, v);
  const size_t ny = problems * c.sq * c.dv;
  std::vector<float> fused(ny, NAN), ref(ny, NAN), split(ny, NAN);
  a.y = fused.data();
  const int rc = armbench_attention(&a, 0, SIZE_MAX);
  a.y = ref.data();
  armbench::ops::attention_ref(&a, 0, armbench_attention_tiles(&a));
  // Two threads, the tiles split unevenly: the bits of one call.
  a.y = split.data();
  const size_t tiles = armbench_attention_tiles(&a), cut = tiles / 3;
  int rc0 = -1, rc1 = -1;
  std::thread t0([&] { rc0 = armbench_attention(&a, 0, cut); });
  std::thread t1([&] { rc1 = armbench_attention(&a, cut, tiles); });
  t0.join();
  t1.join();
  // fp32: the scores' fp32 sums and the softmax's float exp, each ~1e-6 of the values
  // here (|y| <= 1); bf16: the probabilities rounded to 8 bits, up to 2^-9 of each.
  const double bound = bf16 ? 4e-3 : 1e-6;
  char what[160];
  snprintf(what, sizeof what, "%s b%zu h%zu sq%zu sk%zu dk%zu dv%zu mask%d", bf16 ? "bf16" : "fp32", c.batch, c.heads,
           c.sq, c.sk, c.dk, c.dv, c.mask);
  const double ef = max_err(fused, want), er = max_err(ref, want);
  printf("%s: max error fused %.2g, reference %.2g\n", what, ef, er);
  CHECK_MSG(rc == 0, "%s: rc %d", what, rc);
  CHECK_MSG(rc0 == 0 && rc1 == 0, "%s: split rc %d %d", what, rc0, rc1);
  CHECK_MSG(ef <= bound, "%s: fused max error %.3g > %.3g", what, ef, bound);
  CHECK_MSG(er <= bound, "%s: reference max error %.3g > %.3g", what, er, bound);
  CHECK_MSG(memcmp(fused.data(), split.data(), ny * sizeof(float)) == 0, "%s: two threads differ from one call", what);
}

void test_shapes() {
  const size_t t = armbench_attention_tile_rows();
  const Case cases[] = {
      {1, 2, t + 5, 53, 64, 64, 1},      {2, 3, 2 * t + 1, 2 * t + 1, 7, 5, 2}, {1, 1, 1, 1, 1, 1, 0},
      {2, 2, t - 1, 130, 64, 64, 3},     {1, 3, 45, 17, 33, 19, 4},            {2, 1, 3 * t, 70, 64, 64, 0},
      {1, 1, 9, 300, 64, 64, 1},
  };
  uint64_t seed = 11;
  for (const Case& c : cases) {
    run_case(c, ARMBENCH_GEMM_F32, seed);
    run_case(c, ARMBENCH_GEMM_BF16, seed);
    seed += 7;
  }
  // BERT-base's layer: 12 heads of 128 x 64, its [1,1,1,128] mask (smaller emulated).
  run_case(Case{1, emulated() ? 2u : 12u, 128, 128, 64, 64, 1}, ARMBENCH_GEMM_F32, 5);
}

void test_refusals() {
  float x[4] = {0, 0, 0, 0}, y[4];
  armbench_attention_args a{};
  a.batch = a.heads = a.sq = a.sk = a.dk = a.dv = 1;
  a.scale = 1.0f;
  a.dtype = ARMBENCH_GEMM_F32;
  a.gemm_kernel = armbench_gemm_default_kernel(ARMBENCH_GEMM_F32);
  a.q = a.kt = a.v = x;
  a.y = y;
  CHECK(armbench_attention(&a, 0, SIZE_MAX) == 0);
  CHECK(y[0] == 0.0f);  // one key: probability 1, times v = 0
  CHECK(armbench_attention(nullptr, 0, 1) == -EINVAL);
  armbench_attention_args b = a;
  b.sk = 0;
  CHECK(armbench_attention(&b, 0, 1) == -EINVAL);
  CHECK(armbench_attention_tiles(&b) == 0);
  b = a;
  b.scale = NAN;
  CHECK(armbench_attention(&b, 0, 1) == -EINVAL);
  b = a;
  b.v = nullptr;
  CHECK(armbench_attention(&b, 0, 1) == -EINVAL);
  b = a;
  b.dtype = 7;
  CHECK(armbench_attention(&b, 0, 1) == -EINVAL);
  b = a;
  b.gemm_kernel = armbench_gemm_default_kernel(ARMBENCH_GEMM_BF16);  // a kernel of the other dtype
  CHECK(armbench_attention(&b, 0, 1) == -EINVAL);
  b = a;
  b.heads = b.sq = b.sk = size_t{1} << 40;
  CHECK(armbench_attention(&b, 0, 1) == -EINVAL);
}

}  // namespace

int main() {
  printf("ops isa: %s, tile rows %zu\n", armbench_ops_isa(), armbench_attention_tile_rows());
  test_shapes();
  test_refusals();
  return check::summary("test_attention");
}
