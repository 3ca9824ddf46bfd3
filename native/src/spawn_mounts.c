/*
 * Child step: mount-namespace setup. Before pivot_root, every target (and a
 * bind source marked in-root) is resolved inside the rootfs with
 * openat2(RESOLVE_IN_ROOT) and mounted through /proc/self/fd/N, so a symlink
 * in the rootfs can never send a mount outside it (the class of bug behind
 * CVE-2021-30465 in runc). After pivot_root the new root confines paths.
 */
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spawn_internal.h"

typedef struct mount_state {
  kc_child_ctx *ctx;
  int root_fd;       /* the rootfs, O_PATH; -1 when none or after pivot */
  const char *rootfs;
  size_t index;      /* current op, for error reports */
  int devnull[64];   /* detached clones of the host's /dev/null (open_tree), one per mask step */
  size_t n_devnull, next_devnull;
} mount_state;

static __attribute__((noreturn)) void mfail(mount_state *s, int err, const char *path) {
  kc_child_fail(s->ctx, KC_STEP_MOUNTS, err, (int)s->index, path);
}

static int openat2_in_root(int root_fd, const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  while (*path == '/') path++;
  if (!*path) path = ".";
  return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/* Writes "parent\0last\0" of path into buf ("a/b/c" -> "a/b","c"; "/a" -> "/","a"; "a" -> ".","a"). Returns last. */
static const char *split_parent(const char *path, char *buf, size_t cap) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  const char *slash = NULL;
  for (size_t i = 0; i < n; i++)
    if (path[i] == '/') slash = path + i;
  const char *parent = ".", *last = path;
  size_t plen = 1;
  if (slash == path) parent = "/", last = path + 1;
  else if (slash) parent = path, plen = (size_t)(slash - path), last = slash + 1;
  size_t llen = n - (size_t)(last - path);
  if (plen + llen + 2 > cap) plen = llen = 0;
  memcpy(buf, parent, plen);
  buf[plen] = 0;
  memcpy(buf + plen + 1, last, llen);
  buf[plen + 1 + llen] = 0;
  return buf + plen + 1;
}

