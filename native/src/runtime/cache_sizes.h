// Private: the data cache sizes the kernels block for (armbench/cache_info.h).
#ifndef ARMBENCH_SRC_RUNTIME_CACHE_SIZES_H
#define ARMBENCH_SRC_RUNTIME_CACHE_SIZES_H

#include <stddef.h>

namespace armbench {
namespace runtime {

struct CacheSizes {
  size_t l1d;
  size_t l2;
  size_t l3;
};

// The sizes in force: the caller's (armbench_set_cache_sizes), else sysfs, else
// CPUID, else labelled defaults.
CacheSizes cache_sizes();

}  // namespace runtime
}  // namespace armbench

#endif
