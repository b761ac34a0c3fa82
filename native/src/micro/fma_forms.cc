// The registry of FMA-class forms: the one table of FLOP per instruction, register
// budgets, required features and kernels, and the exact arithmetic every run is
// checked against.
//
// Why the checks are exact (no tolerance):
// - ACC: the multiplicands are all 1 (fp 1.0, bf16 1.0, int8 1), so each instruction
//   adds a small integer `inc` to every accumulator element (1 per FMA, 2 per
//   bfdot / vdpbf16ps / fmmla, 4 per bfmmla / sdot / vpdpbusd, 8 per smmla / ummla,
//   32 per AMX tdpbf16ps). A kernel call runs at most chunk_steps() + 1 instructions
//   per chain (2^20 + 1 for increments up to 8, 2^18 + 1 for 32), so every value stays
//   an integer below 2^24, exact in fp32, and nothing ever rounds: the result
//   does not depend on the rounding mode, which matters for Arm BFDOT / BFMMLA (their
//   non-EBF16 rounding is not IEEE). fp16 has an 11-bit significand: the value
//   counts exactly up to 2048, then stays there, because 2048 + 1 is a tie that IEEE
//   round-to-nearest-even (which FMLA .8h honours) takes back to 2048. So fp16 checks
//   min(init + n, 2048): exact counting for short runs, exact saturation for long ones.
// - FULL: the accumulator also feeds a multiplicand. For the IEEE FMAs b = -2, so
//   acc + acc * -2 = -acc: values alternate between +init and -init, never grow, never
//   go denormal. The dot and matrix forms read the accumulator's own bits as their
//   narrow inputs; inits are small integers, exact in bf16 (low half zero) and in a
//   signed byte, and b is chosen to pick exactly the element's own value (bf16 high
//   half or low byte) times -2, so they negate too. Unsigned-byte forms cannot: for
//   vpdpbusd (u8 from the accumulator, s8 b = -2 in byte 0) the low byte reads x then
//   256 - x, so the value drifts down by 512 every two steps; ummla (u8 x u8, b = 254)
//   drifts up by 254 * 256 = 65024. Both are exact modulo 2^32 and count every step.
//   Every kernel runs an odd number of instructions per chain (iters * unroll + 1), so
//   a negating chain ends at -init: a kernel that did nothing cannot pass. A form whose
//   accumulator cannot feed its multiplicands (AMX: fp32 tiles in, bf16 tiles out) has
//   no FULL kernels and reports has_full_chain 0.
// - Inits differ per chain and per element (1..61), so swapped or skipped registers and
//   lanes show.
#include <errno.h>
#include <string.h>

#include <string>

#include "armbench/cpu_features.h"
#include "armbench/fma_probe.h"
#include "fma_internal.h"

