/* Pseudo-terminals for containers and handing their master to a console socket (pty(7), unix(7) SCM_RIGHTS). */
#ifndef KC_PTY_H
#define KC_PTY_H
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Opens a new pty pair: *master is close-on-exec, *slave is not a controlling terminal yet. Optional size. */
int kc_pty_open(int *master, int *slave, unsigned short rows, unsigned short cols, kc_error *e);

/* Connects to the SOCK_STREAM unix socket at `path` and sends `fd` with SCM_RIGHTS, with `name` as payload (runc's console-socket protocol). */
int kc_send_fd_to_socket(const char *path, int fd, const char *name, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
