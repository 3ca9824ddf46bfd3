/* Both ends of an engine's console socket (runc's --console-socket: a SOCK_STREAM unix socket) and the pty size. */
#ifndef KC_CONSOLE_SOCKET_H
#define KC_CONSOLE_SOCKET_H
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Connects a close-on-exec SOCK_STREAM unix socket to `path`; returns the fd. */
int kc_unix_stream_connect(const char *path, kc_error *e);

/* The engine's side: binds and listens on a close-on-exec, non-blocking SOCK_STREAM unix socket at `path`; returns the fd. */
int kc_unix_stream_listen(const char *path, kc_error *e);

/* accept4(2) of one connection (close-on-exec); returns the fd, or -1 with e->err EAGAIN when none is pending. */
int kc_unix_stream_accept(int listen_fd, kc_error *e);

/* TIOCSWINSZ (ioctl_tty(2)) on a pty master: the slave's side sees the new size and gets SIGWINCH. */
int kc_set_window_size(int fd, unsigned rows, unsigned cols, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
