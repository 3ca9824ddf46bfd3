/* mount(2), umount2(2), open_tree(2), move_mount(2), mount_setattr(2) for the calling process.
 * Mount namespaces are per process, so these act on the caller's mount table (safe from Node). */
#include "kc/mount.h"

#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* struct mount_attr from <linux/mount.h> (MOUNT_ATTR_SIZE_VER0). */
struct kc_mount_attr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

static const char *nz(const char *s) { return s && *s ? s : NULL; }

int kc_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data,
             kc_error *e) {
  if (mount(nz(source), target, nz(fstype), flags, nz(data)) < 0) return kc_fail(e, errno, "mount", target);
  return 0;
}

int kc_umount2(const char *target, int flags, kc_error *e) {
  if (umount2(target, flags) < 0) return kc_fail(e, errno, "umount2", target);
  return 0;
}

int kc_open_tree(int dfd, const char *path, unsigned int flags, kc_error *e) {
  int fd = (int)syscall(SYS_open_tree, dfd, path, flags);
  if (fd < 0) return kc_fail(e, errno, "open_tree", path);
  return fd;
}

int kc_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags,
                  kc_error *e) {
  if (syscall(SYS_move_mount, from_dfd, from_path, to_dfd, to_path, flags) < 0)
    return kc_fail(e, errno, "move_mount", to_path);
  return 0;
}

int kc_mount_setattr(int dfd, const char *path, unsigned int flags, unsigned long long attr_set,
                     unsigned long long attr_clr, unsigned long long propagation, int userns_fd, kc_error *e) {
  struct kc_mount_attr attr = {attr_set, attr_clr, propagation, userns_fd < 0 ? 0 : (uint64_t)userns_fd};
  if (syscall(SYS_mount_setattr, dfd, path, flags, &attr, sizeof attr) < 0)
    return kc_fail(e, errno, "mount_setattr", path);
  return 0;
}
