// Peer libraries (OpenBLAS, BLIS, oneDNN) through armbench/peers.h: a bad name or path
// fails with a reason; each peer installed here reports what it loaded and computes
// sgemm (and sbgemm where it can) within a rounding bound of a double reference, and
// int8 (u8 or s8 A, s8 B, s32 C) exactly where it can; where it cannot, it says why. A peer
// that is not installed is printed with its reason and passes: the test never depends
// on a package being present, but tests every one that is.
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "armbench/peers.h"
#include "check.h"

namespace {

uint32_t rng_state = 12345u;
float uniform() {  // [-1, 1)
  rng_state = rng_state * 1664525u + 1013904223u;
  return static_cast<float>(rng_state >> 8) / 8388608.0f - 1.0f;
}

uint16_t to_bf16(float f) {  // round to nearest even
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

float from_bf16(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

struct Case {
  size_t m = 37, n = 29, k = 41;
  int trans_a = 0, trans_b = 0;
  float alpha = 1.0f, beta = 0.0f;
};

// Runs one GEMM through the peer and checks every element of C against a double
// reference: |c - ref| <= (k + 2) * 2^-24 * (|alpha| sum|a b| + |beta c0|).
// Returns the peer's status.
int run_case(armbench_peer* peer, armbench_gemm_dtype dtype, const Case& cs, bool check_result) {
  const size_t m = cs.m, n = cs.n, k = cs.k;
  const size_t a_rows = cs.trans_a ? k : m, a_cols = cs.trans_a ? m : k;
  const size_t b_rows = cs.trans_b ? n : k, b_cols = cs.trans_b ? k : n;
  const size_t lda = a_cols + 3, ldb = b_cols + 5, ldc = n + 2;
  std::vector<float> af(a_rows * lda), bf(b_rows * ldb);
  std::vector<uint16_t> ah(af.size()), bh(bf.size());
  for (size_t i = 0; i < af.size(); ++i) {
    ah[i] = to_bf16(uniform());
    af[i] = dtype == ARMBENCH_GEMM_BF16 ? from_bf16(ah[i]) : uniform();
  }
  for (size_t i = 0; i < bf.size(); ++i) {
    bh[i] = to_bf16(uniform());
    bf[i] = dtype == ARMBENCH_GEMM_BF16 ? from_bf16(bh[i]) : uniform();
  }
  std::vector<float> c(m * ldc), c0(m * ldc);
  for (size_t i = 0; i < c.size(); ++i) c0[i] = cs.beta == 0.0f ? NAN : uniform();  // beta 0: never read
  c = c0;

  armbench_gemm_args args;
  memset(&args, 0, sizeof(args));
  args.trans_a = cs.trans_a;
  args.trans_b = cs.trans_b;
  args.m = m;
  args.n = n;
  args.k = k;
  args.alpha = cs.alpha;
  args.beta = cs.beta;
  args.a = dtype == ARMBENCH_GEMM_BF16 ? static_cast<const void*>(ah.data()) : af.data();
  args.lda = lda;
  args.b = dtype == ARMBENCH_GEMM_BF16 ? static_cast<const void*>(bh.data()) : bf.data();
  args.ldb = ldb;
  args.c = c.data();
  args.ldc = ldc;
  int rc = armbench_peer_gemm(peer, dtype, &args);
  if (rc != 0 || !check_result) return rc;

  int bad = 0;
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double ref = 0, mag = 0;
      for (size_t p = 0; p < k; ++p) {
        double x = cs.trans_a ? af[p * lda + i] : af[i * lda + p];
        double y = cs.trans_b ? bf[j * ldb + p] : bf[p * ldb + j];
        ref += x * y;
        mag += fabs(x * y);
      }
      ref *= cs.alpha;
      mag *= fabs(cs.alpha);
      if (cs.beta != 0.0f) {
        ref += static_cast<double>(cs.beta) * c0[i * ldc + j];
        mag += fabs(static_cast<double>(cs.beta) * c0[i * ldc + j]);
      }
      double bound = static_cast<double>(k + 2) * ldexp(1.0, -24) * mag;
      double got = c[i * ldc + j];
      if (!(fabs(got - ref) <= bound)) {
        if (bad < 3) {
          fprintf(stderr, "    %s %s ta=%d tb=%d C[%zu][%zu] = %.9g, reference %.9g (bound %.3g)\n",
                  armbench_peer_name(peer), dtype == ARMBENCH_GEMM_BF16 ? "bf16" : "fp32", cs.trans_a,
                  cs.trans_b, i, j, got, ref, bound);
        }
        ++bad;
      }
    }
  }
  // The padding columns of C are not written.
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = n; j < ldc; ++j) {
      const float before = c0[i * ldc + j], after = c[i * ldc + j];
      if (memcmp(&before, &after, sizeof(float)) != 0) ++bad;
    }
  }
  CHECK_MSG(bad == 0, "%s %s ta=%d tb=%d alpha=%g beta=%g: %d elements wrong", armbench_peer_name(peer),
            dtype == ARMBENCH_GEMM_BF16 ? "bf16" : "fp32", cs.trans_a, cs.trans_b, cs.alpha, cs.beta, bad);
  return 0;
}

