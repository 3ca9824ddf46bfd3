// Binding for seccomp queries and user notification: seccompActionAvail,
// seccompNotifSizes, seccompFlagsSupported, seccompNotifRecv, seccompNotifSend,
// seccompNotifIdValid, seccompNotifAddfd. Ids and 64-bit values travel as BigInt.
#include "kc/seccomp.h"
#include "registry.h"

namespace {

uint64_t ArgU64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsBigInt())
    throw Napi::TypeError::New(info.Env(), std::string("expected a bigint for ") + name);
  bool lossless = true;
  return info[i].As<Napi::BigInt>().Uint64Value(&lossless);
}

int64_t ArgI64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsBigInt())
    throw Napi::TypeError::New(info.Env(), std::string("expected a bigint for ") + name);
  bool lossless = true;
  return info[i].As<Napi::BigInt>().Int64Value(&lossless);
}

uint32_t ArgU32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string("expected a number for ") + name);
  return info[i].As<Napi::Number>().Uint32Value();
}

// seccompActionAvail(action) -> boolean
Napi::Value ActionAvail(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_seccomp_action_avail(ArgU32(info, 0, "action"), &e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Boolean::New(info.Env(), r == 1);
}

// seccompNotifSizes() -> { notif, resp, data }
Napi::Value NotifSizes(const Napi::CallbackInfo& info) {
  kc_error e;
  kc_seccomp_sizes s;
  if (kc_seccomp_notif_sizes(&s, &e) < 0) kc::ThrowError(info.Env(), e);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("notif", s.notif);
  o.Set("resp", s.resp);
  o.Set("data", s.data);
  return o;
}

// seccompFlagsSupported(flags) -> boolean
Napi::Value FlagsSupported(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_seccomp_flags_supported(ArgU32(info, 0, "flags"), &e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Boolean::New(info.Env(), r == 1);
}

// seccompNotifRecv(fd) -> null when nothing is pending, else { id, pid, flags, nr, arch, ip, args }
Napi::Value NotifRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  kc_error e;
  kc_seccomp_notification n;
  int r = kc_seccomp_notif_recv(kc::ArgInt(info, 0, "fd"), &n, &e);
  if (r < 0) kc::ThrowError(env, e);
  if (r == 0) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Napi::BigInt::New(env, n.id));
  o.Set("pid", Napi::Number::New(env, n.pid));
  o.Set("flags", Napi::Number::New(env, n.flags));
  o.Set("nr", Napi::Number::New(env, n.nr));
  o.Set("arch", Napi::Number::New(env, n.arch));
  o.Set("ip", Napi::BigInt::New(env, n.ip));
  Napi::Array args = Napi::Array::New(env, 6);
  for (uint32_t i = 0; i < 6; i++) args.Set(i, Napi::BigInt::New(env, n.args[i]));
  o.Set("args", args);
  return o;
}

// seccompNotifSend(fd, id, val, error, flags) -> false when the notification is gone
Napi::Value NotifSend(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_seccomp_notif_send(kc::ArgInt(info, 0, "fd"), ArgU64(info, 1, "id"), ArgI64(info, 2, "val"),
                                kc::ArgInt(info, 3, "error"), ArgU32(info, 4, "flags"), &e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Boolean::New(info.Env(), r == 1);
}

// seccompNotifIdValid(fd, id) -> boolean
Napi::Value NotifIdValid(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_seccomp_notif_id_valid(kc::ArgInt(info, 0, "fd"), ArgU64(info, 1, "id"), &e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Boolean::New(info.Env(), r == 1);
}

// seccompNotifAddfd(fd, id, srcfd, newfd, newfdFlags, flags) -> the fd number in the target
Napi::Value NotifAddfd(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_seccomp_notif_addfd(kc::ArgInt(info, 0, "fd"), ArgU64(info, 1, "id"), kc::ArgInt(info, 2, "srcfd"),
                                 ArgU32(info, 3, "newfd"), ArgU32(info, 4, "newfdFlags"), ArgU32(info, 5, "flags"), &e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), r);
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("seccompActionAvail", Napi::Function::New(env, ActionAvail));
  exports.Set("seccompNotifSizes", Napi::Function::New(env, NotifSizes));
  exports.Set("seccompFlagsSupported", Napi::Function::New(env, FlagsSupported));
  exports.Set("seccompNotifRecv", Napi::Function::New(env, NotifRecv));
  exports.Set("seccompNotifSend", Napi::Function::New(env, NotifSend));
  exports.Set("seccompNotifIdValid", Napi::Function::New(env, NotifIdValid));
  exports.Set("seccompNotifAddfd", Napi::Function::New(env, NotifAddfd));
}

}  // namespace

KC_BINDING(seccomp, Init);
