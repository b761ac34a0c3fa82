// How the native library was built: marshals armbench/build_info.h.
#include "armbench/build_info.h"
#include "exports.h"

namespace armbench_binding {
namespace {

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("compiler", armbench_build_compiler());
  out.Set("buildType", armbench_build_type());
  out.Set("flags", armbench_build_flags());
  out.Set("isaFlags", armbench_build_isa_flags());
  out.Set("targetArch", armbench_build_target_arch());
  out.Set("napiVersion", NAPI_VERSION);
  return out;
}

}  // namespace

void RegisterBuildInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
}

}  // namespace armbench_binding
