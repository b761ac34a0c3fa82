// Cache parameters from CPUID's deterministic cache leaves (Intel leaf 4, AMD leaf
// 0x8000001D), decoded from recorded answers so that any machine's values can be
// replayed in a test; the live reader records this CPU's answers and decodes them.
#include <string.h>

#include <vector>

#include "armbench/cache_info.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace {

struct Recording {
  const armbench_cpuid_regs* regs;
  int n;

  armbench_cpuid_regs get(uint32_t leaf, uint32_t subleaf) const {
    for (int i = 0; i < n; ++i) {
      if (regs[i].leaf == leaf && regs[i].subleaf == subleaf) return regs[i];
    }
    return armbench_cpuid_regs{leaf, subleaf, 0, 0, 0, 0};
  }
};

constexpr uint32_t kIntelCacheLeaf = 4;
constexpr uint32_t kAmdCacheLeaf = 0x8000001D;
constexpr int kMaxSubleaves = 16;  // both leaves end with a null type long before this

uint32_t bits(uint32_t word, int lo, int hi) { return (word >> lo) & ((hi - lo == 31) ? 0xffffffffu : ((1u << (hi - lo + 1)) - 1)); }

enum class Vendor { kIntel, kAmd, kOther };

Vendor vendor_of(const Recording& r) {
  const armbench_cpuid_regs l0 = r.get(0, 0);
  char v[13];
  memcpy(v, &l0.ebx, 4);
  memcpy(v + 4, &l0.edx, 4);
  memcpy(v + 8, &l0.ecx, 4);
  v[12] = '\0';
  if (strcmp(v, "GenuineIntel") == 0) return Vendor::kIntel;
  if (strcmp(v, "AuthenticAMD") == 0 || strcmp(v, "HygonGenuine") == 0) return Vendor::kAmd;
  return Vendor::kOther;
}

// Logical CPUs in the package: the widest level of the extended topology leaf 0xB,
// else leaf 1's count (valid when HTT is set), else unknown (0).
uint32_t package_cpus(const Recording& r) {
  const uint32_t max_leaf = r.get(0, 0).eax;
  uint32_t widest = 0;
  if (max_leaf >= 0xB) {
    for (uint32_t sub = 0; sub < 8; ++sub) {
      const armbench_cpuid_regs t = r.get(0xB, sub);
      if (bits(t.ecx, 8, 15) == 0) break;  // level type 0: past the last level
      widest = bits(t.ebx, 0, 15);
    }
  }
  if (widest > 0) return widest;
  const armbench_cpuid_regs l1 = r.get(1, 0);
  if ((l1.edx >> 28) & 1u) return bits(l1.ebx, 16, 23);
  return 0;
}

}  // namespace

extern "C" int armbench_decode_cpuid_caches(const armbench_cpuid_regs* regs, int n, armbench_cache_level* out, int max) {
  if (regs == nullptr || n <= 0 || out == nullptr || max <= 0) return 0;
  const Recording r{regs, n};
  uint32_t leaf = 0;
  switch (vendor_of(r)) {
    case Vendor::kIntel:
      if (r.get(0, 0).eax >= kIntelCacheLeaf) leaf = kIntelCacheLeaf;
      break;
    case Vendor::kAmd:
      // Topology extensions (leaf 0x80000001 ECX bit 22) declare leaf 0x8000001D.
      if (r.get(0x80000000, 0).eax >= kAmdCacheLeaf && ((r.get(0x80000001, 0).ecx >> 22) & 1u)) leaf = kAmdCacheLeaf;
      break;
    case Vendor::kOther:
      break;
  }
  if (leaf == 0) return 0;
  const uint32_t package = package_cpus(r);
  int found = 0;
  for (uint32_t sub = 0; sub < kMaxSubleaves && found < max; ++sub) {
    const armbench_cpuid_regs c = r.get(leaf, sub);
    const uint32_t type = bits(c.eax, 0, 4);
    if (type == 0) break;
    if (type > 3) continue;  // reserved types
    const uint64_t line = bits(c.ebx, 0, 11) + 1ull;
    const uint64_t partitions = bits(c.ebx, 12, 21) + 1ull;
    const uint64_t ways = bits(c.ebx, 22, 31) + 1ull;
    const uint64_t sets = static_cast<uint64_t>(c.ecx) + 1ull;
    const bool fully_associative = (c.eax >> 9) & 1u;
    uint32_t sharing = bits(c.eax, 14, 25) + 1;
    // The leaf counts addressable IDs, a power of two that can exceed the CPUs there are.
    if (package > 0 && sharing > package) sharing = package;
    armbench_cache_level& o = out[found++];
    o.level = static_cast<int>(bits(c.eax, 5, 7));
    o.type = static_cast<int>(type);
    o.size_bytes = line * partitions * ways * sets;
    o.line_bytes = static_cast<int>(line);
    o.ways = fully_associative ? 0 : static_cast<int>(ways);
    o.shared_by_cpus = static_cast<int>(sharing);
  }
  return found;
}

extern "C" int armbench_cpuid_caches(armbench_cache_level* out, int max) {
#if defined(__x86_64__)
  std::vector<armbench_cpuid_regs> rec;
  auto record = [&rec](uint32_t leaf, uint32_t sub) -> armbench_cpuid_regs {
    armbench_cpuid_regs x{leaf, sub, 0, 0, 0, 0};
    // __get_cpuid_count refuses leaves past the maximum: those stay zero.
    if (!__get_cpuid_count(leaf, sub, &x.eax, &x.ebx, &x.ecx, &x.edx)) x.eax = x.ebx = x.ecx = x.edx = 0;
    rec.push_back(x);
    return x;
  };
  const uint32_t max_leaf = record(0, 0).eax;
  record(1, 0);
  if (max_leaf >= 0xB) {
    for (uint32_t sub = 0; sub < 8; ++sub) {
      if (bits(record(0xB, sub).ecx, 8, 15) == 0) break;
    }
  }
  if (max_leaf >= kIntelCacheLeaf) {
    for (uint32_t sub = 0; sub < kMaxSubleaves; ++sub) {
      if (bits(record(kIntelCacheLeaf, sub).eax, 0, 4) == 0) break;
    }
  }
  const uint32_t max_ext = record(0x80000000, 0).eax;
  if (max_ext >= 0x80000001) record(0x80000001, 0);
  if (max_ext >= kAmdCacheLeaf) {
    for (uint32_t sub = 0; sub < kMaxSubleaves; ++sub) {
      if (bits(record(kAmdCacheLeaf, sub).eax, 0, 4) == 0) break;
    }
  }
  return armbench_decode_cpuid_caches(rec.data(), static_cast<int>(rec.size()), out, max);
#else
  (void)out;
  (void)max;
  return 0;
#endif
}

extern "C" int armbench_register_dcache_line_bytes(void) {
#if defined(__aarch64__)
  uint64_t ctr = 0;
  __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
  return 4 << ((ctr >> 16) & 0xf);  // DminLine: log2 of the line in 4-byte words
#else
  return 0;
#endif
}
