// Creating an engine: every step of the program checked against the arena and its op
// before anything runs, then prepared once (conv plans, packed GEMM weights, bf16
// rounding), so that a run has nothing left to decide and a bad program is one clear
// sentence instead of a crash.
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <initializer_list>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "../runtime/huge_alloc.h"
#include "armbench/bf16.h"
#include "armbench/igemm.h"
#include "armbench/quantize.h"
#include "engine_internal.h"

using armbench::engine::bf16_b_at;
using armbench::engine::Io;
using armbench::engine::ReorderKind;
using armbench::engine::Step;

namespace {

constexpr size_t kArenaAlign = 64;

// Collects the first error: the code and one line, prefixed with the step's label.
struct Errors {
  char* why;
  size_t why_len;
  int rc = 0;
  int fail(int code, const std::string& prefix, const char* fmt, ...) __attribute__((format(printf, 4, 5))) {
    rc = code;
    if (why != nullptr && why_len > 0) {
      char msg[384];
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(msg, sizeof msg, fmt, ap);
      va_end(ap);
      snprintf(why, why_len, "%s%s%s", prefix.c_str(), prefix.empty() ? "" : ": ", msg);
    }
    return code;
  }
};

bool mul_ok(size_t a, size_t b, size_t* out) {
  if (a != 0 && b > SIZE_MAX / a) return false;
  *out = a * b;
  return true;
}

std::string dims_text(size_t ndims, const size_t* dims) {
  std::string s = "[";
  for (size_t i = 0; i < ndims && i < 4; ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

std::string dims_text(const armbench_engine_tensor& t) {
  return dims_text(t.ndims, t.dims) + (t.layout == ARMBENCH_ENGINE_NCHWC ? " nchwc" : "");
}

size_t elems_of(const armbench_engine_tensor& t) {
  size_t e = 1;
  for (size_t i = 0; i < t.ndims; ++i) e *= t.dims[i];  // bounded by tensor_bytes' check
  return e;
}

// (n, c, h, w) with missing trailing dims as 1, so (rows, cols) reads as rows x cols x 1 x 1.
void dims4(const armbench_engine_tensor& t, size_t d[4]) {
  for (size_t i = 0; i < 4; ++i) d[i] = i < t.ndims ? t.dims[i] : 1;
}

bool same_dims(const armbench_engine_tensor& a, const armbench_engine_tensor& b) {
  if (a.ndims != b.ndims || a.layout != b.layout) return false;
  for (size_t i = 0; i < a.ndims; ++i)
    if (a.dims[i] != b.dims[i]) return false;
  return true;
}

struct Resolved {
  size_t offset = 0, bytes = 0;
};

bool overlap(const Resolved& a, const Resolved& b) { return a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes; }

class Builder {
 public:
  Builder(const armbench_engine_desc& d, armbench_engine* e, Errors* err) : d_(d), e_(e), err_(err) {}

  // The tensor's bytes as stored, or an error naming `what`. Steps read and write fp32
  // tensors but where they say otherwise (want INT32, or kAnyDtype for the inputs).
  static constexpr int kAnyDtype = -1;
  int tensor(const armbench_engine_tensor& t, const char* what, Resolved* r, int want = ARMBENCH_ENGINE_FP32) {
    if (t.layout != ARMBENCH_ENGINE_NCHW && t.layout != ARMBENCH_ENGINE_NCHWC)
      return fail(-EINVAL, "%s has an unknown layout %d", what, static_cast<int>(t.layout));
    if (t.dtype != ARMBENCH_ENGINE_FP32 && t.dtype != ARMBENCH_ENGINE_INT32)
      return fail(-EINVAL, "%s has an unknown dtype %d", what, static_cast<int>(t.dtype));
    if (want != kAnyDtype && static_cast<int>(t.dtype) != want)
      return want == ARMBENCH_ENGINE_INT32
                 ? fail(-EINVAL, "%s is fp32; it must be int32", what)
                 : fail(-EINVAL, "%s is int32; only gather (its indices), cast (its x), the comparisons (their "
                             "operands) and the quantized ops read int32 tensors", what);
    if (t.dtype == ARMBENCH_ENGINE_INT32 && t.layout != ARMBENCH_ENGINE_NCHW)
      return fail(-EINVAL, "%s is int32 and nchwc; int32 tensors are dense (nchw)", what);
    if (t.ndims < 1 || t.ndims > 4) return fail(-EINVAL, "%s has %zu dims; 1 to 4 are allowed", what, t.ndims);
    for (size_t i = 0; i < t.ndims; ++i)
      if (t.dims[i] == 0) return fail(-EINVAL, "%s dims %s hold a zero", what, dims_text(t).c_str());
    size_t floats = 1;
    if (t.layout == ARMBENCH_ENGINE_NCHWC) {
      if (t.ndims != 4) return fail(-EINVAL, "%s is nchwc with %zu dims; nchwc needs 4", what, t.ndims);
      if (e_->block == 0) return fail(-EINVAL, "%s is nchwc but the program declares no nchwc block", what);
      const size_t cb = (t.dims[1] + e_->block - 1) / e_->block;
      if (!mul_ok(floats, t.dims[0], &floats) || !mul_ok(floats, cb, &floats) || !mul_ok(floats, t.dims[2], &floats) ||
          !mul_ok(floats, t.dims[3], &floats) || !mul_ok(floats, e_->block, &floats))
        return fail(-EINVAL, "%s dims %s overflow", what, dims_text(t).c_str());
    } else {
      for (size_t i = 0; i < t.ndims; ++i)
        if (!mul_ok(floats, t.dims[i], &floats)) return fail(-EINVAL, "%s dims %s overflow", what, dims_text(t).c_str());
    }
    size_t bytes;
    if (!mul_ok(floats, sizeof(float), &bytes)) return fail(-EINVAL, "%s dims %s overflow", what, dims_text(t).c_str());
    if (t.offset % sizeof(float) != 0) return fail(-EINVAL, "%s offset %zu is not a multiple of 4", what, t.offset);
    if (t.offset > d_.arena_bytes || bytes > d_.arena_bytes - t.offset)
      return fail(-EINVAL, "%s (offset %zu, %zu bytes, dims %s) ends past the arena of %zu bytes", what, t.offset, bytes,
                  dims_text(t).c_str(), d_.arena_bytes);
    r->offset = t.offset;
    r->bytes = bytes;
    return 0;
  }

  float* at(const Resolved& r) { return reinterpret_cast<float*>(e_->arena.get() + r.offset); }

  int fail(int code, const char* fmt, ...) __attribute__((format(printf, 3, 4))) {
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_->fail(code, label_, "%s", msg);
  }

  void set_label(std::string l) { label_ = std::move(l); }

  // An input of the step must not share bytes with its output; `in_place` allows the
  // exact same tensor (the kernels that read each element before writing it).
  int no_overlap(const Resolved& in, const char* in_what, const Resolved& out, bool in_place) {
    if (!overlap(in, out)) return 0;
    if (in_place && in.offset == out.offset && in.bytes == out.bytes) return 0;
    return fail(-EINVAL, "%s (bytes %zu..%zu) overlaps y (bytes %zu..%zu)%s", in_what, in.offset, in.offset + in.bytes,
                out.offset, out.offset + out.bytes, in_place ? "; only the exact same tensor may be written in place" : "");
  }

  int array(const float* p, size_t have, size_t want, const char* what) {
    if (p == nullptr) return fail(-EINVAL, "%s is missing", what);
    if (have != want) return fail(-EINVAL, "%s holds %zu values; %zu expected", what, have, want);
    return 0;
  }

  // gelu: whether the GELU forms are allowed (the gemm epilogue).
  int activation(const armbench_engine_step& s, bool gelu) {
    if (s.act == ARMBENCH_ACT_GELU || s.act == ARMBENCH_ACT_GELU_TANH) {
      if (gelu) return 0;
      return fail(-ENOTSUP, "a gelu epilogue runs after gemm only; give the conv its own gelu step");
    }
    if (s.act != ARMBENCH_ACT_NONE && s.act != ARMBENCH_ACT_RELU && s.act != ARMBENCH_ACT_CLIP)
      return fail(-EINVAL, "unknown activation %d", static_cast<int>(s.act));
    if (s.act == ARMBENCH_ACT_CLIP && !(s.clip_min <= s.clip_max))
      return fail(-EINVAL, "clip bounds [%g, %g] are not ordered numbers", s.clip_min, s.clip_max);
    return 0;
  }

  int dtype(armbench_gemm_dtype t) {
    if (t != ARMBENCH_GEMM_F32 && t != ARMBENCH_GEMM_BF16) return fail(-EINVAL, "unknown dtype %d", static_cast<int>(t));
    return 0;
  }

  // bf16 bit patterns of w, rounded to nearest even once.
  static std::vector<uint16_t> to_bf16(const float* w, size_t count) {
    std::vector<uint16_t> out(count);
    armbench_f32_to_bf16_array(w, out.data(), count, ARMBENCH_BF16_RNE);
    return out;
  }

  void need_scratch(size_t elems) {
    if (elems * sizeof(uint16_t) > e_->scratch_bytes) e_->scratch_bytes = elems * sizeof(uint16_t);
  }

  int conv(const armbench_engine_step& s, Step* p) {
    Resolved x, y, res;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = dtype(s.dtype)) ||
        (rc = activation(s, false)))
      return rc;
    if (s.algo == nullptr) return fail(-EINVAL, "no algorithm named");
    int algo = -1;
    for (int a = 0; a < ARMBENCH_CONV_ALGO_COUNT; ++a)
      if (strcmp(armbench_conv_algo_name(static_cast<armbench_conv_algo>(a)), s.algo) == 0) algo = a;
    if (algo < 0) return fail(-EINVAL, "unknown conv algorithm \"%s\"", s.algo);
    // y's layout is the conv's; x may be nchw under an nchwc y for direct-nchwc (a first
    // conv reading the image as given).
    const bool blocked = s.y.layout == ARMBENCH_ENGINE_NCHWC;
    const bool x_plain = blocked && s.x.layout == ARMBENCH_ENGINE_NCHW;
    if (s.x.layout == ARMBENCH_ENGINE_NCHWC && !blocked)
      return fail(-ENOTSUP, "x is nchwc but y is nchw: a conv reads and writes one layout, or reads nchw into nchwc "
                            "(reorder one side)");
    if (blocked && algo != ARMBENCH_CONV_DIRECT_NCHWC)
      return fail(-ENOTSUP, "conv on nchwc tensors needs algorithm \"direct-nchwc\"; \"%s\" takes nchw x and y", s.algo);
    char why[192] = {0};
    size_t oh = 0, ow = 0;
    if (armbench_conv_output(&s.conv, &oh, &ow, why, sizeof why) != 0) return fail(-EINVAL, "invalid shape: %s", why);
    const armbench_conv_shape& sh = s.conv;
    armbench_engine_tensor want_x{s.x.offset, 4, {sh.n, sh.c, sh.h, sh.w}, s.x.layout, ARMBENCH_ENGINE_FP32};
    armbench_engine_tensor want_y{s.y.offset, 4, {sh.n, sh.k, oh, ow}, s.y.layout, ARMBENCH_ENGINE_FP32};
    if (!same_dims(s.x, want_x))
      return fail(-EINVAL, "x dims %s do not match the shape's input %s", dims_text(s.x).c_str(), dims_text(want_x).c_str());
    if (!same_dims(s.y, want_y))
      return fail(-EINVAL, "y dims %s do not match the shape's output %s", dims_text(s.y).c_str(), dims_text(want_y).c_str());
    if (const char* no = armbench_conv_algo_unsupported(static_cast<armbench_conv_algo>(algo), &sh))
      return fail(-ENOTSUP, "algorithm \"%s\" cannot run this shape: %s", s.algo, no);
    if ((rc = no_overlap(x, "x", y, false))) return rc;
    if (s.has_residual) {
      if ((rc = tensor(s.residual, "residual", &res))) return rc;
      if (s.residual.layout != s.y.layout)
        return fail(-EINVAL, "residual is %s but y is %s: the residual is added in y's layout",
                    s.residual.layout == ARMBENCH_ENGINE_NCHWC ? "nchwc" : "nchw", blocked ? "nchwc" : "nchw");
      if (!same_dims(s.residual, s.y))
        return fail(-EINVAL, "residual dims %s differ from y's %s", dims_text(s.residual).c_str(), dims_text(s.y).c_str());
      // The GEMM-based algorithms write y before the epilogue reads the residual.
      if ((rc = no_overlap(res, "residual", y, false))) return rc;
    }
    const size_t kdim = sh.c / sh.groups * sh.r * sh.s;
    if ((rc = array(s.weights, s.weights_count, sh.k * kdim, "weights"))) return rc;
    if (s.bias != nullptr && (rc = array(s.bias, s.bias_count, sh.k, "bias"))) return rc;

    p->x = at(x);
    p->y = at(y);
    p->x_elems = elems_of(s.x);
    p->bf16 = s.dtype == ARMBENCH_GEMM_BF16;
    p->blocked = blocked;
    p->x_plain = x_plain;
    if (s.bias != nullptr) p->bias.assign(s.bias, s.bias + s.bias_count);
    p->epilogue.bias = s.bias != nullptr ? p->bias.data() : nullptr;
    p->epilogue.residual = s.has_residual ? at(res) : nullptr;
    p->epilogue.act = s.act;
    p->epilogue.clip_min = s.clip_min;
    p->epilogue.clip_max = s.clip_max;
    armbench_conv_plan* plan = nullptr;
    if (p->bf16) {
      const std::vector<uint16_t> w16 = to_bf16(s.weights, s.weights_count);
      rc = armbench_conv_plan_create(static_cast<armbench_conv_algo>(algo), &sh, s.dtype, w16.data(), &plan);
      // From NCHWc the plan rounds x itself, as it copies it into its padded frame.
      if (!blocked) need_scratch(p->x_elems);
    } else {
      rc = armbench_conv_plan_create(static_cast<armbench_conv_algo>(algo), &sh, s.dtype, s.weights, &plan);
    }
    if (rc != 0) return fail(rc, "preparing \"%s\" failed (%s)", s.algo, strerror(-rc));
    p->plan.reset(plan);
    p->runs = std::string(s.algo) + (p->bf16 ? " bf16" : " fp32") + (x_plain ? " nchw->nchwc" : blocked ? " nchwc" : "");
    e_->weight_bytes += s.weights_count * (p->bf16 ? 2 : 4) + p->bias.size() * 4;
    return 0;
  }

  int gemm(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = dtype(s.dtype)) ||
        (rc = activation(s, true)))
      return rc;
    if (s.x.layout != ARMBENCH_ENGINE_NCHW || s.y.layout != ARMBENCH_ENGINE_NCHW)
      return fail(-EINVAL, "gemm needs nchw (dense) x and y");
    size_t xe, ye;
    if (s.rows == 0 || s.k == 0 || s.n == 0 || !mul_ok(s.rows, s.k, &xe) || !mul_ok(s.rows, s.n, &ye))
      return fail(-EINVAL, "rows %zu, k %zu, n %zu must be positive", s.rows, s.k, s.n);
    if (elems_of(s.x) != xe)
      return fail(-EINVAL, "x dims %s hold %zu values, not rows x k = %zu x %zu", dims_text(s.x).c_str(), elems_of(s.x), s.rows, s.k);
    if (elems_of(s.y) != ye)
      return fail(-EINVAL, "y dims %s hold %zu values, not rows x n = %zu x %zu", dims_text(s.y).c_str(), elems_of(s.y), s.rows, s.n);
    if ((rc = no_overlap(x, "x", y, false))) return rc;
    if ((rc = array(s.weights, s.weights_count, s.n * s.k, "weights"))) return rc;
    if (s.bias != nullptr && (rc = array(s.bias, s.bias_count, s.n, "bias"))) return rc;
    p->x = at(x);
    p->y = at(y);
    p->rows = s.rows, p->k = s.k, p->n = s.n;
    p->x_elems = xe;
    p->bf16 = s.dtype == ARMBENCH_GEMM_BF16;
    if ((rc = gemm_choice(s, p))) return rc;
    if (s.bias != nullptr) p->bias.assign(s.bias, s.bias + s.bias_count);
    p->epilogue.act = s.act;
    p->epilogue.clip_min = s.clip_min;
    p->epilogue.clip_max = s.clip_max;
    armbench_gemm_packed_b* packed = nullptr;
    if (p->bf16) need_scratch(xe);
    if (s.rows == 1) {
      // One row (a classifier at batch 1): the GEMV path reads W once as stored, a dot
      // product per output; the blocked loops on packed W would run 12-row tiles for
      // one row (ResNet-50's fc here: 0.58 ms packed, GEMV at memory speed).
      if (p->bf16) {
        p->wh = to_bf16(s.weights, s.weights_count);
      } else {
        p->w.assign(s.weights, s.weights + s.weights_count);
      }
    } else {
      // W is n x k: y = x W^T is B transposed, packed once.
      if (p->bf16) {
        const std::vector<uint16_t> w16 = to_bf16(s.weights, s.weights_count);
        rc = armbench_gemm_pack_b(p->kernel, 1, s.k, s.n, w16.data(), s.k, p->has_blocking ? &p->blocking : nullptr, &packed);
      } else {
        rc = armbench_gemm_pack_b(p->kernel, 1, s.k, s.n, s.weights, s.k, p->has_blocking ? &p->blocking : nullptr, &packed);
      }
      if (rc != 0) return fail(rc, "packing the weights failed (%s)", strerror(-rc));
      p->packed.reset(packed);
    }
    armbench_gemm_args a{};
    a.kernel = p->kernel, a.trans_b = 1, a.m = s.rows, a.n = s.n, a.k = s.k, a.alpha = 1.0f;
    const char* path = armbench_gemm_path(&a);
    p->runs = path ? path : "";
    e_->weight_bytes += s.weights_count * (p->bf16 ? 2 : 4) + p->bias.size() * 4;
    return 0;
  }

  // The kernel and blocking a gemm or matmul step runs: a tuning's choice, checked (a
  // kernel of the step's dtype that runs here, blocks the driver takes), or the defaults.
  int gemm_choice(const armbench_engine_step& s, Step* p) {
    p->kernel = armbench_gemm_default_kernel(s.dtype);
    if (!s.has_gemm_choice) return 0;
    const armbench_gemm_kernel* k = armbench_gemm_kernel_at(s.gemm_kernel);
    if (k == nullptr) return fail(-EINVAL, "gemm kernel %zu does not exist (%zu kernels)", s.gemm_kernel, armbench_gemm_kernel_count());
    if (k->dtype != s.dtype) return fail(-EINVAL, "gemm kernel %s is not of the step's dtype", k->name);
    if (const char* no = armbench_gemm_kernel_unsupported(s.gemm_kernel)) return fail(-ENOTSUP, "gemm kernel %s cannot run here: %s", k->name, no);
    const armbench_gemm_blocking& b = s.gemm_blocking;
    constexpr size_t kMaxBlock = size_t{1} << 20;
    if (b.mc == 0 || b.kc == 0 || b.nc == 0 || b.mc > kMaxBlock || b.kc > kMaxBlock || b.nc > kMaxBlock)
      return fail(-EINVAL, "gemm blocking %zu,%zu,%zu must be 1 to %zu each", b.mc, b.kc, b.nc, kMaxBlock);
    p->kernel = s.gemm_kernel;
    p->has_blocking = true;
    p->blocking = b;
    return 0;
  }

  int pool(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y))) return rc;
    if (s.x.layout != s.y.layout)
      return fail(-ENOTSUP, "x is %s but y is %s: a pool reads and writes one layout (reorder one side)",
                  s.x.layout == ARMBENCH_ENGINE_NCHWC ? "nchwc" : "nchw",
                  s.y.layout == ARMBENCH_ENGINE_NCHWC ? "nchwc" : "nchw");
    if (s.x.ndims != 4) return fail(-EINVAL, "x dims %s are not n x c x h x w", dims_text(s.x).c_str());
    p->blocked = s.x.layout == ARMBENCH_ENGINE_NCHWC;
    if (p->blocked) p->runs += " nchwc";
    p->pool = s.pool;
    p->pool.n = s.x.dims[0], p->pool.c = s.x.dims[1], p->pool.h = s.x.dims[2], p->pool.w = s.x.dims[3];
    char why[192] = {0};
    size_t oh = 0, ow = 0;
    if (armbench_pool2d_output(&p->pool, &oh, &ow, why, sizeof why) != 0) return fail(-EINVAL, "invalid pool: %s", why);
    armbench_engine_tensor want{s.y.offset, 4, {p->pool.n, p->pool.c, oh, ow}, s.y.layout, ARMBENCH_ENGINE_FP32};
    if (!same_dims(s.y, want))
      return fail(-EINVAL, "y dims %s do not match the pool's output %s", dims_text(s.y).c_str(), dims_text(want).c_str());
    if ((rc = no_overlap(x, "x", y, false))) return rc;
    p->x = at(x);
    p->y = at(y);
    return 0;
  }

  int global_avgpool(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y))) return rc;
    // From NCHWc too: the (n, c) result is what the classifier after it reads.
    if (s.y.layout != ARMBENCH_ENGINE_NCHW)
      return fail(-ENOTSUP, "globalavgpool writes an nchw y ((n, c) or (n, c, 1, 1)), whatever x's layout");
    p->blocked = s.x.layout == ARMBENCH_ENGINE_NCHWC;
    if (p->blocked) p->runs += " nchwc";
    if (s.x.ndims != 4) return fail(-EINVAL, "x dims %s are not n x c x h x w", dims_text(s.x).c_str());
    size_t yd[4];
    dims4(s.y, yd);
    if (s.y.ndims < 2 || yd[0] != s.x.dims[0] || yd[1] != s.x.dims[1] || yd[2] != 1 || yd[3] != 1)
      return fail(-EINVAL, "y dims %s are not (%zu, %zu, 1, 1) or (%zu, %zu)", dims_text(s.y).c_str(), s.x.dims[0],
                  s.x.dims[1], s.x.dims[0], s.x.dims[1]);
    if ((rc = no_overlap(x, "x", y, false))) return rc;
    p->x = at(x);
    p->y = at(y);
    p->dn = s.x.dims[0], p->dc = s.x.dims[1], p->dhw = s.x.dims[2] * s.x.dims[3];
    return 0;
  }

  // Same dims and layout, or (dense) the same element count: elementwise ops do not
  // care about the shape, only about how the floats are stored.
  int same_storage(const armbench_engine_tensor& a, const char* aw, const armbench_engine_tensor& b, const char* bw) {
    if (a.layout != b.layout) return fail(-EINVAL, "%s and %s have different layouts", aw, bw);
    if (a.layout == ARMBENCH_ENGINE_NCHWC ? !same_dims(a, b) : elems_of(a) != elems_of(b))
      return fail(-EINVAL, "%s dims %s and %s dims %s differ", aw, dims_text(a).c_str(), bw, dims_text(b).c_str());
    return 0;
  }

  bool padded(const armbench_engine_tensor& t) const {
    return t.layout == ARMBENCH_ENGINE_NCHWC && t.dims[1] % e_->block != 0;
  }

  int unary(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = same_storage(s.x, "x", s.y, "y")) ||
        (rc = no_overlap(x, "x", y, true)))
      return rc;
    p->x = at(x);
    p->y = at(y);
    p->count = y.bytes / sizeof(float);
    p->epilogue.clip_min = s.clip_min;
    p->epilogue.clip_max = s.clip_max;
    if (s.op == ARMBENCH_ENGINE_CLIP && (isnan(s.clip_min) || isnan(s.clip_max)))
      return fail(-EINVAL, "clip bounds [%g, %g] must be numbers", s.clip_min, s.clip_max);
    // relu, hardswish and the transformer ops' math keep 0 at 0; sigmoid and a clip
    // excluding 0 do not.
    const bool zero_kept = s.op == ARMBENCH_ENGINE_RELU || s.op == ARMBENCH_ENGINE_HARDSWISH ||
                           (s.op >= ARMBENCH_ENGINE_ERF && s.op <= ARMBENCH_ENGINE_GELU_TANH) ||
                           s.op == ARMBENCH_ENGINE_ROUND_F16 || s.op == ARMBENCH_ENGINE_ROUND_BF16 ||
                           s.op == ARMBENCH_ENGINE_ROUND ||
                           (s.op == ARMBENCH_ENGINE_CLIP && s.clip_min <= 0.0f && s.clip_max >= 0.0f);
    if (padded(s.y) && !zero_kept) padding(s.y, p);
    if (s.op == ARMBENCH_ENGINE_EXP || s.op == ARMBENCH_ENGINE_LOG || s.op == ARMBENCH_ENGINE_ROUND_F16 ||
        s.op == ARMBENCH_ENGINE_ROUND_BF16 || s.op == ARMBENCH_ENGINE_ROUND)
      p->runs += " scalar";
    return 0;
  }

  void padding(const armbench_engine_tensor& t, Step* p) {
    p->rezero_padding = true;
    p->dn = t.dims[0], p->dc = t.dims[1], p->dhw = t.dims[2] * t.dims[3];
  }

  int binary(const armbench_engine_step& s, Step* p) {
    Resolved a, b, y;
    int rc;
    if ((rc = tensor(s.x, "a", &a)) || (rc = tensor(s.b, "b", &b)) || (rc = tensor(s.y, "y", &y)) ||
        (rc = same_storage(s.x, "a", s.y, "y")) || (rc = same_storage(s.b, "b", s.y, "y")) ||
        (rc = no_overlap(a, "a", y, true)) || (rc = no_overlap(b, "b", y, true)))
      return rc;
    p->x = at(a);
    p->b = at(b);
    p->y = at(y);
    p->count = y.bytes / sizeof(float);
    return 0;
  }

  int concat(const armbench_engine_step& s, Step* p) {
    Resolved y;
    int rc;
    if ((rc = tensor(s.y, "y", &y))) return rc;
    if (s.xs == nullptr || s.xs_count == 0) return fail(-EINVAL, "no inputs");
    if (s.y.layout != ARMBENCH_ENGINE_NCHW || s.y.ndims < 2) return fail(-EINVAL, "y must be nchw with at least 2 dims");
    size_t yd[4];
    dims4(s.y, yd);
    size_t total = 0;
    for (size_t i = 0; i < s.xs_count; ++i) {
      char what[32];
      snprintf(what, sizeof what, "xs[%zu]", i);
      Resolved x;
      if ((rc = tensor(s.xs[i], what, &x)) || (rc = no_overlap(x, what, y, false))) return rc;
      size_t xd[4];
      dims4(s.xs[i], xd);
      if (s.xs[i].layout != ARMBENCH_ENGINE_NCHW || s.xs[i].ndims != s.y.ndims || xd[0] != yd[0] || xd[2] != yd[2] ||
          xd[3] != yd[3])
        return fail(-EINVAL, "%s dims %s do not match y %s but for channels", what, dims_text(s.xs[i]).c_str(),
                    dims_text(s.y).c_str());
      total += xd[1];
      p->xs.push_back(at(x));
      p->channels.push_back(xd[1]);
    }
    if (total != yd[1]) return fail(-EINVAL, "inputs hold %zu channels; y has %zu", total, yd[1]);
    p->y = at(y);
    p->dn = yd[0], p->dhw = yd[2] * yd[3];
    return 0;
  }

  int batchnorm(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = no_overlap(x, "x", y, true))) return rc;
    if (s.x.layout != ARMBENCH_ENGINE_NCHW || s.x.ndims < 2 || !same_dims(s.x, s.y))
      return fail(-EINVAL, "x %s and y %s must be the same nchw dims, at least 2", dims_text(s.x).c_str(), dims_text(s.y).c_str());
    size_t d[4];
    dims4(s.x, d);
    if ((rc = array(s.scale, s.scale_count, d[1], "scale")) || (rc = array(s.bias, s.bias_count, d[1], "bias")) ||
        (rc = array(s.mean, s.mean_count, d[1], "mean")) || (rc = array(s.var, s.var_count, d[1], "variance")))
      return rc;
    if (!(s.epsilon >= 0.0f)) return fail(-EINVAL, "epsilon %g is not a non-negative number", s.epsilon);
    p->x = at(x);
    p->y = at(y);
    p->dn = d[0], p->dc = d[1], p->dhw = d[2] * d[3];
    p->scale.assign(s.scale, s.scale + d[1]);
    p->bias.assign(s.bias, s.bias + d[1]);
    p->mean.assign(s.mean, s.mean + d[1]);
    p->var.assign(s.var, s.var + d[1]);
    p->epsilon = s.epsilon;
    e_->weight_bytes += 4 * d[1] * sizeof(float);
    return 0;
  }

  // 3-D [outer, n, inner]: over the middle axis; any other rank: over the last.
  int softmax(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = no_overlap(x, "x", y, true))) return rc;
    if (s.x.layout != ARMBENCH_ENGINE_NCHW || !same_dims(s.x, s.y))
      return fail(-EINVAL, "x %s and y %s must be the same nchw dims", dims_text(s.x).c_str(), dims_text(s.y).c_str());
    if (s.log_softmax != 0 && s.log_softmax != 1) return fail(-EINVAL, "log_softmax is %d, not 0 or 1", s.log_softmax);
    p->x = at(x);
    p->y = at(y);
    if (s.x.ndims == 3) {
      p->outer = s.x.dims[0], p->n = s.x.dims[1], p->inner = s.x.dims[2];
    } else {
      p->n = s.x.dims[s.x.ndims - 1];
      p->outer = elems_of(s.x) / p->n, p->inner = 1;
    }
    p->log = s.log_softmax != 0;
    if (p->log) p->runs = "logsoftmax";
    // A middle axis runs the strided scalar reference; rows run the best set.
    p->runs += std::string(" ") + (p->inner == 1 ? armbench_ops_isa() : "scalar");
    return 0;
  }

  // A dense fp32 tensor of `want` values (rows x cols and the like, any dims).
  int holds(const armbench_engine_tensor& t, const char* what, size_t want, const char* as) {
    if (t.layout != ARMBENCH_ENGINE_NCHW) return fail(-EINVAL, "%s must be nchw (dense)", what);
    if (elems_of(t) != want)
      return fail(-EINVAL, "%s dims %s hold %zu values, not %s = %zu", what, dims_text(t).c_str(), elems_of(t), as, want);
    return 0;
  }

  // a * b * c without overflow (as floats), or an error.
  int product(size_t a, size_t b, size_t c, size_t* out, const char* what) {
    size_t v;
    if (!mul_ok(a, b, &v) || !mul_ok(v, c, &v) || !mul_ok(v, sizeof(float), out))
      return fail(-EINVAL, "%s overflow", what);
    *out = v;
    return 0;
  }

  // A broadcast or where operand: the tensor t, or the constant c (copied into *copy)
  // when it has data. An arena tensor may be int32 where int32_ok.
  struct Operand {
    size_t ndims = 0, dims[4] = {};
    const float* data = nullptr;  // int32_t values when int32
    Resolved r;
    bool in_arena = false, int32 = false;
  };
  int operand(const armbench_engine_tensor& t, const armbench_engine_const& c, const char* what, bool int32_ok,
              std::vector<float>* copy, Operand* o) {
    o->in_arena = c.data == nullptr;
    if (o->in_arena) {
      int rc;
      if ((rc = tensor(t, what, &o->r, int32_ok ? kAnyDtype : ARMBENCH_ENGINE_FP32))) return rc;
      if (t.layout != ARMBENCH_ENGINE_NCHW) return fail(-EINVAL, "%s must be nchw (dense)", what);
      o->ndims = t.ndims;
      memcpy(o->dims, t.dims, sizeof t.dims);
      o->data = at(o->r);
      o->int32 = t.dtype == ARMBENCH_ENGINE_INT32;
      return 0;
    }
    if (c.ndims < 1 || c.ndims > 4) return fail(-EINVAL, "constant %s has %zu dims; 1 to 4 are allowed", what, c.ndims);
    size_t v = 1;
    for (size_t i = 0; i < c.ndims; ++i)
      if (c.dims[i] == 0 || !mul_ok(v, c.dims[i], &v) || v > SIZE_MAX / sizeof(float))
        return fail(-EINVAL, "constant %s dims %s hold a zero or overflow", what, dims_text(c.ndims, c.dims).c_str());
    if (c.count != v)
      return fail(-EINVAL, "constant %s holds %zu values; its dims %s need %zu", what, c.count,
                  dims_text(c.ndims, c.dims).c_str(), v);
    o->ndims = c.ndims;
    memcpy(o->dims, c.dims, sizeof c.dims);
    copy->assign(c.data, c.data + c.count);
    o->data = copy->data();
    e_->weight_bytes += c.count * sizeof(float);
    return 0;
  }

  // y: a dense fp32 tensor of the broadcast dims yn, yd that may be written exactly over
  // an arena operand: one of y's element count is not repeated, and each of its elements
  // is read just before y's over it is written.
  int broadcast_output(const armbench_engine_step& s, size_t yn, const size_t* yd, const Resolved& y,
                       std::initializer_list<std::pair<const Operand*, const char*>> ops) {
    if (s.y.layout != ARMBENCH_ENGINE_NCHW) return fail(-EINVAL, "y must be nchw (dense)");
    if (s.y.ndims != yn || memcmp(s.y.dims, yd, yn * sizeof(size_t)) != 0)
      return fail(-EINVAL, "y dims %s are not the broadcast dims %s", dims_text(s.y).c_str(), dims_text(yn, yd).c_str());
    int rc;
    for (const auto& o : ops)
      if (o.first->in_arena && (rc = no_overlap(o.first->r, o.second, y, true))) return rc;
    return 0;
  }

  int broadcast(const armbench_engine_step& s, Step* p) {
    Resolved y;
    Operand a, b;
    int rc;
    if (static_cast<unsigned>(s.fn) >= ARMBENCH_BINARY_FN_COUNT) return fail(-EINVAL, "unknown fn %d", static_cast<int>(s.fn));
    const bool comparison = s.fn >= ARMBENCH_BINARY_EQUAL && s.fn <= ARMBENCH_BINARY_GREATER_EQUAL;
    if ((rc = tensor(s.y, "y", &y)) || (rc = operand(s.x, s.a_const, "a", comparison, &p->a_const, &a)) ||
        (rc = operand(s.b, s.b_const, "b", comparison, &p->b_const, &b)))
      return rc;
    size_t yn, yd[4];
    if (armbench_broadcast_dims(a.ndims, a.dims, b.ndims, b.dims, &yn, yd) != 0)
      return fail(-EINVAL, "a dims %s and b dims %s do not broadcast", dims_text(a.ndims, a.dims).c_str(),
                  dims_text(b.ndims, b.dims).c_str());
    if ((rc = broadcast_output(s, yn, yd, y, {{&a, "a"}, {&b, "b"}}))) return rc;
    p->fn = s.fn;
    p->a_ndims = a.ndims, p->b_ndims = b.ndims;
    memcpy(p->a_dims, a.dims, sizeof a.dims);
    memcpy(p->b_dims, b.dims, sizeof b.dims);
    p->x = const_cast<float*>(a.data);  // read only
    p->b = b.data;
    p->a_int32 = a.int32, p->b_int32 = b.int32;
    p->y = at(y);
    p->y_elems = elems_of(s.y);
    return 0;
  }

  // cond is x (or a_const), the value where true b (or b_const), where false v (or
  // v_const); messages name them as the program does: cond, a and b.
  int where(const armbench_engine_step& s, Step* p) {
    Resolved y;
    Operand c, a, b;
    int rc;
    if ((rc = tensor(s.y, "y", &y)) || (rc = operand(s.x, s.a_const, "cond", false, &p->a_const, &c)) ||
        (rc = operand(s.b, s.b_const, "a", false, &p->b_const, &a)) ||
        (rc = operand(s.v, s.v_const, "b", false, &p->v_const, &b)))
      return rc;
    size_t tn, td[4], yn, yd[4];
    if (armbench_broadcast_dims(c.ndims, c.dims, a.ndims, a.dims, &tn, td) != 0 ||
        armbench_broadcast_dims(tn, td, b.ndims, b.dims, &yn, yd) != 0)
      return fail(-EINVAL, "cond dims %s, a dims %s and b dims %s do not broadcast", dims_text(c.ndims, c.dims).c_str(),
                  dims_text(a.ndims, a.dims).c_str(), dims_text(b.ndims, b.dims).c_str());
    if ((rc = broadcast_output(s, yn, yd, y, {{&c, "cond"}, {&a, "a"}, {&b, "b"}}))) return rc;
    p->a_ndims = c.ndims, p->b_ndims = a.ndims, p->v_ndims = b.ndims;
    memcpy(p->a_dims, c.dims, sizeof c.dims);
    memcpy(p->b_dims, a.dims, sizeof a.dims);
    memcpy(p->v_dims, b.dims, sizeof b.dims);
    p->x = const_cast<float*>(c.data);  // read only
    p->b = a.data;
    p->v = b.data;
    p->y = at(y);
    p->y_elems = elems_of(s.y);
    return 0;
  }

  int transpose(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = no_overlap(x, "x", y, false))) return rc;
    if (s.x.layout != ARMBENCH_ENGINE_NCHW || s.y.layout != ARMBENCH_ENGINE_NCHW)
      return fail(-EINVAL, "transpose needs nchw (dense) x and y");
    if (s.x.ndims != s.y.ndims)
      return fail(-EINVAL, "x dims %s and y dims %s differ in rank", dims_text(s.x).c_str(), dims_text(s.y).c_str());
    bool seen[4] = {false, false, false, false};
    for (size_t i = 0; i < s.x.ndims; ++i) {
      if (s.perm[i] >= s.x.ndims || seen[s.perm[i]])
        return fail(-EINVAL, "perm %s is not a permutation of the %zu axes", dims_text(s.x.ndims, s.perm).c_str(), s.x.ndims);
      seen[s.perm[i]] = true;
    }
    for (size_t i = 0; i < s.x.ndims; ++i)
      if (s.y.dims[i] != s.x.dims[s.perm[i]])
        return fail(-EINVAL, "y dims %s are not x dims %s permuted by %s", dims_text(s.y).c_str(), dims_text(s.x).c_str(),
                    dims_text(s.x.ndims, s.perm).c_str());
    p->x = at(x);
    p->y = at(y);
    p->ndims = s.x.ndims;
    memcpy(p->dims, s.x.dims, sizeof p->dims);
    memcpy(p->perm, s.perm, sizeof p->perm);
    p->y_elems = elems_of(s.y);
    return 0;
  }

  int matmul(const armbench_engine_step& s, Step* p) {
    Resolved a, b, y;
    int rc;
    if ((rc = tensor(s.x, "a", &a)) || (rc = tensor(s.b, "b", &b)) || (rc = tensor(s.y, "y", &y)) ||
        (rc = dtype(s.dtype)) || (rc = no_overlap(a, "a", y, false)) || (rc = no_overlap(b, "b", y, false)))
      return rc;
    if (s.x.layout != ARMBENCH_ENGINE_NCHW || s.b.layout != ARMBENCH_ENGINE_NCHW || s.y.layout != ARMBENCH_ENGINE_NCHW)
      return fail(-EINVAL, "matmul needs nchw (dense) a, b and y");
    const size_t ra = s.x.ndims, rb = s.b.ndims, ry = ra > rb ? ra : rb;
    if (ra < 2 || rb < 2) return fail(-EINVAL, "a dims %s and b dims %s must have 2 to 4 dims each", dims_text(s.x).c_str(), dims_text(s.b).c_str());
    const size_t m = s.x.dims[ra - 2], k = s.x.dims[ra - 1], n = s.b.dims[rb - 1];
    if (s.b.dims[rb - 2] != k)
      return fail(-EINVAL, "a dims %s and b dims %s: a's %zu columns differ from b's %zu rows", dims_text(s.x).c_str(),
                  dims_text(s.b).c_str(), k, s.b.dims[rb - 2]);
    // Batch dims right-aligned over ry - 2 axes; a missing or 1 dim repeats.
    const size_t nb = ry - 2;
    size_t ad[2] = {1, 1}, bd[2] = {1, 1}, yd[4];
    for (size_t i = 0; i < nb; ++i) {
      ad[i] = i + ra >= ry ? s.x.dims[i + ra - ry] : 1;
      bd[i] = i + rb >= ry ? s.b.dims[i + rb - ry] : 1;
      if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1)
        return fail(-EINVAL, "the batch dims of a %s and b %s do not broadcast", dims_text(s.x).c_str(), dims_text(s.b).c_str());
      yd[i] = ad[i] == 1 ? bd[i] : ad[i];
    }
    yd[nb] = m, yd[nb + 1] = n;
    if (s.y.ndims != ry || memcmp(s.y.dims, yd, ry * sizeof(size_t)) != 0)
      return fail(-EINVAL, "y dims %s are not the product's %s", dims_text(s.y).c_str(), dims_text(ry, yd).c_str());
    const size_t outer = nb > 0 ? yd[0] : 1, inner = nb > 1 ? yd[1] : 1;
    // Element offsets of each batch's matrices: batch (i, j) of y reads a's (i or 0, j or 0).
    const size_t as1 = m * k, as0 = (nb > 1 ? ad[1] : 1) * as1, bs1 = k * n, bs0 = (nb > 1 ? bd[1] : 1) * bs1;
    bool a_plain = true, b_shared = true;
    for (size_t i = 0; i < outer; ++i) {
      for (size_t j = 0; j < inner; ++j) {
        const size_t ai = (nb > 0 && ad[0] != 1 ? i : 0) * as0 + (nb > 1 && ad[1] != 1 ? j : 0) * as1;
        const size_t bi = (nb > 0 && bd[0] != 1 ? i : 0) * bs0 + (nb > 1 && bd[1] != 1 ? j : 0) * bs1;
        a_plain = a_plain && ai == p->a_off.size() * as1;
        b_shared = b_shared && bi == 0;
        p->a_off.push_back(ai);
        p->b_off.push_back(bi);
      }
    }
    p->rows = m, p->k = k, p->n = n;
    if (a_plain && b_shared) {
      // One b for every batch and a's batches back to back: one GEMM of batches x m rows.
      p->rows = m * p->a_off.size();
      p->a_off.assign(1, 0);
      p->b_off.assign(1, 0);
    }
    p->x = at(a);
    p->b = at(b);
    p->y = at(y);
    p->x_elems = elems_of(s.x);
    p->b_elems = elems_of(s.b);
    p->bf16 = s.dtype == ARMBENCH_GEMM_BF16;
    if ((rc = gemm_choice(s, p))) return rc;
    if (p->bf16) need_scratch(bf16_b_at(p->x_elems) + p->b_elems);
    armbench_gemm_args g{};
    g.kernel = p->kernel, g.m = p->rows, g.n = n, g.k = k, g.alpha = 1.0f;
    const char* path = armbench_gemm_path(&g);
    p->runs = path ? path : "";
    if (p->a_off.size() > 1) p->runs += " x" + std::to_string(p->a_off.size()) + " batches";
    return 0;
  }

  int layernorm(const armbench_engine_step& s, Step* p) {
    Resolved x, y, res;
    int rc;
    size_t elems = 0;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = no_overlap(x, "x", y, true))) return rc;
    if (s.rows == 0 || s.cols == 0) return fail(-EINVAL, "rows %zu and cols %zu must be positive", s.rows, s.cols);
    if ((rc = product(s.rows, s.cols, 1, &elems, "rows x cols")) || (rc = holds(s.x, "x", elems, "rows x cols")) ||
        (rc = holds(s.y, "y", elems, "rows x cols")))
      return rc;
    if (s.has_residual) {
      if ((rc = tensor(s.residual, "residual", &res)) || (rc = holds(s.residual, "residual", elems, "rows x cols")) ||
          (rc = no_overlap(res, "residual", y, true)))
        return rc;
      p->residual = at(res);
    }
    if ((rc = array(s.scale, s.scale_count, s.cols, "scale"))) return rc;
    if (s.bias != nullptr && (rc = array(s.bias, s.bias_count, s.cols, "bias"))) return rc;
    if (!(s.epsilon >= 0.0f)) return fail(-EINVAL, "epsilon %g is not a non-negative number", s.epsilon);
    p->x = at(x);
    p->y = at(y);
    p->rows = s.rows, p->n = s.cols;
    p->scale.assign(s.scale, s.scale + s.cols);
    if (s.bias != nullptr) p->bias.assign(s.bias, s.bias + s.cols);
    p->epsilon = s.epsilon;
    p->runs += std::string(" ") + armbench_ops_isa();
    e_->weight_bytes += (p->scale.size() + p->bias.size()) * sizeof(float);
    return 0;
  }

  int reduce(const armbench_engine_step& s, Step* p) {
    static const char* const fns[ARMBENCH_REDUCE_FN_COUNT] = {"mean", "sum", "max", "min"};
    Resolved x, y;
    int rc;
    size_t xe = 0;
    if (static_cast<unsigned>(s.reduce_fn) >= ARMBENCH_REDUCE_FN_COUNT)
      return fail(-EINVAL, "unknown reduce fn %d", static_cast<int>(s.reduce_fn));
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y)) || (rc = no_overlap(x, "x", y, false))) return rc;
    if (s.outer == 0 || s.n == 0 || s.inner == 0)
      return fail(-EINVAL, "outer %zu, n %zu and inner %zu must be positive", s.outer, s.n, s.inner);
    if ((rc = product(s.outer, s.n, s.inner, &xe, "outer x n x inner")) ||
        (rc = holds(s.x, "x", xe, "outer x n x inner")) || (rc = holds(s.y, "y", s.outer * s.inner, "outer x inner")))
      return rc;
    p->x = at(x);
    p->y = at(y);
    p->outer = s.outer, p->n = s.n, p->inner = s.inner;
    p->reduce_fn = s.reduce_fn;
    p->runs += std::string(" ") + fns[s.reduce_fn];
    return 0;
  }

  int gather(const armbench_engine_step& s, Step* p) {
    Resolved x, idx, y;
    int rc;
    size_t de = 0, ye = 0;
    if ((rc = tensor(s.y, "y", &y))) return rc;
    if (s.outer == 0 || s.axis_len == 0 || s.inner == 0 || s.count == 0)
      return fail(-EINVAL, "outer %zu, axis_len %zu, inner %zu and count %zu must be positive", s.outer, s.axis_len,
                  s.inner, s.count);
    if ((rc = product(s.outer, s.axis_len, s.inner, &de, "outer x axis_len x inner")) ||
        (rc = product(s.outer, s.count, s.inner, &ye, "outer x count x inner")) ||
        (rc = holds(s.y, "y", ye, "outer x count x inner")))
      return rc;
    if (s.table != nullptr) {
      if ((rc = array(s.table, s.table_count, de, "table"))) return rc;
      p->table.assign(s.table, s.table + de);
      p->data = p->table.data();
      e_->weight_bytes += de * sizeof(float);
    } else {
      if ((rc = tensor(s.x, "x", &x)) || (rc = holds(s.x, "x", de, "outer x axis_len x inner")) ||
          (rc = no_overlap(x, "x", y, false)))
        return rc;
      p->data = at(x);
    }
    if (s.index_values != nullptr) {
      if (s.index_values_count != s.count)
        return fail(-EINVAL, "index_values holds %zu values; count is %zu", s.index_values_count, s.count);
      p->index_values.assign(s.index_values, s.index_values + s.count);
      p->indices = p->index_values.data();
    } else {
      if ((rc = tensor(s.indices, "indices", &idx, ARMBENCH_ENGINE_INT32)) || (rc = no_overlap(idx, "indices", y, false)))
        return rc;
      if (elems_of(s.indices) != s.count)
        return fail(-EINVAL, "indices dims %s hold %zu values; count is %zu", dims_text(s.indices).c_str(),
                    elems_of(s.indices), s.count);
      p->indices = reinterpret_cast<const int32_t*>(at(idx));
    }
    p->y = at(y);
    p->outer = s.outer, p->axis_len = s.axis_len, p->inner = s.inner, p->n = s.count;
    p->zero_row = s.zero_row != 0;
    p->y_elems = s.outer * s.count;  // rows of inner values
    return 0;
  }

  int cast(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x, ARMBENCH_ENGINE_INT32)) || (rc = tensor(s.y, "y", &y)) ||
        (rc = holds(s.y, "y", elems_of(s.x), "x's element count")) || (rc = no_overlap(x, "x", y, true)))
      return rc;
    p->xi = reinterpret_cast<const int32_t*>(at(x));
    p->y = at(y);
    p->count = elems_of(s.x);
    return 0;
  }

  int attention(const armbench_engine_step& s, Step* p) {
    Resolved q, kt, v, y, mask;
    int rc;
    if ((rc = tensor(s.x, "q", &q)) || (rc = tensor(s.b, "kt", &kt)) || (rc = tensor(s.v, "v", &v)) ||
        (rc = tensor(s.y, "y", &y)) || (rc = dtype(s.dtype)) || (rc = no_overlap(q, "q", y, false)) ||
        (rc = no_overlap(kt, "kt", y, false)) || (rc = no_overlap(v, "v", y, false)))
      return rc;
    const armbench_engine_tensor* ts[4] = {&s.x, &s.b, &s.v, &s.y};
    for (const armbench_engine_tensor* t : ts)
      if (t->layout != ARMBENCH_ENGINE_NCHW) return fail(-EINVAL, "attention needs nchw (dense) q, kt, v and y");
    const size_t r = s.y.ndims;
    if (r < 2 || s.x.ndims != r || s.b.ndims != r || s.v.ndims != r)
      return fail(-EINVAL, "q %s, kt %s, v %s and y %s must have one rank, 2 to 4", dims_text(s.x).c_str(),
                  dims_text(s.b).c_str(), dims_text(s.v).c_str(), dims_text(s.y).c_str());
    const size_t sq = s.x.dims[r - 2], dk = s.x.dims[r - 1], sk = s.b.dims[r - 1], dv = s.v.dims[r - 1];
    bool fits = s.b.dims[r - 2] == dk && s.v.dims[r - 2] == sk && s.y.dims[r - 2] == sq && s.y.dims[r - 1] == dv;
    for (size_t i = 0; i + 2 < r; ++i)
      fits = fits && s.x.dims[i] == s.y.dims[i] && s.b.dims[i] == s.y.dims[i] && s.v.dims[i] == s.y.dims[i];
    if (!fits)
      return fail(-EINVAL, "q %s, kt %s, v %s and y %s are not [..., sq, dk], [..., dk, sk], [..., sk, dv] and "
                           "[..., sq, dv] with the same batch dims", dims_text(s.x).c_str(), dims_text(s.b).c_str(),
                  dims_text(s.v).c_str(), dims_text(s.y).c_str());
    if (!isfinite(s.attention_scale)) return fail(-EINVAL, "scale %g is not a finite number", s.attention_scale);
    // The scores as [batch, heads, sq, sk], missing leading dims 1.
    size_t sd[4] = {1, 1, sq, sk};
    for (size_t i = 0; i + 2 < r; ++i) sd[4 - r + i] = s.y.dims[i];
    armbench_attention_args& a = p->attention;
    if (s.has_mask) {
      if ((rc = tensor(s.mask, "mask", &mask)) || (rc = no_overlap(mask, "mask", y, false))) return rc;
      if (s.mask.layout != ARMBENCH_ENGINE_NCHW || s.mask.ndims > r)
        return fail(-EINVAL, "mask %s must be nchw (dense) with at most y's %zu dims", dims_text(s.mask).c_str(), r);
      // Right-aligned over the scores' dims; a dim of 1 repeats (stride 0).
      size_t stride = 1;
      for (size_t i = 0; i < s.mask.ndims; ++i) {
        const size_t md = s.mask.dims[s.mask.ndims - 1 - i], at = 3 - i;
        if (md != 1 && md != sd[at])
          return fail(-EINVAL, "mask %s does not broadcast to the scores %s", dims_text(s.mask).c_str(),
                      dims_text(4, sd).c_str());
        a.mask_strides[at] = md == 1 ? 0 : stride;
        stride *= md;
      }
      a.mask = at(mask);
    }
    p->x = at(q);
    p->b = at(kt);
    p->y = at(y);
    a.batch = sd[0], a.heads = sd[1], a.sq = sq, a.sk = sk, a.dk = dk, a.dv = dv;
    a.scale = s.attention_scale;
    a.dtype = s.dtype;
    a.q = p->x, a.kt = p->b, a.v = at(v), a.y = p->y;
    p->bf16 = s.dtype == ARMBENCH_GEMM_BF16;
    if ((rc = gemm_choice(s, p))) return rc;
    a.gemm_kernel = p->kernel;
    if (armbench_attention_tiles(&a) == 0) return fail(-EINVAL, "the sizes overflow");
    if (p->bf16) {
      const float* in[3] = {p->x, p->b, at(v)};
      const size_t elems[3] = {elems_of(s.x), elems_of(s.b), elems_of(s.v)};
      size_t end = 0;
      for (size_t i = 0; i < 3; ++i) {
        p->attn_in[i] = in[i];
        p->attn_elems[i] = elems[i];
        p->attn_at[i] = bf16_b_at(end);
        end = p->attn_at[i] + elems[i];
      }
      need_scratch(end);
    }
    const armbench_gemm_kernel* k = armbench_gemm_kernel_at(p->kernel);
    p->runs = std::string("attention ") + armbench_ops_isa() + " softmax, gemm " + (k ? k->name : "?") + ", " +
              std::to_string(armbench_attention_tile_rows()) + "-row tiles";
    return 0;
  }

  int reorder(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x)) || (rc = tensor(s.y, "y", &y))) return rc;
    p->x = at(x);
    p->y = at(y);
    if (s.x.layout == s.y.layout) {
      if ((rc = same_storage(s.x, "x", s.y, "y"))) return rc;
      if ((rc = no_overlap(x, "x", y, true))) return rc;
      p->reorder = x.offset == y.offset ? ReorderKind::kNone : ReorderKind::kCopy;
      p->bytes = y.bytes;
      return 0;
    }
    size_t xd[4], yd[4];
    dims4(s.x, xd);
    dims4(s.y, yd);
    if (s.x.ndims != 4 || s.y.ndims != 4 || memcmp(xd, yd, sizeof xd) != 0)
      return fail(-EINVAL, "x dims %s and y dims %s must be the same n x c x h x w", dims_text(s.x).c_str(), dims_text(s.y).c_str());
    if ((rc = no_overlap(x, "x", y, false))) return rc;
    p->reorder = s.y.layout == ARMBENCH_ENGINE_NCHWC ? ReorderKind::kToNchwc : ReorderKind::kToNchw;
    p->dn = xd[0], p->dc = xd[1], p->dh = xd[2], p->dw = xd[3];
    return 0;
  }

  // A quantized op's parameter q[role]: the arena tensor (fp32 for a scale, int32
  // otherwise), or the constant copied (a non-scale's values checked to be int32
  // ones), holding `per` values, or 1 where one_ok. Absent is fine where optional.
  int qparam(const armbench_engine_step& s, armbench_engine_qrole role, const char* what, bool scale, size_t per,
             bool one_ok, bool optional, const Resolved& y, Step* p) {
    const armbench_engine_tensor& t = s.q[role];
    const armbench_engine_const& c = s.q_const[role];
    Step::QParam& q = p->q[role];
    if (c.data == nullptr && t.ndims == 0) return optional ? 0 : fail(-EINVAL, "%s is missing", what);
    size_t count;
    if (c.data != nullptr) {
      count = c.count;
      if (scale) {
        q.own_f.assign(c.data, c.data + count);
        q.f = q.own_f.data();
      } else {
        q.own_i.resize(count);
        for (size_t i = 0; i < count; ++i) {
          const float v = c.data[i];
          if (!(v == nearbyintf(v) && v >= -2147483648.0f && v < 2147483648.0f))
            return fail(-EINVAL, "constant %s holds %g, which is not an int32 value", what, v);
          q.own_i[i] = static_cast<int32_t>(v);
        }
        q.i = q.own_i.data();
      }
      e_->weight_bytes += count * sizeof(float);
    } else {
      Resolved r;
      int rc;
      if ((rc = tensor(t, what, &r, scale ? ARMBENCH_ENGINE_FP32 : ARMBENCH_ENGINE_INT32)) ||
          (rc = no_overlap(r, what, y, false)))
        return rc;
      if (t.layout != ARMBENCH_ENGINE_NCHW) return fail(-EINVAL, "%s must be nchw (dense)", what);
      count = elems_of(t);
      if (scale) {
        q.f = at(r);
      } else {
        q.i = reinterpret_cast<const int32_t*>(at(r));
      }
    }
    if (count != per && !(one_ok && count == 1))
      return fail(-EINVAL, "%s holds %zu values; %s%zu expected", what, count, one_ok ? "1 or " : "", per);
    q.count = count;
    return 0;
  }

  int qrange(const armbench_engine_step& s, Step* p) {
    if (s.qmin > s.qmax) return fail(-EINVAL, "qmin %d is above qmax %d", s.qmin, s.qmax);
    p->qmin = s.qmin, p->qmax = s.qmax;
    return 0;
  }

  // QLinearMatMul's and QLinearConv's: x scale (1 value), w scale (1 or per), y scale
  // (1), y zero (optional, 1), qmin and qmax; mult holds per values made at each run.
  int requantized(const armbench_engine_step& s, size_t per, const Resolved& y, Step* p) {
    p->requantize = s.q_const[ARMBENCH_Q_Y_SCALE].data != nullptr || s.q[ARMBENCH_Q_Y_SCALE].ndims != 0;
    int rc;
    if (!p->requantize) {
      const armbench_engine_qrole only[] = {ARMBENCH_Q_X_SCALE, ARMBENCH_Q_W_SCALE, ARMBENCH_Q_Y_ZERO};
      for (armbench_engine_qrole r : only)
        if (s.q_const[r].data != nullptr || s.q[r].ndims != 0)
          return fail(-EINVAL, "a scale or y zero point is given without a y scale");
      return 0;
    }
    if ((rc = qparam(s, ARMBENCH_Q_X_SCALE, "x scale", true, 1, true, false, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_W_SCALE, "w scale", true, per, true, false, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_Y_SCALE, "y scale", true, 1, true, false, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_Y_ZERO, "y zero point", false, 1, true, true, y, p)) || (rc = qrange(s, p)))
      return rc;
    p->mult.resize(per);
    return 0;
  }

  // quantize (fp32 x, int32 y) and dequantize (int32 x, fp32 y), elementwise over
  // outer x n x inner with the parameters per n.
  int quantize(const armbench_engine_step& s, Step* p) {
    const bool q = s.op == ARMBENCH_ENGINE_QUANTIZE;
    Resolved x, y;
    int rc;
    size_t elems = 0;
    if ((rc = tensor(s.x, "x", &x, q ? ARMBENCH_ENGINE_FP32 : ARMBENCH_ENGINE_INT32)) ||
        (rc = tensor(s.y, "y", &y, q ? ARMBENCH_ENGINE_INT32 : ARMBENCH_ENGINE_FP32)) ||
        (rc = no_overlap(x, "x", y, true)))
      return rc;
    if (s.outer == 0 || s.n == 0 || s.inner == 0)
      return fail(-EINVAL, "outer %zu, n %zu and inner %zu must be positive", s.outer, s.n, s.inner);
    if ((rc = product(s.outer, s.n, s.inner, &elems, "outer x n x inner")) ||
        (rc = holds(s.x, "x", elems, "outer x n x inner")) || (rc = holds(s.y, "y", elems, "outer x n x inner")))
      return rc;
    const armbench_engine_qrole scale = q ? ARMBENCH_Q_Y_SCALE : ARMBENCH_Q_X_SCALE;
    const armbench_engine_qrole zero = q ? ARMBENCH_Q_Y_ZERO : ARMBENCH_Q_X_ZERO;
    if ((rc = qparam(s, scale, "scale", true, s.n, true, false, y, p)) ||
        (rc = qparam(s, zero, "zero point", false, s.n, true, true, y, p)) || (q && (rc = qrange(s, p))))
      return rc;
    p->x = at(x);
    p->y = at(y);
    p->yi = reinterpret_cast<int32_t*>(p->y);
    p->xi = reinterpret_cast<const int32_t*>(p->x);
    p->outer = s.outer, p->n = s.n, p->inner = s.inner;
    p->toward_zero = s.toward_zero != 0;
    if (q && p->toward_zero && (p->q[scale].count != 1 || p->q[scale].f == nullptr))
      return fail(-EINVAL, "toward_zero (a cast) takes one scale");
    return 0;
  }

  int matmul_integer(const armbench_engine_step& s, Step* p) {
    Resolved a, y;
    int rc;
    if ((rc = tensor(s.x, "a", &a, ARMBENCH_ENGINE_INT32)) || (rc = tensor(s.y, "y", &y, ARMBENCH_ENGINE_INT32)) ||
        (rc = no_overlap(a, "a", y, false)))
      return rc;
    const armbench_engine_tensor& wt = s.q[ARMBENCH_Q_W];
    const armbench_engine_const& wc = s.q_const[ARMBENCH_Q_W];
    const size_t rw = wc.data != nullptr ? wc.ndims : wt.ndims;
    const size_t* wd = wc.data != nullptr ? wc.dims : wt.dims;
    const size_t ra = s.x.ndims;
    if (ra < 2 || rw < 2 || rw > 4)
      return fail(-EINVAL, "a %s and w %s must have 2 to 4 dims", dims_text(s.x).c_str(), dims_text(rw, wd).c_str());
    const size_t m = s.x.dims[ra - 2], k = s.x.dims[ra - 1], n = wd[rw - 1];
    if (wd[rw - 2] != k)
      return fail(-EINVAL, "a %s and w %s disagree on k", dims_text(s.x).c_str(), dims_text(rw, wd).c_str());
    size_t batches = 1;
    for (size_t i = 0; i + 2 < ra; ++i) batches *= s.x.dims[i];
    p->w_batched = rw > 2;
    if (p->w_batched && (rw != ra || memcmp(wd, s.x.dims, (ra - 2) * sizeof(size_t)) != 0))
      return fail(-ENOTSUP, "w's batch dims %s are not a's %s", dims_text(rw, wd).c_str(), dims_text(s.x).c_str());
    size_t yd[4];
    memcpy(yd, s.x.dims, sizeof yd);
    yd[ra - 1] = n;
    if (s.y.ndims != ra || memcmp(s.y.dims, yd, ra * sizeof(size_t)) != 0)
      return fail(-EINVAL, "y dims %s are not the product's %s", dims_text(s.y).c_str(), dims_text(ra, yd).c_str());
    if ((rc = qparam(s, ARMBENCH_Q_W, "w", false, (p->w_batched ? batches : 1) * k * n, false, false, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_X_ZERO, "a zero point", false, m, true, true, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_W_ZERO, "w zero point", false, n, true, true, y, p)) ||
        (rc = requantized(s, n, y, p)))
      return rc;
    p->x = at(a);
    p->xi = reinterpret_cast<const int32_t*>(p->x);
    p->y = at(y);
    p->yi = reinterpret_cast<int32_t*>(p->y);
    p->rows = m, p->k = k, p->n = n, p->batches = batches;
    p->x_signed = s.x_signed != 0, p->w_signed = s.w_signed != 0;
    p->work.resize(armbench_matmul_integer_work_bytes(m, n, k));
    if (p->requantize) p->acc.resize(m * n);
    p->kernel = armbench_igemm_default_kernel();
    const armbench_igemm_kernel* kk = armbench_igemm_kernel_at(p->kernel);
    p->runs = std::string("igemm ") + (kk ? kk->name : "?") + (p->requantize ? ", requantized" : "");
    if (batches > 1) p->runs += " x" + std::to_string(batches) + " batches";
    return 0;
  }

  int dq_matmul(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x, ARMBENCH_ENGINE_FP32)) || (rc = tensor(s.y, "y", &y, ARMBENCH_ENGINE_FP32)) ||
        (rc = no_overlap(x, "x", y, false)))
      return rc;
    const armbench_engine_const& wc = s.q_const[ARMBENCH_Q_W];
    const armbench_engine_const& sc = s.q_const[ARMBENCH_Q_W_SCALE];
    if (wc.data == nullptr || wc.ndims != 2) return fail(-EINVAL, "w must be a constant of 2 dims");
    const size_t k = wc.dims[0], n = wc.dims[1];
    if (sc.data == nullptr || sc.count != n) return fail(-EINVAL, "w scale must be a constant of %zu values", n);
    const size_t r = s.x.ndims;
    if (r < 1 || s.x.dims[r - 1] != k) return fail(-EINVAL, "x %s does not end in w's k = %zu", dims_text(s.x).c_str(), k);
    size_t yd[4];
    memcpy(yd, s.x.dims, sizeof yd);
    yd[r - 1] = n;
    if (s.y.ndims != r || memcmp(s.y.dims, yd, r * sizeof(size_t)) != 0)
      return fail(-EINVAL, "y dims %s are not the product's %s", dims_text(s.y).c_str(), dims_text(r, yd).c_str());
    std::vector<int8_t> w(k * n);
    for (size_t i = 0; i < k * n; ++i) {
      const float v = wc.data[i];
      if (!(v == nearbyintf(v) && v >= -128.0f && v <= 127.0f)) return fail(-EINVAL, "constant w holds %g at %zu, not an int8 value", v, i);
      w[i] = static_cast<int8_t>(v);
    }
    p->kernel = armbench_igemm_default_kernel();
    armbench_dq_weights* packed = nullptr;
    if ((rc = armbench_dq_weights_pack(p->kernel, k, n, w.data(), sc.data, &packed)) != 0)
      return fail(rc, "packing w for the int8 GEMM failed (%d)", rc);
    p->dq.reset(packed);
    e_->weight_bytes += armbench_dq_weights_bytes(packed);
    p->x = at(x);
    p->y = at(y);
    p->rows = elems_of(s.x) / k, p->k = k, p->n = n;
    p->work.resize(armbench_dq_matmul_work_bytes(p->rows, n, k));
    const armbench_igemm_kernel* kk = armbench_igemm_kernel_at(p->kernel);
    p->runs = std::string("igemm ") + (kk ? kk->name : "?") + ", x quantized per call";
    return 0;
  }

  int conv_integer(const armbench_engine_step& s, Step* p) {
    Resolved x, y;
    int rc;
    if ((rc = tensor(s.x, "x", &x, ARMBENCH_ENGINE_INT32)) || (rc = tensor(s.y, "y", &y, ARMBENCH_ENGINE_INT32)) ||
        (rc = no_overlap(x, "x", y, false)))
      return rc;
    char why[256];
    size_t oh = 0, ow = 0;
    const armbench_conv_shape& c = s.conv;
    if (armbench_conv_output(&c, &oh, &ow, why, sizeof why) != 0) return fail(-EINVAL, "%s", why);
    const size_t xd[4] = {c.n, c.c, c.h, c.w}, yd[4] = {c.n, c.k, oh, ow};
    if (s.x.ndims != 4 || memcmp(s.x.dims, xd, sizeof xd) != 0)
      return fail(-EINVAL, "x dims %s are not the shape's %s", dims_text(s.x).c_str(), dims_text(4, xd).c_str());
    if (s.y.ndims != 4 || memcmp(s.y.dims, yd, sizeof yd) != 0)
      return fail(-EINVAL, "y dims %s are not the output's %s", dims_text(s.y).c_str(), dims_text(4, yd).c_str());
    if ((rc = qparam(s, ARMBENCH_Q_W, "w", false, c.k * (c.c / c.groups) * c.r * c.s, false, false, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_X_ZERO, "x zero point", false, 1, true, true, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_W_ZERO, "w zero point", false, c.k, true, true, y, p)) ||
        (rc = qparam(s, ARMBENCH_Q_BIAS, "bias", false, c.k, false, true, y, p)) || (rc = requantized(s, c.k, y, p)))
      return rc;
    p->xi = reinterpret_cast<const int32_t*>(at(x));
    p->y = at(y);
    p->yi = reinterpret_cast<int32_t*>(p->y);
    p->cshape = c;
    if (p->requantize) p->acc.resize(elems_of(s.y));
    p->runs = std::string("conv-integer direct (portable)") + (p->requantize ? ", requantized" : "");
    return 0;
  }

  int step(size_t i, Step* p) {
    const armbench_engine_step& s = d_.steps[i];
    const char* op = armbench_engine_op_name(s.op);
    char label[256];
    snprintf(label, sizeof label, "step %zu \"%s\" (%s)", i, s.name ? s.name : "", op ? op : "?");
    set_label(label);
    p->label = label;
    p->op = s.op;
    // Overwritten by conv and gemm; the elementwise ops run the op set's dispatched kernels.
    const bool eltwise = (s.op >= ARMBENCH_ENGINE_RELU && s.op <= ARMBENCH_ENGINE_MUL) ||
                         (s.op >= ARMBENCH_ENGINE_ERF && s.op <= ARMBENCH_ENGINE_GELU_TANH);
    p->runs = std::string(op ? op : "?") + (eltwise ? std::string(" ") + armbench_ops_isa() : std::string());
    switch (s.op) {
      case ARMBENCH_ENGINE_CONV: return conv(s, p);
      case ARMBENCH_ENGINE_MAXPOOL:
      case ARMBENCH_ENGINE_AVGPOOL: return pool(s, p);
      case ARMBENCH_ENGINE_GLOBAL_AVGPOOL: return global_avgpool(s, p);
      case ARMBENCH_ENGINE_GEMM: return gemm(s, p);
      case ARMBENCH_ENGINE_RELU:
      case ARMBENCH_ENGINE_CLIP:
      case ARMBENCH_ENGINE_SIGMOID:
      case ARMBENCH_ENGINE_HARDSWISH:
      case ARMBENCH_ENGINE_ERF:
      case ARMBENCH_ENGINE_TANH:
      case ARMBENCH_ENGINE_SQRT:
      case ARMBENCH_ENGINE_GELU:
      case ARMBENCH_ENGINE_GELU_TANH:
      case ARMBENCH_ENGINE_EXP:
      case ARMBENCH_ENGINE_LOG:
      case ARMBENCH_ENGINE_ROUND_F16:
      case ARMBENCH_ENGINE_ROUND_BF16:
      case ARMBENCH_ENGINE_ROUND: return unary(s, p);
      case ARMBENCH_ENGINE_QUANTIZE:
      case ARMBENCH_ENGINE_DEQUANTIZE: return quantize(s, p);
      case ARMBENCH_ENGINE_MATMUL_INTEGER: return matmul_integer(s, p);
      case ARMBENCH_ENGINE_DQ_MATMUL: return dq_matmul(s, p);
      case ARMBENCH_ENGINE_CONV_INTEGER: return conv_integer(s, p);
      case ARMBENCH_ENGINE_ADD:
      case ARMBENCH_ENGINE_MUL: return binary(s, p);
      case ARMBENCH_ENGINE_CONCAT: return concat(s, p);
      case ARMBENCH_ENGINE_BATCHNORM: return batchnorm(s, p);
      case ARMBENCH_ENGINE_SOFTMAX: return softmax(s, p);
      case ARMBENCH_ENGINE_REORDER: return reorder(s, p);
      case ARMBENCH_ENGINE_BROADCAST: return broadcast(s, p);
      case ARMBENCH_ENGINE_TRANSPOSE: return transpose(s, p);
      case ARMBENCH_ENGINE_MATMUL: return matmul(s, p);
      case ARMBENCH_ENGINE_LAYERNORM: return layernorm(s, p);
      case ARMBENCH_ENGINE_REDUCE: return reduce(s, p);
      case ARMBENCH_ENGINE_GATHER: return gather(s, p);
      case ARMBENCH_ENGINE_CAST: return cast(s, p);
      case ARMBENCH_ENGINE_ATTENTION: return attention(s, p);
      case ARMBENCH_ENGINE_WHERE: return where(s, p);
      default: return fail(-EINVAL, "unknown op %d", static_cast<int>(s.op));
    }
  }

  // Inputs may be int32 (token ids), and outputs (the quantized ops' values).
  int io(const armbench_engine_tensor* ts, size_t count, const char* what, std::vector<Io>* out) {
    if (count > 0 && ts == nullptr) return err_->fail(-EINVAL, "", "%s are missing", what);
    for (size_t i = 0; i < count; ++i) {
      char w[48];
      snprintf(w, sizeof w, "%s[%zu]", what, i);
      set_label("");
      Resolved r;
      const int rc = tensor(ts[i], w, &r, kAnyDtype);
      if (rc) return rc;
      if (ts[i].layout != ARMBENCH_ENGINE_NCHW) return err_->fail(-EINVAL, "", "%s must be nchw", w);
      out->push_back(Io{r.offset, r.bytes / sizeof(float), ts[i].dtype});
    }
    return 0;
  }

 private:
  const armbench_engine_desc& d_;
  armbench_engine* e_;
  Errors* err_;
  std::string label_;
};

