// GEMM, its measurement and the peer libraries: marshals armbench/gemm.h,
// armbench/igemm.h, armbench/gemm_measure.h and armbench/peers.h.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "armbench/gemm.h"
#include "armbench/gemm_measure.h"
#include "armbench/igemm.h"
#include "armbench/peers.h"
#include "exports.h"
#include "handles.h"
#include "promise_worker.h"

namespace armbench_binding {
namespace {

Napi::Object BlockingObject(Napi::Env env, const armbench_gemm_blocking& b) {
  Napi::Object bo = Napi::Object::New(env);
  bo.Set("mc", static_cast<double>(b.mc));
  bo.Set("kc", static_cast<double>(b.kc));
  bo.Set("nc", static_cast<double>(b.nc));
  return bo;
}

const char* ATypeName(armbench_igemm_a_type t) { return t == ARMBENCH_IGEMM_A_U8 ? "u8" : "s8"; }

// gemmKernels() -> [{ index, name, isa, dtype, mr, nr, kr, unsupported, isDefault, blocking: { mc, kc, nc },
//                     aType (int8 only: "u8" or "s8", the A its instruction takes) }]
// fp32 and bf16 kernels index the gemm registry, int8 kernels the igemm registry.
Napi::Value GemmKernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = armbench_gemm_kernel_count();
  Napi::Array out = Napi::Array::New(env, n + armbench_igemm_kernel_count());
  for (size_t i = 0; i < n; ++i) {
    const armbench_gemm_kernel* k = armbench_gemm_kernel_at(i);
    const char* why = armbench_gemm_kernel_unsupported(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", static_cast<double>(i));
    o.Set("name", k->name);
    o.Set("isa", k->isa);
    o.Set("dtype", DtypeName(k->dtype));
    o.Set("mr", k->mr);
    o.Set("nr", k->nr);
    o.Set("kr", k->kr);
    o.Set("unsupported", why ? Napi::Value(Napi::String::New(env, why)) : env.Null());
    o.Set("isDefault", Napi::Boolean::New(env, armbench_gemm_default_kernel(k->dtype) == i));
    armbench_gemm_blocking b{};
    armbench_gemm_blocking_for(i, &b);
    o.Set("blocking", BlockingObject(env, b));
    out.Set(static_cast<uint32_t>(i), o);
  }
  for (size_t i = 0; i < armbench_igemm_kernel_count(); ++i) {
    const armbench_igemm_kernel* k = armbench_igemm_kernel_at(i);
    const char* why = armbench_igemm_kernel_unsupported(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", static_cast<double>(i));
    o.Set("name", k->name);
    o.Set("isa", k->isa);
    o.Set("dtype", "int8");
    o.Set("mr", k->mr);
    o.Set("nr", k->nr);
    o.Set("kr", k->kr);
    o.Set("unsupported", why ? Napi::Value(Napi::String::New(env, why)) : env.Null());
    o.Set("isDefault", Napi::Boolean::New(env, armbench_igemm_default_kernel() == i));
    armbench_gemm_blocking b{};
    armbench_igemm_blocking_for(i, &b);
    o.Set("blocking", BlockingObject(env, b));
    o.Set("aType", ATypeName(k->a_native));
    out.Set(static_cast<uint32_t>(n + i), o);
  }
  return out;
}

// gemmPool(cpus: number[], callerJoins?: boolean) -> handle: persistent pinned workers,
// freed with the handle; with callerJoins the calling thread runs share 0 itself.
Napi::Value GemmPool(const Napi::CallbackInfo& info) {
  const char* fn = "gemmPool";
  if (info.Length() < 1 || !info[0].IsArray()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": cpus must be an array, got " +
                                               DescribeValue(info.Length() < 1 ? info.Env().Undefined() : info[0]));
  }
  Napi::Object holder = Napi::Object::New(info.Env());
  holder.Set("cpus", info[0]);
  std::vector<int> cpus = CpuArrayField(holder, "cpus", fn);
  if (cpus.empty()) throw Napi::RangeError::New(info.Env(), "gemmPool: cpus must not be empty");
  const bool joins = OptionalBoolean(info, 1, fn, "callerJoins", false);
  auto pool = std::make_shared<GemmPoolRef>();
  const int rc = armbench_gemm_pool_create_ex(static_cast<int>(cpus.size()), cpus.data(),
                                              joins ? ARMBENCH_GEMM_POOL_CALLER_JOINS : 0u, &pool->pool);
  if (rc != 0) throw Napi::Error::New(info.Env(), ErrnoMessage(fn, rc));
  return WrapHandle(info.Env(), pool);
}

// peerOpen(name, path?) -> { ok: true, handle, name, library, version, variant, unsupported: { fp32, bf16, int8 } }
//                        | { ok: false, reason }
Napi::Value PeerOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = RequireString(info, 0, "peerOpen", "name");
  std::string path;
  if (info.Length() > 1 && !info[1].IsUndefined()) path = RequireString(info, 1, "peerOpen", "path");
  auto peer = std::make_shared<PeerRef>();
  char why[512] = {0};
  const int rc = armbench_peer_open(name.c_str(), path.empty() ? nullptr : path.c_str(), &peer->peer, why, sizeof why);
  Napi::Object out = Napi::Object::New(env);
  out.Set("ok", Napi::Boolean::New(env, rc == 0));
  if (rc != 0) {
    out.Set("reason", why[0] ? why : ErrnoMessage("peerOpen", rc).c_str());
    return out;
  }
  out.Set("handle", WrapHandle(env, peer));
  out.Set("name", armbench_peer_name(peer->peer));
  out.Set("library", armbench_peer_library(peer->peer));
  out.Set("version", armbench_peer_version(peer->peer));
  out.Set("variant", armbench_peer_variant(peer->peer));
  Napi::Object unsupported = Napi::Object::New(env);
  for (armbench_gemm_dtype d : {ARMBENCH_GEMM_F32, ARMBENCH_GEMM_BF16, ARMBENCH_GEMM_INT8}) {
    const char* r = armbench_peer_unsupported(peer->peer, d);
    unsupported.Set(DtypeName(d), r ? Napi::Value(Napi::String::New(env, r)) : env.Null());
  }
  out.Set("unsupported", unsupported);
  return out;
}

// peerSetThreads(handle, threads)
Napi::Value PeerSetThreads(const Napi::CallbackInfo& info) {
  const char* fn = "peerSetThreads";
  auto peer = UnwrapHandle<PeerRef>(info[0], fn, "peer");
  const int t = static_cast<int>(RequireInt(info, 1, fn, "threads", 1, static_cast<int64_t>(kMaxThreads)));
  // Never while a measurement runs on the peer: its library's thread count is global state.
  std::unique_lock<std::mutex> lock(peer->busy, std::try_to_lock);
  if (!lock.owns_lock()) {
    throw Napi::Error::New(info.Env(), "peerSetThreads: the peer is measuring; await its gemmMeasure first");
  }
  const int rc = armbench_peer_set_threads(peer->peer, t);
  if (rc != 0) throw Napi::Error::New(info.Env(), ErrnoMessage("peerSetThreads", rc));
  return info.Env().Undefined();
}

// gemmMeasure({ dtype, kernel?, aType?, blocking?: { mc, kc, nc }, peer?, pool?, m, n, k, transA, transB, warm,
//               seed, samples, minSampleNs }); int8: kernel indexes the igemm registry, aType ("u8" or "s8")
//               is required, transA and transB must be 0 and k at most 65793.
//   -> Promise<{ check: {...}, samples: [{ ns, calls }] }>
Napi::Value GemmMeasure(const Napi::CallbackInfo& info) {
  const char* fn = "gemmMeasure";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_gemm_case c{};
  c.dtype = DtypeField(o, fn, true);
  const bool int8 = c.dtype == ARMBENCH_GEMM_INT8;
  if (int8) {
    Napi::Value t = o.Get("aType");
    const std::string a = t.IsString() ? t.As<Napi::String>().Utf8Value() : "";
    if (a != "u8" && a != "s8") {
      throw Napi::TypeError::New(info.Env(), std::string(fn) + ": an int8 case needs aType \"u8\" or \"s8\", got " +
                                                 DescribeValue(t));
    }
    c.a_type = a == "u8" ? ARMBENCH_IGEMM_A_U8 : ARMBENCH_IGEMM_A_S8;
  }
  std::shared_ptr<PeerRef> peer;
  std::shared_ptr<GemmPoolRef> pool;
  if (o.Has("peer") && !o.Get("peer").IsUndefined()) {
    peer = UnwrapHandle<PeerRef>(o.Get("peer"), fn, "peer");
    c.peer = peer->peer;
  } else if (int8) {
    c.kernel = static_cast<size_t>(IntField(o, "kernel", fn, 0, static_cast<int64_t>(armbench_igemm_kernel_count()) - 1));
  } else {
    c.kernel = static_cast<size_t>(IntField(o, "kernel", fn, 0, static_cast<int64_t>(armbench_gemm_kernel_count()) - 1));
    if (armbench_gemm_kernel_at(c.kernel)->dtype != c.dtype) {
      throw Napi::RangeError::New(info.Env(), std::string(fn) + ": kernel " + std::to_string(c.kernel) + " computes " +
                                                  DtypeName(armbench_gemm_kernel_at(c.kernel)->dtype) + ", not dtype " +
                                                  DtypeName(c.dtype));
    }
  }
  if (o.Has("pool") && !o.Get("pool").IsUndefined()) pool = UnwrapGemmPool(o.Get("pool"), fn);
  const int64_t maxDim = int64_t{1} << 20;
  if (o.Has("blocking") && !o.Get("blocking").IsUndefined()) {
    if (peer) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": blocking is for armbench kernels, not a peer");
    if (!o.Get("blocking").IsObject()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": blocking must be { mc, kc, nc }");
    const Napi::Object b = o.Get("blocking").As<Napi::Object>();
    c.blocking.mc = static_cast<size_t>(IntField(b, "mc", fn, 1, maxDim));
    c.blocking.kc = static_cast<size_t>(IntField(b, "kc", fn, 1, maxDim));
    c.blocking.nc = static_cast<size_t>(IntField(b, "nc", fn, 1, maxDim));
  }
  c.m = static_cast<size_t>(IntField(o, "m", fn, 1, maxDim));
  c.n = static_cast<size_t>(IntField(o, "n", fn, 1, maxDim));
  c.k = static_cast<size_t>(IntField(o, "k", fn, 1, maxDim));
  c.trans_a = static_cast<int>(IntField(o, "transA", fn, 0, 1));
  c.trans_b = static_cast<int>(IntField(o, "transB", fn, 0, 1));
  if (int8) {
    if (c.trans_a || c.trans_b) throw Napi::RangeError::New(info.Env(), std::string(fn) + ": an int8 case takes row-major A and B only (transA and transB 0)");
    // 255 * 128 * k must stay below 2^31 for every sum to be exact in int32.
    if (c.k > 65793) throw Napi::RangeError::New(info.Env(), std::string(fn) + ": an int8 case's k must be at most 65793, the depth whose sums always fit int32; got " + std::to_string(c.k));
  }
  c.warm = static_cast<int>(IntField(o, "warm", fn, 0, 1));
  c.seed = static_cast<uint64_t>(IntField(o, "seed", fn, 0, int64_t{1} << 53));
  c.samples = static_cast<unsigned>(IntField(o, "samples", fn, 1, 100000));
  c.min_sample_ns = static_cast<uint64_t>(IntField(o, "minSampleNs", fn, 0, int64_t{1} << 40));
  {
    const double m = static_cast<double>(c.m), n = static_cast<double>(c.n), k = static_cast<double>(c.k);
    // One set of operands (fp32 masters beside bf16 copies) and C: the least the measurement holds.
    RequireFits(info.Env(), fn, "the operands (m x k, k x n and m x n)", (m * k + k * n) * 6 + m * n * 4);
  }
  auto check = std::make_shared<armbench_gemm_check>();
  auto timings = std::make_shared<std::vector<armbench_gemm_timing>>(c.samples);
  return PromiseWorker::Start(
      info.Env(), fn,
      [c, peer, pool, check, timings] {
        // Peer before pool, as every worker takes them: no two calls use either at once.
        std::unique_lock<std::mutex> peer_lock, pool_lock;
        if (peer) peer_lock = std::unique_lock<std::mutex>(peer->busy);
        if (pool) pool_lock = std::unique_lock<std::mutex>(pool->busy);
        return armbench_gemm_measure(pool ? pool->pool : nullptr, &c, check.get(), timings->data());
      },
      [check, timings](Napi::Env env) -> Napi::Value {
        Napi::Object ck = Napi::Object::New(env);
        ck.Set("checked", static_cast<double>(check->checked));
        ck.Set("maxAbsErr", check->max_abs_err);
        ck.Set("maxRelErr", check->max_rel_err);
        ck.Set("bound", check->bound);
        ck.Set("zeroFraction", check->zero_fraction);
        ck.Set("bf16Drift", check->bf16_drift);
        return MeasuredResult(env, ck, check->passed != 0, *timings);
      });
}

