/**
 * Loads a device program and attaches it to a cgroup v2 directory, replacing
 * the programs attached there before: the new one is attached first (with
 * BPF_F_ALLOW_MULTI, so for a moment both apply and access is only ever
 * narrower), then the old ones are detached, as runc does. Privileges:
 * CAP_SYS_ADMIN (bpf(2) and BPF_PROG_ATTACH).
 */
import { closeSync, constants, openSync } from 'node:fs';
import { rawBpf, translateNative } from '@kc/native';
import { CgroupError } from '../errors.js';
import type { DeviceRule } from '../resources/types.js';
import { deviceProgram } from './program.js';

function openDir(dir: string): number {
  return translateNative(CgroupError, () => openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY), { path: dir });
}

/** Ids of the device programs attached to the cgroup v2 directory `dir` itself. */
export function attachedDevicePrograms(dir: string): number[] {
  const fd = openDir(dir);
  try {
    return translateNative(CgroupError, () => rawBpf().bpfQueryDeviceProgs(fd), { path: dir });
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes `rules` the device policy of the cgroup v2 directory `dir`: compiles
 * them, loads the program, attaches it, then detaches every device program
 * that was attached there before. Returns the new program's id list as the
 * kernel reports it afterwards (one id).
 * @throws {CgroupError} INVALID_ARGUMENT for impossible device numbers (before
 *   any system call); the errno of a failed bpf(2) call otherwise (a program
 *   the verifier rejected carries its log as `cause.verifierLog`).
 */
export function attachDeviceRules(dir: string, rules: readonly DeviceRule[]): number[] {
  const prog = deviceProgram(rules);
  const bpf = rawBpf();
  const cg = openDir(dir);
  let progFd = -1;
  try {
    const before = translateNative(CgroupError, () => bpf.bpfQueryDeviceProgs(cg), { path: dir });
    progFd = translateNative(CgroupError, () => bpf.bpfLoadDeviceProg(prog), {
      path: dir,
      hint: 'loading a cgroup device program needs CAP_SYS_ADMIN (or CAP_BPF) and a kernel with CONFIG_CGROUP_BPF',
    });
    translateNative(CgroupError, () => bpf.bpfAttachDeviceProg(cg, progFd), { path: dir, hint: 'attaching needs CAP_SYS_ADMIN and a cgroup v2 directory' });
    for (const id of before) {
      const old = translateNative(CgroupError, () => bpf.bpfProgFdById(id), { path: dir });
      try {
        translateNative(CgroupError, () => bpf.bpfDetachDeviceProg(cg, old), { path: dir });
      } finally {
        closeSync(old);
      }
    }
    return translateNative(CgroupError, () => bpf.bpfQueryDeviceProgs(cg), { path: dir });
  } finally {
    if (progFd >= 0) closeSync(progFd);
    closeSync(cg);
  }
}
