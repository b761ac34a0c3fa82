// CPUID cache decoding replayed from recorded answers (machines unlike the one the
// tests run on), this CPU's own reading, and the sizes the kernels block for.
#include <errno.h>
#include <stdio.h>

#include <vector>

#include "armbench/cache_info.h"
#include "check.h"

namespace {

using Regs = armbench_cpuid_regs;

// An Intel VM (family 6, AVX-512/AMX; hypervisor-reported model 0xa7): recorded on
// a 2-vCPU KVM guest whose sysfs shows L1d 48K, L1i 64K, L2 2048K, L3 491520K (0-1).
const std::vector<Regs> kIntelVm = {
    {0x0, 0, 0x00000024, 0x756e6547, 0x6c65746e, 0x49656e69},
    {0x1, 0, 0x000a0671, 0x00020800, 0xfffa3203, 0x1f8bfbff},
    {0xb, 0, 0x00000000, 0x00000001, 0x00000100, 0x00000000},
    {0xb, 1, 0x00000005, 0x00000002, 0x00000201, 0x00000000},
    {0xb, 2, 0x00000000, 0x00000000, 0x00000002, 0x00000000},
    {0x4, 0, 0x04000121, 0x02c0003f, 0x0000003f, 0x00000000},
    {0x4, 1, 0x04000122, 0x03c0003f, 0x0000003f, 0x00000000},
    {0x4, 2, 0x04000143, 0x03c0003f, 0x000007ff, 0x00000000},
    {0x4, 3, 0x04004163, 0x03c0003f, 0x00077fff, 0x00000000},
    {0x4, 4, 0x00000000, 0x00000000, 0x00000000, 0x00000000},
    {0x80000000, 0, 0x80000008, 0x00000000, 0x00000000, 0x00000000},
    {0x80000001, 0, 0x00000000, 0x00000000, 0x00000121, 0x2c100800},
};

// AMD answers are built from the documented geometry (Software Optimization Guides
// for Zen 4, pub. 57647, and Zen 5, pub. 58455) in leaf 0x8000001D's layout: EAX type,
// level, self-init bit 8, sharing - 1 in bits 14-25; EBX ways - 1 << 22 | line - 1;
// ECX sets - 1. A 2-vCPU guest: the topology leaf says 2 CPUs in the package, so the
// 16 threads of a CCX's L3 are capped to the 2 there are.
constexpr uint32_t kAuth = 0x68747541, kEnti = 0x69746e65, kCamd = 0x444d4163;
std::vector<Regs> amd(uint32_t l1d_ways, uint32_t l1d_sets, uint32_t l2_ways, uint32_t l2_sets, bool topology_ext) {
  return {
      {0x0, 0, 0x00000010, kAuth, kCamd, kEnti},
      {0x1, 0, 0x00a10f11, 0x00020800, 0x7ed8320b, 0x178bfbff},
      {0xb, 0, 0x00000000, 0x00000001, 0x00000100, 0x00000000},
      {0xb, 1, 0x00000001, 0x00000002, 0x00000201, 0x00000000},
      {0x80000000, 0, 0x80000028, kAuth, kCamd, kEnti},
      {0x80000001, 0, 0x00a10f11, 0, topology_ext ? 0x00400000u : 0u, 0x2fd3fbffu},
      {0x8000001D, 0, 0x00004121, (l1d_ways - 1) << 22 | 63, l1d_sets - 1, 0},
      {0x8000001D, 1, 0x00004122, (8 - 1) << 22 | 63, 64 - 1, 0},
      {0x8000001D, 2, 0x00004143, (l2_ways - 1) << 22 | 63, l2_sets - 1, 0},
      {0x8000001D, 3, 0x0003C163, (16 - 1) << 22 | 63, 32768 - 1, 0},
      {0x8000001D, 4, 0, 0, 0, 0},
  };
}

std::vector<armbench_cache_level> decode(const std::vector<Regs>& r) {
  std::vector<armbench_cache_level> out(16);
  const int n = armbench_decode_cpuid_caches(r.data(), static_cast<int>(r.size()), out.data(), 16);
  out.resize(static_cast<size_t>(n < 0 ? 0 : n));
  return out;
}

void expect_level(const armbench_cache_level& c, int level, int type, uint64_t bytes, int ways, int shared) {
  CHECK(c.level == level);
  CHECK(c.type == type);
  CHECK(c.size_bytes == bytes);
  CHECK(c.line_bytes == 64);
  CHECK(c.ways == ways);
  CHECK(c.shared_by_cpus == shared);
}

void test_intel_vm() {
  const auto c = decode(kIntelVm);
  CHECK(c.size() == 4);
  if (c.size() != 4) return;
  expect_level(c[0], 1, ARMBENCH_CACHE_DATA, 48 << 10, 12, 1);
  expect_level(c[1], 1, ARMBENCH_CACHE_INSTRUCTION, 64 << 10, 16, 1);
  expect_level(c[2], 2, ARMBENCH_CACHE_UNIFIED, 2 << 20, 16, 1);
  expect_level(c[3], 3, ARMBENCH_CACHE_UNIFIED, 480ull << 20, 16, 2);
}

void test_amd() {
  const auto zen4 = decode(amd(8, 64, 8, 2048, true));
  CHECK(zen4.size() == 4);
  if (zen4.size() == 4) {
    expect_level(zen4[0], 1, ARMBENCH_CACHE_DATA, 32 << 10, 8, 2);
    expect_level(zen4[2], 2, ARMBENCH_CACHE_UNIFIED, 1 << 20, 8, 2);
    expect_level(zen4[3], 3, ARMBENCH_CACHE_UNIFIED, 32 << 20, 16, 2);
  }
  const auto zen5 = decode(amd(12, 64, 16, 1024, true));
  CHECK(zen5.size() == 4);
  if (zen5.size() == 4) {
    expect_level(zen5[0], 1, ARMBENCH_CACHE_DATA, 48 << 10, 12, 2);
    expect_level(zen5[2], 2, ARMBENCH_CACHE_UNIFIED, 1 << 20, 16, 2);
  }
  // Without the topology-extensions bit the leaf is not defined: nothing is read.
  CHECK(decode(amd(8, 64, 8, 2048, false)).empty());
}

void test_nothing_to_read() {
  // An Intel CPU whose maximum leaf stops before 4, another vendor, an empty recording.
  std::vector<Regs> old_intel = kIntelVm;
  old_intel[0].eax = 2;
  CHECK(decode(old_intel).empty());
  std::vector<Regs> other = kIntelVm;
  other[0].ebx = 0x20202020;
  CHECK(decode(other).empty());
  CHECK(decode({}).empty());
  armbench_cache_level one;
  CHECK(armbench_decode_cpuid_caches(kIntelVm.data(), static_cast<int>(kIntelVm.size()), &one, 1) == 1);
  CHECK(armbench_decode_cpuid_caches(nullptr, 3, &one, 1) == 0);
}

void test_this_cpu() {
  armbench_cache_level levels[16];
  const int n = armbench_cpuid_caches(levels, 16);
#if defined(__x86_64__)
  // Every x86-64 CPU armbench targets has a deterministic cache leaf, unless a
  // hypervisor hides it: then there is nothing to check, and it is said.
  if (n == 0) printf("test_cache_info: this CPU's CPUID has no cache leaf\n");
#else
  CHECK(n == 0);
#endif
  for (int i = 0; i < n; ++i) {
    CHECK(levels[i].level >= 1 && levels[i].level <= 4);
    CHECK(levels[i].size_bytes >= 1024);
    CHECK(levels[i].shared_by_cpus >= 1);
  }
}

void test_blocking_sizes() {
  const armbench_cache_sizes own = armbench_get_cache_sizes();
  CHECK(own.l1d >= 1024 && own.l1d <= own.l2 && own.l2 <= own.l3);
  CHECK(own.source == ARMBENCH_CACHE_SIZES_SYSFS || own.source == ARMBENCH_CACHE_SIZES_CPUID || own.source == ARMBENCH_CACHE_SIZES_DEFAULT);
  CHECK(armbench_set_cache_sizes(64 << 10, 32 << 10, 1 << 20) == -EINVAL);  // L1 larger than L2
  CHECK(armbench_set_cache_sizes(0, 1 << 20, 1 << 20) == -EINVAL);
  CHECK(armbench_set_cache_sizes(48 << 10, 1 << 20, 1 << 20) == 0);
  const armbench_cache_sizes set = armbench_get_cache_sizes();
  CHECK(set.l1d == 48 << 10 && set.l2 == 1 << 20 && set.l3 == 1 << 20);
  CHECK(set.source == ARMBENCH_CACHE_SIZES_CALLER);
}

}  // namespace

int main() {
  test_intel_vm();
  test_amd();
  test_nothing_to_read();
  test_this_cpu();
  test_blocking_sizes();
  return check::summary("test_cache_info");
}
