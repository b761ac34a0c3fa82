// The integer GEMM framework: argument checks, packing (A shifted to the kernel's type,
// B with its column sums), the loop nest over the pool, edges, accumulation. Kernels
// only ever see full mr x nr tiles over packed panels (igemm_ukernel.h); blocking and
// the thread grid come from the helpers the fp32 driver uses (blocking.h).
//
// Unlike the fp32 driver, every call packs the whole of B first (all threads, column
// panels split among them), then runs exactly as with a B packed by
// armbench_igemm_pack_b: B is a quarter of fp32's size, the column sums need every row
// of B before the first tile ends, and one path means a packed B cannot walk other
// blocks than an unpacked call. Loop nest per thread, over its rows (ti) and its column
// panels (tj) of a tm x tn grid:
//   jc over N by nc, pc over K by kc, ic over its rows by mc (A block packed into the
//   thread's buffer), jr over its nr panels, ir over mr panels: one tile.
// The compensation for a shifted A (+-128 * colsum(B), per column) is added once per
// tile of C, with the first kc block (pc == 0), as the kernel's bias row.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <new>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

#include "../runtime/pool.h"
#include "armbench/igemm.h"
#include "blocking.h"
#include "igemm_ukernel.h"
#include "pack.h"
#include "scratch.h"

struct armbench_igemm_packed_b {
  size_t kernel;
  size_t k, n;
  armbench_gemm_blocking blocking;  // normalized (mc unused)
  size_t kp;                        // padded depth: sum of round_up(kc block, kr)
  int8_t* data;
  int32_t* colsums;                 // n
};

namespace armbench {
namespace gemm {
namespace {

// ---------------------------------------------------------------- packing

// B's global column panels [g0, g1) (panel g holds columns g * nr ...), every kc block
// of each, and the column sums of their columns. Panel layout as in the fp32 driver:
// the (jc, pc) block at data + jc * kp + pc * ncbp, its panel q at + q * nr * kcp.
struct BPack {
  const int8_t* b;
  size_t ldb, k, n, kc, nc, nr, kr, kp;
  int8_t* data;
  int32_t* colsums;  // nullptr: not wanted (A is not shifted and B is not kept)
};

// The widest panel any kernel has, and a row of zeros that long for B past k.
constexpr size_t kMaxNr = 64;
const int8_t kZeroRow[kMaxNr] = {};

// One group of KR rows of B into its panel: column r's KR values side by side, then
// zeros past nv. KR a constant so the compiler turns it into vector interleaves: the
// byte loop with KR a variable took most of a call's time at m = 128.
template <size_t KR>
void pack_b_group(const int8_t* const* rows, size_t nv, size_t nr, int8_t* group) {
  size_t r = 0;
  if constexpr (KR == 4) {
    // 16 columns of the 4 rows at a time, interleaved by the baseline vector unit of
    // either architecture (SSE2, NEON): the dot-product kernels' panels (VNNI, AMX,
    // SDOT) are all kr = 4, and this copy is most of a call's time at m = 128.
#if defined(__SSE2__) || defined(__ARM_NEON)
    for (; r + 16 <= nv; r += 16) {
#if defined(__SSE2__)
      const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[0] + r));
      const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[1] + r));
      const __m128i x2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2] + r));
      const __m128i x3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[3] + r));
      const __m128i lo01 = _mm_unpacklo_epi8(x0, x1), lo23 = _mm_unpacklo_epi8(x2, x3);
      const __m128i hi01 = _mm_unpackhi_epi8(x0, x1), hi23 = _mm_unpackhi_epi8(x2, x3);
      __m128i* out = reinterpret_cast<__m128i*>(group + r * 4);
      _mm_storeu_si128(out + 0, _mm_unpacklo_epi16(lo01, lo23));
      _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(lo01, lo23));
      _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(hi01, hi23));
      _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(hi01, hi23));
#else
      const int8x16x4_t x = {{vld1q_s8(rows[0] + r), vld1q_s8(rows[1] + r), vld1q_s8(rows[2] + r), vld1q_s8(rows[3] + r)}};
      vst4q_s8(group + r * 4, x);
#endif
    }
#endif
  }
  for (; r < nv; ++r)
    for (size_t t = 0; t < KR; ++t) group[r * KR + t] = rows[t][r];
  memset(group + nv * KR, 0, (nr - nv) * KR);
}

