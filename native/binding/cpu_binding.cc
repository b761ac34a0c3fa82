// CPU identification and features: marshals armbench/cpu_features.h.
#include <string>
#include <vector>

#include "armbench/cache_info.h"
#include "armbench/cpu_features.h"
#include "armbench/threads.h"
#include "exports.h"
#include "handles.h"
#include "promise_worker.h"

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
  const std::vector<int> cpus = AllowedCpuList();
  Napi::Array out = Napi::Array::New(info.Env(), cpus.size());
  for (size_t i = 0; i < cpus.size(); ++i) out.Set(static_cast<uint32_t>(i), cpus[i]);
  return out;
}

// confineProcess(cpus: number[] | null): every thread of the process onto these CPUs, each
// one the process could run on before its first confinement; null: back to that mask.
Napi::Value ConfineProcess(const Napi::CallbackInfo& info) {
  const char* fn = "confineProcess";
  static const std::vector<int> original = AllowedCpuList();
  std::vector<int> cpus;
  if (info.Length() >= 1 && info[0].IsNull()) {
    cpus = original;
  } else {
    if (info.Length() < 1 || !info[0].IsArray()) {
      throw Napi::TypeError::New(info.Env(), std::string(fn) + ": cpus must be an array or null, got " +
                                                 DescribeValue(info.Length() < 1 ? info.Env().Undefined() : info[0]));
    }
    Napi::Object holder = Napi::Object::New(info.Env());
    holder.Set("cpus", info[0]);
    cpus = IntArrayField(holder, "cpus", fn, 0, kMaxCpu, kMaxThreads);
    if (cpus.empty()) throw Napi::RangeError::New(info.Env(), "confineProcess: cpus must not be empty");
    RequireCpusIn(info.Env(), fn, "cpus", cpus, original);
  }
  if (cpus.empty()) return info.Env().Undefined();
  const int rc = armbench_confine_process(cpus.data(), static_cast<int>(cpus.size()));
  if (rc != 0) throw Napi::Error::New(info.Env(), ErrnoMessage(fn, rc));
  return info.Env().Undefined();
}

const char* CacheTypeName(int type) {
  switch (type) {
    case ARMBENCH_CACHE_DATA: return "Data";
    case ARMBENCH_CACHE_INSTRUCTION: return "Instruction";
    default: return "Unified";
  }
}

Napi::Array CacheLevels(Napi::Env env, const armbench_cache_level* levels, int n) {
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const armbench_cache_level& c = levels[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("level", c.level);
    o.Set("type", CacheTypeName(c.type));
    o.Set("sizeBytes", static_cast<double>(c.size_bytes));
    o.Set("lineBytes", c.line_bytes);
    o.Set("ways", c.ways);
    o.Set("sharedByCpus", c.shared_by_cpus);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

constexpr int kMaxCacheLevels = 16;

// cpuidCaches() -> this CPU's caches from CPUID ([] on other architectures).
Napi::Value CpuidCaches(const Napi::CallbackInfo& info) {
  armbench_cache_level levels[kMaxCacheLevels];
  const int n = armbench_cpuid_caches(levels, kMaxCacheLevels);
  return CacheLevels(info.Env(), levels, n);
}

// decodeCpuidCaches([[leaf, subleaf, eax, ebx, ecx, edx], ...]) -> caches: recorded
// CPUID answers (from a fixture) decoded as on the machine they came from.
Napi::Value DecodeCpuidCaches(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  constexpr uint32_t kMaxRegs = 4096;
  if (info.Length() < 1 || !info[0].IsArray()) {
    throw Napi::TypeError::New(env, "decodeCpuidCaches: argument 1 must be an array of [leaf, subleaf, eax, ebx, ecx, edx]");
  }
  Napi::Array rows = info[0].As<Napi::Array>();
  if (rows.Length() > kMaxRegs) throw Napi::RangeError::New(env, "decodeCpuidCaches: more than 4096 recorded answers");
  std::vector<armbench_cpuid_regs> regs(rows.Length());
  for (uint32_t i = 0; i < rows.Length(); ++i) {
    Napi::Value row = rows.Get(i);
    if (!row.IsArray() || row.As<Napi::Array>().Length() != 6) {
      throw Napi::TypeError::New(env, "decodeCpuidCaches: answer " + std::to_string(i) + " must be [leaf, subleaf, eax, ebx, ecx, edx]");
    }
    uint32_t v[6];
    for (uint32_t j = 0; j < 6; ++j) {
      Napi::Value x = row.As<Napi::Array>().Get(j);
      if (!x.IsNumber()) {
        throw Napi::TypeError::New(env, "decodeCpuidCaches: answer " + std::to_string(i) + " holds " + DescribeValue(x) +
                                            ", not a number");
      }
      const double d = x.As<Napi::Number>().DoubleValue();
      if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d))) {
        throw Napi::RangeError::New(env, "decodeCpuidCaches: answer " + std::to_string(i) + " holds a value that is not a 32-bit unsigned integer");
      }
      v[j] = static_cast<uint32_t>(d);
    }
    regs[i] = armbench_cpuid_regs{v[0], v[1], v[2], v[3], v[4], v[5]};
  }
  armbench_cache_level levels[kMaxCacheLevels];
  const int n = armbench_decode_cpuid_caches(regs.data(), static_cast<int>(regs.size()), levels, kMaxCacheLevels);
  return CacheLevels(env, levels, n);
}

