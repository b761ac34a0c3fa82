// One AsyncWorker for every long native call: `work` runs off the JavaScript thread
// and returns 0 or -errno; `resolve` converts its results on the JavaScript thread.
#ifndef ARMBENCH_BINDING_PROMISE_WORKER_H
#define ARMBENCH_BINDING_PROMISE_WORKER_H

#include <napi.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

namespace armbench_binding {

// "fmaCurve: not supported on this CPU" style messages from a -errno.
inline std::string ErrnoMessage(const char* fn, int rc) {
  const int e = -rc;
  const char* what = e == ENOTSUP ? "not supported on this CPU"
                     : e == EINVAL ? "invalid request"
                     : e == ENOMEM ? "not enough memory"
                     : e == EIO ? "the kernel computed a wrong answer"
                                : std::strerror(e);
  return std::string(fn) + ": " + what;
}

class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<int()>;
  using Resolve = std::function<Napi::Value(Napi::Env)>;

  // Queues the work and returns its promise. `work` and `resolve` own everything
  // they touch (captured by value), since the caller's frame is gone when they run.
  // `why`, when given and filled in by a failing `work`, replaces the generic
  // message after "fn: ".
  static Napi::Promise Start(Napi::Env env, const char* fn, Work work, Resolve resolve,
                             std::shared_ptr<std::string> why = nullptr) {
    auto* w = new PromiseWorker(env, fn, std::move(work), std::move(resolve));
    w->why_ = std::move(why);
    Napi::Promise p = w->deferred_.Promise();
    w->Queue();
    return p;
  }

 protected:
  void Execute() override {
    rc_ = work_();
    if (rc_ != 0) SetError(why_ && !why_->empty() ? std::string(fn_) + ": " + *why_ : ErrnoMessage(fn_, rc_));
  }
  void OnOK() override { deferred_.Resolve(resolve_(Env())); }
  void OnError(const Napi::Error& e) override {
    Napi::Error err = Napi::Error::New(Env(), e.Message());
    err.Set("errno", Napi::Number::New(Env(), -rc_));
    deferred_.Reject(err.Value());
  }

 private:
  PromiseWorker(Napi::Env env, const char* fn, Work work, Resolve resolve)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), fn_(fn),
        work_(std::move(work)), resolve_(std::move(resolve)) {}

  Napi::Promise::Deferred deferred_;
  const char* fn_;
  Work work_;
  Resolve resolve_;
  std::shared_ptr<std::string> why_;
  int rc_ = 0;
};

}  // namespace armbench_binding

#endif
