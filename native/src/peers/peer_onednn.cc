// oneDNN through its C API: dnnl_sgemm (row-major, 'N'/'T') for fp32, and for bf16 and
// int8 a matmul primitive over plain strided memory (A m x k bf16, B k x n bf16, C m x n
// f32; or A u8/s8, B s8, C s32), built once per data types, shape, strides, alpha, beta
// and thread count and kept in a small primitive cache (as PyTorch does), so repeated
// calls only swap data pointers. The int8 matmul is the primitive oneDNN's own int8
// inference uses (dnnl_gemm_u8s8s32 is an older GEMM-only entry point).
//
// oneDNN 2.x and 3.x differ in how descriptors are made, and both are supported, chosen
// by which symbols the library exports:
//   2.x: dnnl_memory_desc_init_by_strides fills a caller-owned dnnl_memory_desc_t,
//        dnnl_matmul_desc_init + dnnl_primitive_desc_create make the primitive
//        descriptor; alpha through output scales, beta through a sum post-op.
//   3.x: dnnl_memory_desc_create_with_strides returns an opaque handle,
//        dnnl_matmul_primitive_desc_create takes it directly; beta through a sum
//        post-op; alpha != 1 would need run-time scale memory and returns -ENOTSUP.
// Tested with Debian 12's libdnnl2 2.6.3 (OpenMP runtime); the 3.x path follows the
// 3.x headers (dnnl.h, dnnl_types.h) and is not exercised here.
//
// Threads: oneDNN has no thread-count call of its own. With the OpenMP runtime (the
// Debian build) it uses omp_get_max_threads() of the calling thread, so the count is
// applied with omp_set_num_threads, found through the library's own dependencies
// (libgomp), right before each call on the calling thread. The sequential runtime
// takes 1 only; TBB and threadpool builds cannot be set from here (-ENOTSUP).
//
// The variant is dnnl_get_effective_cpu_isa() by name ("avx512_core_bf16"); oneDNN
// honours ONEDNN_MAX_CPU_ISA / DNNL_MAX_CPU_ISA to cap it. On AArch64 the C API has
// no ISA query and the variant is "".
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "peer_internal.h"

