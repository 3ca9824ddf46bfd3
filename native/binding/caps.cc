// Binding for capability state: capsCapget, capsGetSecurebits, capsGetNoNewPrivs.
#include "kc/caps.h"
#include "registry.h"

namespace {

// capsCapget(pid) -> { effective, permitted, inheritable } as BigInt masks.
Napi::Value Capget(const Napi::CallbackInfo& info) {
  kc_error e;
  kc_capget_sets sets;
  if (kc_capget(kc::ArgInt(info, 0, "pid"), &sets, &e) < 0) kc::ThrowError(info.Env(), e);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("effective", Napi::BigInt::New(info.Env(), sets.effective));
  o.Set("permitted", Napi::BigInt::New(info.Env(), sets.permitted));
  o.Set("inheritable", Napi::BigInt::New(info.Env(), sets.inheritable));
  return o;
}

Napi::Value GetSecurebits(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_get_securebits(&e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), r);
}

Napi::Value GetNoNewPrivs(const Napi::CallbackInfo& info) {
  kc_error e;
  int r = kc_get_no_new_privs(&e);
  if (r < 0) kc::ThrowError(info.Env(), e);
  return Napi::Boolean::New(info.Env(), r != 0);
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("capsCapget", Napi::Function::New(env, Capget));
  exports.Set("capsGetSecurebits", Napi::Function::New(env, GetSecurebits));
  exports.Set("capsGetNoNewPrivs", Napi::Function::New(env, GetNoNewPrivs));
}

}  // namespace

KC_BINDING(caps, Init);
