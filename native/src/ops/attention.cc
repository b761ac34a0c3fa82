// Fused attention (armbench_attention): per head, a tile of query rows at a time,
// scores = scale q kt by GEMM into a tile-sized scratch, the mask rows added, softmax
// over each row in place, then y rows = scores v by GEMM. Unfused, BERT-base writes and
// reads a [1,12,128,128] score tensor three times per layer (product, mask add,
// softmax) and the scale once more; here a tile's scores (at most kTileRows x sk
// floats, 32 KiB at sk = 128) stay in L1/L2 between the five steps.
//
// No ISA file of its own: the vector work is the GEMM's microkernels and the op set's
// add and softmax rows, each already chosen at run time for this CPU, so x86 and Arm
// get their best paths from what exists. The scalar reference (attention_ref) is the
// family's oracle; the tests hold both against a double-precision one of their own.
//
// Exactness: each score is the GEMM's fp32 sum times scale, then + mask, exactly what
// the matmul, Mul/Div and Add steps compute (a Div by d becomes alpha = 1 / d, exact
// for BERT's power-of-two sqrt(64) and otherwise within an ulp); the softmax is the
// set's rows, so the fused and unfused paths agree to the bound of the softmax.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <vector>

#include "armbench/bf16.h"
#include "armbench/gemm.h"
#include "armbench/ops.h"
#include "ops_internal.h"

namespace armbench {
namespace ops {
namespace {

// Query rows per tile: enough rows that the GEMM microkernels run full register
// tiles, few enough that a tile of 512 keys is still 64 KiB.
constexpr size_t kTileRows = 64;

size_t tiles_per_head(const armbench_attention_args* a) { return (a->sq + kTileRows - 1) / kTileRows; }

// Element offsets of problem p's matrices and of its mask origin.
struct Problem {
  size_t q, kt, v, y, mask;
};

Problem problem(const armbench_attention_args* a, size_t p) {
  const size_t b = p / a->heads, h = p % a->heads;
  return {p * a->sq * a->dk, p * a->dk * a->sk, p * a->sk * a->dv, p * a->sq * a->dv,
          b * a->mask_strides[0] + h * a->mask_strides[1]};
}

float element(const void* base, size_t i, bool bf16) {
  return bf16 ? armbench_bf16_to_f32(static_cast<const uint16_t*>(base)[i]) : static_cast<const float*>(base)[i];
}

bool args_ok(const armbench_attention_args* a) {
  size_t v;
  if (a == nullptr || a->q == nullptr || a->kt == nullptr || a->v == nullptr || a->y == nullptr) return false;
  if (a->dtype != ARMBENCH_GEMM_F32 && a->dtype != ARMBENCH_GEMM_BF16) return false;
  if (a->batch == 0 || a->heads == 0 || a->sq == 0 || a->sk == 0 || a->dk == 0 || a->dv == 0) return false;
  if (!isfinite(a->scale)) return false;
  const size_t problems = a->batch * a->heads;
  return volume(&v, a->batch, a->heads, 1, 1) && volume(&v, problems, a->sq, a->dk, 1) &&
         volume(&v, problems, a->dk, a->sk, 1) && volume(&v, problems, a->sk, a->dv, 1) &&
         volume(&v, problems, a->sq, a->dv, 1) && volume(&v, kTileRows, a->sk, 2, 1);
}

// kt and v of one problem packed once for the GEMM kernel, then read by each of its
// tiles: packing them again per tile cost more than the tile's own arithmetic saves.
struct Packed {
  armbench_gemm_packed_b* kt = nullptr;
  armbench_gemm_packed_b* v = nullptr;
  ~Packed() { reset(); }
  void reset() {
    armbench_gemm_packed_b_free(kt);
    armbench_gemm_packed_b_free(v);
    kt = v = nullptr;
  }
  int pack(const armbench_attention_args* a, size_t p) {
    reset();
    const size_t elt = a->dtype == ARMBENCH_GEMM_BF16 ? sizeof(uint16_t) : sizeof(float);
    const Problem o = problem(a, p);
    int rc = armbench_gemm_pack_b(a->gemm_kernel, 0, a->dk, a->sk, static_cast<const unsigned char*>(a->kt) + o.kt * elt,
                                  a->sk, nullptr, &kt);
    if (rc == 0)
      rc = armbench_gemm_pack_b(a->gemm_kernel, 0, a->sk, a->dv, static_cast<const unsigned char*>(a->v) + o.v * elt,
                                a->dv, nullptr, &v);
    return rc;
  }
};

// One tile: rows [r0, r1) of problem p (its kt and v in `packed`), `s` a scratch of
// (r1 - r0) x sk floats (and, bf16, `s16` as many uint16 after it).
int tile(const armbench_attention_args* a, const EltwiseKernels* k, const Packed& packed, size_t p, size_t r0,
         size_t r1, float* s, uint16_t* s16) {
  const bool bf16 = a->dtype == ARMBENCH_GEMM_BF16;
  const size_t elt = bf16 ? sizeof(uint16_t) : sizeof(float);
  const size_t rows = r1 - r0, sk = a->sk;
  const Problem o = problem(a, p);
  armbench_gemm_args g{};
  g.kernel = a->gemm_kernel;
  g.m = rows, g.n = sk, g.k = a->dk;
  g.alpha = a->scale, g.beta = 0.0f;
  g.a = static_cast<const unsigned char*>(a->q) + (o.q + r0 * a->dk) * elt;
  g.lda = a->dk;
  g.c = s;
  g.ldc = sk;
  int rc = armbench_gemm_packed(nullptr, &g, packed.kt);
  if (rc != 0) return rc;
  if (a->mask != nullptr) {
    const size_t cs = a->mask_strides[3];
    for (size_t i = 0; i < rows; ++i) {
      const float* m = a->mask + o.mask + (r0 + i) * a->mask_strides[2];
      float* row = s + i * sk;
      if (cs == 1) {
        k->add(row, m, row, sk);
      } else {
        for (size_t j = 0; j < sk; ++j) row[j] += m[j * cs];
      }
    }
  }
  k->softmax(rows, sk, s, s, 0);
  if (bf16) armbench_f32_to_bf16_array(s, s16, rows * sk, ARMBENCH_BF16_RNE);
  g.m = rows, g.n = a->dv, g.k = sk;
  g.alpha = 1.0f;
  g.a = bf16 ? static_cast<const void*>(s16) : static_cast<const void*>(s);
  g.lda = sk;
  g.c = a->y + o.y + r0 * a->dv;
  g.ldc = a->dv;
  return armbench_gemm_packed(nullptr, &g, packed.v);
}

}  // namespace

void attention_ref(const armbench_attention_args* a, size_t begin, size_t end) {
  const bool bf16 = a->dtype == ARMBENCH_GEMM_BF16;
  const size_t per = tiles_per_head(a), sk = a->sk;
  std::vector<float> row(sk);
  float* s = row.data();
  for (size_t t = begin; t < end; ++t) {
    const size_t p = t / per, r0 = t % per * kTileRows;
    const size_t r1 = r0 + kTileRows < a->sq ? r0 + kTileRows : a->sq;
    const Problem o = problem(a, p);
    for (size_t i = r0; i < r1; ++i) {
      for (size_t j = 0; j < sk; ++j) {
        double acc = 0.0;
        for (size_t d = 0; d < a->dk; ++d)
          acc += static_cast<double>(element(a->q, o.q + i * a->dk + d, bf16)) * element(a->kt, o.kt + d * sk + j, bf16);
        s[j] = static_cast<float>(acc) * a->scale;
        if (a->mask != nullptr) s[j] += a->mask[o.mask + i * a->mask_strides[2] + j * a->mask_strides[3]];
      }
      softmax_ref(1, sk, s, s, 0);
      if (bf16)
        for (size_t j = 0; j < sk; ++j) s[j] = armbench_bf16_to_f32(armbench_f32_to_bf16(s[j], ARMBENCH_BF16_RNE));
      for (size_t c = 0; c < a->dv; ++c) {
        double acc = 0.0;
        for (size_t j = 0; j < sk; ++j) acc += static_cast<double>(s[j]) * element(a->v, o.v + j * a->dv + c, bf16);
        a->y[o.y + i * a->dv + c] = static_cast<float>(acc);
      }
    }
  }
}

}  // namespace ops
}  // namespace armbench