/* Opens the parent directory of path: inside the rootfs before pivot, plainly after. */
static int open_parent(mount_state *s, const char *path, char *buf, size_t cap, const char **last) {
  *last = split_parent(path, buf, cap);
  if (s->root_fd >= 0) return openat2_in_root(s->root_fd, buf, O_PATH | O_DIRECTORY);
  return open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* mkdir -p inside the root, component by component, never following a symlink out. */
static void make_dirs(mount_state *s, const char *path, unsigned mode) {
  char prefix[4096];
  size_t n = strlen(path);
  if (n >= sizeof prefix) mfail(s, ENAMETOOLONG, path);
  for (size_t i = 1; i <= n; i++) {
    if (i != n && path[i] != '/') continue;
    memcpy(prefix, path, i);
    prefix[i] = 0;
    if (prefix[i - 1] == '/') continue;
    int fd = s->root_fd >= 0 ? openat2_in_root(s->root_fd, prefix, O_PATH) : open(prefix, O_PATH | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      continue;
    }
    if (errno != ENOENT) mfail(s, errno, prefix);
    char pbuf[4096];
    const char *last;
    int pfd = open_parent(s, prefix, pbuf, sizeof pbuf, &last);
    if (pfd < 0) mfail(s, errno, prefix);
    if (mkdirat(pfd, last, mode) < 0 && errno != EEXIST) mfail(s, errno, prefix);
    close(pfd);
  }
}

/* Creates an empty file (for a file bind mount) after its parent directories. */
static void make_file(mount_state *s, const char *path) {
  char pbuf[4096];
  const char *last;
  int fd = s->root_fd >= 0 ? openat2_in_root(s->root_fd, path, O_PATH) : open(path, O_PATH | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    return;
  }
  split_parent(path, pbuf, sizeof pbuf);
  make_dirs(s, pbuf, 0755);
  int pfd = open_parent(s, path, pbuf, sizeof pbuf, &last);
  if (pfd < 0) mfail(s, errno, path);
  /* An O_PATH dirfd can be used for openat lookups (open(2)). */
  fd = openat(pfd, last, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST) mfail(s, errno, path);
  if (fd >= 0) close(fd);
  close(pfd);
}

/*
 * The path to hand to mount(2) for `path`: "/proc/self/fd/N" of an O_PATH fd
 * resolved in the root (N kept open in *fd_out), or the path itself.
 * Returns NULL (errno set) when it does not exist.
 */
static const char *resolve(mount_state *s, const char *path, char *out, size_t cap, int *fd_out) {
  *fd_out = -1;
  if (s->root_fd < 0) {
    snprintf(out, cap, "%s", path);
    struct stat st;
    return lstat(out, &st) == 0 || errno != ENOENT ? out : NULL;
  }
  int fd = openat2_in_root(s->root_fd, path, O_PATH);
  if (fd < 0) return NULL;
  *fd_out = fd;
  snprintf(out, cap, "/proc/self/fd/%d", fd);
  return out;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Mount flags the kernel locks on a mount (MNT_LOCK_*): a read-only remount must keep them. */
static unsigned long locked_flags(const char *path) {
  /* statfs(2), not statvfs(3): glibc may fall back to parsing /proc/mounts with stdio, which allocates. */
  struct statfs sf;
  if (statfs(path, &sf) < 0) return 0;
  unsigned long f = 0, k = (unsigned long)sf.f_flags;
  if (k & ST_NOSUID) f |= MS_NOSUID;
  if (k & ST_NODEV) f |= MS_NODEV;
  if (k & ST_NOEXEC) f |= MS_NOEXEC;
  if (k & ST_NOATIME) f |= MS_NOATIME;
  if (k & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (k & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

/* Remounts a bind mount with `extra` flags, keeping the flags the kernel locked on it. */
static void remount_bind(mount_state *s, const char *target, unsigned long extra) {
  char tbuf[64];
  int tfd;
  const char *t = resolve(s, target, tbuf, sizeof tbuf, &tfd);
  if (!t) mfail(s, errno, target);
  unsigned long flags = MS_BIND | MS_REMOUNT | extra | locked_flags(t);
  if (mount(NULL, t, NULL, flags, NULL) < 0) mfail(s, errno, target);
  close_fd(&tfd);
}

/*
 * mount_setattr(2) (Linux 5.12+) on the mount at target, with AT_RECURSIVE for
 * the whole subtree: runtime-spec 1.1's recursive options (rro, rnosuid...),
 * which a remount cannot give (MS_REC is ignored with MS_REMOUNT, so a
 * submount of a read-only bind stays writable). The target must be a mount's
 * root, as after a mount step or a readonly step's bind onto itself.
 */
static void setattr_at(mount_state *s, const char *target, uint64_t set, uint64_t clr, int recursive) {
#ifdef SYS_mount_setattr
  int fd = s->root_fd >= 0 ? openat2_in_root(s->root_fd, target, O_PATH) : open(target, O_PATH | O_CLOEXEC);
  if (fd < 0) mfail(s, errno, target);
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = set;
  attr.attr_clr = clr;
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    mfail(s, errno, target);
  close(fd);
#else
  (void)set, (void)clr, (void)recursive;
  mfail(s, ENOSYS, target);
#endif
}

/* Creates the mount point m->target when the op asks for it. */
static void make_target(mount_state *s, const kc_mount_op *m) {
  if (m->opflags & KC_MNT_CREATE_DIR) make_dirs(s, m->target, 0755);
  if (m->opflags & KC_MNT_CREATE_FILE) make_file(s, m->target);
}

static void op_mount(mount_state *s, const kc_mount_op *m) {
  make_target(s, m);
  char tbuf[64], sbuf[64];
  int tfd, sfd = -1;
  const char *t = resolve(s, m->target, tbuf, sizeof tbuf, &tfd);
  if (!t) mfail(s, errno, m->target);
  const char *src = m->source;
  if (src && (m->opflags & KC_MNT_SOURCE_IN_ROOT)) {
    src = resolve(s, m->source, sbuf, sizeof sbuf, &sfd);
    if (!src) mfail(s, errno, m->source);
  }
  unsigned long flags = (unsigned long)m->flags;
  int bind = (flags & MS_BIND) != 0;
  /* A bind mount ignores MS_RDONLY on creation: it takes a remount (mount(2)). */
  if (mount(src ? src : "none", t, m->fstype, bind ? flags & ~(unsigned long)MS_RDONLY : flags, m->data) < 0)
    mfail(s, errno, m->target);
  close_fd(&sfd);
  close_fd(&tfd);
  /* A bind mount ignores its per-mount flags on creation: apply them with a remount (mount(2), MS_REMOUNT). */
  unsigned long per_mount = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME);
  if (m->opflags & KC_MNT_RDONLY_BIND) per_mount |= MS_RDONLY;
  if (bind && per_mount) remount_bind(s, m->target, per_mount);
  if (m->propagation) {
    t = resolve(s, m->target, tbuf, sizeof tbuf, &tfd);
    if (!t || mount(NULL, t, NULL, (unsigned long)m->propagation, NULL) < 0) mfail(s, errno, m->target);
    close_fd(&tfd);
  }
}

#if defined(SYS_move_mount)
/* move_mount(2) of a detached tree onto a target resolved by resolve(): through
 * the target's O_PATH fd when it has one (MOVE_MOUNT_T_EMPTY_PATH), since
 * move_mount does not follow the /proc/self/fd magic link of its last component
 * (the target would be the link itself: EINVAL, a directory onto a non-directory). */
static int move_tree(int tree, const char *path, int target_fd) {
  if (target_fd >= 0)
    return (int)syscall(SYS_move_mount, tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  return (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH);
}

/* Moves a detached tree onto m->target, resolved inside the rootfs. */
static void move_onto_target(mount_state *s, const kc_mount_op *m, int tree) {
  char tbuf[64];
  int tfd;
  const char *t = resolve(s, m->target, tbuf, sizeof tbuf, &tfd);
  if (!t) mfail(s, errno, m->target);
  if (move_tree(tree, t, tfd) < 0) mfail(s, errno, m->target);
  close_fd(&tfd);
}
#endif

static void op_idmap(mount_state *s, const kc_mount_op *m) {
#if defined(SYS_open_tree) && defined(SYS_mount_setattr) && defined(SYS_move_mount)
  make_target(s, m);
  int rec = (m->opflags & KC_MNT_RECURSIVE) ? AT_RECURSIVE : 0;
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  if (tree < 0) mfail(s, errno, m->source);
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t)m->fd;
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) < 0) mfail(s, errno, m->source);
  move_onto_target(s, m, tree);
  close(tree);
#else
  mfail(s, ENOSYS, m->target);
#endif
}

/* Moves a detached mount tree the parent prepared (open_tree(2) OPEN_TREE_CLONE,
 * e.g. idmapped with mount_setattr(2)) onto target. Idmapping a host filesystem
 * needs CAP_SYS_ADMIN in the filesystem's user namespace, which a child in a
 * new user namespace lacks; attaching only needs it over its own mount namespace. */
static void op_attach(mount_state *s, const kc_mount_op *m) {
#if defined(SYS_move_mount)
  make_target(s, m);
  move_onto_target(s, m, m->fd);
#else
  mfail(s, ENOSYS, m->target);
#endif
}

/* The root directory is bound onto itself, or onto a fresh mount point
 * (target) when one is given: the host root "/" can only become the new root
 * that way, since pivot_root(2) refuses the current root mount (EBUSY).
 * Recursively unless the op asks for no submounts: a plain bind carries
 * none, so the host's other mounts stay out of the namespace. */
static void op_rootfs(mount_state *s, const kc_mount_op *m) {
  const char *root = m->target ? m->target : m->source;
  unsigned long rec = (m->opflags & KC_MNT_NO_SUBMOUNTS) ? 0 : MS_REC;
  if (mount(m->source, root, NULL, MS_BIND | rec, NULL) < 0) mfail(s, errno, root);
  if (m->propagation && mount(NULL, root, NULL, (unsigned long)m->propagation, NULL) < 0) mfail(s, errno, root);
  s->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->root_fd < 0) mfail(s, errno, root);
  s->rootfs = root;
}

/* pivot_root(".", ".") then detach the old root stacked on top (as runc does). */
static void op_pivot(mount_state *s) {
  if (s->root_fd < 0) mfail(s, EINVAL, "pivot without rootfs");
  if (fchdir(s->root_fd) < 0) mfail(s, errno, s->rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0) mfail(s, errno, s->rootfs);
  if (umount2(".", MNT_DETACH) < 0) mfail(s, errno, "old root");
  if (chdir("/") < 0) mfail(s, errno, "/");
  close_fd(&s->root_fd);
  /* As runc does: sysctls go in now, through the new /proc, before masks and read-only paths close it. */
  kc_child_sysctls(s->ctx);
}

static void op_chroot(mount_state *s) {
  if (s->root_fd < 0) mfail(s, EINVAL, "chroot without rootfs");
  if (fchdir(s->root_fd) < 0) mfail(s, errno, s->rootfs);
  if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) mfail(s, errno, s->rootfs);
  if (chroot(".") < 0 || chdir("/") < 0) mfail(s, errno, s->rootfs);
  close_fd(&s->root_fd);
  kc_child_sysctls(s->ctx);
}

