// Each binding file registers its functions on the addon's exports.
#ifndef ARMBENCH_BINDING_EXPORTS_H
#define ARMBENCH_BINDING_EXPORTS_H

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "armbench/gemm.h"
#include "armbench/gemm_measure.h"

namespace armbench_binding {

void RegisterCpu(Napi::Env env, Napi::Object exports);
void RegisterTimer(Napi::Env env, Napi::Object exports);
void RegisterBuildInfo(Napi::Env env, Napi::Object exports);
void RegisterFmaProbe(Napi::Env env, Napi::Object exports);
void RegisterMemoryProbe(Napi::Env env, Napi::Object exports);
void RegisterGemm(Napi::Env env, Napi::Object exports);
void RegisterConv(Napi::Env env, Napi::Object exports);
void RegisterEngine(Napi::Env env, Napi::Object exports);

// Argument checks shared by every binding: each throws a TypeError (wrong type) or a
// RangeError (wrong value) naming the function and the argument.
double RequireNumber(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what);
std::string RequireString(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what);
Napi::Object RequireObject(const Napi::CallbackInfo& info, size_t index, const char* fn);

// A whole number argument in [lo, hi]: TypeError when not a number, RangeError when out of range.
int64_t RequireInt(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what, int64_t lo, int64_t hi);
// An optional boolean argument (undefined or absent: fallback); anything else is a TypeError.
bool OptionalBoolean(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what, bool fallback);

// CPU numbers the bindings accept (pinning beyond this is refused).
constexpr int kMaxCpu = 1 << 16;
// Threads a request may start (the GEMM pool's own limit).
constexpr size_t kMaxThreads = 4096;

// The CPUs this process may run on now (armbench_allowed_cpus), ascending.
std::vector<int> AllowedCpuList();
// Each CPU in `cpus` (-1: not pinned, allowed) must be in `allowed` (ascending); a
// RangeError naming fn and what otherwise.
void RequireCpusIn(Napi::Env env, const char* fn, const char* what, const std::vector<int>& cpus,
                   const std::vector<int>& allowed);
// RequireCpusIn against the CPUs this process may run on now.
void RequireAllowedCpus(Napi::Env env, const char* fn, const char* what, const std::vector<int>& cpus);
// A CPU field: -1 (not pinned) or a CPU this process may run on.
int CpuField(Napi::Object o, const char* key, const char* fn);
// An array of CPUs this process may run on (at most kMaxThreads of them; may be empty).
std::vector<int> CpuArrayField(Napi::Object o, const char* key, const char* fn);

// The machine's physical memory in bytes.
double PhysicalMemoryBytes();
// A RangeError "fn: what would take N bytes, more than this machine's memory" when `bytes`
// (computed in double from range-checked factors) exceeds physical memory: refused
// before anything is allocated, since an overcommitted allocation that fits the
// address space but not the machine ends in the OOM killer's signal.
void RequireFits(Napi::Env env, const char* fn, const std::string& what, double bytes);

// "fp32" / "bf16" (and "int8" where int8 is true: gemm cases only) <-> armbench_gemm_dtype;
// a bad value throws a TypeError naming fn.
const char* DtypeName(armbench_gemm_dtype d);
armbench_gemm_dtype DtypeField(Napi::Object o, const char* fn, bool int8 = false);

// { check, samples: [{ ns, calls }] } for a checked measurement: a check that failed
// timed nothing, so its samples are empty.
Napi::Value MeasuredResult(Napi::Env env, Napi::Object check, bool passed, const std::vector<armbench_gemm_timing>& timings);

// Fields of an options object, checked: a missing or mistyped field throws a
// TypeError naming the function and the field.
double NumberField(Napi::Object o, const char* key, const char* fn);
// A whole number in [lo, hi].
int64_t IntField(Napi::Object o, const char* key, const char* fn, int64_t lo, int64_t hi);
// An array of whole numbers in [lo, hi], at most max_len of them.
std::vector<int> IntArrayField(Napi::Object o, const char* key, const char* fn, int lo, int hi, size_t max_len = 4096);

}  // namespace armbench_binding

#endif
