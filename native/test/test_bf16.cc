// fp32 <-> bf16 conversion: the scalar reference gives the documented bits on the hard
// cases and agrees with an independent oracle (the nearest bf16 by exact arithmetic in
// double); every kernel set this CPU can run, and the dispatched C ABI, gives the
// reference's bits on every upper half with awkward low halves, on random patterns,
// on every bf16 pattern back to fp32, and at every length 0..67 from misaligned
// pointers without touching a neighbour. Under an emulator (ARMBENCH_EMULATED=1)
// fewer random patterns are drawn; nothing else is left out.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "../src/convert/bf16_internal.h"
#include "armbench/bf16.h"
#include "armbench/cpu_features.h"
#include "check.h"
#include "test_data.h"

using armbench::convert::Bf16Kernels;

namespace {

using test_data::random_floats;
using test_data::splitmix;

constexpr armbench_bf16_rounding kRoundings[] = {ARMBENCH_BF16_RNE, ARMBENCH_BF16_TRUNCATE};

float float_of(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t bits_of(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return bits;
}

uint16_t ref(uint32_t bits, armbench_bf16_rounding r) { return armbench_f32_to_bf16(float_of(bits), r); }

bool is_nan32(uint32_t bits) { return (bits & 0x7fffffffu) > 0x7f800000u; }
bool is_nan16(uint16_t h) { return (h & 0x7fffu) > 0x7f80u; }

// Every upper half with each of these low halves: zero, the smallest and largest
// below the tie, the tie, just above it, the largest.
constexpr uint32_t kLows[] = {0x0000, 0x0001, 0x7fff, 0x8000, 0x8001, 0xffff};

std::vector<uint32_t> upper_by_low_patterns() {
  std::vector<uint32_t> p;
  p.reserve(65536 * (sizeof kLows / sizeof kLows[0]));
  for (uint32_t upper = 0; upper < 65536; ++upper) {
    for (uint32_t low : kLows) p.push_back(upper << 16 | low);
  }
  return p;
}

std::vector<uint32_t> random_patterns(size_t n, uint64_t seed) {
  std::vector<uint32_t> p(n);
  for (size_t i = 0; i < n; i += 2) {
    const uint64_t z = splitmix(&seed);
    p[i] = static_cast<uint32_t>(z);
    if (i + 1 < n) p[i + 1] = static_cast<uint32_t>(z >> 32);
  }
  return p;
}

void test_names() {
  CHECK(strcmp(armbench_bf16_rounding_name(ARMBENCH_BF16_RNE), "rne") == 0);
  CHECK(strcmp(armbench_bf16_rounding_name(ARMBENCH_BF16_TRUNCATE), "truncate") == 0);
  CHECK(armbench_bf16_rounding_name(static_cast<armbench_bf16_rounding>(2)) == nullptr);
  CHECK(armbench_bf16_rounding_name(static_cast<armbench_bf16_rounding>(-1)) == nullptr);

  // Dispatch follows detection, never the build alone.
  const char* isa = armbench_bf16_convert_isa();
#if defined(__x86_64__)
  const char* want = armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW) ? "avx512"
                     : armbench_cpu_has(ARMBENCH_FEATURE_AVX2)                                               ? "avx2"
                                                                                                             : "scalar";
#elif defined(__aarch64__)
  const char* want = armbench_cpu_has(ARMBENCH_FEATURE_ASIMD) ? "neon" : "scalar";
#else
  const char* want = "scalar";
#endif
  CHECK_MSG(isa != nullptr && strcmp(isa, want) == 0, "isa %s, want %s", isa ? isa : "(null)", want);
  CHECK(armbench::convert::bf16_best_kernels() != nullptr &&
        strcmp(armbench::convert::bf16_best_kernels()->isa, isa) == 0);
  printf("convert isa: %s\n", isa);
}

struct Case {
  uint32_t f32;
  uint16_t rne;
  uint16_t truncate;
  const char* what;
};

// clang-format off
constexpr Case kCases[] = {
    {0x00000000, 0x0000, 0x0000, "+0"},
    {0x80000000, 0x8000, 0x8000, "-0"},
    {0x3f800000, 0x3f80, 0x3f80, "1"},
    {0x3f808000, 0x3f80, 0x3f80, "tie, even below: down"},
    {0x3f818000, 0x3f82, 0x3f81, "tie, odd below: up"},
    {0xbf808000, 0xbf80, 0xbf80, "negative tie, even below"},
    {0xbf818000, 0xbf82, 0xbf81, "negative tie, odd below"},
    {0x3f807fff, 0x3f80, 0x3f80, "just below a tie"},
    {0x3f808001, 0x3f81, 0x3f80, "just above a tie (even below)"},
    {0x3f818001, 0x3f82, 0x3f81, "just above a tie (odd below)"},
    {0x3f7fffff, 0x3f80, 0x3f7f, "carry into the exponent"},
    {0x00000001, 0x0000, 0x0000, "smallest subnormal"},
    {0x00008000, 0x0000, 0x0000, "subnormal tie, even below"},
    {0x00018000, 0x0002, 0x0001, "subnormal tie, odd below"},
    {0x0000ffff, 0x0001, 0x0000, "subnormal above a tie"},
    {0x80018000, 0x8002, 0x8001, "negative subnormal tie"},
    {0x00010000, 0x0001, 0x0001, "smallest bf16 subnormal"},
    {0x007fffff, 0x0080, 0x007f, "largest subnormal: rounds to the smallest normal"},
    {0x807fffff, 0x8080, 0x807f, "negative largest subnormal"},
    {0x00800000, 0x0080, 0x0080, "smallest normal"},
    {0x7f7f7fff, 0x7f7f, 0x7f7f, "largest that rounds to a finite"},
    {0x7f7f8000, 0x7f80, 0x7f7f, "tie above the largest bf16: odd, so to Inf"},
    {0x7f7fffff, 0x7f80, 0x7f7f, "FLT_MAX"},
    {0xff7fffff, 0xff80, 0xff7f, "-FLT_MAX"},
    {0x7f800000, 0x7f80, 0x7f80, "+Inf"},
    {0xff800000, 0xff80, 0xff80, "-Inf"},
    {0x7fc00000, 0x7fc0, 0x7fc0, "quiet NaN"},
    {0xffc00000, 0xffc0, 0xffc0, "negative quiet NaN"},
    {0x7fc00001, 0x7fc0, 0x7fc0, "quiet NaN, low payload"},
    {0x7f800001, 0x7fc0, 0x7fc0, "signalling NaN, payload only in the low half"},
    {0xff800001, 0xffc0, 0xffc0, "negative signalling NaN, low payload"},
    {0x7f808000, 0x7fc0, 0x7fc0, "signalling NaN at a tie"},
    {0x7f80ffff, 0x7fc0, 0x7fc0, "signalling NaN, full low payload"},
    {0x7f810000, 0x7fc1, 0x7f81, "signalling NaN, upper payload"},
    {0x7fbfffff, 0x7fff, 0x7fbf, "signalling NaN, full payload"},
    {0x7fffffff, 0x7fff, 0x7fff, "largest NaN: rounding would wrap to -0"},
    {0xffffffff, 0xffff, 0xffff, "negative largest NaN"},
};
// clang-format on

void test_reference_cases() {
  for (const Case& c : kCases) {
    const uint16_t rne = ref(c.f32, ARMBENCH_BF16_RNE);
    const uint16_t tr = ref(c.f32, ARMBENCH_BF16_TRUNCATE);
    CHECK_MSG(rne == c.rne, "%s: rne(0x%08x) = 0x%04x, want 0x%04x", c.what, c.f32, rne, c.rne);
    CHECK_MSG(tr == c.truncate, "%s: truncate(0x%08x) = 0x%04x, want 0x%04x", c.what, c.f32, tr, c.truncate);
  }
  // From real floats, not only bit patterns.
  CHECK(armbench_f32_to_bf16(3.40282347e38f, ARMBENCH_BF16_RNE) == 0x7f80);
  CHECK(armbench_f32_to_bf16(3.40282347e38f, ARMBENCH_BF16_TRUNCATE) == 0x7f7f);
  CHECK(armbench_f32_to_bf16(INFINITY, ARMBENCH_BF16_RNE) == 0x7f80);
  CHECK(armbench_f32_to_bf16(-INFINITY, ARMBENCH_BF16_TRUNCATE) == 0xff80);
  CHECK(armbench_f32_to_bf16(-0.0f, ARMBENCH_BF16_RNE) == 0x8000);
  CHECK(is_nan16(armbench_f32_to_bf16(NAN, ARMBENCH_BF16_RNE)));
  CHECK(armbench_bf16_to_f32(0x3f80) == 1.0f);
  CHECK(armbench_bf16_to_f32(0xc000) == -2.0f);
  CHECK(isinf(armbench_bf16_to_f32(0xff80)) && armbench_bf16_to_f32(0xff80) < 0);
}

// The bf16 value of a non-NaN pattern, exactly, in double; the pattern 0x7f80 one
// step above the largest finite reads as 2^128, the value IEEE overflow rounds against.
double bf16_value(uint16_t h) {
  const double magnitude = (h & 0x7fffu) == 0x7f80u ? ldexp(1.0, 128) : armbench_bf16_to_f32(h & 0x7fffu);
  return (h & 0x8000u) ? -magnitude : magnitude;
}

// What RNE must give, computed without bit tricks: the nearer of the two bf16 values
// around x (exact in double), the even one on a tie.
uint16_t oracle_rne(uint32_t bits) {
  const uint16_t below = static_cast<uint16_t>(bits >> 16);  // toward zero
  if ((bits & 0xffffu) == 0) return below;
  const uint16_t above = static_cast<uint16_t>(below + 1);  // away from zero (Inf past the largest)
  const double x = fabs(static_cast<double>(float_of(bits)));
  const double d_below = x - fabs(bf16_value(below)), d_above = fabs(bf16_value(above)) - x;
  if (d_below < d_above) return below;
  if (d_above < d_below) return above;
  return (below & 1u) ? above : below;
}

// The reference against the oracle on every upper half with awkward low halves.
void test_reference_oracle() {
  size_t wrong_rne = 0, wrong_truncate = 0;
  uint32_t first_rne = 0, first_truncate = 0;
  for (uint32_t bits : upper_by_low_patterns()) {
    const uint16_t rne = ref(bits, ARMBENCH_BF16_RNE), tr = ref(bits, ARMBENCH_BF16_TRUNCATE);
    bool ok_rne, ok_truncate;
    if (is_nan32(bits)) {
      const uint16_t upper = static_cast<uint16_t>(bits >> 16);
      // NaN stays NaN with its sign and upper payload; RNE always quiet.
      ok_rne = rne == (upper | 0x0040u);
      // TRUNCATE: the upper half as is, unless that reads as Inf; then quiet.
      ok_truncate = is_nan16(tr) && tr == ((upper & 0x7fffu) == 0x7f80u ? (upper | 0x0040u) : upper);
    } else {
      ok_rne = rne == oracle_rne(bits);
      ok_truncate = tr == (bits >> 16);
    }
    if (!ok_rne && wrong_rne++ == 0) first_rne = bits;
    if (!ok_truncate && wrong_truncate++ == 0) first_truncate = bits;
  }
  CHECK_MSG(wrong_rne == 0, "rne: %zu patterns differ from the nearest-even oracle, first 0x%08x", wrong_rne, first_rne);
  CHECK_MSG(wrong_truncate == 0, "truncate: %zu patterns wrong, first 0x%08x", wrong_truncate, first_truncate);
}

// Every bf16 pattern to fp32 and back: exact, NaNs stay NaN (RNE quiets them).
void test_round_trip() {
  size_t wrong = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint16_t b = static_cast<uint16_t>(h);
    const float f = armbench_bf16_to_f32(b);
    bool ok = bits_of(f) == h << 16;
    if (is_nan16(b)) {
      ok &= isnan(f) && armbench_f32_to_bf16(f, ARMBENCH_BF16_RNE) == (b | 0x0040u) &&
            armbench_f32_to_bf16(f, ARMBENCH_BF16_TRUNCATE) == b;
    } else {
      ok &= !isnan(f) && armbench_f32_to_bf16(f, ARMBENCH_BF16_RNE) == b &&
            armbench_f32_to_bf16(f, ARMBENCH_BF16_TRUNCATE) == b;
    }
    if (!ok && wrong++ == 0) fprintf(stderr, "    first round-trip failure: 0x%04x\n", b);
  }
  CHECK_MSG(wrong == 0, "%zu bf16 patterns do not round-trip", wrong);
}

