/* Connecting to an engine's console socket (unix(7)); the pty master is sent by kc-init from inside the container. */
#include "kc/console_socket.h"

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
