/*
 * The parent side of the spawn pipeline: clone3 with CLONE_PIDFD (plus the
 * namespace flags and CLONE_INTO_CGROUP), write id maps and v1 cgroup
 * membership while the child waits, then release it and wait for exec or for
 * an error record on a close-on-exec SOCK_SEQPACKET socket.
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone_on_stack.h"
#include "kc/proc.h"
#include "spawn_internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

extern char **environ;

#define KC_NS_FLAGS                                                                                          \
  ((uint64_t)(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
              CLONE_NEWCGROUP | CLONE_NEWTIME))

/* How long the parent waits for the child's setup before killing it. */
#define KC_SETUP_TIMEOUT_MS 30000

static int fail_step(kc_error *e, int step, int err, const char *syscall_name, const char *path) {
  kc_fail(e, err, syscall_name, path);
  e->step = step;
  return -1;
}

static void kill_and_reap(int pidfd) {
  kc_exit x;
  kc_error ignored;
  kc_pidfd_send_signal(pidfd, SIGKILL, &ignored);
  kc_pidfd_wait(pidfd, 0, &x, &ignored);
  close(pidfd);
}

/* Runs newuidmap/newgidmap PID <map triples...>, for unprivileged callers. */
static int run_map_helper(const char *tool, pid_t pid, const char *map, kc_error *e, int step) {
  char pidbuf[16], copy[4096];
  char *argv[3 * 64 + 3];
  size_t argc = 0;
  snprintf(pidbuf, sizeof pidbuf, "%d", pid);
  snprintf(copy, sizeof copy, "%s", map);
  argv[argc++] = (char *)tool;
  argv[argc++] = pidbuf;
  for (char *save = NULL, *tok = strtok_r(copy, " \n", &save); tok && argc < sizeof argv / sizeof *argv - 1;
       tok = strtok_r(NULL, " \n", &save))
    argv[argc++] = tok;
  argv[argc] = NULL;
  pid_t h;
  int r = posix_spawnp(&h, tool, NULL, NULL, argv, environ);
  if (r != 0) return fail_step(e, step, r, "posix_spawnp", tool);
  int status;
  while (waitpid(h, &status, 0) < 0) {
    if (errno != EINTR) return fail_step(e, step, errno, "waitpid", tool);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fail_step(e, step, EPERM, tool, map);
  return 0;
}

/* Parent-side fault-injection point (see KC_FAULT_POINT). */
static int parent_fault(const kc_plan *p, int step, kc_error *e) {
  if (p->fault_step != step) return 0;
  return fail_step(e, step, ECANCELED, "fault", "fault injected");
}

static int write_proc(pid_t pid, const char *file, const char *data, kc_error *e, int step) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
  int r = kc_write_file(path, data, strlen(data));
  if (r < 0) return fail_step(e, step, -r, "write", path);
  return 0;
}

/* What the parent does while the child waits: id maps, then v1 cgroup membership. */
static int parent_setup(const kc_plan *p, pid_t pid, kc_error *e) {
  if (parent_fault(p, KC_STEP_SETGROUPS_FILE, e) < 0) return -1;
  if (p->setgroups && write_proc(pid, "setgroups", p->setgroups, e, KC_STEP_SETGROUPS_FILE) < 0) return -1;
  if (parent_fault(p, KC_STEP_UID_MAP, e) < 0) return -1;
  if (p->uid_map) {
    if (p->id_map_helper ? run_map_helper("newuidmap", pid, p->uid_map, e, KC_STEP_UID_MAP) < 0
                         : write_proc(pid, "uid_map", p->uid_map, e, KC_STEP_UID_MAP) < 0)
      return -1;
  }
  if (parent_fault(p, KC_STEP_GID_MAP, e) < 0) return -1;
  if (p->gid_map) {
    if (p->id_map_helper ? run_map_helper("newgidmap", pid, p->gid_map, e, KC_STEP_GID_MAP) < 0
                         : write_proc(pid, "gid_map", p->gid_map, e, KC_STEP_GID_MAP) < 0)
      return -1;
  }
  if (parent_fault(p, KC_STEP_CGROUP, e) < 0) return -1;
  char pidbuf[16];
  int n = snprintf(pidbuf, sizeof pidbuf, "%d", pid);
  for (size_t i = 0; i < p->n_cgroup_procs; i++) {
    int r = kc_write_file(p->cgroup_procs[i], pidbuf, (size_t)n);
    if (r < 0) {
      fail_step(e, KC_STEP_CGROUP, -r, "write", p->cgroup_procs[i]);
      e->index = (int)i;
      return -1;
    }
  }
  return 0;
}

/* Receives one message (and maybe an fd). Returns bytes, 0 on EOF, -1 with errno. */
static ssize_t recv_msg(int fd, kc_child_msg *m, int *passed_fd, int timeout_ms) {
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  int r;
  do r = poll(&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r == 0) {
    errno = ETIMEDOUT;
    return -1;
  }
  if (r < 0) return -1;
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = m, .iov_len = sizeof *m};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  ssize_t n;
  do n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  *passed_fd = -1;
  if (n > 0) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(passed_fd, CMSG_DATA(c), sizeof(int));
  }
  return n;
}

