// (being written: returns no kernel until then)
#include "gemm_ukernel.h"
namespace armbench { namespace gemm {
const UkernelInfo* ukernel_bf16_avx512bf16() { return nullptr; }
} }
