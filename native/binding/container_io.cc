// Binding for the container runtime's fd helpers: sealed memfd copies (memfd.c) and ptys + console sockets (pty.c).
#include <sys/stat.h>

#include "kc/memfd.h"
#include "kc/pty.h"
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

// ptyOpen(rows, cols) -> { master, slave }
Napi::Value PtyOpen(const Napi::CallbackInfo& info) {
  kc_error e;
  int master, slave;
  if (kc_pty_open(&master, &slave, (unsigned short)kc::ArgInt(info, 0, "rows"), (unsigned short)kc::ArgInt(info, 1, "cols"), &e) < 0)
    kc::ThrowError(info.Env(), e);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("master", Napi::Number::New(info.Env(), master));
  o.Set("slave", Napi::Number::New(info.Env(), slave));
  return o;
}

// sendFdToSocket(path, fd, name)
Napi::Value SendFdToSocket(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 0, "path");
  std::string name = kc::ArgString(info, 2, "name");
  if (kc_send_fd_to_socket(path.c_str(), kc::ArgInt(info, 1, "fd"), name.c_str(), &e) < 0) kc::ThrowError(info.Env(), e);
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
  exports.Set("ptyOpen", Napi::Function::New(env, PtyOpen));
  exports.Set("sendFdToSocket", Napi::Function::New(env, SendFdToSocket));
}

}  // namespace

KC_BINDING(container_io, Init);
