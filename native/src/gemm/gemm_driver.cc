// The GEMM framework (BLIS's frame/): blocking from the caches, the Goto loop nest,
// threading over the pool, edges, alpha/beta, argument checks, packed B. Kernels only
// ever see full mr x nr tiles over packed panels (gemm_ukernel.h).
//
// Loop nest, per call:
//   jc over N by nc
//     pc over K by kc       B block (kc x nc) packed once, by all threads together
//                           (nr panels split among them), then a barrier
//       ic over M by mc     per thread, over its own rows: A block (mc x kc) packed
//                           into the thread's private buffer
//         jr over nr panels (the thread's columns), ir over mr panels: one tile
//                           a barrier before the next B block overwrites this one
// Threads form a tm x tn grid: thread (ti, tj) owns a contiguous range of mr-row
// tiles (ti) and of nr-column panels of each B block (tj); tm and tn minimize the
// largest per-thread tile count, preferring tm (rows: no A packed twice, B shared).
// A tile's result depends only on its position, the kernel and the blocking, never on
// the thread count or on whether B came pre-packed: same blocks, same order.
//
// Shapes that the blocked loops serve badly take other routes, chosen from the shape
// alone (so 1 thread, 2 threads and packed B agree):
// - m == 1 or n == 1: the direct GEMV path (gemm_gemv.cc): no packing, one pass over
//   the large operand. A packed B with n == 1 takes it too; with m == 1 it runs the
//   blocked loops (its B is packed already), a different summation order.
// - n <= 16 with f32_avx512_12x32: its narrow companion, 16x16 (gemm_ukernel.h), which
//   also reads full 16-row tiles of A in place (direct A: A is not packed at all, only
//   a ragged last panel); measured on Zen 4, 1760x16x1760 fp32 cold: 27 -> ~80 GFLOP/s.
//   f32_avx512_12x32 itself reads A in place for n <= kDirectAMaxN (A not transposed).
//   A direct-A tile gives the bits of the packed-A tile (same FMAs, same order).
// Tried and dropped for small m (35x700x2048 fp32, cold, ~79 GFLOP/s, B packing ~23%
// of the time at memory speed): packing B panels just before use (66: short strided
// reads of a cold B), a smaller nc so the B block stays in L2 (60-64: the same), and
// prefetching the next B block's source during the tile calls (no gain).
//
// Semantics at the edges of the API (documented here, the header says the rest):
// - m == 0 or n == 0: nothing to do, returns 0 (pointers and strides of the empty
//   operands are not checked).
// - k == 0 or alpha == 0: C = beta * C, with beta == 0 writing zeros without reading C;
//   A and B are not read (their pointers are not checked).
// - Strides must hold a row: lda >= (trans_a ? m : k), ldb >= (trans_b ? k : n),
//   ldc >= n, all >= 1, and the addressed span must fit in size_t; else -EINVAL.
// - A caller-provided blocking with a zero field is -EINVAL; mc, nc and kc are rounded
//   up to multiples of mr, nr and kr.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <new>
#include <string>

#include "../runtime/pool.h"
#include "blocking.h"
#include "gemv.h"
#include "scratch.h"
#include "pack.h"
#include "registry.h"

