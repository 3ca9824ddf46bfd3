/* Mount-table changes from the calling process: mount(2), umount2(2) and the new mount API. */
#ifndef KC_MOUNT_H
#define KC_MOUNT_H
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* mount(2); NULL or "" strings are passed as NULL. */
int kc_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data,
             kc_error *e);
/* umount2(2). */
int kc_umount2(const char *target, int flags, kc_error *e);
/* open_tree(2) (Linux 5.2+): returns an O_PATH fd of a mount (a detached clone with OPEN_TREE_CLONE). */
int kc_open_tree(int dfd, const char *path, unsigned int flags, kc_error *e);
/* move_mount(2) (Linux 5.2+). */
int kc_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags,
                  kc_error *e);
/* mount_setattr(2) (Linux 5.12+); userns_fd is used with MOUNT_ATTR_IDMAP, else pass -1. */
int kc_mount_setattr(int dfd, const char *path, unsigned int flags, unsigned long long attr_set,
                     unsigned long long attr_clr, unsigned long long propagation, int userns_fd, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
