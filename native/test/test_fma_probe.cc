// FMA probes: the registry's structure, request validation, and that every form the
// CPU supports runs with exactly checked accumulators (every k tried, both modes,
// long chunked runs too). Forms the CPU lacks must be refused, never run; so must AMX
// when Linux refuses this process tile state. Natively
// the log also shows each form's k=1 and k=max cycles per instruction; under an
// emulator (ARMBENCH_EMULATED=1) steps are tiny and timings are not printed.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "armbench/cpu_features.h"
#include "armbench/fma_probe.h"
#include "armbench/threads.h"
#include "check.h"

namespace {

// armbench_fma_form_unsupported's reason for an AMX form the CPU has but Linux refused.
const char kTileRefused[] = "the kernel refused AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM)";

bool in_list(const char* list, const std::string& name) {
  if (list == nullptr) return false;
  std::string s = std::string(",") + list + ",";
  return s.find("," + name + ",") != std::string::npos;
}

int first_cpu() {
  int cpus[1];
  return armbench_allowed_cpus(cpus, 1) == 1 ? cpus[0] : -1;
}

void check_registry() {
  const size_t n = armbench_fma_form_count();
  const armbench_arch arch = armbench_host_arch();
  if (arch != ARMBENCH_ARCH_OTHER) CHECK(n > 0);
  std::set<std::string> names;
  const std::set<std::string> isas = arch == ARMBENCH_ARCH_X86_64
                                         ? std::set<std::string>{"fma", "avx512", "avx512_bf16", "avx512_vnni",
                                                                 "avx_vnni", "amx_bf16", "amx_int8"}
                                         : std::set<std::string>{"neon", "sve"};
  const char* expect_present = getenv("ARMBENCH_EXPECT_FEATURES");
  for (size_t i = 0; i < n; ++i) {
    const armbench_fma_form* f = armbench_fma_form_at(i);
    if (!CHECK(f != nullptr)) continue;
    CHECK_MSG(names.insert(f->name).second, "duplicate form name %s", f->name);
    CHECK_MSG(isas.count(f->isa) == 1, "%s: isa %s is not of this architecture", f->name, f->isa);
    CHECK(f->insn != nullptr && f->insn[0] != '\0');
    CHECK(f->dtype != nullptr && f->dtype[0] != '\0');
    const char* why = armbench_fma_form_unsupported(i);
    // An SVE form has no width without SVE; everything else always has one.
    if (f->bits != 0 || why == nullptr) {
      CHECK_MSG(f->bits >= 128 && f->bits % 128 == 0 && f->ops > 0, "%s: bits %u, ops %u", f->name, f->bits, f->ops);
    }
    CHECK(f->max_chains >= 1 && f->max_chains <= 30);
    CHECK(f->has_full_chain == 0 || f->has_full_chain == 1);
    if (arch == ARMBENCH_ARCH_AARCH64) CHECK_MSG(f->max_chains >= 24, "%s: %u chains", f->name, f->max_chains);
    if (f->bits == 512) CHECK_MSG(f->max_chains >= 16, "%s: %u chains", f->name, f->max_chains);
    if (why != nullptr && strcmp(why, kTileRefused) == 0) {
      // The CPU declares AMX, Linux would not hand this process the tile state.
      CHECK_MSG(strcmp(f->isa, "amx_bf16") == 0, "%s: reason '%s'", f->name, why);
      CHECK(armbench_cpu_has(ARMBENCH_FEATURE_AMX_TILE) && armbench_cpu_has(ARMBENCH_FEATURE_AMX_BF16));
    } else if (why != nullptr) {
      // "needs <feature>": a feature of this architecture, one the CPU really lacks.
      CHECK_MSG(strncmp(why, "needs ", 6) == 0, "%s: reason '%s'", f->name, why);
      const armbench_feature feat = armbench_feature_from_name(why + 6);
      if (CHECK_MSG(feat != ARMBENCH_FEATURE_COUNT, "%s: reason '%s' names no feature", f->name, why)) {
        CHECK(armbench_feature_arch(feat) == arch);
        CHECK(!armbench_cpu_has(feat));
        CHECK_MSG(!in_list(expect_present, why + 6), "%s skipped although %s is expected here", f->name, why + 6);
      }
    }
  }
  CHECK(armbench_fma_form_at(n) == nullptr);
  CHECK(armbench_fma_form_unsupported(n) != nullptr);
}

// The AMX form on every x86-64 build: listed with its tile geometry, accumulation
// chains only, and refused with a reason wherever the CPU or Linux does not provide
// AMX (check_form then makes sure a refused form runs nothing).
void check_amx_form() {
  if (armbench_host_arch() != ARMBENCH_ARCH_X86_64) return;
  size_t i = 0;
  const armbench_fma_form* f = nullptr;
  for (; i < armbench_fma_form_count(); ++i) {
    f = armbench_fma_form_at(i);
    if (strcmp(f->name, "amx.tdpbf16ps") == 0) break;
  }
  if (!CHECK_MSG(i < armbench_fma_form_count(), "amx.tdpbf16ps is not listed")) return;
  CHECK(strcmp(f->isa, "amx_bf16") == 0 && strcmp(f->insn, "tdpbf16ps") == 0 && strcmp(f->dtype, "bf16") == 0);
  // A 16 x 64-byte tile; C[16x16 fp32] += A[16x32 bf16] * B[32x16 bf16].
  CHECK_MSG(f->bits == 8192 && f->ops == 2 * 16 * 16 * 32, "bits %u ops %u", f->bits, f->ops);
  CHECK(f->max_chains == 6);
  CHECK(f->has_full_chain == 0);
  const char* why = armbench_fma_form_unsupported(i);
  CHECK(armbench_fma_form_unsupported(i) == why);  // asked once, the same answer after
  const bool cpu_amx = armbench_cpu_has(ARMBENCH_FEATURE_AMX_TILE) && armbench_cpu_has(ARMBENCH_FEATURE_AMX_BF16);
  if (!cpu_amx) {
    if (CHECK_MSG(why != nullptr, "amx.tdpbf16ps supported without amx_tile and amx_bf16")) {
      CHECK_MSG(strcmp(why, "needs amx_tile") == 0 || strcmp(why, "needs amx_bf16") == 0, "reason '%s'", why);
    }
  } else if (why != nullptr) {
    CHECK_MSG(strcmp(why, kTileRefused) == 0, "reason '%s'", why);
  }
  printf("amx.tdpbf16ps: cpu %s amx_tile+amx_bf16, %s\n", cpu_amx ? "has" : "lacks",
         why == nullptr ? "tile state granted, runs" : why);
}

armbench_fma_curve_request curve_req(size_t form, armbench_chain_mode mode, const unsigned* k, size_t nk,
                                     uint64_t steps, unsigned samples) {
  armbench_fma_curve_request r;
  memset(&r, 0, sizeof r);
  r.form = form;
  r.mode = mode;
  r.chains = k;
  r.n_chains = nk;
  r.steps = steps;
  r.samples = samples;
  r.cpu = first_cpu();
  r.clock_steps = 1000;
  return r;
}

void check_bad_requests() {
  const size_t n = armbench_fma_form_count();
  if (n == 0) return;
  const unsigned max = armbench_fma_form_at(0)->max_chains;
  const unsigned one = 1, zero = 0, too_many = max + 1;
  armbench_fma_sample out[4];
  armbench_fma_curve_result res;
  armbench_fma_curve_request r = curve_req(n, ARMBENCH_CHAIN_ACC, &one, 1, 64, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);  // no such form
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &zero, 1, 64, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &too_many, 1, 64, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &one, 1, 64, 0);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &one, 1, 0, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &one, 0, 64, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, nullptr, 1, 64, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, static_cast<armbench_chain_mode>(7), &one, 1, 64, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &one, 1, uint64_t{1} << 41, 1);
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &one, 1, 64, 1);
  r.clock_steps = uint64_t{1} << 41;
  CHECK(armbench_fma_curve(&r, out, &res) == -EINVAL);
  r = curve_req(0, ARMBENCH_CHAIN_ACC, &one, 1, 64, 1);
  CHECK(armbench_fma_curve(&r, nullptr, &res) == -EINVAL);
  CHECK(armbench_fma_curve(nullptr, out, &res) == -EINVAL);

  const int cpu = first_cpu();
  armbench_fma_peak_request p = {0, 1, 64, 1, 1, &cpu};
  uint64_t ns[1];
  int ok = -1;
  p.chains = 0;
  CHECK(armbench_fma_peak(&p, ns, &ok) == -EINVAL);
  p.chains = max + 1;
  CHECK(armbench_fma_peak(&p, ns, &ok) == -EINVAL);
  p.chains = 1;
  p.threads = 0;
  CHECK(armbench_fma_peak(&p, ns, &ok) == -EINVAL);
  p.threads = 1;
  p.samples = 0;
  CHECK(armbench_fma_peak(&p, ns, &ok) == -EINVAL);
  p.samples = 1;
  p.form = n;
  CHECK(armbench_fma_peak(&p, ns, &ok) == -EINVAL);
}

