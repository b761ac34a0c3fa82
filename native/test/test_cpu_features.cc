// Feature registry, detection, probes, and their agreement with the kernel's view.
//
// Environment (set by scripts/test-aarch64.sh, or by hand):
//   ARMBENCH_EXPECT_FEATURES="a,b"  each must be detected
//   ARMBENCH_EXPECT_ABSENT="a,b"    each must be absent
//   ARMBENCH_EXPECT_MIDR_PART=0xd0c MIDR_EL1 part number (aarch64)
//   ARMBENCH_EMULATED=1             under an emulator, whose CPU model is exact:
//                                   an undeclared feature must raise SIGILL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "armbench/cpu_features.h"
#include "check.h"

namespace {

armbench_feature feature(int i) { return static_cast<armbench_feature>(i); }

std::vector<std::string> split_list(const char* text) {
  std::vector<std::string> out;
  if (text == nullptr) return out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t b = item.find_first_not_of(" \t");
    const size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

bool env_flag(const char* name) {
  const char* v = getenv(name);
  return v != nullptr && strcmp(v, "1") == 0;
}

const char* probe_text(armbench_probe_result r) {
  switch (r) {
    case ARMBENCH_PROBE_RAN: return "ran";
    case ARMBENCH_PROBE_SIGILL: return "sigill";
    case ARMBENCH_PROBE_NONE: return "none";
    case ARMBENCH_PROBE_WRONG: return "WRONG";
  }
  return "?";
}

void test_registry() {
  std::set<std::string> names;
  int x86 = 0, arm = 0;
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    const char* name = armbench_feature_name(feature(i));
    CHECK(name != nullptr && name[0] != '\0');
    CHECK_MSG(names.insert(name).second, "duplicate feature name %s", name);
    CHECK_MSG(armbench_feature_from_name(name) == feature(i), "%s does not round-trip", name);
    const armbench_arch a = armbench_feature_arch(feature(i));
    CHECK_MSG(a == ARMBENCH_ARCH_X86_64 || a == ARMBENCH_ARCH_AARCH64, "%s has no arch", name);
    x86 += a == ARMBENCH_ARCH_X86_64;
    arm += a == ARMBENCH_ARCH_AARCH64;
  }
  CHECK(x86 > 0 && arm > 0);
  CHECK(armbench_feature_from_name("no-such-feature") == ARMBENCH_FEATURE_COUNT);
  CHECK(armbench_feature_from_name("") == ARMBENCH_FEATURE_COUNT);
  CHECK(armbench_feature_from_name(nullptr) == ARMBENCH_FEATURE_COUNT);
  CHECK(armbench_cpu_has(ARMBENCH_FEATURE_COUNT) == 0);
  CHECK(armbench_probe_feature(ARMBENCH_FEATURE_COUNT) == ARMBENCH_PROBE_NONE);
  CHECK(armbench_feature_arch(ARMBENCH_FEATURE_FMA) == ARMBENCH_ARCH_X86_64);
  CHECK(armbench_feature_arch(ARMBENCH_FEATURE_AMX_INT8) == ARMBENCH_ARCH_X86_64);
  CHECK(armbench_feature_arch(ARMBENCH_FEATURE_ASIMD) == ARMBENCH_ARCH_AARCH64);
  CHECK(armbench_feature_arch(ARMBENCH_FEATURE_SME) == ARMBENCH_ARCH_AARCH64);
  CHECK(strcmp(armbench_feature_name(ARMBENCH_FEATURE_BF16), "bf16") == 0);
  CHECK(strcmp(armbench_feature_name(ARMBENCH_FEATURE_AVX512_BF16), "avx512_bf16") == 0);
  CHECK(strcmp(armbench_arch_name(ARMBENCH_ARCH_X86_64), "x86_64") == 0);
  CHECK(strcmp(armbench_arch_name(ARMBENCH_ARCH_AARCH64), "aarch64") == 0);
  CHECK(strcmp(armbench_arch_name(ARMBENCH_ARCH_OTHER), "other") == 0);
#if defined(__x86_64__)
  CHECK(armbench_host_arch() == ARMBENCH_ARCH_X86_64);
#elif defined(__aarch64__)
  CHECK(armbench_host_arch() == ARMBENCH_ARCH_AARCH64);
#else
  CHECK(armbench_host_arch() == ARMBENCH_ARCH_OTHER);
#endif
}

void print_detected() {
  printf("arch: %s\nfeatures:", armbench_arch_name(armbench_host_arch()));
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    if (armbench_cpu_has(feature(i))) printf(" %s", armbench_feature_name(feature(i)));
  }
  printf("\nsve vector bytes: %u, sme vector bytes: %u\n", armbench_sve_vector_bytes(),
         armbench_sme_vector_bytes());
  armbench_cpu_id id;
  armbench_cpu_identify(&id);
  printf("cpu: vendor \"%s\" brand \"%s\" family %u model %u stepping %u hypervisor %d midr 0x%llx\n",
         id.vendor, id.brand, id.family, id.model, id.stepping, id.hypervisor,
         static_cast<unsigned long long>(id.midr));
}

