// GEMM: every kernel of the registry the CPU supports (both dtypes) through the
// driver, against a double-precision reference with a forward error bound
// (k + 4) * 2^-24 * (|alpha| sum |a||b| + |beta c|): edge shapes around mr / nr, all
// four transpositions, alpha / beta variants (beta 0 over a NaN-filled C), strides
// larger than the minimum, small blockings that force several mc / kc / nc blocks,
// one thread and a two-thread pool (bit-identical: a tile's summation order does not
// depend on the threads), packed B (bit-identical to unpacked, except m == 1 where
// the unpacked call takes the direct GEMV path: see run_case), the direct GEMV path
// (m == 1 or n == 1) and narrow n (a kernel's narrow companion), blocking sanity and
// argument checks. Under an emulator (ARMBENCH_EMULATED=1) fewer shapes run.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "armbench/gemm.h"
#include "armbench/threads.h"
#include "check.h"
#include "test_data.h"

namespace {

using test_data::bf16_to_f32;
using test_data::f32_to_bf16_trunc;
using test_data::next_u64;
using test_data::random_value;

// A matrix operand of either dtype, stored rows x ld, with its values as floats.
struct Operand {
  size_t rows = 0, cols = 0, ld = 0;
  std::vector<float> f32;     // fp32 storage, or the exact values of the bf16 storage
  std::vector<uint16_t> bf16;
  bool is_bf16 = false;
  const void* data() const { return is_bf16 ? static_cast<const void*>(bf16.data()) : f32.data(); }
  float at(size_t r, size_t c) const { return f32[r * ld + c]; }
};

Operand make_operand(size_t rows, size_t cols, size_t ld, bool is_bf16) {
  Operand o;
  o.rows = rows;
  o.cols = cols;
  o.ld = ld;
  o.is_bf16 = is_bf16;
  o.f32.assign(rows * ld + 1, 0.0f);
  if (is_bf16) o.bf16.assign(rows * ld + 1, 0);
  for (size_t i = 0; i < rows * ld; ++i) {
    float v = random_value();
    if (is_bf16) {
      o.bf16[i] = f32_to_bf16_trunc(v);
      v = bf16_to_f32(o.bf16[i]);
    }
    o.f32[i] = v;
  }
  return o;
}

struct Case {
  size_t m, n, k;
  int ta, tb;
  float alpha, beta;
  size_t pad;                  // extra elements per row of A, B and C
  bool small_blocking;         // force several mc / kc / nc blocks
};

std::string describe(const char* kernel, const Case& c) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s m=%zu n=%zu k=%zu ta=%d tb=%d alpha=%g beta=%g pad=%zu small=%d", kernel, c.m, c.n,
           c.k, c.ta, c.tb, c.alpha, c.beta, c.pad, c.small_blocking ? 1 : 0);
  return buf;
}

armbench_gemm_pool* pool2 = nullptr;

