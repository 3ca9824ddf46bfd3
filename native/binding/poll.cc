// FdWatcher: polls any fd (pidfd, seccomp listener, netlink, inotify, eventfd,
// PSI trigger) in libuv and calls back on the main thread. No thread blocks.
#include <uv.h>

#include "registry.h"

namespace {

class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "FdWatcher",
                                     {InstanceMethod("start", &FdWatcher::Start),
                                      InstanceMethod("stop", &FdWatcher::Stop),
                                      InstanceMethod("ref", &FdWatcher::JsRef),
                                      InstanceMethod("unref", &FdWatcher::JsUnref)});
    exports.Set("FdWatcher", cls);
  }

  // new FdWatcher(fd, callback(status, revents))
  explicit FdWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatcher>(info) {
    fd_ = kc::ArgInt(info, 0, "fd");
    if (info.Length() < 2 || !info[1].IsFunction())
      throw Napi::TypeError::New(info.Env(), "expected a callback");
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(info.Env(), &loop);
    handle_ = new uv_poll_t;
    int r = uv_poll_init(loop, handle_, fd_);
    if (r < 0) {
      delete handle_;
      handle_ = nullptr;
      throw Napi::Error::New(info.Env(), std::string("uv_poll_init: ") + uv_strerror(r));
    }
    handle_->data = this;
  }

  ~FdWatcher() override { Close(); }

 private:
  // start(events): events is a mask of 1 (readable), 2 (writable), 4 (disconnect), 8 (priority)
  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (!handle_) throw Napi::Error::New(info.Env(), "FdWatcher is closed");
    int events = kc::ArgInt(info, 0, "events");
    int uvev = 0;
    if (events & 1) uvev |= UV_READABLE;
    if (events & 2) uvev |= UV_WRITABLE;
    if (events & 4) uvev |= UV_DISCONNECT;
    if (events & 8) uvev |= UV_PRIORITIZED;
    if (!active_) Napi::ObjectWrap<FdWatcher>::Ref();  // keep the JS object alive while polling
    active_ = true;
    int r = uv_poll_start(handle_, uvev, OnEvent);
    if (r < 0) throw Napi::Error::New(info.Env(), std::string("uv_poll_start: ") + uv_strerror(r));
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Close();
    return info.Env().Undefined();
  }

  Napi::Value JsRef(const Napi::CallbackInfo& info) {
    if (handle_) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  Napi::Value JsUnref(const Napi::CallbackInfo& info) {
    if (handle_) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  void Close() {
    if (!handle_) return;
    uv_poll_stop(handle_);
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    handle_ = nullptr;
    if (active_) {
      active_ = false;
      Napi::ObjectWrap<FdWatcher>::Unref();
    }
  }

  static void OnEvent(uv_poll_t* h, int status, int events) {
    FdWatcher* self = static_cast<FdWatcher*>(h->data);
    Napi::Env env = self->callback_.Env();
    Napi::HandleScope scope(env);
    int mask = 0;
    if (events & UV_READABLE) mask |= 1;
    if (events & UV_WRITABLE) mask |= 2;
    if (events & UV_DISCONNECT) mask |= 4;
    if (events & UV_PRIORITIZED) mask |= 8;
    // MakeCallback runs microtasks and reports exceptions as Node would.
    self->callback_.MakeCallback(env.Global(), {Napi::Number::New(env, status), Napi::Number::New(env, mask)});
  }

  uv_poll_t* handle_ = nullptr;
  int fd_ = -1;
  bool active_ = false;
  Napi::FunctionReference callback_;
};

void Init(Napi::Env env, Napi::Object exports) { FdWatcher::Init(env, exports); }

}  // namespace

KC_BINDING(poll, Init);
