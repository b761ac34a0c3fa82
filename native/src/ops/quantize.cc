// QuantizeLinear, DequantizeLinear, requantization and MatMulInteger (quantize.h):
// portable loops, and the int8 GEMM (igemm.h) for MatMulInteger's products.
#include "armbench/quantize.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <memory>
#include <new>
#include <vector>

#include "armbench/cpu_features.h"
#include "armbench/igemm.h"
#include "dq_internal.h"
#include "../runtime/pool.h"

namespace {

// Parameter j of a list of count values (1: the one for every slice).
template <typename T>
T at(const T* v, size_t count, size_t j) {
  return count == 1 ? v[0] : v[j];
}

int32_t zero_at(armbench_qparam_s32 z, size_t j) { return z.v == nullptr ? 0 : at(z.v, z.count, j); }

// round-half-even(q) + zero, saturated; q not NaN. In double, where q + zero is exact.
int32_t saturate(double q, int32_t zero, int32_t qmin, int32_t qmax) {
  const double v = q + zero;
  if (v <= qmin) return qmin;
  if (v >= qmax) return qmax;
  return static_cast<int32_t>(v);
}

// QuantizeLinear of one value: the quotient in fp32 (ONNX's division), ties to even, the
// zero point added and the sum saturated; a NaN quotient gives the zero point.
int32_t quantize_one(float x, float scale, int32_t zero, int32_t qmin, int32_t qmax, bool toward_zero) {
  const float q = x / scale;
  if (isnan(q)) return zero < qmin ? qmin : zero > qmax ? qmax : zero;
  return saturate(toward_zero ? truncf(q) : nearbyintf(q), zero, qmin, qmax);
}

// The 64-byte-aligned pieces of a MatMulInteger workspace.
struct Work {
  unsigned char* a;  // m x k bytes of a's own type
  int8_t* b;         // k x n int8
  int32_t* rows;     // m sums of a's rows
  int32_t* cols;     // n sums of b's columns (as int8)
};

size_t up64(size_t v) { return (v + 63) / 64 * 64; }

Work carve(void* w, size_t m, size_t n, size_t k) {
  unsigned char* p = static_cast<unsigned char*>(w);
  Work r;
  r.a = p;
  p += up64(m * k);
  r.b = reinterpret_cast<int8_t*>(p);
  p += up64(k * n);
  r.rows = reinterpret_cast<int32_t*>(p);
  p += up64(m * sizeof(int32_t));
  r.cols = reinterpret_cast<int32_t*>(p);
  return r;
}

// The portable set of armbench_dq_matmul's loops (dq_internal.h), in forms the compiler
// vectorizes for the baseline ISA.
void range_portable(const float* x, size_t count, float* lo_out, float* hi_out, bool* nan_out) {
  // Sixteen running minima and maxima, each a lane the compiler keeps in a vector (one
  // running value would be a chain it may not reorder).
  constexpr size_t kLanes = 16;
  float los[kLanes] = {}, his[kLanes] = {};
  int nans[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) {
      const float v = x[i + j];
      los[j] = v < los[j] ? v : los[j];
      his[j] = v > his[j] ? v : his[j];
      nans[j] |= v != v;
    }
  }
  float lo = 0.0f, hi = 0.0f;
  bool nan = false;
  for (size_t j = 0; j < kLanes; ++j) {
    lo = los[j] < lo ? los[j] : lo;
    hi = his[j] > hi ? his[j] : hi;
    nan |= nans[j] != 0;
  }
  for (; i < count; ++i) {
    const float v = x[i];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    nan |= v != v;
  }
  *lo_out = lo, *hi_out = hi, *nan_out = nan;
}

void quantize_portable(const float* x, size_t count, float scale, float zero, uint8_t* xq) {
  // |x / scale| <= 255 here, where adding and taking away 1.5 * 2^23 rounds to the
  // nearest integer, ties to even, exactly as nearbyintf does in the default rounding mode.
  const float magic = 12582912.0f;
  for (size_t i = 0; i < count; ++i) {
    float q = ((x[i] / scale + magic) - magic) + zero;
    q = q < 0.0f ? 0.0f : q;
    q = q > 255.0f ? 255.0f : q;
    xq[i] = static_cast<uint8_t>(static_cast<int32_t>(q));
  }
}

