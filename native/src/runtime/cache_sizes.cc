// The data cache sizes of this CPU, read once from sysfs.
#include "cache_sizes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace armbench {
namespace runtime {
namespace {

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

CacheSizes read_caches() {
  CacheSizes c;
  for (int i = 0; i < 16; ++i) {
    char path[128], level[32], type[32], size[32];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (!read_line(path, level, sizeof level)) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (!read_line(path, type, sizeof type)) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!read_line(path, size, sizeof size)) continue;
    const size_t bytes = parse_size(size);
    if (bytes == 0 || strncmp(type, "Instruction", 11) == 0) continue;
    const int lv = atoi(level);
    if (lv == 1 && strncmp(type, "Data", 4) == 0) c.l1d = bytes;
    if (lv == 2) c.l2 = bytes;
    if (lv == 3) c.l3 = bytes;
  }
  return c;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes c = read_caches();
  return c;
}

}  // namespace runtime
}  // namespace armbench
