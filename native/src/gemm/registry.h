// Private to native/src/gemm: registry look-ups for the driver.
#ifndef ARMBENCH_SRC_GEMM_REGISTRY_H
#define ARMBENCH_SRC_GEMM_REGISTRY_H

#include <stddef.h>

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {

// nullptr when i is out of range.
const UkernelInfo* kernel_info(size_t i);
// The CPU has every feature kernel i requires.
bool kernel_supported(size_t i);

}  // namespace gemm
}  // namespace armbench

#endif
