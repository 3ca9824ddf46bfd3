/**
 * Calls that 32-bit x86 can also make through a multiplexer: `socketcall(call,
 * args*)` (include/uapi/linux/net.h `SYS_*`) and `ipc(call, ...)`
 * (include/uapi/linux/ipc.h). The kernel keeps both entry points on i386 (and
 * for i386 processes on x86_64, IA32 emulation) next to the direct calls added
 * in Linux 4.3 (sockets) and 5.1 (System V IPC); `accept`, `send`, `recv`,
 * `semop` and `semtimedop` exist there only multiplexed.
 */

/** socketcall(2)'s first argument for each socket call (include/uapi/linux/net.h). */
export const SOCKETCALL_CALLS: Readonly<Record<string, number>> = {
  socket: 1,
  bind: 2,
  connect: 3,
  listen: 4,
  accept: 5,
  getsockname: 6,
  getpeername: 7,
  socketpair: 8,
  send: 9,
  recv: 10,
  sendto: 11,
  recvfrom: 12,
  shutdown: 13,
  setsockopt: 14,
  getsockopt: 15,
  sendmsg: 16,
  recvmsg: 17,
  accept4: 18,
  recvmmsg: 19,
  sendmmsg: 20,
};

/**
 * ipc(2)'s first argument for each System V IPC call (include/uapi/linux/ipc.h).
 * The kernel reads only its low 16 bits as the call (ipc/syscall.c: `version =
 * call >> 16; call &= 0xffff`), so a filter must mask them.
 */
export const IPC_CALLS: Readonly<Record<string, number>> = {
  semop: 1,
  semget: 2,
  semctl: 3,
  semtimedop: 4,
  msgsnd: 11,
  msgrcv: 12,
  msgget: 13,
  msgctl: 14,
  shmat: 21,
  shmdt: 22,
  shmget: 23,
  shmctl: 24,
};

/** The bits of ipc(2)'s first argument that select the call; the rest is an old ABI version. */
export const IPC_CALL_MASK = 0xffff;
