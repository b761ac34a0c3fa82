// Gather (embedding look-ups, ONNX Gather on any axis) and the int32 -> fp32 cast of
// token masks: the two ops that read int32 tensors. Indices come from the input data
// at run time, so each is checked before anything is written: a bad one is an error
// the caller can name, never a read outside the table.
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace {

// zero_row: an index equal to axis_len selects a row of zeros.
int gather(size_t outer, size_t axis_len, size_t inner, const float* data, const int32_t* indices, size_t count,
           float* y, size_t begin, size_t end, size_t* bad_at, bool zero_row) {
  size_t elems;
  if (data == nullptr || indices == nullptr || y == nullptr || outer == 0 || axis_len == 0 || inner == 0 ||
      count == 0 || !armbench::ops::volume(&elems, outer, axis_len, inner, 1) ||
      !armbench::ops::volume(&elems, outer, count, inner, 1))
    return -EINVAL;
  // Compared as 64-bit values: axis_len may exceed INT32_MAX.
  const int64_t len = axis_len > static_cast<size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(axis_len);
  for (size_t i = 0; i < count; ++i) {
    const int64_t v = indices[i];
    if (v < -len || v > len || (v == len && !zero_row)) {
      if (bad_at != nullptr) *bad_at = i;
      return -EINVAL;
    }
  }
  const size_t rows = outer * count;
  if (end > rows) end = rows;
  for (size_t r = begin; r < end; ++r) {
    const size_t o = r / count, i = r % count;
    const int64_t v = indices[i];
    if (v == len) {
      memset(y + r * inner, 0, inner * sizeof(float));
      continue;
    }
    const size_t at = static_cast<size_t>(v < 0 ? v + len : v);
    memcpy(y + r * inner, data + (o * axis_len + at) * inner, inner * sizeof(float));
  }
  return 0;
}

}  // namespace

extern "C" int armbench_gather(size_t outer, size_t axis_len, size_t inner, const float* data, const int32_t* indices,
                               size_t count, float* y, size_t begin, size_t end, size_t* bad_at) {
  return gather(outer, axis_len, inner, data, indices, count, y, begin, end, bad_at, false);
}

extern "C" int armbench_gather_zero_row(size_t outer, size_t axis_len, size_t inner, const float* data,
                                        const int32_t* indices, size_t count, float* y, size_t begin, size_t end,
                                        size_t* bad_at) {
  return gather(outer, axis_len, inner, data, indices, count, y, begin, end, bad_at, true);
}

extern "C" void armbench_cast_i32_f32(const int32_t* x, float* y, size_t count) {
  if (x == nullptr || y == nullptr) return;
  // y may be x: each int is read before its float is stored over it.
  for (size_t i = 0; i < count; ++i) {
    const int32_t v = x[i];
    y[i] = static_cast<float>(v);
  }
}