static void error_from_msg(const kc_child_msg *m, kc_error *e) {
  kc_fail(e, m->err, "spawn", m->path[0] ? m->path : NULL);
  e->step = m->step;
  e->index = m->index;
}

/* The child's stack when it shares our memory (CLONE_VM). */
#define KC_CHILD_STACK_SIZE (256 * 1024)

/* Entry of a CLONE_VM child: copy the context onto our own stack first. */
static void child_entry(void *arg) {
  kc_child_ctx ctx = *(const kc_child_ctx *)arg;
  close(ctx.parent_fd);
  kc_child_main(&ctx);
}

/*
 * Whether the child may share our address space. It may not when we return
 * before it has exec'd (a seccomp listener: the plan and the stack would be
 * freed under it), or when it enters a time namespace (setns(CLONE_NEWTIME)
 * needs an mm of its own: EUSERS).
 */
static int can_share_memory(const kc_plan *p) {
  if (getenv("KC_SPAWN_NO_VM")) return 0; /* to compare both modes in benchmarks */
  return kc_clone_on_stack_supported() && !p->seccomp_listener && !(p->clone_flags & CLONE_NEWTIME);
}

static int spawn_blocked(const kc_plan *p, kc_spawn_result *out, kc_error *e, void *stack, int *undumpable);

/* Whether an unprivileged parent writes the id maps: it cannot open a non-dumpable child's root-owned /proc files. */
static int maps_need_dumpable(const kc_plan *p) {
  return geteuid() != 0 && (p->uid_map || p->gid_map || p->setgroups);
}

/*
 * The child must be non-dumpable from its first instruction (see
 * spawn_child.c), and a CLONE_VM child runs on our memory, whose dumpable
 * flag is one for both: so we clear it before clone3 (a copied address space
 * inherits it as well), or right after writing the id maps when an
 * unprivileged parent must write them, and put it back once no spawn is
 * under way. Counted, for spawns from several threads (worker_threads).
 */
static pthread_mutex_t undumpable_lock = PTHREAD_MUTEX_INITIALIZER;
static int undumpable_holders, dumpable_before;

static void hold_undumpable(void) {
  pthread_mutex_lock(&undumpable_lock);
  if (undumpable_holders++ == 0) {
    dumpable_before = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (dumpable_before != 0) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  }
  pthread_mutex_unlock(&undumpable_lock);
}

static void release_undumpable(void) {
  pthread_mutex_lock(&undumpable_lock);
  /* prctl can set 0 or 1 only: a process that was SUID_DUMP_ROOT (2) stays at 0, the stricter. */
  if (--undumpable_holders == 0 && dumpable_before == 1) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  pthread_mutex_unlock(&undumpable_lock);
}

int kc_spawn(const kc_plan *p, kc_spawn_result *out, kc_error *e) {
  void *stack = NULL;
  if (can_share_memory(p)) {
    stack = mmap(NULL, KC_CHILD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
                 -1, 0);
    if (stack == MAP_FAILED) stack = NULL;
    else mprotect(stack, 4096, PROT_NONE); /* guard page below the stack */
  }
  /*
   * Block every signal for the whole spawn: no Node handler may run in the
   * child, and no EINTR can reach the parent while a CLONE_VM child shares
   * its errno.
   */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int undumpable = 0;
  if (!maps_need_dumpable(p)) {
    hold_undumpable();
    undumpable = 1;
  }
  int r = spawn_blocked(p, out, e, stack, &undumpable);
  if (undumpable) release_undumpable();
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  /* By now the child has exec'd (new memory) or exited: its stack is free. */
  if (stack) munmap(stack, KC_CHILD_STACK_SIZE);
  return r;
}

