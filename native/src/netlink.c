/* Netlink sockets (netlink(7), rtnetlink(7)); the messages themselves are built in TypeScript. */
#include "kc/netlink.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int kc_netlink_open(int protocol, int netns_fd, int recv_timeout_ms, kc_error *e) {
  int self_ns = -1;
  if (netns_fd >= 0) {
    /* thread-self: network namespaces are a per-thread attribute (setns(2)). */
    self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self_ns < 0) return kc_fail(e, errno, "open", "/proc/thread-self/ns/net");
    if (setns(netns_fd, CLONE_NEWNET) < 0) {
      int err = errno;
      close(self_ns);
      return kc_fail(e, err, "setns(CLONE_NEWNET)", NULL);
    }
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  int sock_err = errno;
  if (self_ns >= 0) {
    /* Going back must not fail silently: the thread would stay in the other namespace. */
    if (setns(self_ns, CLONE_NEWNET) < 0) {
      int err = errno;
      close(self_ns);
      if (fd >= 0) close(fd);
      return kc_fail(e, err, "setns(CLONE_NEWNET) back", NULL);
    }
    close(self_ns);
  }
  if (fd < 0) return kc_fail(e, sock_err, "socket(AF_NETLINK)", NULL);
  struct sockaddr_nl addr = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    return kc_fail(e, err, "bind(AF_NETLINK)", NULL);
  }
  int one = 1;
  /* Extended acks carry the kernel's error message text (NLMSGERR_ATTR_MSG). */
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  if (recv_timeout_ms > 0) {
    struct timeval tv = {.tv_sec = recv_timeout_ms / 1000, .tv_usec = (recv_timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  return fd;
}

ssize_t kc_netlink_send(int fd, const void *buf, size_t len, kc_error *e) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t n;
  do {
    n = sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kc_fail(e, errno, "sendto(netlink)", NULL);
  return n;
}

ssize_t kc_netlink_recv(int fd, void *buf, size_t cap, kc_error *e) {
  ssize_t n;
  do {
    n = recv(fd, buf, cap, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kc_fail(e, errno, "recv(netlink)", NULL);
  return n;
}

int kc_netlink_port(int fd, unsigned int *port, kc_error *e) {
  struct sockaddr_nl addr;
  socklen_t len = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) return kc_fail(e, errno, "getsockname", NULL);
  *port = addr.nl_pid;
  return 0;
}

int kc_unix_socketpair(int type, int fds[2], kc_error *e) {
  if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) < 0) return kc_fail(e, errno, "socketpair", NULL);
  return 0;
}
