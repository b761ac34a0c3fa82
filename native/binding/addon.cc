// The addon's entry: registers exports and holds the shared argument checks.
#include <cmath>
#include <string>

#include "exports.h"

namespace armbench_binding {

double RequireNumber(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

std::string RequireString(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what) {
  if (info.Length() <= index || !info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

Napi::Object RequireObject(const Napi::CallbackInfo& info, size_t index, const char* fn) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": expected an options object");
  }
  return info[index].As<Napi::Object>();
}

double NumberField(Napi::Object o, const char* key, const char* fn) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(fn) + ": " + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

int64_t IntField(Napi::Object o, const char* key, const char* fn, int64_t lo, int64_t hi) {
  const double d = NumberField(o, key, fn);
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || std::floor(d) != d) {
    throw Napi::RangeError::New(o.Env(), std::string(fn) + ": " + key + " must be a whole number in [" +
                                             std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int64_t>(d);
}

std::vector<int> IntArrayField(Napi::Object o, const char* key, const char* fn, int lo, int hi) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) throw Napi::TypeError::New(o.Env(), std::string(fn) + ": " + key + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    const double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1e300;
    if (!(d >= lo && d <= hi) || std::floor(d) != d) {
      throw Napi::RangeError::New(o.Env(), std::string(fn) + ": " + key + " must hold whole numbers in [" +
                                               std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    out.push_back(static_cast<int>(d));
  }
  return out;
}

const char* DtypeName(armbench_gemm_dtype d) { return d == ARMBENCH_GEMM_BF16 ? "bf16" : "fp32"; }

armbench_gemm_dtype DtypeField(Napi::Object o, const char* fn) {
  Napi::Value v = o.Get("dtype");
  std::string d = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (d == "fp32") return ARMBENCH_GEMM_F32;
  if (d == "bf16") return ARMBENCH_GEMM_BF16;
  throw Napi::TypeError::New(o.Env(), std::string(fn) + ": dtype must be \"fp32\" or \"bf16\"");
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
