/* pty pairs (posix_openpt(3)) and fd passing to a console socket (unix(7), cmsg(3)). */
#include "kc/pty.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int kc_pty_open(int *master, int *slave, unsigned short rows, unsigned short cols, kc_error *e) {
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return kc_fail(e, errno, "posix_openpt", "/dev/ptmx");
  if (grantpt(m) < 0 || unlockpt(m) < 0) {
    int err = errno;
    close(m);
    return kc_fail(e, err, "unlockpt", "/dev/ptmx");
  }
  char name[128];
  if (ptsname_r(m, name, sizeof name) != 0) {
    int err = errno;
    close(m);
    return kc_fail(e, err, "ptsname", NULL);
  }
  int s = open(name, O_RDWR | O_NOCTTY);
  if (s < 0) {
    int err = errno;
    close(m);
    return kc_fail(e, err, "open", name);
  }
  if (rows && cols) {
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    ioctl(m, TIOCSWINSZ, &ws);
  }
  *master = m;
  *slave = s;
  return 0;
}

int kc_send_fd_to_socket(const char *path, int fd, const char *name, kc_error *e) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return kc_fail(e, ENAMETOOLONG, "connect", path);
  strcpy(addr.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return kc_fail(e, errno, "socket", path);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(s);
    return kc_fail(e, err, "connect", path);
  }
  char buf[CMSG_SPACE(sizeof(int))];
  memset(buf, 0, sizeof buf);
  struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n;
  do n = sendmsg(s, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  int err = errno;
  close(s);
  if (n < 0) return kc_fail(e, err, "sendmsg", path);
  return 0;
}
