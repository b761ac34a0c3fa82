// Opening, closing and calling the peer libraries (OpenBLAS, BLIS, oneDNN): the part
// common to all of them. Each is found with dlopen(RTLD_NOW | RTLD_LOCAL) by its usual
// sonames or a given path, its symbols bound by its peer_<name>.cc, and every GEMM call
// checked here once, so the peer files see only valid, non-empty problems.
//
// Libraries are opened with RTLD_NODELETE as well: OpenBLAS and oneDNN's OpenMP runtime
// keep worker threads alive between calls, and unloading code those workers may still
// run is not safe; armbench_peer_close frees everything armbench made and drops the
// reference, and the code stays mapped until the process exits.
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <memory>
#include <new>
#include <string>

#include "armbench/peers.h"
#include "peer_internal.h"

namespace armbench {
namespace peers {

void* find_symbol(void* handle, const char* symbol) { return dlsym(handle, symbol); }

std::string copy_string(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

}  // namespace peers
}  // namespace armbench

namespace {

using armbench::peers::PeerSpec;

const PeerSpec* const kSpecs[] = {&armbench::peers::kOpenblasSpec, &armbench::peers::kBlisSpec,
                                  &armbench::peers::kOnednnSpec};

void say(char* why, size_t why_len, const std::string& text) {
  if (why != nullptr && why_len > 0) snprintf(why, why_len, "%s", text.c_str());
}

const PeerSpec* find_spec(const char* name) {
  for (const PeerSpec* spec : kSpecs) {
    if (strcmp(spec->name, name) == 0) return spec;
  }
  return nullptr;
}

// The file behind a handle: the link map's name with symbolic links resolved, so a
// Debian alternatives link shows which build (openblas-pthread, blis-openmp) it is.
std::string loaded_file(void* handle, const char* fallback) {
  std::string file = fallback;
  struct link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name != nullptr &&
      map->l_name[0] != '\0') {
    file = map->l_name;
  }
  char resolved[PATH_MAX];
  if (realpath(file.c_str(), resolved) != nullptr) file = resolved;
  return file;
}

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

constexpr int kOpenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE;

// dlopen by the spec's sonames. Returns the handle, or nullptr with *err and *why set.
void* open_by_soname(const PeerSpec& spec, const char** opened, int* err, std::string* why) {
  std::string tried;
  std::string load_error;  // a candidate that exists but failed to load
  for (size_t i = 0; i < spec.soname_count; ++i) {
    const char* soname = spec.sonames[i];
    void* handle = dlopen(soname, kOpenFlags);
    if (handle != nullptr) {
      *opened = soname;
      return handle;
    }
    const char* message = dlerror();
    std::string text = message != nullptr ? message : "";
    // "NAME: cannot open shared object file: ..." for NAME itself means absent; any
    // other message (a missing dependency, a wrong ELF class) means found but broken.
    std::string absent = std::string(soname) + ": cannot open shared object file";
    if (text.compare(0, absent.size(), absent) != 0 && load_error.empty()) load_error = text;
    if (!tried.empty()) tried += ", ";
    tried += soname;
  }
  if (!load_error.empty()) {
    *err = -ELIBBAD;
    *why = std::string(spec.display) + " found but could not be loaded: " + load_error;
  } else {
    *err = -ENOENT;
    *why = std::string(spec.display) + " not found (tried " + tried + ")";
  }
  return nullptr;
}

int open_peer(const char* name, const char* path, armbench_peer** out, std::string* why) {
  const PeerSpec* spec = find_spec(name);
  if (spec == nullptr) {
    *why = std::string("unknown peer '") + name + "' (known: openblas, blis, onednn)";
    return -EINVAL;
  }
  void* handle = nullptr;
  const char* opened = nullptr;
  if (path != nullptr && path[0] != '\0') {
    struct stat st;
    if (stat(path, &st) != 0) {
      int e = errno;
      *why = std::string(spec->display) + " not found at " + path + ": " + strerror(e);
      return -ENOENT;
    }
    handle = dlopen(path, kOpenFlags);
    if (handle == nullptr) {
      const char* message = dlerror();
      *why = std::string(spec->display) + " at " + path + " could not be loaded: " +
             (message != nullptr ? message : "unknown dlopen error");
      return -ELIBBAD;
    }
    opened = path;
  } else {
    int err = 0;
    handle = open_by_soname(*spec, &opened, &err, why);
    if (handle == nullptr) return err;
  }

  std::string file = loaded_file(handle, opened);
  std::unique_ptr<armbench_peer> peer;
  int rc = spec->bind(handle, base_name(file).c_str(), &peer, why);
  if (rc != 0 || peer == nullptr) {
    dlclose(handle);
    if (why->empty()) *why = std::string(spec->display) + ": binding failed";
    return rc != 0 ? rc : -ENOSYS;
  }
  peer->name = spec->name;
  peer->library = file;
  peer->handle = handle;
  *out = peer.release();
  return 0;
}

// C = beta * C, for k == 0 (no product term): beta == 0 writes zeros without reading.
void scale_c(const armbench_gemm_args& a) {
  for (size_t i = 0; i < a.m; ++i) {
    float* row = a.c + i * a.ldc;
    for (size_t j = 0; j < a.n; ++j) row[j] = a.beta == 0.0f ? 0.0f : a.beta * row[j];
  }
}

size_t at_least_one(size_t v) { return v > 0 ? v : 1; }

}  // namespace

