// Native objects JavaScript holds: pools and peers live in shared handles, so a
// pending call keeps what it uses alive even if JavaScript lets go of the handle.
#ifndef ARMBENCH_BINDING_HANDLES_H
#define ARMBENCH_BINDING_HANDLES_H

#include <napi.h>

#include <memory>
#include <string>

#include "armbench/gemm.h"
#include "armbench/peers.h"

namespace armbench_binding {

struct GemmPoolRef {
  armbench_gemm_pool* pool = nullptr;
  ~GemmPoolRef() {
    if (pool) armbench_gemm_pool_destroy(pool);
  }
};

struct PeerRef {
  armbench_peer* peer = nullptr;
  ~PeerRef() {
    if (peer) armbench_peer_close(peer);
  }
};

template <typename T>
Napi::Value WrapHandle(Napi::Env env, std::shared_ptr<T> handle) {
  return Napi::External<std::shared_ptr<T>>::New(env, new std::shared_ptr<T>(std::move(handle)),
                                                 [](Napi::Env, std::shared_ptr<T>* p) { delete p; });
}

template <typename T>
std::shared_ptr<T> UnwrapHandle(Napi::Value v, const char* fn, const char* what) {
  if (!v.IsExternal()) throw Napi::TypeError::New(v.Env(), std::string(fn) + ": " + what + " must be a handle");
  return *v.As<Napi::External<std::shared_ptr<T>>>().Data();
}

inline std::shared_ptr<GemmPoolRef> UnwrapGemmPool(Napi::Value v, const char* fn) {
  return UnwrapHandle<GemmPoolRef>(v, fn, "pool");
}

}  // namespace armbench_binding

#endif
