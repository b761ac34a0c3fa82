// Memory bandwidth: STREAM-style kernels (read, write, copy, triad, and non-temporal
// write/copy/triad) run by a pinned team, each thread over its own arrays.
//
// What a pass counts: the bytes the kernel asks to load and store (read and write:
// the array; copy: both halves; triad: all three thirds), summed over threads, as
// STREAM does. The traffic the hardware adds or removes is not counted: a temporal
// store first reads its line (write-allocate), so write, copy and triad really move
// more bytes than they report, and non-temporal stores skip that read; the gap
// between a kernel and its -nt twin is that traffic.
#include <errno.h>
#include <stdint.h>

#include <atomic>
#include <initializer_list>

#include "armbench/memory_probe.h"
#include "armbench/threads.h"
#include "armbench/timer.h"
#include "bandwidth_internal.h"
#include "bandwidth_kernels.h"

namespace armbench {
namespace memory {

const BwKernels* const* bw_kernel_sets(size_t* count) {
  static const BwKernels* const sets[] = {
#if defined(__x86_64__)
      &kBwAvx512, &kBwAvx2,
#elif defined(__aarch64__)
      &kBwSve, &kBwNeon,
#endif
      &kBwScalar,
  };
  *count = sizeof sets / sizeof sets[0];
  return sets;
}

bool bw_kernels_usable(const BwKernels* k) {
  return k->needs == ARMBENCH_FEATURE_COUNT || armbench_cpu_has(k->needs) != 0;
}

const BwKernels* bw_best_kernels() {
  static const BwKernels* const best = [] {
    size_t n;
    const BwKernels* const* sets = bw_kernel_sets(&n);
    for (size_t i = 0; i < n; ++i) {
      if (bw_kernels_usable(sets[i])) return sets[i];
    }
    return &kBwScalar;
  }();
  return best;
}

double read_pass(const void* p, size_t bytes) {
  return bw_best_kernels()->read(static_cast<const float*>(p), bytes / sizeof(float));
}

namespace {

enum class Op { kRead, kWrite, kCopy, kTriad };

struct KernelInfo {
  const char* name;
  Op op;
  int arrays;
  bool nt;
};

constexpr KernelInfo kKernels[ARMBENCH_BW_KERNEL_COUNT] = {
    {"read", Op::kRead, 1, false},      {"write", Op::kWrite, 1, false},   {"copy", Op::kCopy, 2, false},
    {"triad", Op::kTriad, 3, false},    {"write-nt", Op::kWrite, 1, true}, {"copy-nt", Op::kCopy, 2, true},
    {"triad-nt", Op::kTriad, 3, true},
};

bool valid(armbench_bw_kernel k) {
  const int v = static_cast<int>(k);  // the binding may pass any integer
  return v >= 0 && v < ARMBENCH_BW_KERNEL_COUNT;
}

// Arrays of one thread start this far apart beyond their size, so that equal-sized
// arrays do not map their elements i onto the same cache sets (and, on x86, a load
// does not falsely alias the store 4 KiB away).
constexpr size_t kSkewBytes = 5 * 64;

// The data: small integers, so every kernel's result is exact in fp32 whatever the
// order of the additions. The read source flips sign every 1024 elements with the
// magnitude a function of i mod 128: any accumulator lane striding by a power of two
// up to 1024 elements sees its sum return to zero every 2048 elements, so no partial
// sum leaves [-2^18, 2^18].
float source_value(size_t i) { return static_cast<float>(((i >> 10) & 1) ? -1 - int(i & 127) : 1 + int(i & 127)); }
float triad_b(size_t i) { return static_cast<float>(i & 31); }
float triad_c(size_t i) { return static_cast<float>(int((i >> 5) & 7) - 3); }
constexpr float kTriadScalar = 3.0f;
// Each write pass stores a different value, so the check sees the last pass landed.
float write_value(uint64_t pass) { return static_cast<float>(1 + (pass & 1023)); }

double expected_read_sum(size_t n) {
  double sum = 0;  // whole 2048-element periods sum to zero
  for (size_t i = n - n % 2048; i < n; ++i) sum += source_value(i);
  return sum;
}

struct Job {
  const armbench_bw_request* req;
  armbench_bw_sample* out;
  const BwKernels* k;
  KernelInfo info;
  size_t n;            // elements per array
  size_t array_bytes;
  double expected_sum;
  std::atomic<int> error{0};
  uint64_t t0 = 0;     // thread 0's start time