using ToBf16 = void (*)(const float*, uint16_t*, size_t, armbench_bf16_rounding);
using ToF32 = void (*)(const uint16_t*, float*, size_t);

// One conversion of the whole list against the reference, element by element.
bool to_bf16_matches(const char* isa, ToBf16 fn, const std::vector<uint32_t>& patterns, armbench_bf16_rounding r,
                     const char* what) {
  std::vector<float> src(patterns.size());
  memcpy(src.data(), patterns.data(), patterns.size() * sizeof(float));
  std::vector<uint16_t> dst(patterns.size(), 0xa5a5);
  fn(src.data(), dst.data(), src.size(), r);
  size_t wrong = 0, first = 0;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (dst[i] != ref(patterns[i], r) && wrong++ == 0) first = i;
  }
  return CHECK_MSG(wrong == 0, "%s %s %s: %zu of %zu differ; first 0x%08x -> 0x%04x, want 0x%04x", isa,
                   armbench_bf16_rounding_name(r), what, wrong, patterns.size(), wrong ? patterns[first] : 0,
                   wrong ? dst[first] : 0, wrong ? ref(patterns[first], r) : 0);
}

bool to_f32_matches_all(const char* isa, ToF32 fn) {
  std::vector<uint16_t> src(65536);
  for (uint32_t h = 0; h < 65536; ++h) src[h] = static_cast<uint16_t>(h);
  std::vector<float> dst(65536, 1.5f);
  fn(src.data(), dst.data(), src.size());
  size_t wrong = 0;
  for (uint32_t h = 0; h < 65536; ++h) wrong += bits_of(dst[h]) != h << 16;
  return CHECK_MSG(wrong == 0, "%s bf16->fp32: %zu of 65536 patterns wrong", isa, wrong);
}

