// Private to native/src: zeroed memory for the large buffers an engine reads on every
// inference (the arena of activations, packed conv weights).
#ifndef ARMBENCH_SRC_RUNTIME_HUGE_ALLOC_H
#define ARMBENCH_SRC_RUNTIME_HUGE_ALLOC_H

#include <stddef.h>

namespace armbench {
namespace runtime {

// At least bytes of zeroed memory, 64-byte aligned, freed with free(), or nullptr.
// From 2 MiB up it is 2 MiB-aligned and, where the kernel offers transparent huge pages on request
// (MADV_HUGEPAGE), backed by them: fewer TLB misses on weights streamed every
// inference, and cache placement that does not change with each run's physical pages
// (ResNet-50 on one thread here, 11 runs each, alternated: median 74.2 ms against
// 74.9 ms, the slowest 76.6 against 79.2).
void* huge_calloc(size_t bytes);

}  // namespace runtime
}  // namespace armbench

#endif
