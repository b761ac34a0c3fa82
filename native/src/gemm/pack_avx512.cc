// Packing loops with AVX-512 (-mavx512f -mavx512bw), chosen at run time (pack.h).
//
// bf16 pairs: a kr = 2 panel of rows contiguous in memory (B not transposed) takes
// two source rows (depth steps 2q and 2q + 1) and interleaves them element by element;
// one VPERMT2W per 32 output elements instead of 64 scalar moves.
// 32-bit transpose (depth contiguous: A not transposed, fp32 or bf16 pairs, w <= 16):
// 16 depth steps of all w rows are loaded as 16 vectors, transposed in registers
// (unpack ps, unpack pd, two rounds of 128-bit lane shuffles), and each depth step's
// w elements stored with one masked store; scalar code moved one element at a time.
// Measured (Zen 4, cold A, 1760x16x1760 fp32): software prefetch of each row 64, 128
// or 256 elements ahead made it slower (53 -> 49, 43, 33 GFLOP/s), so there is none.
// 32-bit rows (rows contiguous: fp32 B not transposed, w a multiple of 16): one pass
// over each source row (depth step), its w-wide pieces into every panel, so the
// source streams in order; rows past the matrix become zeros through masked loads.
#include "pack.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>

// GCC 12's AVX-512 headers pass _mm512_undefined_*() as the merge source of unmasked
// shuffles, which -Wmaybe-uninitialized reports once inlined; nothing is read from it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace armbench {
namespace gemm {
namespace {

void pairs(const uint16_t* src, size_t ps, size_t w, size_t npairs, uint16_t* dst) {
  alignas(64) uint16_t lo_idx[32], hi_idx[32];
  for (unsigned i = 0; i < 16; ++i) {
    lo_idx[2 * i] = static_cast<uint16_t>(i);
    lo_idx[2 * i + 1] = static_cast<uint16_t>(32 + i);
    hi_idx[2 * i] = static_cast<uint16_t>(16 + i);
    hi_idx[2 * i + 1] = static_cast<uint16_t>(48 + i);
  }
  const __m512i lo = _mm512_load_si512(lo_idx), hi = _mm512_load_si512(hi_idx);
  for (size_t q = 0; q < npairs; ++q) {
    const uint16_t* s0 = src + 2 * q * ps;
    const uint16_t* s1 = s0 + ps;
    uint16_t* d = dst + q * w * 2;
    for (size_t r = 0; r < w; r += 32) {
      const __m512i a = _mm512_loadu_si512(s0 + r);
      const __m512i b = _mm512_loadu_si512(s1 + r);
      _mm512_storeu_si512(d + 2 * r, _mm512_permutex2var_epi16(a, lo, b));
      _mm512_storeu_si512(d + 2 * r + 32, _mm512_permutex2var_epi16(a, hi, b));
    }
  }
}

inline __mmask16 lanes(size_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

void transpose32(const uint32_t* src, size_t rs, size_t rv, size_t w, size_t depth, uint32_t* dst) {
  const __mmask16 wm = lanes(w);
  for (size_t p0 = 0; p0 < depth; p0 += 16) {
    const size_t dn = depth - p0 < 16 ? depth - p0 : 16;
    const __mmask16 dm = lanes(dn);
    __m512 r[16];
    for (size_t i = 0; i < 16; ++i) {
      r[i] = i < rv ? _mm512_maskz_loadu_ps(dm, src + i * rs + p0) : _mm512_setzero_ps();
    }
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
      t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    __m512 u[16];
    for (int g = 0; g < 4; ++g) {
      const __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
      const __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
      u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
      u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
      u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
      u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    float* out = reinterpret_cast<float*>(dst + p0 * w);
    for (int c = 0; c < 4; ++c) {
      const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44);
      const __m512 v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
      const __m512 v2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44);
      const __m512 v3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
      const __m512 o[4] = {_mm512_shuffle_f32x4(v0, v2, 0x88), _mm512_shuffle_f32x4(v0, v2, 0xDD),
                           _mm512_shuffle_f32x4(v1, v3, 0x88), _mm512_shuffle_f32x4(v1, v3, 0xDD)};
      for (int l = 0; l < 4; ++l) {
        const size_t j = static_cast<size_t>(4 * l + c);  // depth step within the block
        if (j < dn) _mm512_mask_storeu_ps(out + j * w, wm, o[l]);
      }
    }
  }
}

void rows32(const uint32_t* src, size_t ps, size_t rows, size_t w, size_t depth, size_t panel0, size_t panel1,
            size_t panel_elems, uint32_t* dst) {
  for (size_t p = 0; p < depth; ++p) {
    const uint32_t* s = src + p * ps;
    for (size_t q = panel0; q < panel1; ++q) {
      uint32_t* d = dst + q * panel_elems + p * w;
      const size_t r0 = q * w;
      if (r0 + w <= rows) {
        for (size_t v = 0; v < w; v += 16) _mm512_storeu_si512(d + v, _mm512_loadu_si512(s + r0 + v));
      } else {
        for (size_t v = 0; v < w; v += 16) {
          const size_t left = r0 + v < rows ? rows - r0 - v : 0;
          _mm512_storeu_si512(d + v, _mm512_maskz_loadu_epi32(lanes(left), s + r0 + v));
        }
      }
    }
  }
}

}  // namespace

PackPairsFn pack_bf16_pairs_avx512() { return pairs; }
PackTransposeFn pack_transpose32_avx512() { return transpose32; }
PackRowsFn pack_rows32_avx512() { return rows32; }

}  // namespace gemm
}  // namespace armbench

#else

namespace armbench {
namespace gemm {
PackPairsFn pack_bf16_pairs_avx512() { return nullptr; }
PackTransposeFn pack_transpose32_avx512() { return nullptr; }
PackRowsFn pack_rows32_avx512() { return nullptr; }
}  // namespace gemm
}  // namespace armbench

#endif