namespace armbench {
namespace micro {

namespace {

enum class AccType { F16, F32, F64, I32 };
// How a FULL chain evolves (see the top of this file).
enum class FullKind { Negate, U8DriftDown, U8DriftUp };

// 128-bit patterns of 32-bit words, repeated across the register.
struct Pattern {
  uint32_t w[4];
};
constexpr Pattern kF32One = {{0x3f800000u, 0x3f800000u, 0x3f800000u, 0x3f800000u}};
constexpr Pattern kF32Minus2 = {{0xc0000000u, 0xc0000000u, 0xc0000000u, 0xc0000000u}};
constexpr Pattern kF64One = {{0, 0x3ff00000u, 0, 0x3ff00000u}};
constexpr Pattern kF64Minus2 = {{0, 0xc0000000u, 0, 0xc0000000u}};
constexpr Pattern kF16One = {{0x3c003c00u, 0x3c003c00u, 0x3c003c00u, 0x3c003c00u}};
constexpr Pattern kF16Minus2 = {{0xc000c000u, 0xc000c000u, 0xc000c000u, 0xc000c000u}};
constexpr Pattern kBf16One = {{0x3f803f80u, 0x3f803f80u, 0x3f803f80u, 0x3f803f80u}};
constexpr Pattern kI8One = {{0x01010101u, 0x01010101u, 0x01010101u, 0x01010101u}};
// bf16 pairs (low half 0, high half -2): each fp32 lane gets -2 * its own value.
constexpr Pattern kBf16PairMinus2 = kF32Minus2;
// 2x2 matrix forms (bfmmla, fmmla): C[i][j] += sum_k A[i][k] * B[j][k] with A the
// accumulator's own 2x2 (fp32) or 2x4 (bf16 pairs); B = -2 * identity on the element
// that holds each lane's value.
constexpr Pattern kMatMinus2 = {{0xc0000000u, 0, 0, 0xc0000000u}};
// Byte forms: -2 (or 254 unsigned) in byte 0 of each lane, which the dot product meets
// with the accumulator's low byte; the matrix forms (rows of 8 bytes = 2 lanes) need it
// in byte 0 of lanes 0 and 3 only.
constexpr Pattern kByteMinus2 = {{0xfeu, 0xfeu, 0xfeu, 0xfeu}};
constexpr Pattern kMatByteMinus2 = {{0xfeu, 0, 0, 0xfeu}};

struct FormDef {
  const char* name;
  const char* isa;
  const char* insn;
  const char* dtype;
  unsigned bits;         // 0: scalable (SVE), the thread's vector length
  unsigned ops_per_128;  // FLOP or OP per 128 bits of (accumulator) register or tile
  unsigned max_chains;
  armbench_feature need[3];
  unsigned n_need;
  AccType acc;
  int64_t inc;  // ACC: added to each accumulator element per instruction
  Pattern acc_a, acc_b, full_b;
  FullKind full;
  const FmaKernel* kernels[2];  // [ACC], [FULL]: max_chains entries each; [FULL] NULL
                                // when the form has no full chain (acc_b, full unused)
};

#define ARMBENCH_KERNELS(table) {table[0], table[1]}

#if defined(__x86_64__)
#define F(x) ARMBENCH_FEATURE_##x
const FormDef kDefs[] = {
    {"fma.vfmadd231ps.xmm", "fma", "vfmadd231ps", "fp32", 128, 8, 14, {F(FMA)}, 1, AccType::F32, 1,
     kF32One, kF32One, kF32Minus2, FullKind::Negate, ARMBENCH_KERNELS(kVfmadd231psXmm)},
    {"fma.vfmadd231pd.xmm", "fma", "vfmadd231pd", "fp64", 128, 4, 14, {F(FMA)}, 1, AccType::F64, 1,
     kF64One, kF64One, kF64Minus2, FullKind::Negate, ARMBENCH_KERNELS(kVfmadd231pdXmm)},
    {"fma.vfmadd231ps.ymm", "fma", "vfmadd231ps", "fp32", 256, 8, 14, {F(FMA)}, 1, AccType::F32, 1,
     kF32One, kF32One, kF32Minus2, FullKind::Negate, ARMBENCH_KERNELS(kVfmadd231psYmm)},
    {"fma.vfmadd231pd.ymm", "fma", "vfmadd231pd", "fp64", 256, 4, 14, {F(FMA)}, 1, AccType::F64, 1,
     kF64One, kF64One, kF64Minus2, FullKind::Negate, ARMBENCH_KERNELS(kVfmadd231pdYmm)},
    {"avx512.vfmadd231ps.zmm", "avx512", "vfmadd231ps", "fp32", 512, 8, 30, {F(AVX512F)}, 1,
     AccType::F32, 1, kF32One, kF32One, kF32Minus2, FullKind::Negate,
     ARMBENCH_KERNELS(kVfmadd231psZmm)},
    {"avx512.vfmadd231pd.zmm", "avx512", "vfmadd231pd", "fp64", 512, 4, 30, {F(AVX512F)}, 1,
     AccType::F64, 1, kF64One, kF64One, kF64Minus2, FullKind::Negate,
     ARMBENCH_KERNELS(kVfmadd231pdZmm)},
    {"avx512_bf16.vdpbf16ps.zmm", "avx512_bf16", "vdpbf16ps", "bf16", 512, 16, 30,
     {F(AVX512F), F(AVX512_BF16)}, 2, AccType::F32, 2, kBf16One, kBf16One, kBf16PairMinus2,
     FullKind::Negate, ARMBENCH_KERNELS(kVdpbf16psZmm)},
    {"avx512_vnni.vpdpbusd.zmm", "avx512_vnni", "vpdpbusd", "int8", 512, 32, 30,
     {F(AVX512F), F(AVX512_VNNI)}, 2, AccType::I32, 4, kI8One, kI8One, kByteMinus2,
     FullKind::U8DriftDown, ARMBENCH_KERNELS(kVpdpbusdZmm)},
    {"avx_vnni.vpdpbusd.ymm", "avx_vnni", "vpdpbusd", "int8", 256, 32, 14, {F(AVX_VNNI)}, 1,
     AccType::I32, 4, kI8One, kI8One, kByteMinus2, FullKind::U8DriftDown,
     ARMBENCH_KERNELS(kVpdpbusdYmm)},
    // One "register" is a full 1 KiB tile (16 rows x 64 bytes, 8192 bits): C (16 x 16
    // fp32) += A (16 x 32 bf16) * B (32 x 16 bf16), 16 * 16 * 32 multiply-adds = 16384
    // FLOP = 256 per 128 bits of C. Each C element gains 32 products of 1 * 1. Eight
    // tiles: six accumulators, A and B. No full chain (fma_probe_amx.cc). Also needs the
    // kernel's tile-data grant, asked for in armbench_fma_form_unsupported.
    {"amx.tdpbf16ps", "amx_bf16", "tdpbf16ps", "bf16", 8192, 256, 6, {F(AMX_TILE), F(AMX_BF16)},
     2, AccType::F32, 32, kBf16One, kBf16One, kBf16One, FullKind::Negate,
     {kTdpbf16psTile, nullptr}},
    // C (16 x 16 int32) += A (16 x 64 uint8) * B (64 x 16 int8): 32768 OP = 512 per 128
    // bits of C; each C element gains 64 products of 1 * 1.
    {"amx.tdpbusd", "amx_int8", "tdpbusd", "int8", 8192, 512, 6, {F(AMX_TILE), F(AMX_INT8)}, 2,
     AccType::I32, 64, kI8One, kI8One, kI8One, FullKind::Negate, {kTdpbusdTile, nullptr}},
};
#undef F
#elif defined(__aarch64__)
#define F(x) ARMBENCH_FEATURE_##x
const FormDef kDefs[] = {
    {"neon.fmla.4s", "neon", "fmla", "fp32", 128, 8, 30, {F(ASIMD)}, 1, AccType::F32, 1, kF32One,
     kF32One, kF32Minus2, FullKind::Negate, ARMBENCH_KERNELS(kNeonFmla4s)},
    {"neon.fmla.2d", "neon", "fmla", "fp64", 128, 4, 30, {F(ASIMD)}, 1, AccType::F64, 1, kF64One,
     kF64One, kF64Minus2, FullKind::Negate, ARMBENCH_KERNELS(kNeonFmla2d)},
    {"neon.fmla.8h", "neon", "fmla", "fp16", 128, 16, 30, {F(ASIMD), F(FPHP), F(ASIMDHP)}, 3,
     AccType::F16, 1, kF16One, kF16One, kF16Minus2, FullKind::Negate,
     ARMBENCH_KERNELS(kNeonFmla8h)},
    {"neon.sdot.4s", "neon", "sdot", "int8", 128, 32, 30, {F(ASIMD), F(ASIMDDP)}, 2, AccType::I32,
     4, kI8One, kI8One, kByteMinus2, FullKind::Negate, ARMBENCH_KERNELS(kNeonSdot4s)},
    {"neon.bfdot.4s", "neon", "bfdot", "bf16", 128, 16, 30, {F(ASIMD), F(BF16)}, 2, AccType::F32,
     2, kBf16One, kBf16One, kBf16PairMinus2, FullKind::Negate, ARMBENCH_KERNELS(kNeonBfdot4s)},
    {"neon.bfmmla.4s", "neon", "bfmmla", "bf16", 128, 32, 30, {F(ASIMD), F(BF16)}, 2,
     AccType::F32, 4, kBf16One, kBf16One, kMatMinus2, FullKind::Negate,
     ARMBENCH_KERNELS(kNeonBfmmla4s)},
    {"neon.smmla.4s", "neon", "smmla", "int8", 128, 64, 30, {F(ASIMD), F(I8MM)}, 2, AccType::I32,
     8, kI8One, kI8One, kMatByteMinus2, FullKind::Negate, ARMBENCH_KERNELS(kNeonSmmla4s)},
    {"neon.ummla.4s", "neon", "ummla", "int8", 128, 64, 30, {F(ASIMD), F(I8MM)}, 2, AccType::I32,
     8, kI8One, kI8One, kMatByteMinus2, FullKind::U8DriftUp, ARMBENCH_KERNELS(kNeonUmmla4s)},
    {"sve.fmla.s", "sve", "fmla", "fp32", 0, 8, 30, {F(SVE)}, 1, AccType::F32, 1, kF32One, kF32One,
     kF32Minus2, FullKind::Negate, ARMBENCH_KERNELS(kSveFmlaS)},
    {"sve.fmla.d", "sve", "fmla", "fp64", 0, 4, 30, {F(SVE)}, 1, AccType::F64, 1, kF64One, kF64One,
     kF64Minus2, FullKind::Negate, ARMBENCH_KERNELS(kSveFmlaD)},
    // 2x2x2 fp32 matrix product per 128-bit segment: 8 multiply-adds, 16 FLOP.
    {"sve.fmmla.s", "sve", "fmmla", "fp32", 0, 16, 30, {F(SVE), F(SVEF32MM)}, 2, AccType::F32, 2,
     kF32One, kF32One, kMatMinus2, FullKind::Negate, ARMBENCH_KERNELS(kSveFmmlaS)},
};
#undef F
#else
// No kernels for this architecture: an empty registry (a one-element array with a
// zero count, since C++ has no empty arrays).
const FormDef kDefs[1] = {};
#define ARMBENCH_NO_FORMS 1
#endif

#ifdef ARMBENCH_NO_FORMS
constexpr size_t kFormCount = 0;
#else
constexpr size_t kFormCount = sizeof kDefs / sizeof kDefs[0];
#endif

}  // namespace

struct FormImpl {
  const FormDef* def;
  armbench_fma_form pub;
  uint64_t chunk_steps;     // form_chunk_steps()
  bool needs_tile_data;     // an AMX form: runs only once Linux grants tile data
  std::string unsupported;  // "" when the CPU has every required feature
};

namespace {

// Largest init_value() and the exactness bound of fp32 (see the top of this file).
constexpr int64_t kMaxInit = 61;
constexpr int64_t kExactBelow = int64_t{1} << 24;

// kChunkSteps, halved until init + inc * (chunk + 1) stays below 2^24 for every init.
// The same bound for every accumulator type (int32 would wrap exactly anyway; fp16
// saturates, and its increment is 1).
constexpr uint64_t chunk_steps_for(int64_t inc) {
  uint64_t chunk = kChunkSteps;
  while (chunk > ARMBENCH_FMA_STEP_QUANTUM && kMaxInit + inc * static_cast<int64_t>(chunk + 1) >= kExactBelow) {
    chunk /= 2;
  }
  return chunk;
}
static_assert(chunk_steps_for(8) == kChunkSteps, "the vector forms keep the 2^20 chunk");
static_assert(chunk_steps_for(32) == uint64_t{1} << 18, "AMX tdpbf16ps (+32 per step) runs 2^18 per call");
static_assert(kMaxInit + 32 * ((int64_t{1} << 18) + 1) < kExactBelow, "2^18 + 1 steps of +32 stay exact");

// Built once per process: SVE bits follow the vector length, which a process shares
// unless a thread changes it with prctl (armbench never does).
struct Registry {
  FormImpl forms[kFormCount == 0 ? 1 : kFormCount];
  Registry() {
    const unsigned sve_bits = armbench_sve_vector_bytes() * 8;
    for (size_t i = 0; i < kFormCount; ++i) {
      const FormDef& d = kDefs[i];
      FormImpl& f = forms[i];
      f.def = &d;
      const unsigned bits = d.bits != 0 ? d.bits : sve_bits;
      f.pub = armbench_fma_form{d.name, d.isa, d.insn, d.dtype, bits, d.ops_per_128 * bits / 128,
                                d.max_chains, d.kernels[ARMBENCH_CHAIN_FULL] != nullptr ? 1 : 0};
      f.chunk_steps = chunk_steps_for(d.inc);
      f.needs_tile_data = false;
      for (unsigned n = 0; n < d.n_need; ++n) {
        if (d.need[n] == ARMBENCH_FEATURE_AMX_TILE) f.needs_tile_data = true;
        if (f.unsupported.empty() && !armbench_cpu_has(d.need[n])) {
          f.unsupported = std::string("needs ") + armbench_feature_name(d.need[n]);
        }
      }
    }
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

size_t elem_bytes(AccType t) {
  switch (t) {
    case AccType::F16: return 2;
    case AccType::F64: return 8;
    default: return 4;
  }
}

// IEEE binary16 bits of an integer with |v| <= 2048 (exact there).
uint16_t f16_bits(int64_t v) {
  if (v == 0) return 0;
  const uint16_t sign = v < 0 ? 0x8000 : 0;
  uint32_t n = static_cast<uint32_t>(v < 0 ? -v : v);
  int e = 31 - __builtin_clz(n);
  const uint32_t mant = e <= 10 ? (n << (10 - e)) & 0x3ff : (n >> (e - 10)) & 0x3ff;
  return static_cast<uint16_t>(sign | ((e + 15) << 10) | mant);
}

// Writes integer value v as one accumulator element of type t.
void put(AccType t, void* p, int64_t v) {
  switch (t) {
    case AccType::F16: {
      const uint16_t b = f16_bits(v);
      memcpy(p, &b, 2);
      break;
    }
    case AccType::F32: {
      const float f = static_cast<float>(v);
      memcpy(p, &f, 4);
      break;
    }
    case AccType::F64: {
      const double d = static_cast<double>(v);
      memcpy(p, &d, 8);
      break;
    }
    case AccType::I32: {
      const uint32_t u = static_cast<uint32_t>(static_cast<uint64_t>(v));
      memcpy(p, &u, 4);
      break;
    }
  }
}

int64_t init_value(unsigned chain, size_t elem) { return 1 + static_cast<int64_t>((chain * 5 + elem * 3) % kMaxInit); }

void fill_pattern(uint8_t* reg, size_t bytes, const Pattern& p) {
  for (size_t off = 0; off < bytes; off += sizeof p.w) memcpy(reg + off, p.w, sizeof p.w);
}

// What one element holds after `count` instructions (see the top of this file).
int64_t expected_value(const FormDef& d, armbench_chain_mode mode, int64_t init, uint64_t count) {
  if (mode == ARMBENCH_CHAIN_ACC) {
    const int64_t v = init + static_cast<int64_t>(count) * d.inc;
    return d.acc == AccType::F16 && v > 2048 ? 2048 : v;
  }
  const bool odd = (count & 1) != 0;
  const int64_t pairs = static_cast<int64_t>(count / 2);
  switch (d.full) {
    case FullKind::Negate: return odd ? -init : init;
    // Wraps modulo 2^32 like the hardware; put() keeps the low 32 bits.
    case FullKind::U8DriftDown: return (odd ? -init : init) - 512 * pairs;
    case FullKind::U8DriftUp: return (odd ? 255 * init : init) + 65024 * pairs;
  }
  return 0;
}

}  // namespace

const FormImpl* form_impl(size_t i) { return i < kFormCount ? &registry().forms[i] : nullptr; }

const armbench_fma_form* form_public(const FormImpl* f) { return &f->pub; }

size_t form_reg_bytes(const FormImpl* f) { return f->pub.bits / 8; }

uint64_t form_chunk_steps(const FormImpl* f) { return f->chunk_steps; }

int form_width_matches_thread(const FormImpl* f) {
  return f->def->bits != 0 || armbench_sve_vector_bytes() * 8 == f->pub.bits;
}

FmaKernel form_kernel(const FormImpl* f, armbench_chain_mode mode, unsigned k) {
  if ((mode != ARMBENCH_CHAIN_ACC && mode != ARMBENCH_CHAIN_FULL) || k < 1 || k > f->pub.max_chains) return nullptr;
  const FmaKernel* row = f->def->kernels[mode];
  return row != nullptr ? row[k - 1] : nullptr;
}

void form_fill(const FormImpl* f, armbench_chain_mode mode, unsigned k, void* acc_in, void* mul_in) {
  const FormDef& d = *f->def;
  const size_t rb = form_reg_bytes(f), eb = elem_bytes(d.acc);
  uint8_t* acc = static_cast<uint8_t*>(acc_in);
  for (unsigned c = 0; c < k; ++c) {
    for (size_t e = 0; e < rb / eb; ++e) put(d.acc, acc + c * rb + e * eb, init_value(c, e));
  }
  uint8_t* mul = static_cast<uint8_t*>(mul_in);
  fill_pattern(mul, rb, d.acc_a);
  fill_pattern(mul + rb, rb, mode == ARMBENCH_CHAIN_ACC ? d.acc_b : d.full_b);
}

int form_check(const FormImpl* f, armbench_chain_mode mode, unsigned k, uint64_t count, const void* acc_out) {
  const FormDef& d = *f->def;
  const size_t rb = form_reg_bytes(f), eb = elem_bytes(d.acc);
  const uint8_t* acc = static_cast<const uint8_t*>(acc_out);
  uint8_t want[8];
  for (unsigned c = 0; c < k; ++c) {
    for (size_t e = 0; e < rb / eb; ++e) {
      put(d.acc, want, expected_value(d, mode, init_value(c, e), count));
      if (memcmp(want, acc + c * rb + e * eb, eb) != 0) return 0;
    }
  }
  return 1;
}

}  // namespace micro
}  // namespace armbench

extern "C" size_t armbench_fma_form_count(void) { return armbench::micro::kFormCount; }

extern "C" const armbench_fma_form* armbench_fma_form_at(size_t i) {
  const armbench::micro::FormImpl* f = armbench::micro::form_impl(i);
  return f ? &f->pub : nullptr;
}

extern "C" const char* armbench_fma_form_unsupported(size_t i) {
  const armbench::micro::FormImpl* f = armbench::micro::form_impl(i);
  if (f == nullptr) return "no such form";
  if (f->pub.bits == 0) return "needs sve";  // a scalable form without a vector length
  if (!f->unsupported.empty()) return f->unsupported.c_str();
  // Only once cpuid and XCR0 say AMX is there: the request changes the process.
  return f->needs_tile_data ? armbench_amx_tile_permission() : nullptr;
}
