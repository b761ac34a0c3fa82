// Elementwise ops under numpy broadcasting: the binary ones (the Add, Sub, Mul, Div and
// Pow of transformer graphs: the attention mask [1, 1, 1, 128] over [1, 12, 128, 128]
// scores, a scale by a scalar, a bias [768] over [128, 768]; Max, Min and the
// comparisons) and Where, which selects between two operands by a third. The shapes are
// first simplified (axes of extent 1 dropped, neighbouring axes merged where every
// operand steps over them alike), so the inner loop runs over one long row with each
// operand either contiguous or a repeated scalar: one plain loop per case, which the
// compiler vectorizes.
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include <functional>
#include <type_traits>

#include "armbench/ops.h"
#include "ops_internal.h"

namespace {

constexpr size_t kMaxOperands = 3;  // Where's

struct Walk {
  size_t d[4];                  // y's extents, leading axes of extent 1
  size_t s[kMaxOperands][4];    // each operand's strides along them (0: repeated)
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

// The broadcast of count operands' dims, right-aligned over 4 axes (leading 1s), or
// false when one is invalid, two differ where neither is 1, or y would not fit.
bool broadcast4(size_t count, const size_t* ndims, const size_t* const* dims, size_t yd[4]) {
  for (size_t i = 0; i < 4; ++i) yd[i] = 1;
  for (size_t k = 0; k < count; ++k) {
    if (!valid(ndims[k], dims[k])) return false;
    size_t d[4];
    dims4(ndims[k], dims[k], d);
    for (size_t i = 0; i < 4; ++i) {
      if (d[i] == 1) continue;
      if (yd[i] != 1 && yd[i] != d[i]) return false;
      yd[i] = d[i];
    }
  }
  size_t elems;
  return armbench::ops::volume(&elems, yd[0], yd[1], yd[2], yd[3]);
}

bool simplify(size_t count, const size_t* ndims, const size_t* const* dims, Walk* w) {
  size_t yd[4], st[kMaxOperands][4] = {};
  if (count > kMaxOperands || !broadcast4(count, ndims, dims, yd)) return false;
  for (size_t k = 0; k < count; ++k) {
    size_t od[4], s = 1;
    dims4(ndims[k], dims[k], od);
    for (size_t i = 4; i-- > 0;) {
      st[k][i] = od[i] == 1 ? 0 : s;
      s *= od[i];
    }
  }
  size_t d[4], xs[kMaxOperands][4] = {}, r = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (yd[i] == 1) continue;
    bool merge = r > 0;
    for (size_t k = 0; k < count; ++k) merge = merge && xs[k][r - 1] == st[k][i] * yd[i];
    if (merge) {
      d[r - 1] *= yd[i];
      for (size_t k = 0; k < count; ++k) xs[k][r - 1] = st[k][i];
      continue;
    }
    d[r] = yd[i];
    for (size_t k = 0; k < count; ++k) xs[k][r] = st[k][i];
    ++r;
  }
  for (size_t i = 0; i < 4; ++i) {
    const bool pad = i < 4 - r;
    w->d[i] = pad ? 1 : d[i - (4 - r)];
    for (size_t k = 0; k < kMaxOperands; ++k) w->s[k][i] = pad ? 0 : xs[k][i - (4 - r)];
  }
  return true;
}

// Elements [begin, end) of y (end clamped), a stretch of one row of y's last axis at a
// time: row(off, at, n) for y's n elements from at, off holding the count operands'
// element offsets of the first. Along that axis each operand's stride is 1 (it has the
// axis) or 0 (repeated): w.s[k][3].
template <typename Row>
void walk(const Walk& w, size_t count, size_t begin, size_t end, Row row) {
  const size_t total = w.d[0] * w.d[1] * w.d[2] * w.d[3], len = w.d[3];
  if (end > total) end = total;
  for (size_t e = begin; e < end;) {
    const size_t r = e / len, j0 = e % len, j1 = len - j0 < end - e ? len : j0 + (end - e);
    const size_t i2 = r % w.d[2], i1 = (r / w.d[2]) % w.d[1], i0 = r / (w.d[2] * w.d[1]);
    size_t off[kMaxOperands];
    for (size_t k = 0; k < count; ++k)
      off[k] = i0 * w.s[k][0] + i1 * w.s[k][1] + i2 * w.s[k][2] + j0 * w.s[k][3];
    row(off, r * len + j0, j1 - j0);
    e += j1 - j0;
  }
}

struct Add { float operator()(float a, float b) const { return a + b; } };
struct Sub { float operator()(float a, float b) const { return a - b; } };
struct Mul { float operator()(float a, float b) const { return a * b; } };
struct Div { float operator()(float a, float b) const { return a / b; } };
struct Pow { float operator()(float a, float b) const { return powf(a, b); } };
// a != a: NaN propagates from either side (a > NaN is false and picks b).
struct Max { float operator()(float a, float b) const { return a > b || a != a ? a : b; } };
struct Min { float operator()(float a, float b) const { return a < b || a != a ? a : b; } };

// Cmp (std::less<> and the like) as 1.0f or 0.0f. Operands of one type compare as they
// are; an int32 against a float compares as two doubles, which hold both exactly (a
// float would round 16777217 to 16777216).
template <typename Cmp>
struct Compare {
  template <typename A, typename B>
  float operator()(A a, B b) const {
    using C = typename std::conditional<std::is_same<A, B>::value, A, double>::type;
    return Cmp()(static_cast<C>(a), static_cast<C>(b)) ? 1.0f : 0.0f;
  }
};

// n values; whether each operand is contiguous (true) or a repeated scalar is a template
// argument, so each case is its own loop and each vectorizes.
template <bool CA, bool CB, typename F, typename A, typename B>
void row(F f, const A* a, const B* b, float* y, size_t n) {
  for (size_t j = 0; j < n; ++j) y[j] = f(a[CA ? j : 0], b[CB ? j : 0]);
}

template <typename F, typename A, typename B>
void binary(F f, const Walk& w, const A* a, const B* b, float* y, size_t begin, size_t end) {
  using Row = void (*)(F, const A*, const B*, float*, size_t);
  static const Row rows[4] = {row<false, false, F, A, B>, row<false, true, F, A, B>, row<true, false, F, A, B>,
                              row<true, true, F, A, B>};
  const Row r = rows[(w.s[0][3] == 1) * 2 + (w.s[1][3] == 1)];
  walk(w, 2, begin, end, [&](const size_t* off, size_t at, size_t n) { r(f, a + off[0], b + off[1], y + at, n); });
}

// A comparison over each pairing of operand types.
template <typename F>
void compare(F f, const Walk& w, const void* a, bool ai, const void* b, bool bi, float* y, size_t begin, size_t end) {
  const float* af = static_cast<const float*>(a);
  const float* bf = static_cast<const float*>(b);
  const int32_t* an = static_cast<const int32_t*>(a);
  const int32_t* bn = static_cast<const int32_t*>(b);
  if (ai && bi) {
    binary(f, w, an, bn, y, begin, end);
  } else if (ai) {
    binary(f, w, an, bf, y, begin, end);
  } else if (bi) {
    binary(f, w, af, bn, y, begin, end);
  } else {
    binary(f, w, af, bf, y, begin, end);
  }
}

bool is_comparison(armbench_binary_fn fn) { return fn >= ARMBENCH_BINARY_EQUAL && fn <= ARMBENCH_BINARY_GREATER_EQUAL; }

// Where's row, as row() above: c nonzero (NaN included) picks x.
template <bool CC, bool CX, bool CV>
void where_row(const float* c, const float* x, const float* v, float* y, size_t n) {
  for (size_t j = 0; j < n; ++j) y[j] = c[CC ? j : 0] != 0.0f ? x[CX ? j : 0] : v[CV ? j : 0];
}

}  // namespace

