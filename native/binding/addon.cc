// The addon's entry: registers exports and holds the shared argument checks.
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

}  // namespace armbench_binding

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  armbench_binding::RegisterCpu(env, exports);
  armbench_binding::RegisterTimer(env, exports);
  armbench_binding::RegisterBuildInfo(env, exports);
  return exports;
}

NODE_API_MODULE(armbench, Init)
