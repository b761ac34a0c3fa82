// The integer GEMM (armbench/igemm.h): every kernel of the registry this CPU can run,
// through armbench_igemm, equal (exactly) to a plain int64 triple loop and to the
// reference kernel: shapes with edges against each kernel's mr, nr and kr (and 1),
// several cache blocks, both A types, beta 0 and 1, strides past the row with their
// padding left alone, extreme values with k large enough that the sum nears the int32
// range, packed B equal to unpacked (and its column sums), 2 threads equal to 1.
// Kernels the CPU lacks are listed with their reason and refused with -ENOTSUP; bad
// arguments with -EINVAL, C untouched. The int8 case of armbench_gemm_measure (the path
// `armbench gemm --dtype int8` times) passes its exact check with every kernel here and
// refuses what it cannot measure exactly. The fused dynamic-quantization product
// (quantize.h's armbench_dq_matmul) equals its defining steps bit for bit on each kernel.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "armbench/cpu_features.h"
#include "armbench/gemm.h"
#include "armbench/gemm_measure.h"
#include "armbench/igemm.h"
#include "armbench/quantize.h"
#include "../src/ops/dq_internal.h"
#include "check.h"
#include "test_data.h"

namespace {

// A seeded stream of its own per test (test_data.h's splitmix64).
struct Rng {
  uint64_t s;
  uint64_t next() { return test_data::splitmix(&s); }
};

constexpr int32_t kSentinel = 0x5a5a5a5a;

// One problem: A (m x k, lda), B (k x n, ldb), C (m x n, ldc) with its initial value.
struct Problem {
  armbench_igemm_a_type at;
  size_t m, n, k, lda, ldb, ldc;
  std::vector<uint8_t> a;  // bytes: int8 or uint8 by at
  std::vector<int8_t> b;
  std::vector<int32_t> c0;
};

// kRandom: any value; kExtremes: each element one of its type's two extremes (0 or 255
// for uint8 A, -128 or 127 for int8 A and B); kConst: every element of A a_const and
// of B b_const.
enum class Fill { kRandom, kExtremes, kConst };

struct Values {
  Fill fill;
  int a_const, b_const;
};

uint8_t a_value(Rng& rng, armbench_igemm_a_type at, const Values& v) {
  const bool u8 = at == ARMBENCH_IGEMM_A_U8;
  switch (v.fill) {
    case Fill::kRandom: return static_cast<uint8_t>(rng.next());
    case Fill::kExtremes: return u8 ? ((rng.next() & 1) ? 255 : 0) : ((rng.next() & 1) ? 0x80 : 0x7f);
    case Fill::kConst: return static_cast<uint8_t>(v.a_const);
  }
  return 0;
}

int8_t b_value(Rng& rng, const Values& v) {
  switch (v.fill) {
    case Fill::kRandom: return static_cast<int8_t>(rng.next());
    case Fill::kExtremes: return (rng.next() & 1) ? -128 : 127;
    case Fill::kConst: return static_cast<int8_t>(v.b_const);
  }
  return 0;
}

Problem make(Rng& rng, armbench_igemm_a_type at, size_t m, size_t n, size_t k, size_t pad, const Values& f) {
  Problem p{at, m, n, k, k + pad, n + pad, n + pad, {}, {}, {}};
  p.a.assign(m * p.lda, 0);
  p.b.assign(k * p.ldb, 0);
  p.c0.assign(m * p.ldc, kSentinel);
  for (size_t i = 0; i < m; ++i) {
    for (size_t q = 0; q < k; ++q) p.a[i * p.lda + q] = a_value(rng, at, f);
  }
  for (size_t q = 0; q < k; ++q) {
    for (size_t j = 0; j < n; ++j) p.b[q * p.ldb + j] = b_value(rng, f);
  }
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) p.c0[i * p.ldc + j] = static_cast<int32_t>(rng.next() % 2000001) - 1000000;
  }
  return p;
}

int64_t a_at(const Problem& p, size_t i, size_t q) {
  const uint8_t v = p.a[i * p.lda + q];
  return p.at == ARMBENCH_IGEMM_A_U8 ? int64_t{v} : int64_t{static_cast<int8_t>(v)};
}

