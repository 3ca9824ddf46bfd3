/* The client end of an engine's console socket (runc's --console-socket: a SOCK_STREAM unix socket). */
#ifndef KC_CONSOLE_SOCKET_H
#define KC_CONSOLE_SOCKET_H
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Connects a close-on-exec SOCK_STREAM unix socket to `path`; returns the fd. */
int kc_unix_stream_connect(const char *path, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
