/* Connecting to an engine's console socket (unix(7)); the pty master is sent by kc-init from inside the container. */
#include "kc/console_socket.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int kc_unix_stream_connect(const char *path, kc_error *e) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return kc_fail(e, ENAMETOOLONG, "connect", path);
  strcpy(addr.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return kc_fail(e, errno, "socket", path);
  int r;
  do r = connect(s, (struct sockaddr *)&addr, sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int err = errno;
    close(s);
    return kc_fail(e, err, "connect", path);
  }
  return s;
}

int kc_unix_stream_listen(const char *path, kc_error *e) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return kc_fail(e, ENAMETOOLONG, "bind", path);
  strcpy(addr.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return kc_fail(e, errno, "socket", path);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 1) < 0) {
    int err = errno;
    close(s);
    return kc_fail(e, err, "bind", path);
  }
  return s;
}

int kc_unix_stream_accept(int listen_fd, kc_error *e) {
  int c;
  do c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  while (c < 0 && errno == EINTR);
  if (c < 0) return kc_fail(e, errno, "accept4", NULL);
  return c;
}

int kc_set_window_size(int fd, unsigned rows, unsigned cols, kc_error *e) {
  if (rows > 0xffff || cols > 0xffff) return kc_fail(e, EINVAL, "ioctl", NULL);
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) return kc_fail(e, errno, "ioctl", NULL);
  return 0;
}
