// aarch64 detection: the kernel's hardware capability words (AT_HWCAP, AT_HWCAP2).
// The kernel sets a bit only when the CPU has the feature and the kernel enables
// it (SVE state, SME state), so no instruction is executed on a guess.
#if defined(__aarch64__)

#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/prctl.h>

#include "armbench/sigill_guard.h"
#include "cpu_internal.h"

namespace armbench {
namespace cpu {
namespace {

// Bit numbers from the kernel's uapi asm/hwcap.h, spelt out here because older
// toolchain headers lack the newer ones.
namespace hwcap {
constexpr int kAsimd = 1;
constexpr int kFphp = 9;
constexpr int kAsimdhp = 10;
constexpr int kCpuid = 11;
constexpr int kAsimddp = 20;
constexpr int kSve = 22;
constexpr int kAsimdfhm = 23;
}  // namespace hwcap

// BF16 and I8MM live in HWCAP2. Bits 13 and 14 of HWCAP are JSCVT and FCMA, which
// a Kunpeng 920 (Armv8.2, no BF16/I8MM) does have: reading bf16/i8mm from the wrong
// word would report them there and pick kernels that die with SIGILL.
namespace hwcap2 {
constexpr int kSve2 = 1;
constexpr int kSvei8mm = 9;
constexpr int kSvef32mm = 10;
constexpr int kSvebf16 = 12;
constexpr int kI8mm = 13;
constexpr int kBf16 = 14;
constexpr int kSme = 23;
constexpr int kEbf16 = 32;
}  // namespace hwcap2

#ifndef PR_SVE_GET_VL
#define PR_SVE_GET_VL 51
#endif
#ifndef PR_SME_GET_VL
#define PR_SME_GET_VL 64
#endif
#ifndef PR_SVE_VL_LEN_MASK
#define PR_SVE_VL_LEN_MASK 0xffff
#endif
#ifndef PR_SME_VL_LEN_MASK
#define PR_SME_VL_LEN_MASK 0xffff
#endif

bool bit(unsigned long word, int n) { return (word >> n) & 1ul; }

// The length from prctl, or from the instruction itself (rdvl / rdsvl, guarded)
// when the kernel or emulator does not implement the prctl.
unsigned vector_bytes(int option, unsigned long mask, ProbeBody fallback) {
  const int r = prctl(option, 0, 0, 0, 0);
  if (r > 0) return static_cast<unsigned>(r & mask);
  volatile ProbeCtx ctx;
  ctx.ok = 0;
  ctx.value = 0;
  if (armbench_run_guarded(fallback, const_cast<ProbeCtx*>(&ctx)) != 0 || !ctx.ok) return 0;
  return static_cast<unsigned>(ctx.value);
}

bool read_midr_sysfs(int cpu, uint64_t* midr) {
  char path[96];
  snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/regs/identification/midr_el1", cpu);
  FILE* f = fopen(path, "r");
  if (f == nullptr) return false;
  char buf[64] = {0};
  const bool got = fgets(buf, sizeof buf, f) != nullptr;
  fclose(f);
  if (!got) return false;
  char* end = nullptr;
  const unsigned long long v = strtoull(buf, &end, 16);
  if (end == buf) return false;
  *midr = v;
  return true;
}

// With HWCAP_CPUID the kernel (or qemu-user) emulates EL0 reads of the ID registers.
void mrs_midr(void* ctx) {
  uint64_t v;
  __asm__ volatile("mrs %0, midr_el1" : "=r"(v));
  static_cast<ProbeCtx*>(ctx)->value = v;
  static_cast<ProbeCtx*>(ctx)->ok = 1;
}

}  // namespace

void detect_arm64(Detected* d) {
  const unsigned long hw = getauxval(AT_HWCAP);
  const unsigned long hw2 = getauxval(AT_HWCAP2);
  bool* has = d->has;
  has[ARMBENCH_FEATURE_ASIMD] = bit(hw, hwcap::kAsimd);
  has[ARMBENCH_FEATURE_FPHP] = bit(hw, hwcap::kFphp);
  has[ARMBENCH_FEATURE_ASIMDHP] = bit(hw, hwcap::kAsimdhp);
  has[ARMBENCH_FEATURE_ASIMDDP] = bit(hw, hwcap::kAsimddp);
  has[ARMBENCH_FEATURE_ASIMDFHM] = bit(hw, hwcap::kAsimdfhm);
  has[ARMBENCH_FEATURE_SVE] = bit(hw, hwcap::kSve);
  has[ARMBENCH_FEATURE_BF16] = bit(hw2, hwcap2::kBf16);
  has[ARMBENCH_FEATURE_EBF16] = bit(hw2, hwcap2::kEbf16);
  has[ARMBENCH_FEATURE_I8MM] = bit(hw2, hwcap2::kI8mm);
  has[ARMBENCH_FEATURE_SVE2] = bit(hw2, hwcap2::kSve2);
  has[ARMBENCH_FEATURE_SVEBF16] = bit(hw2, hwcap2::kSvebf16);
  has[ARMBENCH_FEATURE_SVEI8MM] = bit(hw2, hwcap2::kSvei8mm);
  has[ARMBENCH_FEATURE_SVEF32MM] = bit(hw2, hwcap2::kSvef32mm);
  has[ARMBENCH_FEATURE_SME] = bit(hw2, hwcap2::kSme);
}

unsigned arm64_sve_vector_bytes() {
  return vector_bytes(PR_SVE_GET_VL, PR_SVE_VL_LEN_MASK, probe_arm64_sve);
}

unsigned arm64_sme_vector_bytes() {
  return vector_bytes(PR_SME_GET_VL, PR_SME_VL_LEN_MASK, probe_arm64_sme);
}

void identify_arm64(armbench_cpu_id* out) {
  // MIDR of the calling CPU: sysfs names it per CPU (heterogeneous parts differ).
  uint64_t midr = 0;
  const int cpu = sched_getcpu();
  if ((cpu >= 0 && read_midr_sysfs(cpu, &midr)) || read_midr_sysfs(0, &midr)) {
    out->midr = midr;
    return;
  }
  if (bit(getauxval(AT_HWCAP), hwcap::kCpuid)) {
    volatile ProbeCtx ctx;
    ctx.ok = 0;
    ctx.value = 0;
    if (armbench_run_guarded(mrs_midr, const_cast<ProbeCtx*>(&ctx)) == 0 && ctx.ok) {
      out->midr = ctx.value;
    }
  }
}

armbench_probe_result probe_arm64(armbench_feature f) {
  switch (f) {
    case ARMBENCH_FEATURE_ASIMD: return run_probe(probe_arm64_asimd);
    case ARMBENCH_FEATURE_FPHP: return run_probe(probe_arm64_fphp);
    case ARMBENCH_FEATURE_ASIMDHP: return run_probe(probe_arm64_asimdhp);
    case ARMBENCH_FEATURE_ASIMDDP: return run_probe(probe_arm64_asimddp);
    case ARMBENCH_FEATURE_ASIMDFHM: return run_probe(probe_arm64_asimdfhm);
    case ARMBENCH_FEATURE_BF16: return run_probe(probe_arm64_bf16);
    case ARMBENCH_FEATURE_I8MM: return run_probe(probe_arm64_i8mm);
    case ARMBENCH_FEATURE_SVE: return run_probe(probe_arm64_sve);
    case ARMBENCH_FEATURE_SVE2: return run_probe(probe_arm64_sve2);
    case ARMBENCH_FEATURE_SVEBF16: return run_probe(probe_arm64_svebf16);
    case ARMBENCH_FEATURE_SVEI8MM: return run_probe(probe_arm64_svei8mm);
    case ARMBENCH_FEATURE_SVEF32MM: return run_probe(probe_arm64_svef32mm);
    case ARMBENCH_FEATURE_SME: return run_probe(probe_arm64_sme);
    // EBF16 changes how BF16 instructions round (FPCR.EBF), it adds no instruction
    // of its own that a plain probe could run.
    default: return ARMBENCH_PROBE_NONE;
  }
}

}  // namespace cpu
}  // namespace armbench

#endif  // __aarch64__
