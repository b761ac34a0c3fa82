// CPU identification and features: marshals armbench/cpu_features.h.
#include <string>
#include <vector>

#include "armbench/cpu_features.h"
#include "armbench/threads.h"
#include "exports.h"

namespace armbench_binding {
namespace {

armbench_feature FeatureArg(const Napi::CallbackInfo& info, const char* fn) {
  std::string name = RequireString(info, 0, fn, "feature name");
  armbench_feature f = armbench_feature_from_name(name.c_str());
  if (f == ARMBENCH_FEATURE_COUNT) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": unknown feature '" + name + "'");
  }
  return f;
}

// { arch, features: { name: boolean } (this architecture's only), sveVectorBytes, smeVectorBytes }
Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  armbench_arch host = armbench_host_arch();
  Napi::Object features = Napi::Object::New(env);
  for (int i = 0; i < ARMBENCH_FEATURE_COUNT; ++i) {
    auto f = static_cast<armbench_feature>(i);
    if (armbench_feature_arch(f) != host) continue;
    features.Set(armbench_feature_name(f), Napi::Boolean::New(env, armbench_cpu_has(f) != 0));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("arch", armbench_arch_name(host));
  out.Set("features", features);
  out.Set("sveVectorBytes", armbench_sve_vector_bytes());
  out.Set("smeVectorBytes", armbench_sme_vector_bytes());
  return out;
}

// "ran" | "sigill" | "wrong" | "none"
Napi::Value ProbeFeature(const Napi::CallbackInfo& info) {
  armbench_feature f = FeatureArg(info, "probeFeature");
  switch (armbench_probe_feature(f)) {
    case ARMBENCH_PROBE_RAN: return Napi::String::New(info.Env(), "ran");
    case ARMBENCH_PROBE_SIGILL: return Napi::String::New(info.Env(), "sigill");
    case ARMBENCH_PROBE_WRONG: return Napi::String::New(info.Env(), "wrong");
    default: return Napi::String::New(info.Env(), "none");
  }
}

Napi::Value CpuId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  armbench_cpu_id id;
  armbench_cpu_identify(&id);
  Napi::Object out = Napi::Object::New(env);
  out.Set("vendor", id.vendor);
  out.Set("brand", id.brand);
  out.Set("family", id.family);
  out.Set("model", id.model);
  out.Set("stepping", id.stepping);
  out.Set("hypervisor", id.hypervisor < 0 ? env.Null() : Napi::Boolean::New(env, id.hypervisor != 0));
  out.Set("midr", Napi::BigInt::New(env, static_cast<uint64_t>(id.midr)));
  return out;
}

// allowedCpus() -> the CPUs this process may run on, ascending.
Napi::Value AllowedCpus(const Napi::CallbackInfo& info) {
  std::vector<int> cpus(4096);
  const int n = armbench_allowed_cpus(cpus.data(), static_cast<int>(cpus.size()));
  Napi::Array out = Napi::Array::New(info.Env(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.Set(static_cast<uint32_t>(i), cpus[static_cast<size_t>(i)]);
  return out;
}

}  // namespace

void RegisterCpu(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
  exports.Set("probeFeature", Napi::Function::New(env, ProbeFeature, "probeFeature"));
  exports.Set("cpuId", Napi::Function::New(env, CpuId, "cpuId"));
  exports.Set("allowedCpus", Napi::Function::New(env, AllowedCpus, "allowedCpus"));
}

}  // namespace armbench_binding
