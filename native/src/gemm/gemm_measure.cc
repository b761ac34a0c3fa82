// One GEMM case, measured honestly: random non-zero operands, C checked against a
// double-accumulated reference on sampled entries before anything is timed, then
// timed with operands rotated through copies larger than the last-level cache (cold)
// or reused (warm). The same path serves armbench's kernels and the peers. int8 cases
// take bytes over their whole range (so a kernel whose 16-bit intermediate saturates
// cannot pass) and are checked exactly against an int64 reference.
#include "armbench/gemm_measure.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "armbench/bf16.h"
#include "../runtime/cache_sizes.h"
#include "../runtime/random.h"
#include "../runtime/timed_samples.h"
#include "registry.h"

namespace {

// The last-level cache the cold runs must overflow.
size_t largest_cache_bytes(const armbench::runtime::CacheSizes& c) { return c.l3 > c.l2 ? c.l3 : c.l2; }


// A(i, p) of a row-major operand stored as rows x cols with leading dimension ld,
// read through the transpose flag.
template <typename T>
T at(const std::vector<T>& m, int trans, size_t ld, size_t i, size_t p) {
  return trans ? m[p * ld + i] : m[i * ld + p];
}

struct Operands {
  std::vector<float> a32, b32;        // fp32 values (bf16 cases: before rounding)
  std::vector<uint16_t> a16, b16;     // bf16 cases: what the GEMM reads
  std::vector<uint8_t> a8, b8;        // int8 cases: what the GEMM reads (A uint8 or int8 bits)
  std::vector<std::vector<char>> a, b; // rotation copies of what the GEMM reads
  std::vector<std::vector<float>> c;   // fp32 and bf16 cases
  std::vector<std::vector<int32_t>> ci; // int8 cases
  size_t lda, ldb, ldc;
};

// The deepest int8 case whose every sum fits int32 (igemm.h): 255 * 128 * k < 2^31.
constexpr size_t kInt8MaxK = 65793;

bool case_valid(const armbench_gemm_case* c) {
  if (!c || !c->m || !c->n || !c->k || !c->samples) return false;
  if (c->dtype == ARMBENCH_GEMM_INT8) {
    return !c->trans_a && !c->trans_b && c->k <= kInt8MaxK &&
           (c->a_type == ARMBENCH_IGEMM_A_S8 || c->a_type == ARMBENCH_IGEMM_A_U8);
  }
  return c->dtype == ARMBENCH_GEMM_F32 || c->dtype == ARMBENCH_GEMM_BF16;
}

int run_once_int8(armbench_gemm_pool* pool, const armbench_gemm_case* c, const Operands& ops, size_t set) {
  armbench_igemm_args args{};
  args.kernel = c->kernel;
  args.a_type = c->a_type;
  args.m = c->m;
  args.n = c->n;
  args.k = c->k;
  args.beta = 0;
  args.a = ops.a[set].data();
  args.lda = ops.lda;
  args.b = reinterpret_cast<const int8_t*>(ops.b[set].data());
  args.ldb = ops.ldb;
  args.c = const_cast<int32_t*>(ops.ci[set].data());
  args.ldc = ops.ldc;
  const armbench_gemm_blocking& b = c->blocking;
  if (b.mc != 0 || b.kc != 0 || b.nc != 0) args.blocking = &b;
  return c->peer ? armbench_peer_igemm(c->peer, &args) : armbench_igemm(pool, &args);
}

int run_once(armbench_gemm_pool* pool, const armbench_gemm_case* c, const Operands& ops, size_t set) {
  if (c->dtype == ARMBENCH_GEMM_INT8) return run_once_int8(pool, c, ops, set);
  armbench_gemm_args args{};
  args.kernel = c->kernel;
  args.trans_a = c->trans_a;
  args.trans_b = c->trans_b;
  args.m = c->m;
  args.n = c->n;
  args.k = c->k;
  args.alpha = 1.0f;
  args.beta = 0.0f;
  args.a = ops.a[set].data();
  args.lda = ops.lda;
  args.b = ops.b[set].data();
  args.ldb = ops.ldb;
  args.c = const_cast<float*>(ops.c[set].data());
  args.ldc = ops.ldc;
  const armbench_gemm_blocking& b = c->blocking;
  if (b.mc != 0 || b.kc != 0 || b.nc != 0) args.blocking = &b;
  return c->peer ? armbench_peer_gemm(c->peer, c->dtype, &args) : armbench_gemm(pool, &args);
}

// Entries to check: the four corners (edge tiles) and a seeded random sample.
std::vector<std::pair<size_t, size_t>> sampled_entries(const armbench_gemm_case* c) {
  const size_t m = c->m, n = c->n;
  uint64_t s = c->seed ^ 0x5eedull;
  std::vector<std::pair<size_t, size_t>> idx = {{0, 0}, {0, n - 1}, {m - 1, 0}, {m - 1, n - 1}};
  const size_t want = std::min<size_t>(m * n, 2048);
  while (idx.size() < want) idx.push_back({armbench::runtime::splitmix64(&s) % m, armbench::runtime::splitmix64(&s) % n});
  return idx;
}

// int8: every sampled entry equal to its int64 sum; the relative error is |C - ref| over
// sum |a b|, as for the other dtypes, with a bound of 0.
void check_result_int8(const armbench_gemm_case* c, const Operands& ops, armbench_gemm_check* chk) {
  const std::vector<int32_t>& C = ops.ci[0];
  const size_t m = c->m, n = c->n, k = c->k;
  size_t zeros = 0;
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) zeros += C[i * ops.ldc + j] == 0;
  chk->zero_fraction = static_cast<double>(zeros) / static_cast<double>(m * n);
  const bool u8 = c->a_type == ARMBENCH_IGEMM_A_U8;
  const std::vector<std::pair<size_t, size_t>> idx = sampled_entries(c);
  double max_abs = 0, max_rel = 0;
  for (auto [i, j] : idx) {
    int64_t ref = 0, mag = 0;
    for (size_t p = 0; p < k; ++p) {
      const uint8_t raw = ops.a8[i * ops.lda + p];
      const int64_t x = u8 ? int64_t{raw} : int64_t{static_cast<int8_t>(raw)};
      const int64_t y = static_cast<int8_t>(ops.b8[p * ops.ldb + j]);
      ref += x * y;
      mag += x * y < 0 ? -x * y : x * y;
    }
    const double err = std::fabs(static_cast<double>(C[i * ops.ldc + j]) - static_cast<double>(ref));
    max_abs = std::max(max_abs, err);
    max_rel = std::max(max_rel, err / std::max(static_cast<double>(mag), 1.0));
  }
  chk->checked = idx.size();
  chk->max_abs_err = max_abs;
  chk->max_rel_err = max_rel;
  chk->bf16_drift = 0;
  chk->bound = 0;
  chk->passed = max_abs == 0 && chk->zero_fraction < 0.5;
}