void pack_b_panels(const BPack& P, size_t g0, size_t g1) {
  // Row group by row group of B, each across all of this share's panels: B is read
  // along its rows and every panel's group is written whole, rather than a half cache
  // line per row at a stride of ldb down each panel in turn.
  for (size_t pc = 0; pc < P.k; pc += P.kc) {
    const size_t kcb = P.k - pc < P.kc ? P.k - pc : P.kc;
    const size_t kcp = round_up(kcb, P.kr);
    for (size_t s = 0; s < kcp / P.kr; ++s) {
      const int8_t* rows[8];
      for (size_t t = 0; t < P.kr; ++t) {
        const size_t p = s * P.kr + t;
        rows[t] = p < kcb ? P.b + (pc + p) * P.ldb : nullptr;
      }
      for (size_t g = g0; g < g1; ++g) {
        const size_t col0 = g * P.nr;
        const size_t jc = col0 / P.nc * P.nc;
        const size_t ncb = P.n - jc < P.nc ? P.n - jc : P.nc;
        const size_t np = ceil_div(ncb, P.nr);
        const size_t q = (col0 - jc) / P.nr;
        const size_t nv = P.n - col0 < P.nr ? P.n - col0 : P.nr;
        int8_t* group = P.data + jc * P.kp + pc * np * P.nr + q * P.nr * kcp + s * P.nr * P.kr;
        const int8_t* at[8];
        for (size_t t = 0; t < P.kr; ++t) at[t] = rows[t] != nullptr ? rows[t] + col0 : kZeroRow;
        switch (P.kr) {
          case 2: pack_b_group<2>(at, nv, P.nr, group); break;
          case 4: pack_b_group<4>(at, nv, P.nr, group); break;
          case 8: pack_b_group<8>(at, nv, P.nr, group); break;
        }
      }
    }
  }
  if (P.colsums == nullptr) return;
  const size_t j0 = g0 * P.nr;
  const size_t j1 = g1 * P.nr < P.n ? g1 * P.nr : P.n;
  for (size_t j = j0; j < j1; ++j) P.colsums[j] = 0;
  // |sum| <= 128 * k: exact in int32 for any k below 2^24.
  for (size_t p = 0; p < P.k; ++p) {
    const int8_t* row = P.b + p * P.ldb;
    for (size_t j = j0; j < j1; ++j) P.colsums[j] += row[j];
  }
}

void pack_b_task(void* ctx, int tid, int threads) {
  const BPack& P = *static_cast<const BPack*>(ctx);
  size_t g0, g1;
  runtime::pool_share(ceil_div(P.n, P.nr), tid, threads, &g0, &g1);
  pack_b_panels(P, g0, g1);
}

// One row of A into its panel: groups of KR bytes of k, each `step` bytes after the
// last (the panel's other rows sit between), flipped by `flip`, zero past depth; src
// null for a row past m (zeros). KR a constant so each group is a short fixed copy:
// the byte loop with a division per element was slower than the kernel it feeds.
template <size_t KR>
void pack_a_row(const uint8_t* src, size_t depth, size_t groups, size_t step, uint8_t flip, uint8_t* out) {
  size_t q = 0;
  if (src != nullptr) {
    for (; (q + 1) * KR <= depth; ++q, out += step, src += KR)
      for (size_t t = 0; t < KR; ++t) out[t] = static_cast<uint8_t>(src[t] ^ flip);
    if (q * KR < depth) {
      for (size_t t = 0; t < KR; ++t) out[t] = q * KR + t < depth ? static_cast<uint8_t>(src[t] ^ flip) : 0;
      ++q, out += step;
    }
  }
  for (; q < groups; ++q, out += step) memset(out, 0, KR);
}