void test_other_arch_absent() {
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    if (armbench_feature_arch(feature(i)) == armbench_host_arch()) continue;
    CHECK_MSG(armbench_cpu_has(feature(i)) == 0, "%s of another arch detected", armbench_feature_name(feature(i)));
    CHECK(armbench_probe_feature(feature(i)) == ARMBENCH_PROBE_NONE);
  }
}

// Detection and execution must agree: a declared feature's instruction runs and
// gives the right answer; an undeclared one raises SIGILL, which also proves the
// guard. Off an emulator, an undeclared feature may still execute (a hypervisor
// that masks cpuid bits, a kernel too old to name a feature), so there that is a
// note, not a failure.
void test_probes() {
  const bool emulated = env_flag("ARMBENCH_EMULATED");
  printf("probes:");
  int sigills = 0;
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    const armbench_feature f = feature(i);
    if (armbench_feature_arch(f) != armbench_host_arch()) continue;
    const armbench_probe_result r = armbench_probe_feature(f);
    printf(" %s=%s", armbench_feature_name(f), probe_text(r));
    sigills += r == ARMBENCH_PROBE_SIGILL;
  }
  printf("\n");
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    const armbench_feature f = feature(i);
    if (armbench_feature_arch(f) != armbench_host_arch()) continue;
    const armbench_probe_result r = armbench_probe_feature(f);
    const char* name = armbench_feature_name(f);
    CHECK_MSG(r != ARMBENCH_PROBE_WRONG, "%s: the instruction ran but gave a wrong answer", name);
    if (r == ARMBENCH_PROBE_NONE) continue;
    if (armbench_cpu_has(f)) {
      CHECK_MSG(r == ARMBENCH_PROBE_RAN, "%s is declared but its probe says %s", name, probe_text(r));
    } else if (r == ARMBENCH_PROBE_RAN) {
      if (emulated) {
        CHECK_MSG(false, "%s is not declared but its instruction ran under the emulator", name);
      } else {
        printf("note: %s is not declared but its instruction runs (masked by a hypervisor or kernel)\n", name);
      }
    }
  }
  printf("probes that raised SIGILL: %d\n", sigills);
}

// Linux version that first printed each name in /proc/cpuinfo (rounded up): a
// feature we detect that an older kernel does not list is not a disagreement.
struct KernelName {
  const char* name;
  int major, minor;
};
const KernelName kKernelNames[] = {
    {"fma", 3, 0}, {"f16c", 3, 0}, {"avx2", 3, 10}, {"avx512f", 4, 0}, {"avx512bw", 4, 0},
    {"avx512vl", 4, 0}, {"avx512_vnni", 4, 20}, {"avx512_bf16", 5, 4}, {"avx_vnni", 5, 16},
    {"avx512_fp16", 5, 16}, {"amx_tile", 5, 16}, {"amx_bf16", 5, 16}, {"amx_int8", 5, 16},
    {"asimd", 3, 10}, {"fphp", 4, 11}, {"asimdhp", 4, 11}, {"asimddp", 4, 15},
    {"asimdfhm", 4, 17}, {"sve", 4, 15}, {"sve2", 5, 10}, {"svei8mm", 5, 10},
    {"svef32mm", 5, 10}, {"svebf16", 5, 10}, {"i8mm", 5, 10}, {"bf16", 5, 10},
    {"sme", 6, 0}, {"ebf16", 6, 2},
};

bool kernel_knows(const char* name) {
  utsname u;
  int major = 0, minor = 0;
  if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  for (const KernelName& k : kKernelNames) {
    if (strcmp(k.name, name) == 0) return major > k.major || (major == k.major && minor >= k.minor);
  }
  return false;
}