// The expected C: the int64 product (+ C when beta), with *fits false when a value
// leaves int32 (then the test itself is wrong, not the kernel).
std::vector<int32_t> expected(const Problem& p, int beta, bool* fits) {
  std::vector<int32_t> c = p.c0;
  *fits = true;
  for (size_t i = 0; i < p.m; ++i) {
    for (size_t j = 0; j < p.n; ++j) {
      int64_t s = beta ? int64_t{p.c0[i * p.ldc + j]} : 0;
      for (size_t q = 0; q < p.k; ++q) s += a_at(p, i, q) * int64_t{p.b[q * p.ldb + j]};
      if (s < INT32_MIN || s > INT32_MAX) *fits = false;
      c[i * p.ldc + j] = static_cast<int32_t>(s);
    }
  }
  return c;
}

armbench_igemm_args args_for(const Problem& p, size_t kernel, int beta, std::vector<int32_t>& c,
                             const armbench_gemm_blocking* blk) {
  armbench_igemm_args x{};
  x.kernel = kernel;
  x.a_type = p.at;
  x.m = p.m;
  x.n = p.n;
  x.k = p.k;
  x.beta = beta;
  x.a = p.a.data();
  x.lda = p.lda;
  x.b = p.b.data();
  x.ldb = p.ldb;
  x.c = c.data();
  x.ldc = p.ldc;
  x.blocking = blk;
  return x;
}

// First differing element, for the message; -1 when equal.
long first_diff(const std::vector<int32_t>& x, const std::vector<int32_t>& y) {
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] != y[i]) return static_cast<long>(i);
  }
  return -1;
}

// One problem on kernel ki: unpacked (no pool, and the 2-thread pool), packed B, and
// the reference kernel, all equal to the int64 product.
void run_case(size_t ki, const Problem& p, int beta, const armbench_gemm_blocking* blk, armbench_gemm_pool* pool2,
              const char* what) {
  const armbench_igemm_kernel* kd = armbench_igemm_kernel_at(ki);
  char label[256];
  snprintf(label, sizeof label, "%s %s m%zu n%zu k%zu %s beta%d%s", kd->name, what, p.m, p.n, p.k,
           p.at == ARMBENCH_IGEMM_A_U8 ? "u8" : "s8", beta, blk ? " blocking given" : "");
  bool fits = false;
  const std::vector<int32_t> want = expected(p, beta, &fits);
  if (!CHECK_MSG(fits, "%s: the test's values leave int32", label)) return;

  std::vector<int32_t> c1 = p.c0;
  armbench_igemm_args x = args_for(p, ki, beta, c1, blk);
  int rc = armbench_igemm(nullptr, &x);
  long d = first_diff(c1, want);
  CHECK_MSG(rc == 0 && d < 0, "%s, 1 thread: rc %d, first difference at %ld: %d, want %d", label, rc, d,
            d < 0 ? 0 : c1[d], d < 0 ? 0 : want[d]);

  if (pool2 != nullptr) {
    std::vector<int32_t> c2 = p.c0;
    x = args_for(p, ki, beta, c2, blk);
    rc = armbench_igemm(pool2, &x);
    d = first_diff(c2, want);
    CHECK_MSG(rc == 0 && d < 0, "%s, 2 threads: rc %d, first difference at %ld", label, rc, d);
  }

  armbench_igemm_packed_b* pk = nullptr;
  rc = armbench_igemm_pack_b(ki, p.k, p.n, p.b.data(), p.ldb, blk, &pk);
  if (CHECK_MSG(rc == 0 && pk != nullptr, "%s: pack_b rc %d", label, rc)) {
    const int32_t* sums = armbench_igemm_packed_b_colsums(pk);
    bool sums_ok = sums != nullptr;
    for (size_t j = 0; sums_ok && j < p.n; ++j) {
      int64_t s = 0;
      for (size_t q = 0; q < p.k; ++q) s += p.b[q * p.ldb + j];
      sums_ok = sums[j] == s;
    }
    CHECK_MSG(sums_ok, "%s: packed column sums differ from B's", label);
    std::vector<int32_t> c3 = p.c0;
    x = args_for(p, ki, beta, c3, nullptr);
    x.b = nullptr;  // ignored with a packed B
    rc = armbench_igemm_packed(pool2, &x, pk);
    d = first_diff(c3, want);
    CHECK_MSG(rc == 0 && d < 0, "%s, packed B: rc %d, first difference at %ld", label, rc, d);
    armbench_igemm_packed_b_free(pk);
  }

  if (ki != 0) {  // the reference kernel on the same problem: the oracle the kernels are held to
    std::vector<int32_t> cr = p.c0;
    x = args_for(p, 0, beta, cr, blk);
    rc = armbench_igemm(nullptr, &x);
    d = first_diff(cr, c1);
    CHECK_MSG(rc == 0 && d < 0, "%s: differs from %s at %ld", label, armbench_igemm_kernel_at(0)->name, d);
  }
}

