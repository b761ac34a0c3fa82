// Memory probes: marshals armbench/memory_probe.h. Each call allocates its own
// buffer sized to the request, so the huge-page outcome is reported per working set.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "armbench/memory_probe.h"
#include "exports.h"
#include "handles.h"
#include "promise_worker.h"

namespace armbench_binding {
namespace {

constexpr int64_t kMaxBytes = int64_t{1} << 40;

bool BoolField(Napi::Object o, const char* key, const char* fn) {
  Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) {
    throw Napi::TypeError::New(o.Env(), std::string(fn) + ": " + key + " must be a boolean, got " + DescribeValue(v));
  }
  return v.As<Napi::Boolean>().Value();
}

// Frees the buffer when the last owner (work or resolve step) lets go.
struct OwnedBuffer {
  armbench_buffer buf{};
  ~OwnedBuffer() {
    if (buf.ptr) armbench_buffer_free(&buf);
  }
};

Napi::Value ChaseResult(Napi::Env env, const OwnedBuffer& b, const std::vector<armbench_chase_sample>& samples) {
  Napi::Array rows = Napi::Array::New(env, samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const armbench_chase_sample& s = samples[i];
    Napi::Object r = Napi::Object::New(env);
    r.Set("firstPassNs", static_cast<double>(s.first_pass_ns));
    r.Set("firstPassLoads", static_cast<double>(s.first_pass_loads));
    r.Set("nsN", static_cast<double>(s.ns_n));
    r.Set("ns2N", static_cast<double>(s.ns_2n));
    rows.Set(static_cast<uint32_t>(i), r);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("hugeRequested", Napi::Boolean::New(env, b.buf.huge_requested != 0));
  out.Set("hugePageBytes", static_cast<double>(b.buf.huge_page_bytes));
  out.Set("hugeBytesObtained", static_cast<double>(b.buf.huge_bytes_obtained));
  out.Set("bufferBytes", static_cast<double>(b.buf.bytes));
  out.Set("samples", rows);
  return out;
}

// Both chases: allocate a buffer of `bytes` off the JavaScript thread, run the chase
// over it, and resolve with the buffer's page facts and the samples.
template <typename Request, typename Chase>
Napi::Value StartChase(Napi::Env env, const char* fn, const Request& req, size_t bytes, bool huge, Chase chase) {
  auto buf = std::make_shared<OwnedBuffer>();
  auto samples = std::make_shared<std::vector<armbench_chase_sample>>(req.samples);
  return PromiseWorker::Start(
      env, fn,
      [req, bytes, huge, buf, samples, chase] {
        int rc = armbench_buffer_alloc(&buf->buf, bytes, huge ? 1 : 0);
        return rc != 0 ? rc : chase(&buf->buf, &req, samples->data());
      },
      [buf, samples](Napi::Env e) { return ChaseResult(e, *buf, *samples); });
}

// Common fields of both chase requests.
template <typename Request>
void ChaseFields(Napi::Object o, const char* fn, Request* req) {
  req->seed = static_cast<uint64_t>(IntField(o, "seed", fn, 0, int64_t{1} << 53));
  req->loads = static_cast<uint64_t>(IntField(o, "loads", fn, 1, int64_t{1} << 40));
  req->samples = static_cast<unsigned>(IntField(o, "samples", fn, 1, 100000));
  req->cpu = CpuField(o, "cpu", fn);
}

// chaseLatency({ bytes, huge, stride, passes, seed, loads, samples, cpu })
//   -> Promise<{ hugeRequested, hugePageBytes, hugeBytesObtained, bufferBytes, samples: [{ firstPassNs, firstPassLoads, nsN, ns2N }] }>
Napi::Value ChaseLatency(const Napi::CallbackInfo& info) {
  const char* fn = "chaseLatency";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_chase_request req{};
  req.bytes = static_cast<size_t>(IntField(o, "bytes", fn, 64, kMaxBytes));
  const bool huge = BoolField(o, "huge", fn);
  req.stride = static_cast<size_t>(IntField(o, "stride", fn, 8, 4096));
  req.passes = static_cast<unsigned>(IntField(o, "passes", fn, 1, 512));
  ChaseFields(o, fn, &req);
  RequireFits(info.Env(), fn, "bytes", static_cast<double>(req.bytes));
  return StartChase(info.Env(), fn, req, req.bytes, huge, armbench_chase_latency);
}

// tlbChase({ pages, pageBytes, huge, seed, loads, samples, cpu }) -> as chaseLatency
Napi::Value TlbChase(const Napi::CallbackInfo& info) {
  const char* fn = "tlbChase";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_tlb_request req{};
  req.pages = static_cast<size_t>(IntField(o, "pages", fn, 1, int64_t{1} << 28));
  req.page_bytes = static_cast<size_t>(IntField(o, "pageBytes", fn, 256, int64_t{1} << 30));
  const bool huge = BoolField(o, "huge", fn);
  ChaseFields(o, fn, &req);
  RequireFits(info.Env(), fn, "pages x pageBytes", static_cast<double>(req.pages) * static_cast<double>(req.page_bytes));
  return StartChase(info.Env(), fn, req, req.pages * req.page_bytes, huge, armbench_tlb_chase);
}

// bwKernels() -> [{ id, name, isa, unsupported }]
Napi::Value BwKernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, ARMBENCH_BW_KERNEL_COUNT);
  for (int k = 0; k < ARMBENCH_BW_KERNEL_COUNT; ++k) {
    auto kernel = static_cast<armbench_bw_kernel>(k);
    const char* why = armbench_bw_kernel_unsupported(kernel);
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", k);
    o.Set("name", armbench_bw_kernel_name(kernel));
    o.Set("isa", armbench_bw_kernel_isa(kernel));
    o.Set("unsupported", why ? Napi::Value(Napi::String::New(env, why)) : env.Null());
    out.Set(static_cast<uint32_t>(k), o);
  }
  return out;
}

