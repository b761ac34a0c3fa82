// Bandwidth kernels: every ISA set computes what the scalar reference computes on
// awkward shapes, the C ABI validates, times and checks, and dispatch picks the best
// detected set. Natively it also prints GB/s per cache level (never asserted); under
// an emulator (ARMBENCH_EMULATED=1) sizes stay tiny and only results are checked.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__aarch64__)
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <vector>

#include "../src/memory/bandwidth_internal.h"
#include "../src/memory/bandwidth_kernels.h"
#include "armbench/cpu_features.h"
#include "armbench/memory_probe.h"
#include "armbench/threads.h"
#include "check.h"

using armbench::memory::BwKernels;

namespace {

armbench_bw_kernel kernel(int i) { return static_cast<armbench_bw_kernel>(i); }

void test_names() {
  for (int i = 0; i < ARMBENCH_BW_KERNEL_COUNT; ++i) {
    const char* name = armbench_bw_kernel_name(kernel(i));
    if (!CHECK(name != nullptr && name[0] != '\0')) continue;
    for (int j = 0; j < i; ++j) CHECK_MSG(strcmp(name, armbench_bw_kernel_name(kernel(j))) != 0, "%s twice", name);
    const char* why = armbench_bw_kernel_unsupported(kernel(i));
    printf("kernel %-9s isa %-7s %s\n", name, armbench_bw_kernel_isa(kernel(i)), why ? why : "");
  }
  CHECK(strcmp(armbench_bw_kernel_name(ARMBENCH_BW_TRIAD_NT), "triad-nt") == 0);
  CHECK(armbench_bw_kernel_name(ARMBENCH_BW_KERNEL_COUNT) == nullptr);
  CHECK(armbench_bw_kernel_name(kernel(-1)) == nullptr);
  CHECK(armbench_bw_kernel_isa(ARMBENCH_BW_KERNEL_COUNT) == nullptr);
  CHECK(armbench_bw_kernel_unsupported(ARMBENCH_BW_KERNEL_COUNT) != nullptr);
  CHECK(armbench_bw_kernel_unsupported(ARMBENCH_BW_READ) == nullptr);

  // Dispatch follows detection, never the build alone.
  const char* isa = armbench_bw_kernel_isa(ARMBENCH_BW_COPY);
#if defined(__x86_64__)
  const char* want = armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) ? "avx512"
                     : armbench_cpu_has(ARMBENCH_FEATURE_AVX2)  ? "avx2"
                                                                : "scalar";
  CHECK_MSG(strcmp(isa, want) == 0, "isa %s, want %s", isa, want);
  CHECK((armbench_bw_kernel_unsupported(ARMBENCH_BW_COPY_NT) == nullptr) == (strcmp(want, "scalar") != 0));
#elif defined(__aarch64__)
  const char* want = armbench_cpu_has(ARMBENCH_FEATURE_SVE) ? "sve" : "neon";
  CHECK_MSG(strcmp(isa, want) == 0, "isa %s, want %s", isa, want);
  CHECK(armbench_bw_kernel_unsupported(ARMBENCH_BW_COPY_NT) == nullptr);
#endif
}

// Arrays placed at an element offset from a 64-byte boundary, with sentinels before
// and after, so heads, tails and overruns all show.
constexpr int kGuard = 80;
constexpr float kSentinel = 12345.0f;

struct Guarded {
  std::vector<float> storage;
  float* p;
  size_t n;
  Guarded(size_t n_, size_t offset) : storage(n_ + 2 * kGuard + 16 + offset, kSentinel), n(n_) {
    float* base = storage.data() + kGuard;
    while (reinterpret_cast<uintptr_t>(base) % 64 != 0) ++base;
    p = base + offset;
  }
  bool guards_intact() const {
    for (const float* q = storage.data(); q < p; ++q) {
      if (*q != kSentinel) return false;
    }
    for (const float* q = p + n; q < storage.data() + storage.size(); ++q) {
      if (*q != kSentinel) return false;
    }
    return true;
  }
};

