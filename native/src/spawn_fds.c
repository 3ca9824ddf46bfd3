/*
 * Child step: close every fd inherited from the host except the plan's own.
 *
 * clone3 copies the whole fd table of Node into the child, and close-on-exec
 * acts only at execve: until then every directory, socket and cgroup fd Node
 * holds is reachable as /proc/self/fd/N. A cwd of "/proc/self/fd/N" (the
 * class of CVE-2024-21626 in runc) or a mount source through that path would
 * land on the host. So before the child resolves any path the config
 * controls, it keeps only the fds the plan names, by number, and closes the
 * rest with close_range(2) over the gaps between them.
 */
#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawn_internal.h"

/* Upper bound of fds a plan can name: sync socket, stdio, 256 extra fds, joins and idmap userns fds. */
#define KC_MAX_KEPT_FDS 1024

static void add_fd(int *keep, size_t *n, int fd) {
  if (fd < 0) return;
  size_t i = *n;
  /* Insertion sort keeps the list ordered and drops duplicates. */
  while (i > 0 && keep[i - 1] > fd) i--;
  if (i > 0 && keep[i - 1] == fd) return;
  for (size_t j = *n; j > i; j--) keep[j] = keep[j - 1];
  keep[i] = fd;
  (*n)++;
}

/* Closes [lo, hi]; close_range needs Linux 5.9, else one close per fd up to the fd limit. */
static void close_span(unsigned lo, unsigned hi) {
  if (lo > hi) return;
  if (syscall(SYS_close_range, lo, hi, 0) == 0) return;
  struct rlimit rl;
  unsigned top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1u << 20 ? (unsigned)rl.rlim_cur : 1u << 20;
  if (hi > top) hi = top;
  for (unsigned fd = lo; fd <= hi; fd++) close((int)fd);
}

void kc_child_close_host_fds(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  size_t need = 1 + 3 + p->n_extra_fds + p->n_setns + 2 + p->n_mounts;
  if (need > KC_MAX_KEPT_FDS) kc_child_fail(ctx, KC_STEP_CLOSE_FDS, E2BIG, -1, "more fds named by the plan than kc keeps");
  int keep[KC_MAX_KEPT_FDS];
  size_t n = 0;
  add_fd(keep, &n, ctx->sync_fd);
  /* A stdio slot the plan leaves alone (-1) keeps the fd the child inherited there; one the child fills with /dev/null keeps none. */
  for (int i = 0; i < 3; i++)
    if (p->stdio[i] != KC_STDIO_DEV_NULL) add_fd(keep, &n, p->stdio[i] >= 0 ? p->stdio[i] : i);
  for (size_t i = 0; i < p->n_extra_fds; i++) add_fd(keep, &n, p->extra_fds[i]);
  for (size_t i = 0; i < p->n_setns; i++) add_fd(keep, &n, p->setns[i].fd);
  add_fd(keep, &n, p->join_pidfd);
  add_fd(keep, &n, p->null_fallback_fd);
  for (size_t i = 0; i < p->n_mounts; i++)
    if (p->mounts[i].kind == KC_MNT_IDMAP || p->mounts[i].kind == KC_MNT_ATTACH) add_fd(keep, &n, p->mounts[i].fd);
  /* Not kept: the cgroup fd (clone3 has used it already) and every other fd of Node. */
  unsigned lo = 0;
  for (size_t i = 0; i < n; i++) {
    if ((unsigned)keep[i] > lo) close_span(lo, (unsigned)keep[i] - 1);
    lo = (unsigned)keep[i] + 1;
  }
  close_span(lo, ~0U);
}
