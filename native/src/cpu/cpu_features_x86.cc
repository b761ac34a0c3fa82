// x86-64 detection: what cpuid declares, gated by what the OS saves on a context
// switch (XCR0). A CPU may support AVX-512 while the kernel leaves its state off;
// its instructions then fault, so cpuid alone is not enough.
#if defined(__x86_64__)

#include <cpuid.h>
#include <stdint.h>
#include <string.h>

#include "cpu_internal.h"

namespace armbench {
namespace cpu {
namespace {

struct Regs {
  uint32_t eax, ebx, ecx, edx;
};

// Zeros when the leaf is beyond the CPU's maximum (__get_cpuid_count checks it).
Regs cpuid(uint32_t leaf, uint32_t subleaf) {
  Regs r = {0, 0, 0, 0};
  if (!__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx)) memset(&r, 0, sizeof r);
  return r;
}

bool bit(uint32_t word, int n) { return (word >> n) & 1u; }

// xgetbv by hand: the intrinsic needs -mxsave, and this file is baseline code.
uint64_t xgetbv(uint32_t index) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

// XCR0 state components.
constexpr uint64_t kXcrSse = 1u << 1;
constexpr uint64_t kXcrAvx = 1u << 2;
constexpr uint64_t kXcrOpmask = 1u << 5;
constexpr uint64_t kXcrZmmHi256 = 1u << 6;
constexpr uint64_t kXcrHi16Zmm = 1u << 7;
constexpr uint64_t kXcrTileCfg = 1u << 17;
constexpr uint64_t kXcrTileData = 1u << 18;

constexpr uint64_t kOsAvx = kXcrSse | kXcrAvx;
constexpr uint64_t kOsAvx512 = kOsAvx | kXcrOpmask | kXcrZmmHi256 | kXcrHi16Zmm;
constexpr uint64_t kOsAmx = kXcrTileCfg | kXcrTileData;

}  // namespace

void detect_x86(Detected* d) {
  const Regs l1 = cpuid(1, 0);
  const bool osxsave = bit(l1.ecx, 27);
  const uint64_t xcr0 = osxsave ? xgetbv(0) : 0;
  const bool os_avx = bit(l1.ecx, 28) && (xcr0 & kOsAvx) == kOsAvx;
  const bool os_avx512 = os_avx && (xcr0 & kOsAvx512) == kOsAvx512;
  const bool os_amx = (xcr0 & kOsAmx) == kOsAmx;

  const Regs l7 = cpuid(7, 0);
  // Subleaf 1 exists only when subleaf 0 says so in EAX.
  const Regs l7s1 = l7.eax >= 1 ? cpuid(7, 1) : Regs{0, 0, 0, 0};

  bool* has = d->has;
  has[ARMBENCH_FEATURE_FMA] = os_avx && bit(l1.ecx, 12);
  has[ARMBENCH_FEATURE_F16C] = os_avx && bit(l1.ecx, 29);
  has[ARMBENCH_FEATURE_AVX2] = os_avx && bit(l7.ebx, 5);
  has[ARMBENCH_FEATURE_AVX512F] = os_avx512 && bit(l7.ebx, 16);
  has[ARMBENCH_FEATURE_AVX512BW] = os_avx512 && bit(l7.ebx, 30);
  has[ARMBENCH_FEATURE_AVX512VL] = os_avx512 && bit(l7.ebx, 31);
  has[ARMBENCH_FEATURE_AVX512_BF16] = os_avx512 && bit(l7s1.eax, 5);
  has[ARMBENCH_FEATURE_AVX512_VNNI] = os_avx512 && bit(l7.ecx, 11);
  has[ARMBENCH_FEATURE_AVX_VNNI] = os_avx && bit(l7s1.eax, 4);
  has[ARMBENCH_FEATURE_AVX512_FP16] = os_avx512 && bit(l7.edx, 23);
  // Linux also wants arch_prctl(ARCH_REQ_XCOMP_PERM) before the first tile
  // instruction; XCR0 only says the kernel can save tile state at all.
  has[ARMBENCH_FEATURE_AMX_TILE] = os_amx && bit(l7.edx, 24);
  has[ARMBENCH_FEATURE_AMX_BF16] = os_amx && bit(l7.edx, 22);
  has[ARMBENCH_FEATURE_AMX_INT8] = os_amx && bit(l7.edx, 25);
}

void identify_x86(armbench_cpu_id* out) {
  const Regs l0 = cpuid(0, 0);
  // The vendor string is EBX, EDX, ECX in that order.
  memcpy(out->vendor + 0, &l0.ebx, 4);
  memcpy(out->vendor + 4, &l0.edx, 4);
  memcpy(out->vendor + 8, &l0.ecx, 4);
  out->vendor[12] = '\0';

  const Regs ext = cpuid(0x80000000u, 0);
  if (ext.eax >= 0x80000004u) {
    char raw[49];
    for (uint32_t i = 0; i < 3; ++i) {
      const Regs r = cpuid(0x80000002u + i, 0);
      memcpy(raw + 16 * i + 0, &r.eax, 4);
      memcpy(raw + 16 * i + 4, &r.ebx, 4);
      memcpy(raw + 16 * i + 8, &r.ecx, 4);
      memcpy(raw + 16 * i + 12, &r.edx, 4);
    }
    raw[48] = '\0';
    // Vendors pad the brand with spaces on either side.
    const char* begin = raw;
    while (*begin == ' ') ++begin;
    size_t len = strlen(begin);
    while (len > 0 && begin[len - 1] == ' ') --len;
    if (len >= sizeof out->brand) len = sizeof out->brand - 1;
    memcpy(out->brand, begin, len);
    out->brand[len] = '\0';
  }

  const Regs l1 = cpuid(1, 0);
  const unsigned base_family = (l1.eax >> 8) & 0xf;
  const unsigned base_model = (l1.eax >> 4) & 0xf;
  out->family = base_family == 0xf ? base_family + ((l1.eax >> 20) & 0xff) : base_family;
  out->model = (base_family == 0x6 || base_family == 0xf)
                   ? base_model + (((l1.eax >> 16) & 0xf) << 4)
                   : base_model;
  out->stepping = l1.eax & 0xf;
  out->hypervisor = bit(l1.ecx, 31) ? 1 : 0;
  out->midr = 0;
}

armbench_probe_result probe_x86(armbench_feature f) {
  switch (f) {
    case ARMBENCH_FEATURE_FMA: return run_probe(probe_x86_fma);
    case ARMBENCH_FEATURE_F16C: return run_probe(probe_x86_f16c);
    case ARMBENCH_FEATURE_AVX2: return run_probe(probe_x86_avx2);
    case ARMBENCH_FEATURE_AVX512F: return run_probe(probe_x86_avx512f);
    case ARMBENCH_FEATURE_AVX512BW: return run_probe(probe_x86_avx512bw);
    case ARMBENCH_FEATURE_AVX512VL: return run_probe(probe_x86_avx512vl);
    case ARMBENCH_FEATURE_AVX512_BF16: return run_probe(probe_x86_avx512_bf16);
    case ARMBENCH_FEATURE_AVX512_VNNI: return run_probe(probe_x86_avx512_vnni);
    case ARMBENCH_FEATURE_AVX_VNNI: return run_probe(probe_x86_avx_vnni);
    case ARMBENCH_FEATURE_AVX512_FP16: return run_probe(probe_x86_avx512_fp16);
    // AMX: no probe. A tile instruction faults until the process has asked the
    // kernel for tile state (arch_prctl(ARCH_REQ_XCOMP_PERM)), which is a lasting
    // change to the process; that belongs to the AMX kernels, not to detection.
    default: return ARMBENCH_PROBE_NONE;
  }
}

}  // namespace cpu
}  // namespace armbench

#endif  // __x86_64__