  void fail(int rc) {
    int none = 0;
    error.compare_exchange_strong(none, rc);
  }
};

struct ThreadArrays {
  float* a[3] = {};
  uint64_t pass = 0;
  bool wrong_sum = false;
};

// Only the inputs are set: outputs keep the buffer's fill, which no kernel's
// expected output (small integers) can equal, so a pass that stored nothing fails.
void init(const Job& job, ThreadArrays& t) {
  const size_t n = job.n;
  switch (job.info.op) {
    case Op::kRead:
    case Op::kCopy:
      for (size_t i = 0; i < n; ++i) t.a[0][i] = source_value(i);
      break;
    case Op::kWrite:
      break;
    case Op::kTriad:
      for (size_t i = 0; i < n; ++i) t.a[1][i] = triad_b(i);
      for (size_t i = 0; i < n; ++i) t.a[2][i] = triad_c(i);
      break;
  }
}

void run_pass(const Job& job, ThreadArrays& t) {
  const BwKernels& k = *job.k;
  const bool nt = job.info.nt;
  switch (job.info.op) {
    case Op::kRead:
      if (k.read(t.a[0], job.n) != job.expected_sum) t.wrong_sum = true;
      break;
    case Op::kWrite:
      (nt ? k.write_nt : k.write)(t.a[0], job.n, write_value(t.pass));
      break;
    case Op::kCopy:
      (nt ? k.copy_nt : k.copy)(t.a[1], t.a[0], job.n);
      break;
    case Op::kTriad:
      (nt ? k.triad_nt : k.triad)(t.a[0], t.a[1], t.a[2], kTriadScalar, job.n);
      break;
  }
  t.pass++;
}

bool verify(const Job& job, const ThreadArrays& t) {
  const size_t n = job.n;
  switch (job.info.op) {
    case Op::kRead:
      return !t.wrong_sum;
    case Op::kWrite: {
      const float v = write_value(t.pass - 1);
      for (size_t i = 0; i < n; ++i) {
        if (t.a[0][i] != v) return false;
      }
      return true;
    }
    case Op::kCopy:
      for (size_t i = 0; i < n; ++i) {
        if (t.a[1][i] != source_value(i)) return false;
      }
      return true;
    case Op::kTriad:
      for (size_t i = 0; i < n; ++i) {
        if (t.a[0][i] != triad_b(i) + kTriadScalar * triad_c(i)) return false;
      }
      return true;
  }
  return false;
}

void worker(void* ctx, int index, armbench_team* team) {
  Job& job = *static_cast<Job*>(ctx);
  const int arrays = job.info.arrays;
  // Allocated here, by the thread that uses it: the pages land on its NUMA node.
  armbench_buffer buf = {};
  const int rc = armbench_buffer_alloc(&buf, arrays * (job.array_bytes + kSkewBytes), 1);
  ThreadArrays t;
  if (rc != 0) {
    job.fail(rc);
  } else {
    for (int j = 0; j < arrays; ++j) {
      t.a[j] = reinterpret_cast<float*>(static_cast<char*>(buf.ptr) + j * (job.array_bytes + kSkewBytes));
    }
    init(job, t);
  }
  // Every thread reaches this barrier and reads the same verdict, so all of them
  // take the same number of barriers below (or none).
  armbench_team_barrier(team);
  if (job.error.load() != 0) {
    if (rc == 0) armbench_buffer_free(&buf);
    return;
  }
  run_pass(job, t);  // warm-up: caches, TLB, and the first pass's page-table walks
  const uint64_t repeats = job.req->repeats;
  for (unsigned s = 0; s < job.req->samples; ++s) {
    for (uint64_t passes : {repeats, 2 * repeats}) {
      armbench_team_barrier(team);
      if (index == 0) job.t0 = armbench_now_ns();
      for (uint64_t p = 0; p < passes; ++p) run_pass(job, t);
      armbench_team_barrier(team);
      if (index == 0) {
        const uint64_t ns = armbench_now_ns() - job.t0;
        (passes == repeats ? job.out[s].ns_n : job.out[s].ns_2n) = ns;
      }
    }
  }
  if (!verify(job, t)) job.fail(-EIO);
  armbench_buffer_free(&buf);
}

const char* no_nt_reason() {
#if defined(__x86_64__)
  return "non-temporal stores need avx2 (the scalar kernels have none)";
#else
  return "no non-temporal store kernels for this architecture";
#endif
}

}  // namespace
}  // namespace memory
}  // namespace armbench

using armbench::memory::bw_best_kernels;
using armbench::memory::kKernels;

extern "C" const char* armbench_bw_kernel_name(armbench_bw_kernel k) {
  return armbench::memory::valid(k) ? kKernels[k].name : nullptr;
}

extern "C" const char* armbench_bw_kernel_unsupported(armbench_bw_kernel k) {
  if (!armbench::memory::valid(k)) return "unknown bandwidth kernel";
  if (kKernels[k].nt && bw_best_kernels()->write_nt == nullptr) return armbench::memory::no_nt_reason();
  return nullptr;
}

extern "C" const char* armbench_bw_kernel_isa(armbench_bw_kernel k) {
  if (!armbench::memory::valid(k)) return nullptr;
  return armbench_bw_kernel_unsupported(k) ? "none" : bw_best_kernels()->isa;
}

extern "C" int armbench_bandwidth(const armbench_bw_request* req, armbench_bw_sample* out) {
  using namespace armbench::memory;
  if (req == nullptr || out == nullptr || !valid(req->kernel) || req->bytes < 4096 || req->threads < 1 ||
      req->samples == 0 || req->repeats == 0 || req->repeats > UINT64_MAX / 2) {
    return -EINVAL;
  }
  if (armbench_bw_kernel_unsupported(req->kernel) != nullptr) return -ENOTSUP;
  Job job;
  job.req = req;
  job.out = out;
  job.k = bw_best_kernels();
  job.info = kKernels[req->kernel];
  // Each array a whole number of blocks, so the vector loops run no tail.
  job.array_bytes = req->bytes / job.info.arrays / kBwBlockBytes * kBwBlockBytes;
  job.n = job.array_bytes / sizeof(float);
  job.expected_sum = expected_read_sum(job.n);
  const uint64_t bytes_per_pass = static_cast<uint64_t>(req->threads) * job.info.arrays * job.array_bytes;
  for (unsigned s = 0; s < req->samples; ++s) out[s] = armbench_bw_sample{0, 0, bytes_per_pass};
  const int rc = armbench_run_team(req->threads, req->cpus, armbench::memory::worker, &job);
  return rc != 0 ? rc : job.error.load();
}