void dequantize_portable(const int32_t* acc, size_t m, size_t n, uint32_t zero, const int32_t* colsum, const float* comb,
                         float* y) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const uint32_t c = static_cast<uint32_t>(acc[i * n + j]) - zero * static_cast<uint32_t>(colsum[j]);
      y[i * n + j] = static_cast<float>(static_cast<int32_t>(c)) * comb[j];
    }
  }
}

}  // namespace

namespace armbench {
namespace ops {
extern const DqLoops kDqPortable = {range_portable, quantize_portable, dequantize_portable};
}  // namespace ops
}  // namespace armbench

namespace {

// The best set this CPU runs, chosen once.
const armbench::ops::DqLoops& dq_loops() {
  static const armbench::ops::DqLoops* const chosen = [] {
    const armbench::ops::DqLoops* avx512 = armbench::ops::dq_loops_avx512();
    if (avx512 != nullptr && armbench_cpu_has(ARMBENCH_FEATURE_AVX512F) && armbench_cpu_has(ARMBENCH_FEATURE_AVX512BW)) return avx512;
    const armbench::ops::DqLoops* avx2 = armbench::ops::dq_loops_avx2();
    if (avx2 != nullptr && armbench_cpu_has(ARMBENCH_FEATURE_AVX2)) return avx2;
    const armbench::ops::DqLoops* neon = armbench::ops::dq_loops_neon();
    if (neon != nullptr && armbench_cpu_has(ARMBENCH_FEATURE_ASIMD)) return neon;
    return &armbench::ops::kDqPortable;
  }();
  return *chosen;
}

// armbench_dq_matmul's quantization on every worker of the pool: each takes the range
// of its share, all meet, each combines every share's range (the same figures on every
// worker, min and max being exact) into DynamicQuantizeLinear's scale and zero point,
// then quantizes its share. A NaN anywhere sends every value through the scalar rule,
// whose NaN handling is QuantizeLinear's.
struct DqQuantize {
  const armbench::ops::DqLoops* loops;
  armbench_gemm_pool* pool;
  const float* x;
  size_t count;
  uint8_t* xq;
  float* los;
  float* his;
  char* nans;
  float scale;  // worker 0's, for the epilogue
  int32_t zero;
};

void dq_quantize_task(void* ctx, int index, int threads) {
  DqQuantize& t = *static_cast<DqQuantize*>(ctx);
  size_t b = 0, e = 0;
  armbench::runtime::pool_share(t.count, index, threads, &b, &e);
  bool nan = false;
  t.loops->range(t.x + b, e - b, &t.los[index], &t.his[index], &nan);
  t.nans[index] = nan ? 1 : 0;
  armbench::runtime::pool_barrier(t.pool);
  // The range widened to hold 0 (every share's already is), its 255th the scale, the
  // zero point -min quantized with zero point 0, each step in fp32 as the ops that
  // define it.
  float lo = 0.0f, hi = 0.0f;
  nan = false;
  for (int i = 0; i < threads; ++i) {
    lo = t.los[i] < lo ? t.los[i] : lo;
    hi = t.his[i] > hi ? t.his[i] : hi;
    nan = nan || t.nans[i] != 0;
  }
  const float scale = (hi - lo) / 255.0f;
  const int32_t zero = quantize_one(0.0f - lo, scale, 0, 0, 255, false);
  if (index == 0) t.scale = scale, t.zero = zero;
  if (nan || !(scale > 0.0f) || !isfinite(scale)) {
    for (size_t i = b; i < e; ++i) t.xq[i] = static_cast<uint8_t>(quantize_one(t.x[i], scale, zero, 0, 255, false));
  } else {
    t.loops->quantize(t.x + b, e - b, scale, static_cast<float>(zero), t.xq + b);
  }
}

// The dequantizing epilogue, rows shared among the pool's workers.
struct DqDequantize {
  const armbench::ops::DqLoops* loops;
  const int32_t* acc;
  size_t m, n;
  uint32_t zero;
  const int32_t* colsum;
  const float* comb;
  float* y;
};

void dq_dequantize_task(void* ctx, int index, int threads) {
  const DqDequantize& t = *static_cast<const DqDequantize*>(ctx);
  size_t b = 0, e = 0;
  armbench::runtime::pool_share(t.m, index, threads, &b, &e);
  if (e > b) t.loops->dequantize(t.acc + b * t.n, e - b, t.n, t.zero, t.colsum, t.comb, t.y + b * t.n);
}

}  // namespace

