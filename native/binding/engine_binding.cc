// The model executor: marshals a Program (src/engine/program.ts) into
// armbench/engine.h's step descriptions, and its runs and measurements off the
// JavaScript thread. Every check of the program's meaning is the engine's; here only
// types and ranges are checked.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "armbench/engine.h"
#include "exports.h"
#include "handles.h"
#include "promise_worker.h"

namespace armbench_binding {
namespace {

struct EngineRef {
  static constexpr HandleKind kKind = HandleKind::Engine;
  armbench_engine* engine = nullptr;
  std::shared_ptr<GemmPoolRef> pool;  // kept alive as long as the engine may run on it
  ~EngineRef() {
    if (engine) armbench_engine_free(engine);
  }
};

std::shared_ptr<EngineRef> UnwrapEngine(Napi::Value v, const char* fn) { return UnwrapHandle<EngineRef>(v, fn, "engine"); }

// The engine's pool, held for a run: a gemmMeasure or another engine on the same pool
// waits. The engine's own lock (its runs share the arena) is taken inside, after it.
struct EngineLock {
  std::unique_lock<std::mutex> pool;
  explicit EngineLock(EngineRef& e) {
    if (e.pool) pool = std::unique_lock<std::mutex>(e.pool->busy);
  }
};

constexpr int64_t kMaxBytes = int64_t{1} << 50;
constexpr int64_t kMaxDim = int64_t{1} << 31;
constexpr double kMaxProfileTimes = 1 << 24;

Napi::Object ObjectField(Napi::Object o, const char* key, const std::string& where) {
  Napi::Value v = o.Get(key);
  if (!v.IsObject() || v.IsArray()) throw Napi::TypeError::New(o.Env(), where + ": " + key + " must be an object");
  return v.As<Napi::Object>();
}

Napi::Array ArrayField(Napi::Object o, const char* key, const std::string& where) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) throw Napi::TypeError::New(o.Env(), where + ": " + key + " must be an array");
  return v.As<Napi::Array>();
}

std::string StringField(Napi::Object o, const char* key, const std::string& where) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), where + ": " + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