// bandwidth({ kernel, bytes, cpus, repeats, samples }) -> Promise<[{ nsN, ns2N, bytesPerPass }]>
Napi::Value Bandwidth(const Napi::CallbackInfo& info) {
  const char* fn = "bandwidth";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_bw_request req{};
  req.kernel = static_cast<armbench_bw_kernel>(IntField(o, "kernel", fn, 0, ARMBENCH_BW_KERNEL_COUNT - 1));
  // The kernels move whole 4 KiB blocks.
  req.bytes = static_cast<size_t>(IntField(o, "bytes", fn, 4096, kMaxBytes));
  auto cpus = std::make_shared<std::vector<int>>(CpuArrayField(o, "cpus", fn));
  if (cpus->empty()) throw Napi::RangeError::New(info.Env(), "bandwidth: cpus must not be empty");
  req.threads = static_cast<int>(cpus->size());
  // Each thread allocates its own buffer of `bytes`.
  RequireFits(info.Env(), fn, "bytes x cpus", static_cast<double>(req.bytes) * static_cast<double>(req.threads));
  req.repeats = static_cast<uint64_t>(IntField(o, "repeats", fn, 1, int64_t{1} << 40));
  req.samples = static_cast<unsigned>(IntField(o, "samples", fn, 1, 100000));
  auto samples = std::make_shared<std::vector<armbench_bw_sample>>(req.samples);
  return PromiseWorker::Start(
      info.Env(), fn,
      [req, cpus, samples]() mutable {
        req.cpus = cpus->data();
        return armbench_bandwidth(&req, samples->data());
      },
      [samples](Napi::Env env) -> Napi::Value {
        Napi::Array rows = Napi::Array::New(env, samples->size());
        for (size_t i = 0; i < samples->size(); ++i) {
          const armbench_bw_sample& s = (*samples)[i];
          Napi::Object r = Napi::Object::New(env);
          r.Set("nsN", static_cast<double>(s.ns_n));
          r.Set("ns2N", static_cast<double>(s.ns_2n));
          r.Set("bytesPerPass", static_cast<double>(s.bytes_per_pass));
          rows.Set(static_cast<uint32_t>(i), r);
        }
        return rows;
      });
}

// loadedLatency({ chaseBytes, chaseCpu, streamCpus, streamBytes, pauseNs, durationNs, seed })
//   -> Promise<{ chaseNsPerLoad, streamBytesPerS }>
Napi::Value LoadedLatency(const Napi::CallbackInfo& info) {
  const char* fn = "loadedLatency";
  Napi::Object o = RequireObject(info, 0, fn);
  armbench_loaded_request req{};
  req.chase_bytes = static_cast<size_t>(IntField(o, "chaseBytes", fn, 4096, kMaxBytes));
  req.chase_cpu = CpuField(o, "chaseCpu", fn);
  auto cpus = std::make_shared<std::vector<int>>(CpuArrayField(o, "streamCpus", fn));
  req.streamers = static_cast<int>(cpus->size());
  req.stream_bytes = static_cast<size_t>(IntField(o, "streamBytes", fn, 65536, kMaxBytes));
  req.pause_ns = static_cast<uint64_t>(IntField(o, "pauseNs", fn, 0, int64_t{1} << 40));
  req.duration_ns = static_cast<uint64_t>(IntField(o, "durationNs", fn, 1000, int64_t{1} << 40));
  req.seed = static_cast<uint64_t>(IntField(o, "seed", fn, 0, int64_t{1} << 53));
  // The chase buffer, and one stream buffer per streamer.
  RequireFits(info.Env(), fn, "chaseBytes + streamBytes x streamCpus",
              static_cast<double>(req.chase_bytes) + static_cast<double>(req.stream_bytes) * static_cast<double>(req.streamers));
  auto result = std::make_shared<armbench_loaded_result>();
  return PromiseWorker::Start(
      info.Env(), fn,
      [req, cpus, result]() mutable {
        req.stream_cpus = cpus->data();
        return armbench_loaded_latency(&req, result.get());
      },
      [result](Napi::Env env) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("chaseNsPerLoad", result->chase_ns_per_load);
        out.Set("streamBytesPerS", result->stream_bytes_per_s);
        return out;
      });
}

}  // namespace

void RegisterMemoryProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("chaseLatency", Napi::Function::New(env, ChaseLatency, "chaseLatency"));
  exports.Set("tlbChase", Napi::Function::New(env, TlbChase, "tlbChase"));
  exports.Set("bwKernels", Napi::Function::New(env, BwKernels, "bwKernels"));
  exports.Set("bandwidth", Napi::Function::New(env, Bandwidth, "bandwidth"));
  exports.Set("loadedLatency", Napi::Function::New(env, LoadedLatency, "loadedLatency"));
}

}  // namespace armbench_binding