// Runs one case on kernel ki: 1 thread, 2 threads, packed B; checks the bound and
// the bit-identities. Returns false on the first failure (reported).
bool run_case(size_t ki, const Case& cs, bool try_packed) {
  const armbench_gemm_kernel* kd = armbench_gemm_kernel_at(ki);
  const bool bf = kd->dtype == ARMBENCH_GEMM_BF16;
  const size_t m = cs.m, n = cs.n, k = cs.k;
  const Operand a = cs.ta ? make_operand(k, m, m + cs.pad, bf) : make_operand(m, k, k + cs.pad, bf);
  const Operand b = cs.tb ? make_operand(n, k, k + cs.pad, bf) : make_operand(k, n, n + cs.pad, bf);
  const size_t ldc = n + cs.pad;
  std::vector<float> c0(m * ldc);
  for (float& v : c0) v = cs.beta == 0.0f ? NAN : random_value();

  armbench_gemm_blocking blk;
  armbench_gemm_blocking_for(ki, &blk);
  if (cs.small_blocking) blk = armbench_gemm_blocking{2 * kd->mr, 3 * kd->kr + 1, 2 * kd->nr};

  armbench_gemm_args args{};
  args.kernel = ki;
  args.trans_a = cs.ta;
  args.trans_b = cs.tb;
  args.m = m;
  args.n = n;
  args.k = k;
  args.alpha = cs.alpha;
  args.beta = cs.beta;
  args.a = a.data();
  args.lda = a.ld;
  args.b = b.data();
  args.ldb = b.ld;
  args.ldc = ldc;
  args.blocking = &blk;

  std::vector<float> c1 = c0;
  args.c = c1.data();
  const std::string what = describe(kd->name, cs);
  if (!CHECK_MSG(armbench_gemm(nullptr, &args) == 0, "%s: armbench_gemm failed", what.c_str())) return false;

  // Against double precision (c1 here; c3 below where it is not c1's bits).
  auto within_bound = [&](const std::vector<float>& c, const char* label) {
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j) {
        double ref = 0, mag = 0;
        for (size_t p = 0; p < k; ++p) {
          const double x = cs.ta ? a.at(p, i) : a.at(i, p);
          const double y = cs.tb ? b.at(j, p) : b.at(p, j);
          ref += x * y;
          mag += fabs(x * y);
        }
        const double cin = cs.beta == 0.0f ? 0.0 : c0[i * ldc + j];
        ref = cs.alpha * ref + cs.beta * cin;
        const double bound =
            (static_cast<double>(k) + 4) * ldexp(1.0, -24) * (fabs(cs.alpha) * mag + fabs(cs.beta * cin)) + 1e-30;
        const float got = c[i * ldc + j];
        if (!(fabs(got - ref) <= bound)) {
          CHECK_MSG(false, "%s%s: C(%zu,%zu) = %.9g, reference %.9g, bound %.3g", what.c_str(), label, i, j, got, ref,
                    bound);
          return false;
        }
      }
      // Padding past n untouched.
      for (size_t j = n; j < ldc; ++j) {
        const float before = c0[i * ldc + j], after = c[i * ldc + j];
        if (memcmp(&before, &after, sizeof before) != 0) {
          CHECK_MSG(false, "%s%s: C row %zu written past n", what.c_str(), label, i);
          return false;
        }
      }
    }
    return true;
  };
  if (!within_bound(c1, "")) return false;

  // Two threads: the same bits.
  if (pool2 != nullptr) {
    std::vector<float> c2 = c0;
    args.c = c2.data();
    if (!CHECK_MSG(armbench_gemm(pool2, &args) == 0, "%s: 2 threads failed", what.c_str())) return false;
    if (!CHECK_MSG(memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)) == 0, "%s: 2 threads differ from 1",
                   what.c_str())) {
      return false;
    }
  }

  // Packed B: the same bits, on one thread and on the pool.
  if (try_packed) {
    armbench_gemm_packed_b* packed = nullptr;
    if (!CHECK_MSG(armbench_gemm_pack_b(ki, cs.tb, k, n, b.data(), b.ld, &blk, &packed) == 0, "%s: pack_b failed",
                   what.c_str())) {
      return false;
    }
    std::vector<float> c3 = c0;
    args.c = c3.data();
    args.b = nullptr;  // must not be read
    armbench_gemm_pool* pool = pool2 != nullptr && (m + n) % 2 == 0 ? pool2 : nullptr;
    const int rc = armbench_gemm_packed(pool, &args, packed);
    armbench_gemm_packed_b_free(packed);
    if (!CHECK_MSG(rc == 0, "%s: armbench_gemm_packed failed (%d)", what.c_str(), rc)) return false;
    if (m == 1 && n > 1) {
      // The one exception to the bit-identity: with m == 1 an unpacked call takes the
      // direct GEMV path (no packing; one pass over B), while a B packed beforehand
      // runs the blocked loops over its panels, a different summation order. Both are
      // held to the same bound; each alone is still bit-identical across threads
      // (the direct path above, the blocked loops as everywhere else). With n == 1
      // both take the direct path (op(B)'s column is read back from the panels), so
      // the bits are compared as for every other shape.
      if (!within_bound(c3, " (packed B)")) return false;
    } else if (!CHECK_MSG(memcmp(c1.data(), c3.data(), c1.size() * sizeof(float)) == 0, "%s: packed B differs",
                          what.c_str())) {
      return false;
    }
  }
  return true;
}

