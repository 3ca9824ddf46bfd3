/* eventfd(2) wrapper. Non-blocking so a read after a spurious wakeup returns
 * EAGAIN instead of blocking the event loop; close-on-exec so children never
 * inherit a notification channel. */
#include "kc/eventfd.h"

#include <sys/eventfd.h>

int kc_eventfd_create(unsigned int initval, kc_error *e) {
  int fd = eventfd(initval, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return kc_fail(e, errno, "eventfd", NULL);
  return fd;
}
