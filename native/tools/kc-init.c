/*
 * kc-init: the tiny helper kc runs as the first program of a container.
 *
 * Why a helper: kc's spawn pipeline applies every setting (namespaces,
 * mounts, pivot_root, caps, seccomp) in the child and then execve()s. OCI's
 * create/start split needs the process to exist, fully set up, and wait
 * before running the user's program. runc does this with its init binary and
 * an "exec fifo"; kc does the same with this static helper, executed from a
 * sealed memfd (so it needs nothing inside the rootfs, and the container cannot
 * overwrite it through /proc/self/exe: CVE-2019-5736).
 *
 * Usage: kc-init SELF_FD FIFO_FD [HANDOFF_FD] MODE CONSOLE -- PROGRAM ARGS...
 *   SELF_FD  the memfd this program was executed from (closed at once), or -1
 *   FIFO_FD  an O_PATH fd of the exec fifo, or -1 to run at once. Opening it
 *            for writing blocks until `kc start` opens it for reading.
 *   HANDOFF_FD  (optional; `kc create` passes it) kc-init's end of a socket
 *            pair whose other end only the kc process creating the
 *            container holds. kc-init reads one byte from it before anything
 *            else that waits (the exec fifo): kc sends it once create has
 *            finished (record written). If the read ends without a byte, kc
 *            died during create, and kc-init exits, so no container process
 *            outlives a create that did not finish (issue #19). After the
 *            byte the container no longer depends on kc.
 *   MODE     "exec": become PROGRAM; "init": stay as PID 1, run PROGRAM as a
 *            child, forward signals to it and reap zombies (like tini).
 *            kc-init always starts a new session (setsid(2)), like runc's
 *            init. A "+tty" suffix also makes stdin (a pty slave) the
 *            controlling terminal (TIOCSCTTY, tty_ioctl(4)); done here as this
 *            is the final process, after any fork into a new pid namespace
 *            (a session leader's child is not one).
 *   CONSOLE  "-" or "FD:ROWS:COLS": a unix socket connected to the engine's
 *            console socket. kc-init opens a pty in the container's own
 *            devpts instance (/dev/ptmx, so ttyname works inside), makes its
 *            slave stdin/stdout/stderr and controlling terminal, and sends
 *            the master over FD with SCM_RIGHTS (runc's protocol).
 * Exit status 127/126 when PROGRAM cannot be found/executed, as shells do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *what, const char *arg, int code) {
  dprintf(2, "kc-init: %s %s: %s\n", what, arg, strerror(errno));
  _exit(code);
}

static void run(char **argv) {
  execvp(argv[0], argv);
  fail("exec", argv[0], errno == ENOENT ? 127 : 126);
}

static int supervise(char **argv) {
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t child = fork();
  if (child < 0) fail("fork", argv[0], 1);
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    run(argv);
  }
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    int status;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
      if (p != child) continue;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
  }
}

/* Opens a pty in the container's devpts, makes it our terminal, and sends the master to `sock`. */
static void setup_console(const char *spec) {
  int sock = -1, rows = 0, cols = 0;
  if (sscanf(spec, "%d:%d:%d", &sock, &rows, &cols) < 1 || sock < 0) return;
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) fail("open", "/dev/ptmx", 1);
  char name[128];
  if (ptsname_r(m, name, sizeof name) != 0) fail("ptsname", "/dev/ptmx", 1);
  int sl = open(name, O_RDWR | O_NOCTTY);
  if (sl < 0) fail("open", name, 1);
  if (rows > 0 && cols > 0) {
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    ioctl(m, TIOCSWINSZ, &ws);
  }
  char buf[CMSG_SPACE(sizeof(int))];
  memset(buf, 0, sizeof buf);
  struct iovec iov = {.iov_base = name, .iov_len = strlen(name)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &m, sizeof(int));
  if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) fail("sendmsg", "console socket", 1);
  close(sock);
  close(m);
  for (int fd = 0; fd < 3; fd++) dup2(sl, fd);
  if (sl > 2) close(sl);
}

/* Waits for kc's hand-off byte; exits when kc's end closed first (kc died during create). */
static void await_handoff(int fd) {
  /* The socket may be non-blocking (kc's sockets are): block here. */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  char c;
  ssize_t n;
  do n = read(fd, &c, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) _exit(125); /* no hand-off: kc is gone, and so must the container be */
  close(fd);
}

int main(int argc, char **argv) {
  /* Where "--" is tells the form: argv[5] without HANDOFF_FD (exec, older callers), argv[6] with it (create). CONSOLE is never "--". */
  int without = argc >= 7 && strcmp(argv[5], "--") == 0;
  int with_handoff = !without && argc >= 8 && strcmp(argv[6], "--") == 0;
  if (!without && !with_handoff) {
    dprintf(2, "usage: kc-init SELF_FD FIFO_FD [HANDOFF_FD] exec|init[+tty] -|FD:ROWS:COLS -- PROGRAM ARGS...\n");
    return 2;
  }
  int self_fd = atoi(argv[1]);
  int fifo_fd = atoi(argv[2]);
  int handoff_fd = with_handoff ? atoi(argv[3]) : -1;
  char **rest = argv + (with_handoff ? 4 : 3); /* MODE CONSOLE -- PROGRAM ... */
  int init = strncmp(rest[0], "init", 4) == 0;
  int tty = strstr(rest[0], "+tty") != NULL;
  if (self_fd >= 0) close(self_fd);
  /* A session of its own, as runc's init: the caller's session stays outside the container (CRIU needs the session leader inside). */
  setsid();
  /* The console first: an engine waits for the pty master while create runs (runc sends it during create too). */
  setup_console(rest[1]);
  if (tty && ioctl(0, TIOCSCTTY, 0) < 0) fail("ioctl(TIOCSCTTY)", "stdin", 1);
  if (handoff_fd >= 0) await_handoff(handoff_fd);
  if (fifo_fd >= 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_fd);
    int w;
    do w = open(path, O_WRONLY | O_CLOEXEC);
    while (w < 0 && errno == EINTR);
    if (w < 0) fail("open", "exec fifo", 1);
    close(fifo_fd);
    if (write(w, "0", 1) != 1) fail("write", "exec fifo", 1);
    close(w);
  }
  if (init) return supervise(rest + 3);
  run(rest + 3);
  return 1;
}
