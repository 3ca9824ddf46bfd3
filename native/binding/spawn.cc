// Binding for the spawn pipeline: spawn(planBuffer) and spawnLateError(syncFd).
#include "kc/spawn.h"
#include "registry.h"

namespace {

// spawn(plan: Uint8Array) -> { pid, pidfd, listenerFd, syncFd }
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray())
    throw Napi::TypeError::New(info.Env(), "spawn expects the encoded plan as a Uint8Array");
  Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
  kc_plan plan;
  kc_error e;
  if (kc_plan_decode(buf.Data(), buf.ByteLength(), &plan, &e) < 0) kc::ThrowError(info.Env(), e);
  kc_spawn_result r;
  int rc = kc_spawn(&plan, &r, &e);
  kc_plan_free(&plan);
  if (rc < 0) kc::ThrowError(info.Env(), e);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("pid", r.pid);
  o.Set("pidfd", r.pidfd);
  o.Set("listenerFd", r.listener_fd);
  o.Set("syncFd", r.sync_fd);
  return o;
}

// spawnLateError(syncFd) -> throws the child's late failure, or returns undefined
Napi::Value SpawnLateError(const Napi::CallbackInfo& info) {
  kc_error e;
  if (kc_spawn_late_error(kc::ArgInt(info, 0, "syncFd"), &e)) kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn));
  exports.Set("spawnLateError", Napi::Function::New(env, SpawnLateError));
  exports.Set("spawnStepCount", Napi::Number::New(env, KC_STEP_COUNT));
}

}  // namespace

KC_BINDING(spawn, Init);