namespace armbench {
namespace peers {
namespace {

// ---- The few declarations copied from oneDNN's dnnl_types.h (2.6 and 3.x agree on
// ---- these values unless noted).
using Status = int;  // dnnl_status_t
constexpr Status kSuccess = 0, kOutOfMemory = 1, kInvalidArguments = 2, kUnimplemented = 3;
constexpr int kDataBf16 = 2, kDataF32 = 3, kDataS32 = 4, kDataS8 = 5, kDataU8 = 6;  // dnnl_data_type_t
constexpr int kEngineCpu = 1;               // dnnl_engine_kind_t dnnl_cpu
constexpr unsigned kStreamDefaultFlags = 1; // dnnl_stream_default_flags (in order)
constexpr int kArgSrc = 1, kArgDst = 17, kArgWeights = 33;  // DNNL_ARG_*
constexpr unsigned kRuntimeSeq = 1, kRuntimeOmp = 2, kRuntimeTbb = 4, kRuntimeThreadpool = 8;
constexpr int kMaxNdims = 12;  // DNNL_MAX_NDIMS: dnnl_dims_t is int64_t[12]
// 2.x keeps descriptors in caller-owned structs: dnnl_memory_desc_t is 696 bytes and
// dnnl_matmul_desc_t 2800 bytes in 2.6 (8-byte aligned); these buffers leave room for
// any 2.x minor release.
constexpr size_t kMemoryDescBytes = 4096, kMatmulDescBytes = 16384;

struct ExecArg {  // dnnl_exec_arg_t
  int arg;
  void* memory;
};
struct Version {  // dnnl_version_t
  int major, minor, patch;
  const char* hash;
  unsigned cpu_runtime, gpu_runtime;
};

using SgemmFn = Status (*)(char ta, char tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
using VersionFn = const Version* (*)(void);
using IsaFn = int (*)(void);
using EngineCreateFn = Status (*)(void** engine, int kind, size_t index);
using DestroyFn = Status (*)(void*);
using StreamCreateFn = Status (*)(void** stream, void* engine, unsigned flags);
using StreamWaitFn = Status (*)(void* stream);
using PrimitiveCreateFn = Status (*)(void** primitive, const void* pd);
using ExecuteFn = Status (*)(const void* primitive, void* stream, int nargs, const ExecArg* args);
using MemoryCreateFn = Status (*)(void** memory, const void* md, void* engine, void* handle);
using SetHandleFn = Status (*)(void* memory, void* handle);
using CreateFn = Status (*)(void** out);
using SetPostOpsFn = Status (*)(void* attr, const void* post_ops);
// 2.x
using MdInitFn = Status (*)(void* md, int ndims, const int64_t* dims, int data_type, const int64_t* strides);
using MatmulDescInitFn = Status (*)(void* desc, const void* src, const void* weights, const void* bias,
                                    const void* dst);
using PdCreateFn = Status (*)(void** pd, const void* op_desc, const void* attr, void* engine, const void* hint);
using AppendSum2Fn = Status (*)(void* post_ops, float scale);
using OutputScalesFn = Status (*)(void* attr, int64_t count, int mask, const float* scales);
// 3.x
using MdCreateFn = Status (*)(void** md, int ndims, const int64_t* dims, int data_type, const int64_t* strides);
using MatmulPdCreateFn = Status (*)(void** pd, void* engine, const void* src, const void* weights,
                                    const void* bias, const void* dst, const void* attr);
using AppendSum3Fn = Status (*)(void* post_ops, float scale, int32_t zero_point, int data_type);

int to_errno(Status s) {
  switch (s) {
    case kSuccess: return 0;
    case kOutOfMemory: return -ENOMEM;
    case kInvalidArguments: return -EINVAL;
    case kUnimplemented: return -ENOTSUP;
    default: return -EIO;
  }
}

const char* status_name(Status s) {
  switch (s) {
    case kSuccess: return "success";
    case kOutOfMemory: return "out_of_memory";
    case kInvalidArguments: return "invalid_arguments";
    case kUnimplemented: return "unimplemented";
    default: return "runtime_error";
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// oneDNN names x86 ISAs only; its C API has no ISA query on other architectures.
std::string isa_name(int isa, int major) {
  switch (isa) {
    case 0x0: return major >= 3 ? "default" : "all";
    case 0x1: return "sse41";
    case 0x3: return "avx";
    case 0x7: return "avx2";
    case 0xf: return major >= 3 ? "avx2_vnni" : "avx512_mic";
    case 0x1f: return major >= 3 ? "avx2_vnni_2" : "avx512_mic_4ops";
    case 0x27: return "avx512_core";
    case 0x67: return "avx512_core_vnni";
    case 0xe7: return "avx512_core_bf16";
    case 0x1ef: return "avx512_core_fp16";
    case 0x3e7: return "avx512_core_amx";
    case 0x407: return "avx2_vnni";
    case 0xfef: return "avx512_core_amx";
    case 0x1fef: return "avx512_core_amx_fp16";
    default: {
      char text[32];
      snprintf(text, sizeof(text), "isa 0x%x", static_cast<unsigned>(isa));
      return text;
    }
  }
}
#endif

struct Api {
  SgemmFn sgemm = nullptr;
  VersionFn version = nullptr;
  IsaFn effective_isa = nullptr;
  void (*omp_set_num_threads)(int) = nullptr;
  // Matmul (bf16); all of the common ones, and one version's set, or no bf16.
  EngineCreateFn engine_create = nullptr;
  DestroyFn engine_destroy = nullptr;
  StreamCreateFn stream_create = nullptr;
  DestroyFn stream_destroy = nullptr;
  StreamWaitFn stream_wait = nullptr;
  PrimitiveCreateFn primitive_create = nullptr;
  DestroyFn primitive_destroy = nullptr;
  DestroyFn pd_destroy = nullptr;
  ExecuteFn execute = nullptr;
  MemoryCreateFn memory_create = nullptr;
  DestroyFn memory_destroy = nullptr;
  SetHandleFn set_data_handle = nullptr;
  CreateFn attr_create = nullptr;
  DestroyFn attr_destroy = nullptr;
  CreateFn post_ops_create = nullptr;
  DestroyFn post_ops_destroy = nullptr;
  SetPostOpsFn attr_set_post_ops = nullptr;
  void* append_sum = nullptr;  // AppendSum2Fn or AppendSum3Fn
  MdInitFn md_init = nullptr;  // 2.x
  MatmulDescInitFn matmul_desc_init = nullptr;
  PdCreateFn pd_create = nullptr;
  OutputScalesFn output_scales = nullptr;
  MdCreateFn md_create = nullptr;  // 3.x
  DestroyFn md_destroy = nullptr;
  MatmulPdCreateFn matmul_pd_create = nullptr;
};

struct Key {
  int dt_a, dt_b, dt_c;  // dnnl_data_type_t of A, B and C
  size_t m, n, k, lda, ldb, ldc;
  int trans_a, trans_b, threads;
  uint32_t alpha_bits, beta_bits;
  bool operator==(const Key& o) const {
    return dt_a == o.dt_a && dt_b == o.dt_b && dt_c == o.dt_c && m == o.m && n == o.n && k == o.k &&
           lda == o.lda && ldb == o.ldb && ldc == o.ldc && trans_a == o.trans_a && trans_b == o.trans_b &&
           threads == o.threads && alpha_bits == o.alpha_bits && beta_bits == o.beta_bits;
  }
};

const char* data_type_name(int dt) {
  switch (dt) {
    case kDataBf16: return "bf16";
    case kDataF32: return "f32";
    case kDataS32: return "s32";
    case kDataS8: return "s8";
    case kDataU8: return "u8";
    default: return "?";
  }
}

struct Entry {
  Key key;
  void* primitive = nullptr;
  void* mem_a = nullptr;
  void* mem_b = nullptr;
  void* mem_c = nullptr;
};

uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

constexpr size_t kCacheCapacity = 64;

class OnednnPeer final : public armbench_peer {
 public:
  Api api;
  int major = 0;
  unsigned cpu_runtime = 0;
  int threads = 1;
  std::string no_matmul;  // why bf16 and int8 cannot run: a missing symbol; "" when the API is there

  ~OnednnPeer() override {
    for (Entry& e : cache_) destroy(e);
    if (stream_ != nullptr) api.stream_destroy(stream_);
    if (engine_ != nullptr) api.engine_destroy(engine_);
  }

  const char* unsupported(armbench_gemm_dtype dtype) const override {
    if (dtype == ARMBENCH_GEMM_F32) return nullptr;
    if (!no_matmul.empty()) return no_matmul.c_str();
    std::lock_guard<std::mutex> lock(mutex_);
    const int i = dtype == ARMBENCH_GEMM_BF16 ? 0 : 1;
    if (!probed_[i]) {
      probed_[i] = true;
      // A small matmul tells whether this build has an implementation for this CPU
      // (oneDNN needs AVX-512 at least for bf16 on x86). int8 runs when either type
      // of A does; a case with the other one fails when its primitive is built.
      std::string why;
      for (int dt_a : i == 0 ? std::vector<int>{kDataBf16} : std::vector<int>{kDataU8, kDataS8}) {
        Key key = {dt_a, i == 0 ? kDataBf16 : kDataS8, i == 0 ? kDataF32 : kDataS32, 16, 16, 16, 16, 16, 16, 0, 0,
                   threads, bits(1.0f), bits(0.0f)};
        Entry* e = nullptr;
        why.clear();
        if (const_cast<OnednnPeer*>(this)->lookup(key, &e, &why) == 0) break;
      }
      probe_failure_[i] = why;
    }
    return probe_failure_[i].empty() ? nullptr : probe_failure_[i].c_str();
  }

  int set_threads(int n) override {
    if (cpu_runtime == kRuntimeOmp) {
      if (api.omp_set_num_threads == nullptr) return -ENOTSUP;
    } else if (cpu_runtime == kRuntimeSeq) {
      if (n != 1) return -ENOTSUP;
    } else if (cpu_runtime == kRuntimeTbb || cpu_runtime == kRuntimeThreadpool) {
      return -ENOTSUP;
    }
    threads = n;
    return 0;
  }

  int gemm(armbench_gemm_dtype dtype, const armbench_gemm_args& a) override {
    if (api.omp_set_num_threads != nullptr) api.omp_set_num_threads(threads);
    if (dtype == ARMBENCH_GEMM_F32) {
      return to_errno(api.sgemm(a.trans_a ? 'T' : 'N', a.trans_b ? 'T' : 'N', static_cast<int64_t>(a.m),
                                static_cast<int64_t>(a.n), static_cast<int64_t>(a.k), a.alpha,
                                static_cast<const float*>(a.a), static_cast<int64_t>(a.lda),
                                static_cast<const float*>(a.b), static_cast<int64_t>(a.ldb), a.beta, a.c,
                                static_cast<int64_t>(a.ldc)));
    }
    if (a.alpha != 1.0f && api.output_scales == nullptr) return -ENOTSUP;  // 3.x: see the top
    Key key = {kDataBf16, kDataBf16, kDataF32, a.m, a.n, a.k, a.lda, a.ldb, a.ldc, a.trans_a ? 1 : 0,
               a.trans_b ? 1 : 0, threads, bits(a.alpha), bits(a.beta)};
    return matmul(key, a.a, a.b, a.c);
  }

  int igemm(const armbench_igemm_args& a) override {
    if (api.omp_set_num_threads != nullptr) api.omp_set_num_threads(threads);
    Key key = {a.a_type == ARMBENCH_IGEMM_A_U8 ? kDataU8 : kDataS8, kDataS8, kDataS32, a.m, a.n, a.k, a.lda, a.ldb,
               a.ldc, 0, 0, threads, bits(1.0f), bits(a.beta == 1 ? 1.0f : 0.0f)};
    return matmul(key, a.a, a.b, a.c);
  }

 private:
  // Runs the cached matmul primitive for key on these pointers.
  int matmul(const Key& key, const void* a, const void* b, void* c) {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry* e = nullptr;
    std::string why;
    int rc = lookup(key, &e, &why);
    if (rc != 0) return rc;
    Status s = api.set_data_handle(e->mem_a, const_cast<void*>(a));
    if (s == kSuccess) s = api.set_data_handle(e->mem_b, const_cast<void*>(b));
    if (s == kSuccess) s = api.set_data_handle(e->mem_c, c);
    if (s != kSuccess) return to_errno(s);
    const ExecArg args[3] = {{kArgSrc, e->mem_a}, {kArgWeights, e->mem_b}, {kArgDst, e->mem_c}};
    s = api.execute(e->primitive, stream_, 3, args);
    if (s == kSuccess) s = api.stream_wait(stream_);
    return to_errno(s);
  }

  void destroy(Entry& e) {
    if (e.primitive != nullptr) api.primitive_destroy(e.primitive);
    if (e.mem_a != nullptr) api.memory_destroy(e.mem_a);
    if (e.mem_b != nullptr) api.memory_destroy(e.mem_b);
    if (e.mem_c != nullptr) api.memory_destroy(e.mem_c);
    e = Entry();
  }

  // The cached primitive for key, built on a miss. Caller holds mutex_.
  int lookup(const Key& key, Entry** out, std::string* why) {
    for (Entry& e : cache_) {
      if (e.key == key) {
        *out = &e;
        return 0;
      }
    }
    if (engine_ == nullptr) {
      Status s = api.engine_create(&engine_, kEngineCpu, 0);
      if (s == kSuccess) s = api.stream_create(&stream_, engine_, kStreamDefaultFlags);
      if (s != kSuccess) {
        *why = std::string("oneDNN could not create a CPU engine and stream: ") + status_name(s);
        return to_errno(s);
      }
    }
    if (cache_.size() >= kCacheCapacity) {
      for (Entry& e : cache_) destroy(e);
      cache_.clear();
    }
    Entry e;
    e.key = key;
    int rc = build(&e, why);
    if (rc != 0) {
      destroy(e);
      return rc;
    }
    cache_.push_back(e);
    *out = &cache_.back();
    return 0;
  }

  // Memory descriptors, attributes, primitive descriptor, primitive and the three
  // memory objects (without data; pointers are set per call) for e->key.
  int build(Entry* e, std::string* why) {
    const Key& k = e->key;
    int64_t dims_a[kMaxNdims] = {static_cast<int64_t>(k.m), static_cast<int64_t>(k.k)};
    int64_t dims_b[kMaxNdims] = {static_cast<int64_t>(k.k), static_cast<int64_t>(k.n)};
    int64_t dims_c[kMaxNdims] = {static_cast<int64_t>(k.m), static_cast<int64_t>(k.n)};
    int64_t lda = static_cast<int64_t>(k.lda), ldb = static_cast<int64_t>(k.ldb);
    int64_t strides_a[kMaxNdims] = {k.trans_a ? 1 : lda, k.trans_a ? lda : 1};
    int64_t strides_b[kMaxNdims] = {k.trans_b ? 1 : ldb, k.trans_b ? ldb : 1};
    int64_t strides_c[kMaxNdims] = {static_cast<int64_t>(k.ldc), 1};
    float alpha, beta;
    memcpy(&alpha, &k.alpha_bits, sizeof(alpha));
    memcpy(&beta, &k.beta_bits, sizeof(beta));

    // 2.x: descriptors live in these buffers; 3.x: md_* hold the handles.
    std::vector<uint64_t> buffer;
    const void* md[3] = {nullptr, nullptr, nullptr};
    void* md3[3] = {nullptr, nullptr, nullptr};
    void* attr = nullptr;
    void* post_ops = nullptr;
    void* pd = nullptr;
    const char* step = "memory descriptor";
    Status s = kSuccess;
    if (api.md_init != nullptr) {
      buffer.assign((3 * kMemoryDescBytes + kMatmulDescBytes) / sizeof(uint64_t), 0);
      unsigned char* base = reinterpret_cast<unsigned char*>(buffer.data());
      s = api.md_init(base, 2, dims_a, k.dt_a, strides_a);
      if (s == kSuccess) s = api.md_init(base + kMemoryDescBytes, 2, dims_b, k.dt_b, strides_b);
      if (s == kSuccess) s = api.md_init(base + 2 * kMemoryDescBytes, 2, dims_c, k.dt_c, strides_c);
      for (int i = 0; i < 3; ++i) md[i] = base + i * kMemoryDescBytes;
    } else {
      s = api.md_create(&md3[0], 2, dims_a, k.dt_a, strides_a);
      if (s == kSuccess) s = api.md_create(&md3[1], 2, dims_b, k.dt_b, strides_b);
      if (s == kSuccess) s = api.md_create(&md3[2], 2, dims_c, k.dt_c, strides_c);
      for (int i = 0; i < 3; ++i) md[i] = md3[i];
    }
    if (s == kSuccess && (alpha != 1.0f || beta != 0.0f)) {
      step = "attributes";
      s = api.attr_create(&attr);
      if (s == kSuccess && alpha != 1.0f) s = api.output_scales(attr, 1, 0, &alpha);
      if (s == kSuccess && beta != 0.0f) {
        s = api.post_ops_create(&post_ops);
        if (s == kSuccess) {
          s = api.md_create != nullptr ? reinterpret_cast<AppendSum3Fn>(api.append_sum)(post_ops, beta, 0, 0)
                         : reinterpret_cast<AppendSum2Fn>(api.append_sum)(post_ops, beta);
        }
        if (s == kSuccess) s = api.attr_set_post_ops(attr, post_ops);
      }
    }
    if (s == kSuccess) {
      step = "dnnl_matmul primitive descriptor";
      if (api.md_init != nullptr) {
        void* desc = reinterpret_cast<unsigned char*>(buffer.data()) + 3 * kMemoryDescBytes;
        s = api.matmul_desc_init(desc, md[0], md[1], nullptr, md[2]);
        if (s == kSuccess) s = api.pd_create(&pd, desc, attr, engine_, nullptr);
      } else {
        s = api.matmul_pd_create(&pd, engine_, md[0], md[1], nullptr, md[2], attr);
      }
    }
    if (s == kSuccess) {
      step = "dnnl_matmul primitive";
      s = api.primitive_create(&e->primitive, pd);
    }
    if (s == kSuccess) {
      step = "memory objects";
      s = api.memory_create(&e->mem_a, md[0], engine_, nullptr);
      if (s == kSuccess) s = api.memory_create(&e->mem_b, md[1], engine_, nullptr);
      if (s == kSuccess) s = api.memory_create(&e->mem_c, md[2], engine_, nullptr);
    }
    if (pd != nullptr) api.pd_destroy(pd);
    if (post_ops != nullptr) api.post_ops_destroy(post_ops);
    if (attr != nullptr) api.attr_destroy(attr);
    for (void* h : md3) {
      if (h != nullptr) api.md_destroy(h);
    }
    if (s != kSuccess) {
      *why = std::string("oneDNN ") + version + " cannot build a " + data_type_name(k.dt_a) + " x " +
             data_type_name(k.dt_b) + " -> " + data_type_name(k.dt_c) + " matmul (" + step + ": " + status_name(s) +
             ") on this CPU (isa " + variant + ")";
      return to_errno(s);
    }
    return 0;
  }

  mutable std::mutex mutex_;
  mutable bool probed_[2] = {false, false};       // bf16, int8
  mutable std::string probe_failure_[2];
  void* engine_ = nullptr;
  void* stream_ = nullptr;
  std::vector<Entry> cache_;
};

// Binds the matmul API of either major version; on a gap, says which symbol.
void bind_matmul(void* handle, const char* file, Api* api, std::string* why) {
  bind_required(handle, file, "dnnl_engine_create", &api->engine_create, why);
  bind_required(handle, file, "dnnl_engine_destroy", &api->engine_destroy, why);
  bind_required(handle, file, "dnnl_stream_create", &api->stream_create, why);
  bind_required(handle, file, "dnnl_stream_destroy", &api->stream_destroy, why);
  bind_required(handle, file, "dnnl_stream_wait", &api->stream_wait, why);
  bind_required(handle, file, "dnnl_primitive_create", &api->primitive_create, why);
  bind_required(handle, file, "dnnl_primitive_destroy", &api->primitive_destroy, why);
  bind_required(handle, file, "dnnl_primitive_desc_destroy", &api->pd_destroy, why);
  bind_required(handle, file, "dnnl_primitive_execute", &api->execute, why);
  bind_required(handle, file, "dnnl_memory_create", &api->memory_create, why);
  bind_required(handle, file, "dnnl_memory_destroy", &api->memory_destroy, why);
  bind_required(handle, file, "dnnl_memory_set_data_handle", &api->set_data_handle, why);
  bind_required(handle, file, "dnnl_primitive_attr_create", &api->attr_create, why);
  bind_required(handle, file, "dnnl_primitive_attr_destroy", &api->attr_destroy, why);
  bind_required(handle, file, "dnnl_post_ops_create", &api->post_ops_create, why);
  bind_required(handle, file, "dnnl_post_ops_destroy", &api->post_ops_destroy, why);
  bind_required(handle, file, "dnnl_primitive_attr_set_post_ops", &api->attr_set_post_ops, why);
  bind_required(handle, file, "dnnl_post_ops_append_sum", &api->append_sum, why);
  if (bind_optional(handle, "dnnl_memory_desc_create_with_strides", &api->md_create)) {
    bind_required(handle, file, "dnnl_memory_desc_destroy", &api->md_destroy, why);
    bind_required(handle, file, "dnnl_matmul_primitive_desc_create", &api->matmul_pd_create, why);
  } else {
    bind_required(handle, file, "dnnl_memory_desc_init_by_strides", &api->md_init, why);
    bind_required(handle, file, "dnnl_matmul_desc_init", &api->matmul_desc_init, why);
    bind_required(handle, file, "dnnl_primitive_desc_create", &api->pd_create, why);
    bind_required(handle, file, "dnnl_primitive_attr_set_output_scales", &api->output_scales, why);
  }
}

int bind_onednn(void* handle, const char* file, std::unique_ptr<armbench_peer>* out, std::string* why) {
  auto peer = std::make_unique<OnednnPeer>();
  Api& api = peer->api;
  if (!bind_required(handle, file, "dnnl_sgemm", &api.sgemm, why)) return -ENOSYS;
  if (bind_optional(handle, "dnnl_version", &api.version)) {
    const Version* v = api.version();
    if (v != nullptr) {
      char text[64];
      snprintf(text, sizeof(text), "%d.%d.%d", v->major, v->minor, v->patch);
      peer->version = text;
      if (v->hash != nullptr && v->hash[0] != '\0' && strcmp(v->hash, "N/A") != 0) {
        peer->version += std::string(" (") + v->hash + ")";
      }
      peer->major = v->major;
      peer->cpu_runtime = v->cpu_runtime;
    }
  }
#if defined(__x86_64__) || defined(_M_X64)
  if (bind_optional(handle, "dnnl_get_effective_cpu_isa", &api.effective_isa)) {
    peer->variant = isa_name(api.effective_isa(), peer->major);
  }
#endif
  // dlsym on the handle searches the library's dependencies too: libgomp for the
  // OpenMP build.
  if (peer->cpu_runtime == kRuntimeOmp) bind_optional(handle, "omp_set_num_threads", &api.omp_set_num_threads);

  std::string gap;
  bind_matmul(handle, file, &api, &gap);
  if (!gap.empty()) peer->no_matmul = "matmul (bf16, int8) unavailable: " + gap;
  *out = std::move(peer);
  return 0;
}

const char* const kSonames[] = {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"};

}  // namespace

const PeerSpec kOnednnSpec = {"onednn", "libdnnl", kSonames, sizeof(kSonames) / sizeof(kSonames[0]), bind_onednn};

}  // namespace peers
}  // namespace armbench
