// Memory latency probes: buffers, the chain's structure, the chase/TLB/loaded-latency
// entry points and their argument checks. Timings are printed for the log (natively)
// and only their signs and ordering are asserted: tests are not benchmarks.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <vector>

#include "../src/memory/memory_internal.h"
#include "armbench/memory_probe.h"
#include "armbench/threads.h"
#include "check.h"

namespace {

using armbench::memory::ChainShape;

bool all_nonzero(const armbench_buffer& b) {
  const auto* p = static_cast<const unsigned char*>(b.ptr);
  for (size_t i = 0; i < b.bytes; i += 512) {
    if (p[i] == 0) return false;
  }
  return p[b.bytes - 1] != 0;
}

void test_buffers() {
  const size_t huge_bytes = (size_t{6} << 20) + 4096;  // not a whole number of huge pages
  for (int huge = 0; huge <= 1; ++huge) {
    const size_t bytes = huge ? huge_bytes : size_t{1} << 20;
    armbench_buffer b;
    const int rc = armbench_buffer_alloc(&b, bytes, huge);
    if (!CHECK_MSG(rc == 0, "alloc(%zu, huge=%d) = %d", bytes, huge, rc)) continue;
    CHECK(b.ptr != nullptr && b.bytes == bytes && b.huge_requested == huge);
    CHECK(all_nonzero(b));
    CHECK(b.huge_bytes_obtained <= b.bytes);
    if (huge && b.huge_page_bytes != 0) CHECK(reinterpret_cast<uintptr_t>(b.ptr) % b.huge_page_bytes == 0);
    // MADV_NOHUGEPAGE is binding natively; qemu-user may not pass advice on.
    if (!huge && !emulated()) CHECK(b.huge_bytes_obtained == 0);
    printf("buffer %s: %zu bytes, pmd huge page %zu, huge pages obtained %zu bytes (%s)\n", huge ? "huge" : "4k",
           b.bytes, b.huge_page_bytes, b.huge_bytes_obtained,
           b.huge_bytes_obtained > 0 ? "yes" : "none: THP off or refused");
    armbench_buffer_free(&b);
    CHECK(b.ptr == nullptr && b.bytes == 0);
  }
  armbench_buffer b;
  CHECK(armbench_buffer_alloc(&b, 0, 0) == -EINVAL);
  CHECK(armbench_buffer_alloc(nullptr, 4096, 0) == -EINVAL);
  CHECK(armbench_buffer_alloc(&b, SIZE_MAX - 4096, 1) == -ENOMEM);
}

// Walks one chain period from its head; returns the (element, pass) node order, or an
// empty vector (after failed checks) if the structure is wrong.
std::vector<size_t> walk(void* base, const ChainShape& s, void* head) {
  const size_t period = s.elements * s.passes;
  std::vector<char> seen(period, 0);
  std::vector<size_t> order;
  char* p = static_cast<char*>(head);
  bool ok = true;
  for (size_t k = 0; k < period && ok; ++k) {
    const size_t off = static_cast<size_t>(p - static_cast<char*>(base));
    const size_t e = off / s.element_bytes;
    const unsigned j = static_cast<unsigned>(k / s.elements);  // pass k / elements ...
    // ... is in slot j of its element, at the line the shape puts it.
    ok = CHECK_MSG(e < s.elements && p == armbench::memory::chain_node(base, s, e, j),
                   "load %zu at offset %zu is not a pass-%u node", k, off, j) &&
         CHECK_MSG(!seen[e * s.passes + j], "node (%zu, %u) visited twice", e, j);
    if (!ok) break;
    seen[e * s.passes + j] = 1;
    order.push_back(e * s.passes + j);
    p = *reinterpret_cast<char**>(p);
  }
  if (!ok) return {};
  CHECK_MSG(p == head, "the chain does not close after passes x elements = %zu loads", period);
  return order;
}

void test_chain_structure() {
  const ChainShape shapes[] = {
      {1000, 64, 1, 1},  // one pass: a single cycle through every element
      {1000, 64, 3, 1},  // three permutations concatenated: period 3000
      {2, 64, 8, 1},     // the smallest chain, the most passes a 64-byte stride holds
      {300, 128, 4, 1},
      {50, 4096, 1, 64},  // the TLB probe's shape: one line per page, lines spread
  };
  for (const ChainShape& s : shapes) {
    std::vector<uint64_t> mem(s.elements * s.element_bytes / 8, 0);
    void* base = mem.data();
    void* head = armbench::memory::build_chain(base, s, 42);
    const std::vector<size_t> a = walk(base, s, head);
    CHECK_MSG(a.size() == s.elements * s.passes, "shape %zu x %zu, %u passes", s.elements, s.element_bytes, s.passes);
    // The seed is the record: the same seed must give the same chain ...
    std::vector<uint64_t> again(mem.size(), 0);
    CHECK(walk(again.data(), s, armbench::memory::build_chain(again.data(), s, 42)) == a);
    // ... and another seed another order (two elements have only one cycle).
    if (s.elements > 2) CHECK(walk(base, s, armbench::memory::build_chain(base, s, 43)) != a);
    if (s.passes > 1 && s.elements > 2) {
      // Each pass is its own permutation, not pass 0 replayed.
      std::vector<size_t> p0(a.begin(), a.begin() + s.elements), p1(a.begin() + s.elements, a.begin() + 2 * s.elements);
      for (size_t& x : p0) x /= s.passes;
      for (size_t& x : p1) x /= s.passes;
      CHECK(p0 != p1);
    }
  }
  // The TLB shape's lines cover every line index, so the loads spread over the sets.
  const ChainShape tlb{64, 4096, 1, 64};
  std::vector<char> pages(tlb.elements * tlb.element_bytes), lines(64, 0);
  for (size_t e = 0; e < tlb.elements; ++e) {
    lines[static_cast<size_t>(armbench::memory::chain_node(pages.data(), tlb, e, 0) - pages.data()) % 4096 / 64] = 1;
  }
  CHECK(std::count(lines.begin(), lines.end(), 1) == 64);
}

double steady_ns(const armbench_chase_sample& s, uint64_t n) {
  return (static_cast<double>(s.ns_2n) - static_cast<double>(s.ns_n)) / static_cast<double>(n);
}

void test_chase(int cpu) {
  armbench_buffer b;
  if (!CHECK(armbench_buffer_alloc(&b, 64 * 1024, 0) == 0)) return;
  const uint64_t n = emulated() ? 4096 : 200000;
  armbench_chase_request req = {32 * 1024, 64, 4, 7, n, 3, cpu};
  armbench_chase_sample out[3];
  memset(out, 0, sizeof out);
  if (CHECK(armbench_chase_latency(&b, &req, out) == 0)) {
    uint64_t min_n = UINT64_MAX, min_2n = UINT64_MAX;
    for (const armbench_chase_sample& s : out) {
      CHECK(s.first_pass_loads == 512);
      CHECK(s.first_pass_ns > 0 && s.ns_n > 0 && s.ns_2n > 0);
      min_n = std::min(min_n, s.ns_n);
      min_2n = std::min(min_2n, s.ns_2n);
    }
    // Minima, because a preemption only ever adds time; a loaded machine can still
    // inflate every N sample of one call, so more calls are taken (their minima kept)
    // before the order counts as wrong. Under an emulator the N run also pays for
    // translating the loop, so there the order means nothing.
    armbench_chase_sample more[3];
    for (int retry = 0; retry < 20 && !emulated() && min_2n <= min_n; ++retry) {
      if (armbench_chase_latency(&b, &req, more) != 0) break;
      for (const armbench_chase_sample& s : more) {
        min_n = std::min(min_n, s.ns_n);
        min_2n = std::min(min_2n, s.ns_2n);
      }
    }
    if (!emulated()) {
      CHECK_MSG(min_2n > min_n, "2N loads took %llu ns, N loads %llu ns", static_cast<unsigned long long>(min_2n),
                static_cast<unsigned long long>(min_n));
    }
    printf("chase 32 KiB: %.2f ns/load steady, %.2f first pass (sample 1)\n", steady_ns(out[1], n),
           static_cast<double>(out[1].first_pass_ns) / 512);
  }

  // Argument checks: each request differs from a valid one in one field.
  const armbench_chase_request good = {32 * 1024, 64, 4, 7, 100, 1, -1};
  auto rc_with = [&](void (*edit)(armbench_chase_request*)) {
    armbench_chase_request r = good;
    edit(&r);
    return armbench_chase_latency(&b, &r, out);
  };
  CHECK(rc_with([](armbench_chase_request*) {}) == 0);
  CHECK(rc_with([](armbench_chase_request* r) { r->bytes = 64 * 1024 + 64; }) == -EINVAL);  // beyond the buffer
  CHECK(rc_with([](armbench_chase_request* r) { r->bytes = 64; }) == -EINVAL);              // one element
  CHECK(rc_with([](armbench_chase_request* r) { r->stride = 60; }) == -EINVAL);             // not a multiple of 8
  CHECK(rc_with([](armbench_chase_request* r) { r->stride = 0; }) == -EINVAL);
  CHECK(rc_with([](armbench_chase_request* r) { r->stride = 16; }) == -EINVAL);  // 4 passes need 32
  CHECK(rc_with([](armbench_chase_request* r) { r->passes = 0; }) == -EINVAL);
  CHECK(rc_with([](armbench_chase_request* r) { r->loads = 0; }) == -EINVAL);
  CHECK(rc_with([](armbench_chase_request* r) { r->samples = 0; }) == -EINVAL);
  CHECK(armbench_chase_latency(nullptr, &good, out) == -EINVAL);
  CHECK(armbench_chase_latency(&b, nullptr, out) == -EINVAL);
  CHECK(armbench_chase_latency(&b, &good, nullptr) == -EINVAL);

  // TLB chase over 8 and 16 pages of this 64 KiB buffer.
  for (size_t pages : {size_t{8}, size_t{16}}) {
    armbench_tlb_request t = {pages, 4096, 9, n, 2, cpu};
    armbench_chase_sample ts[2];
    if (CHECK(armbench_tlb_chase(&b, &t, ts) == 0)) {
      CHECK(ts[0].first_pass_loads == pages && ts[1].first_pass_loads == pages);
      CHECK(ts[0].ns_n > 0 && ts[0].ns_2n > 0 && ts[0].first_pass_ns > 0);
    }
  }
  armbench_tlb_request t = {17, 4096, 9, 100, 1, -1};  // 17 pages > 64 KiB
  CHECK(armbench_tlb_chase(&b, &t, out) == -EINVAL);
  t = {1, 4096, 9, 100, 1, -1};
  CHECK(armbench_tlb_chase(&b, &t, out) == -EINVAL);
  t = {8, 100, 9, 100, 1, -1};  // not whole lines
  CHECK(armbench_tlb_chase(&b, &t, out) == -EINVAL);
  t = {8, 4096, 9, 0, 1, -1};
  CHECK(armbench_tlb_chase(&b, &t, out) == -EINVAL);
  armbench_buffer_free(&b);
}

void test_loaded(const int* cpus, int ncpus) {
  armbench_loaded_request req = {};
  req.chase_bytes = emulated() ? 64 * 1024 : 4 << 20;
  req.chase_cpu = cpus[0];
  req.streamers = 0;
  req.stream_bytes = 0;
  req.duration_ns = emulated() ? 2000000 : 20000000;
  req.seed = 5;
  armbench_loaded_result r = {-1, -1};
  if (CHECK(armbench_loaded_latency(&req, &r) == 0)) {
    CHECK(r.chase_ns_per_load > 0 && r.stream_bytes_per_s == 0);
    printf("loaded latency, no streamers: %.2f ns/load\n", r.chase_ns_per_load);
  }
  armbench_loaded_request bad = req;
  bad.chase_bytes = 64;
  CHECK(armbench_loaded_latency(&bad, &r) == -EINVAL);
  bad = req;
  bad.duration_ns = 0;
  CHECK(armbench_loaded_latency(&bad, &r) == -EINVAL);
  bad = req;
  bad.streamers = 1;
  bad.stream_bytes = 1024;  // less than one 64 KiB chunk
  CHECK(armbench_loaded_latency(&bad, &r) == -EINVAL);
  CHECK(armbench_loaded_latency(nullptr, &r) == -EINVAL);

  // One streamer: natively only, where a second thread's load means something.
  if (emulated()) return;
  const int stream_cpu = cpus[ncpus > 1 ? 1 : 0];
  for (uint64_t pause : {uint64_t{0}, uint64_t{20000}}) {
    req.streamers = 1;
    req.stream_cpus = &stream_cpu;
    req.stream_bytes = 64 << 20;
    req.pause_ns = pause;
    r = {-1, -1};
    if (CHECK(armbench_loaded_latency(&req, &r) == 0)) {
      CHECK(r.chase_ns_per_load > 0 && r.stream_bytes_per_s > 0);
      printf("loaded latency, 1 streamer, pause %llu ns: %.2f ns/load at %.2f GB/s\n",
             static_cast<unsigned long long>(pause), r.chase_ns_per_load, r.stream_bytes_per_s / 1e9);
    }
  }
}

// For the log: a chase at each cache level and DRAM, 4 KiB against huge pages.
void print_levels(int cpu) {
  const size_t sizes[] = {16 << 10, 512 << 10, 8 << 20, 256 << 20};
  const uint64_t n = 200000;
  for (size_t bytes : sizes) {
    for (int huge = 0; huge <= 1; ++huge) {
      armbench_buffer b;
      if (!CHECK(armbench_buffer_alloc(&b, bytes, huge) == 0)) continue;
      const unsigned samples = bytes >= (size_t{256} << 20) ? 1 : 3;
      armbench_chase_request req = {bytes, 64, 4, 11, n, samples, cpu};
      armbench_chase_sample out[3];
      if (CHECK(armbench_chase_latency(&b, &req, out) == 0)) {
        std::vector<double> steady, first;
        for (unsigned i = 0; i < samples; ++i) {
          steady.push_back(steady_ns(out[i], n));
          first.push_back(static_cast<double>(out[i].first_pass_ns) / static_cast<double>(out[i].first_pass_loads));
        }
        // The median: one preempted run can make a 2N - N difference negative.
        std::sort(steady.begin(), steady.end());
        std::sort(first.begin(), first.end());
        printf("chase %8zu KiB %s pages (%3zu%% huge): %7.2f ns/load steady, %7.2f first pass\n", bytes >> 10,
               huge ? "huge" : "4k  ", b.huge_bytes_obtained * 100 / bytes, steady[samples / 2], first[samples / 2]);
      }
      armbench_buffer_free(&b);
    }
  }
}

}  // namespace

int main() {
  int cpus[2] = {-1, -1};
  const int ncpus = armbench_allowed_cpus(cpus, 2);
  test_buffers();
  test_chain_structure();
  test_chase(cpus[0]);
  test_loaded(cpus, ncpus);
  if (!emulated()) print_levels(cpus[0]);
  return check::summary("test_memory_latency");
}
