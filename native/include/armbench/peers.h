/* Peer BLAS/DNN libraries loaded at run time with dlopen: none is a build requirement.
 * Each is opened by name (usual sonames) or by path, says which kernel set it chose,
 * and runs GEMM through its own API with the same argument block as armbench_gemm. */
#ifndef ARMBENCH_PEERS_H
#define ARMBENCH_PEERS_H

#include <stddef.h>

#include "armbench/gemm.h"
#include "armbench/igemm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct armbench_peer armbench_peer;

/* name: "openblas", "blis" or "onednn"; path NULL: the library's usual sonames.
 * Returns 0, or -errno with a one-line reason in why (missing library, missing symbol). */
int armbench_peer_open(const char* name, const char* path, armbench_peer** out, char* why, size_t why_len);
void armbench_peer_close(armbench_peer* peer);

const char* armbench_peer_name(const armbench_peer* peer);
/* The file dlopen actually loaded. */
const char* armbench_peer_library(const armbench_peer* peer);
/* The library's version string, or "" when it has no query. */
const char* armbench_peer_version(const armbench_peer* peer);
/* The kernel set the library chose on this CPU: OpenBLAS's core name, BLIS's
 * architecture, oneDNN's ISA; "" when it cannot be queried. */
const char* armbench_peer_variant(const armbench_peer* peer);

/* NULL when the peer can run dtype; otherwise why not, e.g. "cblas_sbgemm missing:
 * this OpenBLAS was built without BFLOAT16" or "OpenBLAS's API has no int8 GEMM". */
const char* armbench_peer_unsupported(const armbench_peer* peer, armbench_gemm_dtype dtype);

/* Threads the peer may use for its next calls: 0 or -errno. */
int armbench_peer_set_threads(armbench_peer* peer, int threads);

/* C = alpha op(A) op(B) + beta C through the peer; args->kernel and args->blocking are
 * ignored, dtype says what a and b hold. Returns 0, -ENOTSUP or -errno. */
int armbench_peer_gemm(armbench_peer* peer, armbench_gemm_dtype dtype, const armbench_gemm_args* args);

/* The int8 case (ARMBENCH_GEMM_INT8) through the peer, with armbench_igemm's argument
 * block (args->kernel and args->blocking ignored). Returns 0, -ENOTSUP or -errno. */
int armbench_peer_igemm(armbench_peer* peer, const armbench_igemm_args* args);

#ifdef __cplusplus
}
#endif

#endif
