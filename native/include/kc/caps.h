/*
 * Capability state of a process: capget(2) for any pid, and the calling
 * thread's securebits and no_new_privs through prctl(2).
 */
#ifndef KC_CAPS_H
#define KC_CAPS_H
#include <stdint.h>
#include <sys/types.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* The three sets capget(2) reports, as 64-bit masks (bit N = capability N). */
typedef struct kc_capget_sets {
  uint64_t effective;
  uint64_t permitted;
  uint64_t inheritable;
} kc_capget_sets;

/*
 * capget(2) with _LINUX_CAPABILITY_VERSION_3 for pid (0 = the calling thread).
 * The kernel answers for any pid without privilege; bounding and ambient sets
 * are not part of capget and must be read from /proc/PID/status.
 */
int kc_capget(pid_t pid, kc_capget_sets *out, kc_error *e);

/* prctl(PR_GET_SECUREBITS): the calling thread's securebits (see capabilities(7)). */
int kc_get_securebits(kc_error *e);

/* prctl(PR_GET_NO_NEW_PRIVS): 1 or 0 for the calling thread. */
int kc_get_no_new_privs(kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
