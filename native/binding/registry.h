// A self-registration table: each binding/*.cc file registers its exports with
// KC_BINDING(name, fn), so adding a concern never edits a shared file.
#pragma once
#include <napi.h>

#include "kc/error.h"

namespace kc {

using Registrar = void (*)(Napi::Env env, Napi::Object exports);

/** Adds a registrar; called from static initialisers. Returns a dummy value. */
int Register(const char* name, Registrar fn);

/** Throws a JavaScript Error carrying errno, code, syscall, path, step, index. */
[[noreturn]] void ThrowError(Napi::Env env, const kc_error& e);

/** Throws for the current errno with the given syscall name and path. */
[[noreturn]] void ThrowErrno(Napi::Env env, const char* syscall, const char* path = nullptr);

/** Reads an int32 argument, throwing a TypeError naming the argument if absent. */
int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* name);

/** Reads a string argument, throwing a TypeError naming the argument if absent. */
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name);

}  // namespace kc

#define KC_BINDING_CAT2(a, b) a##b
#define KC_BINDING_CAT(a, b) KC_BINDING_CAT2(a, b)
#define KC_BINDING(name, fn) \
  static int KC_BINDING_CAT(kc_registered_, name) = ::kc::Register(#name, fn)
