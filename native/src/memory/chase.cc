// Load-to-use latency by pointer chasing. Every load's address is the previous load's
// value, so the loads cannot overlap and time / loads is the latency of the level the
// working set lives in. The order is random so stride prefetchers cannot follow, and
// one chain period spans `passes` different permutations so a prefetcher that
// replays a learnt miss sequence (Neoverse N2/V2 have one) sees no repeat within a pass.
#include <errno.h>

#include <atomic>
#include <new>
#include <utility>
#include <vector>

#include "armbench/memory_probe.h"
#include "armbench/threads.h"
#include "armbench/timer.h"
#include "memory_internal.h"

namespace armbench {
namespace memory {

namespace {

// splitmix64: one 64-bit state, full period, passes BigCrush; plenty for shuffling.
struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) without division (Lemire); the bias is below 2^-32 for n < 2^32.
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
};

}  // namespace

void* build_chain(void* base, const ChainShape& s, uint64_t seed) {
  SplitMix64 rng{seed};
  std::vector<uint32_t> starts(s.passes);
  for (auto& start : starts) start = static_cast<uint32_t>(rng.below(s.elements));
  std::vector<uint32_t> next(s.elements);
  for (unsigned j = 0; j < s.passes; ++j) {
    // Sattolo's shuffle of the identity: e -> next[e] is one cycle through every
    // element (Fisher-Yates could leave several short cycles).
    for (size_t e = 0; e < s.elements; ++e) next[e] = static_cast<uint32_t>(e);
    for (size_t i = s.elements - 1; i > 0; --i) std::swap(next[i], next[rng.below(i)]);
    // The pass runs from starts[j] round its cycle; the element that would return to
    // starts[j] hands over to the next pass instead.
    const unsigned nj = (j + 1) % s.passes;
    char* const handover = chain_node(base, s, starts[nj], nj);
    for (size_t e = 0; e < s.elements; ++e) {
      char* to = next[e] == starts[j] ? handover : chain_node(base, s, next[e], j);
      *reinterpret_cast<char**>(chain_node(base, s, e, j)) = to;
    }
  }
  return chain_node(base, s, starts[0], 0);
}

#define ARMBENCH_CHASE_STEP q = *static_cast<void* const*>(q);

// noinline: the calls around it (the clock reads) then bound exactly these loads.
__attribute__((noinline)) void* chase_loads(void* p, uint64_t loads) {
  void* q = p;
  // Unrolled so the loop's own branch is a small share of each load's time.
  for (uint64_t b = loads / 16; b > 0; --b) {
    ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP
    ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP
    ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP
    ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP ARMBENCH_CHASE_STEP
  }
  for (uint64_t r = loads % 16; r > 0; --r) {
    ARMBENCH_CHASE_STEP
  }
  return q;
}

#undef ARMBENCH_CHASE_STEP

}  // namespace memory
}  // namespace armbench

namespace {

using armbench::memory::ChainShape;

// The chain's end is published here so the loads have a consumer.
std::atomic<void*> g_sink{nullptr};

constexpr uint64_t kMaxLoads = uint64_t{1} << 60;  // 2N and the sums stay in range

struct ChaseJob {
  void* base;
  ChainShape shape;
  uint64_t seed;
  uint64_t loads;
  unsigned samples;
  armbench_chase_sample* out;
  int rc;
};

// Per sample: a fresh chain, its first pass (nothing has learnt this order yet), then
// N and 2N loads further along it; the caller takes ns_2n - ns_n, which cancels the
// fixed costs (clock reads, call, loop ramp) of one run.
void chase_worker(void* ctx, int, armbench_team*) {
  auto* job = static_cast<ChaseJob*>(ctx);
  try {
    for (unsigned i = 0; i < job->samples; ++i) {
      void* p = armbench::memory::build_chain(job->base, job->shape, job->seed + i);
      const uint64_t pass = job->shape.elements;
      const uint64_t t0 = armbench_now_ns();
      p = armbench::memory::chase_loads(p, pass);
      const uint64_t t1 = armbench_now_ns();
      p = armbench::memory::chase_loads(p, job->loads);
      const uint64_t t2 = armbench_now_ns();
      p = armbench::memory::chase_loads(p, 2 * job->loads);
      const uint64_t t3 = armbench_now_ns();
      g_sink.store(p, std::memory_order_relaxed);
      job->out[i] = armbench_chase_sample{t1 - t0, pass, t2 - t1, t3 - t2};
    }
  } catch (const std::bad_alloc&) {
    job->rc = -ENOMEM;
  }
}

int run_chase(armbench_buffer* buf, const ChainShape& shape, uint64_t seed, uint64_t loads, unsigned samples,
              int cpu, armbench_chase_sample* out) {
  ChaseJob job{buf->ptr, shape, seed, loads, samples, out, 0};
  const int rc = armbench_run_team(1, &cpu, chase_worker, &job);
  return rc != 0 ? rc : job.rc;
}

bool valid_common(const armbench_buffer* buf, const void* req, const void* out) {
  return buf != nullptr && buf->ptr != nullptr && req != nullptr && out != nullptr;
}

}  // namespace

extern "C" int armbench_chase_latency(armbench_buffer* buf, const armbench_chase_request* req,
                                      armbench_chase_sample* out) {
  if (!valid_common(buf, req, out)) return -EINVAL;
  if (req->passes < 1 || req->stride < 8 || req->stride % 8 != 0 || req->stride / 8 < req->passes) return -EINVAL;
  if (req->bytes > buf->bytes || req->bytes / 2 < req->stride) return -EINVAL;
  if (req->loads < 1 || req->loads > kMaxLoads || req->samples < 1) return -EINVAL;
  const size_t elements = req->bytes / req->stride;
  if (elements > UINT32_MAX) return -EINVAL;
  const ChainShape shape{elements, req->stride, req->passes, 1};
  return run_chase(buf, shape, req->seed, req->loads, req->samples, req->cpu, out);
}

extern "C" int armbench_tlb_chase(armbench_buffer* buf, const armbench_tlb_request* req,
                                  armbench_chase_sample* out) {
  if (!valid_common(buf, req, out)) return -EINVAL;
  if (req->page_bytes < 64 || req->page_bytes % 64 != 0) return -EINVAL;
  if (req->pages < 2 || req->pages > buf->bytes / req->page_bytes || req->pages > UINT32_MAX) return -EINVAL;
  if (req->loads < 1 || req->loads > kMaxLoads || req->samples < 1) return -EINVAL;
  const ChainShape shape{req->pages, req->page_bytes, 1, req->page_bytes / 64};
  return run_chase(buf, shape, req->seed, req->loads, req->samples, req->cpu, out);
}