bool Present(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

// A gemm or matmul step's optional `gemm: { kernel, mc, kc, nc }` (a tuning's choice).
void GemmChoice(Napi::Object s, const std::string& where, armbench_engine_step* st) {
  if (!Present(s, "gemm")) return;
  const Napi::Object g = ObjectField(s, "gemm", where);
  const std::string w = where + ": gemm";
  st->has_gemm_choice = 1;
  st->gemm_kernel = static_cast<size_t>(IntField(g, "kernel", w.c_str(), 0, 1 << 20));
  st->gemm_blocking.mc = static_cast<size_t>(IntField(g, "mc", w.c_str(), 1, 1 << 20));
  st->gemm_blocking.kc = static_cast<size_t>(IntField(g, "kc", w.c_str(), 1, 1 << 20));
  st->gemm_blocking.nc = static_cast<size_t>(IntField(g, "nc", w.c_str(), 1, 1 << 20));
}

// A number (any, infinities included) or `fallback` when absent.
float OptionalFloat(Napi::Object o, const char* key, float fallback, const std::string& where) {
  if (!Present(o, key)) return fallback;
  return static_cast<float>(NumberField(o, key, where.c_str()));
}

// A Float32Array's data and length; the program's arrays are read during engineCreate only.
const float* Float32Field(Napi::Object o, const char* key, size_t* count, const std::string& where, bool required) {
  Napi::Value v = o.Get(key);
  if (!required && (v.IsUndefined() || v.IsNull())) {
    *count = 0;
    return nullptr;
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(o.Env(), where + ": " + key + " must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  *count = a.ElementLength();
  // An empty array still needs a non-NULL pointer: the engine tells "missing" from "wrong length".
  static const float kNothing = 0.0f;
  return *count > 0 ? a.Data() : &kNothing;
}

armbench_engine_tensor Tensor(Napi::Object o, const char* key, const std::string& where) {
  const std::string w = where + ": " + key;
  Napi::Object t = ObjectField(o, key, where);
  armbench_engine_tensor r{};
  r.offset = static_cast<size_t>(IntField(t, "offset", w.c_str(), 0, kMaxBytes));
  Napi::Array dims = ArrayField(t, "dims", w);
  if (dims.Length() < 1 || dims.Length() > 4) throw Napi::RangeError::New(o.Env(), w + ": dims must hold 1 to 4 numbers");
  r.ndims = dims.Length();
  std::vector<int> d = IntArrayField(t, "dims", w.c_str(), 1, static_cast<int>(kMaxDim - 1));
  for (size_t i = 0; i < d.size(); ++i) r.dims[i] = static_cast<size_t>(d[i]);
  const std::string layout = StringField(t, "layout", w);
  if (layout == "nchw") {
    r.layout = ARMBENCH_ENGINE_NCHW;
  } else if (layout == "nchwc") {
    r.layout = ARMBENCH_ENGINE_NCHWC;
  } else {
    throw Napi::TypeError::New(o.Env(), w + ": layout must be \"nchw\" or \"nchwc\"");
  }
  if (Present(t, "dtype")) {
    const std::string dtype = StringField(t, "dtype", w);
    if (dtype == "int32") {
      r.dtype = ARMBENCH_ENGINE_INT32;
    } else if (dtype != "fp32") {
      throw Napi::TypeError::New(o.Env(), w + ": dtype must be \"fp32\" or \"int32\"");
    }
  }
  return r;
}

// A ConstOperand ({ dims, data }) when the operand has data; otherwise a TensorRef.
void Operand(Napi::Object s, const char* key, const std::string& where, armbench_engine_tensor* t,
             armbench_engine_const* c) {
  Napi::Object o = ObjectField(s, key, where);
  if (!Present(o, "data")) {
    *t = Tensor(s, key, where);
    return;
  }
  const std::string w = where + ": " + key;
  Napi::Array dims = ArrayField(o, "dims", w);
  if (dims.Length() < 1 || dims.Length() > 4) throw Napi::RangeError::New(s.Env(), w + ": dims must hold 1 to 4 numbers");
  std::vector<int> d = IntArrayField(o, "dims", w.c_str(), 1, static_cast<int>(kMaxDim - 1));
  c->ndims = d.size();
  for (size_t i = 0; i < d.size(); ++i) c->dims[i] = static_cast<size_t>(d[i]);
  c->data = Float32Field(o, "data", &c->count, w, true);
}

// An Int32Array's data and length (read during engineCreate only).
const int32_t* Int32Field(Napi::Object o, const char* key, size_t* count, const std::string& where) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(o.Env(), where + ": " + key + " must be an Int32Array");
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  *count = a.ElementLength();
  static const int32_t kNothing = 0;
  return *count > 0 ? a.Data() : &kNothing;
}

// A conv step's shape ({ n, c, h, w, k, r, s, strideH, ... }).
armbench_conv_shape ConvShape(Napi::Object s, const std::string& where) {
  Napi::Object sh = ObjectField(s, "shape", where);
  const std::string sw = where + ": shape";
  const char* shw = sw.c_str();
  armbench_conv_shape c{};
  c.n = static_cast<size_t>(IntField(sh, "n", shw, 1, kMaxDim));
  c.c = static_cast<size_t>(IntField(sh, "c", shw, 1, kMaxDim));
  c.h = static_cast<size_t>(IntField(sh, "h", shw, 1, kMaxDim));
  c.w = static_cast<size_t>(IntField(sh, "w", shw, 1, kMaxDim));
  c.k = static_cast<size_t>(IntField(sh, "k", shw, 1, kMaxDim));
  c.r = static_cast<size_t>(IntField(sh, "r", shw, 1, 1024));
  c.s = static_cast<size_t>(IntField(sh, "s", shw, 1, 1024));
  c.stride_h = static_cast<size_t>(IntField(sh, "strideH", shw, 1, 1024));
  c.stride_w = static_cast<size_t>(IntField(sh, "strideW", shw, 1, 1024));
  c.pad_top = static_cast<size_t>(IntField(sh, "padTop", shw, 0, 1024));
  c.pad_left = static_cast<size_t>(IntField(sh, "padLeft", shw, 0, 1024));
  c.pad_bottom = static_cast<size_t>(IntField(sh, "padBottom", shw, 0, 1024));
  c.pad_right = static_cast<size_t>(IntField(sh, "padRight", shw, 0, 1024));
  c.dilation_h = static_cast<size_t>(IntField(sh, "dilationH", shw, 1, 1024));
  c.dilation_w = static_cast<size_t>(IntField(sh, "dilationW", shw, 1, 1024));
  c.groups = static_cast<size_t>(IntField(sh, "groups", shw, 1, kMaxDim));
  return c;
}

// An optional operand of a quantized op into its role: a TensorRef, a ConstOperand, or absent.
void QParam(Napi::Object s, const char* key, const std::string& where, armbench_engine_qrole role,
            armbench_engine_step* st) {
  if (Present(s, key)) Operand(s, key, where, &st->q[role], &st->q_const[role]);
}

bool OptionalBool(Napi::Object s, const char* key, const std::string& where) {
  const Napi::Value v = s.Get(key);
  if (!v.IsUndefined() && !v.IsBoolean()) throw Napi::TypeError::New(s.Env(), where + ": " + key + " must be a boolean");
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

// The integer range a quantized result saturates into.
void QRange(Napi::Object s, const std::string& where, armbench_engine_step* st) {
  st->qmin = static_cast<int32_t>(IntField(s, "qmin", where.c_str(), -2147483647 - 1, 2147483647));
  st->qmax = static_cast<int32_t>(IntField(s, "qmax", where.c_str(), -2147483647 - 1, 2147483647));
}

// QLinearMatMul's and QLinearConv's requantization, where the step has a yScale.
void Requantization(Napi::Object s, const std::string& where, armbench_engine_step* st) {
  QParam(s, "xScale", where, ARMBENCH_Q_X_SCALE, st);
  QParam(s, "wScale", where, ARMBENCH_Q_W_SCALE, st);
  QParam(s, "yScale", where, ARMBENCH_Q_Y_SCALE, st);
  QParam(s, "yZero", where, ARMBENCH_Q_Y_ZERO, st);
  if (Present(s, "yScale")) QRange(s, where, st);
}

armbench_conv_activation Activation(Napi::Object o, const std::string& where) {
  const std::string a = StringField(o, "act", where);
  if (a == "none") return ARMBENCH_ACT_NONE;
  if (a == "relu") return ARMBENCH_ACT_RELU;
  if (a == "clip") return ARMBENCH_ACT_CLIP;
  if (a == "gelu") return ARMBENCH_ACT_GELU;
  if (a == "gelu-tanh") return ARMBENCH_ACT_GELU_TANH;
  throw Napi::TypeError::New(o.Env(), where + ": act must be \"none\", \"relu\", \"clip\", \"gelu\" or \"gelu-tanh\"");
}

// names[i] equal to name, or a TypeError listing them all ("what must be "a", "b" or "c"").
int NameIndex(const std::string& name, const char* const* names, int count, Napi::Env env, const std::string& what) {
  std::string list;
  for (int i = 0; i < count; ++i) {
    if (name == names[i]) return i;
    list += std::string(i == 0 ? "" : i + 1 == count ? " or " : ", ") + "\"" + names[i] + "\"";
  }
  throw Napi::TypeError::New(env, what + " must be " + list);
}

armbench_engine_op OpByName(const std::string& op) {
  for (int i = 0; i < ARMBENCH_ENGINE_OP_COUNT; ++i)
    if (op == armbench_engine_op_name(static_cast<armbench_engine_op>(i))) return static_cast<armbench_engine_op>(i);
  return ARMBENCH_ENGINE_OP_COUNT;
}

// Everything the step descriptions point at, alive until armbench_engine_create returns.
struct Marshalled {
  std::vector<armbench_engine_step> steps;
  std::vector<armbench_engine_tensor> inputs, outputs;
  std::deque<std::string> strings;
  std::deque<std::vector<armbench_engine_tensor>> xs;
};

void Step(Napi::Object s, size_t index, Marshalled* m) {
  Napi::Env env = s.Env();
  std::string where = "engineCreate: steps[" + std::to_string(index) + "]";
  const std::string opName = StringField(s, "op", where);
  m->strings.push_back(StringField(s, "name", where));
  where = "engineCreate: step " + std::to_string(index) + " \"" + m->strings.back() + "\" (" + opName + ")";
  armbench_engine_step st{};
  st.name = m->strings.back().c_str();
  st.op = OpByName(opName);
  if (st.op == ARMBENCH_ENGINE_OP_COUNT) throw Napi::TypeError::New(env, where + ": unknown op");
  const char* w = where.c_str();
  // Binary ops name their operands a and b; concat has xs; gather's x is optional;
  // where reads cond, a and b.
  const bool hasX = st.op != ARMBENCH_ENGINE_ADD && st.op != ARMBENCH_ENGINE_MUL && st.op != ARMBENCH_ENGINE_CONCAT &&
                    st.op != ARMBENCH_ENGINE_BROADCAST && st.op != ARMBENCH_ENGINE_MATMUL &&
                    st.op != ARMBENCH_ENGINE_GATHER && st.op != ARMBENCH_ENGINE_ATTENTION &&
                    st.op != ARMBENCH_ENGINE_WHERE && st.op != ARMBENCH_ENGINE_MATMUL_INTEGER;
  if (hasX) st.x = Tensor(s, "x", where);
  st.y = Tensor(s, "y", where);
  st.clip_min = -std::numeric_limits<float>::infinity();
  st.clip_max = std::numeric_limits<float>::infinity();
  switch (st.op) {
    case ARMBENCH_ENGINE_CONV: {
      st.conv = ConvShape(s, where);
      m->strings.push_back(StringField(s, "algo", where));
      st.algo = m->strings.back().c_str();
      st.dtype = DtypeField(s, w);
      st.weights = Float32Field(s, "weights", &st.weights_count, where, true);
      st.bias = Float32Field(s, "bias", &st.bias_count, where, false);
      if (Present(s, "residual")) {
        st.has_residual = 1;
        st.residual = Tensor(s, "residual", where);
      }
      st.act = Activation(s, where);
      st.clip_min = OptionalFloat(s, "clipMin", st.clip_min, where);
      st.clip_max = OptionalFloat(s, "clipMax", st.clip_max, where);
      break;
    }
    case ARMBENCH_ENGINE_GEMM:
      st.rows = static_cast<size_t>(IntField(s, "rows", w, 1, kMaxDim));
      st.k = static_cast<size_t>(IntField(s, "k", w, 1, kMaxDim));
      st.n = static_cast<size_t>(IntField(s, "n", w, 1, kMaxDim));
      st.dtype = DtypeField(s, w);
      st.weights = Float32Field(s, "weights", &st.weights_count, where, true);
      st.bias = Float32Field(s, "bias", &st.bias_count, where, false);
      st.act = Activation(s, where);
      st.clip_min = OptionalFloat(s, "clipMin", st.clip_min, where);
      st.clip_max = OptionalFloat(s, "clipMax", st.clip_max, where);
      GemmChoice(s, where, &st);
      break;
    case ARMBENCH_ENGINE_MAXPOOL:
    case ARMBENCH_ENGINE_AVGPOOL: {
      std::vector<int> kernel = IntArrayField(s, "kernel", w, 1, 1 << 20);
      std::vector<int> stride = IntArrayField(s, "stride", w, 1, 1 << 20);
      std::vector<int> pads = IntArrayField(s, "pads", w, 0, 1 << 20);
      if (kernel.size() != 2 || stride.size() != 2 || pads.size() != 4)
        throw Napi::RangeError::New(env, where + ": kernel and stride must hold 2 numbers, pads 4");
      st.pool.kh = kernel[0], st.pool.kw = kernel[1];
      st.pool.stride_h = stride[0], st.pool.stride_w = stride[1];
      st.pool.pad_top = pads[0], st.pool.pad_left = pads[1], st.pool.pad_bottom = pads[2], st.pool.pad_right = pads[3];
      Napi::Value cip = s.Get("countIncludePad");
      if (!cip.IsUndefined() && !cip.IsBoolean())
        throw Napi::TypeError::New(env, where + ": countIncludePad must be a boolean");
      st.pool.count_include_pad = cip.IsBoolean() && cip.As<Napi::Boolean>().Value() ? 1 : 0;
      break;
    }
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
    case ARMBENCH_ENGINE_ROUND:
      st.clip_min = OptionalFloat(s, "min", st.clip_min, where);
      st.clip_max = OptionalFloat(s, "max", st.clip_max, where);
      break;
    case ARMBENCH_ENGINE_ADD:
    case ARMBENCH_ENGINE_MUL:
      st.x = Tensor(s, "a", where);
      st.b = Tensor(s, "b", where);
      break;
    case ARMBENCH_ENGINE_CONCAT: {
      Napi::Array xs = ArrayField(s, "xs", where);
      m->xs.emplace_back();
      for (uint32_t i = 0; i < xs.Length(); ++i) {
        Napi::Object holder = Napi::Object::New(env);
        holder.Set("x", xs.Get(i));
        m->xs.back().push_back(Tensor(holder, "x", where + ": xs[" + std::to_string(i) + "]"));
      }
      st.xs = m->xs.back().data();
      st.xs_count = m->xs.back().size();
      break;
    }
    case ARMBENCH_ENGINE_BATCHNORM:
      st.scale = Float32Field(s, "scale", &st.scale_count, where, true);
      st.bias = Float32Field(s, "bias", &st.bias_count, where, true);
      st.mean = Float32Field(s, "mean", &st.mean_count, where, true);
      st.var = Float32Field(s, "variance", &st.var_count, where, true);
      st.epsilon = static_cast<float>(NumberField(s, "epsilon", w));
      break;
    case ARMBENCH_ENGINE_SOFTMAX: {
      Napi::Value log = s.Get("log");
      if (!log.IsUndefined() && !log.IsBoolean()) throw Napi::TypeError::New(env, where + ": log must be a boolean");
      st.log_softmax = log.IsBoolean() && log.As<Napi::Boolean>().Value() ? 1 : 0;
      break;
    }
    case ARMBENCH_ENGINE_BROADCAST: {
      const std::string fn = StringField(s, "fn", where);
      static const char* const fns[ARMBENCH_BINARY_FN_COUNT] = {
          "add", "sub", "mul", "div", "pow", "max", "min", "equal", "not-equal", "less", "less-equal", "greater",
          "greater-equal"};
      st.fn = static_cast<armbench_binary_fn>(NameIndex(fn, fns, ARMBENCH_BINARY_FN_COUNT, env, where + ": fn"));
      Operand(s, "a", where, &st.x, &st.a_const);
      Operand(s, "b", where, &st.b, &st.b_const);
      break;
    }
    case ARMBENCH_ENGINE_TRANSPOSE: {
      std::vector<int> perm = IntArrayField(s, "perm", w, 0, 3, 4);
      if (perm.size() != st.x.ndims)
        throw Napi::RangeError::New(env, where + ": perm must hold one axis per dim of x (" + std::to_string(st.x.ndims) + ")");
      for (size_t i = 0; i < perm.size(); ++i) st.perm[i] = static_cast<size_t>(perm[i]);
      break;
    }
    case ARMBENCH_ENGINE_MATMUL:
      st.x = Tensor(s, "a", where);
      st.b = Tensor(s, "b", where);
      st.dtype = DtypeField(s, w);
      GemmChoice(s, where, &st);
      break;
    case ARMBENCH_ENGINE_ATTENTION:
      st.x = Tensor(s, "q", where);
      st.b = Tensor(s, "kt", where);
      st.v = Tensor(s, "v", where);
      if (Present(s, "mask")) {
        st.has_mask = 1;
        st.mask = Tensor(s, "mask", where);
      }
      st.attention_scale = static_cast<float>(NumberField(s, "scale", w));
      st.dtype = DtypeField(s, w);
      GemmChoice(s, where, &st);
      break;
    case ARMBENCH_ENGINE_LAYERNORM:
      st.rows = static_cast<size_t>(IntField(s, "rows", w, 1, kMaxDim));
      st.cols = static_cast<size_t>(IntField(s, "cols", w, 1, kMaxDim));
      if (Present(s, "residual")) {
        st.has_residual = 1;
        st.residual = Tensor(s, "residual", where);
      }
      st.scale = Float32Field(s, "scale", &st.scale_count, where, true);
      st.bias = Float32Field(s, "bias", &st.bias_count, where, false);
      st.epsilon = static_cast<float>(NumberField(s, "epsilon", w));
      break;
    case ARMBENCH_ENGINE_REDUCE: {
      static const char* const fns[ARMBENCH_REDUCE_FN_COUNT] = {"mean", "sum", "max", "min"};
      st.reduce_fn = static_cast<armbench_reduce_fn>(
          NameIndex(StringField(s, "fn", where), fns, ARMBENCH_REDUCE_FN_COUNT, env, where + ": fn"));
      st.outer = static_cast<size_t>(IntField(s, "outer", w, 1, kMaxDim));
      st.n = static_cast<size_t>(IntField(s, "n", w, 1, kMaxDim));
      st.inner = static_cast<size_t>(IntField(s, "inner", w, 1, kMaxDim));
      break;
    }
    case ARMBENCH_ENGINE_WHERE:
      Operand(s, "cond", where, &st.x, &st.a_const);
      Operand(s, "a", where, &st.b, &st.b_const);
      Operand(s, "b", where, &st.v, &st.v_const);
      break;
    case ARMBENCH_ENGINE_GATHER: {
      st.outer = static_cast<size_t>(IntField(s, "outer", w, 1, kMaxDim));
      st.axis_len = static_cast<size_t>(IntField(s, "axisLen", w, 1, kMaxDim));
      st.inner = static_cast<size_t>(IntField(s, "inner", w, 1, kMaxDim));
      st.count = static_cast<size_t>(IntField(s, "count", w, 1, kMaxDim));
      if (Present(s, "x") == Present(s, "table"))
        throw Napi::TypeError::New(env, where + ": exactly one of x (a tensor) and table (a Float32Array) must be given");
      if (Present(s, "x")) {
        st.x = Tensor(s, "x", where);
      } else {
        st.table = Float32Field(s, "table", &st.table_count, where, true);
      }
      if (Present(s, "indices") == Present(s, "indexValues"))
        throw Napi::TypeError::New(env, where + ": exactly one of indices (a tensor) and indexValues (an Int32Array) must be given");
      if (Present(s, "indices")) {
        st.indices = Tensor(s, "indices", where);
      } else {
        st.index_values = Int32Field(s, "indexValues", &st.index_values_count, where);
      }
      const Napi::Value zero = s.Get("zeroRow");
      if (!zero.IsUndefined() && !zero.IsBoolean()) throw Napi::TypeError::New(env, where + ": zeroRow must be a boolean");
      st.zero_row = zero.IsBoolean() && zero.As<Napi::Boolean>().Value() ? 1 : 0;
      break;
    }
    case ARMBENCH_ENGINE_QUANTIZE:
    case ARMBENCH_ENGINE_DEQUANTIZE: {
      const bool q = st.op == ARMBENCH_ENGINE_QUANTIZE;
      st.outer = static_cast<size_t>(IntField(s, "outer", w, 1, kMaxDim));
      st.n = static_cast<size_t>(IntField(s, "n", w, 1, kMaxDim));
      st.inner = static_cast<size_t>(IntField(s, "inner", w, 1, kMaxDim));
      Operand(s, "scale", where, &st.q[q ? ARMBENCH_Q_Y_SCALE : ARMBENCH_Q_X_SCALE],
              &st.q_const[q ? ARMBENCH_Q_Y_SCALE : ARMBENCH_Q_X_SCALE]);
      QParam(s, "zero", where, q ? ARMBENCH_Q_Y_ZERO : ARMBENCH_Q_X_ZERO, &st);
      if (q) {
        QRange(s, where, &st);
        st.toward_zero = OptionalBool(s, "towardZero", where) ? 1 : 0;
      }
      break;
    }
    case ARMBENCH_ENGINE_MATMUL_INTEGER:
      st.x = Tensor(s, "a", where);
      Operand(s, "w", where, &st.q[ARMBENCH_Q_W], &st.q_const[ARMBENCH_Q_W]);
      QParam(s, "aZero", where, ARMBENCH_Q_X_ZERO, &st);
      QParam(s, "wZero", where, ARMBENCH_Q_W_ZERO, &st);
      st.x_signed = OptionalBool(s, "aSigned", where) ? 1 : 0;
      st.w_signed = OptionalBool(s, "wSigned", where) ? 1 : 0;
      Requantization(s, where, &st);
      break;
    case ARMBENCH_ENGINE_DQ_MATMUL:
      Operand(s, "w", where, &st.q[ARMBENCH_Q_W], &st.q_const[ARMBENCH_Q_W]);
      Operand(s, "wScale", where, &st.q[ARMBENCH_Q_W_SCALE], &st.q_const[ARMBENCH_Q_W_SCALE]);
      break;
    case ARMBENCH_ENGINE_CONV_INTEGER:
      st.conv = ConvShape(s, where);
      Operand(s, "w", where, &st.q[ARMBENCH_Q_W], &st.q_const[ARMBENCH_Q_W]);
      QParam(s, "xZero", where, ARMBENCH_Q_X_ZERO, &st);
      QParam(s, "wZero", where, ARMBENCH_Q_W_ZERO, &st);
      QParam(s, "bias", where, ARMBENCH_Q_BIAS, &st);
      Requantization(s, where, &st);
      break;
    default:
      break;
  }
  m->steps.push_back(st);
}

void Io(Napi::Object program, const char* key, std::vector<armbench_engine_tensor>* out) {
  Napi::Array a = ArrayField(program, key, "engineCreate");
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value v = a.Get(i);
    const std::string where = std::string("engineCreate: ") + key + "[" + std::to_string(i) + "]";
    if (!v.IsObject()) throw Napi::TypeError::New(program.Env(), where + " must be an object");
    out->push_back(Tensor(v.As<Napi::Object>(), "ref", where));
  }
}

// engineCreate(program, pool?) -> handle. Throws an Error naming the step when the
// engine refuses the program (errno on the error: EINVAL or ENOTSUP).
Napi::Value EngineCreate(const Napi::CallbackInfo& info) {
  const char* fn = "engineCreate";
  Napi::Env env = info.Env();
  Napi::Object program = RequireObject(info, 0, fn);
  std::shared_ptr<GemmPoolRef> pool;
  if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()) pool = UnwrapGemmPool(info[1], fn);
  Marshalled m;
  armbench_engine_desc d{};
  d.arena_bytes = static_cast<size_t>(IntField(program, "arenaBytes", fn, 1, kMaxBytes));
  RequireFits(env, fn, "arenaBytes", static_cast<double>(d.arena_bytes));
  d.nchwc_block = static_cast<size_t>(IntField(program, "nchwcBlock", fn, 0, 1024));
  Io(program, "inputs", &m.inputs);
  Io(program, "outputs", &m.outputs);
  Napi::Array steps = ArrayField(program, "steps", fn);
  m.steps.reserve(steps.Length());
  for (uint32_t i = 0; i < steps.Length(); ++i) {
    Napi::Value v = steps.Get(i);
    if (!v.IsObject()) throw Napi::TypeError::New(env, std::string(fn) + ": steps[" + std::to_string(i) + "] must be an object");
    Step(v.As<Napi::Object>(), i, &m);
  }
  d.inputs = m.inputs.data(), d.input_count = m.inputs.size();
  d.outputs = m.outputs.data(), d.output_count = m.outputs.size();
  d.steps = m.steps.data(), d.step_count = m.steps.size();
  auto ref = std::make_shared<EngineRef>();
  ref->pool = pool;
  char why[512] = {0};
  const int rc = armbench_engine_create(&d, &ref->engine, why, sizeof why);
  if (rc != 0) {
    Napi::Error err = Napi::Error::New(env, std::string(fn) + ": " + (why[0] ? why : ErrnoMessage(fn, rc)));
    err.Set("errno", Napi::Number::New(env, -rc));
    throw err;
  }
  return WrapHandle(env, ref);
}

// The inputs, copied (the work runs after JavaScript may have changed or dropped them):
// a Float32Array for an fp32 input, an Int32Array for an int32 one, held as 4-byte
// values either way.
std::shared_ptr<std::vector<std::vector<float>>> Inputs(const Napi::CallbackInfo& info, const EngineRef& e, const char* fn) {
  if (info.Length() < 2 || !info[1].IsArray())
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": inputs must be an array of Float32Array or Int32Array");
  Napi::Array a = info[1].As<Napi::Array>();
  armbench_engine_info ei{};
  armbench_engine_get_info(e.engine, &ei);
  if (a.Length() != ei.input_count)
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": the program takes " + std::to_string(ei.input_count) +
                                                " inputs; " + std::to_string(a.Length()) + " given");
  auto out = std::make_shared<std::vector<std::vector<float>>>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value v = a.Get(i);
    const std::string where = std::string(fn) + ": inputs[" + std::to_string(i) + "]";
    const bool int32 = armbench_engine_input_dtype(e.engine, i) == ARMBENCH_ENGINE_INT32;
    const napi_typedarray_type type = int32 ? napi_int32_array : napi_float32_array;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
      throw Napi::TypeError::New(info.Env(), where + " must be " + (int32 ? "an Int32Array (the input is int32)"
                                                                          : "a Float32Array (the input is fp32)"));
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    const size_t want = armbench_engine_input_elems(e.engine, i);
    if (t.ElementLength() != want)
      throw Napi::RangeError::New(info.Env(), where + " holds " + std::to_string(t.ElementLength()) + " values; " +
                                                  std::to_string(want) + " expected");
    out->emplace_back(want);
    if (want > 0) {
      const void* data = int32 ? static_cast<const void*>(v.As<Napi::Int32Array>().Data())
                               : static_cast<const void*>(v.As<Napi::Float32Array>().Data());
      std::memcpy(out->back().data(), data, want * sizeof(float));
    }
  }
  return out;
}

