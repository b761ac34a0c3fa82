// The one list of integer GEMM microkernels: the C ABI registry, the driver and the
// tests all read it.
#include <string>

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

struct IRegistry {
  const IUkernelInfo* kernels[8];
  size_t count = 0;
  std::string reasons[8];  // empty when supported
};

const IRegistry& iregistry() {
  static const IRegistry r = [] {
    IRegistry out{};
    const IUkernelInfo* all[] = {ukernel_s8_ref(),   ukernel_s8_avx2(),  ukernel_u8s8_avx512vnni(),
                                 ukernel_u8s8_amx(), ukernel_s8_sdot(),  ukernel_s8_smmla()};
    for (const IUkernelInfo* k : all) {
      if (k == nullptr) continue;
      bool amx = false;
      for (unsigned i = 0; i < k->n_requires; ++i) {
        if (!armbench_cpu_has(k->requires[i])) {
          out.reasons[out.count] = std::string("needs ") + armbench_feature_name(k->requires[i]);
          break;
        }
        amx = amx || k->requires[i] == ARMBENCH_FEATURE_AMX_TILE;
      }
      // An AMX kernel the CPU can run also needs the process's tile state, asked for once.
      const char* refused = amx && out.reasons[out.count].empty() ? armbench_amx_tile_permission() : nullptr;
      if (refused != nullptr) out.reasons[out.count] = refused;
      // The driver packs B for these interleaves and widths only (igemm_driver.cc).
      const unsigned kr = k->pub.kr;
      if ((kr != 2 && kr != 4 && kr != 8) || k->pub.nr > 64) out.reasons[out.count] = "a panel shape the driver cannot pack";
      out.kernels[out.count++] = k;
    }
    return out;
  }();
  return r;
}

}  // namespace

const IUkernelInfo* ikernel_info(size_t i) { return i < iregistry().count ? iregistry().kernels[i] : nullptr; }

bool ikernel_supported(size_t i) { return i < iregistry().count && iregistry().reasons[i].empty(); }

}  // namespace gemm
}  // namespace armbench

using armbench::gemm::iregistry;

extern "C" size_t armbench_igemm_kernel_count(void) { return iregistry().count; }

extern "C" const armbench_igemm_kernel* armbench_igemm_kernel_at(size_t i) {
  const armbench::gemm::IUkernelInfo* k = armbench::gemm::ikernel_info(i);
  return k ? &k->pub : nullptr;
}

extern "C" const char* armbench_igemm_kernel_unsupported(size_t i) {
  if (i >= iregistry().count) return "unknown kernel";
  return iregistry().reasons[i].empty() ? nullptr : iregistry().reasons[i].c_str();
}

extern "C" size_t armbench_igemm_default_kernel(void) {
  size_t best = 0;  // the reference: always first, always supported
  for (size_t i = 1; i < iregistry().count; ++i) {
    if (iregistry().reasons[i].empty() && iregistry().kernels[i]->rank > iregistry().kernels[best]->rank) best = i;
  }
  return best;
}
