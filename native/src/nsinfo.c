/* nsfs ioctls (ioctl_ns(2)) and pidfd namespace ioctls (Linux 6.11+, pidfd.h). */
#include "kc/nsinfo.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Numbers from <linux/nsfs.h>, defined here because older headers lack some. */
#define KC_NSIO 0xb7
#define KC_PIDFS_IOCTL_MAGIC 0xFF

long kc_ns_ioctl(int fd, int op, unsigned int *uid_out, kc_error *e) {
  switch (op) {
    case KC_NS_GET_USERNS:
    case KC_NS_GET_PARENT:
    case KC_NS_GET_NSTYPE: {
      int r = ioctl(fd, _IO(KC_NSIO, op));
      if (r < 0) return kc_fail(e, errno, op == KC_NS_GET_USERNS ? "ioctl(NS_GET_USERNS)"
                                          : op == KC_NS_GET_PARENT ? "ioctl(NS_GET_PARENT)"
                                                                   : "ioctl(NS_GET_NSTYPE)", NULL);
      return r;
    }
    case KC_NS_GET_OWNER_UID: {
      uid_t uid = 0;
      if (ioctl(fd, _IO(KC_NSIO, 0x4), &uid) < 0) return kc_fail(e, errno, "ioctl(NS_GET_OWNER_UID)", NULL);
      if (uid_out) *uid_out = (unsigned int)uid;
      return 0;
    }
    default:
      return kc_fail(e, EINVAL, "ioctl_ns", NULL);
  }
}

int kc_pidfd_get_namespace(int pidfd, int which, kc_error *e) {
  if (which < 1 || which > 10) return kc_fail(e, EINVAL, "ioctl(PIDFD_GET_NAMESPACE)", NULL);
  int r = ioctl(pidfd, _IO(KC_PIDFS_IOCTL_MAGIC, which), 0);
  if (r < 0) return kc_fail(e, errno, "ioctl(PIDFD_GET_NAMESPACE)", NULL);
  return r;
}

int kc_ns_open(const char *path, kc_error *e) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kc_fail(e, errno, "open", path);
  return fd;
}

int kc_ns_fstat(int fd, unsigned long long *dev, unsigned long long *ino, kc_error *e) {
  struct stat st;
  if (fstat(fd, &st) < 0) return kc_fail(e, errno, "fstat", NULL);
  *dev = (unsigned long long)st.st_dev;
  *ino = (unsigned long long)st.st_ino;
  return 0;
}