// The clock beside one sample: the faster of its two chains (a disturbed chain only
// reads slow), in Hz.
double beside_hz(const armbench_fma_sample& s) {
  double hz = 0;
  for (const armbench_clock_sample& c : s.clock) hz = std::max(hz, static_cast<double>(c.steps) * 1e9 / static_cast<double>(c.ns));
  return hz;
}

// Cycles per step of one k from its samples: the fastest 2N run minus the fastest N
// run (a preempted run is only ever slower), in perf cycles when counted, else in ns
// times the clock beside each sample.
double cycles_per_step(const armbench_fma_sample* s, unsigned samples, uint64_t steps) {
  double n = 1e300, n2 = 1e300;
  for (unsigned i = 0; i < samples; ++i) {
    const bool counted = s[i].cycles_n != UINT64_MAX && s[i].cycles_2n != UINT64_MAX;
    const double hz = beside_hz(s[i]);
    n = std::min(n, counted ? static_cast<double>(s[i].cycles_n) : static_cast<double>(s[i].ns_n) * hz / 1e9);
    n2 = std::min(n2, counted ? static_cast<double>(s[i].cycles_2n) : static_cast<double>(s[i].ns_2n) * hz / 1e9);
  }
  return (n2 - n) / static_cast<double>(steps);
}

