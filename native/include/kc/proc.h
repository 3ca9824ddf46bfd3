/* Process handles by pidfd: open, signal, reap. */
#ifndef KC_PROC_H
#define KC_PROC_H
#include <stdint.h>
#include <sys/types.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Result of reaping a child: exactly one of exit_code / signal is >= 0. */
typedef struct kc_exit {
  int exited;    /* 1 when the process has been reaped */
  int exit_code; /* exit status, or -1 */
  int signal;    /* terminating signal, or -1 */
  int core;      /* 1 when a core was dumped */
  int64_t user_usec;   /* CPU time in user mode of the process and the children it reaped (getrusage(2) ru_utime) */
  int64_t system_usec; /* CPU time in the kernel, the same way (ru_stime) */
  int64_t maxrss_kib;  /* largest resident set of the process or a child it reaped, KiB (ru_maxrss) */
} kc_exit;

int kc_pidfd_open(pid_t pid, kc_error *e);
int kc_pidfd_send_signal(int pidfd, int sig, kc_error *e);
/* Reaps the process behind pidfd; with nohang, returns 0 and exited=0 when it still runs. */
int kc_pidfd_wait(int pidfd, int nohang, kc_exit *out, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
