// Binary ops under numpy broadcasting (the Add, Sub, Mul, Div and Pow of transformer
// graphs: the attention mask [1, 1, 1, 128] over [1, 12, 128, 128] scores, a scale by
// a scalar, a bias [768] over [128, 768]). The shapes are first simplified (axes of
// extent 1 dropped, neighbouring axes merged where both operands step over them alike),
// so the inner loop runs over one long row with each operand either contiguous or a
// repeated scalar: four plain loops the compiler vectorizes.
#include <errno.h>
#include <math.h>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace {

struct Walk {
  size_t d[4];       // y's extents, leading axes of extent 1
  size_t sa[4], sb[4];  // the operands' strides along them (0: repeated)
};

void dims4(size_t ndims, const size_t* dims, size_t out[4]) {
  for (size_t i = 0; i < 4; ++i) out[i] = i < 4 - ndims ? 1 : dims[i - (4 - ndims)];
}

bool valid(size_t ndims, const size_t* dims) {
  if (ndims < 1 || ndims > 4 || dims == nullptr) return false;
  size_t d[4], elems;
  dims4(ndims, dims, d);
  return armbench::ops::volume(&elems, d[0], d[1], d[2], d[3]) && elems != 0;
}

bool simplify(size_t a_ndims, const size_t* a_dims, size_t b_ndims, const size_t* b_dims, Walk* w) {
  size_t yn, yd[4], ad[4], bd[4];
  if (armbench_broadcast_dims(a_ndims, a_dims, b_ndims, b_dims, &yn, yd) != 0) return false;
  dims4(a_ndims, a_dims, ad);
  dims4(b_ndims, b_dims, bd);
  for (size_t i = 0; i < 4; ++i) yd[i] = ad[i] == 1 ? bd[i] : ad[i];  // right-aligned, unlike y_dims
  size_t as[4], bs[4], sa = 1, sb = 1;
  for (size_t i = 4; i-- > 0;) {
    as[i] = ad[i] == 1 ? 0 : sa;
    bs[i] = bd[i] == 1 ? 0 : sb;
    sa *= ad[i], sb *= bd[i];
  }
  size_t d[4], xa[4], xb[4], r = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (yd[i] == 1) continue;
    if (r > 0 && xa[r - 1] == as[i] * yd[i] && xb[r - 1] == bs[i] * yd[i]) {
      d[r - 1] *= yd[i];
      xa[r - 1] = as[i], xb[r - 1] = bs[i];
      continue;
    }
    d[r] = yd[i], xa[r] = as[i], xb[r] = bs[i], ++r;
  }
  for (size_t i = 0; i < 4; ++i) {
    const bool pad = i < 4 - r;
    w->d[i] = pad ? 1 : d[i - (4 - r)];
    w->sa[i] = pad ? 0 : xa[i - (4 - r)];
    w->sb[i] = pad ? 0 : xb[i - (4 - r)];
  }
  return true;
}

struct Add { float operator()(float a, float b) const { return a + b; } };
struct Sub { float operator()(float a, float b) const { return a - b; } };
struct Mul { float operator()(float a, float b) const { return a * b; } };
struct Div { float operator()(float a, float b) const { return a / b; } };
struct Pow { float operator()(float a, float b) const { return powf(a, b); } };
// a != a: NaN propagates from either side (a > NaN is false and picks b).
struct Max { float operator()(float a, float b) const { return a > b || a != a ? a : b; } };
struct Min { float operator()(float a, float b) const { return a < b || a != a ? a : b; } };

