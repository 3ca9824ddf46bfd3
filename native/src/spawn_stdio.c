/* Child step: stdio and extra fds onto 0, 1, 2, 3..., everything else close-on-exec. */
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spawn_internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/*
 * /dev/null resolved with no symlink at all (openat2(2) RESOLVE_NO_SYMLINKS,
 * and no magic link); where openat2 is missing (Linux < 5.6, or a seccomp
 * filter installed earlier answers ENOSYS), open(2) with O_NOFOLLOW on the
 * last component: the checks below still refuse all but the device 1:3.
 */
static int open_null_path(int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) fd = open("/dev/null", flags | O_NOFOLLOW | O_CLOEXEC);
  return fd;
}

/* 0 when fd is the null character device 1:3 (and, with `same`, the very inode `same` is), else the errno to report. */
static int check_null(int fd, const struct stat *same, struct stat *out) {
  if (fstat(fd, out) < 0) return errno;
  if (!S_ISCHR(out->st_mode) || out->st_rdev != makedev(1, 3)) return EPERM;
  if (same && (same->st_dev != out->st_dev || same->st_ino != out->st_ino)) return EPERM;
  return 0;
}

/* A copy of the caller's null device (the plan's fallback fd): see open_dev_null. */
static int caller_null(kc_child_ctx *ctx) {
  int fd = fcntl(ctx->plan->null_fallback_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) kc_child_fail(ctx, KC_STEP_DEV_NULL, errno, -1, "the caller's /dev/null");
  return fd;
}

/*
 * stdio 'ignore': the child opens /dev/null itself, after its mounts and
 * pivot_root, still not dumpable and with no host fd open but the plan's own
 * (among them the caller's null device, which leads nowhere: used only for a
 * root without /dev/null, or where the device cgroup denies opening it), so
 * the fd lies in the child's own mount namespace (a host /dev/null fd names a
 * mount CRIU cannot find in the dumped namespace). The root is the
 * container's: a /dev/null there that is a symlink (to a procfs file, say) or another device
 * must not be opened for writing (the class of CVE-2025-31133 in runc). So:
 * an O_PATH open first, which has no side effect even on a device or FIFO,
 * checked to be the char device 1:3; then the real open, checked again to be
 * that same inode.
 */
static int open_dev_null(kc_child_ctx *ctx) {
  struct stat first, second;
  int path_fd = open_null_path(O_PATH);
  /*
   * A root with no /dev/null at all (a bare rootfs without /dev): the
   * caller's null device, as kc always passed it, so such a spawn works as
   * before; only its fd lies on a host mount, which CRIU cannot dump. A
   * /dev/null that is there but wrong still fails below.
   */
  if (path_fd < 0 && errno == ENOENT && ctx->plan->null_fallback_fd >= 0) return caller_null(ctx);
  if (path_fd < 0) kc_child_fail(ctx, KC_STEP_DEV_NULL, errno, -1, "/dev/null");
  int err = check_null(path_fd, NULL, &first);
  close(path_fd);
  if (err) kc_child_fail(ctx, KC_STEP_DEV_NULL, err, -1, "/dev/null is not the null device (1:3)");
  int fd = open_null_path(O_RDWR | O_NOCTTY);
  /*
   * It is the null device, but opening it is refused: the device cgroup the
   * child already sits in denies it (v1 devices.deny, a v2 device program;
   * an O_PATH open is not checked), or a nodev mount. The caller opened its
   * own before the child joined that cgroup, as kc always did: use that.
   */
  if (fd < 0 && (errno == EPERM || errno == EACCES) && ctx->plan->null_fallback_fd >= 0) return caller_null(ctx);
  if (fd < 0) kc_child_fail(ctx, KC_STEP_DEV_NULL, errno, -1, "/dev/null");
  err = check_null(fd, &first, &second);
  if (err) kc_child_fail(ctx, KC_STEP_DEV_NULL, err, -1, "/dev/null changed between its checks");
  return fd;
}

void kc_child_stdio(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  int targets = 3 + (int)p->n_extra_fds;
  int src[3 + 256];
  if (p->n_extra_fds > 256) kc_child_fail(ctx, KC_STEP_STDIO, E2BIG, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_DEV_NULL);
  int null_fd = -1;
  for (int i = 0; i < 3; i++) {
    src[i] = p->stdio[i];
    if (src[i] != KC_STDIO_DEV_NULL) continue;
    if (null_fd < 0) null_fd = open_dev_null(ctx);
    src[i] = null_fd;
  }
  if (p->null_fallback_fd >= 0) close(p->null_fallback_fd);
  KC_FAULT_POINT(ctx, KC_STEP_STDIO);
  for (size_t j = 0; j < p->n_extra_fds; j++) src[3 + j] = p->extra_fds[j];

  /* Move the sync socket and every source above the targets first, so no dup2 clobbers a source. */
  int moved = fcntl(ctx->sync_fd, F_DUPFD_CLOEXEC, targets);
  if (moved < 0) kc_child_fail(ctx, KC_STEP_STDIO, errno, -1, NULL);
  close(ctx->sync_fd);
  ctx->sync_fd = moved;
  for (int i = 0; i < targets; i++) {
    if (src[i] < 0) continue;
    int t = fcntl(src[i], F_DUPFD_CLOEXEC, targets);
    if (t < 0) kc_child_fail(ctx, KC_STEP_STDIO, errno, i, NULL);
    src[i] = t;
  }
  for (int i = 0; i < targets; i++) {
    if (src[i] < 0) continue;
    if (dup2(src[i], i) < 0) kc_child_fail(ctx, KC_STEP_STDIO, errno, i, NULL);
    close(src[i]);
  }
  /* No fd of the host leaks into the program: everything from `targets` up closes on exec. */
  if (syscall(SYS_close_range, (unsigned)targets, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    for (int fd = targets; fd < 65536; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}
