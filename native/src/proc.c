/* pidfd wrappers (pidfd_open(2), pidfd_send_signal(2), waitid(2) with P_PIDFD). */
#include "kc/proc.h"

#include <signal.h>
#include <sys/resource.h>
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
  struct rusage ru;
  memset(&si, 0, sizeof si);
  memset(&ru, 0, sizeof ru);
  out->exited = 0;
  out->exit_code = -1;
  out->signal = -1;
  out->core = 0;
  out->user_usec = out->system_usec = out->maxrss_kib = 0;
  long r;
  /* The raw system call: its fifth argument returns the reaped child's resource usage (glibc's waitid has none). */
  do {
    r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return kc_fail(e, errno, "waitid", NULL);
  if (si.si_pid == 0) return 0; /* still running (WNOHANG) */
  out->exited = 1;
  out->user_usec = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
  out->system_usec = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
  out->maxrss_kib = ru.ru_maxrss;
  if (si.si_code == CLD_EXITED) {
    out->exit_code = si.si_status;
  } else {
    out->signal = si.si_status;
    out->core = si.si_code == CLD_DUMPED;
  }
  return 0;
}
