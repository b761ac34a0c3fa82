// (being written: returns no kernel until then)
#include "gemm_ukernel.h"
namespace armbench { namespace gemm {
const UkernelInfo* ukernel_f32_avx2() { return nullptr; }
} }
