// Internal: the fp32 <-> bf16 kernel sets, one per ISA, shared by bf16_convert.cc, the
// ISA files and the tests. Types and declarations only: this header is included by
// files compiled with different target flags, so it must not define any function.
#ifndef ARMBENCH_CONVERT_BF16_INTERNAL_H
#define ARMBENCH_CONVERT_BF16_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "armbench/bf16.h"
#include "armbench/cpu_features.h"

namespace armbench {
namespace convert {

// The reference on one fp32 bit pattern (bf16_convert.cc, baseline flags): the
// semantics every set must reproduce bit for bit. ARMBENCH_BF16_TRUNCATE truncates;
// any other value rounds to nearest even.
uint16_t f32_bits_to_bf16(uint32_t bits, armbench_bf16_rounding r);

// Every kernel accepts any n (0 included) and any element-aligned pointers; src and
// dst must not overlap.
struct Bf16Kernels {
  const char* isa;             // "scalar", "avx2", "avx512", "neon"
  armbench_feature needs[2];   // all must be detected; ARMBENCH_FEATURE_COUNT: none
  void (*to_bf16)(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r);
  void (*to_f32)(const uint16_t* src, float* dst, size_t n);
};

// The portable reference (bf16_convert.cc), also the tests' oracle and the vector
// sets' tail.
extern const Bf16Kernels kBf16Scalar;
#if defined(__x86_64__)
extern const Bf16Kernels kBf16Avx2;    // bf16_convert_avx2.cc
extern const Bf16Kernels kBf16Avx512;  // bf16_convert_avx512.cc
#elif defined(__aarch64__)
extern const Bf16Kernels kBf16Neon;    // bf16_convert_neon.cc
#endif

// Every set built for this architecture, best first; the last is the scalar reference.
// A set may run only when all its `needs` are detected.
const Bf16Kernels* const* bf16_kernel_sets(size_t* count);
bool bf16_kernels_usable(const Bf16Kernels* k);
// The best usable set (decided once): what the C ABI's array functions run.
const Bf16Kernels* bf16_best_kernels();

}  // namespace convert
}  // namespace armbench

#endif