extern "C" {

int armbench_peer_open(const char* name, const char* path, armbench_peer** out, char* why, size_t why_len) {
  if (why != nullptr && why_len > 0) why[0] = '\0';
  if (out == nullptr || name == nullptr) {
    say(why, why_len, "armbench_peer_open: name and out must not be NULL");
    return -EINVAL;
  }
  *out = nullptr;
  try {
    std::string reason;
    int rc = open_peer(name, path, out, &reason);
    if (rc != 0) say(why, why_len, reason);
    return rc;
  } catch (const std::bad_alloc&) {
    say(why, why_len, "out of memory opening peer");
    return -ENOMEM;
  }
}

void armbench_peer_close(armbench_peer* peer) {
  if (peer == nullptr) return;
  void* handle = peer->handle;
  delete peer;  // frees what the peer made through the library, while it is still open
  if (handle != nullptr) dlclose(handle);
}

const char* armbench_peer_name(const armbench_peer* peer) { return peer != nullptr ? peer->name.c_str() : ""; }
const char* armbench_peer_library(const armbench_peer* peer) { return peer != nullptr ? peer->library.c_str() : ""; }
const char* armbench_peer_version(const armbench_peer* peer) { return peer != nullptr ? peer->version.c_str() : ""; }
const char* armbench_peer_variant(const armbench_peer* peer) { return peer != nullptr ? peer->variant.c_str() : ""; }

const char* armbench_peer_unsupported(const armbench_peer* peer, armbench_gemm_dtype dtype) {
  if (peer == nullptr) return "no peer";
  if (dtype != ARMBENCH_GEMM_F32 && dtype != ARMBENCH_GEMM_BF16 && dtype != ARMBENCH_GEMM_INT8) return "unknown dtype";
  return peer->unsupported(dtype);
}

int armbench_peer_set_threads(armbench_peer* peer, int threads) {
  if (peer == nullptr || threads < 1) return -EINVAL;
  return peer->set_threads(threads);
}

int armbench_peer_gemm(armbench_peer* peer, armbench_gemm_dtype dtype, const armbench_gemm_args* args) {
  if (peer == nullptr || args == nullptr) return -EINVAL;
  if (dtype != ARMBENCH_GEMM_F32 && dtype != ARMBENCH_GEMM_BF16) return -EINVAL;
  const armbench_gemm_args& a = *args;
  if (a.m == 0 || a.n == 0) return 0;
  if (a.c == nullptr || a.ldc < a.n) return -EINVAL;
  if (a.k > 0) {
    if (a.a == nullptr || a.b == nullptr) return -EINVAL;
    if (a.lda < at_least_one(a.trans_a ? a.m : a.k)) return -EINVAL;
    if (a.ldb < at_least_one(a.trans_b ? a.k : a.n)) return -EINVAL;
  }
  if (peer->unsupported(dtype) != nullptr) return -ENOTSUP;
  if (a.k == 0) {
    scale_c(a);
    return 0;
  }
  try {
    return peer->gemm(dtype, a);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
}

int armbench_peer_igemm(armbench_peer* peer, const armbench_igemm_args* args) {
  if (peer == nullptr || args == nullptr) return -EINVAL;
  const armbench_igemm_args& a = *args;
  if (a.a_type != ARMBENCH_IGEMM_A_S8 && a.a_type != ARMBENCH_IGEMM_A_U8) return -EINVAL;
  if (a.beta != 0 && a.beta != 1) return -EINVAL;
  if (a.m == 0 || a.n == 0) return 0;
  if (a.c == nullptr || a.ldc < a.n) return -EINVAL;
  if (a.k > 0) {
    if (a.a == nullptr || a.b == nullptr) return -EINVAL;
    if (a.lda < a.k || a.ldb < a.n) return -EINVAL;
  }
  if (peer->unsupported(ARMBENCH_GEMM_INT8) != nullptr) return -ENOTSUP;
  if (a.k == 0) {
    if (a.beta == 0) {
      for (size_t i = 0; i < a.m; ++i) memset(a.c + i * a.ldc, 0, a.n * sizeof(int32_t));
    }
    return 0;
  }
  try {
    return peer->igemm(a);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
}

}  // extern "C"