// Lengths 0..67 at element offsets 0..3 of a 64-byte boundary (source and destination
// offset independently), with sentinels around the destination.
constexpr size_t kMaxLen = 67;
constexpr size_t kGuard = 80;
constexpr uint16_t kSentinel16 = 0xa5a5;
constexpr uint32_t kSentinel32 = 0xdeadbeef;

bool shapes_match(const char* isa, ToBf16 to_bf16, ToF32 to_f32) {
  alignas(64) static float src[kMaxLen + 64];
  alignas(64) static uint16_t dst16[kMaxLen + 2 * kGuard];
  alignas(64) static uint16_t src16[kMaxLen + 64];
  alignas(64) static float dst32[kMaxLen + 2 * kGuard];
  // Cycle through the hard cases and some random bits, so every lane sees each kind.
  uint64_t seed = 42;
  for (size_t i = 0; i < sizeof src / sizeof src[0]; ++i) {
    const uint32_t bits = i % 3 == 0 ? kCases[(i / 3) % (sizeof kCases / sizeof kCases[0])].f32
                                     : static_cast<uint32_t>(splitmix(&seed));
    src[i] = float_of(bits);
    src16[i] = static_cast<uint16_t>(bits >> (i % 2 ? 0 : 16));
  }
  bool ok = true;
  for (size_t n = 0; n <= kMaxLen && ok; ++n) {
    for (size_t so = 0; so < 4 && ok; ++so) {
      for (size_t d = 0; d < 4 && ok; ++d) {
        const size_t dof = kGuard - 16 + d;  // 64-byte boundary (kGuard - 16 uint16 = 128 bytes) + d
        for (armbench_bf16_rounding r : kRoundings) {
          for (uint16_t& x : dst16) x = kSentinel16;
          to_bf16(src + so, dst16 + dof, n, r);
          bool good = true;
          for (size_t i = 0; i < sizeof dst16 / sizeof dst16[0]; ++i) {
            const bool inside = i >= dof && i < dof + n;
            good &= inside ? dst16[i] == ref(bits_of(src[so + i - dof]), r) : dst16[i] == kSentinel16;
          }
          ok &= CHECK_MSG(good, "%s %s n=%zu src+%zu dst+%zu", isa, armbench_bf16_rounding_name(r), n, so, d);
        }
        for (float& x : dst32) x = float_of(kSentinel32);
        to_f32(src16 + so, dst32 + dof, n);
        bool good = true;
        for (size_t i = 0; i < sizeof dst32 / sizeof dst32[0]; ++i) {
          const bool inside = i >= dof && i < dof + n;
          good &= bits_of(dst32[i]) == (inside ? static_cast<uint32_t>(src16[so + i - dof]) << 16 : kSentinel32);
        }
        ok &= CHECK_MSG(good, "%s bf16->fp32 n=%zu src+%zu dst+%zu", isa, n, so, d);
      }
    }
  }
  return ok;
}

