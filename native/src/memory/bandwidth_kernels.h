// Internal: the streaming kernels other memory probes reuse.
#ifndef ARMBENCH_MEMORY_BANDWIDTH_KERNELS_H
#define ARMBENCH_MEMORY_BANDWIDTH_KERNELS_H

#include <stddef.h>

namespace armbench {
namespace memory {

// Reads every byte of [p, p + bytes) once with the best read kernel this CPU has
// (bytes a multiple of 256). Returns a value computed from the data, so the loads
// cannot be optimised away.
double read_pass(const void* p, size_t bytes);

}  // namespace memory
}  // namespace armbench

#endif
