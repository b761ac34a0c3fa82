// Runs the registry's kernels: the latency/throughput curve over chain counts on one
// pinned thread, and the multi-thread peak. Baseline code: it calls an ISA kernel
// only after the registry says the CPU has every feature the form needs.
#include <errno.h>
#include <stdint.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "armbench/fma_probe.h"
#include "armbench/threads.h"
#include "armbench/timer.h"
#include "fma_internal.h"

namespace armbench {
namespace micro {
namespace {

// Long enough to be an eternity, short enough that 2 * steps never overflows.
constexpr uint64_t kMaxSteps = uint64_t{1} << 40;

uint64_t round_steps(uint64_t steps) {
  return (steps + ARMBENCH_FMA_STEP_QUANTUM - 1) / ARMBENCH_FMA_STEP_QUANTUM * ARMBENCH_FMA_STEP_QUANTUM;
}

// One form, mode and chain count, with its register images. A run of `steps`
// instructions per chain is split into kernel calls of at most form_chunk_steps()
// (2^20; 2^18 for AMX), because the checks are exact only that far (fma_forms.cc);
// every call but the last is checked on the way (a few hundred compares next to a
// million instructions), the last one by check_last() once the caller has read its
// clocks.
class Runner {
 public:
  Runner(const FormImpl* f, armbench_chain_mode mode, unsigned k)
      : f_(f),
        mode_(mode),
        k_(k),
        kernel_(form_kernel(f, mode, k)),
        unroll_(ARMBENCH_FMA_UNROLL(k)),
        chunk_steps_(form_chunk_steps(f)) {
    const size_t rb = form_reg_bytes(f);
    acc_in_.resize(kMaxChains * rb);
    acc_out_.resize(kMaxChains * rb);
    mul_in_.resize(2 * rb);
    form_fill(f, mode, k, acc_in_.data(), mul_in_.data());
  }

  // steps: a multiple of ARMBENCH_FMA_STEP_QUANTUM. Returns 0 if a check failed, or
  // if the thread's vector length no longer fits the buffers, or the form has no kernel
  // for the mode (then nothing runs).
  int execute(uint64_t steps) {
    if (!width_ok_ || kernel_ == nullptr) return 0;
    int ok = 1;
    while (steps > 0) {
      const uint64_t chunk = std::min(steps, chunk_steps_);
      steps -= chunk;
      kernel_(chunk / unroll_, acc_in_.data(), mul_in_.data(), acc_out_.data());
      last_count_ = chunk + 1;
      if (steps > 0) ok &= check_last();
    }
    return ok;
  }

  int check_last() const {
    return width_ok_ && kernel_ != nullptr && form_check(f_, mode_, k_, last_count_, acc_out_.data());
  }

