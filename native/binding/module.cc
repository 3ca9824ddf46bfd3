// The addon's entry point: runs every registrar collected by KC_BINDING.
#include <string.h>

#include <string>
#include <utility>
#include <vector>

#include "registry.h"

namespace kc {

static std::vector<std::pair<const char*, Registrar>>& Table() {
  static std::vector<std::pair<const char*, Registrar>> table;
  return table;
}

int Register(const char* name, Registrar fn) {
  Table().emplace_back(name, fn);
  return 0;
}

void ThrowError(Napi::Env env, const kc_error& e) {
  const char* code = strerrorname_np(e.err);
  std::string msg = std::string(e.syscall ? e.syscall : "kc") + ": " + strerror(e.err);
  if (e.path[0]) msg += " (" + std::string(e.path) + ")";
  Napi::Error err = Napi::Error::New(env, msg);
  Napi::Object o = err.Value();
  o.Set("errno", Napi::Number::New(env, e.err));
  o.Set("code", Napi::String::New(env, code ? code : "EUNKNOWN"));
  if (e.syscall) o.Set("syscall", Napi::String::New(env, e.syscall));
  if (e.path[0]) o.Set("path", Napi::String::New(env, e.path));
  if (e.step >= 0) o.Set("stepIndex", Napi::Number::New(env, e.step));
  if (e.index >= 0) o.Set("itemIndex", Napi::Number::New(env, e.index));
  o.Set("kcNative", Napi::Boolean::New(env, true));
  throw err;
}

void ThrowErrno(Napi::Env env, const char* syscall, const char* path) {
  kc_error e;
  kc_fail(&e, errno, syscall, path);
  ThrowError(env, e);
}

int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string("expected a number for ") + name);
  return info[i].As<Napi::Number>().Int32Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsString())
    throw Napi::TypeError::New(info.Env(), std::string("expected a string for ") + name);
  return info[i].As<Napi::String>().Utf8Value();
}

}  // namespace kc

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (auto& [name, fn] : kc::Table()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(kc, Init)
