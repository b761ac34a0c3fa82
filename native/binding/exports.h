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

// Argument checks shared by every binding: each throws a TypeError naming the
// function and the argument.
double RequireNumber(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what);
std::string RequireString(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what);
Napi::Object RequireObject(const Napi::CallbackInfo& info, size_t index, const char* fn);

// CPU numbers the bindings accept (pinning beyond this is refused).
constexpr int kMaxCpu = 1 << 16;

// "fp32" / "bf16" <-> armbench_gemm_dtype; a bad value throws a TypeError naming fn.
const char* DtypeName(armbench_gemm_dtype d);
armbench_gemm_dtype DtypeField(Napi::Object o, const char* fn);

// { check, samples: [{ ns, calls }] } for a checked measurement: a check that failed
// timed nothing, so its samples are empty.
Napi::Value MeasuredResult(Napi::Env env, Napi::Object check, bool passed, const std::vector<armbench_gemm_timing>& timings);

// Fields of an options object, checked: a missing or mistyped field throws a
// TypeError naming the function and the field.
double NumberField(Napi::Object o, const char* key, const char* fn);
// A whole number in [lo, hi].
int64_t IntField(Napi::Object o, const char* key, const char* fn, int64_t lo, int64_t hi);
std::vector<int> IntArrayField(Napi::Object o, const char* key, const char* fn, int lo, int hi);

}  // namespace armbench_binding

#endif