void check_kernel(size_t ki) {
  const armbench_gemm_kernel* kd = armbench_gemm_kernel_at(ki);
  const size_t mr = kd->mr, nr = kd->nr;
  std::vector<size_t> ms, ns, ks;
  if (emulated()) {
    ms = {1, 2, mr > 1 ? mr - 1 : 3, mr, mr + 1, 17, 64, 100};
    ns = {1, 2, nr > 1 ? nr - 1 : 3, nr, nr + 1, 17, 64, 100};
    ks = {1, 3, 17, 100};
  } else {
    ms = {1, 2, 3, mr > 1 ? mr - 1 : 4, mr, mr + 1, 2 * mr + 3, 17, 64, 100, 257};
    ns = {1, 2, 3, nr > 1 ? nr - 1 : 4, nr, nr + 1, 2 * nr + 3, 17, 64, 100, 257};
    ks = {1, 2, 3, 5, 17, 64, 100, 257};
  }
  const float alphas[] = {1.0f, 0.5f, -1.5f, 1.0f, 2.0f};
  const float betas[] = {0.0f, 1.0f, 0.0f, -0.5f, 2.0f};
  int failures = 0, cases = 0;
  size_t idx = 0;
  for (size_t im = 0; im < ms.size(); ++im) {
    for (size_t in = 0; in < ns.size(); ++in, ++idx) {
      const size_t m = ms[im], n = ns[in];
      // Skip the largest cubes natively too: the reference is O(mnk).
      const size_t k = (m >= 257 && n >= 257) ? 64 : ks[(im * 3 + in * 5) % ks.size()];
      const Case cs{m, n, k, static_cast<int>(idx % 2), static_cast<int>((idx / 2) % 2), alphas[idx % 5],
                    betas[(idx / 5) % 5], idx % 3 == 0 ? size_t{3} : size_t{0}, idx % 4 == 1};
      ++cases;
      if (!run_case(ki, cs, idx % 3 != 2)) ++failures;
      if (failures > 3) return;
    }
  }
  // Every k, every transposition, around the tile edges, small and default blocking.
  for (size_t k : ks) {
    for (int t = 0; t < 4; ++t) {
      const Case cs{2 * mr + 1, nr + 3, k, t & 1, t >> 1, 1.25f, t == 0 ? 0.0f : 0.75f, static_cast<size_t>(t),
                    t % 2 == 0};
      ++cases;
      if (!run_case(ki, cs, true)) ++failures;
      if (failures > 3) return;
    }
  }
  // The direct GEMV path (m == 1 or n == 1): long k (vector blocks of 32 and 16 and a
  // masked tail), many outputs (groups of four rows, 16-column blocks, masked edges,
  // a split between two threads), every transposition, strided x (A transposed with
  // m == 1, B not transposed with n == 1), padding, beta 0 over NaN and beta != 0.
  {
    const size_t big = emulated() ? 70 : 301;
    const size_t kbig = emulated() ? 83 : 1013;
    // Then narrow n (<= 16: the 16-column companion of f32_avx512_12x32), long k.
    const size_t shapes[][3] = {{1, big, kbig}, {big, 1, kbig}, {1, 1, kbig}, {1, 33, 48}, {35, 1, 49},
                                {1, 16, 31},    {big, 16, kbig}, {37, 9, 700}, {17, 15, 64}};
    size_t v = 0;
    for (const auto& sh : shapes) {
      for (int t = 0; t < 4; ++t, ++v) {
        const Case cs{sh[0], sh[1], sh[2], t & 1, t >> 1, alphas[v % 5], betas[(v / 2) % 5], v % 3, v % 4 == 1};
        ++cases;
        if (!run_case(ki, cs, true)) ++failures;
        if (failures > 3) return;
      }
    }
  }
  printf("%s: %d cases%s\n", kd->name, cases, failures ? " (failures)" : "");
  fflush(stdout);  // under an emulator the kernels take minutes: the log shows which ran
}