// rows x depth of A from A(i0, p0), into mr-row panels of depth kcp, each byte xor
// flip (0x80 turns int8 into uint8 + 128 and uint8 into int8 - 128, so one loop serves
// both shifts). Rows past `rows` are zero: their tile rows are discarded.
void pack_a_block(const uint8_t* a, size_t lda, size_t i0, size_t p0, size_t rows, size_t depth, size_t mr,
                  size_t kr, uint8_t flip, uint8_t* dst) {
  const size_t kcp = round_up(depth, kr), groups = kcp / kr;
  for (size_t ip = 0; ip < ceil_div(rows, mr); ++ip) {
    uint8_t* panel = dst + ip * mr * kcp;
    for (size_t r = 0; r < mr; ++r) {
      const size_t row = ip * mr + r;
      const uint8_t* src = row < rows ? a + (i0 + row) * lda + p0 : nullptr;
      uint8_t* out = panel + r * kr;
      switch (kr) {
        case 2: pack_a_row<2>(src, depth, groups, mr * kr, flip, out); break;
        case 4: pack_a_row<4>(src, depth, groups, mr * kr, flip, out); break;
        case 8: pack_a_row<8>(src, depth, groups, mr * kr, flip, out); break;
        case 64: pack_a_row<64>(src, depth, groups, mr * kr, flip, out); break;
        default:
          for (size_t p = 0; p < kcp; ++p)
            panel[(p / kr * mr + r) * kr + p % kr] = src != nullptr && p < depth ? static_cast<uint8_t>(src[p] ^ flip) : 0;
      }
    }
  }
}

// ---------------------------------------------------------------- the loop nest

struct Plan {
  const IUkernelInfo* k;
  size_t mr, nr, kr;
  size_t kra;  // A's k interleave (a_kr)
  size_t m, n, kd;
  size_t mc, kc, nc;
  const uint8_t* a;
  size_t lda;
  uint8_t flip;
  const int8_t* bpacked;
  size_t kp;
  const int32_t* comp;  // per column, added once; nullptr when A is not shifted
  int32_t* c;
  size_t ldc;
  int beta;
  uint8_t* abufs;
  size_t abuf_bytes;
  int32_t* tmps;
  size_t tmp_elems;
  size_t tm, tn;
};

void run_thread(void* ctx, int tid, int) {
  const Plan& P = *static_cast<const Plan*>(ctx);
  const size_t t = static_cast<size_t>(tid);
  const auto [m0, m1, tj] = thread_rows(t, P.tm, P.tn, P.m, P.mr);
  uint8_t* abuf = P.abufs + t * P.abuf_bytes;
  int32_t* tmp = P.tmps + t * P.tmp_elems;
  if (P.k->enter != nullptr) P.k->enter();

  for (size_t jc = 0; jc < P.n; jc += P.nc) {
    const size_t ncb = P.n - jc < P.nc ? P.n - jc : P.nc;
    const size_t np = ceil_div(ncb, P.nr);
    const size_t jp0 = tj * np / P.tn, jp1 = (tj + 1) * np / P.tn;
    if (jp0 == jp1) continue;
    for (size_t pc = 0; pc < P.kd; pc += P.kc) {
      const size_t kcb = P.kd - pc < P.kc ? P.kd - pc : P.kc;
      const size_t kcp = round_up(kcb, P.kr);
      const size_t kca = round_up(kcb, P.kra);  // depth of an A panel
      const int8_t* bb = P.bpacked + jc * P.kp + pc * np * P.nr;
      const int accumulate = pc == 0 ? P.beta : 1;
      const int32_t* comp = pc == 0 ? P.comp : nullptr;
      for (size_t ic = m0; ic < m1; ic += P.mc) {
        const size_t mcb = m1 - ic < P.mc ? m1 - ic : P.mc;
        pack_a_block(P.a, P.lda, ic, pc, mcb, kcb, P.mr, P.kra, P.flip, abuf);
        for (size_t jp = jp0; jp < jp1; ++jp) {
          const size_t j = jp * P.nr;
          const size_t nv = ncb - j < P.nr ? ncb - j : P.nr;
          const int8_t* bp = bb + jp * P.nr * kcp;
          const int32_t* bias = comp != nullptr ? comp + jc + j : nullptr;
          for (size_t i = 0; i < mcb; i += P.mr) {
            const size_t mv = mcb - i < P.mr ? mcb - i : P.mr;
            const uint8_t* ap = abuf + i * kca;
            int32_t* c = P.c + (ic + i) * P.ldc + jc + j;
            if (mv == P.mr && nv == P.nr) {
              P.k->run(kcp, ap, bp, c, P.ldc, accumulate, bias);
              continue;
            }
            P.k->run(kcp, ap, bp, tmp, P.nr, 0, nullptr);
            for (size_t r = 0; r < mv; ++r) {
              for (size_t s = 0; s < nv; ++s) {
                uint32_t v = static_cast<uint32_t>(tmp[r * P.nr + s]);
                if (bias != nullptr) v += static_cast<uint32_t>(bias[s]);
                if (accumulate) v += static_cast<uint32_t>(c[r * P.ldc + s]);
                c[r * P.ldc + s] = static_cast<int32_t>(v);
              }
            }
          }
        }
      }
    }
  }
  if (P.k->leave != nullptr) P.k->leave();
}

