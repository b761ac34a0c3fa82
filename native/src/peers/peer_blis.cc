// BLIS through its typed API: bli_sgemm takes a row and a column stride per matrix,
// so row-major storage is rs = ld, cs = 1 and a transposed operand is rs = 1, cs = ld,
// with no transpose flag and no object to build. When bli_sgemm is absent the CBLAS
// compatibility layer (cblas_sgemm) is used. BLIS has no bf16 GEMM.
//
// The variant is the sub-configuration BLIS chose at run time,
// bli_arch_string(bli_arch_query_id()) ("zen3", "skx", "haswell", "armsve"...);
// BLIS_ARCH_TYPE=<id> overrides it (an integer index of arch_t in 0.9, a name in
// later releases) and BLIS_ARCH_DEBUG=1 prints how it chose.
#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include <memory>
#include <string>

#include "peer_internal.h"

namespace armbench {
namespace peers {
namespace {

// From blis.h (0.9.0): trans_t BLIS_NO_TRANSPOSE = 0; dim_t and inc_t are gint_t,
// int64_t unless BLIS was configured with 32-bit integers, which
// bli_info_get_int_type_size() reports (64 or 32).
constexpr int kBlisNoTranspose = 0;

using Sgemm64Fn = void (*)(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float* alpha,
                           const float* a, int64_t rsa, int64_t csa, const float* b, int64_t rsb, int64_t csb,
                           const float* beta, float* c, int64_t rsc, int64_t csc);
using Sgemm32Fn = void (*)(int trans_a, int trans_b, int32_t m, int32_t n, int32_t k, const float* alpha,
                           const float* a, int32_t rsa, int32_t csa, const float* b, int32_t rsb, int32_t csb,
                           const float* beta, float* c, int32_t rsc, int32_t csc);
// From BLIS's cblas.h: f77_int is 32-bit in the LP64 builds (libblis4).
using CblasSgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                              const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112;
// gint_t is returned in a register; reading it as int gives its low 32 bits, which is
// the whole value for these small numbers on both x86-64 and AArch64.
using IntQueryFn = int (*)(void);
using ArchIdFn = int (*)(void);
using ArchStringFn = char* (*)(int);
using StringFn = char* (*)(void);
using SetThreadsFn = void (*)(int64_t);
using SetThreads32Fn = void (*)(int32_t);

class BlisPeer final : public armbench_peer {
 public:
  Sgemm64Fn sgemm64 = nullptr;
  Sgemm32Fn sgemm32 = nullptr;
  CblasSgemmFn cblas_sgemm = nullptr;
  void* set_num_threads = nullptr;
  bool int64 = true;

  const char* unsupported(armbench_gemm_dtype dtype) const override {
    if (dtype == ARMBENCH_GEMM_INT8) return "BLIS has no int8 GEMM";
    return dtype == ARMBENCH_GEMM_BF16 ? "BLIS has no bf16 GEMM" : nullptr;
  }

  int set_threads(int threads) override {
    if (set_num_threads == nullptr) return -ENOTSUP;
    if (int64) {
      reinterpret_cast<SetThreadsFn>(set_num_threads)(threads);
    } else {
      reinterpret_cast<SetThreads32Fn>(set_num_threads)(threads);
    }
    return 0;
  }

