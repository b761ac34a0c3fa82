// Test operands shared by the native tests: seeded generators (splitmix64) of
// non-zero values and of uniform floats, and bf16 bit patterns with their exact float
// values.
#ifndef ARMBENCH_TEST_DATA_H
#define ARMBENCH_TEST_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

namespace test_data {

// splitmix64: the next value of the sequence whose state is *state.
inline uint64_t splitmix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// n floats uniform in [lo, hi), 24 bits of randomness each, the same for the same seed.
inline std::vector<float> random_floats(size_t n, float lo, float hi, uint64_t seed) {
  std::vector<float> v(n);
  for (float& f : v) f = lo + (hi - lo) * static_cast<float>(splitmix(&seed) >> 40) / 16777216.0f;
  return v;
}

inline uint64_t rng_state = 0x243f6a8885a308d3ull;
inline uint64_t next_u64() { return splitmix(&rng_state); }
// Non-zero, in [-1, -2^-20] U [2^-20, 1].
inline float random_value() {
  const uint64_t r = next_u64();
  const float mag = static_cast<float>((r >> 12) % (1u << 20) + 1) / static_cast<float>(1u << 20);
  return (r & 1) ? -mag : mag;
}

inline float bf16_to_f32(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}
inline uint16_t f32_to_bf16_trunc(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return static_cast<uint16_t>(bits >> 16);
}

}  // namespace test_data

#endif
