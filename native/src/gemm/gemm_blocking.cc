// Blocking and threading helpers shared by the GEMM drivers (fp32/bf16 in
// gemm_driver.cc, integer in igemm_driver.cc): what depends only on the tile shape,
// the element size and the caches, never on the element type.
#include <stdint.h>

#include "../runtime/cache_sizes.h"
#include "blocking.h"
#include "pack.h"

namespace armbench {
namespace gemm {

constexpr size_t kMaxNc = 4096;

armbench_gemm_blocking blocking_for_tile(size_t mr, size_t nr, size_t kr, size_t es, bool tiles) {
  const armbench::runtime::CacheSizes& c = armbench::runtime::cache_sizes();
  // kc: the A micro-panel (mr x kc) in 3/4 of L1d, at most 2 KiB of depth per row
  // (512 fp32, 1024 bf16). The B micro-panel (kc x nr) then streams from L2 with the
  // A block. Measured on Zen 4 (12x32, 1024^3, one thread): the textbook rule, both
  // micro-panels in half of L1d, gives kc = 93 and 76% of peak; kc 186: 85%,
  // 256: 88%, 512: 90%: a longer k loop amortizes each tile's C update, and L2
  // feeds the streams easily (176 bytes per 24 FMA cycles).
  // A kernel with its own A interleave loads A as matrix tiles (AMX), not one broadcast
  // per row and step from L1: kc is then the 2 KiB cap, and the A block a quarter of L2.
  // Measured with bf16_amx_32x32 on an Intel VM (L1d 48 KiB, L2 2 MiB, one thread,
  // 1024^3 / 2048^3 GFLOP/s): mc 896 kc 576 (the L1 rule) 346 / -, 896 x 1152 402,
  // 512 x 1024 430 / 555, 256 x 1024 514 / 621, 224 x 1024 490 / 604.
  size_t kc = tiles ? 2048 / es : c.l1d * 3 / 4 / (mr * es);
  if (kc * es > 2048) kc = 2048 / es;
  kc = kc / kr * kr;
  if (kc < 16 * kr) kc = 16 * kr;
  // The A block (mc x kc): half of L2 (a quarter for tiles).
  size_t mc = c.l2 / (tiles ? 4 : 2) / (kc * es) / mr * mr;
  if (mc < mr) mc = mr;
  // The B block (kc x nc): at most half of L3, nc capped.
  size_t nc = c.l3 / 2 / (kc * es) / nr * nr;
  if (nc > kMaxNc) nc = kMaxNc / nr * nr;
  if (nc < nr) nc = nr;
  return armbench_gemm_blocking{mc, kc, nc};
}

// Thread grid: tm * tn == threads, minimizing the largest per-thread tile count; a
// split of N costs a little more (the A block is packed by each thread of a row).
void thread_grid(size_t threads, size_t mtiles, size_t ntiles, size_t* tm, size_t* tn) {
  double best = -1;
  for (size_t d = 1; d <= threads; ++d) {
    if (threads % d != 0) continue;
    const size_t e = threads / d;
    double cost = static_cast<double>(ceil_div(mtiles, d)) * static_cast<double>(ceil_div(ntiles, e));
    if (e > 1) cost *= 1.03;
    if (best < 0 || cost <= best) {
      best = cost;
      *tm = d;
      *tn = e;
    }
  }
}

ThreadRows thread_rows(size_t t, size_t tm, size_t tn, size_t m, size_t mr) {
  const size_t ti = t / tn, mtiles = ceil_div(m, mr);
  const size_t m1 = (ti + 1) * mtiles / tm * mr;
  return ThreadRows{ti * mtiles / tm * mr, m1 < m ? m1 : m, t % tn};
}

bool mul_ok(size_t a, size_t b, size_t* out) {
  if (a != 0 && b > SIZE_MAX / a) return false;
  *out = a * b;
  return true;
}

// rows x cols with row stride ld of elem_bytes elements: ld >= max(cols, 1) and the
// span addressable.
bool matrix_ok(size_t rows, size_t cols, size_t ld, size_t es) {
  if (ld < cols || ld == 0) return false;
  size_t span;
  if (!mul_ok(rows, ld, &span) || !mul_ok(span, es, &span)) return false;
  return true;
}

}  // namespace gemm
}  // namespace armbench
