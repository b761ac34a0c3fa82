// Every GEMM microkernel of the registry, called directly on packed panels built by
// the contract's layout (gemm_ukernel.h): several depths, ldc > nr, alpha and beta
// (beta == 0 with C full of NaN, so a kernel that reads C fails), columns past nr left
// alone. Results are compared with a double-precision product of the same values,
// within the error of kc roundings (round-to-odd BF16 instructions included), and
// with the reference kernel of the dtype when there is one. Kernels this CPU cannot
// run are listed with their reason and never called.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vector>

#include "../src/gemm/registry.h"
#include "armbench/cpu_features.h"
#include "armbench/gemm.h"
#include "check.h"

namespace {

using armbench::gemm::UkernelInfo;

struct Rng {
  uint64_t s;
  uint64_t next() {
    s += 0x9e3779b97f4a7c15ull;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

uint16_t bf16_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return static_cast<uint16_t>(u >> 16);
}

float bf16_value(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

// Non-zero, in [-1, -1/64] or [1/64, 1]; exact in bf16 when asked (truncation keeps
// the magnitude inside the range, since 1/64 and 1 are exact).
float random_value(Rng& rng, bool bf16) {
  const float mag = static_cast<float>(1.0 / 64 + rng.unit() * (1 - 1.0 / 64));
  const float v = (rng.next() & 1) ? -mag : mag;
  return bf16 ? bf16_value(bf16_bits(v)) : v;
}

// A 64-byte aligned buffer inside a vector.
struct Buffer {
  std::vector<unsigned char> bytes;
  void* data = nullptr;
  explicit Buffer(size_t n) : bytes(n + 64) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(bytes.data());
    data = bytes.data() + ((64 - p % 64) % 64);
  }
};

// Packs rows x depth values (x[r * depth + p], r < rows) into the contract's panel
// layout for kr: panel[(q * rows + r) * kr + t] = x(r, q * kr + t), zero past depth.
// A is packed with its rows, B with its columns (x = B transposed).
Buffer pack(const std::vector<float>& x, unsigned rows, size_t depth, size_t kc, unsigned kr, bool bf16) {
  Buffer out(kc * rows * (bf16 ? 2 : 4));
  for (size_t q = 0; q < kc / kr; ++q) {
    for (unsigned r = 0; r < rows; ++r) {
      for (unsigned t = 0; t < kr; ++t) {
        const size_t p = q * kr + t;
        const float v = p < depth ? x[r * depth + p] : 0.0f;
        const size_t at = (q * rows + r) * kr + t;
        if (bf16) {
          static_cast<uint16_t*>(out.data)[at] = bf16_bits(v);
        } else {
          static_cast<float*>(out.data)[at] = v;
        }
      }
    }
  }
  return out;
}

// Rows x cols block of x (stride `depth` per row), zero-padded to prows.
std::vector<float> rows_padded(const std::vector<float>& x, size_t row0, unsigned rows, unsigned prows,
                               size_t depth) {
  std::vector<float> out(static_cast<size_t>(prows) * depth, 0.0f);
  for (unsigned r = 0; r < rows; ++r) {
    for (size_t p = 0; p < depth; ++p) out[r * depth + p] = x[(row0 + r) * depth + p];
  }
  return out;
}

const size_t kNone = static_cast<size_t>(-1);

// The reference kernel ("ref") of a dtype, supported; kNone when there is none yet.
size_t find_ref(armbench_gemm_dtype dtype) {
  for (size_t i = 0; i < armbench_gemm_kernel_count(); ++i) {
    const UkernelInfo* k = armbench::gemm::kernel_info(i);
    if (k->pub.dtype == dtype && strcmp(k->pub.isa, "ref") == 0 && armbench::gemm::kernel_supported(i)) return i;
  }
  return kNone;
}

// The reference kernel's result for an mr x nr tile of A (mr x kc, row-major) times
// B (nr x kc, B transposed), alpha = 1 and beta = 0, tiled by the ref kernel's shape
// with zero padding.
std::vector<float> ref_tile(const UkernelInfo& ref, const std::vector<float>& a, const std::vector<float>& bt,
                            unsigned mr, unsigned nr, size_t kc, bool bf16) {
  const unsigned rm = ref.pub.mr, rn = ref.pub.nr, rk = ref.pub.kr;
  const size_t rkc = (kc + rk - 1) / rk * rk;
  std::vector<float> out(static_cast<size_t>(mr) * nr);
  std::vector<float> tile(static_cast<size_t>(rm) * rn);
  for (unsigned i0 = 0; i0 < mr; i0 += rm) {
    const unsigned mi = mr - i0 < rm ? mr - i0 : rm;
    const Buffer pa = pack(rows_padded(a, i0, mi, rm, kc), rm, kc, rkc, rk, bf16);
    for (unsigned j0 = 0; j0 < nr; j0 += rn) {
      const unsigned nj = nr - j0 < rn ? nr - j0 : rn;
      const Buffer pb = pack(rows_padded(bt, j0, nj, rn, kc), rn, kc, rkc, rk, bf16);
      ref.run(rkc, pa.data, pb.data, tile.data(), rn, 1.0f, 0.0f);
      for (unsigned i = 0; i < mi; ++i) {
        for (unsigned j = 0; j < nj; ++j) out[(i0 + i) * nr + j0 + j] = tile[i * rn + j];
      }
    }
  }
  return out;
}

struct Case {
  size_t kc;
  size_t ldc;
  float alpha, beta;
};

// One kernel, one case; returns false on the first wrong element (after reporting it).
bool run_case(const UkernelInfo& k, const UkernelInfo* ref, const Case& cs, Rng& rng) {
  const bool bf16 = k.pub.dtype == ARMBENCH_GEMM_BF16;
  const unsigned mr = k.pub.mr, nr = k.pub.nr, kr = k.pub.kr;
  const size_t kc = cs.kc, ldc = cs.ldc;
  std::vector<float> a(mr * kc), bt(nr * kc);  // A row-major, B transposed
  for (float& v : a) v = random_value(rng, bf16);
  for (float& v : bt) v = random_value(rng, bf16);
  const unsigned kra = armbench::gemm::a_kr(k);
  const Buffer pa = pack(a, mr, kc, (kc + kra - 1) / kra * kra, kra, bf16);
  const Buffer pb = pack(bt, nr, kc, kc, kr, bf16);

  const float kSentinel = 1234.5f;
  std::vector<float> c(mr * ldc), c0(mr * ldc);
  for (unsigned i = 0; i < mr; ++i) {
    for (size_t j = 0; j < ldc; ++j) {
      float v = kSentinel;
      if (j < nr) v = cs.beta == 0.0f ? NAN : static_cast<float>(2 * rng.unit() - 1);
      c[i * ldc + j] = c0[i * ldc + j] = v;
    }
  }
  k.run(kc, pa.data, pb.data, c.data(), ldc, cs.alpha, cs.beta);

  std::vector<float> rc;
  if (ref != nullptr) rc = ref_tile(*ref, a, bt, mr, nr, kc, bf16);

  for (unsigned i = 0; i < mr; ++i) {
    for (size_t j = 0; j < ldc; ++j) {
      const float got = c[i * ldc + j];
      if (j >= nr) {
        if (!CHECK_MSG(got == kSentinel, "%s kc %zu ldc %zu: C(%u, %zu) past nr was written (%g)", k.pub.name, kc, ldc,
                       i, j, got)) {
          return false;
        }
        continue;
      }
      double dot = 0, mag = 0;
      for (size_t p = 0; p < kc; ++p) {
        const double prod = static_cast<double>(a[i * kc + p]) * bt[j * kc + p];
        dot += prod;
        mag += fabs(prod);
      }
      const double cold = cs.beta == 0.0f ? 0.0 : c0[i * ldc + j];
      const double want = cs.alpha * dot + cs.beta * cold;
      // kc roundings of at most one ulp of the running sum, pair sums, alpha, beta.
      const double bound =
          (static_cast<double>(kc) + 4) * 0x1.0p-24 * (fabs(cs.alpha) * mag + fabs(cs.beta * cold)) + 1e-30;
      if (!CHECK_MSG(fabs(got - want) <= bound,
                     "%s kc %zu ldc %zu alpha %g beta %g: C(%u, %zu) = %.9g, want %.9g (bound %.3g)", k.pub.name, kc,
                     ldc, cs.alpha, cs.beta, i, j, got, want, bound)) {
        return false;
      }
      if (ref != nullptr) {
        const double rwant = cs.alpha * static_cast<double>(rc[i * nr + j]) + cs.beta * cold;
        if (!CHECK_MSG(fabs(got - rwant) <= 2 * bound, "%s kc %zu: C(%u, %zu) = %.9g, reference kernel %s gives %.9g",
                       k.pub.name, kc, i, j, got, ref->pub.name, rwant)) {
          return false;
        }
      }
    }
  }
  return true;
}

void check_description(size_t i, const UkernelInfo& k) {
  CHECK(armbench_gemm_kernel_at(i) == &k.pub);
  CHECK(k.pub.name != nullptr && k.pub.name[0] != 0);
  CHECK(k.pub.isa != nullptr && k.pub.isa[0] != 0);
  CHECK(k.pub.mr > 0 && k.pub.nr > 0);
  CHECK(k.pub.kr == 1 || k.pub.kr == 2 || k.pub.kr == 4);
  CHECK(k.pub.dtype == ARMBENCH_GEMM_F32 || k.pub.dtype == ARMBENCH_GEMM_BF16);
  const char* prefix = k.pub.dtype == ARMBENCH_GEMM_F32 ? "f32_" : "bf16_";
  CHECK_MSG(strncmp(k.pub.name, prefix, strlen(prefix)) == 0, "%s: name does not start with %s", k.pub.name, prefix);
  CHECK(k.n_requires <= 3);
  CHECK(k.run != nullptr);
}

// The kernel with this isa and dtype, or kNone.
size_t find_isa(const char* isa, armbench_gemm_dtype dtype) {
  for (size_t i = 0; i < armbench_gemm_kernel_count(); ++i) {
    const UkernelInfo* k = armbench::gemm::kernel_info(i);
    if (k->pub.dtype == dtype && strcmp(k->pub.isa, isa) == 0) return i;
  }
  return kNone;
}

// The ISA kernels this CPU has the features for are listed and runnable.
void check_expected_kernels() {
  struct Expect {
    armbench_feature f1, f2;
    const char* isa;
    armbench_gemm_dtype dtype;
  };
  const Expect expected[] = {
      {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_AVX512_BF16, "avx512_bf16", ARMBENCH_GEMM_BF16},
      {ARMBENCH_FEATURE_ASIMD, ARMBENCH_FEATURE_ASIMD, "neon", ARMBENCH_GEMM_F32},
      {ARMBENCH_FEATURE_SVE, ARMBENCH_FEATURE_SVE, "sve", ARMBENCH_GEMM_F32},
      {ARMBENCH_FEATURE_BF16, ARMBENCH_FEATURE_BF16, "bfmmla", ARMBENCH_GEMM_BF16},
      {ARMBENCH_FEATURE_BF16, ARMBENCH_FEATURE_BF16, "bfdot", ARMBENCH_GEMM_BF16},
  };
  for (const Expect& e : expected) {
    if (!armbench_cpu_has(e.f1) || !armbench_cpu_has(e.f2)) continue;
    const size_t i = find_isa(e.isa, e.dtype);
    if (CHECK_MSG(i != kNone, "the CPU has %s but no %s kernel is listed", armbench_feature_name(e.f2), e.isa)) {
      CHECK_MSG(armbench::gemm::kernel_supported(i), "%s kernel listed as unsupported: %s", e.isa,
                armbench_gemm_kernel_unsupported(i));
    }
  }
  // The SVE kernel's columns are three vectors of this CPU's length.
  const size_t sve = find_isa("sve", ARMBENCH_GEMM_F32);
  if (sve != kNone && armbench_cpu_has(ARMBENCH_FEATURE_SVE)) {
    const unsigned nr = armbench_gemm_kernel_at(sve)->nr, bytes = armbench_sve_vector_bytes();
    CHECK_MSG(nr == 3 * bytes / 4, "sve kernel nr %u, vector bytes %u", nr, bytes);
  }
}

}  // namespace

int main() {
  const size_t count = armbench_gemm_kernel_count();
  printf("%zu GEMM microkernels listed\n", count);
  const size_t ref_index[2] = {find_ref(ARMBENCH_GEMM_F32), find_ref(ARMBENCH_GEMM_BF16)};
  Rng rng{12345};
  int ran = 0;

  for (size_t i = 0; i < count; ++i) {
    const UkernelInfo* k = armbench::gemm::kernel_info(i);
    if (!CHECK(k != nullptr)) continue;
    check_description(i, *k);
    const char* why = armbench_gemm_kernel_unsupported(i);
    if (!armbench::gemm::kernel_supported(i)) {
      CHECK_MSG(why != nullptr && why[0] != 0, "%s: unsupported without a reason", k->pub.name);
      printf("  skipped %-24s %s\n", k->pub.name, why ? why : "(no reason)");
      continue;
    }
    CHECK(why == nullptr);

    const size_t r = ref_index[k->pub.dtype == ARMBENCH_GEMM_BF16 ? 1 : 0];
    const UkernelInfo* ref = (r == kNone || r == i) ? nullptr : armbench::gemm::kernel_info(r);
    const size_t kr = k->pub.kr, nr = k->pub.nr;
    const size_t depths[] = {kr, 2 * kr, 3 * kr, 5 * kr, 8 * kr, 17 * kr, 256};
    const float alphas[] = {1.0f, -0.5f};
    const float betas[] = {0.0f, 1.0f, 0.25f};
    int cases = 0, ok = 0;
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; ++d) {
      for (float alpha : alphas) {
        for (float beta : betas) {
          const Case cs{depths[d], d % 2 ? 2 * nr + 1 : nr + 3, alpha, beta};
          ++cases;
          ok += run_case(*k, ref, cs, rng) ? 1 : 0;
        }
      }
    }
    ++ran;
    printf("  ran     %-24s isa %s, %ux%u, kr %u: %d/%d cases right%s%s\n", k->pub.name, k->pub.isa, k->pub.mr,
           k->pub.nr, k->pub.kr, ok, cases, ref ? ", checked against " : "", ref ? ref->pub.name : "");
  }
  printf("%d kernels ran\n", ran);
  check_expected_kernels();
  return check::summary("test_gemm_ukernels");
}