  int gemm(armbench_gemm_dtype, const armbench_gemm_args& a) override {
    const float* pa = static_cast<const float*>(a.a);
    const float* pb = static_cast<const float*>(a.b);
    int64_t rsa = a.trans_a ? 1 : static_cast<int64_t>(a.lda), csa = a.trans_a ? static_cast<int64_t>(a.lda) : 1;
    int64_t rsb = a.trans_b ? 1 : static_cast<int64_t>(a.ldb), csb = a.trans_b ? static_cast<int64_t>(a.ldb) : 1;
    int64_t rsc = static_cast<int64_t>(a.ldc);
    float alpha = a.alpha, beta = a.beta;
    if (sgemm64 != nullptr) {
      sgemm64(kBlisNoTranspose, kBlisNoTranspose, static_cast<int64_t>(a.m), static_cast<int64_t>(a.n),
              static_cast<int64_t>(a.k), &alpha, pa, rsa, csa, pb, rsb, csb, &beta, a.c, rsc, 1);
      return 0;
    }
    if (a.m > INT_MAX || a.n > INT_MAX || a.k > INT_MAX || a.lda > INT_MAX || a.ldb > INT_MAX ||
        a.ldc > INT_MAX) {
      return -EOVERFLOW;
    }
    if (sgemm32 != nullptr) {
      sgemm32(kBlisNoTranspose, kBlisNoTranspose, static_cast<int32_t>(a.m), static_cast<int32_t>(a.n),
              static_cast<int32_t>(a.k), &alpha, pa, static_cast<int32_t>(rsa), static_cast<int32_t>(csa), pb,
              static_cast<int32_t>(rsb), static_cast<int32_t>(csb), &beta, a.c, static_cast<int32_t>(rsc), 1);
      return 0;
    }
    cblas_sgemm(kCblasRowMajor, a.trans_a ? kCblasTrans : kCblasNoTrans, a.trans_b ? kCblasTrans : kCblasNoTrans,
                static_cast<int>(a.m), static_cast<int>(a.n), static_cast<int>(a.k), alpha, pa,
                static_cast<int>(a.lda), pb, static_cast<int>(a.ldb), beta, a.c, static_cast<int>(a.ldc));
    return 0;
  }
};

int bind_blis(void* handle, const char* file, std::unique_ptr<armbench_peer>* out, std::string* why) {
  auto peer = std::make_unique<BlisPeer>();
  IntQueryFn int_size = nullptr;
  if (bind_optional(handle, "bli_info_get_int_type_size", &int_size)) peer->int64 = int_size() != 32;
  void* typed = find_symbol(handle, "bli_sgemm");
  if (typed != nullptr) {
    if (peer->int64) {
      peer->sgemm64 = reinterpret_cast<Sgemm64Fn>(typed);
    } else {
      peer->sgemm32 = reinterpret_cast<Sgemm32Fn>(typed);
    }
  } else {
    if (!bind_optional(handle, "cblas_sgemm", &peer->cblas_sgemm)) {
      *why = std::string(file) + " has neither bli_sgemm nor cblas_sgemm";
      return -ENOSYS;
    }
    IntQueryFn blas_int_size = nullptr;
    if (bind_optional(handle, "bli_info_get_blas_int_type_size", &blas_int_size) && blas_int_size() == 64) {
      *why = std::string(file) + " has no bli_sgemm and its cblas_sgemm takes 64-bit integers";
      return -ENOSYS;
    }
  }
  peer->set_num_threads = find_symbol(handle, "bli_thread_set_num_threads");
  ArchIdFn arch_id = nullptr;
  ArchStringFn arch_string = nullptr;
  if (bind_optional(handle, "bli_arch_query_id", &arch_id) &&
      bind_optional(handle, "bli_arch_string", &arch_string)) {
    peer->variant = copy_string(arch_string(arch_id()));
  }
  StringFn version = nullptr;
  if (bind_optional(handle, "bli_info_get_version_str", &version)) peer->version = copy_string(version());
  // Like armbench_gemm without a pool: one thread until the caller asks for more.
  peer->set_threads(1);
  *out = std::move(peer);
  return 0;
}

const char* const kSonames[] = {"libblis.so.4", "libblis.so.5", "libblis.so.3", "libblis.so", "libblis-mt.so.4",
                                "libblis-mt.so"};

}  // namespace

const PeerSpec kBlisSpec = {"blis", "libblis", kSonames, sizeof(kSonames) / sizeof(kSonames[0]), bind_blis};

}  // namespace peers
}  // namespace armbench
