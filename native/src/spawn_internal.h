/* Internal contract between the parent (spawn.c) and the child (spawn_child.c). */
#ifndef KC_SPAWN_INTERNAL_H
#define KC_SPAWN_INTERNAL_H

#include <sys/syscall.h>
#include <unistd.h>

#include "kc/spawn.h"

/* Messages from the child on the SOCK_SEQPACKET sync socket. */
enum kc_msg_type {
  KC_MSG_ERROR = 1,    /* a step failed; the child exits 127 */
  KC_MSG_LISTENER = 2, /* carries the seccomp listener fd (SCM_RIGHTS) */
  KC_MSG_PID = 3,      /* the real process after a pid-namespace fork */
  KC_MSG_EXEC = 4,     /* about to execve */
};

typedef struct kc_child_msg {
  uint32_t type;
  int32_t step;
  int32_t err;
  int32_t index;
  int32_t pid;
  char path[256];
} kc_child_msg;

/* What the child needs besides the plan. */
typedef struct kc_child_ctx {
  const kc_plan *plan;
  int sync_fd;
  int parent_fd;               /* the parent's end of the sync socket: the child closes it */
  int new_ns_flags_to_unshare; /* namespaces created with unshare() after setns/sync */
  int fork_for_pidns;          /* fork once more so the program lands in the target pid namespace */
  int sysctl_done;             /* sysctls are written right after pivot_root, before masks and read-only paths */
  int dumpable_for_maps;       /* an unprivileged parent writes the id maps: dumpable while waiting for them (as runc's nsexec) */
  int dumpable_errno;          /* errno of the child's first prctl(PR_SET_DUMPABLE), reported once it may report */
} kc_child_ctx;

/* Runs the child's steps and execs; never returns. */
__attribute__((noreturn)) void kc_child_main(kc_child_ctx *ctx);

/* Reports a failed step to the parent and exits 127. */
__attribute__((noreturn)) void kc_child_fail(kc_child_ctx *ctx, int step, int err, int index, const char *path);

/* A fault-injection point: fails `step` with ECANCELED when the plan asks for it. */
#define KC_FAULT_POINT(ctx, step) \
  do { \
    if ((ctx)->plan->fault_step == (step)) kc_child_fail((ctx), (step), ECANCELED, -1, "fault injected"); \
  } while (0)

/* Step groups, each returning 0 or calling kc_child_fail. */
void kc_child_mounts(kc_child_ctx *ctx);
void kc_child_credentials(kc_child_ctx *ctx);
void kc_child_stdio(kc_child_ctx *ctx);
void kc_child_sysctls(kc_child_ctx *ctx);
void kc_child_close_host_fds(kc_child_ctx *ctx);

/*
 * Credential changes as raw system calls, for this thread only. glibc's
 * setresuid/setresgid/setgroups act on every thread of the process (they
 * signal each one and take a lock), which in a CLONE_VM child means Node's
 * threads: a child must never use them.
 */
static inline int kc_setresuid(uid_t id) { return (int)syscall(SYS_setresuid, id, id, id); }
static inline int kc_setresgid(gid_t id) { return (int)syscall(SYS_setresgid, id, id, id); }
static inline int kc_setgroups(size_t n, const gid_t *list) { return (int)syscall(SYS_setgroups, n, list); }

/* A write(2) of a whole small file by path (procfs/sysfs), async-signal-safe. Returns 0 or -errno. */
int kc_write_file(const char *path, const char *data, size_t len);

/* Sends a message (optionally with one fd) on the sync socket. */
int kc_send_msg(int sync_fd, const kc_child_msg *msg, int fd);

#endif