extern "C" {

void armbench_quantize_f32(const float* x, size_t outer, size_t n, size_t inner, armbench_qparam_f32 scale,
                           armbench_qparam_s32 zero, int32_t qmin, int32_t qmax, int toward_zero, int32_t* y) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t j = 0; j < n; ++j) {
      const float s = at(scale.v, scale.count, j);
      const int32_t z = zero_at(zero, j);
      const size_t base = (o * n + j) * inner;
      for (size_t i = 0; i < inner; ++i) y[base + i] = quantize_one(x[base + i], s, z, qmin, qmax, toward_zero != 0);
    }
  }
}

void armbench_dequantize_s32(const int32_t* x, size_t outer, size_t n, size_t inner, armbench_qparam_f32 scale,
                             armbench_qparam_s32 zero, float* y) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t j = 0; j < n; ++j) {
      const float s = at(scale.v, scale.count, j);
      const float z = static_cast<float>(zero_at(zero, j));
      const size_t base = (o * n + j) * inner;
      for (size_t i = 0; i < inner; ++i) y[base + i] = (static_cast<float>(x[base + i]) - z) * s;
    }
  }
}

void armbench_requantize_s32(const int32_t* acc, size_t outer, size_t n, size_t inner, armbench_qparam_f32 mult,
                             armbench_qparam_s32 zero, int32_t qmin, int32_t qmax, int32_t* y) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t j = 0; j < n; ++j) {
      const double s = at(mult.v, mult.count, j);
      const int32_t z = zero_at(zero, j);
      const size_t base = (o * n + j) * inner;
      for (size_t i = 0; i < inner; ++i) {
        const double q = static_cast<double>(acc[base + i]) * s;
        y[base + i] = isnan(q) ? (z < qmin ? qmin : z > qmax ? qmax : z) : saturate(nearbyint(q), z, qmin, qmax);
      }
    }
  }
}

size_t armbench_matmul_integer_work_bytes(size_t m, size_t n, size_t k) {
  return up64(m * k) + up64(k * n) + up64(m * sizeof(int32_t)) + up64(n * sizeof(int32_t));
}

int armbench_matmul_integer(armbench_gemm_pool* pool, size_t kernel, const armbench_matmul_integer_args* g) {
  const size_t m = g->m, n = g->n, k = g->k;
  const Work w = carve(g->work, m, n, k);
  // Sums modulo 2^32 in uint32_t: ONNX's int32 accumulation, without signed overflow.
  for (size_t i = 0; i < m; ++i) {
    uint32_t sum = 0;
    for (size_t p = 0; p < k; ++p) {
      const int32_t v = g->a[i * k + p];
      w.a[i * k + p] = static_cast<unsigned char>(v);  // int8 or uint8 bits alike
      sum += static_cast<uint32_t>(v);
    }
    w.rows[i] = static_cast<int32_t>(sum);
  }
  // A uint8 b as int8: b - 128, and its zero point likewise below.
  const int32_t shift = g->b_signed ? 0 : 128;
  for (size_t j = 0; j < n; ++j) w.cols[j] = 0;
  for (size_t p = 0; p < k; ++p) {
    for (size_t j = 0; j < n; ++j) {
      const int32_t v = g->b[p * n + j] - shift;
      w.b[p * n + j] = static_cast<int8_t>(v);
      w.cols[j] = static_cast<int32_t>(static_cast<uint32_t>(w.cols[j]) + static_cast<uint32_t>(v));
    }
  }
  armbench_igemm_args a{};
  a.kernel = kernel;
  a.a_type = g->a_signed ? ARMBENCH_IGEMM_A_S8 : ARMBENCH_IGEMM_A_U8;
  a.m = m, a.n = n, a.k = k;
  a.a = w.a, a.lda = k;
  a.b = w.b, a.ldb = n;
  a.c = g->y, a.ldc = n;
  const int rc = armbench_igemm(pool, &a);
  if (rc != 0) return rc;
  // (a - za)(b - zb) = ab - za colsum(b) - zb rowsum(a) + k za zb, per element.
  const bool any_a = g->a_zero.v != nullptr, any_b = g->b_zero.v != nullptr;
  if (!any_a && !any_b && shift == 0) return 0;
  for (size_t i = 0; i < m; ++i) {
    const uint32_t za = static_cast<uint32_t>(zero_at(g->a_zero, i));
    for (size_t j = 0; j < n; ++j) {
      const uint32_t zb = static_cast<uint32_t>(zero_at(g->b_zero, j) - shift);
      uint32_t c = static_cast<uint32_t>(g->y[i * n + j]);
      c -= za * static_cast<uint32_t>(w.cols[j]) + zb * static_cast<uint32_t>(w.rows[i]);
      c += static_cast<uint32_t>(k) * za * zb;
      g->y[i * n + j] = static_cast<int32_t>(c);
    }
  }
  return 0;
}

