// Transpose (rank 1 to 4, any permutation). The permutation is first simplified:
// axes of extent 1 dropped, and y axes that stay neighbours in x merged (BERT's
// [1, 128, 12, 64] -> [1, 12, 128, 64] becomes rows of 64 contiguous floats), so the
// inner loop is a row copy when x's last axis stays last. When it moves (BERT's K
// transposed, [128, 12, 64] -> [12, 64, 128]) and y's next-to-last axis is x's
// contiguous one, rows are copied in square blocks: each read of x then uses a whole
// cache line and each block of y stays in L1, where a row at a time read one float
// per line of x (a 3 KiB stride).
#include <errno.h>
#include <string.h>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace {

// y as four axes (leading ones of extent 1): extent d[i], x's stride s[i] along it.
struct Walk {
  size_t d[4], s[4];
};

// false when the dims or the permutation are invalid.
bool simplify(size_t ndims, const size_t* x_dims, const size_t* perm, Walk* w) {
  if (ndims < 1 || ndims > 4 || x_dims == nullptr || perm == nullptr) return false;
  size_t elems;
  size_t xd[4] = {1, 1, 1, 1};
  for (size_t i = 0; i < ndims; ++i) xd[i] = x_dims[i];
  if (!armbench::ops::volume(&elems, xd[0], xd[1], xd[2], xd[3]) || elems == 0) return false;
  bool seen[4] = {false, false, false, false};
  for (size_t i = 0; i < ndims; ++i) {
    if (perm[i] >= ndims || seen[perm[i]]) return false;
    seen[perm[i]] = true;
  }
  size_t xs[4];
  size_t stride = 1;
  for (size_t i = ndims; i-- > 0;) xs[i] = stride, stride *= x_dims[i];
  size_t d[4], s[4], r = 0;
  for (size_t i = 0; i < ndims; ++i) {
    const size_t ext = x_dims[perm[i]], st = xs[perm[i]];
    if (ext == 1) continue;
    if (r > 0 && s[r - 1] == st * ext) {  // the previous axis steps over exactly this one
      d[r - 1] *= ext;
      s[r - 1] = st;
      continue;
    }
    d[r] = ext, s[r] = st, ++r;
  }
  for (size_t i = 0; i < 4; ++i) {
    const bool pad = i < 4 - r;
    w->d[i] = pad ? 1 : d[i - (4 - r)];
    w->s[i] = pad ? 0 : s[i - (4 - r)];
  }
  return true;
}

constexpr size_t kBlock = 16;  // floats: one 64-byte line of x per read

// y elements [begin, end) one row piece at a time (x's stride along the row: s[3]).
void rows(const Walk& w, const float* x, float* y, size_t begin, size_t end) {
  const size_t len = w.d[3];
  for (size_t e = begin; e < end;) {
    const size_t row = e / len, j0 = e % len, j1 = len - j0 < end - e ? len : j0 + (end - e);
    const size_t i2 = row % w.d[2], i1 = (row / w.d[2]) % w.d[1], i0 = row / (w.d[2] * w.d[1]);
    const float* src = x + i0 * w.s[0] + i1 * w.s[1] + i2 * w.s[2];
    float* dst = y + row * len;
    if (w.s[3] == 1) {
      memcpy(dst + j0, src + j0, (j1 - j0) * sizeof(float));
    } else {
      const size_t st = w.s[3];
      for (size_t j = j0; j < j1; ++j) dst[j] = src[j * st];
    }
    e += j1 - j0;
  }
}

// Whole rows [row0, row1) where x is contiguous along y's axis 2: up to kBlock rows of
// one (i0, i1) at a time, their columns in blocks of kBlock.
void blocks(const Walk& w, const float* x, float* y, size_t row0, size_t row1) {
  const size_t len = w.d[3], st = w.s[3];
  for (size_t row = row0; row < row1;) {
    const size_t i2 = row % w.d[2], i1 = (row / w.d[2]) % w.d[1], i0 = row / (w.d[2] * w.d[1]);
    size_t group = w.d[2] - i2;
    if (group > kBlock) group = kBlock;
    if (group > row1 - row) group = row1 - row;
    const float* src = x + i0 * w.s[0] + i1 * w.s[1] + i2;
    float* dst = y + row * len;
    for (size_t jb = 0; jb < len; jb += kBlock) {
      const size_t je = len - jb < kBlock ? len : jb + kBlock;
      for (size_t j = jb; j < je; ++j) {
        const float* s = src + j * st;
        for (size_t i = 0; i < group; ++i) dst[i * len + j] = s[i];
      }
    }
    row += group;
  }
}

}  // namespace

extern "C" int armbench_transpose(size_t ndims, const size_t* x_dims, const size_t* perm, const float* x, float* y,
                                  size_t begin, size_t end) {
  Walk w;
  if (x == nullptr || y == nullptr || !simplify(ndims, x_dims, perm, &w)) return -EINVAL;
  const size_t len = w.d[3], total = w.d[0] * w.d[1] * w.d[2] * len;
  if (end > total) end = total;
  if (begin >= end) return 0;
  const size_t row0 = (begin + len - 1) / len, row1 = end / len;  // the whole rows in range
  if (w.s[3] != 1 && w.s[2] == 1 && w.d[2] > 1 && row0 < row1) {
    rows(w, x, y, begin, row0 * len);
    blocks(w, x, y, row0, row1);
    rows(w, x, y, row1 * len, end);
  } else {
    rows(w, x, y, begin, end);
  }
  return 0;
}
