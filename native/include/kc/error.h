/*
 * kc's C error contract: a function returns 0 (or a value >= 0) on success and
 * -1 on failure, after filling a kc_error. C code never prints or exits; the
 * binding turns a kc_error into a JavaScript KcError.
 */
#ifndef KC_ERROR_H
#define KC_ERROR_H

#include <errno.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kc_error {
  int err;             /* errno value */
  int step;            /* enum kc_step, or -1 when not in the spawn pipeline */
  int index;           /* which item of a list failed (mount op, rlimit...), or -1 */
  const char *syscall; /* static string naming the failing call */
  char path[512];      /* the path or object concerned, may be empty */
} kc_error;

/* Fills *e and returns -1, so callers can `return kc_fail(...)`. */
static inline int kc_fail(kc_error *e, int err, const char *syscall, const char *path) {
  if (e) {
    e->err = err;
    e->syscall = syscall;
    e->step = -1;
    e->index = -1;
    e->path[0] = 0;
    if (path) {
      strncpy(e->path, path, sizeof e->path - 1);
      e->path[sizeof e->path - 1] = 0;
    }
  }
  return -1;
}

#ifdef __cplusplus
}
#endif
#endif
