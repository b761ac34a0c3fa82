// Loaded latency: one thread chases pointers while others stream reads, so the chase
// sees the memory system's queues filled to the level the streamers' pause sets
// (the latency-bandwidth curve). Each thread allocates and first-touches its own
// buffer after pinning, so on a NUMA machine the pages are local to it.
#include <errno.h>
#include <time.h>

#include <atomic>
#include <new>
#include <vector>

#include "armbench/memory_probe.h"
#include "armbench/threads.h"
#include "armbench/timer.h"
#include "bandwidth_kernels.h"
#include "memory_internal.h"

namespace {

using armbench::memory::ChainShape;

constexpr size_t kChunk = 64 * 1024;  // the streamers' unit of work between pauses
constexpr size_t kStride = 64;
constexpr unsigned kPasses = 4;
constexpr uint64_t kBatch = 1024;     // loads between clock reads: the reads stay < 1% of the time
constexpr uint64_t kSpinBelowNs = 100000;  // shorter pauses spin: a sleep overshoots by tens of us
constexpr int kMaxStreamers = 4096;

enum Phase { kWarm = 0, kMeasure = 1, kStop = 2 };

struct LoadedJob {
  const armbench_loaded_request* req;
  std::atomic<int> error{0};
  std::atomic<int> phase{kWarm};
  std::atomic<uint64_t> stream_bytes{0};
  std::atomic<double> sink{0};
  uint64_t measure_ns = 0;
  uint64_t loads = 0;
};

void note_error(LoadedJob* job, int rc) {
  int none = 0;
  if (rc != 0) job->error.compare_exchange_strong(none, rc);
}

void pause_for(uint64_t ns) {
  if (ns >= kSpinBelowNs) {
    timespec ts = {static_cast<time_t>(ns / 1000000000u), static_cast<long>(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0) {
    }
    return;
  }
  const uint64_t t0 = armbench_now_ns();
  while (armbench_now_ns() - t0 < ns) {
  }
}

void chaser(LoadedJob* job, armbench_team* team) {
  const armbench_loaded_request& req = *job->req;
  armbench_buffer buf{};
  void* p = nullptr;
  int rc = armbench_buffer_alloc(&buf, req.chase_bytes, 0);
  if (rc == 0) {
    try {
      const ChainShape shape{req.chase_bytes / kStride, kStride, kPasses, 1};
      p = armbench::memory::build_chain(buf.ptr, shape, req.seed);
    } catch (const std::bad_alloc&) {
      rc = -ENOMEM;
    }
  }
  note_error(job, rc);
  armbench_team_barrier(team);
  if (job->error.load() == 0) {
    // Untimed warm-up while the streamers reach their steady rate.
    const uint64_t warm_end = armbench_now_ns() + req.duration_ns / 8;
    while (armbench_now_ns() < warm_end) p = armbench::memory::chase_loads(p, kBatch);
    job->phase.store(kMeasure, std::memory_order_release);
    const uint64_t t0 = armbench_now_ns();
    uint64_t t = t0;
    uint64_t loads = 0;
    do {
      p = armbench::memory::chase_loads(p, kBatch);
      loads += kBatch;
      t = armbench_now_ns();
    } while (t - t0 < req.duration_ns);
    job->phase.store(kStop, std::memory_order_release);
    job->measure_ns = t - t0;
    job->loads = loads;
    job->sink.store(static_cast<double>(reinterpret_cast<uintptr_t>(p)), std::memory_order_relaxed);
  }
  armbench_buffer_free(&buf);
}

void streamer(LoadedJob* job, armbench_team* team) {
  const armbench_loaded_request& req = *job->req;
  const size_t bytes = req.stream_bytes / kChunk * kChunk;
  armbench_buffer buf{};
  // Huge pages where the kernel gives them: the hardware prefetchers then run on
  // across 4 KiB boundaries and the streamer applies the load it is asked for.
  note_error(job, armbench_buffer_alloc(&buf, bytes, 1));
  armbench_team_barrier(team);
  if (job->error.load() == 0) {
    const char* base = static_cast<const char*>(buf.ptr);
    double acc = 0;
    uint64_t counted = 0;
    size_t off = 0;
    for (;;) {
      const int phase = job->phase.load(std::memory_order_acquire);
      if (phase == kStop) break;
      acc += armbench::memory::read_pass(base + off, kChunk);
      // A chunk counts when it started inside the chaser's timed window.
      if (phase == kMeasure) counted += kChunk;
      off = off + kChunk == bytes ? 0 : off + kChunk;
      if (req.pause_ns != 0) pause_for(req.pause_ns);
    }
    job->stream_bytes.fetch_add(counted);
    job->sink.store(acc, std::memory_order_relaxed);
  }
  armbench_buffer_free(&buf);
}

void loaded_worker(void* ctx, int index, armbench_team* team) {
  auto* job = static_cast<LoadedJob*>(ctx);
  if (index == 0) {
    chaser(job, team);
  } else {
    streamer(job, team);
  }
}

}  // namespace

extern "C" int armbench_loaded_latency(const armbench_loaded_request* req, armbench_loaded_result* out) {
  if (req == nullptr || out == nullptr) return -EINVAL;
  if (req->chase_bytes < 2 * kStride || req->chase_bytes / kStride > UINT32_MAX || req->duration_ns == 0) return -EINVAL;
  if (req->streamers < 0 || req->streamers > kMaxStreamers) return -EINVAL;
  if (req->streamers > 0 && req->stream_bytes < kChunk) return -EINVAL;
  try {
    std::vector<int> cpus(static_cast<size_t>(req->streamers) + 1, -1);
    cpus[0] = req->chase_cpu;
    for (int i = 0; i < req->streamers && req->stream_cpus != nullptr; ++i) cpus[i + 1] = req->stream_cpus[i];
    LoadedJob job;
    job.req = req;
    const int rc = armbench_run_team(req->streamers + 1, cpus.data(), loaded_worker, &job);
    if (rc != 0) return rc;
    if (job.error.load() != 0) return job.error.load();
    const double seconds = static_cast<double>(job.measure_ns) * 1e-9;
    out->chase_ns_per_load = static_cast<double>(job.measure_ns) / static_cast<double>(job.loads);
    out->stream_bytes_per_s = static_cast<double>(job.stream_bytes.load()) / seconds;
    return 0;
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
}