void test_dtype(armbench_peer* peer, armbench_gemm_dtype dtype) {
  const char* label = dtype == ARMBENCH_GEMM_BF16 ? "bf16" : "fp32";
  const char* why = armbench_peer_unsupported(peer, dtype);
  if (why != nullptr) {
    printf("peer %s: %s unsupported: %s\n", armbench_peer_name(peer), label, why);
    CHECK(why[0] != '\0');
    CHECK(run_case(peer, dtype, Case(), false) == -ENOTSUP);
    return;
  }
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      Case cs;
      cs.trans_a = ta;
      cs.trans_b = tb;
      CHECK_MSG(run_case(peer, dtype, cs, true) == 0, "%s %s ta=%d tb=%d failed", armbench_peer_name(peer),
                label, ta, tb);
      // Again: the same shape (a cached primitive, for oneDNN) with new data.
      CHECK(run_case(peer, dtype, cs, true) == 0);
    }
  }
  Case scaled;
  scaled.trans_b = 1;
  scaled.alpha = 0.5f;
  scaled.beta = -1.5f;
  int rc = run_case(peer, dtype, scaled, true);
  CHECK_MSG(rc == 0 || rc == -ENOTSUP, "%s %s alpha/beta: %d", armbench_peer_name(peer), label, rc);
  if (rc == -ENOTSUP) printf("peer %s: %s with alpha 0.5, beta -1.5 not supported\n", armbench_peer_name(peer), label);
  Case beta_only;
  beta_only.beta = 1.0f;
  rc = run_case(peer, dtype, beta_only, true);
  CHECK_MSG(rc == 0 || rc == -ENOTSUP, "%s %s beta 1: %d", armbench_peer_name(peer), label, rc);
  Case tiny;  // below every blocking
  tiny.m = 1;
  tiny.n = 1;
  tiny.k = 1;
  CHECK(run_case(peer, dtype, tiny, true) == 0);
  Case wide;
  wide.m = 3;
  wide.n = 130;
  wide.k = 67;
  wide.trans_a = 1;
  CHECK(run_case(peer, dtype, wide, true) == 0);
}

// One int8 GEMM through the peer, every element of C compared with an int64 sum:
// operands over their whole range, padded strides, beta 0 (C poisoned) or 1.
int run_int8(armbench_peer* peer, armbench_igemm_a_type at, size_t m, size_t n, size_t k, int beta) {
  const size_t lda = k + 3, ldb = n + 5, ldc = n + 2;
  std::vector<uint8_t> a(m * lda);
  std::vector<int8_t> b(k * ldb);
  std::vector<int32_t> c(m * ldc), c0(m * ldc);
  for (uint8_t& x : a) x = static_cast<uint8_t>((rng_state = rng_state * 1664525u + 1013904223u) >> 24);
  for (int8_t& x : b) x = static_cast<int8_t>((rng_state = rng_state * 1664525u + 1013904223u) >> 24);
  for (size_t i = 0; i < c.size(); ++i) c[i] = c0[i] = beta ? static_cast<int32_t>(i % 1000) - 500 : INT32_MIN;
  armbench_igemm_args args;
  memset(&args, 0, sizeof(args));
  args.a_type = at;
  args.m = m;
  args.n = n;
  args.k = k;
  args.beta = beta;
  args.a = a.data();
  args.lda = lda;
  args.b = b.data();
  args.ldb = ldb;
  args.c = c.data();
  args.ldc = ldc;
  const int rc = armbench_peer_igemm(peer, &args);
  if (rc != 0) return rc;
  size_t bad = 0;
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      int64_t ref = beta ? c0[i * ldc + j] : 0;
      for (size_t p = 0; p < k; ++p) {
        const int64_t x = at == ARMBENCH_IGEMM_A_U8 ? int64_t{a[i * lda + p]} : int64_t{static_cast<int8_t>(a[i * lda + p])};
        ref += x * b[p * ldb + j];
      }
      bad += c[i * ldc + j] != ref;
    }
    for (size_t j = n; j < ldc; ++j) bad += c[i * ldc + j] != c0[i * ldc + j];  // padding untouched
  }
  CHECK_MSG(bad == 0, "peer %s int8 (A %s) %zux%zux%zu beta %d: %zu entries wrong", armbench_peer_name(peer),
            at == ARMBENCH_IGEMM_A_U8 ? "u8" : "s8", m, n, k, beta, bad);
  return 0;
}