bool ProfileOption(Napi::Object o, const char* fn) {
  Napi::Value v = o.Get("profile");
  if (v.IsUndefined()) return false;
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string(fn) + ": profile must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

// Outputs, sized and typed from the engine, with the pointer table the C ABI takes.
struct Buffers {
  std::vector<std::vector<float>> inputs, outputs;
  std::vector<const void*> in;
  std::vector<float*> out;
  std::vector<bool> int32;  // per output: int32_t values in the 4-byte slots
  std::vector<uint64_t> samples, steps;
  Buffers(const EngineRef& e, std::vector<std::vector<float>> ins) : inputs(std::move(ins)) {
    armbench_engine_info ei{};
    armbench_engine_get_info(e.engine, &ei);
    for (auto& v : inputs) in.push_back(v.data());
    for (size_t i = 0; i < ei.output_count; ++i) {
      outputs.emplace_back(armbench_engine_output_elems(e.engine, i));
      int32.push_back(armbench_engine_output_dtype(e.engine, i) == ARMBENCH_ENGINE_INT32);
    }
    for (auto& v : outputs) out.push_back(v.data());
  }
};

Napi::Array Outputs(Napi::Env env, const Buffers& b) {
  Napi::Array out = Napi::Array::New(env, b.outputs.size());
  for (size_t i = 0; i < b.outputs.size(); ++i) {
    // An Int32Array for an int32 output: its bytes as the arena held them.
    const size_t n = b.outputs[i].size();
    Napi::TypedArray t;
    void* data;
    if (b.int32[i]) {
      Napi::Int32Array a = Napi::Int32Array::New(env, n);
      data = a.Data();
      t = a;
    } else {
      Napi::Float32Array a = Napi::Float32Array::New(env, n);
      data = a.Data();
      t = a;
    }
    if (n > 0) std::memcpy(data, b.outputs[i].data(), n * sizeof(float));
    out.Set(static_cast<uint32_t>(i), t);
  }
  return out;
}

Napi::Array Numbers(Napi::Env env, const uint64_t* v, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; ++i) a.Set(static_cast<uint32_t>(i), static_cast<double>(v[i]));
  return a;
}

