// Binding for eventfd(2): eventfdCreate(initval) -> fd. Reading and closing go
// through Node's fs (readSync on the fd, closeSync), so nothing else is needed.
#include "kc/eventfd.h"
#include "registry.h"

namespace {

Napi::Value EventfdCreate(const Napi::CallbackInfo& info) {
  kc_error e;
  int initval = info.Length() > 0 ? kc::ArgInt(info, 0, "initval") : 0;
  int fd = kc_eventfd_create(static_cast<unsigned int>(initval), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("eventfdCreate", Napi::Function::New(env, EventfdCreate));
}

}  // namespace

KC_BINDING(eventfd, Init);
