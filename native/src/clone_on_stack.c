/*
 * clone3 that starts the child on its own stack and calls fn(arg) there, so
 * the child can share the parent's memory (CLONE_VM) the way posix_spawn does
 * in glibc: no page tables are copied, whatever the size of the Node heap.
 * The generic syscall() wrapper cannot do this: the child would return into
 * the parent's stack frames. Only x86_64 and aarch64 have a trampoline;
 * elsewhere kc_clone_on_stack_supported() is 0 and the spawner copies the
 * address space instead (plain clone3, like fork).
 */
#include "clone_on_stack.h"

#include <errno.h>

#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl kc_clone3_trampoline\n"
    ".hidden kc_clone3_trampoline\n"
    ".type kc_clone3_trampoline,@function\n"
    "kc_clone3_trampoline:\n"
    "  mov %rdx, %r8\n"      /* fn: r8/r9 survive the syscall in both processes */
    "  mov %rcx, %r9\n"      /* arg */
    "  mov $435, %eax\n"     /* __NR_clone3 */
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 1f\n"
    "  xor %ebp, %ebp\n"     /* child: new stack, no frames above */
    "  mov %r9, %rdi\n"
    "  call *%r8\n"
    "  mov $60, %eax\n"      /* fn never returns; exit(127) if it did */
    "  mov $127, %edi\n"
    "  syscall\n"
    "  hlt\n"
    "1: ret\n"
    ".size kc_clone3_trampoline, .-kc_clone3_trampoline\n");
#define KC_HAVE_TRAMPOLINE 1
#elif defined(__aarch64__)
__asm__(
    ".text\n"
    ".globl kc_clone3_trampoline\n"
    ".hidden kc_clone3_trampoline\n"
    ".type kc_clone3_trampoline,%function\n"
    "kc_clone3_trampoline:\n"
    "  mov x4, x2\n"
    "  mov x5, x3\n"
    "  mov x8, #435\n"
    "  svc #0\n"
    "  cbnz x0, 1f\n"
    "  mov x29, #0\n"
    "  mov x30, #0\n"
    "  mov x0, x5\n"
    "  blr x4\n"
    "  mov x0, #127\n"
    "  mov x8, #93\n"
    "  svc #0\n"
    "1: ret\n"
    ".size kc_clone3_trampoline, .-kc_clone3_trampoline\n");
#define KC_HAVE_TRAMPOLINE 1
#endif

#ifdef KC_HAVE_TRAMPOLINE
long kc_clone3_trampoline(struct clone_args *args, size_t size, void (*fn)(void *), void *arg);

int kc_clone_on_stack_supported(void) { return 1; }

pid_t kc_clone_on_stack(struct clone_args *args, void (*fn)(void *), void *arg) {
  long r = kc_clone3_trampoline(args, sizeof *args, fn, arg);
  if (r < 0) {
    errno = (int)-r;
    return -1;
  }
  return (pid_t)r;
}
#else
int kc_clone_on_stack_supported(void) { return 0; }

pid_t kc_clone_on_stack(struct clone_args *args, void (*fn)(void *), void *arg) {
  (void)args;
  (void)fn;
  (void)arg;
  errno = ENOSYS;
  return -1;
}
#endif