// engineRun(handle, inputs, { profile? }) -> Promise<{ outputs, stepNs? }>
Napi::Value EngineRun(const Napi::CallbackInfo& info) {
  const char* fn = "engineRun";
  auto e = UnwrapEngine(info[0], fn);
  auto ins = Inputs(info, *e, fn);
  bool profile = false;
  if (info.Length() > 2 && !info[2].IsUndefined()) profile = ProfileOption(RequireObject(info, 2, fn), fn);
  auto b = std::make_shared<Buffers>(*e, std::move(*ins));
  armbench_engine_info ei{};
  armbench_engine_get_info(e->engine, &ei);
  if (profile) b->steps.assign(ei.step_count, 0);
  auto why = std::make_shared<std::string>();
  return PromiseWorker::Start(
      info.Env(), fn,
      [e, b, why, profile] {
        EngineLock lock(*e);
        char buf[512] = {0};
        const int rc = armbench_engine_run(e->engine, e->pool ? e->pool->pool : nullptr, b->in.data(), b->out.data(),
                                           profile ? b->steps.data() : nullptr, buf, sizeof buf);
        if (rc != 0) *why = buf;
        return rc;
      },
      [b, profile](Napi::Env env) -> Napi::Value {
        Napi::Object r = Napi::Object::New(env);
        r.Set("outputs", Outputs(env, *b));
        if (profile) r.Set("stepNs", Numbers(env, b->steps.data(), b->steps.size()));
        return r;
      },
      why);
}

