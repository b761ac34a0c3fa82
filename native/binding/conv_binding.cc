// Convolution and its measurement: marshals armbench/conv.h and armbench/conv_measure.h.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "armbench/conv_measure.h"
#include "exports.h"
#include "handles.h"
#include "promise_worker.h"

namespace armbench_binding {
namespace {

armbench_conv_shape ShapeField(Napi::Object o, const char* fn) {
  const int64_t big = int64_t{1} << 24;
  armbench_conv_shape s{};
  s.n = static_cast<size_t>(IntField(o, "n", fn, 1, big));
  s.c = static_cast<size_t>(IntField(o, "c", fn, 1, big));
  s.h = static_cast<size_t>(IntField(o, "h", fn, 1, big));
  s.w = static_cast<size_t>(IntField(o, "w", fn, 1, big));
  s.k = static_cast<size_t>(IntField(o, "k", fn, 1, big));
  s.r = static_cast<size_t>(IntField(o, "r", fn, 1, 1024));
  s.s = static_cast<size_t>(IntField(o, "s", fn, 1, 1024));
  s.stride_h = s.stride_w = static_cast<size_t>(IntField(o, "stride", fn, 1, 1024));
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = static_cast<size_t>(IntField(o, "pad", fn, 0, 1024));
  s.dilation_h = s.dilation_w = 1;
  s.groups = static_cast<size_t>(IntField(o, "groups", fn, 1, big));
  return s;
}

// The input, weights and output (fp32, and bf16 copies of the first two) must fit in
// memory before the measurement allocates them; a shape with no output is a RangeError.
void RequireTensorsFit(Napi::Env env, const char* fn, const armbench_conv_shape& s) {
  size_t oh = 0, ow = 0;
  char why[256] = {0};
  if (armbench_conv_output(&s, &oh, &ow, why, sizeof why) != 0) {
    throw Napi::RangeError::New(env, std::string(fn) + ": " + (why[0] ? why : "invalid convolution shape"));
  }
  auto d = [](size_t v) { return static_cast<double>(v); };
  const double x = d(s.n) * d(s.c) * d(s.h) * d(s.w);
  const double w = d(s.k) * d(s.c / s.groups) * d(s.r) * d(s.s);
  const double y = d(s.n) * d(s.k) * d(oh) * d(ow);
  RequireFits(env, fn, "the input, weights and output", (x + w) * 6 + y * 4);
}

// convAlgos(shape) -> [{ id, name, unsupported }] for that shape.
Napi::Value ConvAlgos(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  armbench_conv_shape s = ShapeField(RequireObject(info, 0, "convAlgos"), "convAlgos");
  Napi::Array out = Napi::Array::New(env, ARMBENCH_CONV_ALGO_COUNT);
  for (int a = 0; a < ARMBENCH_CONV_ALGO_COUNT; ++a) {
    auto algo = static_cast<armbench_conv_algo>(a);
    const char* why = armbench_conv_algo_unsupported(algo, &s);
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", a);
    o.Set("name", armbench_conv_algo_name(algo));
    o.Set("unsupported", why ? Napi::Value(Napi::String::New(env, why)) : env.Null());
    out.Set(static_cast<uint32_t>(a), o);
  }
  return out;
}

// convOutput(shape) -> { oh, ow } | { error }
Napi::Value ConvOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  armbench_conv_shape s = ShapeField(RequireObject(info, 0, "convOutput"), "convOutput");
  size_t oh = 0, ow = 0;
  char why[256] = {0};
  Napi::Object out = Napi::Object::New(env);
  if (armbench_conv_output(&s, &oh, &ow, why, sizeof why) != 0) {
    out.Set("error", why[0] ? why : "invalid convolution shape");
  } else {
    out.Set("oh", static_cast<double>(oh));
    out.Set("ow", static_cast<double>(ow));
  }
  return out;
}

// convMeasure({ ...shape, dtype, algo, bias, act, seed, samples, minSampleNs, pool? })
//   -> Promise<{ check: {...}, samples: [{ ns, calls }] }>
Napi::Value ConvMeasure(const Napi::CallbackInfo& info) {
  const char* fn = "convMeasure";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_conv_case c{};
  c.shape = ShapeField(o, fn);
  c.dtype = DtypeField(o, fn);
  c.algo = static_cast<armbench_conv_algo>(IntField(o, "algo", fn, 0, ARMBENCH_CONV_ALGO_COUNT - 1));
  c.bias = static_cast<int>(IntField(o, "bias", fn, 0, 1));
  c.act = static_cast<armbench_conv_activation>(IntField(o, "act", fn, 0, 2));
  c.seed = static_cast<uint64_t>(IntField(o, "seed", fn, 0, int64_t{1} << 53));
  c.samples = static_cast<unsigned>(IntField(o, "samples", fn, 1, 100000));
  c.min_sample_ns = static_cast<uint64_t>(IntField(o, "minSampleNs", fn, 0, int64_t{1} << 40));
  std::shared_ptr<GemmPoolRef> pool;
  if (o.Has("pool") && !o.Get("pool").IsUndefined()) pool = UnwrapGemmPool(o.Get("pool"), fn);
  RequireTensorsFit(info.Env(), fn, c.shape);
  auto check = std::make_shared<armbench_conv_check>();
  auto timings = std::make_shared<std::vector<armbench_gemm_timing>>(c.samples);
  return PromiseWorker::Start(
      info.Env(), fn,
      [c, pool, check, timings] {
        std::unique_lock<std::mutex> pool_lock;
        if (pool) pool_lock = std::unique_lock<std::mutex>(pool->busy);
        return armbench_conv_measure(pool ? pool->pool : nullptr, &c, check.get(), timings->data());
      },
      [check, timings](Napi::Env env) -> Napi::Value {
        Napi::Object ck = Napi::Object::New(env);
        ck.Set("checked", static_cast<double>(check->checked));
        ck.Set("maxAbsErr", check->max_abs_err);
        ck.Set("maxRelErr", check->max_rel_err);
        ck.Set("bound", check->bound);
        return MeasuredResult(env, ck, check->passed != 0, *timings);
      });
}

}  // namespace

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("convAlgos", Napi::Function::New(env, ConvAlgos, "convAlgos"));
  exports.Set("convOutput", Napi::Function::New(env, ConvOutput, "convOutput"));
  exports.Set("convMeasure", Napi::Function::New(env, ConvMeasure, "convMeasure"));
}

}  // namespace armbench_binding