struct armbench_dq_weights {
  armbench_igemm_packed_b* packed = nullptr;
  size_t k = 0, n = 0;
  std::vector<float> scale;
  ~armbench_dq_weights() { armbench_igemm_packed_b_free(packed); }
};

int armbench_dq_weights_pack(size_t kernel, size_t k, size_t n, const int8_t* w, const float* w_scale,
                             armbench_dq_weights** out) {
  if (out == nullptr) return -EINVAL;
  *out = nullptr;
  if (w == nullptr || w_scale == nullptr || k == 0 || n == 0) return -EINVAL;
  std::unique_ptr<armbench_dq_weights> d(new (std::nothrow) armbench_dq_weights);
  if (!d) return -ENOMEM;
  const int rc = armbench_igemm_pack_b(kernel, k, n, w, n, nullptr, &d->packed);
  if (rc != 0) return rc;
  d->k = k, d->n = n;
  d->scale.assign(w_scale, w_scale + n);
  *out = d.release();
  return 0;
}

void armbench_dq_weights_free(armbench_dq_weights* w) { delete w; }

size_t armbench_dq_weights_bytes(const armbench_dq_weights* w) {
  return w == nullptr ? 0 : w->k * w->n + w->n * (sizeof(float) + sizeof(int32_t));
}

size_t armbench_dq_matmul_work_bytes(size_t m, size_t n, size_t k) {
  return up64(m * k) + up64(m * n * sizeof(int32_t)) + up64(n * sizeof(float));
}

int armbench_dq_matmul(armbench_gemm_pool* pool, const armbench_dq_weights* w, size_t m, const float* x, float* y,
                       void* work) {
  if (w == nullptr || x == nullptr || y == nullptr || work == nullptr) return -EINVAL;
  const size_t k = w->k, n = w->n, count = m * k;
  unsigned char* p = static_cast<unsigned char*>(work);
  uint8_t* xq = p;
  int32_t* acc = reinterpret_cast<int32_t*>(p + up64(m * k));
  float* comb = reinterpret_cast<float*>(p + up64(m * k) + up64(m * n * sizeof(int32_t)));
  const int threads = pool != nullptr ? armbench_gemm_pool_threads(pool) : 1;
  std::vector<float> los(threads), his(threads);
  std::vector<char> nans(threads);
  DqQuantize q{&dq_loops(), pool, x, count, xq, los.data(), his.data(), nans.data(), 0.0f, 0};
  armbench::runtime::pool_run(pool, dq_quantize_task, &q);
  armbench_igemm_args a{};
  a.a_type = ARMBENCH_IGEMM_A_U8;
  a.m = m, a.n = n, a.k = k;
  a.a = xq, a.lda = k;
  a.c = acc, a.ldc = n;
  const int rc = armbench_igemm_packed(pool, &a, w->packed);
  if (rc != 0) return rc;
  // (x - zero) w = x w - zero colsum(w), modulo 2^32 as MatMulInteger sums; then Cast and
  // the two Muls: x's scale times the column's first, that product times the sum.
  for (size_t j = 0; j < n; ++j) comb[j] = q.scale * w->scale[j];
  DqDequantize d{&dq_loops(), acc, m, n, static_cast<uint32_t>(q.zero), armbench_igemm_packed_b_colsums(w->packed), comb, y};
  armbench::runtime::pool_run(pool, dq_dequantize_task, &d);
  return 0;
}

}  // extern "C"
