// Binding for namespace inspection: nsIoctl, nsOwnerUid, pidfdGetNamespace, nsOpen, nsStat.
#include "kc/nsinfo.h"
#include "registry.h"

namespace {

// nsIoctl(fd, op) -> new fd (GET_USERNS/GET_PARENT) or CLONE_NEW* value (GET_NSTYPE)
Napi::Value NsIoctl(const Napi::CallbackInfo& info) {
  kc_error e;
  long r = kc_ns_ioctl(kc::ArgInt(info, 0, "fd"), kc::ArgInt(info, 1, "op"), nullptr, &e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

Napi::Value NsOwnerUid(const Napi::CallbackInfo& info) {
  kc_error e;
  unsigned int uid = 0;
  if (kc_ns_ioctl(kc::ArgInt(info, 0, "fd"), KC_NS_GET_OWNER_UID, &uid, &e) < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), uid);
}

Napi::Value PidfdGetNamespace(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc_pidfd_get_namespace(kc::ArgInt(info, 0, "pidfd"), kc::ArgInt(info, 1, "which"), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value NsOpen(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 0, "path");
  int fd = kc_ns_open(path.c_str(), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// nsStat(fd) -> { dev, ino } as numbers (inode numbers of nsfs fit in 2^53)
Napi::Value NsStat(const Napi::CallbackInfo& info) {
  kc_error e;
  unsigned long long dev = 0, ino = 0;
  if (kc_ns_fstat(kc::ArgInt(info, 0, "fd"), &dev, &ino, &e) < 0) kc::ThrowError(info.Env(), e);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("dev", Napi::Number::New(info.Env(), static_cast<double>(dev)));
  o.Set("ino", Napi::Number::New(info.Env(), static_cast<double>(ino)));
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("nsIoctl", Napi::Function::New(env, NsIoctl));
  exports.Set("nsOwnerUid", Napi::Function::New(env, NsOwnerUid));
  exports.Set("pidfdGetNamespace", Napi::Function::New(env, PidfdGetNamespace));
  exports.Set("nsOpen", Napi::Function::New(env, NsOpen));
  exports.Set("nsStat", Napi::Function::New(env, NsStat));
}

}  // namespace

KC_BINDING(nsinfo, Init);
