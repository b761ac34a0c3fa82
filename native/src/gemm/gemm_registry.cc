// The one list of GEMM microkernels: the C ABI registry, the driver, the tests and
// the suites all read it.
#include <string>

#include "gemm_ukernel.h"
#include "registry.h"

namespace armbench {
namespace gemm {
namespace {

struct Registry {
  const UkernelInfo* kernels[16];
  size_t count = 0;
  std::string reasons[16];  // empty when supported
};

// "needs bf16": the first required feature the CPU lacks; empty when none. An AMX
// kernel the CPU can run also needs the process's tile state, asked for here, once.
std::string missing_feature(const UkernelInfo& k) {
  bool amx = false;
  for (unsigned i = 0; i < k.n_requires; ++i) {
    if (!armbench_cpu_has(k.requires[i])) return std::string("needs ") + armbench_feature_name(k.requires[i]);
    amx = amx || k.requires[i] == ARMBENCH_FEATURE_AMX_TILE;
  }
  const char* refused = amx ? armbench_amx_tile_permission() : nullptr;
  return refused != nullptr ? refused : std::string();
}

const Registry& registry() {
  static const Registry r = [] {
    Registry out{};
    const UkernelInfo* all[] = {
        ukernel_f32_ref(),    ukernel_bf16_ref(),         ukernel_f32_avx2(), ukernel_f32_avx512(),
        ukernel_bf16_avx512bf16(), ukernel_f32_neon(),    ukernel_f32_sve(),  ukernel_bf16_bfmmla(),
        ukernel_bf16_bfdot(), ukernel_bf16_amx(),
    };
    for (const UkernelInfo* k : all) {
      if (k == nullptr) continue;
      out.reasons[out.count] = missing_feature(*k);
      out.kernels[out.count++] = k;
    }
    return out;
  }();
  return r;
}

}  // namespace

const UkernelInfo* kernel_info(size_t i) { return i < registry().count ? registry().kernels[i] : nullptr; }

bool kernel_supported(size_t i) { return i < registry().count && registry().reasons[i].empty(); }

}  // namespace gemm
}  // namespace armbench

using armbench::gemm::registry;

extern "C" size_t armbench_gemm_kernel_count(void) { return registry().count; }

extern "C" const armbench_gemm_kernel* armbench_gemm_kernel_at(size_t i) {
  const armbench::gemm::UkernelInfo* k = armbench::gemm::kernel_info(i);
  return k ? &k->pub : nullptr;
}

extern "C" const char* armbench_gemm_kernel_unsupported(size_t i) {
  if (i >= registry().count) return "unknown kernel";
  return registry().reasons[i].empty() ? nullptr : registry().reasons[i].c_str();
}

extern "C" size_t armbench_gemm_default_kernel(armbench_gemm_dtype dtype) {
  size_t best = registry().count;
  for (size_t i = 0; i < registry().count; ++i) {
    const armbench::gemm::UkernelInfo* k = registry().kernels[i];
    if (k->pub.dtype != dtype || !registry().reasons[i].empty()) continue;
    if (best == registry().count || k->rank > registry().kernels[best]->rank) best = i;
  }
  return best;
}
