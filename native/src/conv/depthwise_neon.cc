// Depthwise 3x3 row kernel, NEON: up to 4 q accumulators of 4 output columns each take
// all 9 taps before one store (the portable path read-modify-writes y once per tap);
// the last n % 4 columns one at a time, with the same taps in the same order. Stride 2
// de-interleaves with LD2 (fp32) or keeps the low half of each 32-bit lane (bf16);
// both read one element past the last tap, which the row contract allows. Built with
// -march=armv8-a.
#include "depthwise.h"

#include "../runtime/mca_region.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

namespace armbench {
namespace conv {
namespace {

constexpr size_t kLanes = 4;
constexpr int kMaxV = 4;

// One tap's inputs for the 4 columns at p: column t reads p[t * S].
template <int S>
float32x4_t load(const float* p) {
  if (S == 1) return vld1q_f32(p);
  return vld2q_f32(p).val[0];
}

template <int S>
float32x4_t load(const uint16_t* p) {
  if (S == 1) return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
  return vreinterpretq_f32_u32(vshlq_n_u32(vreinterpretq_u32_u16(vld1q_u16(p)), 16));
}

float value(const float* p) { return *p; }
float value(const uint16_t* p) {
  const uint32_t bits = static_cast<uint32_t>(*p) << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

// V full vectors from column c.
template <typename T, int S, int V>
void block(const DepthwiseRow& a, size_t c) {
  float32x4_t acc[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) acc[v] = vdupq_n_f32(0.0f);
  for (int i = 0; i < 3; ++i) {
    if (a.x[i] == nullptr) continue;
    const T* xr = static_cast<const T*>(a.x[i]) + c * S;
    for (int j = 0; j < 3; ++j) {
      const float32x4_t wv = vdupq_n_f32(a.w[i * 3 + j]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[v] = vfmaq_f32(acc[v], load<S>(xr + v * kLanes * S + j), wv);
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) vst1q_f32(a.y + c + v * kLanes, acc[v]);
}

template <typename T, int S>
void run(const DepthwiseRow& a) {
  size_t c = 0;
  if (sizeof(T) == 4) {
    ARMBENCH_MCA_BEGIN("depthwise.row_f32.s%c0" :: "i"(S));
  } else {
    ARMBENCH_MCA_BEGIN("depthwise.row_bf16.s%c0" :: "i"(S));
  }
  for (; a.n - c >= kMaxV * kLanes; c += kMaxV * kLanes) block<T, S, kMaxV>(a, c);
  ARMBENCH_MCA_END();
  switch ((a.n - c) / kLanes) {
    case 1: block<T, S, 1>(a, c); break;
    case 2: block<T, S, 2>(a, c); break;
    case 3: block<T, S, 3>(a, c); break;
    default: break;
  }
  for (c += (a.n - c) / kLanes * kLanes; c < a.n; ++c) {
    float acc = 0.0f;
    for (int i = 0; i < 3; ++i) {
      if (a.x[i] == nullptr) continue;
      const T* xr = static_cast<const T*>(a.x[i]) + c * S;
      for (int j = 0; j < 3; ++j) acc = fmaf(value(xr + j), a.w[i * 3 + j], acc);
    }
    a.y[c] = acc;
  }
}

template <typename T>
void row(const DepthwiseRow& a) {
  if (a.stride == 1) {
    run<T, 1>(a);
  } else {
    run<T, 2>(a);
  }
}

}  // namespace

DepthwiseRowKernel depthwise_row_neon() { return row<float>; }
DepthwiseRowKernel depthwise_row_bf16_neon() { return row<uint16_t>; }

}  // namespace conv
}  // namespace armbench

#else

namespace armbench {
namespace conv {
DepthwiseRowKernel depthwise_row_neon() { return nullptr; }
DepthwiseRowKernel depthwise_row_bf16_neon() { return nullptr; }
}  // namespace conv
}  // namespace armbench

#endif
