/* The spawn pipeline: clone3 a child that applies a kc_plan and execs. */
#ifndef KC_SPAWN_H
#define KC_SPAWN_H

#include "kc/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kc_spawn_result {
  pid_t pid;
  int pidfd;
  int listener_fd; /* seccomp user-notification fd, or -1 */
  int sync_fd;     /* in listener mode: the parent's end of the sync socket, for late errors; else -1 */
} kc_spawn_result;

/*
 * Creates the process described by plan. On failure in the child, *e holds
 * the failing step (enum kc_step), errno, item index and path, and the child
 * has been reaped. When the plan asks for a seccomp listener, returns as soon
 * as the child is about to execve (its execve may itself be a notification).
 */
int kc_spawn(const kc_plan *plan, kc_spawn_result *out, kc_error *e);

/* Reads a failure the child reported after kc_spawn returned (listener mode): 1 and *e filled, 0 if none. */
int kc_spawn_late_error(int sync_fd, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