// C is left alone for m == 0, scaled by beta for k == 0 or alpha == 0 (zeros over
// NaN for beta == 0), and nothing runs for an unsupported kernel.
void check_degenerate(size_t ki) {
  float c[6] = {NAN, NAN, NAN, 1, 2, 3};
  float a[6] = {1, 2, 3, 4, 5, 6};
  armbench_gemm_args args{};
  args.kernel = ki;
  args.m = 2;
  args.n = 3;
  args.k = 0;
  args.alpha = 1;
  args.beta = 0;
  args.c = c;
  args.ldc = 3;
  CHECK(armbench_gemm(nullptr, &args) == 0);
  CHECK(c[0] == 0 && c[2] == 0 && c[5] == 0);
  float d[6] = {1, 2, 3, 4, 5, 6};
  args.c = d;
  args.k = 2;
  args.a = a;
  args.lda = 2;
  args.b = nullptr;  // alpha == 0: B not read
  args.ldb = 3;
  args.alpha = 0;
  args.beta = 2;
  CHECK(armbench_gemm(nullptr, &args) == 0);
  CHECK(d[0] == 2 && d[5] == 12);
  args.m = 0;
  args.c = nullptr;
  CHECK(armbench_gemm(nullptr, &args) == 0);
}

void check_invalid(size_t ki) {
  const armbench_gemm_kernel* kd = armbench_gemm_kernel_at(ki);
  const bool bf = kd->dtype == ARMBENCH_GEMM_BF16;
  std::vector<uint32_t> buf(64 * 64, 0);  // zero bits: 0.0 in both dtypes
  std::vector<float> c(64 * 64, 0.0f);
  armbench_gemm_args base{};
  base.kernel = ki;
  base.m = 8;
  base.n = 9;
  base.k = 10;
  base.alpha = 1;
  base.beta = 0;
  base.a = buf.data();
  base.lda = 10;
  base.b = buf.data();
  base.ldb = 9;
  base.c = c.data();
  base.ldc = 9;
  CHECK(armbench_gemm(nullptr, &base) == 0);
  (void)bf;
  armbench_gemm_args x = base;
  x.lda = 9;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.trans_a = 1;  // A stored k x m: lda >= m = 8
  x.lda = 8;
  CHECK(armbench_gemm(nullptr, &x) == 0);
  x.lda = 7;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.ldb = 8;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x.trans_b = 1;  // B stored n x k: ldb >= k = 10
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x.ldb = 10;
  CHECK(armbench_gemm(nullptr, &x) == 0);
  x = base;
  x.ldc = 8;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.ldc = SIZE_MAX / 2;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.a = nullptr;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.b = nullptr;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.c = nullptr;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  const armbench_gemm_blocking zero_kc{kd->mr, 0, kd->nr};
  x.blocking = &zero_kc;
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  x = base;
  x.kernel = armbench_gemm_kernel_count();
  CHECK(armbench_gemm(nullptr, &x) == -EINVAL);
  CHECK(armbench_gemm(nullptr, nullptr) == -EINVAL);

  armbench_gemm_packed_b* packed = nullptr;
  CHECK(armbench_gemm_pack_b(ki, 0, 10, 9, buf.data(), 8, nullptr, &packed) == -EINVAL);
  CHECK(packed == nullptr);
  CHECK(armbench_gemm_pack_b(ki, 0, 10, 9, nullptr, 9, nullptr, &packed) == -EINVAL);
  if (CHECK(armbench_gemm_pack_b(ki, 0, 10, 9, buf.data(), 9, nullptr, &packed) == 0)) {
    x = base;
    x.k = 11;
    CHECK(armbench_gemm_packed(nullptr, &x, packed) == -EINVAL);
    x = base;
    x.lda = 3;
    CHECK(armbench_gemm_packed(nullptr, &x, packed) == -EINVAL);
    CHECK(armbench_gemm_packed(nullptr, &base, packed) == 0);
    armbench_gemm_packed_b_free(packed);
  }
}

