// Arithmetic probes: marshals armbench/fma_probe.h.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "armbench/fma_probe.h"
#include "exports.h"
#include "promise_worker.h"

namespace armbench_binding {

// Defined in timer_binding.cc: { steps, ns, cycles | null } of one clock-chain run.
Napi::Value ClockRunValue(Napi::Env env, const armbench_clock_sample& s);

namespace {

Napi::Value U64(Napi::Env env, uint64_t v) {
  return v == UINT64_MAX ? env.Null() : Napi::Number::New(env, static_cast<double>(v));
}

// Distinct chain counts a curve may ask for.
constexpr size_t kMaxCurvePoints = 1024;

size_t FormIndex(Napi::Object o, const char* fn) {
  return static_cast<size_t>(IntField(o, "form", fn, 0, static_cast<int64_t>(armbench_fma_form_count()) - 1));
}

armbench_chain_mode ModeField(Napi::Object o, const char* fn) {
  Napi::Value v = o.Get("mode");
  std::string m = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (m == "acc") return ARMBENCH_CHAIN_ACC;
  if (m == "full") return ARMBENCH_CHAIN_FULL;
  throw Napi::TypeError::New(o.Env(), std::string(fn) + ": mode must be \"acc\" or \"full\"");
}

// fmaForms() -> [{ index, name, isa, insn, dtype, bits, ops, maxChains, hasFullChain, unsupported }]
Napi::Value FmaForms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = armbench_fma_form_count();
  Napi::Array out = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; ++i) {
    const armbench_fma_form* f = armbench_fma_form_at(i);
    const char* why = armbench_fma_form_unsupported(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", static_cast<double>(i));
    o.Set("name", f->name);
    o.Set("isa", f->isa);
    o.Set("insn", f->insn);
    o.Set("dtype", f->dtype);
    o.Set("bits", f->bits);
    o.Set("ops", f->ops);
    o.Set("maxChains", f->max_chains);
    o.Set("hasFullChain", Napi::Boolean::New(env, f->has_full_chain != 0));
    o.Set("unsupported", why ? Napi::Value(Napi::String::New(env, why)) : env.Null());
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

// fmaCurve({ form, mode, chains: number[], steps, samples, cpu, clockSteps })
//   -> Promise<{ curve: [{ k, nsN[], ns2N[], cyclesN[] | null, cycles2N[] | null,
//                          clock: [{ first, runs: [{ steps, ns, cycles }] by chain }] per sample | null }], failedChains }>
Napi::Value FmaCurve(const Napi::CallbackInfo& info) {
  const char* fn = "fmaCurve";
  Napi::Object o = RequireObject(info, 0, fn);
  auto req = std::make_shared<armbench_fma_curve_request>();
  req->form = FormIndex(o, fn);
  req->mode = ModeField(o, fn);
  const armbench_fma_form* form = armbench_fma_form_at(req->form);
  if (req->mode == ARMBENCH_CHAIN_FULL && !form->has_full_chain) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": form " + form->name + " has no full chain (mode \"acc\" only)");
  }
  auto chains = std::make_shared<std::vector<unsigned>>();
  for (int k : IntArrayField(o, "chains", fn, 1, static_cast<int>(form->max_chains), kMaxCurvePoints))
    chains->push_back(static_cast<unsigned>(k));
  if (chains->empty()) throw Napi::RangeError::New(info.Env(), "fmaCurve: chains must not be empty");
  req->chains = chains->data();
  req->n_chains = chains->size();
  req->steps = static_cast<uint64_t>(IntField(o, "steps", fn, 1, int64_t{1} << 40));
  req->samples = static_cast<unsigned>(IntField(o, "samples", fn, 1, 100000));
  // Every sample becomes several JavaScript objects: bounded so the result cannot
  // exhaust the JavaScript heap (which aborts the process rather than throwing).
  if (static_cast<double>(req->n_chains) * req->samples > kMaxCurvePoints * 100.0) {
    throw Napi::RangeError::New(info.Env(), "fmaCurve: chains x samples must be at most " +
                                                std::to_string(kMaxCurvePoints * 100));
  }
  req->cpu = CpuField(o, "cpu", fn);
  req->clock_steps = static_cast<uint64_t>(IntField(o, "clockSteps", fn, 0, int64_t{1} << 40));
  auto samples = std::make_shared<std::vector<armbench_fma_sample>>(req->n_chains * req->samples);
  auto result = std::make_shared<armbench_fma_curve_result>();
  return PromiseWorker::Start(
      info.Env(), fn, [req, chains, samples, result] { return armbench_fma_curve(req.get(), samples->data(), result.get()); },
      [req, chains, samples, result](Napi::Env env) -> Napi::Value {
        Napi::Array curve = Napi::Array::New(env, chains->size());
        for (size_t c = 0; c < chains->size(); ++c) {
          Napi::Array nsN = Napi::Array::New(env), ns2N = Napi::Array::New(env);
          Napi::Array cyN = Napi::Array::New(env), cy2N = Napi::Array::New(env);
          Napi::Array clock = Napi::Array::New(env);
          bool cycles = true;
          for (unsigned s = 0; s < req->samples; ++s) {
            const armbench_fma_sample& x = (*samples)[c * req->samples + s];
            nsN.Set(s, static_cast<double>(x.ns_n));
            ns2N.Set(s, static_cast<double>(x.ns_2n));
            cycles = cycles && x.cycles_n != UINT64_MAX && x.cycles_2n != UINT64_MAX;
            cyN.Set(s, U64(env, x.cycles_n));
            cy2N.Set(s, U64(env, x.cycles_2n));
            Napi::Array runs = Napi::Array::New(env, ARMBENCH_CLOCK_CHAINS);
            for (unsigned ch = 0; ch < ARMBENCH_CLOCK_CHAINS; ++ch) runs.Set(ch, ClockRunValue(env, x.clock[ch]));
            Napi::Object beside = Napi::Object::New(env);
            beside.Set("first", x.clock_first);
            beside.Set("runs", runs);
            clock.Set(s, beside);
          }
          Napi::Object row = Napi::Object::New(env);
          row.Set("k", (*chains)[c]);
          row.Set("nsN", nsN);
          row.Set("ns2N", ns2N);
          row.Set("cyclesN", cycles ? Napi::Value(cyN) : env.Null());
          row.Set("cycles2N", cycles ? Napi::Value(cy2N) : env.Null());
          row.Set("clock", req->clock_steps > 0 ? Napi::Value(clock) : env.Null());
          curve.Set(static_cast<uint32_t>(c), row);
        }
        Napi::Object out = Napi::Object::New(env);
        out.Set("curve", curve);
        out.Set("failedChains", result->failed_chains);
        return out;
      });
}

// fmaPeak({ form, chains, steps, samples, cpus: number[] }) -> Promise<{ ns: number[], checksOk }>
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  const char* fn = "fmaPeak";
  Napi::Object o = RequireObject(info, 0, fn);
  auto req = std::make_shared<armbench_fma_peak_request>();
  req->form = FormIndex(o, fn);
  req->chains = static_cast<unsigned>(IntField(o, "chains", fn, 1, armbench_fma_form_at(req->form)->max_chains));
  req->steps = static_cast<uint64_t>(IntField(o, "steps", fn, 1, int64_t{1} << 40));
  req->samples = static_cast<unsigned>(IntField(o, "samples", fn, 1, 100000));
  auto cpus = std::make_shared<std::vector<int>>(CpuArrayField(o, "cpus", fn));
  if (cpus->empty()) throw Napi::RangeError::New(info.Env(), "fmaPeak: cpus must not be empty");
  req->threads = static_cast<int>(cpus->size());
  req->cpus = cpus->data();
  auto ns = std::make_shared<std::vector<uint64_t>>(req->samples);
  auto ok = std::make_shared<int>(0);
  return PromiseWorker::Start(
      info.Env(), fn, [req, cpus, ns, ok] { return armbench_fma_peak(req.get(), ns->data(), ok.get()); },
      [ns, ok](Napi::Env env) -> Napi::Value {
        Napi::Array a = Napi::Array::New(env, ns->size());
        for (size_t i = 0; i < ns->size(); ++i) a.Set(static_cast<uint32_t>(i), static_cast<double>((*ns)[i]));
        Napi::Object out = Napi::Object::New(env);
        out.Set("ns", a);
        out.Set("checksOk", Napi::Boolean::New(env, *ok != 0));
        return out;
      });
}

}  // namespace

void RegisterFmaProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("fmaForms", Napi::Function::New(env, FmaForms, "fmaForms"));
  exports.Set("fmaCurve", Napi::Function::New(env, FmaCurve, "fmaCurve"));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak, "fmaPeak"));
  exports.Set("fmaStepQuantum", Napi::Number::New(env, ARMBENCH_FMA_STEP_QUANTUM));
}

}  // namespace armbench_binding