void test_kernel(size_t ki, armbench_gemm_pool* pool2, Rng& rng) {
  const armbench_igemm_kernel* kd = armbench_igemm_kernel_at(ki);
  const size_t mr = kd->mr, nr = kd->nr, kr = kd->kr;
  struct Shape {
    size_t m, n, k;
  };
  const Shape shapes[] = {
      {1, 1, 1},          {1, 2 * nr + 3, 7},          {2 * mr + 3, 1, 9},           {3, 5, 1},
      {mr, nr, kr},       {mr + 1, nr + 1, kr + 1},    {2 * mr - 1, 2 * nr - 1, 3 * kr - 1},
      {2 * mr, 3 * nr, 64}, {37, 45, 131},
  };
  const armbench_igemm_a_type types[] = {ARMBENCH_IGEMM_A_S8, ARMBENCH_IGEMM_A_U8};
  for (const Shape& s : shapes) {
    for (armbench_igemm_a_type at : types) {
      for (int beta = 0; beta <= 1; ++beta) {
        const Problem p = make(rng, at, s.m, s.n, s.k, (s.m + s.k) % 3 == 0 ? 0 : 5, Values{Fill::kRandom, 0, 0});
        run_case(ki, p, beta, nullptr, pool2, "random");
      }
    }
  }
  // Several mc, kc and nc blocks, the last of each ragged: the compensation must be
  // added once per tile, not once per k block.
  const armbench_gemm_blocking small{2 * mr, 3 * kr, 2 * nr};
  for (armbench_igemm_a_type at : types) {
    const Problem p = make(rng, at, 5 * mr + 3, 5 * nr + 2, 11 * kr + 3, 3, Values{Fill::kRandom, 0, 0});
    run_case(ki, p, 1, &small, pool2, "random");
    run_case(ki, p, 0, &small, pool2, "random");
  }
  // Extremes, k large enough that the sum nears the int32 range. The largest |sum| for
  // every input: uint8 255 x -128 = -32640 per k, so k = 65793 gives -2147483520; int8
  // -128 x -128 = 16384 per k, k = 131071 gives 2147467264. int8 127 x -128 with that k
  // wraps VPDPBUSD's partial sums (A + 128 = 255) before the compensation brings them
  // back; uint8 0 x -128 is zero only once SDOT's (A - 128) x B is compensated.
  struct Extreme {
    armbench_igemm_a_type at;
    int a, b;
    size_t k;
  };
  const Extreme extremes[] = {
      {ARMBENCH_IGEMM_A_U8, 255, -128, 65793}, {ARMBENCH_IGEMM_A_U8, 255, 127, 65793},
      {ARMBENCH_IGEMM_A_U8, 0, -128, 65793},   {ARMBENCH_IGEMM_A_S8, -128, -128, 131071},
      {ARMBENCH_IGEMM_A_S8, 127, -128, 131071}, {ARMBENCH_IGEMM_A_S8, -128, 127, 131071},
  };
  for (const Extreme& e : extremes) {
    const Problem p = make(rng, e.at, 2, nr + 1, e.k, 1, Values{Fill::kConst, e.a, e.b});
    char what[64];
    snprintf(what, sizeof what, "constant A %d, B %d", e.a, e.b);
    run_case(ki, p, 0, nullptr, pool2, what);
    // One k block: the kernel's own sums reach the extremes, not the driver's adds.
    const armbench_gemm_blocking whole{mr, e.k, 4 * nr};
    run_case(ki, p, 0, &whole, pool2, what);
  }
  for (armbench_igemm_a_type at : types) {
    const Problem mix = make(rng, at, mr + 2, nr + 3, 4099, 2, Values{Fill::kExtremes, 0, 0});
    run_case(ki, mix, 1, nullptr, pool2, "mixed extremes");
  }
}

