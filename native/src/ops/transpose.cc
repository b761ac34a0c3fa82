// Transpose (rank 1 to 4, any permutation). The permutation is first simplified:
// axes of extent 1 dropped, and y axes that stay neighbours in x merged (BERT's
// [1, 128, 12, 64] -> [1, 12, 128, 64] becomes rows of 64 contiguous floats), so the
// inner loop is a row copy when x's last axis stays last, a strided read otherwise.
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

}  // namespace

extern "C" int armbench_transpose(size_t ndims, const size_t* x_dims, const size_t* perm, const float* x, float* y,
                                  size_t begin, size_t end) {
  Walk w;
  if (x == nullptr || y == nullptr || !simplify(ndims, x_dims, perm, &w)) return -EINVAL;
  const size_t len = w.d[3], total = w.d[0] * w.d[1] * w.d[2] * len;
  if (end > total) end = total;
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
  return 0;
}
