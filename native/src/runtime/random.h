// Private: the seeded operands every measurement uses. Baseline files only (it has
// inline functions, which an ISA file must not share).
#ifndef ARMBENCH_SRC_RUNTIME_RANDOM_H
#define ARMBENCH_SRC_RUNTIME_RANDOM_H

#include <stdint.h>

namespace armbench {
namespace runtime {

inline uint64_t splitmix64(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Uniform in [-1, -1/64] U [1/64, 1]: never zero (a product of zeros proves nothing),
// no denormals after bf16 rounding.
inline float nonzero_operand(uint64_t* s) {
  const uint64_t r = splitmix64(s);
  const float mag = 1.0f / 64 + (1.0f - 1.0f / 64) * static_cast<float>(r >> 40) / static_cast<float>(1 << 24);
  return (r & 1) ? -mag : mag;
}

}  // namespace runtime
}  // namespace armbench

#endif