 private:
  const FormImpl* f_;
  armbench_chain_mode mode_;
  unsigned k_;
  FmaKernel kernel_;
  uint64_t unroll_;
  uint64_t chunk_steps_;
  int width_ok_ = form_width_matches_thread(f_);
  uint64_t last_count_ = 0;
  std::vector<uint8_t> acc_in_, mul_in_, acc_out_;
};

// Common request checks; returns the form or sets *rc.
const FormImpl* checked_form(size_t form, int* rc) {
  const FormImpl* f = form_impl(form);
  if (f == nullptr) {
    *rc = -EINVAL;
  } else if (armbench_fma_form_unsupported(form) != nullptr) {
    *rc = -ENOTSUP;
    return nullptr;
  }
  return f;
}

struct CurveCtx {
  const FormImpl* f;
  const armbench_fma_curve_request* req;
  armbench_fma_sample* out;
  armbench_fma_curve_result* result;
};

// Runs of N and of 2N steps per sample; the fastest of each is the sample's.
constexpr unsigned kRepsPerPass = 3;

uint64_t read_cycles(const armbench_perf_cycles* pc, bool have) {
  return have ? armbench_perf_cycles_read(pc) : UINT64_MAX;
}

uint64_t cycle_delta(uint64_t c0, uint64_t c1) {
  return c0 == UINT64_MAX || c1 == UINT64_MAX || c1 < c0 ? UINT64_MAX : c1 - c0;
}

// One core-clock chain beside a sample; a request without clock steps records none.
void clock_beside(unsigned chain, uint64_t steps, const armbench_perf_cycles* pc, armbench_clock_sample* out) {
  if (steps == 0 || armbench_clock_chain_run(chain, steps, pc, out) != 0) *out = {0, 0, UINT64_MAX};
}

void curve_thread(void* p, int, armbench_team*) {
  CurveCtx* c = static_cast<CurveCtx*>(p);
  const armbench_fma_curve_request& req = *c->req;
  armbench_perf_cycles pc;
  const bool have_cycles = armbench_perf_cycles_open(&pc, nullptr, 0) == 0;
  const armbench_perf_cycles* pcp = have_cycles ? &pc : nullptr;
  const uint64_t steps = round_steps(req.steps);
  c->result->failed_chains = 0;
  unsigned order = 0;
  for (size_t i = 0; i < req.n_chains; ++i) {
    const unsigned k = req.chains[i];
    Runner run(c->f, req.mode, k);
    int ok = run.execute(steps);  // warm-up: caches, clock ramp, wide-vector power-up
    ok &= run.check_last();
    for (unsigned s = 0; s < req.samples; ++s) {
      armbench_fma_sample& out = c->out[i * req.samples + s];
      const unsigned first = order++ % ARMBENCH_CLOCK_CHAINS;
      out.clock_first = first;
      clock_beside(first, req.clock_steps, pcp, &out.clock[first]);
      // Each pass keeps its fastest of kRepsPerPass runs, N and 2N interleaved: a
      // preemption only ever adds time, and one landing in the N run alone would make
      // 2N - N read short (2.5 cycles for a 4-cycle FMA on a shared VM).
      out.ns_n = out.ns_2n = UINT64_MAX;
      for (unsigned rep = 0; rep < kRepsPerPass; ++rep) {
        for (int pass = 0; pass < 2; ++pass) {
          const uint64_t c0 = read_cycles(&pc, have_cycles);
          const uint64_t t0 = armbench_now_ns();
          ok &= run.execute(steps * (pass + 1));
          const uint64_t t1 = armbench_now_ns();
          const uint64_t c1 = read_cycles(&pc, have_cycles);
          ok &= run.check_last();
          uint64_t& ns = pass == 0 ? out.ns_n : out.ns_2n;
          if (t1 - t0 < ns) {
            ns = t1 - t0;
            (pass == 0 ? out.cycles_n : out.cycles_2n) = cycle_delta(c0, c1);
          }
        }
      }
      for (unsigned chain = 0; chain < ARMBENCH_CLOCK_CHAINS; ++chain) {
        if (chain != first) clock_beside(chain, req.clock_steps, pcp, &out.clock[chain]);
      }
    }
    if (!ok && c->result->failed_chains == 0) c->result->failed_chains = k;
  }
  if (have_cycles) armbench_perf_cycles_close(&pc);
}

struct PeakCtx {
  const FormImpl* f;
  const armbench_fma_peak_request* req;
  uint64_t* out_ns;
  std::atomic<int> ok{1};
  uint64_t start = 0;              // written by thread 0 only
  std::vector<uint64_t> end;       // one per thread
};

void peak_thread(void* p, int index, armbench_team* team) {
  PeakCtx* c = static_cast<PeakCtx*>(p);
  const armbench_fma_peak_request& req = *c->req;
  const uint64_t steps = round_steps(req.steps);
  Runner run(c->f, ARMBENCH_CHAIN_ACC, req.chains);
  int ok = run.execute(steps);  // warm-up, untimed
  ok &= run.check_last();
  for (unsigned s = 0; s < req.samples; ++s) {
    uint64_t wall[2];
    for (int pass = 0; pass < 2; ++pass) {
      armbench_team_barrier(team);
      // The common start is thread 0's clock read right after the barrier releases
      // everyone: the others leave it within a wake-up latency (microseconds), far
      // below a run (milliseconds). The end is the last thread's own end.
      if (index == 0) c->start = armbench_now_ns();
      ok &= run.execute(steps * (pass + 1));
      c->end[index] = armbench_now_ns();
      armbench_team_barrier(team);  // publishes every end[] to thread 0
      if (index == 0) {
        const uint64_t last = *std::max_element(c->end.begin(), c->end.end());
        wall[pass] = last > c->start ? last - c->start : 0;
      }
      ok &= run.check_last();
    }
    // A negative difference is noise swamping the run: fall back to half the long run.
    if (index == 0) c->out_ns[s] = wall[1] > wall[0] ? wall[1] - wall[0] : wall[1] / 2;
  }
  if (!ok) c->ok.store(0);
}

}  // namespace
}  // namespace micro
}  // namespace armbench

