// Private: the data cache sizes of this CPU (sysfs), read once.
#ifndef ARMBENCH_SRC_RUNTIME_CACHE_SIZES_H
#define ARMBENCH_SRC_RUNTIME_CACHE_SIZES_H

#include <stddef.h>

namespace armbench {
namespace runtime {

struct CacheSizes {
  size_t l1d = 32 * 1024;  // defaults when sysfs has no cache information
  size_t l2 = 512 * 1024;
  size_t l3 = 8 * 1024 * 1024;
};

// CPU 0's data and unified caches per level, from /sys/devices/system/cpu/cpu0/cache.
const CacheSizes& cache_sizes();

}  // namespace runtime
}  // namespace armbench

#endif
