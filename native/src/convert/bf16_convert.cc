// fp32 <-> bf16 conversion: the scalar reference (the oracle every vector set must
// match bit for bit), the scalar set, run-time dispatch and the C ABI.
//
// The reference works on the fp32 bit pattern:
// - RNE adds 0x7FFF plus the lowest kept bit, then keeps the upper 16 bits. A carry
//   out of the mantissa lands in the exponent, so FLT_MAX rounds to +Inf and the
//   largest subnormal to the smallest normal, as IEEE round-to-nearest-even demands;
//   subnormals are rounded like any value, never flushed.
// - TRUNCATE keeps the upper 16 bits.
// - A NaN is never rounded (the carry could turn it into Inf or the other sign's zero):
//   RNE returns its upper half with the quiet bit 0x0040 set, sign and upper payload
//   kept; TRUNCATE returns its upper half as is, unless that reads as Inf (all the
//   payload was in the low half), then with the quiet bit set.
// - bf16 -> fp32 is exact: the bf16 bits become the upper half, the low half zero.
#include <string.h>

#include "armbench/bf16.h"
#include "bf16_internal.h"

namespace armbench {
namespace convert {

namespace {

constexpr uint32_t kAbsMask = 0x7fffffffu;
constexpr uint32_t kInfBits = 0x7f800000u;
constexpr uint16_t kQuietBit = 0x0040u;
constexpr uint16_t kInfBf16 = 0x7f80u;

void to_bf16_scalar(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    memcpy(&bits, src + i, sizeof bits);
    dst[i] = f32_bits_to_bf16(bits, r);
  }
}

void to_f32_scalar(const uint16_t* src, float* dst, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = armbench_bf16_to_f32(src[i]);
}

}  // namespace

uint16_t f32_bits_to_bf16(uint32_t bits, armbench_bf16_rounding r) {
  const uint16_t upper = static_cast<uint16_t>(bits >> 16);
  if ((bits & kAbsMask) > kInfBits) {  // NaN
    if (r == ARMBENCH_BF16_TRUNCATE && (upper & 0x7fffu) != kInfBf16) return upper;
    return static_cast<uint16_t>(upper | kQuietBit);
  }
  if (r == ARMBENCH_BF16_TRUNCATE) return upper;
  // Cannot wrap: the largest non-NaN pattern is 0xFF800000.
  return static_cast<uint16_t>((bits + 0x7fffu + (upper & 1u)) >> 16);
}

extern const Bf16Kernels kBf16Scalar = {
    "scalar", {ARMBENCH_FEATURE_COUNT, ARMBENCH_FEATURE_COUNT}, to_bf16_scalar, to_f32_scalar};

const Bf16Kernels* const* bf16_kernel_sets(size_t* count) {
  static const Bf16Kernels* const sets[] = {
#if defined(__x86_64__)
      &kBf16Avx512, &kBf16Avx2,
#elif defined(__aarch64__)
      &kBf16Neon,
#endif
      &kBf16Scalar,
  };
  *count = sizeof sets / sizeof sets[0];
  return sets;
}

bool bf16_kernels_usable(const Bf16Kernels* k) {
  for (armbench_feature f : k->needs) {
    if (f != ARMBENCH_FEATURE_COUNT && armbench_cpu_has(f) == 0) return false;
  }
  return true;
}

const Bf16Kernels* bf16_best_kernels() {
  static const Bf16Kernels* const best = [] {
    size_t n;
    const Bf16Kernels* const* sets = bf16_kernel_sets(&n);
    for (size_t i = 0; i < n; ++i) {
      if (bf16_kernels_usable(sets[i])) return sets[i];
    }
    return &kBf16Scalar;
  }();
  return best;
}

}  // namespace convert
}  // namespace armbench

extern "C" const char* armbench_bf16_rounding_name(armbench_bf16_rounding r) {
  switch (static_cast<int>(r)) {  // the binding may pass any integer
    case ARMBENCH_BF16_RNE:
      return "rne";
    case ARMBENCH_BF16_TRUNCATE:
      return "truncate";
  }
  return nullptr;
}

extern "C" uint16_t armbench_f32_to_bf16(float x, armbench_bf16_rounding r) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  return armbench::convert::f32_bits_to_bf16(bits, r);
}

extern "C" float armbench_bf16_to_f32(uint16_t x) {
  const uint32_t bits = static_cast<uint32_t>(x) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

extern "C" void armbench_f32_to_bf16_array(const float* src, uint16_t* dst, size_t n, armbench_bf16_rounding r) {
  if (n == 0) return;
  armbench::convert::bf16_best_kernels()->to_bf16(src, dst, n, r);
}

extern "C" void armbench_bf16_to_f32_array(const uint16_t* src, float* dst, size_t n) {
  if (n == 0) return;
  armbench::convert::bf16_best_kernels()->to_f32(src, dst, n);
}

extern "C" const char* armbench_bf16_convert_isa(void) { return armbench::convert::bf16_best_kernels()->isa; }
