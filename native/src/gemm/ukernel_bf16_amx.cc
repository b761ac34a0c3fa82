// bf16 microkernel with AMX (-mamx-tile -mamx-bf16 -mavx512f): TDPBF16PS, 32x32.
//
// Four 16x16 fp32 C tiles (tmm0-3) over two A tiles (rows 0-15 and 16-31, tmm4-5) and
// two B tiles (columns 0-15 and 16-31, tmm6-7): the eight tiles AMX has. Per 32 values
// of k (one tile depth) four TDPBF16PS compute 32x32x32 multiply-adds.
//
// B panels are the kr = 2 panels, which are what AMX wants of B (a tile row is one k
// pair of 16 columns: row t of the tile for columns 0-15 is the first 64 bytes of pair
// t's 128-byte row). An A tile row must hold 32 consecutive k values of one row of A,
// so A panels are packed with a k interleave of 32 (UkernelInfo::a_kr): each depth step
// of A is then two tiles as they lie. (Transposing kr = 2 A panels in the kernel
// instead, once per tile call, held it to 171 GFLOP/s with scalar copies and 295 with
// AVX-512 shuffles, 1024^3 bf16, one thread, on an Intel VM.) The last step of a depth
// that is not a multiple of 32 takes its B pairs from a zero-padded copy, so no tile
// reads past the panel; packing left A's zero there.
//
// TDPBF16PS sums each pair's two products into the fp32 accumulator, treating
// denormal inputs as zero and flushing denormal results (like VDPBF16PS).
//
// Linux hands out tile state only to a process that asked for it (arch_prctl, see
// armbench_amx_tile_permission); the registry lists this kernel as unsupported where
// that was refused. The tile configuration is per thread and other code may change
// it, so each call loads its own.
#if defined(__x86_64__) && defined(__AMX_TILE__) && defined(__AMX_BF16__)

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../runtime/amx_tile_config.h"
#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 32;
constexpr int kNr = 32;
constexpr int kPairs = 16;  // k pairs per tile depth (32 bf16 values = 64 bytes a row)


void run(size_t kc, const void* a_panel, const void* b_panel, float* c, size_t ldc, float alpha, float beta) {
  // A: [depth step][kMr rows][32 bf16] (a_kr 32, zero past kc); B: [kc / 2][kNr] 32-bit pairs.
  const uint16_t* a = static_cast<const uint16_t*>(a_panel);
  const uint32_t* b = static_cast<const uint32_t*>(b_panel);
  const size_t pairs = kc / 2;
  alignas(64) uint32_t bt[kPairs][kNr];  // a last, partial depth step of B
  alignas(64) float ct[kMr][kNr];

  _tile_loadconfig(&runtime::kAmxFullTiles);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (size_t p0 = 0; p0 < pairs; p0 += kPairs, a += kMr * 2 * kPairs) {
    const size_t n = pairs - p0 < kPairs ? pairs - p0 : kPairs;
    const uint32_t* bp = b + p0 * kNr;
    if (n < static_cast<size_t>(kPairs)) {
      memcpy(bt, bp, n * kNr * sizeof(uint32_t));
      memset(&bt[n][0], 0, (kPairs - n) * kNr * sizeof(uint32_t));
      bp = &bt[0][0];
    }
    _tile_loadd(4, a, 2 * kPairs * sizeof(uint16_t));
    _tile_loadd(5, a + 16 * 2 * kPairs, 2 * kPairs * sizeof(uint16_t));
    _tile_loadd(6, bp, kNr * sizeof(uint32_t));
    _tile_loadd(7, bp + 16, kNr * sizeof(uint32_t));
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, &ct[0][0], kNr * sizeof(float));
  _tile_stored(1, &ct[0][16], kNr * sizeof(float));
  _tile_stored(2, &ct[16][0], kNr * sizeof(float));
  _tile_stored(3, &ct[16][16], kNr * sizeof(float));
  _tile_release();

  // c = alpha * acc (+ beta * c): beta == 0 never reads c (it may hold NaN).
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  for (int i = 0; i < kMr; ++i) {
    for (int h = 0; h < kNr; h += 16) {
      __m512 v = _mm512_mul_ps(va, _mm512_load_ps(&ct[i][h]));
      if (beta != 0.0f) v = _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + i * ldc + h), v);
      _mm512_storeu_ps(c + i * ldc + h, v);
    }
  }
}

const UkernelInfo kInfo = {
    {"bf16_amx_32x32", "amx_bf16", ARMBENCH_GEMM_BF16, kMr, kNr, 2},
    {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_AMX_TILE, ARMBENCH_FEATURE_AMX_BF16},
    3,
    run,
    40,
    2 * kPairs,  // A rows of 32 k values: an A tile's rows
};

}  // namespace

const UkernelInfo* ukernel_bf16_amx() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "gemm_ukernel.h"

namespace armbench {
namespace gemm {
const UkernelInfo* ukernel_bf16_amx() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
