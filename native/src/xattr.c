/* Extended attributes by path (xattr(7)); l* variants when nofollow is set. */
#include "kc/xattr.h"

#include <sys/xattr.h>

ssize_t kc_getxattr(const char *path, const char *name, void *buf, size_t size, int nofollow, kc_error *e) {
  ssize_t n = nofollow ? lgetxattr(path, name, buf, size) : getxattr(path, name, buf, size);
  if (n < 0) return kc_fail(e, errno, nofollow ? "lgetxattr" : "getxattr", path);
  return n;
}

int kc_setxattr(const char *path, const char *name, const void *value, size_t size, int flags, int nofollow,
                kc_error *e) {
  int r = nofollow ? lsetxattr(path, name, value, size, flags) : setxattr(path, name, value, size, flags);
  if (r < 0) return kc_fail(e, errno, nofollow ? "lsetxattr" : "setxattr", path);
  return 0;
}

int kc_removexattr(const char *path, const char *name, int nofollow, kc_error *e) {
  int r = nofollow ? lremovexattr(path, name) : removexattr(path, name);
  if (r < 0) return kc_fail(e, errno, nofollow ? "lremovexattr" : "removexattr", path);
  return 0;
}