// -EINVAL for each bad argument, C untouched; k == 0 and empty C.
void test_refusals(size_t ki) {
  Rng rng{7};
  const Problem p = make(rng, ARMBENCH_IGEMM_A_S8, 5, 6, 7, 0, Values{Fill::kRandom, 0, 0});
  std::vector<int32_t> c = p.c0;
  const armbench_igemm_args good = args_for(p, ki, 0, c, nullptr);
  struct Bad {
    const char* what;
    void (*edit)(armbench_igemm_args*);
  };
  static const armbench_gemm_blocking zero_kc{8, 0, 8};
  const Bad bad[] = {
      {"kernel out of range", [](armbench_igemm_args* x) { x->kernel = armbench_igemm_kernel_count(); }},
      {"a_type 2", [](armbench_igemm_args* x) { x->a_type = static_cast<armbench_igemm_a_type>(2); }},
      {"beta 2", [](armbench_igemm_args* x) { x->beta = 2; }},
      {"beta -1", [](armbench_igemm_args* x) { x->beta = -1; }},
      {"c NULL", [](armbench_igemm_args* x) { x->c = nullptr; }},
      {"ldc < n", [](armbench_igemm_args* x) { x->ldc = x->n - 1; }},
      {"a NULL", [](armbench_igemm_args* x) { x->a = nullptr; }},
      {"lda < k", [](armbench_igemm_args* x) { x->lda = x->k - 1; }},
      {"b NULL", [](armbench_igemm_args* x) { x->b = nullptr; }},
      {"ldb < n", [](armbench_igemm_args* x) { x->ldb = x->n - 1; }},
      {"m * ldc past size_t", [](armbench_igemm_args* x) { x->m = SIZE_MAX / 2; }},
      {"k * lda past size_t", [](armbench_igemm_args* x) { x->lda = SIZE_MAX / 2; }},
      {"blocking kc 0", [](armbench_igemm_args* x) { x->blocking = &zero_kc; }},
  };
  for (const Bad& b : bad) {
    armbench_igemm_args x = good;
    b.edit(&x);
    const int rc = armbench_igemm(nullptr, &x);
    CHECK_MSG(rc == -EINVAL && c == p.c0, "%s: rc %d, want -EINVAL, C untouched", b.what, rc);
  }
  CHECK(armbench_igemm(nullptr, nullptr) == -EINVAL);

  // k == 0: A and B not read; beta 0 writes zeros, beta 1 leaves C.
  armbench_igemm_args x = good;
  x.k = 0;
  x.a = nullptr;
  x.b = nullptr;
  x.beta = 1;
  CHECK(armbench_igemm(nullptr, &x) == 0 && c == p.c0);
  x.beta = 0;
  bool zeros = armbench_igemm(nullptr, &x) == 0;
  for (size_t i = 0; i < p.m; ++i) {
    for (size_t j = 0; j < p.ldc; ++j) zeros = zeros && c[i * p.ldc + j] == (j < p.n ? 0 : p.c0[i * p.ldc + j]);
  }
  CHECK_MSG(zeros, "k == 0, beta 0: C is not zero");
  c = p.c0;
  x = good;
  x.m = 0;
  x.c = nullptr;
  CHECK(armbench_igemm(nullptr, &x) == 0);

  // Packing and packed runs.
  armbench_igemm_packed_b* pk = nullptr;
  CHECK(armbench_igemm_pack_b(ki, p.k, p.n, p.b.data(), p.ldb, nullptr, nullptr) == -EINVAL);
  CHECK(armbench_igemm_pack_b(ki, p.k, p.n, nullptr, p.ldb, nullptr, &pk) == -EINVAL && pk == nullptr);
  CHECK(armbench_igemm_pack_b(ki, p.k, p.n, p.b.data(), p.n - 1, nullptr, &pk) == -EINVAL && pk == nullptr);
  CHECK(armbench_igemm_pack_b(ki, p.k, p.n, p.b.data(), p.ldb, &zero_kc, &pk) == -EINVAL && pk == nullptr);
  CHECK(armbench_igemm_pack_b(armbench_igemm_kernel_count(), p.k, p.n, p.b.data(), p.ldb, nullptr, &pk) == -EINVAL);
  if (CHECK(armbench_igemm_pack_b(ki, p.k, p.n, p.b.data(), p.ldb, nullptr, &pk) == 0)) {
    x = good;
    x.k = p.k + 1;
    CHECK(armbench_igemm_packed(nullptr, &x, pk) == -EINVAL && c == p.c0);
    x = good;
    x.n = p.n - 1;
    CHECK(armbench_igemm_packed(nullptr, &x, pk) == -EINVAL && c == p.c0);
    x = good;
    x.a = nullptr;
    CHECK(armbench_igemm_packed(nullptr, &x, pk) == -EINVAL && c == p.c0);
    CHECK(armbench_igemm_packed(nullptr, nullptr, pk) == -EINVAL);
    armbench_igemm_packed_b_free(pk);
  }
  CHECK(armbench_igemm_packed(nullptr, &good, nullptr) == -EINVAL && c == p.c0);
  CHECK(armbench_igemm_packed_b_colsums(nullptr) == nullptr);
  armbench_igemm_packed_b_free(nullptr);
}

