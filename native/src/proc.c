/* pidfd wrappers (pidfd_open(2), pidfd_send_signal(2), waitid(2) with P_PIDFD). */
#include "kc/proc.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int kc_pidfd_open(pid_t pid, kc_error *e) {
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return kc_fail(e, errno, "pidfd_open", NULL);
  return fd;
}

int kc_pidfd_send_signal(int pidfd, int sig, kc_error *e) {
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    return kc_fail(e, errno, "pidfd_send_signal", NULL);
  return 0;
}

int kc_pidfd_wait(int pidfd, int nohang, kc_exit *out, kc_error *e) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  out->exited = 0;
  out->exit_code = -1;
  out->signal = -1;
  out->core = 0;
  int r;
  do {
    r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL | (nohang ? WNOHANG : 0));
  } while (r < 0 && errno == EINTR);
  if (r < 0) return kc_fail(e, errno, "waitid", NULL);
  if (si.si_pid == 0) return 0; /* still running (WNOHANG) */
  out->exited = 1;
  if (si.si_code == CLD_EXITED) {
    out->exit_code = si.si_status;
  } else {
    out->signal = si.si_status;
    out->core = si.si_code == CLD_DUMPED;
  }
  return 0;
}
