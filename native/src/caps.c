/* Capability state: capget(2) and prctl(2) reads (see capabilities(7)). */
#include "kc/caps.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int kc_capget(pid_t pid, kc_capget_sets *out, kc_error *e) {
  /* Version 3 carries two 32-bit words per set (capabilities 0..63). glibc has
     no wrapper that avoids libcap, so the raw syscall is used. */
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, pid};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &header, data) < 0) return kc_fail(e, errno, "capget", NULL);
  out->effective = ((uint64_t)data[1].effective << 32) | data[0].effective;
  out->permitted = ((uint64_t)data[1].permitted << 32) | data[0].permitted;
  out->inheritable = ((uint64_t)data[1].inheritable << 32) | data[0].inheritable;
  return 0;
}

int kc_get_securebits(kc_error *e) {
  int r = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  if (r < 0) return kc_fail(e, errno, "prctl(PR_GET_SECUREBITS)", NULL);
  return r;
}

int kc_get_no_new_privs(kc_error *e) {
  int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (r < 0) return kc_fail(e, errno, "prctl(PR_GET_NO_NEW_PRIVS)", NULL);
  return r;
}