void test_int8(armbench_peer* peer) {
  const char* why = armbench_peer_unsupported(peer, ARMBENCH_GEMM_INT8);
  if (why != nullptr) {
    printf("peer %s: int8 unsupported: %s\n", armbench_peer_name(peer), why);
    CHECK(why[0] != '\0');
    CHECK(run_int8(peer, ARMBENCH_IGEMM_A_U8, 4, 4, 4, 0) == -ENOTSUP);
    return;
  }
  // A type the library lacks on this CPU may be refused; one of the two runs (unsupported says so).
  int ran = 0;
  for (armbench_igemm_a_type at : {ARMBENCH_IGEMM_A_U8, ARMBENCH_IGEMM_A_S8}) {
    int rc = run_int8(peer, at, 37, 29, 41, 0);
    CHECK_MSG(rc == 0 || rc == -ENOTSUP, "peer %s int8: %d", armbench_peer_name(peer), rc);
    if (rc != 0) {
      printf("peer %s: int8 with %s A not supported\n", armbench_peer_name(peer), at == ARMBENCH_IGEMM_A_U8 ? "u8" : "s8");
      continue;
    }
    ++ran;
    CHECK(run_int8(peer, at, 37, 29, 41, 0) == 0);  // the cached primitive, new data
    CHECK(run_int8(peer, at, 37, 29, 41, 1) == 0);
    CHECK(run_int8(peer, at, 1, 1, 1, 0) == 0);
    CHECK(run_int8(peer, at, 3, 130, 67, 0) == 0);
    CHECK(run_int8(peer, at, 64, 48, 1000, 0) == 0);
  }
  CHECK(ran > 0);
  armbench_igemm_args args;
  memset(&args, 0, sizeof(args));
  args.a_type = static_cast<armbench_igemm_a_type>(3);
  args.m = args.n = args.k = 1;
  CHECK(armbench_peer_igemm(peer, &args) == -EINVAL);
  CHECK(armbench_peer_igemm(peer, nullptr) == -EINVAL);
}

void test_edges(armbench_peer* peer) {
  float a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1}, c[4] = {5, 6, 7, 8};
  armbench_gemm_args args;
  memset(&args, 0, sizeof(args));
  args.m = 2;
  args.n = 2;
  args.k = 0;
  args.alpha = 1.0f;
  args.beta = 2.0f;
  args.a = a;
  args.lda = 2;
  args.b = b;
  args.ldb = 2;
  args.c = c;
  args.ldc = 2;
  // k == 0: C = beta C.
  CHECK(armbench_peer_gemm(peer, ARMBENCH_GEMM_F32, &args) == 0);
  CHECK(c[0] == 10.0f && c[3] == 16.0f);
  args.k = 2;
  args.lda = 1;  // < k
  CHECK(armbench_peer_gemm(peer, ARMBENCH_GEMM_F32, &args) == -EINVAL);
  args.lda = 2;
  args.ldc = 1;  // < n
  CHECK(armbench_peer_gemm(peer, ARMBENCH_GEMM_F32, &args) == -EINVAL);
  args.ldc = 2;
  args.m = 0;  // nothing to do
  CHECK(armbench_peer_gemm(peer, ARMBENCH_GEMM_F32, &args) == 0);
  CHECK(armbench_peer_gemm(peer, ARMBENCH_GEMM_F32, nullptr) == -EINVAL);
  CHECK(armbench_peer_gemm(peer, static_cast<armbench_gemm_dtype>(7), &args) == -EINVAL);
  CHECK(armbench_peer_unsupported(peer, static_cast<armbench_gemm_dtype>(7)) != nullptr);
}

