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

// unixStreamListen(path) -> fd
Napi::Value UnixStreamListen(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 0, "path");
  int fd = kc_unix_stream_listen(path.c_str(), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// unixStreamAccept(listenFd) -> fd, or -1 when no connection is pending
Napi::Value UnixStreamAccept(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc_unix_stream_accept(kc::ArgInt(info, 0, "listenFd"), &e);
  if (fd < 0) {
    if (e.err == EAGAIN || e.err == EWOULDBLOCK) return Napi::Number::New(info.Env(), -1);
    kc::ThrowError(info.Env(), e);
  }
  return Napi::Number::New(info.Env(), fd);
}

// setWindowSize(fd, rows, cols)
Napi::Value SetWindowSize(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc::ArgInt(info, 0, "fd");
  if (kc_set_window_size(fd, (unsigned)kc::ArgInt(info, 1, "rows"), (unsigned)kc::ArgInt(info, 2, "cols"), &e) < 0) kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
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
  exports.Set("unixStreamListen", Napi::Function::New(env, UnixStreamListen));
  exports.Set("unixStreamAccept", Napi::Function::New(env, UnixStreamAccept));
  exports.Set("setWindowSize", Napi::Function::New(env, SetWindowSize));
}

}  // namespace

KC_BINDING(container_io, Init);