// ARMBENCH_EXPECT_FEATURES / _ABSENT (set by the aarch64 lane per qemu model): a comma
// list; whether name is in the one named.
bool listed(const char* env, const char* name) {
  const char* v = getenv(env);
  if (v == nullptr) return false;
  const std::string list = std::string(",") + v + ",";
  return list.find(std::string(",") + name + ",") != std::string::npos;
}

// armbench_gemm_measure on an int8 case with kernel ki: checked exactly (edge tiles at
// every side), then timed; the cases it cannot measure exactly are -EINVAL.
void test_measure(size_t ki, armbench_gemm_pool* pool2) {
  armbench_gemm_case c{};
  c.dtype = ARMBENCH_GEMM_INT8;
  c.kernel = ki;
  c.m = 37;
  c.n = 45;
  c.k = 70;
  c.seed = 7;
  c.samples = 2;
  c.min_sample_ns = 0;
  c.warm = 1;
  for (armbench_igemm_a_type at : {ARMBENCH_IGEMM_A_U8, ARMBENCH_IGEMM_A_S8}) {
    c.a_type = at;
    for (armbench_gemm_pool* pool : {static_cast<armbench_gemm_pool*>(nullptr), pool2}) {
      armbench_gemm_check chk{};
      armbench_gemm_timing t[2]{};
      CHECK(armbench_gemm_measure(pool, &c, &chk, t) == 0);
      // As many sampled entries (corners first) as C has, up to 2048.
      CHECK_MSG(chk.passed && chk.max_abs_err == 0 && chk.bound == 0 && chk.checked == 37 * 45,
                "kernel %zu a_type %d: passed %d, max |err| %g, %zu checked", ki, static_cast<int>(at), chk.passed,
                chk.max_abs_err, chk.checked);
      CHECK(chk.zero_fraction < 0.5);
      CHECK(t[0].calls >= 1 && t[1].calls >= 1 && t[0].ns > 0);
    }
  }
  armbench_gemm_check chk{};
  armbench_gemm_timing t[2]{};
  armbench_gemm_case bad = c;
  bad.k = 65794;  // past the depth whose sums always fit int32
  CHECK(armbench_gemm_measure(nullptr, &bad, &chk, t) == -EINVAL);
  bad = c;
  bad.trans_a = 1;
  CHECK(armbench_gemm_measure(nullptr, &bad, &chk, t) == -EINVAL);
  bad = c;
  bad.a_type = static_cast<armbench_igemm_a_type>(5);
  CHECK(armbench_gemm_measure(nullptr, &bad, &chk, t) == -EINVAL);
  bad = c;
  bad.kernel = armbench_igemm_kernel_count();
  CHECK(armbench_gemm_measure(nullptr, &bad, &chk, t) == -EINVAL);
}

