/* seccomp(2) queries and the user-notification ioctls of seccomp_unotify(2):
 * what the running kernel supports, and the supervisor side of a listener fd.
 * Installing filters is a step of the spawn pipeline (spawn_child.c), not here. */
#ifndef KC_SECCOMP_H
#define KC_SECCOMP_H
#include <stdint.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Sizes of the notification structures as the running kernel knows them (SECCOMP_GET_NOTIF_SIZES, 5.0+). */
typedef struct kc_seccomp_sizes {
  uint16_t notif;
  uint16_t resp;
  uint16_t data;
} kc_seccomp_sizes;

/* One received notification (struct seccomp_notif flattened). */
typedef struct kc_seccomp_notification {
  uint64_t id;
  uint32_t pid;
  uint32_t flags;
  int32_t nr;
  uint32_t arch;
  uint64_t ip;
  uint64_t args[6];
} kc_seccomp_notification;

/* SECCOMP_GET_ACTION_AVAIL (4.14+): 1 when the kernel knows `action` (a SECCOMP_RET_* value), 0 when not, -1 on error. */
int kc_seccomp_action_avail(uint32_t action, kc_error *e);

/* SECCOMP_GET_NOTIF_SIZES (5.0+): 0, or -1 (EINVAL on older kernels). */
int kc_seccomp_notif_sizes(kc_seccomp_sizes *out, kc_error *e);

/* 1 when SECCOMP_SET_MODE_FILTER accepts `flags`, 0 when it rejects them (EINVAL), -1 on error.
 * Installs nothing: it passes a NULL program, so a known flag set fails with EFAULT
 * when the kernel copies the program, after the flags were checked (the probe libseccomp uses). */
int kc_seccomp_flags_supported(unsigned int flags, kc_error *e);

/* SECCOMP_IOCTL_NOTIF_RECV without blocking: 1 received, 0 nothing pending (or the target
 * died between poll and receive: ENOENT), -1 on error. */
int kc_seccomp_notif_recv(int fd, kc_seccomp_notification *out, kc_error *e);

/* SECCOMP_IOCTL_NOTIF_SEND: 1 answered, 0 the notification no longer exists (ENOENT), -1 on error. */
int kc_seccomp_notif_send(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags, kc_error *e);

/* SECCOMP_IOCTL_NOTIF_ID_VALID: 1 the target still waits for this answer, 0 not, -1 on error. */
int kc_seccomp_notif_id_valid(int fd, uint64_t id, kc_error *e);

/* SECCOMP_IOCTL_NOTIF_ADDFD (5.9+; SETFD 5.9, SEND 5.14): returns the fd number in the target, or -1. */
int kc_seccomp_notif_addfd(int fd, uint64_t id, int srcfd, uint32_t newfd, uint32_t newfd_flags, uint32_t flags,
                           kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
