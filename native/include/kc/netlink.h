/* Netlink sockets (netlink(7)), optionally created inside another network namespace. */
#ifndef KC_NETLINK_H
#define KC_NETLINK_H
#include <stddef.h>
#include <sys/types.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, protocol), bound with a kernel-chosen port id.
 * When netns_fd >= 0 the socket is created inside that network namespace: the calling thread
 * enters it with setns(CLONE_NEWNET), creates the socket and returns to its own namespace
 * (network namespaces are per thread, and a socket stays in the namespace it was created in).
 * recv_timeout_ms bounds each receive (SO_RCVTIMEO); 0 means none. */
int kc_netlink_open(int protocol, int netns_fd, int recv_timeout_ms, kc_error *e);
/* Sends one datagram to the kernel (nl_pid 0). */
ssize_t kc_netlink_send(int fd, const void *buf, size_t len, kc_error *e);
/* Receives one datagram; returns its length (MSG_TRUNC reports the full size when buf is small). */
ssize_t kc_netlink_recv(int fd, void *buf, size_t cap, kc_error *e);
/* The port id the kernel bound the socket to. */
int kc_netlink_port(int fd, unsigned int *port, kc_error *e);
/* socketpair(AF_UNIX, type|SOCK_CLOEXEC, 0). */
int kc_unix_socketpair(int type, int fds[2], kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