// armbench_dq_matmul (quantize.h) on kernel ki, 1 and 2 threads, against the steps that
// define it, composed of the library's own parts: the range and its scale, QuantizeLinear
// (armbench_quantize_f32), MatMulInteger with x's zero point (armbench_matmul_integer),
// the Cast and the scales' product. Equal bit for bit.
void test_dq_matmul(size_t ki, armbench_gemm_pool* pool2, Rng& rng) {
  const size_t shapes[][3] = {{1, 1, 1}, {7, 33, 19}, {64, 200, 130}};
  for (const auto& sh : shapes) {
    const size_t m = sh[0], k = sh[1], n = sh[2];
    std::vector<int8_t> w(k * n);
    std::vector<int32_t> w32(k * n);
    for (size_t i = 0; i < k * n; ++i) w32[i] = w[i] = static_cast<int8_t>(static_cast<int>(rng.next() % 255) - 127);
    std::vector<float> ws(n);
    for (auto& v : ws) v = static_cast<float>(rng.next() % 1000 + 1) / 65536.0f;
    armbench_dq_weights* dw = nullptr;
    if (!CHECK(armbench_dq_weights_pack(ki, k, n, w.data(), ws.data(), &dw) == 0)) continue;
    for (int fill = 0; fill < 3; ++fill) {  // signed values, non-negative ones, zeros
      std::vector<float> x(m * k);
      for (auto& v : x) {
        const float r = static_cast<float>(static_cast<int64_t>(rng.next() % 8001) - 4000) / 1000.0f;
        v = fill == 0 ? r : fill == 1 ? (r < 0 ? -r : r) : 0.0f;
      }
      float lo = 0.0f, hi = 0.0f;
      for (float v : x) lo = v < lo ? v : lo, hi = v > hi ? v : hi;
      const float scale = (hi - lo) / 255.0f;
      int32_t zero = 0;
      const float minus_lo = 0.0f - lo;
      armbench_quantize_f32(&minus_lo, 1, 1, 1, {&scale, 1}, {nullptr, 0}, 0, 255, 0, &zero);
      std::vector<int32_t> xq(m * k), acc(m * n);
      armbench_quantize_f32(x.data(), 1, 1, m * k, {&scale, 1}, {&zero, 1}, 0, 255, 0, xq.data());
      armbench_matmul_integer_args g{};
      g.m = m, g.n = n, g.k = k;
      g.a = xq.data(), g.a_signed = 0;
      g.b = w32.data(), g.b_signed = 1;
      g.a_zero = {&zero, 1};
      g.b_zero = {nullptr, 0};
      g.y = acc.data();
      std::vector<unsigned char> mwork(armbench_matmul_integer_work_bytes(m, n, k));
      g.work = mwork.data();
      if (!CHECK(armbench_matmul_integer(nullptr, ki, &g) == 0)) continue;
      std::vector<float> want(m * n);
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) want[i * n + j] = static_cast<float>(acc[i * n + j]) * (scale * ws[j]);
      std::vector<unsigned char> work(armbench_dq_matmul_work_bytes(m, n, k));
      for (armbench_gemm_pool* pool : {static_cast<armbench_gemm_pool*>(nullptr), pool2}) {
        std::vector<float> y(m * n, -1.0f);
        CHECK(armbench_dq_matmul(pool, dw, m, x.data(), y.data(), work.data()) == 0);
        CHECK_MSG(memcmp(y.data(), want.data(), y.size() * sizeof(float)) == 0, "dq_matmul %zux%zux%zu fill %d, %s: not the defining steps' bits",
                  m, k, n, fill, pool ? "2 threads" : "1 thread");
      }
    }
    armbench_dq_weights_free(dw);
  }
  armbench_dq_weights* none = nullptr;
  CHECK(armbench_dq_weights_pack(ki, 0, 4, nullptr, nullptr, &none) == -EINVAL && none == nullptr);
  CHECK(armbench_dq_matmul(nullptr, nullptr, 1, nullptr, nullptr, nullptr) == -EINVAL);
}

}  // namespace