void check_set(const char* isa, ToBf16 to_bf16, ToF32 to_f32, const std::vector<uint32_t>& grid,
               const std::vector<uint32_t>& random) {
  bool ok = true;
  for (armbench_bf16_rounding r : kRoundings) {
    ok &= to_bf16_matches(isa, to_bf16, grid, r, "upper x low grid");
    ok &= to_bf16_matches(isa, to_bf16, random, r, "random");
    std::vector<uint32_t> cases;
    for (const Case& c : kCases) cases.push_back(c.f32);
    ok &= to_bf16_matches(isa, to_bf16, cases, r, "hard cases");
  }
  ok &= to_f32_matches_all(isa, to_f32);
  ok &= shapes_match(isa, to_bf16, to_f32);
  printf("set %s: %s (%zu grid + %zu random patterns, both roundings; all bf16; lengths 0..%zu)\n", isa,
         ok ? "matches the reference" : "DIFFERS", grid.size(), random.size(), kMaxLen);
}

void test_sets() {
  const std::vector<uint32_t> grid = upper_by_low_patterns();
  const std::vector<uint32_t> random = random_patterns(emulated() ? (1u << 20) : (4u << 20), 0x5eed);
  size_t count;
  const Bf16Kernels* const* sets = armbench::convert::bf16_kernel_sets(&count);
  CHECK(count >= 1 && sets[count - 1] == &armbench::convert::kBf16Scalar);
  for (size_t i = 0; i < count; ++i) {
    const Bf16Kernels& k = *sets[i];
    if (!armbench::convert::bf16_kernels_usable(&k)) {
      printf("set %s: skipped, needs", k.isa);
      for (armbench_feature f : k.needs) {
        if (f != ARMBENCH_FEATURE_COUNT) printf(" %s%s", armbench_feature_name(f), armbench_cpu_has(f) ? "" : " (absent)");
      }
      printf("\n");
      continue;
    }
    check_set(k.isa, k.to_bf16, k.to_f32, grid, random);
  }
  check_set("dispatched C ABI", armbench_f32_to_bf16_array, armbench_bf16_to_f32_array, grid, random);
  // n == 0 touches nothing, not even the pointers.
  armbench_f32_to_bf16_array(nullptr, nullptr, 0, ARMBENCH_BF16_RNE);
  armbench_bf16_to_f32_array(nullptr, nullptr, 0);
}

}  // namespace

int main() {
  test_names();
  test_reference_cases();
  test_reference_oracle();
  test_round_trip();
  test_sets();
  return check::summary("test_bf16");
}
