// Each binding file registers its functions on the addon's exports.
#ifndef ARMBENCH_BINDING_EXPORTS_H
#define ARMBENCH_BINDING_EXPORTS_H

#include <napi.h>

namespace armbench_binding {

void RegisterCpu(Napi::Env env, Napi::Object exports);
void RegisterTimer(Napi::Env env, Napi::Object exports);
void RegisterBuildInfo(Napi::Env env, Napi::Object exports);

// Argument checks shared by every binding: each throws a TypeError naming the
// function and the argument.
double RequireNumber(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what);
std::string RequireString(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* what);

}  // namespace armbench_binding

#endif
