/*
 * Extended attributes by path: getxattr(2), setxattr(2), removexattr(2), and
 * their l* variants that act on a symlink itself. Node has no xattr API; kc
 * needs them for file capabilities (the security.capability attribute).
 */
#ifndef KC_XATTR_H
#define KC_XATTR_H
#include <stddef.h>
#include <sys/types.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/*
 * Reads attribute `name` of `path` into buf (size bytes). With size 0, returns
 * the attribute's length. Returns the length, or -1 with e filled (ENODATA
 * when the attribute is absent, ERANGE when buf is too small).
 */
ssize_t kc_getxattr(const char *path, const char *name, void *buf, size_t size, int nofollow, kc_error *e);

/* Writes attribute `name`; flags are XATTR_CREATE / XATTR_REPLACE or 0. */
int kc_setxattr(const char *path, const char *name, const void *value, size_t size, int flags, int nofollow,
                kc_error *e);

/* Removes attribute `name`. */
int kc_removexattr(const char *path, const char *name, int nofollow, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