void check_blocking(size_t ki) {
  const armbench_gemm_kernel* kd = armbench_gemm_kernel_at(ki);
  armbench_gemm_blocking b;
  armbench_gemm_blocking_for(ki, &b);
  CHECK_MSG(b.mc > 0 && b.kc > 0 && b.nc > 0, "%s: blocking %zu %zu %zu", kd->name, b.mc, b.kc, b.nc);
  CHECK_MSG(b.mc % kd->mr == 0, "%s: mc %zu not a multiple of mr %u", kd->name, b.mc, kd->mr);
  CHECK_MSG(b.nc % kd->nr == 0, "%s: nc %zu not a multiple of nr %u", kd->name, b.nc, kd->nr);
  CHECK_MSG(b.kc % kd->kr == 0, "%s: kc %zu not a multiple of kr %u", kd->name, b.kc, kd->kr);
  printf("%s: mr=%u nr=%u kr=%u mc=%zu kc=%zu nc=%zu\n", kd->name, kd->mr, kd->nr, kd->kr, b.mc, b.kc, b.nc);
}

void check_pool() {
  armbench_gemm_pool* p = nullptr;
  CHECK(armbench_gemm_pool_create(0, nullptr, &p) == -EINVAL);
  CHECK(p == nullptr);
  CHECK(armbench_gemm_pool_create(1, nullptr, nullptr) == -EINVAL);
  const int bad_cpu[1] = {-5};
  CHECK(armbench_gemm_pool_create(1, bad_cpu, &p) == -EINVAL);
  CHECK(p == nullptr);
  // Created and destroyed repeatedly; a pool serves many calls.
  for (int round = 0; round < 3; ++round) {
    if (!CHECK(armbench_gemm_pool_create(3, nullptr, &p) == 0)) return;
    CHECK(armbench_gemm_pool_threads(p) == 3);
    const size_t ki = armbench_gemm_default_kernel(ARMBENCH_GEMM_F32);
    float a[4 * 4], b[4 * 4], c[4 * 4];
    for (int i = 0; i < 16; ++i) {
      a[i] = static_cast<float>(i % 5);
      b[i] = static_cast<float>(i % 3);
    }
    armbench_gemm_args args{};
    args.kernel = ki;
    args.m = args.n = args.k = 4;
    args.alpha = 1;
    args.a = a;
    args.b = b;
    args.c = c;
    args.lda = args.ldb = args.ldc = 4;
    bool ok = true;
    for (int call = 0; call < 200; ++call) {
      ok = ok && armbench_gemm(p, &args) == 0;
      double ref = 0;
      for (int q = 0; q < 4; ++q) ref += a[1 * 4 + q] * b[q * 4 + 2];
      ok = ok && c[1 * 4 + 2] == static_cast<float>(ref);
    }
    CHECK(ok);
    armbench_gemm_pool_destroy(p);
    p = nullptr;
  }
  armbench_gemm_pool_destroy(nullptr);

  // A pool whose caller joins: an unknown flag refused; with 1, 2 and 3 threads (the
  // caller running share 0, beside the workers and their barriers in the blocked
  // driver) the bits of the calling thread alone, call after call.
  CHECK(armbench_gemm_pool_create_ex(2, nullptr, 2u, &p) == -EINVAL);
  CHECK(p == nullptr);
  // k one and a half of the kernel's kc, so the driver's barriers between k panels run;
  // under an emulator a smaller m and n and fewer calls (qemu's threads on 2 cores made
  // this part 80 of the test's 85 seconds).
  const size_t ki_default = armbench_gemm_default_kernel(ARMBENCH_GEMM_F32);
  armbench_gemm_blocking dflt;
  armbench_gemm_blocking_for(ki_default, &dflt);
  const bool small = emulated();
  const size_t m = small ? 60 : 150, n = small ? 100 : 260, kd = dflt.kc * 3 / 2 + 5;
  const int calls = small ? 4 : 20;
  std::vector<float> a(m * kd), b(kd * n), want(m * n), got(m * n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i * 7 % 13) - 6) / 8.0f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(static_cast<int>(i * 5 % 11) - 5) / 4.0f;
  armbench_gemm_args g{};
  g.kernel = ki_default;
  g.m = m;
  g.n = n;
  g.k = kd;
  g.alpha = 1;
  g.a = a.data();
  g.b = b.data();
  g.lda = kd;
  g.ldb = n;
  g.ldc = n;
  g.c = want.data();
  CHECK(armbench_gemm(nullptr, &g) == 0);
  for (int threads = 1; threads <= 3; ++threads) {
    if (!CHECK(armbench_gemm_pool_create_ex(threads, nullptr, ARMBENCH_GEMM_POOL_CALLER_JOINS, &p) == 0)) continue;
    CHECK(armbench_gemm_pool_threads(p) == threads);
    bool same = true;
    g.c = got.data();
    for (int call = 0; call < calls; ++call) {
      std::fill(got.begin(), got.end(), NAN);
      same = same && armbench_gemm(p, &g) == 0 && memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0;
    }
    CHECK_MSG(same, "caller-joined pool of %d threads", threads);
    armbench_gemm_pool_destroy(p);
    p = nullptr;
  }
}

}  // namespace

