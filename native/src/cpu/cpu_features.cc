// The feature registry (one list, ARMBENCH_FEATURE_LIST) and the portable half of
// detection: caching, per-arch dispatch, and the probe runner.
#include "armbench/cpu_features.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "armbench/sigill_guard.h"
#include "cpu_internal.h"

namespace armbench {
namespace cpu {
namespace {

struct FeatureInfo {
  const char* name;
  armbench_arch arch;
};

const FeatureInfo kFeatures[ARMBENCH_FEATURE_COUNT] = {
#define ARMBENCH_FEATURE_ROW(id, name, arch) {name, arch},
    ARMBENCH_FEATURE_LIST(ARMBENCH_FEATURE_ROW)
#undef ARMBENCH_FEATURE_ROW
};

bool valid(armbench_feature f) {
  return static_cast<int>(f) >= 0 && f < ARMBENCH_FEATURE_COUNT;
}

// Detected once; a function-local static is initialised exactly once even when
// several threads ask first at the same time.
const Detected& detected() {
  static const Detected d = [] {
    Detected r;
    memset(&r, 0, sizeof r);
#if defined(__x86_64__)
    detect_x86(&r);
#elif defined(__aarch64__)
    detect_arm64(&r);
#endif
    return r;
  }();
  return d;
}

}  // namespace

armbench_probe_result run_probe(ProbeBody body) {
  // volatile: the body may be abandoned half way, after writing some fields.
  volatile ProbeCtx ctx;
  ctx.ok = 0;
  ctx.value = 0;
  if (armbench_run_guarded(body, const_cast<ProbeCtx*>(&ctx)) != 0) return ARMBENCH_PROBE_SIGILL;
  return ctx.ok ? ARMBENCH_PROBE_RAN : ARMBENCH_PROBE_WRONG;
}

}  // namespace cpu
}  // namespace armbench

using armbench::cpu::kFeatures;
using armbench::cpu::valid;

extern "C" {

armbench_arch armbench_host_arch(void) {
#if defined(__x86_64__)
  return ARMBENCH_ARCH_X86_64;
#elif defined(__aarch64__)
  return ARMBENCH_ARCH_AARCH64;
#else
  return ARMBENCH_ARCH_OTHER;
#endif
}

const char* armbench_arch_name(armbench_arch arch) {
  switch (arch) {
    case ARMBENCH_ARCH_X86_64: return "x86_64";
    case ARMBENCH_ARCH_AARCH64: return "aarch64";
    default: return "other";
  }
}

const char* armbench_feature_name(armbench_feature f) {
  return valid(f) ? kFeatures[f].name : "unknown";
}

armbench_arch armbench_feature_arch(armbench_feature f) {
  return valid(f) ? kFeatures[f].arch : ARMBENCH_ARCH_OTHER;
}

armbench_feature armbench_feature_from_name(const char* name) {
  if (name == nullptr) return ARMBENCH_FEATURE_COUNT;
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    if (strcmp(kFeatures[i].name, name) == 0) return static_cast<armbench_feature>(i);
  }
  return ARMBENCH_FEATURE_COUNT;
}

int armbench_cpu_has(armbench_feature f) {
  if (!valid(f)) return 0;
  return armbench::cpu::detected().has[f] ? 1 : 0;
}

unsigned armbench_sve_vector_bytes(void) {
#if defined(__aarch64__)
  // Asked each time, not cached: the length is per thread (prctl PR_SVE_SET_VL).
  if (armbench_cpu_has(ARMBENCH_FEATURE_SVE)) return armbench::cpu::arm64_sve_vector_bytes();
#endif
  return 0;
}

unsigned armbench_sme_vector_bytes(void) {
#if defined(__aarch64__)
  if (armbench_cpu_has(ARMBENCH_FEATURE_SME)) return armbench::cpu::arm64_sme_vector_bytes();
#endif
  return 0;
}

armbench_probe_result armbench_probe_feature(armbench_feature f) {
  if (!valid(f) || kFeatures[f].arch != armbench_host_arch()) return ARMBENCH_PROBE_NONE;
#if defined(__x86_64__)
  return armbench::cpu::probe_x86(f);
#elif defined(__aarch64__)
  return armbench::cpu::probe_arm64(f);
#else
  return ARMBENCH_PROBE_NONE;
#endif
}

const char* armbench_amx_tile_permission(void) {
#if defined(__x86_64__) && defined(__linux__) && defined(SYS_arch_prctl)
  constexpr long kArchReqXcompPerm = 0x1023;  // ARCH_REQ_XCOMP_PERM, <asm/prctl.h>
  constexpr long kXfeatureXtiledata = 18;     // XFEATURE_XTILEDATA (XCR0 bit 18)
  static const bool granted = syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  return granted ? nullptr : "the kernel refused AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM)";
#else
  return "the kernel refused AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM)";
#endif
}

void armbench_cpu_identify(armbench_cpu_id* out) {
  if (out == nullptr) return;
  memset(out, 0, sizeof *out);
  out->hypervisor = -1;
#if defined(__x86_64__)
  armbench::cpu::identify_x86(out);
#elif defined(__aarch64__)
  armbench::cpu::identify_arm64(out);
#endif
}

}  // extern "C"