void check_result(const armbench_gemm_case* c, const Operands& ops, armbench_gemm_check* chk) {
  if (c->dtype == ARMBENCH_GEMM_INT8) {
    check_result_int8(c, ops, chk);
    return;
  }
  const std::vector<float>& C = ops.c[0];
  const size_t m = c->m, n = c->n, k = c->k;
  size_t zeros = 0;
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) zeros += C[i * ops.ldc + j] == 0.0f;
  chk->zero_fraction = static_cast<double>(zeros) / static_cast<double>(m * n);
  const std::vector<std::pair<size_t, size_t>> idx = sampled_entries(c);

  const bool bf16 = c->dtype == ARMBENCH_GEMM_BF16;
  double max_abs = 0, max_rel = 0, drift = 0;
  for (auto [i, j] : idx) {
    double ref = 0, mag = 0, ref32 = 0, mag32 = 0;
    for (size_t p = 0; p < k; ++p) {
      double x, y;
      if (bf16) {
        x = armbench_bf16_to_f32(at(ops.a16, c->trans_a, ops.lda, i, p));
        y = armbench_bf16_to_f32(at(ops.b16, c->trans_b, ops.ldb, p, j));
        const double x32 = at(ops.a32, c->trans_a, ops.lda, i, p), y32 = at(ops.b32, c->trans_b, ops.ldb, p, j);
        ref32 += x32 * y32;
        mag32 += std::fabs(x32 * y32);
      } else {
        x = at(ops.a32, c->trans_a, ops.lda, i, p);
        y = at(ops.b32, c->trans_b, ops.ldb, p, j);
      }
      ref += x * y;
      mag += std::fabs(x * y);
    }
    const double got = C[i * ops.ldc + j];
    const double err = std::fabs(got - ref);
    max_abs = std::max(max_abs, err);
    max_rel = std::max(max_rel, err / std::max(mag, 1e-30));
    if (bf16) drift = std::max(drift, std::fabs(got - ref32) / std::max(mag32, 1e-30));
  }
  chk->checked = idx.size();
  chk->max_abs_err = max_abs;
  chk->max_rel_err = max_rel;
  chk->bf16_drift = drift;
  // fp32 accumulation of exact products: at most k roundings of 2^-24 relative to
  // sum|ab|. bf16 inputs give exact fp32 products too, but BFMMLA without EBF16 and
  // VDPBF16PS round intermediate sums as well, hence twice the allowance.
  chk->bound = (bf16 ? 2.0 : 1.0) * static_cast<double>(k + 2) * std::ldexp(1.0, -24);
  chk->passed = !std::isnan(max_rel) && max_rel <= chk->bound && chk->zero_fraction < 0.5;
}

}  // namespace

