/* seccomp(2) feature queries and user-notification ioctls (seccomp_unotify(2)).
 * Every call is non-blocking: the supervisor polls the listener fd in libuv and
 * only receives once the kernel reports a pending notification. */
#include "kc/seccomp.h"

#include <linux/seccomp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Older uapi headers may lack the newer constants; their values are ABI. */
#ifndef SECCOMP_GET_NOTIF_SIZES
#define SECCOMP_GET_NOTIF_SIZES 3
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
struct seccomp_notif_addfd {
  __u64 id;
  __u32 flags;
  __u32 srcfd;
  __u32 newfd;
  __u32 newfd_flags;
};
#define SECCOMP_IOCTL_NOTIF_ADDFD SECCOMP_IOW(3, struct seccomp_notif_addfd)
#endif

static long sys_seccomp(unsigned int op, unsigned int flags, void *args) {
  return syscall(SYS_seccomp, op, flags, args);
}

int kc_seccomp_action_avail(uint32_t action, kc_error *e) {
  if (sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0) return 1;
  if (errno == EOPNOTSUPP) return 0;
  return kc_fail(e, errno, "seccomp(SECCOMP_GET_ACTION_AVAIL)", NULL);
}

int kc_seccomp_notif_sizes(kc_seccomp_sizes *out, kc_error *e) {
  struct seccomp_notif_sizes s;
  memset(&s, 0, sizeof s);
  if (sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &s) < 0) return kc_fail(e, errno, "seccomp(SECCOMP_GET_NOTIF_SIZES)", NULL);
  out->notif = s.seccomp_notif;
  out->resp = s.seccomp_notif_resp;
  out->data = s.seccomp_data;
  return 0;
}

int kc_seccomp_flags_supported(unsigned int flags, kc_error *e) {
  /* kernel/seccomp.c seccomp_set_mode_filter(): flags are checked first (EINVAL),
   * then the program is copied from user memory: NULL gives EFAULT, nothing is installed. */
  if (sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL) == 0) return kc_fail(e, EPROTO, "seccomp(probe)", NULL);
  if (errno == EFAULT) return 1;
  if (errno == EINVAL) return 0;
  return kc_fail(e, errno, "seccomp(SECCOMP_SET_MODE_FILTER)", NULL);
}

/* The kernel copies its own sizeof(struct seccomp_notif), which may exceed the header's. */
static size_t recv_size(void) {
  static size_t size;
  if (!size) {
    kc_seccomp_sizes s;
    size_t want = sizeof(struct seccomp_notif);
    if (kc_seccomp_notif_sizes(&s, NULL) == 0 && s.notif > want) want = s.notif;
    size = want;
  }
  return size;
}

int kc_seccomp_notif_recv(int fd, kc_seccomp_notification *out, kc_error *e) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r;
  do r = poll(&p, 1, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) return kc_fail(e, errno, "poll", NULL);
  if (r == 0 || !(p.revents & POLLIN)) return 0;
  size_t size = recv_size();
  /* calloc: since 5.5 the kernel rejects a buffer that is not zeroed (EINVAL). */
  struct seccomp_notif *n = calloc(1, size);
  if (!n) return kc_fail(e, ENOMEM, "calloc", NULL);
  do r = ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, n);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int err = errno;
    free(n);
    if (err == ENOENT) return 0;
    return kc_fail(e, err, "ioctl(SECCOMP_IOCTL_NOTIF_RECV)", NULL);
  }
  out->id = n->id;
  out->pid = n->pid;
  out->flags = n->flags;
  out->nr = n->data.nr;
  out->arch = n->data.arch;
  out->ip = n->data.instruction_pointer;
  memcpy(out->args, n->data.args, sizeof out->args);
  free(n);
  return 1;
}

int kc_seccomp_notif_send(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags, kc_error *e) {
  struct seccomp_notif_resp resp;
  memset(&resp, 0, sizeof resp);
  resp.id = id;
  resp.val = val;
  resp.error = error;
  resp.flags = flags;
  int r;
  do r = ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  while (r < 0 && errno == EINTR);
  if (r == 0) return 1;
  if (errno == ENOENT) return 0;
  return kc_fail(e, errno, "ioctl(SECCOMP_IOCTL_NOTIF_SEND)", NULL);
}

int kc_seccomp_notif_id_valid(int fd, uint64_t id, kc_error *e) {
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0) return 1;
  if (errno == ENOENT) return 0;
  return kc_fail(e, errno, "ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID)", NULL);
}

int kc_seccomp_notif_addfd(int fd, uint64_t id, int srcfd, uint32_t newfd, uint32_t newfd_flags, uint32_t flags,
                           kc_error *e) {
  struct seccomp_notif_addfd a;
  memset(&a, 0, sizeof a);
  a.id = id;
  a.srcfd = (uint32_t)srcfd;
  a.newfd = newfd;
  a.newfd_flags = newfd_flags;
  a.flags = flags;
  int r;
  do r = ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
  while (r < 0 && errno == EINTR);
  if (r < 0) return kc_fail(e, errno, "ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)", NULL);
  return r;
}
