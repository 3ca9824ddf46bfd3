/* Child step: stdio and extra fds onto 0, 1, 2, 3..., everything else close-on-exec. */
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawn_internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void kc_child_stdio(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  int targets = 3 + (int)p->n_extra_fds;
  int src[3 + 256];
  if (p->n_extra_fds > 256) kc_child_fail(ctx, KC_STEP_STDIO, E2BIG, -1, NULL);
  for (int i = 0; i < 3; i++) src[i] = p->stdio[i];
  for (size_t j = 0; j < p->n_extra_fds; j++) src[3 + j] = p->extra_fds[j];

  /* Move the sync socket and every source above the targets first, so no dup2 clobbers a source. */
  int moved = fcntl(ctx->sync_fd, F_DUPFD_CLOEXEC, targets);
  if (moved < 0) kc_child_fail(ctx, KC_STEP_STDIO, errno, -1, NULL);
  close(ctx->sync_fd);
  ctx->sync_fd = moved;
  for (int i = 0; i < targets; i++) {
    if (src[i] < 0) continue;
    int t = fcntl(src[i], F_DUPFD_CLOEXEC, targets);
    if (t < 0) kc_child_fail(ctx, KC_STEP_STDIO, errno, i, NULL);
    src[i] = t;
  }
  for (int i = 0; i < targets; i++) {
    if (src[i] < 0) continue;
    if (dup2(src[i], i) < 0) kc_child_fail(ctx, KC_STEP_STDIO, errno, i, NULL);
    close(src[i]);
  }
  /* No fd of the host leaks into the program: everything from `targets` up closes on exec. */
  if (syscall(SYS_close_range, (unsigned)targets, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    for (int fd = targets; fd < 65536; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}
