// Binding for extended attributes: xattrGet, xattrSet, xattrRemove (Buffers in and out).
#include <vector>

#include "kc/xattr.h"
#include "registry.h"

namespace {

bool ArgNoFollow(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].ToBoolean().Value();
}

// xattrGet(path, name, nofollow) -> Buffer, or null when the attribute is absent (ENODATA).
Napi::Value Get(const Napi::CallbackInfo& info) {
  std::string path = kc::ArgString(info, 0, "path");
  std::string name = kc::ArgString(info, 1, "name");
  int nofollow = ArgNoFollow(info, 2);
  kc_error e;
  // Probe the size, then read; retry if the value grew in between (ERANGE).
  for (int attempt = 0; attempt < 8; attempt++) {
    ssize_t size = kc_getxattr(path.c_str(), name.c_str(), nullptr, 0, nofollow, &e);
    if (size < 0) {
      if (e.err == ENODATA) return info.Env().Null();
      kc::ThrowError(info.Env(), e);
    }
    std::vector<char> buf(size > 0 ? size : 1);
    ssize_t n = kc_getxattr(path.c_str(), name.c_str(), buf.data(), size, nofollow, &e);
    if (n >= 0) return Napi::Buffer<char>::Copy(info.Env(), buf.data(), n);
    if (e.err == ENODATA) return info.Env().Null();
    if (e.err != ERANGE) kc::ThrowError(info.Env(), e);
  }
  kc::ThrowError(info.Env(), e);
}

// xattrSet(path, name, value: Buffer, flags, nofollow)
Napi::Value Set(const Napi::CallbackInfo& info) {
  std::string path = kc::ArgString(info, 0, "path");
  std::string name = kc::ArgString(info, 1, "name");
  if (info.Length() < 3 || !info[2].IsBuffer()) throw Napi::TypeError::New(info.Env(), "expected a Buffer for value");
  Napi::Buffer<char> value = info[2].As<Napi::Buffer<char>>();
  int flags = kc::ArgInt(info, 3, "flags");
  kc_error e;
  if (kc_setxattr(path.c_str(), name.c_str(), value.Data(), value.Length(), flags, ArgNoFollow(info, 4), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

// xattrRemove(path, name, nofollow)
Napi::Value Remove(const Napi::CallbackInfo& info) {
  std::string path = kc::ArgString(info, 0, "path");
  std::string name = kc::ArgString(info, 1, "name");
  kc_error e;
  if (kc_removexattr(path.c_str(), name.c_str(), ArgNoFollow(info, 2), &e) < 0) kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("xattrGet", Napi::Function::New(env, Get));
  exports.Set("xattrSet", Napi::Function::New(env, Set));
  exports.Set("xattrRemove", Napi::Function::New(env, Remove));
}

}  // namespace

KC_BINDING(xattr, Init);