using armbench::ops::kTileRows;

extern "C" size_t armbench_attention_tile_rows(void) { return kTileRows; }

extern "C" size_t armbench_attention_tiles(const armbench_attention_args* a) {
  return armbench::ops::args_ok(a) ? a->batch * a->heads * armbench::ops::tiles_per_head(a) : 0;
}

extern "C" int armbench_attention(const armbench_attention_args* a, size_t begin, size_t end) {
  if (!armbench::ops::args_ok(a)) return -EINVAL;
  const armbench_gemm_kernel* k = armbench_gemm_kernel_at(a->gemm_kernel);
  if (k == nullptr || static_cast<int>(k->dtype) != a->dtype) return -EINVAL;
  if (armbench_gemm_kernel_unsupported(a->gemm_kernel) != nullptr) return -ENOTSUP;
  const size_t tiles = armbench_attention_tiles(a), per = armbench::ops::tiles_per_head(a);
  if (end > tiles) end = tiles;
  if (begin >= end) return 0;
  // One tile's scores for the whole range: malloc'd here, as the GEMM's own per-thread
  // scratch is in use by the GEMMs this runs.
  const size_t floats = kTileRows * a->sk;
  const bool bf16 = a->dtype == ARMBENCH_GEMM_BF16;
  float* s = static_cast<float*>(malloc(floats * sizeof(float) + (bf16 ? floats * sizeof(uint16_t) : 0)));
  if (s == nullptr) return -ENOMEM;
  uint16_t* s16 = bf16 ? reinterpret_cast<uint16_t*>(s + floats) : nullptr;
  const armbench::ops::EltwiseKernels* set = armbench::ops::ops_best_kernels();
  armbench::ops::Packed packed;
  int rc = 0;
  for (size_t t = begin; t < end && rc == 0; ++t) {
    const size_t p = t / per, r0 = t % per * kTileRows;
    if (t == begin || r0 == 0) rc = packed.pack(a, p);
    if (rc == 0) rc = armbench::ops::tile(a, set, packed, p, r0, r0 + kTileRows < a->sq ? r0 + kTileRows : a->sq, s, s16);
  }
  free(s);
  return rc;
}