// Each vector set of armbench_dq_matmul's loops this CPU runs (dq_internal.h) against
// the portable set, bit for bit, whatever the set armbench_dq_matmul picks: lengths
// around every vector width and tail, NaN anywhere (range), ties at every half
// (quantize: x / 0.5 lands on k + 0.5), zero points 0 to 255, sums that wrap modulo 2^32
// (dequantize).
void test_dq_loops(Rng& rng) {
  using armbench::ops::DqLoops;
  const DqLoops& ref = armbench::ops::kDqPortable;
  struct Set {
    const char* name;
    const DqLoops* loops;
    bool runs;
  };
  const Set sets[] = {
      {"avx512", armbench::ops::dq_loops_avx512(),
       armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) != 0 && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) != 0},
      {"avx2", armbench::ops::dq_loops_avx2(), armbench_cpu_has(ARMBENCH_FEATURE_AVX2) != 0},
      {"neon", armbench::ops::dq_loops_neon(), armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) != 0}};
  int ran = 0;
  for (const Set& set : sets) {
    if (set.loops == nullptr || !set.runs) continue;
    ++ran;
    size_t bad = 0;
    const auto unit = [&rng]() { return static_cast<float>(rng.next() >> 40) / 16777216.0f * 2.0f - 1.0f; };
    for (const size_t count : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1000}) {
      for (int trial = 0; trial < 4; ++trial) {
        std::vector<float> x(count);
        for (float& v : x) v = unit() * 100.0f;
        if (trial == 1 && count > 0) x[rng.next() % count] = NAN;
        if (trial == 2 && count > 0) x[count - 1] = NAN;
        float l0 = 0, h0 = 0, l1 = 0, h1 = 0;
        bool n0 = false, n1 = false;
        ref.range(x.data(), count, &l0, &h0, &n0);
        set.loops->range(x.data(), count, &l1, &h1, &n1);
        if ((n0 != n1 || (!n0 && (l0 != l1 || h0 != h1))) && bad++ < 5)
          fprintf(stderr, "    %s range count %zu trial %d: [%g, %g] nan %d, want [%g, %g] nan %d\n", set.name, count, trial,
                  l1, h1, n1, l0, h0, n0);
        // Halves and random values, |x / scale| <= 255 with scale 0.5.
        for (size_t i = 0; i < count; ++i) x[i] = trial % 2 == 0 ? static_cast<float>(static_cast<int>(rng.next() % 511) - 255) * 0.25f : unit() * 127.0f;
        for (const float zero : {0.0f, 3.0f, 128.0f, 255.0f}) {
          std::vector<uint8_t> q0(count + 1, 0xa5), q1(count + 1, 0xa5);
          ref.quantize(x.data(), count, 0.5f, zero, q0.data());
          set.loops->quantize(x.data(), count, 0.5f, zero, q1.data());
          if (q0 != q1 && bad++ < 5) fprintf(stderr, "    %s quantize count %zu zero %g differs\n", set.name, count, zero);
        }
        const size_t m = 3;
        std::vector<int32_t> acc(m * count), colsum(count);
        std::vector<float> comb(count), y0(m * count), y1(m * count);
        for (int32_t& v : acc) v = static_cast<int32_t>(rng.next());
        for (int32_t& v : colsum) v = static_cast<int32_t>(rng.next() >> 40);
        for (float& v : comb) v = unit();
        for (const uint32_t zero : {0u, 1u, 128u, 255u}) {
          ref.dequantize(acc.data(), m, count, zero, colsum.data(), comb.data(), y0.data());
          set.loops->dequantize(acc.data(), m, count, zero, colsum.data(), comb.data(), y1.data());
          if (memcmp(y0.data(), y1.data(), y0.size() * sizeof(float)) != 0 && bad++ < 5)
            fprintf(stderr, "    %s dequantize count %zu zero %u differs\n", set.name, count, zero);
        }
      }
    }
    CHECK_MSG(bad == 0, "dq loops %s: %zu differences from the portable set", set.name, bad);
    printf("  dq loops %s: %s\n", set.name, bad == 0 ? "the portable set's bits" : "FAILED");
  }
  printf("dq loop sets checked: %d\n", ran);
#if defined(__x86_64__) || defined(__aarch64__)
  // Every x86-64 and aarch64 CPU this project targets runs at least one vector set.
  CHECK(ran >= 1);