// cacheSizes() -> { l1d, l2, l3, source, defaults: { l1d, l2, l3 } }: what the GEMM
// and conv blocking use now, and the labelled defaults.
Napi::Value CacheSizes(const Napi::CallbackInfo& info) {
  const armbench_cache_sizes s = armbench_get_cache_sizes();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("l1d", static_cast<double>(s.l1d));
  out.Set("l2", static_cast<double>(s.l2));
  out.Set("l3", static_cast<double>(s.l3));
  const char* source = s.source == ARMBENCH_CACHE_SIZES_SYSFS   ? "sysfs"
                       : s.source == ARMBENCH_CACHE_SIZES_CPUID ? "cpuid"
                       : s.source == ARMBENCH_CACHE_SIZES_CALLER ? "caller"
                                                                 : "default";
  out.Set("source", source);
  const armbench_cache_sizes d = armbench_default_cache_sizes();
  Napi::Object defaults = Napi::Object::New(info.Env());
  defaults.Set("l1d", static_cast<double>(d.l1d));
  defaults.Set("l2", static_cast<double>(d.l2));
  defaults.Set("l3", static_cast<double>(d.l3));
  out.Set("defaults", defaults);
  return out;
}

// registerLineBytes() -> the data cache line a system register gives (0: none).
Napi::Value RegisterLineBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), armbench_register_dcache_line_bytes());
}

// setCacheSizes(l1d, l2, l3): the hierarchy the caller resolved, for every kernel's blocking.
Napi::Value SetCacheSizes(const Napi::CallbackInfo& info) {
  double v[3];
  const char* names[3] = {"l1d", "l2", "l3"};
  for (size_t i = 0; i < 3; ++i) {
    v[i] = RequireNumber(info, i, "setCacheSizes", names[i]);
    if (!(v[i] >= 1024 && v[i] <= 68719476736.0) || v[i] != static_cast<double>(static_cast<uint64_t>(v[i]))) {
      throw Napi::RangeError::New(info.Env(), std::string("setCacheSizes: ") + names[i] + " must be a whole number of bytes in [1 KiB, 64 GiB]");
    }
  }
  if (armbench_set_cache_sizes(static_cast<uint64_t>(v[0]), static_cast<uint64_t>(v[1]), static_cast<uint64_t>(v[2])) != 0) {
    throw Napi::RangeError::New(info.Env(), "setCacheSizes: sizes must grow from l1d to l2 to l3");
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterCpu(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
  exports.Set("probeFeature", Napi::Function::New(env, ProbeFeature, "probeFeature"));
  exports.Set("cpuId", Napi::Function::New(env, CpuId, "cpuId"));
  exports.Set("allowedCpus", Napi::Function::New(env, AllowedCpus, "allowedCpus"));
  exports.Set("confineProcess", Napi::Function::New(env, ConfineProcess, "confineProcess"));
  exports.Set("cpuidCaches", Napi::Function::New(env, CpuidCaches, "cpuidCaches"));
  exports.Set("decodeCpuidCaches", Napi::Function::New(env, DecodeCpuidCaches, "decodeCpuidCaches"));
  exports.Set("cacheSizes", Napi::Function::New(env, CacheSizes, "cacheSizes"));
  exports.Set("registerLineBytes", Napi::Function::New(env, RegisterLineBytes, "registerLineBytes"));
  exports.Set("setCacheSizes", Napi::Function::New(env, SetCacheSizes, "setCacheSizes"));
}

}  // namespace armbench_binding
