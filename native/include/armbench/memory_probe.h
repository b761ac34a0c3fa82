/* Memory probes: latency by pointer chasing (4 KiB and huge pages), TLB reach,
 * bandwidth kernels and loaded latency. */
#ifndef ARMBENCH_MEMORY_PROBE_H
#define ARMBENCH_MEMORY_PROBE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A buffer from mmap, backed by 4 KiB pages (MADV_NOHUGEPAGE) or asking for
 * transparent huge pages (aligned to the huge page size, MADV_HUGEPAGE), filled with
 * non-zero data so no page is the shared zero page. */
typedef struct armbench_buffer {
  void* ptr;
  size_t bytes;
  int huge_requested;
  size_t huge_page_bytes;     /* the PMD huge page size (0 if unknown) */
  size_t huge_bytes_obtained; /* AnonHugePages of this mapping in /proc/self/smaps after the fill */
} armbench_buffer;

/* 0, or -errno (ENOMEM when the memory cannot be had). */
int armbench_buffer_alloc(armbench_buffer* buf, size_t bytes, int huge);
void armbench_buffer_free(armbench_buffer* buf);

typedef struct armbench_chase_request {
  size_t bytes;          /* working set: the first `bytes` of the buffer */
  size_t stride;         /* bytes between chased pointers: the cache line, 64 (or 128 on some Arm) */
  unsigned passes;       /* concatenated random permutations per chain period (>= 1) */
  uint64_t seed;         /* the chain is rebuilt from seed + sample index before each sample */
  uint64_t loads;        /* N: dependent loads in the shorter steady-state run */
  unsigned samples;
  int cpu;               /* pinned CPU, -1 for none */
} armbench_chase_request;

typedef struct armbench_chase_sample {
  uint64_t first_pass_ns;  /* the first pass over a freshly randomised chain ... */
  uint64_t first_pass_loads;
  uint64_t ns_n;           /* then the steady state: N and 2N loads, same chain */
  uint64_t ns_2n;
} armbench_chase_sample;

/* Pointer chasing over buf: a random single-cycle permutation, one pointer per stride,
 * `passes` permutations concatenated so the period is passes x one pass over the
 * buffer. Returns 0, -EINVAL (bytes > buffer or too small), or -errno. */
int armbench_chase_latency(armbench_buffer* buf, const armbench_chase_request* req, armbench_chase_sample* out);

typedef struct armbench_tlb_request {
  size_t pages;          /* pages touched, one line per page */
  size_t page_bytes;     /* 4096 for the TLB probe; the step between touched lines */
  uint64_t seed;
  uint64_t loads;        /* N, as above */
  unsigned samples;
  int cpu;
} armbench_tlb_request;

/* A chase touching one line per page over `pages` pages in random order; the line
 * within each page varies so the lines spread over cache sets. out: ns_n and ns_2n
 * per sample (first_pass fields are filled too). */
int armbench_tlb_chase(armbench_buffer* buf, const armbench_tlb_request* req, armbench_chase_sample* out);

typedef enum armbench_bw_kernel {
  ARMBENCH_BW_READ = 0,     /* sum of the buffer */
  ARMBENCH_BW_WRITE = 1,    /* fill */
  ARMBENCH_BW_COPY = 2,     /* b = a */
  ARMBENCH_BW_TRIAD = 3,    /* a = b + s * c */
  ARMBENCH_BW_WRITE_NT = 4, /* fill with non-temporal stores */
  ARMBENCH_BW_COPY_NT = 5,
  ARMBENCH_BW_TRIAD_NT = 6,
  ARMBENCH_BW_KERNEL_COUNT = 7
} armbench_bw_kernel;

const char* armbench_bw_kernel_name(armbench_bw_kernel k); /* "read", "write", ..., "triad-nt" */
/* NULL when this CPU/build has the kernel; otherwise why not (e.g. no NT stores). */
const char* armbench_bw_kernel_unsupported(armbench_bw_kernel k);
/* Which implementation runs: "avx512", "avx2", "neon", "sve", "scalar". */
const char* armbench_bw_kernel_isa(armbench_bw_kernel k);

typedef struct armbench_bw_request {
  armbench_bw_kernel kernel;
  size_t bytes;        /* working set per thread: all arrays of the kernel together */
  int threads;
  const int* cpus;     /* threads entries, or NULL for unpinned */
  uint64_t repeats;    /* N: passes over the working set in the shorter run */
  unsigned samples;
} armbench_bw_request;

typedef struct armbench_bw_sample {
  uint64_t ns_n;       /* wall time, all threads, N passes */
  uint64_t ns_2n;      /* 2N passes */
  uint64_t bytes_per_pass; /* bytes read + written by all threads in one pass */
} armbench_bw_sample;

/* Returns 0, -EINVAL, -ENOTSUP (kernel unsupported), -ENOMEM or -errno.
 * Checks the kernel's result (sum, copy, triad values) and returns -EIO if wrong. */
int armbench_bandwidth(const armbench_bw_request* req, armbench_bw_sample* out);

typedef struct armbench_loaded_request {
  size_t chase_bytes;      /* the chaser's working set (DRAM-sized) */
  int chase_cpu;
  int streamers;           /* other threads streaming reads */
  const int* stream_cpus;
  size_t stream_bytes;     /* per streamer */
  uint64_t pause_ns;       /* throttle: each streamer pauses this long after every 64 KiB read (0: flat out) */
  uint64_t duration_ns;    /* how long to measure */
  uint64_t seed;
} armbench_loaded_request;

typedef struct armbench_loaded_result {
  double chase_ns_per_load;   /* the chaser's latency under load */
  double stream_bytes_per_s;  /* bandwidth the streamers delivered meanwhile */
} armbench_loaded_result;

int armbench_loaded_latency(const armbench_loaded_request* req, armbench_loaded_result* out);

#ifdef __cplusplus
}
#endif

#endif
