// The addon's entry: registers exports and holds the shared argument checks.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "armbench/threads.h"
#include "exports.h"
#include "handles.h"

namespace armbench_binding {

namespace {

// Its address makes this load's handle tags differ from another load's.
const char kThisLoad = 0;

napi_type_tag MakeTag(HandleKind kind) {
  // "armbench" then the kind; the address of kThisLoad as the second half.
  return napi_type_tag{0x61726d62656e6300ull | (static_cast<uint64_t>(kind) + 1),
                       static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&kThisLoad))};
}

const napi_type_tag kTags[] = {MakeTag(HandleKind::Pool), MakeTag(HandleKind::Peer), MakeTag(HandleKind::Engine)};
constexpr HandleKind kKinds[] = {HandleKind::Pool, HandleKind::Peer, HandleKind::Engine};

std::string Range(int64_t lo, int64_t hi) { return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]"; }

bool WholeIn(double d, double lo, double hi) { return d >= lo && d <= hi && std::floor(d) == d; }

}  // namespace

const char* HandleKindName(HandleKind kind) {
  switch (kind) {
    case HandleKind::Pool: return "pool";
    case HandleKind::Peer: return "peer";
    default: return "engine";
  }
}

const char* HandleKindSource(HandleKind kind) {
  switch (kind) {
    case HandleKind::Pool: return "gemmPool";
    case HandleKind::Peer: return "peerOpen";
    default: return "engineCreate";
  }
}

const napi_type_tag* HandleTag(HandleKind kind) { return &kTags[static_cast<int>(kind)]; }

std::string DescribeValue(Napi::Value v) {
  if (v.IsExternal()) {
    Napi::External<void> e = v.As<Napi::External<void>>();
    for (HandleKind k : kKinds)
      if (e.CheckTypeTag(HandleTag(k))) return std::string(HandleKindArticle(k)) + " " + HandleKindName(k) + " handle";
    return "a handle of another module (or of another copy of this addon)";
  }
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsBigInt()) return "a bigint";
  if (v.IsString()) return "a string";
  if (v.IsSymbol()) return "a symbol";
  if (v.IsFunction()) return "a function";
  if (v.IsArray()) return "an array";
  if (v.IsTypedArray() || v.IsArrayBuffer() || v.IsDataView()) return "a binary array";
  return "an object";
}

double PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  // Unknown: no cap beyond what 64-bit sizes and the allocator refuse.
  if (pages <= 0 || page <= 0) return 9007199254740992.0;
  return static_cast<double>(pages) * static_cast<double>(page);
}

void RequireFits(Napi::Env env, const char* fn, const std::string& what, double bytes) {
  const double have = PhysicalMemoryBytes();
  // Doubles: every factor was range-checked, so a product is at worst inexact or
  // infinite, never wrapped, and either way compares correctly against `have`.
  if (!(bytes <= have)) {
    char got[32];
    std::snprintf(got, sizeof got, "%.3g", bytes);
    throw Napi::RangeError::New(env, std::string(fn) + ": " + what + " would take " + got +
                                         " bytes, more than this machine's memory (" +
                                         std::to_string(static_cast<uint64_t>(have)) + " bytes)");
  }
}

int64_t RequireInt(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what, int64_t lo, int64_t hi) {
  const double d = RequireNumber(info, index, fn, what);
  if (!WholeIn(d, static_cast<double>(lo), static_cast<double>(hi))) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + what + " must be a whole number in " + Range(lo, hi));
  }
  return static_cast<int64_t>(d);
}

bool OptionalBoolean(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what, bool fallback) {
  if (info.Length() <= index || info[index].IsUndefined()) return fallback;
  if (!info[index].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be a boolean, got " + DescribeValue(info[index]));
  }
  return info[index].As<Napi::Boolean>().Value();
}

std::vector<int> AllowedCpuList() {
  std::vector<int> cpus(4096);
  const int n = armbench_allowed_cpus(cpus.data(), static_cast<int>(cpus.size()));
  cpus.resize(static_cast<size_t>(std::max(n, 0)));
  return cpus;
}

void RequireCpusIn(Napi::Env env, const char* fn, const char* what, const std::vector<int>& cpus,
                   const std::vector<int>& allowed) {
  for (int c : cpus) {
    if (c == -1) continue;
    if (!std::binary_search(allowed.begin(), allowed.end(), c)) {
      throw Napi::RangeError::New(env, std::string(fn) + ": " + what + " names CPU " + std::to_string(c) +
                                           ", which this process may not run on (see allowedCpus())");
    }
  }
}

void RequireAllowedCpus(Napi::Env env, const char* fn, const char* what, const std::vector<int>& cpus) {
  RequireCpusIn(env, fn, what, cpus, AllowedCpuList());
}

int CpuField(Napi::Object o, const char* key, const char* fn) {
  const int cpu = static_cast<int>(IntField(o, key, fn, -1, kMaxCpu));
  RequireAllowedCpus(o.Env(), fn, key, {cpu});
  return cpu;
}