// engineMeasure(handle, inputs, { warmup, iterations, profile? })
//   -> Promise<{ samplesNs: number[], stepNs?: number[][] (iteration x step), outputs }>
Napi::Value EngineMeasure(const Napi::CallbackInfo& info) {
  const char* fn = "engineMeasure";
  auto e = UnwrapEngine(info[0], fn);
  auto ins = Inputs(info, *e, fn);
  Napi::Object o = RequireObject(info, 2, fn);
  const unsigned warmup = static_cast<unsigned>(IntField(o, "warmup", fn, 0, 1000000));
  const unsigned iterations = static_cast<unsigned>(IntField(o, "iterations", fn, 1, 1000000));
  const bool profile = ProfileOption(o, fn);
  auto b = std::make_shared<Buffers>(*e, std::move(*ins));
  armbench_engine_info ei{};
  armbench_engine_get_info(e->engine, &ei);
  const size_t steps = ei.step_count;
  // Each profiled step time becomes a JavaScript number: bounded so the result cannot
  // exhaust the JavaScript heap (which aborts the process rather than throwing).
  if (profile && static_cast<double>(iterations) * static_cast<double>(steps) > kMaxProfileTimes) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": with profile, iterations x steps (" + std::to_string(steps) +
                                                ") must be at most " + std::to_string(static_cast<int64_t>(kMaxProfileTimes)));
  }
  b->samples.assign(iterations, 0);
  if (profile) b->steps.assign(static_cast<size_t>(iterations) * steps, 0);
  auto why = std::make_shared<std::string>();
  return PromiseWorker::Start(
      info.Env(), fn,
      [e, b, why, profile, warmup, iterations] {
        EngineLock lock(*e);
        char buf[512] = {0};
        const int rc = armbench_engine_measure(e->engine, e->pool ? e->pool->pool : nullptr, b->in.data(), b->out.data(),
                                               warmup, iterations, b->samples.data(), profile ? b->steps.data() : nullptr,
                                               buf, sizeof buf);
        if (rc != 0) *why = buf;
        return rc;
      },
      [b, profile, steps](Napi::Env env) -> Napi::Value {
        Napi::Object r = Napi::Object::New(env);
        r.Set("samplesNs", Numbers(env, b->samples.data(), b->samples.size()));
        if (profile) {
          Napi::Array rows = Napi::Array::New(env, b->samples.size());
          for (size_t i = 0; i < b->samples.size(); ++i)
            rows.Set(static_cast<uint32_t>(i), Numbers(env, b->steps.data() + i * steps, steps));
          r.Set("stepNs", rows);
        }
        r.Set("outputs", Outputs(env, *b));
        return r;
      },
      why);
}

