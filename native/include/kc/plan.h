/*
 * The spawn plan: everything the child does before execve, decoded in the
 * parent (where allocation is allowed) from the TLV buffer that
 * native/lib/spawn/encode.ts writes. The child only reads it.
 */
#ifndef KC_PLAN_H
#define KC_PLAN_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TLV tags; must match TAG in native/lib/spawn/encode.ts. */
enum kc_tag {
  KC_T_FLAGS = 1,        /* u64 CLONE_NEW* flags */
  KC_T_PATH = 2,         /* str */
  KC_T_ARG = 3,          /* str, repeated */
  KC_T_ENV = 4,          /* str "K=V", repeated */
  KC_T_CWD = 5,          /* str */
  KC_T_HOSTNAME = 6,     /* str */
  KC_T_DOMAINNAME = 7,   /* str */
  KC_T_UID_MAP = 8,      /* str, uid_map file text */
  KC_T_GID_MAP = 9,      /* str */
  KC_T_SETGROUPS = 10,   /* str "allow" | "deny" */
  KC_T_ID_MAP_HELPER = 11, /* empty: use newuidmap/newgidmap */
  KC_T_CGROUP_FD = 12,   /* i32 */
  KC_T_CGROUP_PROCS = 13, /* str, repeated */
  KC_T_SETNS = 14,       /* i32 fd, i32 nstype */
  KC_T_JOIN_PIDFD = 15,  /* i32 pidfd, i32 nstype flags */
  KC_T_TIMENS = 16,      /* str, timens_offsets text */
  KC_T_MOUNT = 17,       /* see kc_mount_op */
  KC_T_SYSCTL = 18,      /* str key (path under /proc/sys), str value */
  KC_T_RLIMIT = 19,      /* i32 resource, u32 pad, u64 cur, u64 max */
  KC_T_OOM_SCORE_ADJ = 20, /* i32 */
  KC_T_USER = 21,        /* u32 uid, u32 gid */
  KC_T_GROUPS = 22,      /* u32 * n */
  KC_T_CAPS = 23,        /* u64 eff, perm, inh, bnd, amb */
  KC_T_SECUREBITS = 24,  /* i32 */
  KC_T_NNP = 25,         /* empty */
  KC_T_SECCOMP = 26,     /* u32 flags, u32 listener, sock_filter[] */
  KC_T_STDIO = 27,       /* i32 * 3: an fd, -1 (leave the inherited fd), or KC_STDIO_DEV_NULL */
  KC_T_EXTRA_FDS = 28,   /* i32 * n */
  KC_T_SETSID = 29,      /* empty */
  KC_T_CTTY = 30,        /* empty */
  KC_T_PDEATHSIG = 31,   /* i32 */
  KC_T_CAP_LAST = 32,    /* i32 cap_last_cap of the running kernel */
  KC_T_ENV_INHERIT = 33, /* empty: the child gets the caller's environ (no ENV records) */
  KC_T_FAULT = 34,       /* i32 step: fail that step with ECANCELED (fault-injection tests) */
  KC_T_UMASK = 35,       /* u32 */
  KC_T_NULL_FALLBACK = 36, /* i32: the caller's /dev/null, for KC_STDIO_DEV_NULL slots only when the child's root has no /dev/null */
};

/* Steps of the child, in execution order; must match SPAWN_STEPS in native/lib/spawn/steps.ts. */
enum kc_step {
  KC_STEP_CLONE = 0,
  KC_STEP_SYNC,
  KC_STEP_SETGROUPS_FILE,
  KC_STEP_UID_MAP,
  KC_STEP_GID_MAP,
  KC_STEP_CGROUP,
  KC_STEP_SIGNALS,
  KC_STEP_DUMPABLE,
  KC_STEP_CLOSE_FDS,
  KC_STEP_OOM_SCORE_ADJ,
  KC_STEP_SETNS,
  KC_STEP_UNSHARE,
  KC_STEP_PID_FORK,
  KC_STEP_PDEATHSIG,
  KC_STEP_SETSID,
  KC_STEP_TIMENS,
  KC_STEP_USERNS_ROOT,
  KC_STEP_HOSTNAME,
  KC_STEP_DOMAINNAME,
  KC_STEP_MOUNTS,
  KC_STEP_SYSCTL,
  KC_STEP_RLIMITS,
  KC_STEP_KEEP_CAPS,
  KC_STEP_GROUPS,
  KC_STEP_GID,
  KC_STEP_UID,
  KC_STEP_CAP_BOUNDING,
  KC_STEP_SECUREBITS,
  KC_STEP_CAPSET,
  KC_STEP_CAP_AMBIENT,
  KC_STEP_NO_NEW_PRIVS,
  KC_STEP_CWD,
  KC_STEP_DEV_NULL,
  KC_STEP_STDIO,
  KC_STEP_CTTY,
  KC_STEP_SECCOMP,
  KC_STEP_EXECVE,
  KC_STEP_COUNT
};