std::vector<int> CpuArrayField(Napi::Object o, const char* key, const char* fn) {
  std::vector<int> cpus = IntArrayField(o, key, fn, 0, kMaxCpu, kMaxThreads);
  RequireAllowedCpus(o.Env(), fn, key, cpus);
  return cpus;
}

double RequireNumber(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be a number, got " +
                                               DescribeValue(info.Length() <= index ? info.Env().Undefined() : info[index]));
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

std::string RequireString(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what) {
  if (info.Length() <= index || !info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be a string, got " +
                                               DescribeValue(info.Length() <= index ? info.Env().Undefined() : info[index]));
  }
  std::string s = info[index].As<Napi::String>().Utf8Value();
  // The C side reads it up to its first NUL: a name with one would be read as another.
  if (s.find('\0') != std::string::npos) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + what + " must not contain a NUL character");
  }
  return s;
}

Napi::Object RequireObject(const Napi::CallbackInfo& info, size_t index, const char* fn) {
  if (info.Length() <= index || !info[index].IsObject() || info[index].IsArray() || info[index].IsFunction()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(index + 1) +
                                               " must be an options object, got " +
                                               DescribeValue(info.Length() <= index ? info.Env().Undefined() : info[index]));
  }
  return info[index].As<Napi::Object>();
}

double NumberField(Napi::Object o, const char* key, const char* fn) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) {
    throw Napi::TypeError::New(o.Env(), std::string(fn) + ": " + key + " must be a number, got " + DescribeValue(v));
  }
  return v.As<Napi::Number>().DoubleValue();
}

int64_t IntField(Napi::Object o, const char* key, const char* fn, int64_t lo, int64_t hi) {
  const double d = NumberField(o, key, fn);
  if (!WholeIn(d, static_cast<double>(lo), static_cast<double>(hi))) {
    throw Napi::RangeError::New(o.Env(), std::string(fn) + ": " + key + " must be a whole number in " + Range(lo, hi));
  }
  return static_cast<int64_t>(d);
}

std::vector<int> IntArrayField(Napi::Object o, const char* key, const char* fn, int lo, int hi, size_t max_len) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) {
    throw Napi::TypeError::New(o.Env(), std::string(fn) + ": " + key + " must be an array, got " + DescribeValue(v));
  }
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > max_len) {
    throw Napi::RangeError::New(o.Env(), std::string(fn) + ": " + key + " holds " + std::to_string(a.Length()) +
                                             " numbers; at most " + std::to_string(max_len) + " are accepted");
  }
  std::vector<int> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) {
      throw Napi::TypeError::New(o.Env(), std::string(fn) + ": " + key + "[" + std::to_string(i) + "] must be a number, got " +
                                              DescribeValue(e));
    }
    const double d = e.As<Napi::Number>().DoubleValue();
    if (!WholeIn(d, lo, hi)) {
      throw Napi::RangeError::New(o.Env(), std::string(fn) + ": " + key + " must hold whole numbers in " + Range(lo, hi));
    }
    out.push_back(static_cast<int>(d));
  }
  return out;
}

const char* DtypeName(armbench_gemm_dtype d) {
  return d == ARMBENCH_GEMM_INT8 ? "int8" : d == ARMBENCH_GEMM_BF16 ? "bf16" : "fp32";
}

armbench_gemm_dtype DtypeField(Napi::Object o, const char* fn, bool int8) {
  Napi::Value v = o.Get("dtype");
  std::string d = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (d == "fp32") return ARMBENCH_GEMM_F32;
  if (d == "bf16") return ARMBENCH_GEMM_BF16;
  if (int8 && d == "int8") return ARMBENCH_GEMM_INT8;
  throw Napi::TypeError::New(o.Env(), std::string(fn) + (int8 ? ": dtype must be \"fp32\", \"bf16\" or \"int8\""
                                                              : ": dtype must be \"fp32\" or \"bf16\"") +
                                          (v.IsString() ? std::string() : ", got " + DescribeValue(v)));
}

Napi::Value MeasuredResult(Napi::Env env, Napi::Object check, bool passed, const std::vector<armbench_gemm_timing>& timings) {
  check.Set("passed", Napi::Boolean::New(env, passed));
  Napi::Array rows = Napi::Array::New(env);
  if (passed) {
    for (size_t i = 0; i < timings.size(); ++i) {
      Napi::Object r = Napi::Object::New(env);
      r.Set("ns", static_cast<double>(timings[i].ns));
      r.Set("calls", static_cast<double>(timings[i].calls));
      rows.Set(static_cast<uint32_t>(i), r);
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("check", check);
  out.Set("samples", rows);
  return out;
}

}  // namespace armbench_binding

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  armbench_binding::RegisterCpu(env, exports);
  armbench_binding::RegisterTimer(env, exports);
  armbench_binding::RegisterBuildInfo(env, exports);
  armbench_binding::RegisterFmaProbe(env, exports);
  armbench_binding::RegisterMemoryProbe(env, exports);
  armbench_binding::RegisterGemm(env, exports);
  armbench_binding::RegisterConv(env, exports);
  armbench_binding::RegisterEngine(env, exports);
  return exports;
}

NODE_API_MODULE(armbench, Init)
