// Integer microkernel with AMX (-mamx-tile -mamx-int8 -mavx512f): TDPBUSD, 32x32,
// uint8 A x int8 B -> int32.
//
// Four 16x16 int32 C tiles (tmm0-3) over two A tiles (rows 0-15 and 16-31, tmm4-5) and
// two B tiles (columns 0-15 and 16-31, tmm6-7): the eight tiles AMX has. Per 64 values
// of k (one tile depth) four TDPBUSD compute 32x32x64 multiply-adds.
//
// B panels are the kr = 4 panels, which are what AMX wants of B (a tile row is one k
// quad of 16 columns: row t of the tile for columns 0-15 is the first 64 bytes of quad
// t's 128-byte row). An A tile row must hold 64 consecutive k values of one row of A,
// so A panels are packed with a k interleave of 64 (IUkernelInfo::a_kr), as the bf16
// AMX kernel does with 32. The last step of a depth that is not a multiple of 64 takes
// its B quads from a zero-padded copy, so no tile reads past the panel; packing left
// A's zero there.
//
// TDPBUSD wraps modulo 2^32 like VPDPBUSD (no saturation), which is the contract.
// Linux hands out tile state only to a process that asked for it; the registry lists
// this kernel as unsupported where that was refused. The tile configuration is loaded
// once per thread and GEMM (enter), not per tile: loading it per 32x32 tile, with C
// passed through a stack copy, held 1024^3 to about 1000 GOP/s on one core of an Intel
// VM whose tile peak is about 6000.
#if defined(__x86_64__) && defined(__AMX_TILE__) && defined(__AMX_INT8__)

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../runtime/amx_tile_config.h"
#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
namespace {

constexpr int kMr = 32;
constexpr int kNr = 32;
constexpr int kQuads = 16;  // k quads per tile depth (64 bytes of k a row)


// The tile configuration for a thread's whole share of a GEMM (IUkernelInfo::enter);
// tilerelease after it puts the tiles back to their init state, so context switches of
// this thread stop carrying 8 KiB of tiles.
void enter() { _tile_loadconfig(&runtime::kAmxFullTiles); }
void leave() { _tile_release(); }

void run(size_t kc, const void* a_panel, const void* b_panel, int32_t* c, size_t ldc, int accumulate,
         const int32_t* bias) {
  // A: [depth step][kMr rows][64 bytes] (a_kr 64, zero past kc); B: [kc / 4][kNr] 32-bit quads.
  const uint8_t* a = static_cast<const uint8_t*>(a_panel);
  const uint32_t* b = static_cast<const uint32_t*>(b_panel);
  const size_t quads = kc / 4;
  const size_t ldcb = ldc * sizeof(int32_t);
  alignas(64) uint32_t bt[kQuads][kNr];  // a last, partial depth step of B

  // C lives in the four tiles for the whole depth: loaded from c (accumulate) or zero,
  // stored straight back, so no copy of the tile passes through memory twice.
  if (accumulate) {
    _tile_loadd(0, c, ldcb);
    _tile_loadd(1, c + 16, ldcb);
    _tile_loadd(2, c + 16 * ldc, ldcb);
    _tile_loadd(3, c + 16 * ldc + 16, ldcb);
  } else {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  }
  for (size_t q0 = 0; q0 < quads; q0 += kQuads, a += kMr * 4 * kQuads) {
    const size_t n = quads - q0 < kQuads ? quads - q0 : kQuads;
    const uint32_t* bp = b + q0 * kNr;
    if (n < static_cast<size_t>(kQuads)) {
      memcpy(bt, bp, n * kNr * sizeof(uint32_t));
      memset(&bt[n][0], 0, (kQuads - n) * kNr * sizeof(uint32_t));
      bp = &bt[0][0];
    }
    _tile_loadd(4, a, 4 * kQuads);
    _tile_loadd(6, bp, kNr * sizeof(uint32_t));
    _tile_dpbusd(0, 4, 6);
    _tile_loadd(7, bp + 16, kNr * sizeof(uint32_t));
    _tile_dpbusd(1, 4, 7);
    _tile_loadd(5, a + 16 * 4 * kQuads, 4 * kQuads);
    _tile_dpbusd(2, 5, 6);
    _tile_dpbusd(3, 5, 7);
  }
  _tile_stored(0, c, ldcb);
  _tile_stored(1, c + 16, ldcb);
  _tile_stored(2, c + 16 * ldc, ldcb);
  _tile_stored(3, c + 16 * ldc + 16, ldcb);
  if (bias == nullptr) return;
  for (int h = 0; h < kNr; h += 16) {
    const __m512i vb = _mm512_loadu_si512(bias + h);
    for (int i = 0; i < kMr; ++i) {
      int32_t* row = c + i * ldc + h;
      _mm512_storeu_si512(row, _mm512_add_epi32(_mm512_loadu_si512(row), vb));
    }
  }
}

const IUkernelInfo kInfo = {
    {"u8s8_amx_32x32", "amx_int8", kMr, kNr, 4, ARMBENCH_IGEMM_A_U8},
    {ARMBENCH_FEATURE_AVX512F, ARMBENCH_FEATURE_AMX_TILE, ARMBENCH_FEATURE_AMX_INT8},
    3,
    run,
    40,
    4 * kQuads,  // A rows of 64 k values: an A tile's rows
    enter,
    leave,
};

}  // namespace

const IUkernelInfo* ukernel_u8s8_amx() { return &kInfo; }

}  // namespace gemm
}  // namespace armbench

#else

#include "igemm_ukernel.h"

namespace armbench {
namespace gemm {
const IUkernelInfo* ukernel_u8s8_amx() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
