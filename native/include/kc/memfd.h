/* Sealed executable copies of files in memory (memfd_create(2), fcntl(2) F_ADD_SEALS). */
#ifndef KC_MEMFD_H
#define KC_MEMFD_H
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/*
 * Copies the file at `path` into a new memfd named `name` and seals it
 * against writes, growth, shrinking and further sealing, so a process that
 * executes it cannot modify it through /proc/self/exe (CVE-2019-5736).
 * Returns the close-on-exec fd, or -1 with *e filled.
 */
int kc_memfd_sealed_copy(const char *path, const char *name, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