extern "C" int armbench_broadcast_dims(size_t a_ndims, const size_t* a_dims, size_t b_ndims, const size_t* b_dims,
                                       size_t* y_ndims, size_t* y_dims) {
  const size_t ndims[2] = {a_ndims, b_ndims};
  const size_t* const dims[2] = {a_dims, b_dims};
  size_t yd[4];
  if (y_ndims == nullptr || y_dims == nullptr || !broadcast4(2, ndims, dims, yd)) return -EINVAL;
  const size_t n = a_ndims > b_ndims ? a_ndims : b_ndims;
  *y_ndims = n;
  for (size_t i = 0; i < 4; ++i) y_dims[i] = i < n ? yd[4 - n + i] : 0;
  return 0;
}

extern "C" int armbench_broadcast_typed(armbench_binary_fn fn, size_t a_ndims, const size_t* a_dims, const void* a,
                                        int a_int32, size_t b_ndims, const size_t* b_dims, const void* b, int b_int32,
                                        float* y, size_t begin, size_t end) {
  const size_t ndims[2] = {a_ndims, b_ndims};
  const size_t* const dims[2] = {a_dims, b_dims};
  Walk w;
  if (a == nullptr || b == nullptr || y == nullptr || static_cast<unsigned>(fn) >= ARMBENCH_BINARY_FN_COUNT ||
      ((a_int32 || b_int32) && !is_comparison(fn)) || !simplify(2, ndims, dims, &w))
    return -EINVAL;
  const float* fa = static_cast<const float*>(a);
  const float* fb = static_cast<const float*>(b);
  const bool ai = a_int32 != 0, bi = b_int32 != 0;
  switch (fn) {
    case ARMBENCH_BINARY_ADD: binary(Add(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_SUB: binary(Sub(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_MUL: binary(Mul(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_DIV: binary(Div(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_POW: binary(Pow(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_MAX: binary(Max(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_MIN: binary(Min(), w, fa, fb, y, begin, end); break;
    case ARMBENCH_BINARY_EQUAL: compare(Compare<std::equal_to<>>(), w, a, ai, b, bi, y, begin, end); break;
    case ARMBENCH_BINARY_NOT_EQUAL: compare(Compare<std::not_equal_to<>>(), w, a, ai, b, bi, y, begin, end); break;
    case ARMBENCH_BINARY_LESS: compare(Compare<std::less<>>(), w, a, ai, b, bi, y, begin, end); break;
    case ARMBENCH_BINARY_LESS_EQUAL: compare(Compare<std::less_equal<>>(), w, a, ai, b, bi, y, begin, end); break;
    case ARMBENCH_BINARY_GREATER: compare(Compare<std::greater<>>(), w, a, ai, b, bi, y, begin, end); break;
    case ARMBENCH_BINARY_GREATER_EQUAL: compare(Compare<std::greater_equal<>>(), w, a, ai, b, bi, y, begin, end); break;
    default: return -EINVAL;
  }
  return 0;
}

extern "C" int armbench_broadcast(armbench_binary_fn fn, size_t a_ndims, const size_t* a_dims, const float* a,
                                  size_t b_ndims, const size_t* b_dims, const float* b, float* y, size_t begin,
                                  size_t end) {
  return armbench_broadcast_typed(fn, a_ndims, a_dims, a, 0, b_ndims, b_dims, b, 0, y, begin, end);
}

extern "C" int armbench_where(size_t c_ndims, const size_t* c_dims, const float* c, size_t x_ndims,
                              const size_t* x_dims, const float* x, size_t v_ndims, const size_t* v_dims,
                              const float* v, float* y, size_t begin, size_t end) {
  const size_t ndims[3] = {c_ndims, x_ndims, v_ndims};
  const size_t* const dims[3] = {c_dims, x_dims, v_dims};
  Walk w;
  if (c == nullptr || x == nullptr || v == nullptr || y == nullptr || !simplify(3, ndims, dims, &w)) return -EINVAL;
  using Row = void (*)(const float*, const float*, const float*, float*, size_t);
  static const Row rows[8] = {where_row<false, false, false>, where_row<false, false, true>,
                              where_row<false, true, false>,  where_row<false, true, true>,
                              where_row<true, false, false>,  where_row<true, false, true>,
                              where_row<true, true, false>,   where_row<true, true, true>};
  const Row r = rows[(w.s[0][3] == 1) * 4 + (w.s[1][3] == 1) * 2 + (w.s[2][3] == 1)];
  walk(w, 3, begin, end, [&](const size_t* off, size_t at, size_t n) { r(c + off[0], x + off[1], v + off[2], y + at, n); });
  return 0;
}