int create(const armbench_engine_desc* d, armbench_engine** out, Errors* err) {
  if (out == nullptr || d == nullptr) return err->fail(-EINVAL, "", "no program");
  *out = nullptr;
  if (d->arena_bytes == 0) return err->fail(-EINVAL, "", "the arena has no bytes");
  if (d->step_count > 0 && d->steps == nullptr) return err->fail(-EINVAL, "", "the steps are missing");
  if (d->nchwc_block != 0 && d->nchwc_block != armbench_nchwc_block())
    return err->fail(-EINVAL, "", "the program was built for nchwc block %zu; this CPU's is %zu", d->nchwc_block,
                     armbench_nchwc_block());
  std::unique_ptr<armbench_engine> e(new armbench_engine());
  e->arena_bytes = d->arena_bytes;
  e->block = d->nchwc_block;
  const size_t rounded = (d->arena_bytes + kArenaAlign - 1) / kArenaAlign * kArenaAlign;
  if (rounded < d->arena_bytes) return err->fail(-ENOMEM, "", "an arena of %zu bytes cannot be allocated", d->arena_bytes);
  // Zeroed: NCHWc padding channels start (and stay) zero; reading never-written bytes is
  // defined. On huge pages where offered (huge_alloc.h); its 64-byte alignment is kArenaAlign.
  e->arena.reset(static_cast<unsigned char*>(armbench::runtime::huge_calloc(rounded)));
  if (!e->arena) return err->fail(-ENOMEM, "", "an arena of %zu bytes cannot be allocated", d->arena_bytes);
  Builder b(*d, e.get(), err);
  int rc;
  if ((rc = b.io(d->inputs, d->input_count, "inputs", &e->inputs))) return rc;
  if ((rc = b.io(d->outputs, d->output_count, "outputs", &e->outputs))) return rc;
  e->steps.resize(d->step_count);
  for (size_t i = 0; i < d->step_count; ++i)
    if ((rc = b.step(i, &e->steps[i]))) return rc;
  if (e->scratch_bytes > 0) {
    const size_t bytes = (e->scratch_bytes + kArenaAlign - 1) / kArenaAlign * kArenaAlign;
    e->scratch.reset(static_cast<unsigned char*>(aligned_alloc(kArenaAlign, bytes)));
    if (!e->scratch) return err->fail(-ENOMEM, "", "the bf16 scratch of %zu bytes cannot be allocated", bytes);
  }
  *out = e.release();
  return 0;
}

}  // namespace

