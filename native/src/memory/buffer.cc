// Probe buffers: anonymous mappings whose page size is asked for, then read back from
// /proc/self/smaps, because THP is a request the kernel may refuse (no free 2 MiB
// blocks, THP off) and a latency figure is meaningless without the page size it had.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "armbench/memory_probe.h"

namespace {

constexpr size_t kDefaultHugeBytes = size_t{2} << 20;

size_t pmd_huge_bytes() {
  FILE* f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
  if (f == nullptr) return 0;
  unsigned long long v = 0;
  const bool ok = fscanf(f, "%llu", &v) == 1;
  fclose(f);
  // Only a power of two can align a mapping.
  return ok && v > 0 && (v & (v - 1)) == 0 ? static_cast<size_t>(v) : 0;
}

size_t page_bytes() {
  const long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<size_t>(p) : 4096;
}

// The granule the usable region is rounded to and aligned on.
size_t granule(int huge, size_t huge_page) {
  if (!huge) return page_bytes();
  return huge_page != 0 ? huge_page : kDefaultHugeBytes;
}

bool round_up(size_t v, size_t to, size_t* out) {
  if (v > SIZE_MAX - (to - 1)) return false;
  *out = (v + to - 1) / to * to;
  return true;
}

// AnonHugePages summed over the mappings overlapping [lo, hi).
size_t anon_huge_bytes(uintptr_t lo, uintptr_t hi) {
  FILE* f = fopen("/proc/self/smaps", "r");
  if (f == nullptr) return 0;
  char line[512];
  bool inside = false;
  size_t total = 0;
  while (fgets(line, sizeof line, f) != nullptr) {
    uintmax_t start, end;
    unsigned long long kb;
    // A mapping's header line starts "start-end"; no field line ("Name: value") parses so.
    if (sscanf(line, "%jx-%jx ", &start, &end) == 2) {
      inside = start < hi && end > lo;
    } else if (inside && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
      total += static_cast<size_t>(kb) * 1024;
    }
  }
  fclose(f);
  return total;
}

}  // namespace

// Layout: [guard page][usable: round_up(bytes, granule), granule-aligned][guard page].
// The PROT_NONE guards keep the kernel from merging this mapping with a neighbour of
// the same flags (say, the previous probe buffer), which would put that buffer's huge
// pages into this one's smaps entry.
extern "C" int armbench_buffer_alloc(armbench_buffer* buf, size_t bytes, int huge) {
  if (buf == nullptr || bytes == 0) return -EINVAL;
  memset(buf, 0, sizeof *buf);
  const size_t page = page_bytes();
  const size_t huge_page = pmd_huge_bytes();
  const size_t g = granule(huge, huge_page);
  size_t usable;
  if (!round_up(bytes, g, &usable) || usable > SIZE_MAX - g - 2 * page) return -ENOMEM;
  // Enough slack that an aligned start with a guard page before it always fits.
  const size_t total = usable + g + 2 * page;
  void* raw = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return -errno;
  const uintptr_t raw_lo = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t lo = (raw_lo + page + g - 1) / g * g;
  const uintptr_t guard_lo = lo - page;
  const uintptr_t guard_hi = lo + usable + page;  // end of the trailing guard
  if (guard_lo > raw_lo) munmap(raw, guard_lo - raw_lo);
  if (raw_lo + total > guard_hi) munmap(reinterpret_cast<void*>(guard_hi), raw_lo + total - guard_hi);
  mprotect(reinterpret_cast<void*>(guard_lo), page, PROT_NONE);
  mprotect(reinterpret_cast<void*>(lo + usable), page, PROT_NONE);

  void* p = reinterpret_cast<void*>(lo);
  // Advice must come before the first touch: a fault decides the page size. Failure
  // (a kernel without THP) only means 4 KiB pages, which smaps then reports.
  madvise(p, usable, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  // Non-zero, so every page is this buffer's own and none is the shared zero page.
  memset(p, 0xa5, bytes);

  buf->ptr = p;
  buf->bytes = bytes;
  buf->huge_requested = huge ? 1 : 0;
  buf->huge_page_bytes = huge_page;
  const size_t obtained = anon_huge_bytes(lo, lo + usable);
  buf->huge_bytes_obtained = obtained < bytes ? obtained : bytes;
  return 0;
}

extern "C" void armbench_buffer_free(armbench_buffer* buf) {
  if (buf == nullptr || buf->ptr == nullptr) return;
  const size_t page = page_bytes();
  size_t usable = 0;
  round_up(buf->bytes, granule(buf->huge_requested, buf->huge_page_bytes), &usable);
  munmap(static_cast<char*>(buf->ptr) - page, usable + 2 * page);
  memset(buf, 0, sizeof *buf);
}
