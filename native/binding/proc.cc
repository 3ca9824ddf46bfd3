// Binding for process handles: pidfdOpen, pidfdSendSignal, pidfdWait, closeFd.
#include <fcntl.h>
#include <unistd.h>

#include "kc/proc.h"
#include "registry.h"

namespace {

Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc_pidfd_open(kc::ArgInt(info, 0, "pid"), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value PidfdSendSignal(const Napi::CallbackInfo& info) {
  kc_error e;
  if (kc_pidfd_send_signal(kc::ArgInt(info, 0, "pidfd"), kc::ArgInt(info, 1, "signal"), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

// pidfdWait(pidfd, nohang) -> null while running, else { exitCode, signal, core, userUsec, systemUsec, maxRssKib }
Napi::Value PidfdWait(const Napi::CallbackInfo& info) {
  kc_error e;
  kc_exit x;
  bool nohang = info.Length() > 1 && info[1].ToBoolean().Value();
  if (kc_pidfd_wait(kc::ArgInt(info, 0, "pidfd"), nohang, &x, &e) < 0) kc::ThrowError(info.Env(), e);
  if (!x.exited) return info.Env().Null();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("exitCode", x.exit_code >= 0 ? Napi::Value(Napi::Number::New(info.Env(), x.exit_code)) : info.Env().Null());
  o.Set("signal", x.signal >= 0 ? Napi::Value(Napi::Number::New(info.Env(), x.signal)) : info.Env().Null());
  o.Set("core", Napi::Boolean::New(info.Env(), x.core));
  o.Set("userUsec", Napi::Number::New(info.Env(), (double)x.user_usec));
  o.Set("systemUsec", Napi::Number::New(info.Env(), (double)x.system_usec));
  o.Set("maxRssKib", Napi::Number::New(info.Env(), (double)x.maxrss_kib));
  return o;
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  if (close(kc::ArgInt(info, 0, "fd")) < 0) kc::ThrowErrno(info.Env(), "close");
  return info.Env().Undefined();
}

// pipe() -> [readFd, writeFd], both close-on-exec
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) kc::ThrowErrno(info.Env(), "pipe2");
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, fds[0]);
  a.Set(1u, fds[1]);
  return a;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("pipe", Napi::Function::New(env, Pipe));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal));
  exports.Set("pidfdWait", Napi::Function::New(env, PidfdWait));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
}

}  // namespace

KC_BINDING(proc, Init);
