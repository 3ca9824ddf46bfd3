// Binding for the caller's mount table: mount, umount2, openTree, moveMount, mountSetattr.
#include "kc/mount.h"
#include "registry.h"

namespace {

std::string OptString(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return std::string();
  return info[i].As<Napi::String>().Utf8Value();
}

double ArgNumber(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string("expected a number for ") + name);
  return info[i].As<Napi::Number>().DoubleValue();
}

// mount(source|null, target, fstype|null, flags, data|null)
Napi::Value Mount(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string source = OptString(info, 0), target = kc::ArgString(info, 1, "target"), fstype = OptString(info, 2),
              data = OptString(info, 4);
  unsigned long flags = static_cast<unsigned long>(ArgNumber(info, 3, "flags"));
  if (kc_mount(source.c_str(), target.c_str(), fstype.c_str(), flags, data.c_str(), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

Napi::Value Umount2(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string target = kc::ArgString(info, 0, "target");
  if (kc_umount2(target.c_str(), kc::ArgInt(info, 1, "flags"), &e) < 0) kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

// openTree(dfd, path, flags) -> fd
Napi::Value OpenTree(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 1, "path");
  int fd = kc_open_tree(kc::ArgInt(info, 0, "dfd"), path.c_str(),
                        static_cast<unsigned int>(ArgNumber(info, 2, "flags")), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// moveMount(fromDfd, fromPath, toDfd, toPath, flags)
Napi::Value MoveMount(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string from = kc::ArgString(info, 1, "fromPath"), to = kc::ArgString(info, 3, "toPath");
  if (kc_move_mount(kc::ArgInt(info, 0, "fromDfd"), from.c_str(), kc::ArgInt(info, 2, "toDfd"), to.c_str(),
                    static_cast<unsigned int>(ArgNumber(info, 4, "flags")), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

// mountSetattr(dfd, path, flags, attrSet, attrClr, propagation, usernsFd)
Napi::Value MountSetattr(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 1, "path");
  if (kc_mount_setattr(kc::ArgInt(info, 0, "dfd"), path.c_str(), static_cast<unsigned int>(ArgNumber(info, 2, "flags")),
                       static_cast<unsigned long long>(ArgNumber(info, 3, "attrSet")),
                       static_cast<unsigned long long>(ArgNumber(info, 4, "attrClr")),
                       static_cast<unsigned long long>(ArgNumber(info, 5, "propagation")),
                       kc::ArgInt(info, 6, "usernsFd"), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mount", Napi::Function::New(env, Mount));
  exports.Set("umount2", Napi::Function::New(env, Umount2));
  exports.Set("openTree", Napi::Function::New(env, OpenTree));
  exports.Set("moveMount", Napi::Function::New(env, MoveMount));
  exports.Set("mountSetattr", Napi::Function::New(env, MountSetattr));
}

}  // namespace

KC_BINDING(mount, Init);