static int spawn_blocked(const kc_plan *p, kc_spawn_result *out, kc_error *e, void *stack, int *undumpable) {
  out->pid = -1;
  out->pidfd = out->listener_fd = out->sync_fd = -1;

  uint64_t want = p->clone_flags & KC_NS_FLAGS;
  int joins = p->n_setns > 0 || p->join_pidfd >= 0;
  if (joins && (want & CLONE_NEWUSER)) return fail_step(e, KC_STEP_CLONE, EINVAL, "clone3", "new user namespace with joins");

  kc_child_ctx ctx = {.plan = p, .sync_fd = -1, .parent_fd = -1};
  ctx.dumpable_for_maps = maps_need_dumpable(p);
  uint64_t clone_ns = want & ~(uint64_t)CLONE_NEWTIME; /* time: unshared in the child so offsets can be set */
  if (joins) {
    /* Join first, then create: new namespaces must be owned by the joined user namespace. */
    int joins_pid = (p->join_pidfd >= 0 && (p->join_pidfd_flags & CLONE_NEWPID)) != 0;
    for (size_t i = 0; i < p->n_setns; i++) joins_pid |= p->setns[i].nstype == CLONE_NEWPID;
    ctx.new_ns_flags_to_unshare = (int)clone_ns;
    ctx.fork_for_pidns = joins_pid || (clone_ns & CLONE_NEWPID);
    clone_ns = 0;
  } else if (p->n_cgroup_procs && (clone_ns & CLONE_NEWCGROUP)) {
    /* The cgroup namespace root is fixed at creation: create it after the v1 join. */
    clone_ns &= ~(uint64_t)CLONE_NEWCGROUP;
    ctx.new_ns_flags_to_unshare = CLONE_NEWCGROUP;
  }

  if (parent_fault(p, KC_STEP_CLONE, e) < 0) return -1;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return fail_step(e, KC_STEP_CLONE, errno, "socketpair", NULL);
  ctx.sync_fd = sv[1];
  ctx.parent_fd = sv[0];

  int pidfd = -1;
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = clone_ns | CLONE_PIDFD;
  ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
  ca.exit_signal = SIGCHLD;
  if (p->cgroup_fd >= 0) {
    ca.flags |= CLONE_INTO_CGROUP;
    ca.cgroup = (uint64_t)p->cgroup_fd;
  }

  pid_t pid;
  if (stack) {
    ca.flags |= CLONE_VM;
    ca.stack = (uint64_t)(uintptr_t)stack;
    ca.stack_size = KC_CHILD_STACK_SIZE;
    pid = kc_clone_on_stack(&ca, child_entry, &ctx);
  } else {
    pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0) {
      close(sv[0]);
      kc_child_main(&ctx);
    }
  }
  int clone_errno = errno;
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return fail_step(e, KC_STEP_CLONE, clone_errno, "clone3", NULL);
  }

  if (parent_setup(p, pid, e) < 0) {
    kill_and_reap(pidfd);
    close(sv[0]);
    return -1;
  }
  if (!*undumpable) {
    /* The maps are written: from here the child (our memory, with CLONE_VM) is not dumpable. */
    hold_undumpable();
    *undumpable = 1;
  }
  if (parent_fault(p, KC_STEP_SYNC, e) < 0) {
    kill_and_reap(pidfd);
    close(sv[0]);
    return -1;
  }
  if (send(sv[0], "g", 1, MSG_NOSIGNAL) != 1) {
    int err = errno;
    kill_and_reap(pidfd);
    close(sv[0]);
    return fail_step(e, KC_STEP_SYNC, err, "send", NULL);
  }

  int listener = -1, about_to_exec = 0;
  for (;;) {
    kc_child_msg m;
    int fd = -1;
    memset(&m, 0, sizeof m);
    ssize_t n = recv_msg(sv[0], &m, &fd, KC_SETUP_TIMEOUT_MS);
    if (n < 0) {
      int err = errno;
      kill_and_reap(pidfd);
      if (listener >= 0) close(listener);
      close(sv[0]);
      return fail_step(e, KC_STEP_SYNC, err, "recvmsg", NULL);
    }
    if (n == 0) break; /* every copy of the child's end closed: exec'd or died */
    if (m.type == KC_MSG_ERROR) {
      error_from_msg(&m, e);
      kc_exit x;
      kc_error ignored;
      kc_pidfd_wait(pidfd, 0, &x, &ignored);
      close(pidfd);
      if (listener >= 0) close(listener);
      close(sv[0]);
      return -1;
    } else if (m.type == KC_MSG_LISTENER) {
      listener = fd;
    } else if (m.type == KC_MSG_PID) {
      /* The intermediate forked the real process (our child via CLONE_PARENT) and exits. */
      kc_error ignored;
      int real = kc_pidfd_open(m.pid, &ignored);
      kc_exit x;
      kc_pidfd_wait(pidfd, 0, &x, &ignored);
      close(pidfd);
      if (real < 0) {
        close(sv[0]);
        return fail_step(e, KC_STEP_PID_FORK, ignored.err, "pidfd_open", NULL);
      }
      pidfd = real;
      pid = m.pid;
    } else if (m.type == KC_MSG_EXEC) {
      about_to_exec = 1;
      if (p->seccomp_listener) {
        /* execve itself may be a notification for this listener: do not wait for it. */
        out->sync_fd = sv[0];
        out->pid = pid;
        out->pidfd = pidfd;
        out->listener_fd = listener;
        return 0;
      }
    }
  }
  close(sv[0]);
  if (!about_to_exec) {
    /* Died during setup without a report: killed (OOM, seccomp, a signal from outside). */
    kc_exit x;
    kc_error ignored;
    kc_pidfd_wait(pidfd, 0, &x, &ignored);
    close(pidfd);
    if (listener >= 0) close(listener);
    char what[64];
    snprintf(what, sizeof what, "child died during setup (signal %d, exit %d)", x.signal, x.exit_code);
    return fail_step(e, KC_STEP_SYNC, ECHILD, "spawn", what);
  }
  out->pid = pid;
  out->pidfd = pidfd;
  out->listener_fd = listener;
  return 0;
}

int kc_spawn_late_error(int sync_fd, kc_error *e) {
  kc_child_msg m;
  memset(&m, 0, sizeof m);
  ssize_t n;
  do n = recv(sync_fd, &m, sizeof m, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n <= 0 || m.type != KC_MSG_ERROR) return 0;
  error_from_msg(&m, e);
  return 1;
}
