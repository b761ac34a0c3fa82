// Internal: the bandwidth kernel sets, one per ISA, shared by bandwidth.cc, the ISA
// files and the tests. Types and declarations only: this header is included by files
// compiled with different target flags, so it must not define any function.
#ifndef ARMBENCH_MEMORY_BANDWIDTH_INTERNAL_H
#define ARMBENCH_MEMORY_BANDWIDTH_INTERNAL_H

#include <stddef.h>

#include "armbench/cpu_features.h"

namespace armbench {
namespace memory {

// Arrays are fp32; counts are in elements. Every kernel accepts any n and any
// element-aligned pointer (tails and heads are handled inside), so the tests can
// feed odd shapes; the benchmark itself only passes 64-byte aligned arrays whose
// sizes are multiples of kBwBlockBytes, so no head or tail runs while timed.
constexpr size_t kBwBlockBytes = 256;  // the largest SVE vector (2048 bits)
constexpr size_t kBwBlockFloats = kBwBlockBytes / sizeof(float);

struct BwKernels {
  const char* isa;          // "scalar", "avx2", "avx512", "neon", "sve"
  armbench_feature needs;   // ARMBENCH_FEATURE_COUNT: runs on every CPU of the architecture
  double (*read)(const float* a, size_t n);  // sum of a[0..n)
  void (*write)(float* a, size_t n, float v);
  void (*copy)(float* dst, const float* src, size_t n);
  void (*triad)(float* a, const float* b, const float* c, float s, size_t n);  // a = b + s * c
  // Non-temporal stores; nullptr when the set has none.
  void (*write_nt)(float* a, size_t n, float v);
  void (*copy_nt)(float* dst, const float* src, size_t n);
  void (*triad_nt)(float* a, const float* b, const float* c, float s, size_t n);
};

// The portable reference, also the tests' oracle (bandwidth_scalar.cc).
extern const BwKernels kBwScalar;
#if defined(__x86_64__)
extern const BwKernels kBwAvx2;
extern const BwKernels kBwAvx512;
#elif defined(__aarch64__)
extern const BwKernels kBwNeon;
extern const BwKernels kBwSve;
#endif

// Every set built for this architecture, best first (bandwidth.cc); the last is the
// scalar reference. A set may run only when its `needs` is detected.
const BwKernels* const* bw_kernel_sets(size_t* count);
bool bw_kernels_usable(const BwKernels* k);
// The best usable set (decided once).
const BwKernels* bw_best_kernels();

}  // namespace memory
}  // namespace armbench

#endif