namespace armbench {
namespace gemm {
namespace {

// ---------------------------------------------------------------- caches, blocking

// Direct A for f32_avx512_12x32 (A not transposed) up to this n: each A block then
// serves at most 3 panels, too few to repay packing it. Measured on Zen 4, fp32 cold,
// one thread: 512x49x4608 67 -> 81 GFLOP/s, 2048x49x512 66 -> 75, 2048x96x1024 93 ->
// 98; 2048x192x1024 101 -> 97 (so not beyond); A transposed 51 -> 37-46 (so never).
constexpr size_t kDirectAMaxN = 96;

armbench_gemm_blocking blocking_for(const UkernelInfo& k) {
  const size_t es = k.pub.dtype == ARMBENCH_GEMM_BF16 ? 2 : 4;
  const size_t kr = k.pub.kr > a_kr(k) ? k.pub.kr : a_kr(k);
  return blocking_for_tile(k.pub.mr, k.pub.nr, kr, es, a_kr(k) > k.pub.kr);
}

// ---------------------------------------------------------------- the loop nest

struct Plan {
  const UkernelInfo* k;
  size_t mr, nr, kr, es;
  size_t kra;  // A's k interleave (a_kr)
  size_t m, n, kd;
  size_t mc, kc, nc;
  bool ta, tb;
  const void* a;
  size_t lda;
  const void* b;
  size_t ldb;
  float* c;
  size_t ldc;
  float alpha, beta;
  const char* prepacked;  // the whole packed op(B), or nullptr
  size_t kp;              // padded depth of prepacked (sum of round_up(kc block, kr))
  char* bblock;           // shared B block buffer (when not prepacked)
  char* abufs;            // per-thread A block buffers
  size_t abuf_bytes;
  float* tmps;            // per-thread edge tiles
  size_t tmp_elems;
  size_t tm, tn;          // thread grid
  armbench_gemm_pool* pool;
  UkernelDirectA direct_a;  // full mr-row tiles read A in place (no A packing), or nullptr
};

// An edge tile computed into tmp (beta 0), merged into C with beta.
void merge_tile(const Plan& P, const float* tmp, float* c, size_t mv, size_t nv, float beta) {
  for (size_t i = 0; i < mv; ++i) {
    float* crow = c + i * P.ldc;
    const float* t = tmp + i * P.nr;
    if (beta == 0.0f) {
      for (size_t j = 0; j < nv; ++j) crow[j] = t[j];
    } else {
      for (size_t j = 0; j < nv; ++j) crow[j] = t[j] + beta * crow[j];
    }
  }
}

void edge_tile(const Plan& P, size_t kcp, const char* ap, const char* bp, float* c, size_t mv, size_t nv, float beta,
               float* tmp) {
  P.k->run(kcp, ap, bp, tmp, P.nr, P.alpha, 0.0f);
  merge_tile(P, tmp, c, mv, nv, beta);
}

void run_thread(void* ctx, int tid, int nthreads) {
  const Plan& P = *static_cast<const Plan*>(ctx);
  const size_t t = static_cast<size_t>(tid), T = static_cast<size_t>(nthreads);
  const auto [m0, m1, tj] = thread_rows(t, P.tm, P.tn, P.m, P.mr);
  char* abuf = P.abufs + t * P.abuf_bytes;
  float* tmp = P.tmps + t * P.tmp_elems;
  const size_t es = P.es;

  for (size_t jc = 0; jc < P.n; jc += P.nc) {
    const size_t ncb = P.n - jc < P.nc ? P.n - jc : P.nc;
    const size_t np = ceil_div(ncb, P.nr);
    const size_t ncbp = np * P.nr;
    const size_t jp0 = tj * np / P.tn, jp1 = (tj + 1) * np / P.tn;
    for (size_t pc = 0; pc < P.kd; pc += P.kc) {
      const size_t kcb = P.kd - pc < P.kc ? P.kd - pc : P.kc;
      const size_t kcp = round_up(kcb, P.kr);
      const char* bb;
      if (P.prepacked != nullptr) {
        bb = P.prepacked + (jc * P.kp + pc * ncbp) * es;
      } else {
        const PackSource src = pack_source_b(P.b, P.ldb, P.tb, es, pc, jc);
        pack_panels(src, ncb, kcb, P.nr, P.kr, t * np / T, (t + 1) * np / T, P.bblock);
        runtime::pool_barrier(P.pool);
        bb = P.bblock;
      }
      const float beta = pc == 0 ? P.beta : 1.0f;
      for (size_t ic = m0; ic < m1; ic += P.mc) {
        const size_t mcb = m1 - ic < P.mc ? m1 - ic : P.mc;
        const size_t mp = ceil_div(mcb, P.mr);
        const PackSource asrc = pack_source_a(P.a, P.lda, P.ta, es, ic, pc);
        // With direct A only a ragged last panel is packed.
        const size_t mp_direct = P.direct_a != nullptr ? mcb / P.mr : 0;
        pack_panels(asrc, mcb, kcb, P.mr, P.kra, mp_direct, mp, abuf);
        const size_t kcpa = round_up(kcb, P.kra);  // the A panels' padded depth
        for (size_t jp = jp0; jp < jp1; ++jp) {
          const size_t j = jp * P.nr;
          const size_t nv = ncb - j < P.nr ? ncb - j : P.nr;
          const char* bp = bb + jp * P.nr * kcp * es;
          for (size_t ip = 0; ip < mp; ++ip) {
            const size_t i = ip * P.mr;
            const size_t mv = mcb - i < P.mr ? mcb - i : P.mr;
            const char* ap = abuf + ip * P.mr * kcpa * es;
            float* c = P.c + (ic + i) * P.ldc + jc + j;
            if (ip < mp_direct) {
              const float* ad = static_cast<const float*>(asrc.src) + i * asrc.row_stride;
              if (nv == P.nr) {
                P.direct_a(kcp, ad, asrc.row_stride, asrc.depth_stride, bp, c, P.ldc, P.alpha, beta);
              } else {
                P.direct_a(kcp, ad, asrc.row_stride, asrc.depth_stride, bp, tmp, P.nr, P.alpha, 0.0f);
                merge_tile(P, tmp, c, mv, nv, beta);
              }
            } else if (mv == P.mr && nv == P.nr) {
              P.k->run(kcp, ap, bp, c, P.ldc, P.alpha, beta);
            } else {
              edge_tile(P, kcp, ap, bp, c, mv, nv, beta, tmp);
            }
          }
        }
      }
      if (P.prepacked == nullptr) runtime::pool_barrier(P.pool);
    }
  }
}

// ---------------------------------------------------------------- checks

void scale_c(float* c, size_t ldc, size_t m, size_t n, float beta) {
  for (size_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      for (size_t j = 0; j < n; ++j) row[j] = 0.0f;
    } else if (beta != 1.0f) {
      for (size_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

// Rounds a blocking to the kernel's multiples and clamps it to the problem (so that
// buffers stay small); the clamp depends only on k and n for kc and nc, so a packed B
// and an unpacked call of the same k, n and blocking walk the same blocks.
bool normalize_blocking(const UkernelInfo& k, const armbench_gemm_blocking* in, size_t m, size_t n, size_t kd,
                        armbench_gemm_blocking* out) {
  armbench_gemm_blocking b = in ? *in : blocking_for(k);
  if (b.mc == 0 || b.kc == 0 || b.nc == 0) return false;
  const size_t mr = k.pub.mr, nr = k.pub.nr, kr = k.pub.kr;
  if (b.mc > SIZE_MAX / 2 || b.kc > SIZE_MAX / 2 || b.nc > SIZE_MAX / 2) return false;
  b.mc = round_up(b.mc, mr);
  b.kc = round_up(b.kc, kr);
  b.nc = round_up(b.nc, nr);
  if (m > 0 && b.mc > round_up(m, mr)) b.mc = round_up(m, mr);
  if (kd > 0 && b.kc > round_up(kd, kr)) b.kc = round_up(kd, kr);
  if (n > 0 && b.nc > round_up(n, nr)) b.nc = round_up(n, nr);
  *out = b;
  return true;
}

size_t elem_bytes(const UkernelInfo& k) { return k.pub.dtype == ARMBENCH_GEMM_BF16 ? 2 : 4; }

// The kernel that runs for n columns: the narrow companion (gemm_ukernel.h) when n
// fits it, else k itself.
const UkernelInfo* for_n(const UkernelInfo* k, size_t n) {
  if (k != nullptr && k == ukernel_f32_avx512()) {
    const UkernelInfo* nk = ukernel_f32_avx512_narrow();
    if (nk != nullptr && n <= nk->pub.nr) return nk;
  }
  return k;
}

}  // namespace
}  // namespace gemm
}  // namespace armbench

// ---------------------------------------------------------------- the C ABI

using armbench::gemm::UkernelInfo;

struct armbench_gemm_packed_b {
  size_t kernel;
  size_t k, n;
  armbench_gemm_blocking blocking;  // normalized
  size_t kp;                        // padded depth: sum of round_up(kc block, kr)
  void* data;
};

namespace {

using namespace armbench::gemm;

int check_common(const armbench_gemm_args* args, const UkernelInfo** info) {
  if (args == nullptr) return -EINVAL;
  const UkernelInfo* k = kernel_info(args->kernel);
  if (k == nullptr) return -EINVAL;
  if (!kernel_supported(args->kernel)) return -ENOTSUP;
  *info = k;
  return 0;
}

// Checks C (and A, and B when b_checked) for a non-empty problem.
int check_operands(const armbench_gemm_args* args, size_t es, bool check_b) {
  const size_t m = args->m, n = args->n, k = args->k;
  if (args->c == nullptr || !armbench::gemm::matrix_ok(m, n, args->ldc, 4)) return -EINVAL;
  if (k == 0 || args->alpha == 0.0f) return 0;
  if (args->a == nullptr) return -EINVAL;
  if (!(args->trans_a ? matrix_ok(k, m, args->lda, es) : matrix_ok(m, k, args->lda, es))) return -EINVAL;
  if (check_b) {
    if (args->b == nullptr) return -EINVAL;
    if (!(args->trans_b ? matrix_ok(n, k, args->ldb, es) : matrix_ok(k, n, args->ldb, es))) return -EINVAL;
  }
  return 0;
}

int run_gemm(armbench_gemm_pool* pool, const armbench_gemm_args* args, const UkernelInfo& info,
             const armbench_gemm_blocking& blk, const armbench_gemm_packed_b* packed) {
  Plan P{};
  P.k = &info;
  P.mr = info.pub.mr;
  P.nr = info.pub.nr;
  P.kr = info.pub.kr;
  P.kra = a_kr(info);
  P.es = elem_bytes(info);
  P.m = args->m;
  P.n = args->n;
  P.kd = args->k;
  P.mc = blk.mc;
  P.kc = blk.kc;
  P.nc = blk.nc;
  P.ta = args->trans_a != 0;
  P.tb = args->trans_b != 0;
  P.a = args->a;
  P.lda = args->lda;
  P.b = args->b;
  P.ldb = args->ldb;
  P.c = args->c;
  P.ldc = args->ldc;
  P.alpha = args->alpha;
  P.beta = args->beta;
  P.pool = pool;
  if (&info == ukernel_f32_avx512_narrow()) P.direct_a = ukernel_f32_avx512_narrow_direct_a();
  if (&info == ukernel_f32_avx512() && !P.ta && P.n <= kDirectAMaxN) P.direct_a = ukernel_f32_avx512_direct_a();
  if (packed != nullptr) {
    P.prepacked = static_cast<const char*>(packed->data);
    P.kp = packed->kp;
  }
  const size_t T = static_cast<size_t>(armbench_gemm_pool_threads(pool));
  thread_grid(T, ceil_div(P.m, P.mr), ceil_div(P.n < P.nc ? P.n : P.nc, P.nr), &P.tm, &P.tn);

  // Scratch: [B block][T A blocks][T edge tiles], each part 4096-aligned.
  size_t bbytes = 0, abytes = 0, tbytes = 0;
  if (packed == nullptr && !mul_ok(P.kc * P.nc, P.es, &bbytes)) return -ENOMEM;
  if (!mul_ok(P.mc * round_up(P.kc, P.kra), P.es, &abytes)) return -ENOMEM;
  tbytes = P.mr * P.nr * sizeof(float);
  bbytes = round_up(bbytes, 4096);
  abytes = round_up(abytes, 4096);
  tbytes = round_up(tbytes, 64);
  size_t total = 0;
  if (!mul_ok(abytes + tbytes, T, &total) || total > SIZE_MAX - bbytes) return -ENOMEM;
  total += bbytes;
  char* scratch = static_cast<char*>(pool ? armbench::runtime::pool_scratch(pool, total) : thread_scratch(total));
  if (scratch == nullptr) return -ENOMEM;
  P.bblock = scratch;
  P.abufs = scratch + bbytes;
  P.abuf_bytes = abytes;
  P.tmps = reinterpret_cast<float*>(scratch + bbytes + abytes * T);
  P.tmp_elems = tbytes / sizeof(float);
  armbench::runtime::pool_run(pool, run_thread, &P);
  return 0;
}

}  // namespace

extern "C" void armbench_gemm_blocking_for(size_t kernel, armbench_gemm_blocking* out) {
  if (out == nullptr) return;
  const UkernelInfo* k = kernel_info(kernel);
  if (k == nullptr) {
    *out = armbench_gemm_blocking{0, 0, 0};
    return;
  }
  *out = blocking_for(*k);
}

extern "C" int armbench_gemm(armbench_gemm_pool* pool, const armbench_gemm_args* args) {
  const UkernelInfo* info = nullptr;
  int rc = check_common(args, &info);
  if (rc != 0) return rc;
  if (args->m == 0 || args->n == 0) return 0;
  info = for_n(info, args->n);
  const size_t es = elem_bytes(*info);
  rc = check_operands(args, es, true);
  if (rc != 0) return rc;
  armbench_gemm_blocking blk;
  if (!normalize_blocking(*info, args->blocking, args->m, args->n, args->k, &blk)) return -EINVAL;
  if (args->k == 0 || args->alpha == 0.0f) {
    scale_c(args->c, args->ldc, args->m, args->n, args->beta);
    return 0;
  }
  if (gemv_applies(args->m, args->n)) return gemv_run(pool, args, info->pub.dtype == ARMBENCH_GEMM_BF16, nullptr);
  return run_gemm(pool, args, *info, blk, nullptr);
}

// Mirrors the choices armbench_gemm and run_gemm make, so records name what ran.
extern "C" const char* armbench_gemm_path(const armbench_gemm_args* args) {
  using namespace armbench::gemm;
  if (args == nullptr) return nullptr;
  const UkernelInfo* info = kernel_info(args->kernel);
  if (info == nullptr) return nullptr;
  thread_local std::string text;
  if (args->m == 0 || args->n == 0) return text = "none (empty C)", text.c_str();
  if (args->k == 0 || args->alpha == 0.0f) return text = "C scaled by beta", text.c_str();
  if (gemv_applies(args->m, args->n)) return gemv_name(info->pub.dtype == ARMBENCH_GEMM_BF16);
  const UkernelInfo* run = for_n(info, args->n);
  const bool direct_a = run == ukernel_f32_avx512_narrow() || (run == ukernel_f32_avx512() && !args->trans_a && args->n <= kDirectAMaxN);
  text = std::string(run->pub.name) + (direct_a ? ", A read in place" : "");
  return text.c_str();
}

extern "C" int armbench_gemm_pack_b(size_t kernel, int trans_b, size_t k, size_t n, const void* b, size_t ldb,
                                    const armbench_gemm_blocking* blocking, armbench_gemm_packed_b** out) {
  if (out == nullptr) return -EINVAL;
  *out = nullptr;
  const UkernelInfo* info = kernel_info(kernel);
  if (info == nullptr) return -EINVAL;
  if (!kernel_supported(kernel)) return -ENOTSUP;
  info = for_n(info, n);
  const size_t es = elem_bytes(*info);
  if (k > 0 && n > 0) {
    if (b == nullptr) return -EINVAL;
    if (!(trans_b ? matrix_ok(n, k, ldb, es) : matrix_ok(k, n, ldb, es))) return -EINVAL;
  }
  armbench_gemm_blocking blk;
  if (!normalize_blocking(*info, blocking, 0, n, k, &blk)) return -EINVAL;
  const size_t kr = info->pub.kr, nr = info->pub.nr;
  const size_t kp = padded_depth(k, blk.kc, kr);
  size_t bytes = 0;
  if (!mul_ok(kp, round_up(n, nr), &bytes) || !mul_ok(bytes, es, &bytes)) return -ENOMEM;
  armbench_gemm_packed_b* p = new (std::nothrow) armbench_gemm_packed_b;
  if (p == nullptr) return -ENOMEM;
  p->kernel = kernel;
  p->k = k;
  p->n = n;
  p->blocking = blk;
  p->kp = kp;
  p->data = aligned_alloc(4096, round_up(bytes > 0 ? bytes : 1, 4096));
  if (p->data == nullptr) {
    delete p;
    return -ENOMEM;
  }
  char* data = static_cast<char*>(p->data);
  for (size_t jc = 0; jc < n; jc += blk.nc) {
    const size_t ncb = n - jc < blk.nc ? n - jc : blk.nc;
    const size_t np = ceil_div(ncb, nr);
    for (size_t pc = 0; pc < k; pc += blk.kc) {
      const size_t kcb = k - pc < blk.kc ? k - pc : blk.kc;
      const PackSource src = pack_source_b(b, ldb, trans_b != 0, es, pc, jc);
      pack_panels(src, ncb, kcb, nr, kr, 0, np, data + (jc * kp + pc * np * nr) * es);
    }
  }
  *out = p;
  return 0;
}

extern "C" void armbench_gemm_packed_b_free(armbench_gemm_packed_b* packed) {
  if (packed == nullptr) return;
  free(packed->data);
  delete packed;
}

extern "C" int armbench_gemm_packed(armbench_gemm_pool* pool, const armbench_gemm_args* args,
                                    const armbench_gemm_packed_b* packed) {
  if (args == nullptr || packed == nullptr) return -EINVAL;
  if (args->k != packed->k || args->n != packed->n) return -EINVAL;
  const UkernelInfo* info = kernel_info(packed->kernel);
  if (info == nullptr) return -EINVAL;
  if (!kernel_supported(packed->kernel)) return -ENOTSUP;
  info = for_n(info, packed->n);
  if (args->m == 0 || args->n == 0) return 0;
  const size_t es = elem_bytes(*info);
  int rc = check_operands(args, es, false);
  if (rc != 0) return rc;
  if (args->k == 0 || args->alpha == 0.0f) {
    scale_c(args->c, args->ldc, args->m, args->n, args->beta);
    return 0;
  }
  if (gemv_applies_packed(args->m, args->n)) {
    const GemvPackedColumn col{packed->data, info->pub.nr, info->pub.kr, packed->blocking.kc};
    return gemv_run(pool, args, info->pub.dtype == ARMBENCH_GEMM_BF16, &col);
  }
  armbench_gemm_blocking blk = packed->blocking;
  // mc is free (it does not change the summation order): clamp it to this m.
  if (blk.mc > round_up(args->m, info->pub.mr)) blk.mc = round_up(args->m, info->pub.mr);
  return run_gemm(pool, args, *info, blk, packed);
}
