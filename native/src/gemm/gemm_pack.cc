// Packing into the microkernel layout. The hot cases get their own loops: depth
// contiguous in memory (A not transposed, B transposed) is transposed in blocks of 8
// depth steps so every source row is read as a short contiguous run; rows contiguous
// (A transposed, B not transposed) is one copy of w elements per depth step.
// Where the CPU has them, AVX-512 loops (pack_avx512.cc, chosen at run time) take the
// hottest cases: 32-bit transposition for w <= 16 (fp32 A; bf16 A, whose depth pairs
// are 32-bit words), one pass over each source row for fp32 B, and the bf16 kr = 2
// interleave of B. Measured on Zen 4 (cold operands, one thread): sbgemm 128x768x3072
// 86 -> 184 GFLOP/s, 1024^3 170 -> 211; sgemm 35x700x2048 60 -> 79, 2048x49x512 51 -> 66.
#include <stdint.h>
#include <string.h>

#include "armbench/cpu_features.h"
#include "pack.h"

namespace armbench {
namespace gemm {

PackSource pack_source_a(const void* a, size_t lda, bool trans, size_t elem_bytes, size_t i0, size_t p0) {
  const char* base = static_cast<const char*>(a);
  if (!trans) return PackSource{base + (i0 * lda + p0) * elem_bytes, lda, 1, elem_bytes};
  return PackSource{base + (p0 * lda + i0) * elem_bytes, 1, lda, elem_bytes};
}

PackSource pack_source_b(const void* b, size_t ldb, bool trans, size_t elem_bytes, size_t p0, size_t j0) {
  const char* base = static_cast<const char*>(b);
  if (!trans) return PackSource{base + (p0 * ldb + j0) * elem_bytes, 1, ldb, elem_bytes};
  return PackSource{base + (j0 * ldb + p0) * elem_bytes, ldb, 1, elem_bytes};
}

namespace {

// One panel: rv valid rows (of w) by depth, into dst (w * round_up(depth, kr) elements).
template <typename T>
void pack_one(const T* src, size_t rs, size_t ps, size_t rv, size_t w, size_t depth, size_t kr, T* dst) {
  if (kr == 1) {
    if (rs == 1) {
      for (size_t p = 0; p < depth; ++p) {
        T* d = dst + p * w;
        memcpy(d, src + p * ps, rv * sizeof(T));
        for (size_t r = rv; r < w; ++r) d[r] = 0;
      }
      return;
    }
    if (rv < w) memset(dst, 0, w * depth * sizeof(T));
    size_t p = 0;
    if (ps == 1) {
      for (; p + 8 <= depth; p += 8) {
        for (size_t r = 0; r < rv; ++r) {
          const T* s = src + r * rs + p;
          T* d = dst + p * w + r;
          d[0 * w] = s[0];
          d[1 * w] = s[1];
          d[2 * w] = s[2];
          d[3 * w] = s[3];
          d[4 * w] = s[4];
          d[5 * w] = s[5];
          d[6 * w] = s[6];
          d[7 * w] = s[7];
        }
      }
    }
    for (; p < depth; ++p) {
      for (size_t r = 0; r < rv; ++r) dst[p * w + r] = src[r * rs + p * ps];
    }
    return;
  }
  const size_t full_q = depth / kr;
  const size_t qs = (depth + kr - 1) / kr;
  if (rv < w) memset(dst, 0, w * qs * kr * sizeof(T));
  for (size_t q = 0; q < full_q; ++q) {
    T* d = dst + q * w * kr;
    if (ps == 1) {
      for (size_t r = 0; r < rv; ++r) {
        const T* s = src + r * rs + q * kr;
        for (size_t t = 0; t < kr; ++t) d[r * kr + t] = s[t];
      }
    } else {
      for (size_t t = 0; t < kr; ++t) {
        const T* s = src + (q * kr + t) * ps;
        for (size_t r = 0; r < rv; ++r) d[r * kr + t] = s[r * rs];
      }
    }
  }
  if (full_q < qs) {
    T* d = dst + full_q * w * kr;
    for (size_t r = 0; r < w; ++r) {
      for (size_t t = 0; t < kr; ++t) {
        const size_t p = full_q * kr + t;
        d[r * kr + t] = (r < rv && p < depth) ? src[r * rs + p * ps] : T(0);
      }
    }
  }
}

bool has_avx512bw() {
  static const bool b = armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW);
  return b;
}
PackTransposeFn transpose_fn() {
  static const PackTransposeFn f = has_avx512bw() ? pack_transpose32_avx512() : nullptr;
  return f;
}
PackRowsFn rows_fn() {
  static const PackRowsFn f = has_avx512bw() ? pack_rows32_avx512() : nullptr;
  return f;
}

// kr = 1, 32-bit elements: the ISA transposition for depth-contiguous panels when
// there is one, else the generic loop.
void pack_one_u32(const uint32_t* src, size_t rs, size_t ps, size_t rv, size_t w, size_t depth, uint32_t* dst) {
  const PackTransposeFn f = ps == 1 && w <= 16 ? transpose_fn() : nullptr;
  if (f != nullptr) {
    f(src, rs, rv, w, depth, dst);
  } else {
    pack_one<uint32_t>(src, rs, ps, rv, w, depth, 1, dst);
  }
}

PackPairsFn pairs_fn() {
  static const PackPairsFn f = [] {
    const PackPairsFn g = pack_bf16_pairs_avx512();
    return g != nullptr && armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW)
               ? g
               : nullptr;
  }();
  return f;
}

// bf16, kr = 2. Depth contiguous (A not transposed): a depth pair is one 32-bit word,
// so the panel is the kr = 1 transposition of 32-bit elements (when rows are 4-byte
// aligned). Rows contiguous (B not transposed): the ISA interleave when there is one.
// The last odd depth step, and everything else, takes the generic loop.
void pack_one_bf16_pairs(const uint16_t* src, size_t rs, size_t ps, size_t rv, size_t w, size_t depth,
                         uint16_t* dst) {
  const size_t full_q = depth / 2;
  bool done = false;
  if (ps == 1 && rs % 2 == 0 && reinterpret_cast<uintptr_t>(src) % 4 == 0 && full_q > 0) {
    pack_one_u32(reinterpret_cast<const uint32_t*>(src), rs / 2, 1, rv, w, full_q, reinterpret_cast<uint32_t*>(dst));
    done = true;
  } else if (rs == 1 && rv == w && w % 32 == 0 && full_q > 0) {
    const PackPairsFn f = pairs_fn();
    if (f != nullptr) {
      f(src, ps, w, full_q, dst);
      done = true;
    }
  }
  if (!done) {
    pack_one<uint16_t>(src, rs, ps, rv, w, depth, 2, dst);
    return;
  }
  if (depth % 2 != 0) {
    uint16_t* d = dst + full_q * w * 2;
    for (size_t r = 0; r < w; ++r) {
      d[r * 2] = r < rv ? src[r * rs + (depth - 1) * ps] : uint16_t(0);
      d[r * 2 + 1] = 0;
    }
  }
}

template <typename T>
void pack_panels_t(const PackSource& s, size_t rows, size_t depth, size_t w, size_t kr, size_t panel0, size_t panel1,
                   void* dst) {
  const size_t panel_elems = w * ((depth + kr - 1) / kr * kr);
  const T* src = static_cast<const T*>(s.src);
  T* out = static_cast<T*>(dst);
  if (sizeof(T) == 4 && kr == 1 && s.row_stride == 1 && w % 16 == 0 && panel0 < panel1) {
    const PackRowsFn f = rows_fn();
    if (f != nullptr) {
      f(reinterpret_cast<const uint32_t*>(src), s.depth_stride, rows, w, depth, panel0, panel1, panel_elems,
        reinterpret_cast<uint32_t*>(out));
      return;
    }
  }
  for (size_t q = panel0; q < panel1; ++q) {
    const size_t r0 = q * w;
    const size_t rv = r0 < rows ? (rows - r0 < w ? rows - r0 : w) : 0;
    if (sizeof(T) == 2 && kr == 2) {
      pack_one_bf16_pairs(reinterpret_cast<const uint16_t*>(src + r0 * s.row_stride), s.row_stride, s.depth_stride,
                          rv, w, depth, reinterpret_cast<uint16_t*>(out + q * panel_elems));
    } else if (sizeof(T) == 4 && kr == 1) {
      pack_one_u32(reinterpret_cast<const uint32_t*>(src + r0 * s.row_stride), s.row_stride, s.depth_stride, rv, w,
                   depth, reinterpret_cast<uint32_t*>(out + q * panel_elems));
    } else {
      pack_one<T>(src + r0 * s.row_stride, s.row_stride, s.depth_stride, rv, w, depth, kr, out + q * panel_elems);
    }
  }
}

}  // namespace

void pack_panels(const PackSource& s, size_t rows, size_t depth, size_t w, size_t kr, size_t panel0, size_t panel1,
                 void* dst) {
  if (s.elem_bytes == 2) {
    pack_panels_t<uint16_t>(s, rows, depth, w, kr, panel0, panel1, dst);
  } else {
    pack_panels_t<uint32_t>(s, rows, depth, w, kr, panel0, panel1, dst);
  }
}

}  // namespace gemm
}  // namespace armbench
