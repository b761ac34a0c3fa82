// Clocks and cycle sources: marshals armbench/timer.h. The core-clock estimate runs
// off the JavaScript thread so the CLI stays responsive.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "armbench/timer.h"
#include "exports.h"
#include "promise_worker.h"

namespace armbench_binding {

// { steps, ns, cycles | null } of one core-clock chain run; fma_binding.cc uses it too.
Napi::Value ClockRunValue(Napi::Env env, const armbench_clock_sample& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("steps", static_cast<double>(s.steps));
  o.Set("ns", static_cast<double>(s.ns));
  o.Set("cycles", s.cycles == UINT64_MAX ? env.Null() : Napi::Number::New(env, static_cast<double>(s.cycles)));
  return o;
}

namespace {

Napi::Value NowNs(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(armbench_now_ns()));
}

Napi::Value ClockResolutionNs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(armbench_clock_resolution_ns()));
}

// refCounter(minNs) -> { name, hz, invariant }
Napi::Value RefCounter(const Napi::CallbackInfo& info) {
  const int64_t min_ns = RequireInt(info, 0, "refCounter", "minNs", 0, int64_t{10000000000});
  armbench_ref_counter rc;
  armbench_ref_counter_info(&rc, static_cast<uint64_t>(min_ns));
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("name", rc.name);
  out.Set("hz", rc.hz);
  out.Set("invariant", Napi::Boolean::New(info.Env(), rc.invariant != 0));
  return out;
}

// perfCycles() -> { available: true } | { available: false, reason }
Napi::Value PerfCycles(const Napi::CallbackInfo& info) {
  armbench_perf_cycles pc;
  char why[256] = {0};
  int rc = armbench_perf_cycles_open(&pc, why, sizeof why);
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("available", Napi::Boolean::New(info.Env(), rc == 0));
  if (rc == 0) {
    armbench_perf_cycles_close(&pc);
  } else {
    out.Set("reason", why[0] ? why : "perf_event_open failed");
  }
  return out;
}

// clockChains() -> [{ index, name, insn }]: the core-clock chains of this architecture.
Napi::Value ClockChains(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, ARMBENCH_CLOCK_CHAINS);
  for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", c);
    o.Set("name", armbench_clock_chain_name(c));
    o.Set("insn", armbench_clock_chain_insn(c));
    out.Set(c, o);
  }
  return out;
}

// runClockChains(rounds, steps, cpu = -1) -> Promise<[{ steps, ns, cycles }][]>: per
// round, one run of every chain (indexed by chain), on a thread pinned to `cpu`.
Napi::Value RunClockChains(const Napi::CallbackInfo& info) {
  const char* fn = "runClockChains";
  double rounds = RequireNumber(info, 0, fn, "rounds");
  double steps = RequireNumber(info, 1, fn, "steps");
  double cpu = info.Length() > 2 && !info[2].IsUndefined() ? RequireNumber(info, 2, fn, "cpu") : -1;
  if (!(rounds >= 1 && rounds <= 10000 && std::floor(rounds) == rounds)) {
    throw Napi::RangeError::New(info.Env(), "runClockChains: rounds must be an integer in [1, 10000]");
  }
  if (!(steps >= 1000 && steps <= 1e11 && std::floor(steps) == steps)) {
    throw Napi::RangeError::New(info.Env(), "runClockChains: steps must be an integer in [1e3, 1e11]");
  }
  if (!(cpu >= -1 && cpu < kMaxCpu && std::floor(cpu) == cpu)) {
    throw Napi::RangeError::New(info.Env(), "runClockChains: cpu must be -1 or a CPU number");
  }
  RequireAllowedCpus(info.Env(), fn, "cpu", {static_cast<int>(cpu)});
  auto out = std::make_shared<std::vector<armbench_clock_sample>>(static_cast<size_t>(rounds) * ARMBENCH_CLOCK_CHAINS);
  const auto n_steps = static_cast<uint64_t>(steps);
  const int pin = static_cast<int>(cpu);
  return PromiseWorker::Start(
      info.Env(), fn,
      [out, n_steps, pin] {
        return armbench_clock_chains_on_cpu(pin, n_steps, static_cast<unsigned>(out->size() / ARMBENCH_CLOCK_CHAINS), out->data());
      },
      [out](Napi::Env env) -> Napi::Value {
        const size_t rounds = out->size() / ARMBENCH_CLOCK_CHAINS;
        Napi::Array a = Napi::Array::New(env, rounds);
        for (size_t r = 0; r < rounds; ++r) {
          Napi::Array round = Napi::Array::New(env, ARMBENCH_CLOCK_CHAINS);
          for (unsigned c = 0; c < ARMBENCH_CLOCK_CHAINS; ++c) round.Set(c, ClockRunValue(env, (*out)[r * ARMBENCH_CLOCK_CHAINS + c]));
          a.Set(static_cast<uint32_t>(r), round);
        }
        return a;
      });
}

}  // namespace

void RegisterTimer(Napi::Env env, Napi::Object exports) {
  exports.Set("nowNs", Napi::Function::New(env, NowNs, "nowNs"));
  exports.Set("clockResolutionNs", Napi::Function::New(env, ClockResolutionNs, "clockResolutionNs"));
  exports.Set("refCounter", Napi::Function::New(env, RefCounter, "refCounter"));
  exports.Set("perfCycles", Napi::Function::New(env, PerfCycles, "perfCycles"));
  exports.Set("clockChains", Napi::Function::New(env, ClockChains, "clockChains"));
  exports.Set("runClockChains", Napi::Function::New(env, RunClockChains, "runClockChains"));
}

}  // namespace armbench_binding
