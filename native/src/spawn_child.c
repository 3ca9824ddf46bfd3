/*
 * The child side of the spawn pipeline. It runs in a copy of a multi-threaded
 * process, so it calls only async-signal-safe system calls and never
 * allocates. The steps run in the fixed order of enum kc_step.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawn_internal.h"

extern char **environ;

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int kc_write_file(const char *path, const char *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t n;
  do n = write(fd, data, len);
  while (n < 0 && errno == EINTR);
  int err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
  close(fd);
  return err ? -err : 0;
}

int kc_send_msg(int sync_fd, const kc_child_msg *msg, int fd) {
  struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof *msg};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    memset(cbuf, 0, sizeof cbuf);
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  ssize_t n;
  do n = sendmsg(sync_fd, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

void kc_child_fail(kc_child_ctx *ctx, int step, int err, int index, const char *path) {
  kc_child_msg m;
  memset(&m, 0, sizeof m);
  m.type = KC_MSG_ERROR;
  m.step = step;
  m.err = err;
  m.index = index;
  if (path) {
    size_t i = 0;
    for (; path[i] && i < sizeof m.path - 1; i++) m.path[i] = path[i];
    m.path[i] = 0;
  }
  kc_send_msg(ctx->sync_fd, &m, -1);
  _exit(127);
}

static void send_simple(kc_child_ctx *ctx, uint32_t type, int32_t pid, int fd) {
  kc_child_msg m;
  memset(&m, 0, sizeof m);
  m.type = type;
  m.pid = pid;
  kc_send_msg(ctx->sync_fd, &m, fd);
}

/* Signal handlers copied from Node must not run here; ignored signals must not stay ignored after exec. */
static void reset_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) {
    /* glibc reserves 32 and 33; asking would only set errno, which a CLONE_VM child shares with the parent. */
    if (s == SIGKILL || s == SIGSTOP || s == 32 || s == 33) continue;
    sigaction(s, &sa, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static void wait_for_parent(kc_child_ctx *ctx) {
  char c;
  ssize_t n;
  do n = read(ctx->sync_fd, &c, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) _exit(127); /* the parent gave up: nothing to report to */
}

static void join_namespaces(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  if (p->join_pidfd >= 0 && setns(p->join_pidfd, p->join_pidfd_flags) < 0)
    kc_child_fail(ctx, KC_STEP_SETNS, errno, -1, "pidfd");
  for (size_t i = 0; i < p->n_setns; i++)
    if (setns(p->setns[i].fd, p->setns[i].nstype) < 0) kc_child_fail(ctx, KC_STEP_SETNS, errno, (int)i, NULL);
  if (ctx->new_ns_flags_to_unshare && unshare(ctx->new_ns_flags_to_unshare) < 0)
    kc_child_fail(ctx, KC_STEP_UNSHARE, errno, -1, NULL);
}

/*
 * setns(CLONE_NEWPID) and unshare(CLONE_NEWPID) only move future children, so
 * fork once more: the new process has our parent as its parent (CLONE_PARENT),
 * we report its pid and exit.
 */
static void fork_into_pid_namespace(kc_child_ctx *ctx) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_PARENT;
  pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
  if (pid < 0) kc_child_fail(ctx, KC_STEP_PID_FORK, errno, -1, NULL);
  if (pid > 0) {
    send_simple(ctx, KC_MSG_PID, pid, -1);
    _exit(0);
  }
}

/* A new time namespace with offsets: unshare (affects children), write offsets, then enter it ourselves. */
static void enter_time_namespace(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  if (unshare(CLONE_NEWTIME) < 0) kc_child_fail(ctx, KC_STEP_TIMENS, errno, -1, "unshare");
  if (p->timens_offsets) {
    int r = kc_write_file("/proc/self/timens_offsets", p->timens_offsets, strlen(p->timens_offsets));
    if (r < 0) kc_child_fail(ctx, KC_STEP_TIMENS, -r, -1, "/proc/self/timens_offsets");
  }
  int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0) kc_child_fail(ctx, KC_STEP_TIMENS, errno, -1, "/proc/self/ns/time_for_children");
  if (setns(fd, CLONE_NEWTIME) < 0) kc_child_fail(ctx, KC_STEP_TIMENS, errno, -1, "setns");
  close(fd);
}