// ---------------------------------------------------------------- checks

// Rounds a blocking to the kernel's multiples and clamps kc and nc to the problem (k
// and n only, so a packed B and an unpacked call walk the same blocks).
bool normalize_blocking(const IUkernelInfo& k, const armbench_gemm_blocking* in, size_t n, size_t kd,
                        armbench_gemm_blocking* out) {
  const size_t mr = k.pub.mr, nr = k.pub.nr, kr = k.pub.kr;
  // Both interleaves are powers of two: the larger is a multiple of the other.
  const size_t kmax = kr > a_kr(k) ? kr : a_kr(k);
  armbench_gemm_blocking b = in ? *in : blocking_for_tile(mr, nr, kmax, 1, a_kr(k) > kr);
  if (b.mc == 0 || b.kc == 0 || b.nc == 0) return false;
  if (b.mc > SIZE_MAX / 2 || b.kc > SIZE_MAX / 2 || b.nc > SIZE_MAX / 2) return false;
  b.mc = round_up(b.mc, mr);
  b.kc = round_up(b.kc, kmax);
  b.nc = round_up(b.nc, nr);
  if (kd > 0 && b.kc > round_up(kd, kr)) b.kc = round_up(kd, kr);
  if (n > 0 && b.nc > round_up(n, nr)) b.nc = round_up(n, nr);
  *out = b;
  return true;
}


// Checks what every call checks; *done when there is nothing (more) to do, C already
// zeroed for k == 0 and beta == 0.
int check_args(const armbench_igemm_args* args, bool check_b, bool* done) {
  *done = false;
  if (args->a_type != ARMBENCH_IGEMM_A_S8 && args->a_type != ARMBENCH_IGEMM_A_U8) return -EINVAL;
  if (args->beta != 0 && args->beta != 1) return -EINVAL;
  const size_t m = args->m, n = args->n, k = args->k;
  if (m == 0 || n == 0) {
    *done = true;
    return 0;
  }
  if (args->c == nullptr || !matrix_ok(m, n, args->ldc, sizeof(int32_t))) return -EINVAL;
  if (k > 0) {
    if (args->a == nullptr || !matrix_ok(m, k, args->lda, 1)) return -EINVAL;
    if (check_b && (args->b == nullptr || !matrix_ok(k, n, args->ldb, 1))) return -EINVAL;
  }
  return 0;
}

// C = beta * C for k == 0.
void scale_c(const armbench_igemm_args* args) {
  if (args->beta == 1) return;
  for (size_t i = 0; i < args->m; ++i) memset(args->c + i * args->ldc, 0, args->n * sizeof(int32_t));
}

// Runs the loop nest with B packed at bpacked (kp, blocking blk) and its colsums.
// scratch_b: bytes of packed B to place at the front of the scratch (0 when B came
// packed); *b_out then points there (for the caller to pack into, in pool_run #1).
struct Run {
  Plan P;
  char* scratch;
};