// `test_gemm fp32` or `test_gemm bf16` checks one dtype's kernels, `test_gemm pool` the
// thread pools, no argument all three (three ctest entries, side by side under qemu).
int main(int argc, char** argv) {
  int only = -1;
  const bool pool_only = argc > 1 && strcmp(argv[1], "pool") == 0;
  if (argc > 1 && !pool_only) {
    only = strcmp(argv[1], "fp32") == 0 ? ARMBENCH_GEMM_F32 : strcmp(argv[1], "bf16") == 0 ? ARMBENCH_GEMM_BF16 : -2;
    if (!CHECK_MSG(only >= 0, "unknown part %s (fp32, bf16 or pool)", argv[1])) return check::summary("test_gemm");
  }
  if (argc == 1 || pool_only) check_pool();
  if (pool_only) return check::summary("test_gemm");
  int cpus[2];
  const int ncpu = armbench_allowed_cpus(cpus, 2);
  CHECK(armbench_gemm_pool_create(2, ncpu == 2 ? cpus : nullptr, &pool2) == 0);

  const size_t count = armbench_gemm_kernel_count();
  CHECK(count >= 2);  // the two references at least
  for (int d = 0; d < 2; ++d) {
    const armbench_gemm_dtype dtype = static_cast<armbench_gemm_dtype>(d);
    const size_t def = armbench_gemm_default_kernel(dtype);
    CHECK_MSG(def < count && armbench_gemm_kernel_unsupported(def) == nullptr &&
                  armbench_gemm_kernel_at(def)->dtype == dtype,
              "default kernel for dtype %d", d);
  }
  for (size_t i = 0; i < count; ++i) {
    const armbench_gemm_kernel* kd = armbench_gemm_kernel_at(i);
    if (only >= 0 && static_cast<int>(kd->dtype) != only) continue;
    const char* why = armbench_gemm_kernel_unsupported(i);
    if (why != nullptr) {
      printf("%s: skipped (%s)\n", kd->name, why);
      // Refused before anything runs: C keeps its NaNs... and its bits.
      float c[1] = {NAN};
      const uint32_t zero[1] = {0};
      armbench_gemm_args args{};
      args.kernel = i;
      args.m = args.n = args.k = 1;
      args.alpha = 1;
      args.beta = 0;
      args.a = zero;
      args.b = zero;
      args.c = c;
      args.lda = args.ldb = args.ldc = 1;
      CHECK(armbench_gemm(nullptr, &args) == -ENOTSUP);
      CHECK(isnan(c[0]));
      armbench_gemm_packed_b* packed = nullptr;
      CHECK(armbench_gemm_pack_b(i, 0, 1, 1, zero, 1, nullptr, &packed) == -ENOTSUP);
      continue;
    }
    check_blocking(i);
    check_invalid(i);
    check_degenerate(i);
    check_kernel(i);
  }
  armbench_gemm_pool_destroy(pool2);
  return check::summary("test_gemm");
}
