/* Calls one system call N times and prints the mean cost in ns: the syscall
 * latency loop of bench/seccomp.ts, run under each seccomp filter.
 * Usage: seccomp-latency-loop NR N [ARG0] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  long nr = strtol(argv[1], NULL, 10);
  long n = strtol(argv[2], NULL, 10);
  unsigned long arg0 = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
  struct timespec a, b;
  for (long i = 0; i < n / 10; i++) syscall(nr, arg0); /* warm up */
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) syscall(nr, arg0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("%.2f\n", ns / (double)n);
  return 0;
}