void check_form(size_t i, bool emu) {
  const armbench_fma_form* f = armbench_fma_form_at(i);
  const char* why = armbench_fma_form_unsupported(i);
  const unsigned ks[3] = {1, 2, f->max_chains};
  const uint64_t steps = emu ? 64 : 65536;
  const unsigned samples = emu ? 1 : 5;
  std::vector<armbench_fma_sample> out(3 * samples);
  armbench_fma_curve_result res;

  if (!f->has_full_chain) {
    // No full chain: refused as a bad request, supported or not, before anything runs.
    memset(out.data(), 0xa5, out.size() * sizeof out[0]);
    armbench_fma_curve_request r = curve_req(i, ARMBENCH_CHAIN_FULL, ks, 3, steps, samples);
    CHECK_MSG(armbench_fma_curve(&r, out.data(), &res) == -EINVAL, "%s: full chain not refused", f->name);
    CHECK(out[0].ns_n == 0xa5a5a5a5a5a5a5a5ull);
  }

  if (why != nullptr) {
    printf("%-28s skipped: %s\n", f->name, why);
    CHECK(why[0] != '\0');
    // Refused before anything runs: the output is left as it was.
    memset(out.data(), 0xa5, out.size() * sizeof out[0]);
    memset(&res, 0xa5, sizeof res);
    armbench_fma_curve_request r = curve_req(i, ARMBENCH_CHAIN_ACC, ks, 3, steps, samples);
    CHECK(armbench_fma_curve(&r, out.data(), &res) == -ENOTSUP);
    CHECK(out[0].ns_n == 0xa5a5a5a5a5a5a5a5ull && res.failed_chains == 0xa5a5a5a5u);
    const int cpu = first_cpu();
    armbench_fma_peak_request p = {i, 1, 64, 1, 1, &cpu};
    uint64_t ns = 0;
    int ok = -1;
    CHECK(armbench_fma_peak(&p, &ns, &ok) == -ENOTSUP);
    return;
  }

  double cyc[2][3] = {{0}};
  for (int mode = 0; mode < 2; ++mode) {
    if (mode == ARMBENCH_CHAIN_FULL && !f->has_full_chain) continue;
    armbench_fma_curve_request r = curve_req(i, static_cast<armbench_chain_mode>(mode), ks, 3, steps, samples);
    r.clock_steps = emu ? 1000 : 200000;
    const int rc = armbench_fma_curve(&r, out.data(), &res);
    if (!CHECK_MSG(rc == 0, "%s mode %d: rc %d", f->name, mode, rc)) continue;
    CHECK_MSG(res.failed_chains == 0, "%s mode %d: wrong accumulators at k=%u", f->name, mode, res.failed_chains);
    for (size_t s = 0; s < out.size(); ++s) {
      CHECK(out[s].ns_2n > 0 && out[s].ns_n > 0);
      // Both chains ran beside every sample, exactly as long as asked, one before and
      // one after, the first alternating from sample to sample.
      CHECK(out[s].clock_first == s % ARMBENCH_CLOCK_CHAINS);
      for (const armbench_clock_sample& c : out[s].clock) CHECK(c.steps == r.clock_steps && c.ns > 0);
    }
    for (int j = 0; j < 3; ++j) {
      cyc[mode][j] = cycles_per_step(&out[j * samples], samples, steps) / (j == 0 ? 1 : ks[j]);
    }
  }

  {
    // No clock asked: none runs, and the sample says so.
    armbench_fma_curve_request r = curve_req(i, ARMBENCH_CHAIN_ACC, ks, 1, 64, 1);
    r.clock_steps = 0;
    CHECK(armbench_fma_curve(&r, out.data(), &res) == 0);
    for (const armbench_clock_sample& c : out[0].clock) CHECK(c.steps == 0 && c.ns == 0 && c.cycles == UINT64_MAX);
  }

  // A long run (chunked natively: above the per-call cap) through the peak entry.
  const int cpu = first_cpu();
  armbench_fma_peak_request p = {i, f->max_chains, emu ? 2048 + 64 : (uint64_t{1} << 20) + 64, 1, 1, &cpu};
  uint64_t ns = 0;
  int ok = 0;
  CHECK(armbench_fma_peak(&p, &ns, &ok) == 0);
  CHECK_MSG(ok == 1, "%s: peak accumulators wrong", f->name);
  CHECK(ns > 0);

  if (emu) {
    printf("%-28s ran and checked (%u bits, %u ops, k = 1, 2, %u, %s)\n", f->name, f->bits, f->ops, f->max_chains,
           f->has_full_chain ? "acc and full" : "acc only");
  } else {
    char full[32] = "-";
    if (f->has_full_chain) snprintf(full, sizeof full, "%.2f", cyc[1][0]);
    printf("%-28s %4u bits %5u ops | k=1 acc %.2f full %s cyc/instr | k=%u %.3f cyc/instr (%.1f %s/cyc)\n", f->name,
           f->bits, f->ops, cyc[0][0], full, f->max_chains, cyc[0][2], f->ops / cyc[0][2],
           strncmp(f->dtype, "int", 3) == 0 ? "OP" : "FLOP");
  }
}

}  // namespace

int main() {
  const bool emu = emulated();
  check_registry();
  check_amx_form();
  check_bad_requests();
  for (size_t i = 0; i < armbench_fma_form_count(); ++i) check_form(i, emu);
  return check::summary("test_fma_probe");
}
