// Private to native/src/peers: the peer object behind the C ABI of armbench/peers.h,
// the table of known peers, and the dlopen/dlsym helpers every peer file uses.
// Each peer_<name>.cc declares the few types and constants of its library's API
// itself (none of their headers is needed at build time) and binds its symbols
// with dlsym only after dlopen succeeded; nothing of the library runs before that.
#ifndef ARMBENCH_PEERS_PEER_INTERNAL_H
#define ARMBENCH_PEERS_PEER_INTERNAL_H

#include <errno.h>
#include <stddef.h>

#include <memory>
#include <string>

#include "armbench/peers.h"

struct armbench_peer {
  virtual ~armbench_peer() = default;

  // NULL when dtype runs; otherwise one sentence saying why not.
  virtual const char* unsupported(armbench_gemm_dtype dtype) const = 0;
  // threads >= 1, already checked: 0, -ENOTSUP or -errno.
  virtual int set_threads(int threads) = 0;
  // Arguments already checked (sizes, strides, pointers) and m, n, k all > 0.
  virtual int gemm(armbench_gemm_dtype dtype, const armbench_gemm_args& args) = 0;
  // The same for int8; only a peer whose unsupported(ARMBENCH_GEMM_INT8) is NULL is called.
  virtual int igemm(const armbench_igemm_args&) { return -ENOTSUP; }

  std::string name;     // "openblas", "blis", "onednn"
  std::string library;  // the file dlopen loaded
  std::string version;  // "" when the library has no query
  std::string variant;  // kernel set chosen on this CPU; "" when not queryable
  void* handle = nullptr;
};

namespace armbench {
namespace peers {

// What peers.cc needs to open one library: the names it goes by, and a function that
// binds its symbols and builds the peer. bind returns 0, or -ENOSYS (a required
// symbol is missing, named in *why) or another -errno.
struct PeerSpec {
  const char* name;             // "openblas"
  const char* display;          // "libopenblas", for messages
  const char* const* sonames;   // tried in order when no path is given
  size_t soname_count;
  int (*bind)(void* handle, const char* file, std::unique_ptr<armbench_peer>* out, std::string* why);
};

extern const PeerSpec kOpenblasSpec;
extern const PeerSpec kBlisSpec;
extern const PeerSpec kOnednnSpec;

// dlsym into a typed function pointer; nullptr when absent.
void* find_symbol(void* handle, const char* symbol);

template <class F>
bool bind_optional(void* handle, const char* symbol, F* out) {
  *out = reinterpret_cast<F>(find_symbol(handle, symbol));
  return *out != nullptr;
}

// As bind_optional; when absent, says "<file> has no <symbol>" in *why (the first
// missing symbol wins) and returns false.
template <class F>
bool bind_required(void* handle, const char* file, const char* symbol, F* out, std::string* why) {
  if (bind_optional(handle, symbol, out)) return true;
  if (why->empty()) *why = std::string(file) + " has no " + symbol;
  return false;
}

// A C string returned by the library, copied; "" for NULL.
std::string copy_string(const char* s);

}  // namespace peers
}  // namespace armbench

#endif