/* Mount step kinds; must match MOUNT_KIND in native/lib/spawn/encode.ts. */
enum kc_mount_kind {
  KC_MNT_ROOTFS = 1,
  KC_MNT_MOUNT,
  KC_MNT_IDMAP,
  KC_MNT_PIVOT,
  KC_MNT_CHROOT,
  KC_MNT_MKDIR,
  KC_MNT_SYMLINK,
  KC_MNT_MKNOD,
  KC_MNT_MASK,
  KC_MNT_READONLY,
  KC_MNT_REMOUNT,
  KC_MNT_PROPAGATION,
  KC_MNT_UMOUNT,
  KC_MNT_SETATTR, /* mount_setattr(2) on target: flags = MOUNT_ATTR_* to set, propagation = MOUNT_ATTR_* to clear */
  KC_MNT_ATTACH,  /* move_mount(2) of a detached tree (fd, e.g. an idmapped open_tree clone made by the parent) onto target */
};

/*
 * A stdio slot the child fills by opening /dev/null itself, after its mount
 * setup, so the fd belongs to the child's own mount namespace (CRIU cannot
 * dump an fd on a mount its namespace does not have).
 */
#define KC_STDIO_DEV_NULL (-2)

/* kc_mount_op.opflags */
#define KC_MNT_CREATE_DIR 1u
#define KC_MNT_CREATE_FILE 2u
#define KC_MNT_RDONLY_BIND 4u
#define KC_MNT_SOURCE_IN_ROOT 8u
#define KC_MNT_RECURSIVE 16u /* IDMAP: clone the subtree; READONLY, SETATTR: AT_RECURSIVE (the whole subtree) */
#define KC_MNT_NO_SUBMOUNTS 32u /* ROOTFS: a plain bind (no MS_REC), so no mount below the root comes along */

typedef struct kc_mount_op {
  uint32_t kind, opflags;
  uint64_t flags, propagation; /* KC_MNT_SETATTR: attr_set and attr_clr of struct mount_attr */
  uint32_t mode, major, minor;
  int32_t fd;
  const char *source, *target, *fstype, *data; /* NULL when empty */
} kc_mount_op;

typedef struct kc_rlimit {
  int resource;
  uint64_t cur, max;
} kc_rlimit;

typedef struct kc_setns_op {
  int fd, nstype;
} kc_setns_op;

typedef struct kc_sysctl {
  const char *key, *value;
} kc_sysctl;

typedef struct kc_plan {
  uint64_t clone_flags; /* as asked; the spawner derives what clone3 gets */
  const char *path;
  char **argv, **envp;
  size_t argc, envc;
  const char *cwd, *hostname, *domainname;
  const char *uid_map, *gid_map, *setgroups;
  int id_map_helper;
  int userns_root; /* derived: both maps give id 0, so the child becomes root of its new user namespace first */
  int cgroup_fd;
  const char **cgroup_procs;
  size_t n_cgroup_procs;
  kc_setns_op *setns;
  size_t n_setns;
  int join_pidfd, join_pidfd_flags;
  const char *timens_offsets;
  kc_mount_op *mounts;
  size_t n_mounts;
  kc_sysctl *sysctl;
  size_t n_sysctl;
  kc_rlimit *rlimits;
  size_t n_rlimits;
  int has_oom_score_adj, oom_score_adj;
  int has_user;
  uint32_t uid, gid;
  gid_t *groups;
  size_t n_groups;
  int has_groups;
  int has_caps;
  uint64_t cap_eff, cap_perm, cap_inh, cap_bnd, cap_amb;
  int has_securebits, securebits;
  int cap_last;
  int no_new_privs;
  struct sock_filter *filter;
  size_t n_filter;
  uint32_t seccomp_flags;
  int seccomp_listener;
  int stdio[3];
  int null_fallback_fd; /* -1, or the caller's /dev/null (KC_T_NULL_FALLBACK) */
  int *extra_fds;
  size_t n_extra_fds;
  int setsid, ctty, pdeathsig;
  int env_inherit;
  int has_umask;
  uint32_t umask;
  int fault_step; /* -1, or the step that fails on purpose */
  void *storage; /* owns every pointer above */
} kc_plan;

/* Decodes buf into *plan (allocating); on failure fills *e (EINVAL, path = what was malformed). */
int kc_plan_decode(const uint8_t *buf, size_t len, kc_plan *plan, kc_error *e);
void kc_plan_free(kc_plan *plan);

#ifdef __cplusplus
}
#endif
#endif