void kc_child_sysctls(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  if (ctx->sysctl_done) return;
  ctx->sysctl_done = 1;
  KC_FAULT_POINT(ctx, KC_STEP_SYSCTL);
  for (size_t i = 0; i < p->n_sysctl; i++) {
    char path[512];
    const char *prefix = "/proc/sys/";
    size_t n = 0;
    for (const char *s = prefix; *s && n < sizeof path - 1; s++) path[n++] = *s;
    for (const char *s = p->sysctl[i].key; *s && n < sizeof path - 1; s++) path[n++] = *s;
    path[n] = 0;
    int r = kc_write_file(path, p->sysctl[i].value, strlen(p->sysctl[i].value));
    if (r < 0) kc_child_fail(ctx, KC_STEP_SYSCTL, -r, (int)i, path);
  }
}

static void set_rlimits(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  for (size_t i = 0; i < p->n_rlimits; i++) {
    struct rlimit rl = {.rlim_cur = p->rlimits[i].cur, .rlim_max = p->rlimits[i].max};
    if (setrlimit(p->rlimits[i].resource, &rl) < 0) kc_child_fail(ctx, KC_STEP_RLIMITS, errno, (int)i, NULL);
  }
}

static void install_seccomp(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  struct sock_fprog prog = {.len = (unsigned short)p->n_filter, .filter = p->filter};
  unsigned flags = p->seccomp_flags | (p->seccomp_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (r < 0) kc_child_fail(ctx, KC_STEP_SECCOMP, errno, -1, NULL);
  if (p->seccomp_listener) {
    send_simple(ctx, KC_MSG_LISTENER, 0, (int)r);
    close((int)r);
  }
}

static void write_oom_score_adj(kc_child_ctx *ctx) {
  char buf[16], tmp[16];
  int n = 0, t = 0, v = ctx->plan->oom_score_adj;
  unsigned u = v < 0 ? (unsigned)(-v) : (unsigned)v;
  do tmp[t++] = (char)('0' + u % 10), u /= 10;
  while (u);
  if (v < 0) buf[n++] = '-';
  while (t) buf[n++] = tmp[--t];
  int r = kc_write_file("/proc/self/oom_score_adj", buf, (size_t)n);
  if (r < 0) kc_child_fail(ctx, KC_STEP_OOM_SCORE_ADJ, -r, -1, "/proc/self/oom_score_adj");
}

/* execve, searching PATH from the child's environment when the name has no slash (as execvp does). */
__attribute__((noreturn)) static void exec_program(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  const char *file = p->path ? p->path : p->argv[0];
  char **envp = p->env_inherit ? environ : p->envp;
  send_simple(ctx, KC_MSG_EXEC, 0, -1);
  if (strchr(file, '/')) {
    execve(file, p->argv, envp);
    kc_child_fail(ctx, KC_STEP_EXECVE, errno, -1, file);
  }
  const char *search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = envp; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) search = *e + 5;
  int eacces = 0;
  size_t flen = strlen(file);
  for (const char *s = search;;) {
    const char *end = strchr(s, ':');
    size_t dlen = end ? (size_t)(end - s) : strlen(s);
    char buf[4096];
    if (dlen + flen + 2 <= sizeof buf) {
      size_t n = 0;
      if (dlen == 0) buf[n++] = '.';
      for (size_t i = 0; i < dlen; i++) buf[n++] = s[i];
      buf[n++] = '/';
      memcpy(buf + n, file, flen + 1);
      execve(buf, p->argv, envp);
      if (errno == EACCES) eacces = 1;
      else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENAMETOOLONG)
        kc_child_fail(ctx, KC_STEP_EXECVE, errno, -1, buf);
    }
    if (!end) break;
    s = end + 1;
  }
  kc_child_fail(ctx, KC_STEP_EXECVE, eacces ? EACCES : ENOENT, -1, file);
}