extern "C" int armbench_gemm_measure(armbench_gemm_pool* pool, const armbench_gemm_case* c, armbench_gemm_check* check,
                                     armbench_gemm_timing* out) {
  if (!case_valid(c) || check == nullptr || out == nullptr) return -EINVAL;
  const bool int8 = c->dtype == ARMBENCH_GEMM_INT8;
  if (c->peer == nullptr) {
    if (int8) {
      if (armbench_igemm_kernel_at(c->kernel) == nullptr) return -EINVAL;
      if (armbench_igemm_kernel_unsupported(c->kernel) != nullptr) return -ENOTSUP;
    } else {
      const armbench_gemm_kernel* k = armbench_gemm_kernel_at(c->kernel);
      if (k == nullptr || k->dtype != c->dtype) return -EINVAL;
      if (armbench_gemm_kernel_unsupported(c->kernel) != nullptr) return -ENOTSUP;
    }
    const armbench_gemm_blocking& b = c->blocking;
    const bool any = b.mc != 0 || b.kc != 0 || b.nc != 0;
    if (any && (b.mc == 0 || b.kc == 0 || b.nc == 0)) return -EINVAL;  // all three, or none
  } else if (armbench_peer_unsupported(c->peer, c->dtype) != nullptr) {
    return -ENOTSUP;
  }
  *check = armbench_gemm_check{};
  const size_t m = c->m, n = c->n, k = c->k;
  const size_t elem = int8 ? 1 : c->dtype == ARMBENCH_GEMM_BF16 ? 2 : 4;
  Operands ops;
  ops.lda = c->trans_a ? m : k;
  ops.ldb = c->trans_b ? k : n;
  ops.ldc = n;
  const size_t set_bytes = (m * k + k * n) * elem + m * n * 4;
  const size_t sets = c->warm ? 1 : std::clamp<size_t>((2 * largest_cache_bytes(armbench::runtime::cache_sizes()) + set_bytes - 1) / set_bytes, 1, 64);
  const double avail = static_cast<double>(sysconf(_SC_AVPHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  // Sizes that do not fit (with the fp32 masters and some headroom) are refused, not swapped.
  if (static_cast<double>(sets * set_bytes + (m * k + k * n) * 6) > 0.8 * avail) return -ENOMEM;
  try {
    uint64_t s = c->seed;
    const void* a_src;
    const void* b_src;
    if (int8) {
      ops.a8.resize(m * k);
      ops.b8.resize(k * n);
      for (uint8_t& x : ops.a8) x = static_cast<uint8_t>(armbench::runtime::splitmix64(&s) >> 56);
      for (uint8_t& x : ops.b8) x = static_cast<uint8_t>(armbench::runtime::splitmix64(&s) >> 56);
      a_src = ops.a8.data();
      b_src = ops.b8.data();
    } else {
      ops.a32.resize(m * k);
      ops.b32.resize(k * n);
      for (float& x : ops.a32) x = armbench::runtime::nonzero_operand(&s);
      for (float& x : ops.b32) x = armbench::runtime::nonzero_operand(&s);
      a_src = ops.a32.data();
      b_src = ops.b32.data();
    }
    if (c->dtype == ARMBENCH_GEMM_BF16) {
      ops.a16.resize(m * k);
      ops.b16.resize(k * n);
      armbench_f32_to_bf16_array(ops.a32.data(), ops.a16.data(), m * k, ARMBENCH_BF16_RNE);
      armbench_f32_to_bf16_array(ops.b32.data(), ops.b16.data(), k * n, ARMBENCH_BF16_RNE);
      a_src = ops.a16.data();
      b_src = ops.b16.data();
    }
    for (size_t i = 0; i < sets; ++i) {
      ops.a.emplace_back(m * k * elem);
      ops.b.emplace_back(k * n * elem);
      std::memcpy(ops.a.back().data(), a_src, m * k * elem);
      std::memcpy(ops.b.back().data(), b_src, k * n * elem);
      // NaN (int8: a value no sum of this case reaches): a GEMM with beta = 0 must
      // overwrite C without reading it.
      if (int8) ops.ci.emplace_back(m * n, INT32_MIN);
      else ops.c.emplace_back(m * n, NAN);
    }
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }

  int rc = run_once(pool, c, ops, 0);
  if (rc != 0) return rc;
  check_result(c, ops, check);
  if (!check->passed) return 0;

  size_t set = 0;
  return armbench::runtime::timed_samples(c->samples, c->min_sample_ns, out, [&] {
    set = (set + 1) % sets;
    return run_once(pool, c, ops, set);
  });
}
