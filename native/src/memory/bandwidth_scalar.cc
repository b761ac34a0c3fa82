// The portable bandwidth kernels: plain loops the compiler may vectorise with the
// baseline ISA only. They are the reference the ISA kernels are tested against and
// what runs on a CPU with nothing better. No non-temporal stores here: plain C++ has
// no way to ask for them.
#include "bandwidth_internal.h"

// GCC turns a copy loop into a memcpy call, and glibc's memcpy switches to
// non-temporal stores above a size of its choosing: the reference would then
// measure something else than the temporal copy it names.
#if defined(__GNUC__) && !defined(__clang__)
#define ARMBENCH_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define ARMBENCH_NO_LIBCALL
#endif

namespace armbench {
namespace memory {
namespace {

// Sixteen independent partial sums: without -ffast-math the compiler may not
// reassociate one sum, and a single chain would measure FP add latency, not memory.
constexpr size_t kLanes = 16;

double read_scalar(const float* a, size_t n) {
  float acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) acc[j] += a[i + j];
  }
  for (; i < n; ++i) acc[0] += a[i];
  double sum = 0;
  for (size_t j = 0; j < kLanes; ++j) sum += acc[j];
  return sum;
}

ARMBENCH_NO_LIBCALL void write_scalar(float* a, size_t n, float v) {
  for (size_t i = 0; i < n; ++i) a[i] = v;
}

ARMBENCH_NO_LIBCALL void copy_scalar(float* __restrict dst, const float* __restrict src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = src[i];
}

void triad_scalar(float* __restrict a, const float* __restrict b, const float* __restrict c, float s,
                  size_t n) {
  for (size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
}

}  // namespace

extern const BwKernels kBwScalar = {
    "scalar", ARMBENCH_FEATURE_COUNT, read_scalar, write_scalar, copy_scalar, triad_scalar,
    nullptr,  nullptr,                nullptr,
};

}  // namespace memory
}  // namespace armbench
