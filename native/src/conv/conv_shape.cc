// Shape validation and the output size (armbench_conv_output). Output rows:
//   oh = (h + pad_top + pad_bottom - ((r - 1) * dilation_h + 1)) / stride_h + 1,
// defined only when the dilated kernel fits in the padded input; columns likewise.
// Padding may exceed the kernel (rows of pure padding give bias-only outputs).
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "conv_internal.h"

namespace armbench {
namespace conv {
namespace {

bool mul(size_t a, size_t b, size_t* out) { return !__builtin_mul_overflow(a, b, out); }
bool add(size_t a, size_t b, size_t* out) { return !__builtin_add_overflow(a, b, out); }

__attribute__((format(printf, 3, 4))) int fail(char* why, size_t why_len, const char* fmt, ...) {
  if (why != nullptr && why_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  return -EINVAL;
}

// Output extent of one dimension, or 0 with a reason.
int extent(size_t in, size_t k, size_t stride, size_t dil, size_t pad0, size_t pad1, const char* rows,
           const char* in_name, size_t* out, char* why, size_t why_len) {
  size_t padded, span;
  if (!add(in, pad0, &padded) || !add(padded, pad1, &padded) || !mul(k - 1, dil, &span) || !add(span, 1, &span)) {
    return fail(why, why_len, "the padded input or the dilated kernel is too large");
  }
  if (span > padded) {
    return fail(why, why_len, "the output would have no %s (dilated kernel %s %zu exceeds padded input %s %zu)", rows,
                in_name, span, in_name, padded);
  }
  *out = (padded - span) / stride + 1;
  return 0;
}

}  // namespace

int make_geometry(const armbench_conv_shape* shape, Geometry* g, char* why, size_t why_len) {
  if (shape == nullptr) return fail(why, why_len, "no shape");
  const armbench_conv_shape& s = *shape;
  struct {
    size_t v;
    const char* name;
  } const sizes[] = {{s.n, "batch"}, {s.c, "channels"}, {s.h, "input height"}, {s.w, "input width"},
                     {s.k, "output channels"}, {s.r, "kernel height"}, {s.s, "kernel width"}};
  for (const auto& z : sizes) {
    if (z.v == 0) {
      return fail(why, why_len, "the %s is 0", z.name);
    }
  }
  if (s.stride_h == 0 || s.stride_w == 0) return fail(why, why_len, "the stride is 0 (must be at least 1)");
  if (s.dilation_h == 0 || s.dilation_w == 0) return fail(why, why_len, "the dilation is 0 (must be at least 1)");
  if (s.groups == 0) return fail(why, why_len, "groups is 0 (must be at least 1)");
  if (s.c % s.groups != 0) return fail(why, why_len, "channels %zu are not divisible by groups %zu", s.c, s.groups);
  if (s.k % s.groups != 0) {
    return fail(why, why_len, "output channels %zu are not divisible by groups %zu", s.k, s.groups);
  }
  size_t oh = 0, ow = 0;
  int rc = extent(s.h, s.r, s.stride_h, s.dilation_h, s.pad_top, s.pad_bottom, "rows", "height", &oh, why, why_len);
  if (rc != 0) return rc;
  rc = extent(s.w, s.s, s.stride_w, s.dilation_w, s.pad_left, s.pad_right, "columns", "width", &ow, why, why_len);
  if (rc != 0) return rc;
  // Every tensor's element count (and bytes, at 4 per element) must fit in size_t.
  size_t t, plane, kdim;
  const bool fits = mul(s.n, s.c, &t) && mul(t, s.h, &t) && mul(t, s.w, &t) && mul(t, 4, &t) &&  // x
                    mul(oh, ow, &plane) && mul(s.n, s.k, &t) && mul(t, plane, &t) && mul(t, 4, &t) &&  // y
                    mul(s.c / s.groups, s.r, &kdim) && mul(kdim, s.s, &kdim) && mul(kdim, s.k, &t) &&
                    mul(t, 4, &t) &&                                                                 // w
                    mul(kdim, plane, &t) && mul(t, 4, &t);                                           // im2col
  if (!fits) return fail(why, why_len, "the tensors are too large to address");
  if (g != nullptr) {
    g->s = s;
    g->oh = oh;
    g->ow = ow;
    g->cg = s.c / s.groups;
    g->kg = s.k / s.groups;
    g->kdim = kdim;
    g->plane = plane;
  }
  return 0;
}

}  // namespace conv
}  // namespace armbench

extern "C" int armbench_conv_output(const armbench_conv_shape* shape, size_t* out_h, size_t* out_w, char* why,
                                    size_t why_len) {
  armbench::conv::Geometry g;
  const int rc = armbench::conv::make_geometry(shape, &g, why, why_len);
  if (rc != 0) return rc;
  if (why != nullptr && why_len > 0) why[0] = '\0';
  if (out_h != nullptr) *out_h = g.oh;
  if (out_w != nullptr) *out_w = g.ow;
  return 0;
}
