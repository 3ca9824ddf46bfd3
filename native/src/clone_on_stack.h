/* clone3 running a function on a separate stack (for CLONE_VM children). */
#ifndef KC_CLONE_ON_STACK_H
#define KC_CLONE_ON_STACK_H

#include <linux/sched.h>
#include <sys/types.h>

/* 1 when this architecture has the trampoline. */
int kc_clone_on_stack_supported(void);

/* clone3(args) whose child calls fn(arg) on args->stack and never returns. Parent: pid, or -1 with errno. */
pid_t kc_clone_on_stack(struct clone_args *args, void (*fn)(void *), void *arg);

#endif