// gemmPath({ kernel, m, n, k, transA, transB }) -> the kernel or direct path armbench_gemm runs there.
Napi::Value GemmPath(const Napi::CallbackInfo& info) {
  const char* fn = "gemmPath";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_gemm_args a{};
  a.kernel = static_cast<size_t>(IntField(o, "kernel", fn, 0, static_cast<int64_t>(armbench_gemm_kernel_count()) - 1));
  const int64_t maxDim = int64_t{1} << 20;
  a.m = static_cast<size_t>(IntField(o, "m", fn, 1, maxDim));
  a.n = static_cast<size_t>(IntField(o, "n", fn, 1, maxDim));
  a.k = static_cast<size_t>(IntField(o, "k", fn, 1, maxDim));
  a.trans_a = static_cast<int>(IntField(o, "transA", fn, 0, 1));
  a.trans_b = static_cast<int>(IntField(o, "transB", fn, 0, 1));
  a.alpha = 1.0f;
  const char* path = armbench_gemm_path(&a);
  return Napi::String::New(info.Env(), path ? path : "");
}

}  // namespace

void RegisterGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmKernels", Napi::Function::New(env, GemmKernels, "gemmKernels"));
  exports.Set("gemmPool", Napi::Function::New(env, GemmPool, "gemmPool"));
  exports.Set("gemmMeasure", Napi::Function::New(env, GemmMeasure, "gemmMeasure"));
  exports.Set("gemmPath", Napi::Function::New(env, GemmPath, "gemmPath"));
  exports.Set("peerOpen", Napi::Function::New(env, PeerOpen, "peerOpen"));
  exports.Set("peerSetThreads", Napi::Function::New(env, PeerSetThreads, "peerSetThreads"));
}

}  // namespace armbench_binding