/*
 * The child is not dumpable from its first instruction to execve: nothing in
 * a namespace it joins may ptrace it or open its /proc/PID/exe, fd/ or mem
 * (CVE-2016-9962, CVE-2019-5736). The parent made the memory it shares
 * non-dumpable before clone3 (see spawn.c); this covers a copied address
 * space too. Only an unprivileged parent that writes the id maps needs the
 * child dumpable (it cannot open a root-owned /proc/PID/uid_map otherwise):
 * then the child is dumpable until the maps are written, while it waits,
 * before it has joined anything, in namespaces only it is in, as runc's
 * nsexec does.
 */
static void set_dumpable(kc_child_ctx *ctx, int on) {
  if (prctl(PR_SET_DUMPABLE, on, 0, 0, 0) < 0 && !ctx->dumpable_errno) ctx->dumpable_errno = errno ? errno : EINVAL;
}

/*
 * chdir to the plan's cwd, then check the result lies inside our root: the
 * kernel's getcwd(2) prefixes "(unreachable)" to a directory outside it (a
 * cwd reached through a host fd or a symlink out of the root). runc checks
 * the same since 1.1.12 (CVE-2024-21626).
 */
static void change_dir(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  if (p->cwd && chdir(p->cwd) < 0) kc_child_fail(ctx, KC_STEP_CWD, errno, -1, p->cwd);
  char buf[4096];
  long n = syscall(SYS_getcwd, buf, sizeof buf);
  if (n < 0) kc_child_fail(ctx, KC_STEP_CWD, errno, -1, p->cwd ? p->cwd : "getcwd");
  if (buf[0] != '/') kc_child_fail(ctx, KC_STEP_CWD, EXDEV, -1, p->cwd ? p->cwd : "the working directory is outside the new root");
}

/*
 * In a user namespace it created, the child still holds the host's ids,
 * which the namespace does not map: files it makes on filesystems the
 * namespace owns (devpts, tmpfs, mqueue mounted inside) fail with EOVERFLOW.
 * Once the parent has written the maps, become the namespace's root (as
 * runc's nsexec does): capabilities stay (an id change to root fills the
 * effective set), host supplementary groups go when setgroups is allowed.
 * The switch to the configured user comes later (spawn_creds.c).
 */
static void become_userns_root(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  if (!(p->clone_flags & CLONE_NEWUSER) || !p->userns_root || p->n_setns || p->join_pidfd >= 0) return;
  if (kc_setresgid(0) < 0) kc_child_fail(ctx, KC_STEP_USERNS_ROOT, errno, -1, "setresgid(0)");
  if (kc_setresuid(0) < 0) kc_child_fail(ctx, KC_STEP_USERNS_ROOT, errno, -1, "setresuid(0)");
  /* With setgroups denied the list cannot change (EPERM): it holds no group the namespace maps anyway. */
  if (kc_setgroups(0, NULL) < 0 && errno != EPERM) kc_child_fail(ctx, KC_STEP_USERNS_ROOT, errno, -1, "setgroups");
}