// Small integers: every result is exact in any order of additions.
void fill_random(float* p, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = static_cast<float>(static_cast<int>(seed >> 28) - 8);
  }
}

bool same(const float* a, const float* b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

using WriteFn = void (*)(float*, size_t, float);
using CopyFn = void (*)(float*, const float*, size_t);
using TriadFn = void (*)(float*, const float*, const float*, float, size_t);

// One set against the reference at one shape; returns false at the first difference.
bool matches_reference(const BwKernels& k, size_t n, size_t off) {
  const BwKernels& ref = armbench::memory::kBwScalar;
  Guarded a(n, off), b(n, (off + 1) % 16), c(n, (off + 2) % 16), want(n, 0);
  fill_random(a.p, n, static_cast<uint32_t>(n * 31 + off));
  fill_random(b.p, n, static_cast<uint32_t>(n * 17 + off + 1));
  fill_random(c.p, n, static_cast<uint32_t>(n * 13 + off + 2));
  bool ok = CHECK_MSG(k.read(a.p, n) == ref.read(a.p, n), "%s read n=%zu off=%zu", k.isa, n, off);

  for (WriteFn fn : {k.write, k.write_nt}) {
    if (fn == nullptr) continue;
    ref.write(want.p, n, 2.5f);
    fn(b.p, n, 2.5f);
    ok &= CHECK_MSG(same(b.p, want.p, n) && b.guards_intact(), "%s write%s n=%zu off=%zu", k.isa,
                    fn == k.write ? "" : "-nt", n, off);
  }
  for (CopyFn fn : {k.copy, k.copy_nt}) {
    if (fn == nullptr) continue;
    fill_random(b.p, n, 7);
    fn(b.p, a.p, n);
    ok &= CHECK_MSG(same(b.p, a.p, n) && b.guards_intact(), "%s copy%s n=%zu off=%zu", k.isa,
                    fn == k.copy ? "" : "-nt", n, off);
  }
  for (TriadFn fn : {k.triad, k.triad_nt}) {
    if (fn == nullptr) continue;
    ref.triad(want.p, b.p, c.p, 3.0f, n);
    fill_random(a.p, n, 9);
    fn(a.p, b.p, c.p, 3.0f, n);
    ok &= CHECK_MSG(same(a.p, want.p, n) && a.guards_intact(), "%s triad%s n=%zu off=%zu", k.isa,
                    fn == k.triad ? "" : "-nt", n, off);
  }
  return ok;
}

bool matches_reference_all_shapes(const BwKernels& k) {
  static const size_t sizes[] = {0, 1, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 100, 255, 257, 1000, 4099};
  for (size_t n : sizes) {
    for (size_t off : {0, 1, 3, 5, 8}) {
      if (!matches_reference(k, n, off)) return false;  // one report per set is enough
    }
  }
  return true;
}

void test_scalar_reference() {
  const BwKernels& ref = armbench::memory::kBwScalar;
  std::vector<float> a(1003), b(1003), c(1003);
  fill_random(a.data(), a.size(), 1);
  fill_random(b.data(), b.size(), 2);
  double sum = 0;
  for (float x : a) sum += x;
  CHECK(ref.read(a.data(), a.size()) == sum);
  ref.triad(c.data(), a.data(), b.data(), 3.0f, c.size());
  bool ok = true;
  for (size_t i = 0; i < c.size(); ++i) ok &= c[i] == a[i] + 3.0f * b[i];
  CHECK(ok);
}

void test_sets() {
  size_t count;
  const BwKernels* const* sets = armbench::memory::bw_kernel_sets(&count);
  CHECK(count >= 1 && sets[count - 1] == &armbench::memory::kBwScalar);
  for (size_t i = 0; i < count; ++i) {
    const BwKernels& k = *sets[i];
    if (!armbench::memory::bw_kernels_usable(&k)) {
      printf("set %s: skipped, needs %s\n", k.isa, armbench_feature_name(k.needs));
      continue;
    }
    // Every set with NT stores has all three.
    CHECK((k.write_nt == nullptr) == (k.copy_nt == nullptr) && (k.copy_nt == nullptr) == (k.triad_nt == nullptr));
#if defined(__aarch64__)
    if (k.needs == ARMBENCH_FEATURE_SVE) {
      // Vector-length agnostic means right at every length this CPU allows.
      const int saved = prctl(PR_SVE_GET_VL);
      for (int vl = 16; vl <= 256; vl *= 2) {
        const int got = prctl(PR_SVE_SET_VL, vl);
        if (got < 0 || (got & PR_SVE_VL_LEN_MASK) != vl) continue;
        CHECK_MSG(matches_reference_all_shapes(k), "sve at vl %d bytes", vl);
        printf("set sve: checked at %d-byte vectors\n", vl);
      }
      if (saved >= 0) prctl(PR_SVE_SET_VL, saved & PR_SVE_VL_LEN_MASK);
      continue;
    }
#endif
    CHECK(matches_reference_all_shapes(k));
    printf("set %s: matches the reference%s\n", k.isa, k.write_nt ? " (with nt)" : "");
  }
}

uint64_t expected_bytes_per_pass(armbench_bw_kernel k, size_t bytes, int threads) {
  const size_t arrays = (k == ARMBENCH_BW_COPY || k == ARMBENCH_BW_COPY_NT)     ? 2
                        : (k == ARMBENCH_BW_TRIAD || k == ARMBENCH_BW_TRIAD_NT) ? 3
                                                                                : 1;
  return static_cast<uint64_t>(threads) * arrays * (bytes / arrays / 256 * 256);
}

void test_runs(int threads, const int* cpus) {
  const size_t bytes = 64 << 10;
  for (int i = 0; i < ARMBENCH_BW_KERNEL_COUNT; ++i) {
    armbench_bw_sample out[3] = {};
    const armbench_bw_request req = {kernel(i), bytes, threads, cpus, emulated() ? 2u : 200u, 3};
    const int rc = armbench_bandwidth(&req, out);
    const char* name = armbench_bw_kernel_name(kernel(i));
    if (armbench_bw_kernel_unsupported(kernel(i)) != nullptr) {
      CHECK_MSG(rc == -ENOTSUP, "%s: rc %d", name, rc);
      continue;
    }
    if (!CHECK_MSG(rc == 0, "%s, %d threads: rc %d", name, threads, rc)) continue;
    uint64_t min_n = UINT64_MAX, min_2n = UINT64_MAX;
    for (const armbench_bw_sample& s : out) {
      CHECK_MSG(s.ns_n > 0 && s.ns_2n > 0, "%s: %llu %llu", name, (unsigned long long)s.ns_n,
                (unsigned long long)s.ns_2n);
      CHECK_MSG(s.bytes_per_pass == expected_bytes_per_pass(kernel(i), bytes, threads), "%s: %llu bytes per pass",
                name, (unsigned long long)s.bytes_per_pass);
      min_n = std::min(min_n, s.ns_n);
      min_2n = std::min(min_2n, s.ns_2n);
    }
    // Minima, because a preemption only ever adds time; a loaded machine can still
    // inflate every N sample of one call, so more calls are taken (their minima kept)
    // before the order counts as wrong. Under an emulator the N run also pays for
    // translating the loop, so there the order means nothing.
    for (int retry = 0; retry < 20 && !emulated() && min_2n <= min_n; ++retry) {
      if (armbench_bandwidth(&req, out) != 0) break;
      for (const armbench_bw_sample& s : out) {
        min_n = std::min(min_n, s.ns_n);
        min_2n = std::min(min_2n, s.ns_2n);
      }
    }
    if (!emulated()) {
      CHECK_MSG(min_2n > min_n, "%s: 2N passes %llu ns, N passes %llu ns", name, (unsigned long long)min_2n,
                (unsigned long long)min_n);
    }
  }
}

void test_invalid() {
  armbench_bw_sample out[2];
  const armbench_bw_request good = {ARMBENCH_BW_READ, 4096, 1, nullptr, 1, 1};
  CHECK(armbench_bandwidth(&good, out) == 0);
  CHECK(out[0].bytes_per_pass == 4096);
  armbench_bw_request r = good;
  r.kernel = ARMBENCH_BW_KERNEL_COUNT;
  CHECK(armbench_bandwidth(&r, out) == -EINVAL);
  r = good;
  r.kernel = kernel(-1);
  CHECK(armbench_bandwidth(&r, out) == -EINVAL);
  r = good;
  r.bytes = 4095;
  CHECK(armbench_bandwidth(&r, out) == -EINVAL);
  r = good;
  r.threads = 0;
  CHECK(armbench_bandwidth(&r, out) == -EINVAL);
  r = good;
  r.samples = 0;
  CHECK(armbench_bandwidth(&r, out) == -EINVAL);
  r = good;
  r.repeats = 0;
  CHECK(armbench_bandwidth(&r, out) == -EINVAL);
  CHECK(armbench_bandwidth(nullptr, out) == -EINVAL);
  CHECK(armbench_bandwidth(&good, nullptr) == -EINVAL);
}

void test_read_pass() {
  std::vector<float> a(4096);
  fill_random(a.data(), a.size(), 5);
  double sum = 0;
  for (float x : a) sum += x;
  CHECK(armbench::memory::read_pass(a.data(), a.size() * sizeof(float)) == sum);
}

// GB/s from the fastest N-pass and the fastest 2N-pass runs: their difference drops
// the fixed costs, and the minima drop a sample cut by preemption (this is a log for
// people, not a benchmark; the suites do the statistics).
double measure(armbench_bw_kernel k, size_t bytes, int threads, const int* cpus) {
  const uint64_t repeats = std::max<uint64_t>(1, (uint64_t{32} << 20) / bytes);
  armbench_bw_sample out[5];
  const armbench_bw_request req = {k, bytes, threads, cpus, repeats, bytes > (64u << 20) ? 2u : 5u};
  if (armbench_bandwidth(&req, out) != 0) return -1;
  uint64_t min_n = UINT64_MAX, min_2n = UINT64_MAX;
  for (unsigned s = 0; s < req.samples; ++s) {
    min_n = std::min(min_n, out[s].ns_n);
    min_2n = std::min(min_2n, out[s].ns_2n);
  }
  if (min_2n <= min_n) return 0;
  return static_cast<double>(out[0].bytes_per_pass) * repeats / static_cast<double>(min_2n - min_n);
}

void print_levels(int cpu_count, const int* cpus) {
  static const size_t sizes[] = {32 << 10, 512 << 10, 8 << 20, 256 << 20};
  for (int threads = 1; threads <= std::min(2, cpu_count); ++threads) {
    printf("GB/s, %d thread%s, bytes per thread: %12s %12s %12s %12s\n", threads, threads > 1 ? "s" : " ", "32 KiB",
           "512 KiB", "8 MiB", "256 MiB");
    for (int i = 0; i < ARMBENCH_BW_KERNEL_COUNT; ++i) {
      if (armbench_bw_kernel_unsupported(kernel(i)) != nullptr) continue;
      printf("  %-9s (%-6s)                 ", armbench_bw_kernel_name(kernel(i)), armbench_bw_kernel_isa(kernel(i)));
      for (size_t bytes : sizes) printf(" %12.1f", measure(kernel(i), bytes, threads, cpus));
      printf("\n");
      fflush(stdout);
    }
  }
}

}  // namespace

int main() {
  int cpus[2];
  const int cpu_count = armbench_allowed_cpus(cpus, 2);
  const int* two = cpu_count >= 2 ? cpus : nullptr;

  test_names();
  test_scalar_reference();
  test_sets();
  test_read_pass();
  test_invalid();
  test_runs(1, nullptr);
  test_runs(2, two);
  if (!emulated()) print_levels(cpu_count, cpu_count >= 1 ? cpus : nullptr);
  return check::summary("test_bandwidth");
}
