/*
 * Unix SOCK_SEQPACKET sockets with whole-message, non-blocking send/receive
 * and fd passing (SCM_RIGHTS), as CRIU's RPC protocol needs (criu swrk <fd>,
 * criu service). See unix(7), socketpair(2), sendmsg(2), cmsg(3).
 */
#ifndef KC_SOCKET_H
#define KC_SOCKET_H
#include <stddef.h>
#include <sys/types.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* At most this many fds travel with one message. */
#define KC_SOCKET_MAX_FDS 16

/* socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC); fills fds[0], fds[1]. */
int kc_seqpacket_pair(int fds[2], kc_error *e);

/* Connects a SOCK_SEQPACKET | SOCK_CLOEXEC socket to the unix socket at path. */
int kc_seqpacket_connect(const char *path, kc_error *e);

/*
 * Sends one message (MSG_DONTWAIT | MSG_NOSIGNAL) with nfds fds attached.
 * Returns the bytes sent, or -1; e->err is EAGAIN when the socket is full.
 */
ssize_t kc_seqpacket_send(int fd, const void *buf, size_t len, const int *fds, int nfds, kc_error *e);

/*
 * Returns the size of the next message without consuming it (MSG_PEEK |
 * MSG_TRUNC), 0 at end of stream, or -1 (e->err EAGAIN when none is queued).
 */
ssize_t kc_seqpacket_peek_size(int fd, kc_error *e);

/*
 * Receives one message into buf (cap bytes) and up to KC_SOCKET_MAX_FDS
 * passed fds (received close-on-exec). Returns the message size, 0 at end of
 * stream, or -1 (e->err EAGAIN when none is queued, EMSGSIZE when truncated).
 */
ssize_t kc_seqpacket_recv(int fd, void *buf, size_t cap, int *fds, int *nfds, kc_error *e);

/* Sets or clears FD_CLOEXEC. */
int kc_fd_set_cloexec(int fd, int on, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