void kc_child_main(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  if (!ctx->dumpable_for_maps) set_dumpable(ctx, 0);
  reset_signals();
  wait_for_parent(ctx);
  set_dumpable(ctx, 0);
  KC_FAULT_POINT(ctx, KC_STEP_SIGNALS);
  KC_FAULT_POINT(ctx, KC_STEP_DUMPABLE);
  if (ctx->dumpable_errno) kc_child_fail(ctx, KC_STEP_DUMPABLE, ctx->dumpable_errno, -1, NULL);
  /* Before any path the config controls is resolved (joins, mounts, cwd): only the plan's fds stay open. */
  KC_FAULT_POINT(ctx, KC_STEP_CLOSE_FDS);
  kc_child_close_host_fds(ctx);
  /* Early, while the child still holds the host's ids: its /proc/self files are root's (not dumpable). Inherited by a pid-namespace fork. */
  KC_FAULT_POINT(ctx, KC_STEP_OOM_SCORE_ADJ);
  if (p->has_oom_score_adj) write_oom_score_adj(ctx);
  KC_FAULT_POINT(ctx, KC_STEP_SETNS);
  KC_FAULT_POINT(ctx, KC_STEP_UNSHARE);
  join_namespaces(ctx);
  KC_FAULT_POINT(ctx, KC_STEP_PID_FORK);
  if (ctx->fork_for_pidns) fork_into_pid_namespace(ctx);
  /* After the pid-namespace fork: a fork clears the death signal, and only the final process may lead a session. */
  KC_FAULT_POINT(ctx, KC_STEP_PDEATHSIG);
  if (p->pdeathsig && prctl(PR_SET_PDEATHSIG, p->pdeathsig) < 0) kc_child_fail(ctx, KC_STEP_PDEATHSIG, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_SETSID);
  if (p->setsid && setsid() < 0) kc_child_fail(ctx, KC_STEP_SETSID, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_TIMENS);
  if (p->clone_flags & CLONE_NEWTIME) enter_time_namespace(ctx);
  /* After the last write to a /proc/self file (timens_offsets): those stay root's while the child is not dumpable. */
  KC_FAULT_POINT(ctx, KC_STEP_USERNS_ROOT);
  become_userns_root(ctx);
  KC_FAULT_POINT(ctx, KC_STEP_HOSTNAME);
  if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
    kc_child_fail(ctx, KC_STEP_HOSTNAME, errno, -1, p->hostname);
  KC_FAULT_POINT(ctx, KC_STEP_DOMAINNAME);
  if (p->domainname && setdomainname(p->domainname, strlen(p->domainname)) < 0)
    kc_child_fail(ctx, KC_STEP_DOMAINNAME, errno, -1, p->domainname);
  KC_FAULT_POINT(ctx, KC_STEP_MOUNTS);
  kc_child_mounts(ctx);
  kc_child_sysctls(ctx); /* when no pivot_root step wrote them already */
  KC_FAULT_POINT(ctx, KC_STEP_RLIMITS);
  set_rlimits(ctx);
  /* Without no_new_privs, seccomp needs CAP_SYS_ADMIN: install while we still have it. */
  if (p->n_filter && !p->no_new_privs) {
    KC_FAULT_POINT(ctx, KC_STEP_SECCOMP);
    install_seccomp(ctx);
  }
  kc_child_credentials(ctx);
  KC_FAULT_POINT(ctx, KC_STEP_NO_NEW_PRIVS);
  if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    kc_child_fail(ctx, KC_STEP_NO_NEW_PRIVS, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_CWD);
  change_dir(ctx);
  if (p->has_umask) umask((mode_t)p->umask);
  /* After the mounts and pivot_root: stdio 'ignore' opens the new root's /dev/null (fault points dev_null and stdio inside). */
  kc_child_stdio(ctx);
  KC_FAULT_POINT(ctx, KC_STEP_CTTY);
  if (p->ctty && ioctl(0, TIOCSCTTY, 0) < 0) kc_child_fail(ctx, KC_STEP_CTTY, errno, -1, NULL);
  if (p->n_filter && p->no_new_privs) {
    KC_FAULT_POINT(ctx, KC_STEP_SECCOMP);
    install_seccomp(ctx);
  }
  if (!p->n_filter) KC_FAULT_POINT(ctx, KC_STEP_SECCOMP);
  KC_FAULT_POINT(ctx, KC_STEP_EXECVE);
  exec_program(ctx);
}
