/* eventfd(2): a counter fd the kernel signals, used for cgroup v1 notifications
 * (memory.oom_control, usage thresholds, memory.pressure_level through
 * cgroup.event_control). */
#ifndef KC_EVENTFD_H
#define KC_EVENTFD_H
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/* Creates a non-blocking, close-on-exec eventfd with counter `initval`; returns the fd or -1. */
int kc_eventfd_create(unsigned int initval, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
