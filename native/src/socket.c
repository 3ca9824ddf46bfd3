/* SOCK_SEQPACKET sockets and SCM_RIGHTS fd passing: see include/kc/socket.h. */
#include "kc/socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int kc_seqpacket_pair(int fds[2], kc_error *e) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return kc_fail(e, errno, "socketpair", NULL);
  return 0;
}

int kc_seqpacket_connect(const char *path, kc_error *e) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr.sun_path) return kc_fail(e, ENAMETOOLONG, "connect", path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return kc_fail(e, errno, "socket", path);
  int r;
  do {
    r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    int err = errno;
    close(fd);
    return kc_fail(e, err, "connect", path);
  }
  return fd;
}

ssize_t kc_seqpacket_send(int fd, const void *buf, size_t len, const int *fds, int nfds, kc_error *e) {
  if (nfds < 0 || nfds > KC_SOCKET_MAX_FDS) return kc_fail(e, EINVAL, "sendmsg", NULL);
  struct iovec iov = {(void *)buf, len};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  union {
    char buf[CMSG_SPACE(sizeof(int) * KC_SOCKET_MAX_FDS)];
    struct cmsghdr align;
  } control;
  if (nfds > 0) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kc_fail(e, errno, "sendmsg", NULL);
  return n;
}

ssize_t kc_seqpacket_peek_size(int fd, kc_error *e) {
  char c;
  ssize_t n;
  /* With MSG_TRUNC, recv(2) on a packet socket returns the real size. */
  do {
    n = recv(fd, &c, 1, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kc_fail(e, errno, "recv", NULL);
  return n;
}

ssize_t kc_seqpacket_recv(int fd, void *buf, size_t cap, int *fds, int *nfds, kc_error *e) {
  struct iovec iov = {buf, cap};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  union {
    char buf[CMSG_SPACE(sizeof(int) * KC_SOCKET_MAX_FDS)];
    struct cmsghdr align;
  } control;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  *nfds = 0;
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kc_fail(e, errno, "recvmsg", NULL);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count; i++) {
      int passed;
      memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (*nfds < KC_SOCKET_MAX_FDS) fds[(*nfds)++] = passed;
      else close(passed);
    }
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    for (int i = 0; i < *nfds; i++) close(fds[i]);
    *nfds = 0;
    return kc_fail(e, EMSGSIZE, "recvmsg", NULL);
  }
  return n;
}

int kc_fd_set_cloexec(int fd, int on, kc_error *e) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return kc_fail(e, errno, "fcntl", NULL);
  flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  if (fcntl(fd, F_SETFD, flags) < 0) return kc_fail(e, errno, "fcntl", NULL);
  return 0;
}