int prepare(armbench_gemm_pool* pool, const armbench_igemm_args* args, const IUkernelInfo& info,
            const armbench_gemm_blocking& blk, size_t kp, size_t bbytes, Run* run) {
  Plan& P = run->P;
  P = Plan{};
  P.k = &info;
  P.mr = info.pub.mr;
  P.nr = info.pub.nr;
  P.kr = info.pub.kr;
  P.kra = a_kr(info);
  P.m = args->m;
  P.n = args->n;
  P.kd = args->k;
  P.mc = blk.mc < round_up(args->m, P.mr) ? blk.mc : round_up(args->m, P.mr);
  P.kc = blk.kc;
  P.nc = blk.nc;
  P.a = static_cast<const uint8_t*>(args->a);
  P.lda = args->lda;
  P.flip = args->a_type == info.pub.a_native ? 0 : 0x80;
  P.kp = kp;
  P.c = args->c;
  P.ldc = args->ldc;
  P.beta = args->beta;
  const size_t T = static_cast<size_t>(armbench_gemm_pool_threads(pool));
  thread_grid(T, ceil_div(P.m, P.mr), ceil_div(P.n < P.nc ? P.n : P.nc, P.nr), &P.tm, &P.tn);

  // Scratch: [packed B][colsums][compensation][T A blocks][T edge tiles].
  size_t abytes = 0, total = 0;
  const size_t np = round_up(args->n, P.nr);
  const size_t sbytes = round_up(np * sizeof(int32_t), 64);
  const size_t tbytes = round_up(P.mr * P.nr * sizeof(int32_t), 64);
  if (!mul_ok(P.mc, round_up(P.kc, P.kra), &abytes)) return -ENOMEM;
  abytes = round_up(abytes, 64);
  bbytes = round_up(bbytes, 4096);
  if (!mul_ok(abytes + tbytes, T, &total) || total > SIZE_MAX - bbytes - 2 * sbytes) return -ENOMEM;
  total += bbytes + 2 * sbytes;
  char* s = static_cast<char*>(pool ? runtime::pool_scratch(pool, total) : thread_scratch(total));
  if (s == nullptr) return -ENOMEM;
  run->scratch = s;
  P.abufs = reinterpret_cast<uint8_t*>(s + bbytes + 2 * sbytes);
  P.abuf_bytes = abytes;
  P.tmps = reinterpret_cast<int32_t*>(s + bbytes + 2 * sbytes + abytes * T);
  P.tmp_elems = tbytes / sizeof(int32_t);
  return 0;
}

// Fills the compensation for a shifted A from the column sums, then runs.
void run_packed(armbench_gemm_pool* pool, Run* run, const int8_t* bpacked, const int32_t* colsums, size_t bbytes) {
  Plan& P = run->P;
  P.bpacked = bpacked;
  P.comp = nullptr;
  if (P.flip != 0) {
    int32_t* comp = reinterpret_cast<int32_t*>(run->scratch + round_up(bbytes, 4096) +
                                               round_up(round_up(P.n, P.nr) * sizeof(int32_t), 64));
    // int8 A made uint8 (+128) gained 128 * colsum; uint8 A made int8 (-128) lost it.
    const bool a_was_raised = P.k->pub.a_native == ARMBENCH_IGEMM_A_U8;
    for (size_t j = 0; j < round_up(P.n, P.nr); ++j) {
      const uint32_t shift = j < P.n ? 128u * static_cast<uint32_t>(colsums[j]) : 0u;
      comp[j] = static_cast<int32_t>(a_was_raised ? 0u - shift : shift);
    }
    P.comp = comp;
  }
  runtime::pool_run(pool, run_thread, &P);
}

}  // namespace
}  // namespace gemm
}  // namespace armbench

// ---------------------------------------------------------------- the C ABI

using namespace armbench::gemm;

extern "C" void armbench_igemm_blocking_for(size_t kernel, armbench_gemm_blocking* out) {
  if (out == nullptr) return;
  const IUkernelInfo* info = ikernel_info(kernel);
  // n and k 0: no problem to clamp to, the kernel's own blocking.
  if (info == nullptr || !normalize_blocking(*info, nullptr, 0, 0, out)) *out = armbench_gemm_blocking{0, 0, 0};
}

