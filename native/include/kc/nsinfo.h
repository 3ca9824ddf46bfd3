/* Namespace file inspection: the nsfs ioctls (ioctl_ns(2)) and pidfd namespace ioctls. */
#ifndef KC_NSINFO_H
#define KC_NSINFO_H
#include <sys/types.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Operations of ioctl_ns(2). */
enum kc_ns_op {
  KC_NS_GET_USERNS = 1,   /* returns a new fd of the owning user namespace */
  KC_NS_GET_PARENT = 2,   /* returns a new fd of the parent (pid and user namespaces only) */
  KC_NS_GET_NSTYPE = 3,   /* returns the CLONE_NEW* value */
  KC_NS_GET_OWNER_UID = 4 /* returns the owner uid of a user namespace (in *uid_out) */
};

/* Runs one ioctl_ns(2) operation on fd; returns the fd or value, or -1. */
long kc_ns_ioctl(int fd, int op, unsigned int *uid_out, kc_error *e);

/* Opens the namespace of a pidfd (PIDFD_GET_*_NAMESPACE, Linux 6.11+); index as in the kernel's pidfd.h (1=cgroup ... 10=uts). */
int kc_pidfd_get_namespace(int pidfd, int which, kc_error *e);

/* Opens a path read-only with O_CLOEXEC (a namespace file); returns the fd or -1. */
int kc_ns_open(const char *path, kc_error *e);

/* fstat(2) of fd: fills device and inode (the namespace id). */
int kc_ns_fstat(int fd, unsigned long long *dev, unsigned long long *ino, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
