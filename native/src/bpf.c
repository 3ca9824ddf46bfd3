/* bpf(2) calls for cgroup device programs (see kc/bpf.h and bpf(2), linux/bpf.h). */
#include "kc/bpf.h"

#include <linux/bpf.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *attr) {
  return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/*
 * BPF_PROG_LOAD with this thread's signals blocked: the verifier gives up
 * with EAGAIN whenever a signal is pending (kernel/bpf/verifier.c, do_check),
 * and Node's --cpu-prof sends SIGPROF every millisecond, which in the qemu
 * guest arrived within every load (seen there). Blocked, a signal waits
 * until the load returns; SIGKILL still ends it. EAGAIN is also retried a
 * bounded number of times, as libbpf does.
 */
static long prog_load(union bpf_attr *attr) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  long fd;
  int attempts = 5;
  do {
    fd = sys_bpf(BPF_PROG_LOAD, attr);
  } while (fd < 0 && errno == EAGAIN && --attempts > 0);
  int saved = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  errno = saved;
  return fd;
}

int kc_bpf_load_device_prog(const uint8_t *insns, size_t n_insns, char *log, size_t log_cap, kc_error *e) {
  static const char license[] = "Apache-2.0";
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insn_cnt = (uint32_t)n_insns;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.license = (uint64_t)(uintptr_t)license;
  attr.prog_flags = 0;
  memcpy(attr.prog_name, "kc_devices", sizeof "kc_devices");
  if (log && log_cap) {
    log[0] = 0;
    attr.log_level = 1;
    attr.log_size = (uint32_t)log_cap;
    attr.log_buf = (uint64_t)(uintptr_t)log;
  }
  /* The kernel makes every bpf fd close-on-exec (anon_inode_getfd with O_CLOEXEC). */
  long fd = prog_load(&attr);
  if (fd < 0 && errno == ENOSPC && log) {
    /* The log was too small for the verifier's report: the load itself is fine, retry without a log. */
    attr.log_level = 0;
    attr.log_size = 0;
    attr.log_buf = 0;
    fd = prog_load(&attr);
  }
  if (fd < 0) return kc_fail(e, errno, "bpf(BPF_PROG_LOAD)", NULL);
  return (int)fd;
}

int kc_bpf_attach_device_prog(int cgroup_fd, int prog_fd, kc_error *e) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)cgroup_fd;
  attr.attach_bpf_fd = (uint32_t)prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) return kc_fail(e, errno, "bpf(BPF_PROG_ATTACH)", NULL);
  return 0;
}

int kc_bpf_detach_device_prog(int cgroup_fd, int prog_fd, kc_error *e) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)cgroup_fd;
  attr.attach_bpf_fd = (uint32_t)prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf(BPF_PROG_DETACH, &attr) < 0) return kc_fail(e, errno, "bpf(BPF_PROG_DETACH)", NULL);
  return 0;
}

int kc_bpf_query_device_progs(int cgroup_fd, uint32_t *ids, uint32_t cap, kc_error *e) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t)cgroup_fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
  attr.query.prog_cnt = cap;
  if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) return kc_fail(e, errno, "bpf(BPF_PROG_QUERY)", NULL);
  return (int)(attr.query.prog_cnt < cap ? attr.query.prog_cnt : cap);
}

int kc_bpf_prog_fd_by_id(uint32_t id, kc_error *e) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_id = id;
  long fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0) return kc_fail(e, errno, "bpf(BPF_PROG_GET_FD_BY_ID)", NULL);
  return (int)fd;
}