// engineInfo(handle) -> { arenaBytes, weightBytes, scratchBytes, steps, kernels }
Napi::Value EngineInfo(const Napi::CallbackInfo& info) {
  auto e = UnwrapEngine(info[0], "engineInfo");
  armbench_engine_info ei{};
  armbench_engine_get_info(e->engine, &ei);
  Napi::Object r = Napi::Object::New(info.Env());
  r.Set("arenaBytes", static_cast<double>(ei.arena_bytes));
  r.Set("weightBytes", static_cast<double>(ei.weight_bytes));
  r.Set("scratchBytes", static_cast<double>(ei.scratch_bytes));
  r.Set("steps", static_cast<double>(ei.step_count));
  Napi::Array kernels = Napi::Array::New(info.Env(), ei.step_count);
  for (size_t i = 0; i < ei.step_count; ++i) kernels.Set(static_cast<uint32_t>(i), armbench_engine_step_kernel(e->engine, i));
  r.Set("kernels", kernels);
  return r;
}

// nchwcBlock() -> the NCHWc channel block of this CPU: what a Program's nchwcBlock must be.
Napi::Value NchwcBlock(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(armbench_nchwc_block()));
}

}  // namespace

void RegisterEngine(Napi::Env env, Napi::Object exports) {
  exports.Set("engineCreate", Napi::Function::New(env, EngineCreate, "engineCreate"));
  exports.Set("engineRun", Napi::Function::New(env, EngineRun, "engineRun"));
  exports.Set("engineMeasure", Napi::Function::New(env, EngineMeasure, "engineMeasure"));
  exports.Set("engineInfo", Napi::Function::New(env, EngineInfo, "engineInfo"));
  exports.Set("nchwcBlock", Napi::Function::New(env, NchwcBlock, "nchwcBlock"));
}

}  // namespace armbench_binding