void test_peer(const char* name) {
  char why[512];
  armbench_peer* peer = nullptr;
  int rc = armbench_peer_open(name, nullptr, &peer, why, sizeof(why));
  if (rc != 0) {
    printf("peer %s not installed: %s\n", name, why);
    CHECK(peer == nullptr);
    CHECK(why[0] != '\0');
    CHECK(rc == -ENOENT || rc == -ENOSYS || rc == -ELIBBAD);
    return;
  }
  if (!CHECK(peer != nullptr)) return;
  const char* library = armbench_peer_library(peer);
  const char* version = armbench_peer_version(peer);
  const char* variant = armbench_peer_variant(peer);
  printf("peer %s: library %s, version \"%s\", variant \"%s\"\n", name, library, version, variant);
  CHECK(strcmp(armbench_peer_name(peer), name) == 0);
  CHECK(library != nullptr && library[0] == '/' && access(library, R_OK) == 0);
  CHECK(version != nullptr);
  CHECK(variant != nullptr);
  CHECK(armbench_peer_unsupported(peer, ARMBENCH_GEMM_F32) == nullptr);
  CHECK(armbench_peer_set_threads(peer, 0) == -EINVAL);
  rc = armbench_peer_set_threads(peer, 1);
  CHECK(rc == 0 || rc == -ENOTSUP);

  test_dtype(peer, ARMBENCH_GEMM_F32);
  test_dtype(peer, ARMBENCH_GEMM_BF16);
  test_int8(peer);
  test_edges(peer);

  // Two threads: still right (and back to one).
  rc = armbench_peer_set_threads(peer, 2);
  CHECK(rc == 0 || rc == -ENOTSUP);
  if (rc == 0) {
    Case cs;
    cs.m = 96;
    cs.n = 80;
    cs.k = 64;
    CHECK(run_case(peer, ARMBENCH_GEMM_F32, cs, true) == 0);
    if (armbench_peer_unsupported(peer, ARMBENCH_GEMM_BF16) == nullptr) {
      CHECK(run_case(peer, ARMBENCH_GEMM_BF16, cs, true) == 0);
    }
    armbench_peer_set_threads(peer, 1);
  }
  armbench_peer_close(peer);

  // A second open of the same library after a close works.
  peer = nullptr;
  CHECK(armbench_peer_open(name, nullptr, &peer, why, sizeof(why)) == 0);
  if (peer != nullptr) {
    CHECK(run_case(peer, ARMBENCH_GEMM_F32, Case(), true) == 0);
    armbench_peer_close(peer);
  }
}

void test_bad_opens() {
  char why[512];
  armbench_peer* peer = reinterpret_cast<armbench_peer*>(&why);
  int rc = armbench_peer_open("nosuchblas", nullptr, &peer, why, sizeof(why));
  CHECK(rc == -EINVAL);
  CHECK(peer == nullptr);
  CHECK_MSG(strstr(why, "nosuchblas") != nullptr, "reason: %s", why);

  rc = armbench_peer_open("openblas", "/nonexistent/dir/libopenblas.so.0", &peer, why, sizeof(why));
  CHECK(rc == -ENOENT);
  CHECK(peer == nullptr);
  CHECK_MSG(strstr(why, "/nonexistent/dir/libopenblas.so.0") != nullptr, "reason: %s", why);

  // A file that exists but is no library.
  char path[] = "/tmp/armbench_test_peers_XXXXXX";
  int fd = mkstemp(path);
  if (CHECK(fd >= 0)) {
    CHECK(write(fd, "not an ELF file\n", 16) == 16);
    close(fd);
    rc = armbench_peer_open("blis", path, &peer, why, sizeof(why));
    CHECK_MSG(rc == -ELIBBAD, "rc %d: %s", rc, why);
    CHECK(why[0] != '\0');
    unlink(path);
  }

  CHECK(armbench_peer_open(nullptr, nullptr, &peer, why, sizeof(why)) == -EINVAL);
  CHECK(armbench_peer_open("onednn", nullptr, nullptr, why, sizeof(why)) == -EINVAL);
  // A reason is cut to the buffer, never overrun.
  char small[8];
  memset(small, 'x', sizeof(small));
  armbench_peer_open("nosuchblas", nullptr, &peer, small, sizeof(small));
  CHECK(small[7] == '\0');
}

}  // namespace

int main() {
  test_bad_opens();
  test_peer("openblas");
  test_peer("blis");
  test_peer("onednn");
  return check::summary("test_peers");
}