// The kernel's feature line, only when it describes this build's architecture:
// under qemu-user /proc/cpuinfo can be the host's, of another architecture.
bool kernel_features(std::set<std::string>* out) {
#if defined(__x86_64__)
  const std::string key = "flags";
#elif defined(__aarch64__)
  const std::string key = "Features";
#else
  return false;
#endif
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos || line.find_first_not_of(" \t", key.size()) != colon) continue;
    std::stringstream ss(line.substr(colon + 1));
    std::string word;
    while (ss >> word) out->insert(word);
    return true;
  }
  return false;
}

void test_against_kernel() {
  std::set<std::string> kernel;
  if (!kernel_features(&kernel)) {
    printf("kernel feature list: none for %s in /proc/cpuinfo (emulated?), comparison skipped\n",
           armbench_arch_name(armbench_host_arch()));
    return;
  }
  int compared = 0;
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    const armbench_feature f = feature(i);
    if (armbench_feature_arch(f) != armbench_host_arch()) continue;
    const char* name = armbench_feature_name(f);
    const bool listed = kernel.count(name) != 0;
    const bool has = armbench_cpu_has(f) != 0;
    if (listed) {
      CHECK_MSG(has, "the kernel lists %s but it was not detected", name);
    } else if (has) {
      if (kernel_knows(name)) {
        CHECK_MSG(false, "%s detected but the kernel does not list it", name);
      } else {
        printf("note: %s detected; this kernel predates its /proc/cpuinfo name\n", name);
      }
    }
    ++compared;
  }
  printf("kernel feature list: %d features compared\n", compared);
}

void test_vector_lengths() {
  const unsigned sve = armbench_sve_vector_bytes();
  const unsigned sme = armbench_sme_vector_bytes();
  if (armbench_cpu_has(ARMBENCH_FEATURE_SVE)) {
    CHECK_MSG(sve >= 16 && sve <= 256 && sve % 16 == 0, "sve vector bytes %u", sve);
  } else {
    CHECK(sve == 0);
  }
  if (armbench_cpu_has(ARMBENCH_FEATURE_SME)) {
    CHECK_MSG(sme >= 16 && sme <= 256 && sme % 16 == 0, "sme vector bytes %u", sme);
  } else {
    CHECK(sme == 0);
  }
}

void test_identify() {
  armbench_cpu_id id;
  memset(&id, 0xab, sizeof id);
  armbench_cpu_identify(&id);
  CHECK(memchr(id.vendor, '\0', sizeof id.vendor) != nullptr);
  CHECK(memchr(id.brand, '\0', sizeof id.brand) != nullptr);
#if defined(__x86_64__)
  CHECK(strlen(id.vendor) == 12);
  CHECK(id.family > 0);
  CHECK(id.hypervisor == 0 || id.hypervisor == 1);
  CHECK(id.midr == 0);
  CHECK(id.brand[0] != ' ' && (id.brand[0] == '\0' || id.brand[strlen(id.brand) - 1] != ' '));
#else
  CHECK(id.vendor[0] == '\0' && id.brand[0] == '\0');
  CHECK(id.hypervisor == -1);
#endif
  const char* part = getenv("ARMBENCH_EXPECT_MIDR_PART");
  if (part != nullptr && part[0] != '\0') {
    const unsigned long want = strtoul(part, nullptr, 0);
    const unsigned long got = static_cast<unsigned long>((id.midr >> 4) & 0xfff);
    CHECK_MSG(got == want, "MIDR part 0x%lx, expected 0x%lx (midr 0x%llx)", got, want,
              static_cast<unsigned long long>(id.midr));
  }
}

void test_expectations() {
  for (const std::string& name : split_list(getenv("ARMBENCH_EXPECT_FEATURES"))) {
    const armbench_feature f = armbench_feature_from_name(name.c_str());
    if (!CHECK_MSG(f != ARMBENCH_FEATURE_COUNT, "ARMBENCH_EXPECT_FEATURES names unknown feature %s", name.c_str())) continue;
    CHECK_MSG(armbench_cpu_has(f), "expected %s to be detected", name.c_str());
  }
  for (const std::string& name : split_list(getenv("ARMBENCH_EXPECT_ABSENT"))) {
    const armbench_feature f = armbench_feature_from_name(name.c_str());
    if (!CHECK_MSG(f != ARMBENCH_FEATURE_COUNT, "ARMBENCH_EXPECT_ABSENT names unknown feature %s", name.c_str())) continue;
    CHECK_MSG(!armbench_cpu_has(f), "expected %s to be absent", name.c_str());
  }
}

}  // namespace

int main() {
  print_detected();
  test_registry();
  test_other_arch_absent();
  test_probes();
  test_against_kernel();
  test_vector_lengths();
  test_identify();
  test_expectations();
  return check::summary("test_cpu_features");
}