#endif
}

int main() {
  const size_t count = armbench_igemm_kernel_count();
  CHECK(count >= 1);
  CHECK(armbench_igemm_kernel_at(count) == nullptr);
  CHECK(armbench_igemm_kernel_unsupported(count) != nullptr);
  const armbench_igemm_kernel* ref = armbench_igemm_kernel_at(0);
  CHECK(ref != nullptr && strcmp(ref->isa, "ref") == 0 && armbench_igemm_kernel_unsupported(0) == nullptr);

  armbench_gemm_pool* pool2 = nullptr;
  CHECK(armbench_gemm_pool_create(2, nullptr, &pool2) == 0);

  Rng rng{12345};
  size_t supported = 0;
  bool better_than_ref = false;
  for (size_t i = 0; i < count; ++i) {
    const armbench_igemm_kernel* k = armbench_igemm_kernel_at(i);
    const char* why = armbench_igemm_kernel_unsupported(i);
    printf("%-24s isa %-11s %2ux%-2u kr %u  A %s  %s\n", k->name, k->isa, k->mr, k->nr, k->kr,
           k->a_native == ARMBENCH_IGEMM_A_U8 ? "u8" : "s8", why ? why : "supported");
    // The feature a kernel needs, as the lane's qemu model has it or lacks it.
    const char* feature = strcmp(k->isa, "sdot") == 0 ? "asimddp" : strcmp(k->isa, "smmla") == 0 ? "i8mm" : nullptr;
    if (feature != nullptr && listed("ARMBENCH_EXPECT_FEATURES", feature)) {
      CHECK_MSG(why == nullptr, "%s: this CPU has %s, yet: %s", k->name, feature, why);
    }
    if (feature != nullptr && listed("ARMBENCH_EXPECT_ABSENT", feature)) {
      CHECK_MSG(why != nullptr, "%s: listed as supported without %s", k->name, feature);
    }
    if (why != nullptr) {
      CHECK_MSG(strncmp(why, "needs ", 6) == 0, "%s: reason \"%s\"", k->name, why);
      Problem p = make(rng, ARMBENCH_IGEMM_A_S8, 3, 4, 5, 0, Values{Fill::kRandom, 0, 0});
      std::vector<int32_t> c = p.c0;
      const armbench_igemm_args x = args_for(p, i, 0, c, nullptr);
      CHECK_MSG(armbench_igemm(nullptr, &x) == -ENOTSUP && c == p.c0, "%s: not refused with -ENOTSUP", k->name);
      armbench_igemm_packed_b* pk = nullptr;
      CHECK(armbench_igemm_pack_b(i, 5, 4, p.b.data(), 4, nullptr, &pk) == -ENOTSUP && pk == nullptr);
      armbench_gemm_case mc{};
      mc.dtype = ARMBENCH_GEMM_INT8;
      mc.kernel = i;
      mc.a_type = ARMBENCH_IGEMM_A_S8;
      mc.m = mc.n = mc.k = 8;
      mc.samples = 1;
      armbench_gemm_check chk{};
      armbench_gemm_timing t{};
      CHECK(armbench_gemm_measure(nullptr, &mc, &chk, &t) == -ENOTSUP);
      continue;
    }
    ++supported;
    better_than_ref = better_than_ref || i != 0;
    const int before = check::failed;
    test_kernel(i, pool2, rng);
    test_refusals(i);
    test_measure(i, pool2);
    test_dq_matmul(i, pool2, rng);
    printf("  %s: %s\n", k->name, check::failed == before ? "exact on every case" : "FAILED");
  }
  if (supported == count) printf("-ENOTSUP not checked: this CPU runs every kernel of the registry\n");
  const size_t def = armbench_igemm_default_kernel();
  CHECK(def < count && armbench_igemm_kernel_unsupported(def) == nullptr);
  CHECK_MSG(!better_than_ref || def != 0, "the reference is the default though a better kernel is supported");
  printf("default: %s\n", def < count ? armbench_igemm_kernel_at(def)->name : "none");
  test_dq_loops(rng);
  armbench_gemm_pool_destroy(pool2);
  return check::summary("test_igemm");
}