extern "C" int armbench_igemm(armbench_gemm_pool* pool, const armbench_igemm_args* args) {
  if (args == nullptr) return -EINVAL;
  const IUkernelInfo* info = ikernel_info(args->kernel);
  if (info == nullptr) return -EINVAL;
  if (!ikernel_supported(args->kernel)) return -ENOTSUP;
  bool done = false;
  int rc = check_args(args, true, &done);
  if (rc != 0 || done) return rc;
  armbench_gemm_blocking blk;
  if (!normalize_blocking(*info, args->blocking, args->n, args->k, &blk)) return -EINVAL;
  if (args->k == 0) {
    scale_c(args);
    return 0;
  }
  const size_t nr = info->pub.nr;
  const size_t kp = padded_depth(args->k, blk.kc, info->pub.kr);
  size_t bbytes = 0;
  if (!mul_ok(kp, round_up(args->n, nr), &bbytes)) return -ENOMEM;
  Run run;
  rc = prepare(pool, args, *info, blk, kp, bbytes, &run);
  if (rc != 0) return rc;
  int8_t* bpacked = reinterpret_cast<int8_t*>(run.scratch);
  int32_t* colsums = reinterpret_cast<int32_t*>(run.scratch + round_up(bbytes, 4096));
  // The column sums only serve the compensation of a shifted A here.
  const bool shifted = args->a_type != info->pub.a_native;
  BPack bp{args->b, args->ldb, args->k, args->n, blk.kc, blk.nc, nr, info->pub.kr, kp, bpacked, shifted ? colsums : nullptr};
  armbench::runtime::pool_run(pool, pack_b_task, &bp);
  run_packed(pool, &run, bpacked, colsums, bbytes);
  return 0;
}

extern "C" int armbench_igemm_pack_b(size_t kernel, size_t k, size_t n, const int8_t* b, size_t ldb,
                                     const armbench_gemm_blocking* blocking, armbench_igemm_packed_b** out) {
  if (out == nullptr) return -EINVAL;
  *out = nullptr;
  const IUkernelInfo* info = ikernel_info(kernel);
  if (info == nullptr) return -EINVAL;
  if (!ikernel_supported(kernel)) return -ENOTSUP;
  if (k > 0 && n > 0 && (b == nullptr || !matrix_ok(k, n, ldb, 1))) return -EINVAL;
  armbench_gemm_blocking blk;
  if (!normalize_blocking(*info, blocking, n, k, &blk)) return -EINVAL;
  const size_t nr = info->pub.nr;
  const size_t kp = padded_depth(k, blk.kc, info->pub.kr);
  size_t bytes = 0, sums = 0;
  if (!mul_ok(kp, round_up(n, nr), &bytes) || !mul_ok(n, sizeof(int32_t), &sums)) return -ENOMEM;
  armbench_igemm_packed_b* p = new (std::nothrow) armbench_igemm_packed_b;
  if (p == nullptr) return -ENOMEM;
  p->kernel = kernel;
  p->k = k;
  p->n = n;
  p->blocking = blk;
  p->kp = kp;
  p->data = static_cast<int8_t*>(aligned_alloc(4096, round_up(bytes > 0 ? bytes : 1, 4096)));
  p->colsums = static_cast<int32_t*>(malloc(sums > 0 ? sums : 1));
  if (p->data == nullptr || p->colsums == nullptr) {
    armbench_igemm_packed_b_free(p);
    return -ENOMEM;
  }
  if (n > 0) {
    const BPack bp{b, ldb, k, n, blk.kc, blk.nc, nr, info->pub.kr, kp, p->data, p->colsums};
    pack_b_panels(bp, 0, ceil_div(n, nr));
  }
  *out = p;
  return 0;
}

extern "C" void armbench_igemm_packed_b_free(armbench_igemm_packed_b* packed) {
  if (packed == nullptr) return;
  free(packed->data);
  free(packed->colsums);
  delete packed;
}

extern "C" const int32_t* armbench_igemm_packed_b_colsums(const armbench_igemm_packed_b* packed) {
  return packed != nullptr ? packed->colsums : nullptr;
}

extern "C" int armbench_igemm_packed(armbench_gemm_pool* pool, const armbench_igemm_args* args,
                                     const armbench_igemm_packed_b* packed) {
  if (args == nullptr || packed == nullptr) return -EINVAL;
  if (args->k != packed->k || args->n != packed->n) return -EINVAL;
  const IUkernelInfo* info = ikernel_info(packed->kernel);
  if (info == nullptr) return -EINVAL;
  if (!ikernel_supported(packed->kernel)) return -ENOTSUP;
  bool done = false;
  int rc = check_args(args, false, &done);
  if (rc != 0 || done) return rc;
  if (args->k == 0) {
    scale_c(args);
    return 0;
  }
  Run run;
  rc = prepare(pool, args, *info, packed->blocking, packed->kp, 0, &run);
  if (rc != 0) return rc;
  run_packed(pool, &run, packed->data, packed->colsums, 0);
  return 0;
}
