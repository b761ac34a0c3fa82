// Native objects JavaScript holds: pools, peers and engines live in shared handles, so
// a pending call keeps what it uses alive even if JavaScript lets go of the handle.
//
// Every handle is a Node-API External carrying a type tag for its kind, checked on
// every use: a pool passed where a peer belongs, a plain object, or an External made
// by any other module is a TypeError instead of one native object read as another.
// The tag's second half is the address of a variable in this load of the addon, so
// a handle made by another copy of the addon (another build, another struct layout)
// loaded into the same process is refused too.
#ifndef ARMBENCH_BINDING_HANDLES_H
#define ARMBENCH_BINDING_HANDLES_H

#include <napi.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "armbench/gemm.h"
#include "armbench/peers.h"

namespace armbench_binding {

enum class HandleKind { Pool, Peer, Engine };

// "pool", "peer", "engine".
const char* HandleKindName(HandleKind kind);
// "a" or "an", as the name needs.
inline const char* HandleKindArticle(HandleKind kind) { return kind == HandleKind::Engine ? "an" : "a"; }
// Where a handle of that kind comes from: "gemmPool", "peerOpen", "engineCreate".
const char* HandleKindSource(HandleKind kind);
// The tag of that kind in this load of the addon.
const napi_type_tag* HandleTag(HandleKind kind);
// What `v` is, for an error message: "a pool handle", "a number", "undefined",
// "a handle of another module", ...
std::string DescribeValue(Napi::Value v);

// The native objects run work off the JavaScript thread; `busy` serializes that work
// per object, since neither a pool (its scratch buffer is grown and freed by whichever
// call needs more, unguarded) nor a peer (its library's thread count) may be used by
// two calls at once. Engines serialize their own runs (armbench/engine.h).
struct GemmPoolRef {
  static constexpr HandleKind kKind = HandleKind::Pool;
  armbench_gemm_pool* pool = nullptr;
  std::mutex busy;
  ~GemmPoolRef() {
    if (pool) armbench_gemm_pool_destroy(pool);
  }
};

struct PeerRef {
  static constexpr HandleKind kKind = HandleKind::Peer;
  armbench_peer* peer = nullptr;
  std::mutex busy;
  ~PeerRef() {
    if (peer) armbench_peer_close(peer);
  }
};

template <typename T>
Napi::Value WrapHandle(Napi::Env env, std::shared_ptr<T> handle) {
  auto ext = Napi::External<std::shared_ptr<T>>::New(env, new std::shared_ptr<T>(std::move(handle)),
                                                     [](Napi::Env, std::shared_ptr<T>* p) { delete p; });
  ext.TypeTag(HandleTag(T::kKind));
  return ext;
}

// The handle's object, or a TypeError "fn: what: expected a peer handle (from peerOpen), got a pool handle".
template <typename T>
std::shared_ptr<T> UnwrapHandle(Napi::Value v, const char* fn, const char* what) {
  if (!v.IsExternal() || !v.As<Napi::External<std::shared_ptr<T>>>().CheckTypeTag(HandleTag(T::kKind))) {
    throw Napi::TypeError::New(v.Env(), std::string(fn) + ": " + what + ": expected " + HandleKindArticle(T::kKind) + " " +
                                            HandleKindName(T::kKind) + " handle (from " + HandleKindSource(T::kKind) + "), got " + DescribeValue(v));
  }
  return *v.As<Napi::External<std::shared_ptr<T>>>().Data();
}

inline std::shared_ptr<GemmPoolRef> UnwrapGemmPool(Napi::Value v, const char* fn) {
  return UnwrapHandle<GemmPoolRef>(v, fn, "pool");
}

}  // namespace armbench_binding

#endif
