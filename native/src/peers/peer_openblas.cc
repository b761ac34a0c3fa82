// OpenBLAS through its CBLAS interface: cblas_sgemm for fp32, cblas_sbgemm for bf16
// when the library was built with BUILD_BFLOAT16 (Debian's 0.3.21 is not). The
// variant is openblas_get_corename() (the DYNAMIC_ARCH kernel set picked for this
// CPU, overridable with OPENBLAS_CORETYPE), the version openblas_get_config().
//
// Only the LP64 interface (32-bit blasint) is used: libopenblas64 names its symbols
// with a 64_ suffix and is not opened.
#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include <memory>
#include <string>

#include "peer_internal.h"

namespace armbench {
namespace peers {
namespace {

// From OpenBLAS cblas.h (0.3.x): enum CBLAS_ORDER / CBLAS_TRANSPOSE, blasint = int.
constexpr int kCblasRowMajor = 101;
constexpr int kCblasNoTrans = 111;
constexpr int kCblasTrans = 112;

using SgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                         int lda, const float* b, int ldb, float beta, float* c, int ldc);
// bfloat16 is uint16_t in OpenBLAS's openblas_config.h.
using SbgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const uint16_t* a,
                          int lda, const uint16_t* b, int ldb, float beta, float* c, int ldc);
using SetThreadsFn = void (*)(int);
using StringFn = char* (*)(void);

class OpenblasPeer final : public armbench_peer {
 public:
  SgemmFn sgemm = nullptr;
  SbgemmFn sbgemm = nullptr;
  SetThreadsFn set_num_threads = nullptr;

  const char* unsupported(armbench_gemm_dtype dtype) const override {
    if (dtype == ARMBENCH_GEMM_INT8) return "OpenBLAS's API has no int8 GEMM";
    if (dtype == ARMBENCH_GEMM_BF16 && sbgemm == nullptr) {
      return "cblas_sbgemm missing: this OpenBLAS was built without BFLOAT16";
    }
    return nullptr;
  }

  int set_threads(int threads) override {
    if (set_num_threads == nullptr) return -ENOTSUP;
    set_num_threads(threads);
    return 0;
  }

  int gemm(armbench_gemm_dtype dtype, const armbench_gemm_args& a) override {
    if (a.m > INT_MAX || a.n > INT_MAX || a.k > INT_MAX || a.lda > INT_MAX || a.ldb > INT_MAX ||
        a.ldc > INT_MAX) {
      return -EOVERFLOW;  // 32-bit blasint
    }
    int ta = a.trans_a ? kCblasTrans : kCblasNoTrans;
    int tb = a.trans_b ? kCblasTrans : kCblasNoTrans;
    int m = static_cast<int>(a.m), n = static_cast<int>(a.n), k = static_cast<int>(a.k);
    int lda = static_cast<int>(a.lda), ldb = static_cast<int>(a.ldb), ldc = static_cast<int>(a.ldc);
    if (dtype == ARMBENCH_GEMM_F32) {
      sgemm(kCblasRowMajor, ta, tb, m, n, k, a.alpha, static_cast<const float*>(a.a), lda,
            static_cast<const float*>(a.b), ldb, a.beta, a.c, ldc);
    } else {
      sbgemm(kCblasRowMajor, ta, tb, m, n, k, a.alpha, static_cast<const uint16_t*>(a.a), lda,
             static_cast<const uint16_t*>(a.b), ldb, a.beta, a.c, ldc);
    }
    return 0;
  }
};

int bind_openblas(void* handle, const char* file, std::unique_ptr<armbench_peer>* out, std::string* why) {
  auto peer = std::make_unique<OpenblasPeer>();
  if (!bind_required(handle, file, "cblas_sgemm", &peer->sgemm, why)) return -ENOSYS;
  bind_optional(handle, "cblas_sbgemm", &peer->sbgemm);
  bind_optional(handle, "openblas_set_num_threads", &peer->set_num_threads);
  StringFn corename = nullptr, config = nullptr;
  if (bind_optional(handle, "openblas_get_corename", &corename)) peer->variant = copy_string(corename());
  if (bind_optional(handle, "openblas_get_config", &config)) peer->version = copy_string(config());
  // Like armbench_gemm without a pool: one thread until the caller asks for more.
  if (peer->set_num_threads != nullptr) peer->set_num_threads(1);
  *out = std::move(peer);
  return 0;
}

const char* const kSonames[] = {"libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libopenblaso.so.0",
                                "libopenblas.so.3"};

}  // namespace

const PeerSpec kOpenblasSpec = {"openblas", "libopenblas", kSonames, sizeof(kSonames) / sizeof(kSonames[0]),
                                bind_openblas};

}  // namespace peers
}  // namespace armbench