extern "C" {

const char* armbench_engine_op_name(armbench_engine_op op) {
  static const char* const names[ARMBENCH_ENGINE_OP_COUNT] = {
      "conv",      "maxpool", "avgpool",   "globalavgpool", "gemm",       "relu",   "clip",
      "sigmoid",   "hardswish", "add",     "mul",           "concat",     "batchnorm", "softmax",
      "reorder",   "broadcast", "transpose", "matmul",      "layernorm",  "reduce", "gather",
      "cast",      "erf",     "tanh",      "sqrt",          "gelu",       "gelu-tanh", "attention",
      "exp",       "log",     "where",     "round-f16",     "round-bf16", "quantize", "dequantize",
      "matmul-integer", "conv-integer", "round", "dynamic-quant-matmul"};
  return static_cast<unsigned>(op) < ARMBENCH_ENGINE_OP_COUNT ? names[op] : nullptr;
}

int armbench_engine_create(const armbench_engine_desc* desc, armbench_engine** out, char* why, size_t why_len) {
  if (why != nullptr && why_len > 0) why[0] = '\0';
  Errors err{why, why_len};
  try {
    return create(desc, out, &err);
  } catch (const std::bad_alloc&) {
    return err.fail(-ENOMEM, "", "out of memory while preparing the program");
  }
}

void armbench_engine_free(armbench_engine* engine) { delete engine; }

void armbench_engine_get_info(const armbench_engine* e, armbench_engine_info* info) {
  if (e == nullptr || info == nullptr) return;
  info->arena_bytes = e->arena_bytes;
  info->weight_bytes = e->weight_bytes;
  info->scratch_bytes = e->scratch_bytes;
  info->step_count = e->steps.size();
  info->input_count = e->inputs.size();
  info->output_count = e->outputs.size();
}

const char* armbench_engine_step_kernel(const armbench_engine* e, size_t i) {
  return e != nullptr && i < e->steps.size() ? e->steps[i].runs.c_str() : nullptr;
}

size_t armbench_engine_input_elems(const armbench_engine* e, size_t i) {
  return e != nullptr && i < e->inputs.size() ? e->inputs[i].elems : 0;
}

size_t armbench_engine_output_elems(const armbench_engine* e, size_t i) {
  return e != nullptr && i < e->outputs.size() ? e->outputs[i].elems : 0;
}

armbench_engine_dtype armbench_engine_input_dtype(const armbench_engine* e, size_t i) {
  return e != nullptr && i < e->inputs.size() ? e->inputs[i].dtype : ARMBENCH_ENGINE_FP32;
}

armbench_engine_dtype armbench_engine_output_dtype(const armbench_engine* e, size_t i) {
  return e != nullptr && i < e->outputs.size() ? e->outputs[i].dtype : ARMBENCH_ENGINE_FP32;
}

}  // extern "C"