using armbench::micro::FormImpl;

extern "C" int armbench_fma_curve(const armbench_fma_curve_request* req, armbench_fma_sample* out,
                                  armbench_fma_curve_result* result) {
  if (req == nullptr || out == nullptr || result == nullptr) return -EINVAL;
  if (req->mode != ARMBENCH_CHAIN_ACC && req->mode != ARMBENCH_CHAIN_FULL) return -EINVAL;
  if (req->chains == nullptr || req->n_chains == 0 || req->samples == 0 || req->steps == 0 ||
      req->steps > armbench::micro::kMaxSteps || req->cpu < -1 || req->clock_steps > armbench::micro::kMaxSteps)
    return -EINVAL;
  const FormImpl* f = armbench::micro::form_impl(req->form);
  if (f == nullptr) return -EINVAL;
  const armbench_fma_form* pub = armbench::micro::form_public(f);
  if (req->mode == ARMBENCH_CHAIN_FULL && !pub->has_full_chain) return -EINVAL;
  for (size_t i = 0; i < req->n_chains; ++i) {
    if (req->chains[i] < 1 || req->chains[i] > pub->max_chains) return -EINVAL;
  }
  int rc = 0;
  if (armbench::micro::checked_form(req->form, &rc) == nullptr) return rc;
  armbench::micro::CurveCtx ctx{f, req, out, result};
  const int cpu = req->cpu;
  return armbench_run_team(1, cpu >= 0 ? &cpu : nullptr, armbench::micro::curve_thread, &ctx);
}

extern "C" int armbench_fma_peak(const armbench_fma_peak_request* req, uint64_t* out_ns, int* checks_ok) {
  if (req == nullptr || out_ns == nullptr || checks_ok == nullptr) return -EINVAL;
  if (req->samples == 0 || req->steps == 0 || req->steps > armbench::micro::kMaxSteps || req->threads <= 0)
    return -EINVAL;
  const FormImpl* f = armbench::micro::form_impl(req->form);
  if (f == nullptr) return -EINVAL;
  if (req->chains < 1 || req->chains > armbench::micro::form_public(f)->max_chains) return -EINVAL;
  int rc = 0;
  if (armbench::micro::checked_form(req->form, &rc) == nullptr) return rc;
  armbench::micro::PeakCtx ctx;
  ctx.f = f;
  ctx.req = req;
  ctx.out_ns = out_ns;
  ctx.end.assign(static_cast<size_t>(req->threads), 0);
  *checks_ok = 0;
  // cpus NULL (or an entry of -1) leaves threads unpinned, as armbench_run_team does.
  rc = armbench_run_team(req->threads, req->cpus, armbench::micro::peak_thread, &ctx);
  if (rc == 0) *checks_ok = ctx.ok.load();
  return rc;
}