/* Runs fn(parentfd, last) on the parent directory of path. */
static int at_parent(mount_state *s, const char *path, int *pfd, const char **last, char *buf, size_t cap) {
  *pfd = open_parent(s, path, buf, cap, last);
  return *pfd;
}

/*
 * Binds the null device over a masked file. First choice: a clone of the
 * host's /dev/null taken before pivot_root (open_tree), attached with
 * move_mount: the container's root cannot touch it, and it works in a root
 * without /dev. Past those clones, the root's own /dev/null, but only once
 * checked to be the character device 1:3 through an O_PATH|O_NOFOLLOW fd and
 * mounted through that fd: a symlink or a plain file at /dev/null would
 * otherwise put what it names (a writable procfs file...) over the masked
 * path (CVE-2025-31133 in runc). Returns mount's result.
 */
static int mask_with_null(mount_state *s, const char *target) {
#ifdef SYS_move_mount
  if (s->next_devnull < s->n_devnull) {
    int tree = s->devnull[s->next_devnull++];
    int r = (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
    close(tree);
    return r;
  }
#endif
  int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) mfail(s, errno, "/dev/null (the source of a file mask: mount /proc or /dev first)");
  struct stat st;
  if (fstat(fd, &st) < 0) mfail(s, errno, "/dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) mfail(s, EPERM, "/dev/null is not the null device (1:3): refusing to mask with it");
  char src[64];
  snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
  int r = mount(src, target, NULL, MS_BIND, NULL);
  int err = errno;
  close(fd);
  errno = err;
  return r;
}

static void op_mask(mount_state *s, const kc_mount_op *m) {
  char tbuf[64];
  int tfd;
  const char *t = resolve(s, m->target, tbuf, sizeof tbuf, &tfd);
  if (!t) {
    if (errno == ENOENT) return;
    mfail(s, errno, m->target);
  }
  struct stat st;
  if (stat(t, &st) < 0) mfail(s, errno, m->target);
  int r;
  if (S_ISDIR(st.st_mode)) {
    r = mount("tmpfs", t, "tmpfs", MS_RDONLY, "size=0,mode=0555");
  } else {
    r = mask_with_null(s, t);
  }
  if (r < 0) mfail(s, errno, m->target);
  close_fd(&tfd);
}

static void op_readonly(mount_state *s, const kc_mount_op *m) {
  char tbuf[64];
  int tfd;
  const char *t = resolve(s, m->target, tbuf, sizeof tbuf, &tfd);
  if (!t) {
    if (errno == ENOENT) return;
    mfail(s, errno, m->target);
  }
  if (mount(t, t, NULL, MS_BIND | MS_REC, NULL) < 0) mfail(s, errno, m->target);
  close_fd(&tfd);
  /* Recursive: the submounts the bind carried along become read-only too. */
  if (m->opflags & KC_MNT_RECURSIVE) setattr_at(s, m->target, MOUNT_ATTR_RDONLY, 0, 1);
  else remount_bind(s, m->target, MS_RDONLY);
}

static void op_plain(mount_state *s, const kc_mount_op *m) {
  char tbuf[64];
  int tfd;
  const char *t = resolve(s, m->target, tbuf, sizeof tbuf, &tfd);
  if (!t) mfail(s, errno, m->target);
  int r;
  if (m->kind == KC_MNT_REMOUNT) {
    unsigned long flags = MS_REMOUNT | (unsigned long)m->flags;
    if (flags & MS_BIND) flags |= locked_flags(t);
    r = mount(NULL, t, NULL, flags, NULL);
  } else if (m->kind == KC_MNT_PROPAGATION) {
    r = mount(NULL, t, NULL, (unsigned long)m->flags, NULL);
  } else {
    r = umount2(t, (int)m->flags);
  }
  if (r < 0) mfail(s, errno, m->target);
  close_fd(&tfd);
}

static void op_node(mount_state *s, const kc_mount_op *m) {
  char pbuf[4096];
  const char *last;
  int pfd;
  char dir[4096];
  split_parent(m->target, dir, sizeof dir);
  make_dirs(s, dir, 0755);
  if (at_parent(s, m->target, &pfd, &last, pbuf, sizeof pbuf) < 0) mfail(s, errno, m->target);
  int r;
  if (m->kind == KC_MNT_SYMLINK) r = symlinkat(m->source, pfd, last);
  else if (m->kind == KC_MNT_MKNOD) r = mknodat(pfd, last, m->mode, makedev(m->major, m->minor));
  else r = mkdirat(pfd, last, m->mode ? m->mode : 0755);
  if (r < 0 && errno != EEXIST) mfail(s, errno, m->target);
  close(pfd);
}

void kc_child_mounts(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  mount_state s = {.ctx = ctx, .root_fd = -1, .rootfs = NULL, .index = 0, .n_devnull = 0, .next_devnull = 0};
  if (p->n_mounts == 0 && !(p->clone_flags & CLONE_NEWNS)) return;
  /* Directories and device nodes get exactly the modes asked (/dev/null 0666), as runc does. */
  mode_t old_umask = umask(0);
#ifdef SYS_open_tree
  for (size_t i = 0; i < p->n_mounts && s.n_devnull < 64; i++) {
    if (p->mounts[i].kind != KC_MNT_MASK) continue;
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) break; /* kernel < 5.2 or no /dev/null: fall back to the root's */
    s.devnull[s.n_devnull++] = tree;
  }
#endif
  /* Nothing we mount may propagate back to the host. */
  if ((p->clone_flags & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) mfail(&s, errno, "/");
  for (s.index = 0; s.index < p->n_mounts; s.index++) {
    const kc_mount_op *m = &p->mounts[s.index];
    switch (m->kind) {
      case KC_MNT_ROOTFS: op_rootfs(&s, m); break;
      case KC_MNT_MOUNT: op_mount(&s, m); break;
      case KC_MNT_IDMAP: op_idmap(&s, m); break;
      case KC_MNT_ATTACH: op_attach(&s, m); break;
      case KC_MNT_PIVOT: op_pivot(&s); break;
      case KC_MNT_CHROOT: op_chroot(&s); break;
      case KC_MNT_MKDIR:
        if (m->mode) op_node(&s, m);
        else make_dirs(&s, m->target, 0755);
        break;
      case KC_MNT_SYMLINK:
      case KC_MNT_MKNOD: op_node(&s, m); break;
      case KC_MNT_MASK: op_mask(&s, m); break;
      case KC_MNT_READONLY: op_readonly(&s, m); break;
      case KC_MNT_REMOUNT:
      case KC_MNT_PROPAGATION:
      case KC_MNT_UMOUNT: op_plain(&s, m); break;
      case KC_MNT_SETATTR: setattr_at(&s, m->target, m->flags, m->propagation, (m->opflags & KC_MNT_RECURSIVE) != 0); break;
      default: mfail(&s, EINVAL, "unknown mount step");
    }
  }
  close_fd(&s.root_fd);
  while (s.next_devnull < s.n_devnull) close(s.devnull[s.next_devnull++]);
  umask(old_umask);
}
