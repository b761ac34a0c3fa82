// The data cache sizes the kernels block for: the caller's, else this library's own
// reading (sysfs, else CPUID, else labelled defaults), read once.
#include "cache_sizes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mutex>

#include "armbench/cache_info.h"

namespace armbench {
namespace runtime {
namespace {

// Labelled defaults, for a machine that tells nothing: a common server core.
constexpr size_t kDefaultL1d = 32 * 1024;
constexpr size_t kDefaultL2 = 512 * 1024;
constexpr size_t kDefaultL3 = 8 * 1024 * 1024;

size_t parse_size(const char* s) {
  char* end = nullptr;
  const unsigned long long v = strtoull(s, &end, 10);
  if (end == s) return 0;
  if (*end == 'K' || *end == 'k') return static_cast<size_t>(v) << 10;
  if (*end == 'M' || *end == 'm') return static_cast<size_t>(v) << 20;
  if (*end == 'G' || *end == 'g') return static_cast<size_t>(v) << 30;
  return static_cast<size_t>(v);
}

bool read_line(const char* path, char* buf, size_t n) {
  FILE* f = fopen(path, "r");
  if (f == nullptr) return false;
  const bool ok = fgets(buf, static_cast<int>(n), f) != nullptr;
  fclose(f);
  return ok;
}

struct Found {
  size_t l1d = 0, l2 = 0, l3 = 0;
  void take(int level, bool data_or_unified, bool data, size_t bytes) {
    if (bytes == 0 || !data_or_unified) return;
    if (level == 1 && data) l1d = bytes;
    if (level == 2) l2 = bytes;
    if (level == 3) l3 = bytes;
  }
};

Found from_sysfs() {
  Found f;
  for (int i = 0; i < 16; ++i) {
    char path[128], level[32], type[32], size[32];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (!read_line(path, level, sizeof level)) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (!read_line(path, type, sizeof type)) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!read_line(path, size, sizeof size)) continue;
    f.take(atoi(level), strncmp(type, "Instruction", 11) != 0, strncmp(type, "Data", 4) == 0, parse_size(size));
  }
  return f;
}

Found from_cpuid() {
  Found f;
  armbench_cache_level levels[16];
  const int n = armbench_cpuid_caches(levels, 16);
  for (int i = 0; i < n; ++i) {
    f.take(levels[i].level, levels[i].type != ARMBENCH_CACHE_INSTRUCTION, levels[i].type == ARMBENCH_CACHE_DATA,
           static_cast<size_t>(levels[i].size_bytes));
  }
  return f;
}

armbench_cache_sizes own_reading() {
  int source = ARMBENCH_CACHE_SIZES_SYSFS;
  Found f = from_sysfs();
  if (f.l1d == 0 || f.l2 == 0) {
    f = from_cpuid();
    source = ARMBENCH_CACHE_SIZES_CPUID;
  }
  if (f.l1d == 0 || f.l2 == 0) {
    const armbench_cache_sizes d = armbench_default_cache_sizes();
    f = Found{static_cast<size_t>(d.l1d), static_cast<size_t>(d.l2), static_cast<size_t>(d.l3)};
    source = ARMBENCH_CACHE_SIZES_DEFAULT;
  }
  // A two-level machine blocks its outer loop for its last level.
  if (f.l3 == 0) f.l3 = f.l2;
  return armbench_cache_sizes{f.l1d, f.l2, f.l3, source};
}

std::mutex g_mutex;
bool g_ready = false;
armbench_cache_sizes g_sizes;

armbench_cache_sizes current() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_ready) {
    g_sizes = own_reading();
    g_ready = true;
  }
  return g_sizes;
}

}  // namespace

CacheSizes cache_sizes() {
  const armbench_cache_sizes s = current();
  return CacheSizes{static_cast<size_t>(s.l1d), static_cast<size_t>(s.l2), static_cast<size_t>(s.l3)};
}

}  // namespace runtime
}  // namespace armbench

extern "C" armbench_cache_sizes armbench_default_cache_sizes(void) {
  return armbench_cache_sizes{armbench::runtime::kDefaultL1d, armbench::runtime::kDefaultL2, armbench::runtime::kDefaultL3,
                              ARMBENCH_CACHE_SIZES_DEFAULT};
}

extern "C" armbench_cache_sizes armbench_get_cache_sizes(void) { return armbench::runtime::current(); }

extern "C" int armbench_set_cache_sizes(uint64_t l1d, uint64_t l2, uint64_t l3) {
  constexpr uint64_t kMin = 1024, kMax = 64ull << 30;
  if (l1d < kMin || l3 > kMax || l1d > l2 || l2 > l3) return -EINVAL;
  std::lock_guard<std::mutex> lock(armbench::runtime::g_mutex);
  armbench::runtime::g_sizes = armbench_cache_sizes{l1d, l2, l3, ARMBENCH_CACHE_SIZES_CALLER};
  armbench::runtime::g_ready = true;
  return 0;
}
