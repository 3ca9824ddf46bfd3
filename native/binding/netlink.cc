// Binding for netlink sockets: netlinkOpen, netlinkSend, netlinkRecv, netlinkPort, unixSocketpair.
#include "kc/netlink.h"
#include "registry.h"

namespace {

// netlinkOpen(protocol, netnsFd (-1 = the caller's), recvTimeoutMs) -> fd
Napi::Value NetlinkOpen(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc_netlink_open(kc::ArgInt(info, 0, "protocol"), kc::ArgInt(info, 1, "netnsFd"),
                           kc::ArgInt(info, 2, "recvTimeoutMs"), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

// netlinkSend(fd, Uint8Array) -> bytes sent
Napi::Value NetlinkSend(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc::ArgInt(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "expected a Uint8Array");
  Napi::Uint8Array buf = info[1].As<Napi::Uint8Array>();
  ssize_t n = kc_netlink_send(fd, buf.Data(), buf.ByteLength(), &e);
  if (n < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

// netlinkRecv(fd, Uint8Array) -> bytes received into it
Napi::Value NetlinkRecv(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc::ArgInt(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "expected a Uint8Array");
  Napi::Uint8Array buf = info[1].As<Napi::Uint8Array>();
  ssize_t n = kc_netlink_recv(fd, buf.Data(), buf.ByteLength(), &e);
  if (n < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value NetlinkPort(const Napi::CallbackInfo& info) {
  kc_error e;
  unsigned int port = 0;
  if (kc_netlink_port(kc::ArgInt(info, 0, "fd"), &port, &e) < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), port);
}

// unixSocketpair(type) -> [fd0, fd1]
Napi::Value UnixSocketpair(const Napi::CallbackInfo& info) {
  kc_error e;
  int fds[2];
  if (kc_unix_socketpair(kc::ArgInt(info, 0, "type"), fds, &e) < 0) kc::ThrowError(info.Env(), e);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  a.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return a;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("netlinkOpen", Napi::Function::New(env, NetlinkOpen));
  exports.Set("netlinkSend", Napi::Function::New(env, NetlinkSend));
  exports.Set("netlinkRecv", Napi::Function::New(env, NetlinkRecv));
  exports.Set("netlinkPort", Napi::Function::New(env, NetlinkPort));
  exports.Set("unixSocketpair", Napi::Function::New(env, UnixSocketpair));
}

}  // namespace

KC_BINDING(netlink, Init);
