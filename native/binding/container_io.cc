// Binding for the container runtime's fd helpers: sealed memfd copies (memfd.c), fifos, console sockets (console_socket.c).
#include <sys/stat.h>

#include "kc/memfd.h"
#include "kc/console_socket.h"
#include "registry.h"

namespace {

// memfdSealedCopy(path, name) -> fd
Napi::Value MemfdSealedCopy(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 0, "path");
  std::string name = kc::ArgString(info, 1, "name");
  int fd = kc_memfd_sealed_copy(path.c_str(), name.c_str(), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// connectUnixStream(path) -> fd
Napi::Value ConnectUnixStream(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 0, "path");
  int fd = kc_unix_stream_connect(path.c_str(), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// mkfifo(path, mode)
Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  std::string path = kc::ArgString(info, 0, "path");
  if (mkfifo(path.c_str(), (mode_t)kc::ArgInt(info, 1, "mode")) < 0) kc::ThrowErrno(info.Env(), "mkfifo", path.c_str());
  return info.Env().Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo));
  exports.Set("memfdSealedCopy", Napi::Function::New(env, MemfdSealedCopy));
  exports.Set("connectUnixStream", Napi::Function::New(env, ConnectUnixStream));
}

}  // namespace

KC_BINDING(container_io, Init);
