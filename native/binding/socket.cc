// Binding for SOCK_SEQPACKET sockets (CRIU RPC): seqpacketPair, seqpacketConnect,
// seqpacketSend, seqpacketReceive, fdSetCloexec. Non-blocking: callers poll
// readability with watchFd and get null / -1 back on EAGAIN.
#include <vector>

#include "kc/socket.h"
#include "registry.h"

namespace {

Napi::Value SeqpacketPair(const Napi::CallbackInfo& info) {
  kc_error e;
  int fds[2];
  if (kc_seqpacket_pair(fds, &e) < 0) kc::ThrowError(info.Env(), e);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  a.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return a;
}

Napi::Value SeqpacketConnect(const Napi::CallbackInfo& info) {
  kc_error e;
  std::string path = kc::ArgString(info, 0, "path");
  int fd = kc_seqpacket_connect(path.c_str(), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// seqpacketSend(fd, data: Uint8Array, fds?: number[]) -> bytes sent, or -1 when the socket is full
Napi::Value SeqpacketSend(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc::ArgInt(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "expected a Uint8Array for data");
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  std::vector<int> fds;
  if (info.Length() > 2 && info[2].IsArray()) {
    Napi::Array a = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) fds.push_back(a.Get(i).As<Napi::Number>().Int32Value());
  }
  ssize_t n = kc_seqpacket_send(fd, data.Data(), data.ByteLength(), fds.data(), (int)fds.size(), &e);
  if (n < 0) {
    if (e.err == EAGAIN || e.err == EWOULDBLOCK) return Napi::Number::New(info.Env(), -1);
    kc::ThrowError(info.Env(), e);
  }
  return Napi::Number::New(info.Env(), (double)n);
}

// seqpacketReceive(fd) -> null when no message is queued, else { data, fds, eof }
Napi::Value SeqpacketReceive(const Napi::CallbackInfo& info) {
  kc_error e;
  Napi::Env env = info.Env();
  int fd = kc::ArgInt(info, 0, "fd");
  ssize_t size = kc_seqpacket_peek_size(fd, &e);
  if (size < 0) {
    if (e.err == EAGAIN || e.err == EWOULDBLOCK) return env.Null();
    kc::ThrowError(env, e);
  }
  std::vector<uint8_t> buf(size > 0 ? (size_t)size : 1);
  int fds[KC_SOCKET_MAX_FDS];
  int nfds = 0;
  ssize_t n = kc_seqpacket_recv(fd, buf.data(), buf.size(), fds, &nfds, &e);
  if (n < 0) {
    if (e.err == EAGAIN || e.err == EWOULDBLOCK) return env.Null();
    kc::ThrowError(env, e);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("data", Napi::Buffer<uint8_t>::Copy(env, buf.data(), (size_t)n));
  Napi::Array a = Napi::Array::New(env, nfds);
  for (int i = 0; i < nfds; i++) a.Set((uint32_t)i, Napi::Number::New(env, fds[i]));
  o.Set("fds", a);
  // A zero-length read on a seqpacket socket is the peer's end of stream.
  o.Set("eof", Napi::Boolean::New(env, n == 0 && size == 0));
  return o;
}

Napi::Value FdSetCloexec(const Napi::CallbackInfo& info) {
  kc_error e;
  bool on = info.Length() > 1 && info[1].ToBoolean().Value();
  if (kc_fd_set_cloexec(kc::ArgInt(info, 0, "fd"), on ? 1 : 0, &e) < 0) kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("seqpacketPair", Napi::Function::New(env, SeqpacketPair));
  exports.Set("seqpacketConnect", Napi::Function::New(env, SeqpacketConnect));
  exports.Set("seqpacketSend", Napi::Function::New(env, SeqpacketSend));
  exports.Set("seqpacketReceive", Napi::Function::New(env, SeqpacketReceive));
  exports.Set("fdSetCloexec", Napi::Function::New(env, FdSetCloexec));
}

}  // namespace

KC_BINDING(socket, Init);
