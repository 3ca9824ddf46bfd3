// Binding for cgroup device programs: bpfLoadDeviceProg, bpfAttachDeviceProg,
// bpfDetachDeviceProg, bpfQueryDeviceProgs, bpfProgFdById.
#include <string>
#include <vector>

#include "kc/bpf.h"
#include "registry.h"

namespace {

// bpfLoadDeviceProg(insns: Buffer) -> fd; a verifier rejection carries the kernel's log as `verifierLog`.
Napi::Value LoadDeviceProg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBuffer()) throw Napi::TypeError::New(info.Env(), "expected a Buffer for insns");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  if (buf.Length() == 0 || buf.Length() % 8 != 0)
    throw Napi::TypeError::New(info.Env(), "insns must be a non-empty multiple of 8 bytes");
  std::vector<char> log(64 * 1024);
  kc_error e;
  int fd = kc_bpf_load_device_prog(buf.Data(), buf.Length() / 8, log.data(), log.size(), &e);
  if (fd < 0) {
    try {
      kc::ThrowError(info.Env(), e);
    } catch (Napi::Error& err) {
      err.Value().Set("verifierLog", Napi::String::New(info.Env(), std::string(log.data())));
      throw;
    }
  }
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value AttachDeviceProg(const Napi::CallbackInfo& info) {
  kc_error e;
  if (kc_bpf_attach_device_prog(kc::ArgInt(info, 0, "cgroupFd"), kc::ArgInt(info, 1, "progFd"), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

Napi::Value DetachDeviceProg(const Napi::CallbackInfo& info) {
  kc_error e;
  if (kc_bpf_detach_device_prog(kc::ArgInt(info, 0, "cgroupFd"), kc::ArgInt(info, 1, "progFd"), &e) < 0)
    kc::ThrowError(info.Env(), e);
  return info.Env().Undefined();
}

// bpfQueryDeviceProgs(cgroupFd) -> number[] of program ids attached to that cgroup.
Napi::Value QueryDeviceProgs(const Napi::CallbackInfo& info) {
  kc_error e;
  uint32_t ids[64];
  int n = kc_bpf_query_device_progs(kc::ArgInt(info, 0, "cgroupFd"), ids, 64, &e);
  if (n < 0) kc::ThrowError(info.Env(), e);
  Napi::Array out = Napi::Array::New(info.Env(), n);
  for (int i = 0; i < n; i++) out.Set(i, Napi::Number::New(info.Env(), ids[i]));
  return out;
}

Napi::Value ProgFdById(const Napi::CallbackInfo& info) {
  kc_error e;
  int fd = kc_bpf_prog_fd_by_id((uint32_t)kc::ArgInt(info, 0, "id"), &e);
  if (fd < 0) kc::ThrowError(info.Env(), e);
  return Napi::Number::New(info.Env(), fd);
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("bpfLoadDeviceProg", Napi::Function::New(env, LoadDeviceProg));
  exports.Set("bpfAttachDeviceProg", Napi::Function::New(env, AttachDeviceProg));
  exports.Set("bpfDetachDeviceProg", Napi::Function::New(env, DetachDeviceProg));
  exports.Set("bpfQueryDeviceProgs", Napi::Function::New(env, QueryDeviceProgs));
  exports.Set("bpfProgFdById", Napi::Function::New(env, ProgFdById));
}

}  // namespace

KC_BINDING(bpf, Init);