// n values; each operand's stride is 1 or 0 (a repeated scalar), one loop per case
// so each vectorizes.
template <typename F>
void row(F f, const float* a, size_t sa, const float* b, size_t sb, float* y, size_t n) {
  if (sa == 1 && sb == 1) {
    for (size_t j = 0; j < n; ++j) y[j] = f(a[j], b[j]);
  } else if (sa == 1) {
    const float bv = b[0];
    for (size_t j = 0; j < n; ++j) y[j] = f(a[j], bv);
  } else if (sb == 1) {
    const float av = a[0];
    for (size_t j = 0; j < n; ++j) y[j] = f(av, b[j]);
  } else {
    const float v = f(a[0], b[0]);
    for (size_t j = 0; j < n; ++j) y[j] = v;
  }
}

template <typename F>
void run(F f, const Walk& w, const float* a, const float* b, float* y, size_t begin, size_t end) {
  const size_t len = w.d[3];
  for (size_t e = begin; e < end;) {
    const size_t r = e / len, j0 = e % len, j1 = len - j0 < end - e ? len : j0 + (end - e);
    const size_t i2 = r % w.d[2], i1 = (r / w.d[2]) % w.d[1], i0 = r / (w.d[2] * w.d[1]);
    const float* ar = a + i0 * w.sa[0] + i1 * w.sa[1] + i2 * w.sa[2] + j0 * w.sa[3];
    const float* br = b + i0 * w.sb[0] + i1 * w.sb[1] + i2 * w.sb[2] + j0 * w.sb[3];
    row(f, ar, w.sa[3], br, w.sb[3], y + r * len + j0, j1 - j0);
    e += j1 - j0;
  }
}

}  // namespace

extern "C" int armbench_broadcast_dims(size_t a_ndims, const size_t* a_dims, size_t b_ndims, const size_t* b_dims,
                                       size_t* y_ndims, size_t* y_dims) {
  if (!valid(a_ndims, a_dims) || !valid(b_ndims, b_dims) || y_ndims == nullptr || y_dims == nullptr) return -EINVAL;
  size_t ad[4], bd[4], yd[4];
  dims4(a_ndims, a_dims, ad);
  dims4(b_ndims, b_dims, bd);
  for (size_t i = 0; i < 4; ++i) {
    if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1) return -EINVAL;
    yd[i] = ad[i] == 1 ? bd[i] : ad[i];
  }
  size_t elems;
  if (!armbench::ops::volume(&elems, yd[0], yd[1], yd[2], yd[3])) return -EINVAL;
  const size_t n = a_ndims > b_ndims ? a_ndims : b_ndims;
  *y_ndims = n;
  for (size_t i = 0; i < 4; ++i) y_dims[i] = i < n ? yd[4 - n + i] : 0;
  return 0;
}

extern "C" int armbench_broadcast(armbench_binary_fn fn, size_t a_ndims, const size_t* a_dims, const float* a,
                                  size_t b_ndims, const size_t* b_dims, const float* b, float* y, size_t begin,
                                  size_t end) {
  Walk w;
  if (a == nullptr || b == nullptr || y == nullptr || static_cast<unsigned>(fn) >= ARMBENCH_BINARY_FN_COUNT ||
      !simplify(a_ndims, a_dims, b_ndims, b_dims, &w))
    return -EINVAL;
  const size_t total = w.d[0] * w.d[1] * w.d[2] * w.d[3];
  if (end > total) end = total;
  switch (fn) {
    case ARMBENCH_BINARY_ADD: run(Add(), w, a, b, y, begin, end); break;
    case ARMBENCH_BINARY_SUB: run(Sub(), w, a, b, y, begin, end); break;
    case ARMBENCH_BINARY_MUL: run(Mul(), w, a, b, y, begin, end); break;
    case ARMBENCH_BINARY_DIV: run(Div(), w, a, b, y, begin, end); break;
    case ARMBENCH_BINARY_POW: run(Pow(), w, a, b, y, begin, end); break;
    case ARMBENCH_BINARY_MAX: run(Max(), w, a, b, y, begin, end); break;
    case ARMBENCH_BINARY_MIN: run(Min(), w, a, b, y, begin, end); break;
    default: return -EINVAL;
  }
  return 0;
}
