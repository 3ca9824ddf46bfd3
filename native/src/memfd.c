/* Sealed memfd copies of executables (memfd_create(2), fcntl(2) "File Sealing"). */
#include "kc/memfd.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: explicit exec permission when vm.memfd_noexec is set */
#endif

int kc_memfd_sealed_copy(const char *path, const char *name, kc_error *e) {
  int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) return kc_fail(e, errno, "open", path);
  struct stat st;
  if (fstat(src, &st) < 0) {
    int err = errno;
    close(src);
    return kc_fail(e, err, "fstat", path);
  }
  int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    int err = errno;
    close(src);
    return kc_fail(e, err, "memfd_create", path);
  }
  off_t off = 0;
  while (off < st.st_size) {
    ssize_t n = sendfile(fd, src, &off, (size_t)(st.st_size - off));
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(src);
      close(fd);
      return kc_fail(e, err, "sendfile", path);
    }
  }
  close(src);
  if (fchmod(fd, 0555) < 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
    int err = errno;
    close(fd);
    return kc_fail(e, err, "fcntl(F_ADD_SEALS)", path);
  }
  return fd;
}
